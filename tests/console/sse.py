"""Live-update test support: ``live_app`` (the API and the console with an ``EventHub`` started
in the lifespan, as ``bot.app`` does) and ``SseReader``, which reads ``GET /console/events`` in a
thread as a browser's ``EventSource`` would and hands over the messages and comments."""

from __future__ import annotations

import json
import queue
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from backoffice import install_problem_handlers
from backoffice.api import router_for
from backoffice.console import (
    STATIC_DIR,
    ConsoleContext,
    create_console_router,
    install_console_handlers,
)
from backoffice.console.live import EventHub
from bot.bootstrap import Runtime
from bot.storage.console_events import on_events_committed


def live_app(context: ConsoleContext, hub: EventHub, runtime: Runtime) -> FastAPI:
    """The API and the console on ``context`` (whose ``feed`` is ``hub``), the hub started and
    hooked on ``runtime``'s commits in the lifespan."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await hub.start()
        unhook = on_events_committed(runtime.sessions, hub.notify)
        try:
            yield
        finally:
            unhook()
            await hub.stop()

    app = FastAPI(lifespan=lifespan)
    install_problem_handlers(app)
    app.include_router(router_for(context.backoffice), prefix="/api/v1")
    app.include_router(create_console_router(context), prefix="/console")
    app.mount("/console/static", StaticFiles(directory=STATIC_DIR), name="console-static")
    install_console_handlers(app)
    return app


@dataclass(frozen=True)
class SseMessage:
    event: str
    data: str
    id: str | None

    @property
    def payload(self) -> dict[str, Any]:
        value = json.loads(self.data)
        assert isinstance(value, dict)
        return value


class SseReader:
    """``SseReader(base_url, cookies, last_event_id=...)``; ``take(n)``; ``close()``.

    ``status`` is the response's status; ``comments`` the comment lines (heartbeats);
    ``retry`` the ``retry:`` value; ``ended`` is set when the server closed the stream.
    """

    def __init__(
        self,
        base_url: str,
        cookies: httpx.Cookies,
        *,
        last_event_id: int | None = None,
        query: str = "",
    ) -> None:
        self.messages: queue.Queue[SseMessage] = queue.Queue()
        self.comments: list[str] = []
        self.retry: int | None = None
        self.status: int | None = None
        self.ended = threading.Event()
        self._ready = threading.Event()
        self._stop = threading.Event()  # checked at each line: the server's heartbeats
        headers = {"Accept": "text/event-stream"}
        if last_event_id is not None:
            headers["Last-Event-ID"] = str(last_event_id)
        self._client = httpx.Client(base_url=base_url, cookies=cookies, timeout=30)
        self._thread = threading.Thread(
            target=self._run, args=(f"/console/events{query}", headers), daemon=True
        )
        self._thread.start()
        assert self._ready.wait(10), "no answer from /console/events"

    def _run(self, path: str, headers: dict[str, str]) -> None:
        try:
            with self._client.stream("GET", path, headers=headers) as response:
                self.status = response.status_code
                if response.status_code != 200:
                    self._ready.set()
                fields: dict[str, str] = {}
                for line in response.iter_lines():
                    if self._stop.is_set():
                        break
                    if line == "":
                        if "event" in fields or "data" in fields:
                            self.messages.put(
                                SseMessage(
                                    event=fields.get("event", "message"),
                                    data=fields.get("data", ""),
                                    id=fields.get("id"),
                                )
                            )
                        fields = {}
                    elif line.startswith(":"):
                        self.comments.append(line)
                    else:
                        name, _, value = line.partition(":")
                        value = value[1:] if value.startswith(" ") else value
                        if name == "retry":  # the stream's first line: subscribed
                            self.retry = int(value)
                            self._ready.set()
                        else:
                            fields[name] = value
        except (httpx.HTTPError, RuntimeError):
            pass
        finally:
            self._ready.set()
            self.ended.set()

    def take(self, count: int, *, timeout: float = 5.0) -> list[SseMessage]:
        """The next ``count`` messages; fails when they do not come within ``timeout``."""
        taken: list[SseMessage] = []
        deadline = time.monotonic() + timeout
        while len(taken) < count:
            left = deadline - time.monotonic()
            try:
                taken.append(self.messages.get(timeout=max(left, 0.01)))
            except queue.Empty:
                raise AssertionError(f"{len(taken)} of {count} messages came: {taken}") from None
        return taken

    def by_kind(self, count: int, *, timeout: float = 5.0) -> list[SseMessage]:
        """The next ``count`` events by kind (each event's per-conversation and per-onboarding
        copies are read and left out)."""
        found: list[SseMessage] = []
        deadline = time.monotonic() + timeout
        while len(found) < count:
            left = deadline - time.monotonic()
            try:
                message = self.messages.get(timeout=max(left, 0.01))
            except queue.Empty:
                raise AssertionError(f"{len(found)} of {count} events came: {found}") from None
            if not message.event.startswith(("conversation-", "onboarding-")):
                found.append(message)
        return found

    def quiet(self, *, for_s: float) -> list[SseMessage]:
        """Whatever comes within ``for_s`` (a check that nothing more does)."""
        time.sleep(for_s)
        got = []
        while not self.messages.empty():
            got.append(self.messages.get_nowait())
        return got

    def close(self) -> None:
        """Disconnects, as a closed tab does (within one heartbeat of the server)."""
        self._stop.set()
        self._thread.join(timeout=10)
        self._client.close()
