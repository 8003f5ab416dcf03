"""The inbox's live updates in a real browser against a real ``onboard serve``: the page's
``EventSource`` is cut (a proxy between browser and server drops the connection and refuses
new ones), clients write meanwhile, and once the way is open again the browser reconnects with
``Last-Event-ID`` and receives every event it missed — none twice — and the inbox shows the new
escalations without a reload."""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from backoffice.access import Principal
from backoffice.console.live import LiveEvent, may_see
from bot.storage.models import ConsoleEvent, Escalation, StaffUser
from tests.e2e.console_server import ConsoleServer

pytestmark = pytest.mark.e2e

# Every kind the page may be sent (listened to directly on its EventSource).
KINDS = [
    "message_in",
    "message_out",
    "message_status",
    "escalation_opened",
    "escalation_taken",
    "escalation_assigned",
    "escalation_resolved",
    "takeover",
    "released",
    "assigned",
    "stage_changed",
    "note_added",
    "client_updated",
    "document_read",
    "resync",
]

WATCH = """kinds => {
  const source = document.querySelector('[sse-connect]')['htmx-internal-data'].sseEventSource;
  window.__source = source;
  window.__seen = [];
  for (const kind of kinds) {
    source.addEventListener(kind, e => window.__seen.push([Number(e.lastEventId), e.type]));
  }
}"""


class CuttableProxy:
    """A loopback TCP proxy to the server that can drop its connections and refuse new ones
    (``cut``) until ``restore``; keeps the request heads it forwarded."""

    def __init__(self, backend_port: int) -> None:
        self.backend_port = backend_port
        self.port = 0
        self.heads: list[str] = []
        self.down = False
        self._writers: set[asyncio.StreamWriter] = set()
        self._server: asyncio.Server | None = None
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> CuttableProxy:
        self._thread.start()
        assert self._ready.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop.close()

    async def _shutdown(self) -> None:
        """Every socket closed and every task ended (nothing left for the collector)."""
        assert self._server is not None
        self._server.close()
        for writer in list(self._writers):
            writer.transport.abort()
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await self._server.wait_closed()

    def cut(self) -> None:
        def drop() -> None:
            self.down = True
            for writer in list(self._writers):
                writer.transport.abort()

        self._loop.call_soon_threadsafe(drop)

    def restore(self) -> None:
        self.down = False

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(
            asyncio.start_server(self._accept, "127.0.0.1", 0)
        )
        self.port = self._server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.down:
            writer.transport.abort()
            return
        self._writers.add(writer)
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.backend_port)
        self._writers.add(up_writer)
        try:
            await asyncio.gather(
                self._pipe(reader, up_writer, record=True), self._pipe(up_reader, writer)
            )
        finally:
            self._writers.difference_update((writer, up_writer))
            writer.transport.abort()
            up_writer.transport.abort()

    async def _pipe(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *, record: bool = False
    ) -> None:
        try:
            while data := await reader.read(65536):
                if record and data[:4] in (b"GET ", b"POST"):
                    self.heads.append(data.split(b"\r\n\r\n")[0].decode("latin-1"))
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            with contextlib.suppress(Exception):
                writer.transport.abort()


def visible_events(server: ConsoleServer, role: str, *, after: int) -> list[int]:
    """The ids of the events after ``after`` that ``role`` may see, read from the database."""
    with server.db() as session:
        staff = session.get_one(StaffUser, server.staff[role].id)
        principal = Principal(
            id=staff.id, name=staff.name, role=staff.role, team=staff.team, segment=staff.segment
        )
        teams = dict(session.execute(select(StaffUser.id, StaffUser.team)).all())
        rows = session.scalars(
            select(ConsoleEvent).where(ConsoleEvent.id > after).order_by(ConsoleEvent.id)
        ).all()
        return [
            row.id
            for row in rows
            if may_see(
                principal,
                LiveEvent(
                    id=row.id,
                    kind=row.kind,
                    onboarding_id=row.onboarding_id,
                    conversation_id=row.conversation_id,
                    csm_id=row.csm_id,
                    actor=row.actor,
                    data=row.data,
                ),
                team_of=teams,
            )
        ]


def wait_for(check: Any, *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_an_inbox_cut_off_catches_up_on_every_event_after_it_reconnects(
    browser: Any, console_server: ConsoleServer, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    backend = int(console_server.url.rsplit(":", 1)[1])
    with CuttableProxy(backend) as proxy:
        page = console_server.page(browser, "manager")  # signed in (the cookie is the host's)
        through = f"http://127.0.0.1:{proxy.port}"
        page.goto(f"{through}/console/inbox?tab=team")
        page.wait_for_function(
            "() => { const el = document.querySelector('[sse-connect]');"
            " const d = el && el['htmx-internal-data'];"
            " return d && d.sseEventSource && d.sseEventSource.readyState === 1; }"
        )
        page.evaluate(WATCH, KINDS)
        with console_server.db() as session:
            start = int(
                session.scalar(select(ConsoleEvent.id).order_by(ConsoleEvent.id.desc())) or 0
            )

        console_server.client_writes("+5511911110001", "oi")
        wait_for(
            lambda: len(page.evaluate("window.__seen")) >= 2, timeout=10, what="the first events"
        )

        proxy.cut()
        page.wait_for_function("() => window.__source.readyState !== 1")
        for sender in ("+5511911110002", "+5511911110003"):
            console_server.client_writes(sender, "oi")
            console_server.client_writes(sender, "HUMANO")
        wait_for(lambda: _escalations(console_server) >= 2, timeout=20, what="the escalations")
        time.sleep(1.0)  # and what follows them (the bot's replies, their delivery)
        missed = visible_events(console_server, "manager", after=start)
        assert len(missed) > len(page.evaluate("window.__seen"))  # the page is behind
        proxy.restore()

        def caught_up() -> bool:
            expected = visible_events(console_server, "manager", after=start)
            seen = [event_id for event_id, _ in page.evaluate("window.__seen")]
            return sorted(set(seen)) == expected

        wait_for(caught_up, timeout=15, what="the page to catch up")
        seen = page.evaluate("window.__seen")
        ids = [event_id for event_id, _ in seen]
        assert ids == sorted(set(ids)), "an event came twice or out of order"
        assert "resync" not in {kind for _, kind in seen}
        assert page.evaluate("window.__source.readyState") == 1  # the same EventSource
        reconnections = [h for h in proxy.heads if h.startswith("GET /console/events")]
        assert len(reconnections) >= 2
        assert any("last-event-id:" in h.lower() for h in reconnections[1:]), reconnections

        # The team's tab shows both new escalations (the rule gave them to its CSMs) without a
        # reload.
        rows = page.locator("#inbox-list tbody tr")
        expect(rows).to_have_count(_open_rows(console_server), timeout=10_000)
        page.screenshot(path=str(tmp_path / "inbox-live-desktop.png"), full_page=True)
        page.set_viewport_size({"width": 360, "height": 740})
        page.screenshot(path=str(tmp_path / "inbox-live-360.png"), full_page=True)
        (tmp_path / "seen.json").write_text(json.dumps(seen))


def _escalations(server: ConsoleServer) -> int:
    with server.db() as session:
        return len(session.scalars(select(Escalation.id)).all())


def _open_rows(server: ConsoleServer) -> int:
    with server.db() as session:
        return len(
            session.scalars(select(Escalation.id).where(Escalation.status != "resolved")).all()
        )
