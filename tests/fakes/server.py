"""A tiny real HTTP server on 127.0.0.1 (port 0) in a background thread, base of the fakes.

Fakes subclass ``FakeServer`` and implement ``handle(request) -> FakeResponse``; the real
client libraries (twilio, python-telegram-bot, httpx) talk to them over HTTP. A fake is a
context manager usable from sync tests (``with``) and async tests (``with`` or ``async with``):
the server runs in its own thread, so it never blocks the test's event loop.
"""

from __future__ import annotations

import asyncio
import base64
import json
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

__all__ = ["FakeRequest", "FakeResponse", "FakeServer", "LoopbackServer"]


@dataclass(frozen=True)
class FakeRequest:
    """One request as the fake saw it (headers are case-insensitive)."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: Message
    body: bytes
    server_port: int

    def header(self, name: str) -> str | None:
        return self.headers.get(name)

    def form(self) -> dict[str, list[str]]:
        return parse_qs(self.body.decode(), keep_blank_values=True)

    def form_first(self) -> dict[str, str]:
        return {key: values[0] for key, values in self.form().items()}

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    def basic_auth(self) -> tuple[str, str] | None:
        value = self.header("Authorization") or ""
        if not value.startswith("Basic "):
            return None
        user, _, password = base64.b64decode(value[6:]).decode().partition(":")
        return user, password

    def bearer(self) -> str | None:
        value = self.header("Authorization") or ""
        return value[7:] if value.startswith("Bearer ") else None


@dataclass
class FakeResponse:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(
        cls, payload: Any, *, status: int = 200, headers: Mapping[str, str] | None = None
    ) -> FakeResponse:
        return cls(
            status,
            json.dumps(payload).encode(),
            {"Content-Type": "application/json", **(headers or {})},
        )

    @classmethod
    def redirect(cls, location: str, *, status: int = 307) -> FakeResponse:
        return cls(status, b"", {"Location": location})


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the real APIs do
    disable_nagle_algorithm = True  # headers and body are two writes: avoid a 40 ms stall
    server: _Server

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        request = FakeRequest(
            method=self.command,
            path=unquote(parts.path),  # PTB percent-encodes the ':' of the token in file URLs
            query=parse_qs(parts.query, keep_blank_values=True),
            headers=self.headers,
            body=body,
            server_port=self.server.server_address[1],
        )
        try:
            response = self.server.app(request)
        except Exception as exc:  # a bug in a fake must show up as a 500, not a hang
            response = FakeResponse(500, f"fake server error: {exc!r}".encode())
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        self.wfile.write(response.body)

    do_GET = do_POST = do_PUT = do_DELETE = _serve

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass  # keep test output clean


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 512  # the default of 5 drops connections under a benchmark's burst

    def __init__(self, app: Any) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.app = app

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gives up (a timeout test, a cancelled long poll) resets the connection.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class LoopbackServer:
    """Serves ``app(request) -> FakeResponse`` on 127.0.0.1 and an OS-chosen port."""

    def __init__(self, app: Any) -> None:
        self._app = app
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        assert self._server is not None, "server not started"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def port(self) -> int:
        assert self._server is not None, "server not started"
        return int(self._server.server_address[1])

    def start(self) -> None:
        self._server = _Server(self._app)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None


class FakeServer:
    """Base of the provider fakes: lifecycle, a lock, the ``sent`` record and ``wait_for``."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self.sent: list[Any] = []
        self.requests: list[FakeRequest] = []
        self._http = LoopbackServer(self._dispatch)

    # lifecycle

    def __enter__(self) -> Any:
        self._http.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._http.stop()

    async def __aenter__(self) -> Any:
        return self.__enter__()

    async def __aexit__(self, *exc_info: object) -> None:
        self.__exit__()

    @property
    def url(self) -> str:
        """Base URL to give the client (``ONBOARD_*_API_URL``)."""
        return self._http.url

    # recording

    def _dispatch(self, request: FakeRequest) -> FakeResponse:
        with self._changed:
            self.requests.append(request)
        return self.handle(request)

    def handle(self, request: FakeRequest) -> FakeResponse:
        raise NotImplementedError

    def _record_sent(self, item: Any) -> None:
        with self._changed:
            self.sent.append(item)
            self._changed.notify_all()

    def wait_for(self, count: int, timeout: float = 5.0) -> list[Any]:
        """Block until ``count`` messages were accepted; returns them (AssertionError on timeout).

        From async code where the sender runs on the same loop, use ``wait_for_async``.
        """
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self.sent) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"expected {count} messages, got {len(self.sent)}")
                self._changed.wait(remaining)
            return list(self.sent)

    async def wait_for_async(self, count: int, timeout: float = 5.0) -> list[Any]:
        deadline = time.monotonic() + timeout
        while True:
            with self._changed:
                if len(self.sent) >= count:
                    return list(self.sent)
            if time.monotonic() >= deadline:
                raise AssertionError(f"expected {count} messages, got {len(self.sent)}")
            await asyncio.sleep(0.01)
