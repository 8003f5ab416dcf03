"""Fixtures of the NLU tests: one model trained per session, a fixed clock, a fake Rasa server."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from nlu.builtin import BuiltinInterpreter
from nlu.factory import build_builtin
from tests.nlu.support import NOW, FakeRasa


@pytest.fixture(scope="session")
def builtin(nlu_cache_dir: Path) -> BuiltinInterpreter:
    return build_builtin(cache_dir=nlu_cache_dir, clock=lambda: NOW)


@pytest.fixture
def fake_rasa() -> Iterator[FakeRasa]:
    state = FakeRasa()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            state.requests.append({"path": self.path, "body": body})
            if state.mode == "slow":
                time.sleep(state.delay_s)
            if self.path != "/model/parse":
                self._send(404, b'{"error": "not found"}')
            elif state.mode == "error":
                self._send(500, b'{"version": "3.6.20", "status": "failure", "code": 500}')
            elif state.mode == "garbage":
                self._send(200, b"<html>proxy error</html>")
            elif state.mode == "wrong_shape":
                self._send(200, json.dumps({"text": body["text"], "intent": None}).encode())
            else:
                assert state.reply is not None
                self._send(200, json.dumps(state.reply(body["text"])).encode())

        def _send(self, status: int, payload: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            try:
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout test)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
