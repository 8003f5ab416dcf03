"""The console's live updates: one ``EventHub`` per process fans the event log out to the
browsers connected to ``GET /console/events`` (server-sent events).

Contract
--------
Every change the console shows live writes a row of ``console_events`` in the transaction of
the change (``bot.storage.console_events``). Its id is the SSE ``id:``; its kind is the SSE
``event:`` name; ``data:`` is JSON ``{id, kind, onboarding_id, conversation_id, csm_id, actor,
data}`` with ids, codes and stage words only — never a client's words or values: the page
fetches what changed through its own scoped queries. The same id is sent again as
``event: conversation-<id>`` when the event has a conversation and ``event: onboarding-<id>``
when it has an onboarding, so an element listens with ``hx-trigger="sse:conversation-12"``.

Kinds (``event:`` names) and their ``data``:

* ``message_in`` — a client's message stored: ``{message_ids}`` (actor ``client``);
* ``message_out`` — a bot, staff or system message stored: ``{message_ids}`` (actor ``bot``,
  ``staff:<id>`` or ``system``);
* ``message_status`` — a delivery status moved: ``{message_ids, status}`` (a provider's
  callback: sent, delivered, read, failed, undelivered; the outbox: dead → ``failed``,
  ``held``, ``suppressed``);
* ``escalation_opened`` — ``{escalation_id, reason, assigned_to}`` (actor ``bot``);
* ``escalation_taken`` — taken with the conversation: ``{escalation_id}``;
* ``escalation_assigned`` — ``{escalation_id, assigned_to, previous_assignee}``;
* ``escalation_resolved`` — ``{escalation_id}``;
* ``takeover`` — a person took the conversation over (actor ``staff:<id>``): ``{}``;
* ``released`` — handed back to the bot: ``{held_by}``;
* ``assigned`` — the onboarding's CSM changed: ``{csm_id, previous_csm_id}`` (the previous
  CSM, and their manager, receive it too, so their lists drop the row);
* ``stage_changed`` — ``{from, to}`` (stage words; by staff or by the bot);
* ``note_added`` — ``{client_id, note_id}``;
* ``client_updated`` — ``{client_id, fields}`` (field names, never values);
* ``document_read`` — ``{document_id, kind, status}`` (read, rejected or failed);
* ``alert_raised`` — a manager alert was raised: ``{alert_id, alert_kind, severity}`` (the
  team view; an alert without an onboarding, the daily digest, reaches the admins only);
* ``agreement_changed`` — an agreement with the client was recorded, done or cancelled:
  ``{client_id, agreement_id, status}`` (``backoffice.agreements``);
* ``resync`` — not a row: the page must reload what it shows (the replay after
  ``Last-Event-ID`` passed its cap, or this connection fell behind and is closed); its ``id:``
  is where the stream resumes.

Who receives what mirrors ``backoffice.access.onboarding_scope`` (``may_see``): admins every
event; a manager the unassigned ones (``csm_id`` None) and those of a CSM of their team; a CSM
the unassigned ones and their own; ``previous_csm_id`` counts as an owner too (None: the
onboarding left the queue, which everyone sees). An event without an onboarding is the admins'
only, as its rows are (``belongs_to_scope``).

Delivery: ONE reader task per process polls the log for ids above its cursor (every
``poll_s``, and at once when woken), in id order; an id not yet visible below a visible one
(a transaction still open) is waited for ``gap_wait_s`` before it is skipped, so events are
sent in id order and ``Last-Event-ID`` misses nothing. Writers wake the readers after their
commit (``notify``, hooked on the session factory): in this process directly, in the others
through Redis pub/sub when ``ONBOARD_REDIS_URL`` is set; a lost wake-up costs at most
``poll_s``. Each connection has a bounded queue: one that falls behind gets ``resync`` and is
closed rather than grow the server's memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Final

from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from backoffice.access import Principal
from backoffice.console.live_events import LiveEvent, may_see, sse_message
from bot.domain.clock import Clock
from bot.storage.console_events import prune_console_events
from bot.storage.models import ConsoleEvent, StaffUser

__all__ = ["RESYNC", "EventHub", "LiveEvent", "Subscription", "may_see", "sse_message"]

log = logging.getLogger(__name__)

RESYNC: Final = "resync"
_READ_BATCH = 500
_READ_GAP_S = 0.03  # between two reads of the log: the wake-ups meanwhile share the next one
_PUBLISH_GAP_S = 0.02  # between two wake-ups published: the commits meanwhile share the next


@dataclass(eq=False)
class Subscription:
    """One connection's share of the hub: the events after ``after`` it may see."""

    principal: Principal
    after: int
    queue: asyncio.Queue[LiveEvent | str] = field(repr=False)
    dropped: bool = False  # fell behind: ``RESYNC`` is its last item


class EventHub:
    """Reads the event log once per process and fans it out (see the module's text)."""

    def __init__(
        self,
        *,
        sessions: sessionmaker[Session],
        clock: Clock,
        redis_url: str | None = None,
        key_prefix: str = "acolhe",
        poll_s: float = 1.0,
        gap_wait_s: float = 2.0,
        queue_size: int = 256,
        replay_cap: int = 500,
        heartbeat_s: float = 15.0,
        keep: timedelta = timedelta(days=7),
        read: bool = True,
    ) -> None:
        """``read=False``: a process that only writes events (``onboard worker``) and wakes the
        others (``notify``), without reading the log or serving connections."""
        self.sessions = sessions
        self.clock = clock
        self.redis_url = redis_url
        self.channel = f"{key_prefix}:console-events"
        self.poll_s = poll_s
        self.gap_wait_s = gap_wait_s
        self.queue_size = queue_size
        self.replay_cap = replay_cap
        self.heartbeat_s = heartbeat_s
        self.keep = keep
        self.read = read
        self.cursor = 0  # every id up to here was delivered (or given up on)
        self._pending: dict[int, LiveEvent] = {}  # read above a gap, not delivered yet
        self._gap: tuple[int, float] | None = None  # (cursor when first seen, monotonic time)
        self._subscriptions: set[Subscription] = set()
        self._teams: dict[int, str] = {}
        self._teams_read = 0.0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake = asyncio.Event()
        self._publish_due = False
        self._publisher: asyncio.Task[None] | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._redis: Redis | None = None
        self._pruned = time.monotonic()

    # ------------------------------------------------------------------ life
    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        if self.redis_url is not None:
            self._redis = Redis.from_url(self.redis_url)
        if not self.read:
            return
        self.cursor = await asyncio.to_thread(self._last_id)
        await self._refresh_teams()
        self._tasks.append(asyncio.create_task(self._read_loop(), name="console-events"))
        if self._redis is not None:
            self._tasks.append(asyncio.create_task(self._listen(), name="console-events-redis"))

    async def stop(self) -> None:
        for task in [*self._tasks, *([self._publisher] if self._publisher else [])]:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks.clear()
        for subscription in list(self._subscriptions):
            self._drop(subscription)
        if self._redis is not None:
            await self._redis.aclose()
        self._loop = None

    # ------------------------------------------------------------------ writers' side
    def notify(self) -> None:
        """Events were committed: read them now, here and in the other processes. Safe from
        any thread (it runs in the thread that committed)."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        with contextlib.suppress(RuntimeError):  # the loop is closing
            loop.call_soon_threadsafe(self._woken, True)

    def _woken(self, publish: bool) -> None:
        self._wake.set()
        if publish and self._redis is not None:
            self._publish_due = True
            if self._publisher is None or self._publisher.done():
                self._publisher = asyncio.create_task(self._publish())

    async def _publish(self) -> None:
        """One PUBLISH for all the notifications made while the previous one was on the wire
        (and in the ``_PUBLISH_GAP_S`` after it)."""
        assert self._redis is not None
        while self._publish_due:
            self._publish_due = False
            try:
                await self._redis.publish(self.channel, "1")
            except RedisError as exc:  # the other processes' poll catches up
                log.warning("console events: wake-up not published: %s", exc)
                return
            await asyncio.sleep(_PUBLISH_GAP_S)

    async def _listen(self) -> None:
        """Wake-ups published by the other processes (and this one's own: harmless)."""
        assert self._redis is not None
        while True:
            try:
                async with self._redis.pubsub() as pubsub:
                    await pubsub.subscribe(self.channel)
                    async for message in pubsub.listen():
                        if message.get("type") == "message":
                            self._woken(False)
            except RedisError as exc:
                log.warning("console events: Redis subscription lost (%s); polling meanwhile", exc)
                await asyncio.sleep(self.poll_s)

    # ------------------------------------------------------------------ readers' side
    async def refresh(self) -> None:
        """Reads the log now when nobody is connected (the hub then reads it only every
        ``poll_s``), so that a new connection's replay reaches the newest event."""
        if not self._subscriptions and self._loop is not None:
            while await self._poll():
                pass

    def subscribe(self, principal: Principal, *, after: int) -> tuple[Subscription, int]:
        """A new connection: the live events above ``max(after, cursor)`` go to its queue.
        Returns it with the hub's cursor: the caller replays ``(after, cursor]`` from the
        database (``replay``), so nothing falls between the two."""
        subscription = Subscription(
            principal=principal,
            after=max(after, self.cursor),
            queue=asyncio.Queue(maxsize=self.queue_size),
        )
        self._subscriptions.add(subscription)
        return subscription, self.cursor

    def unsubscribe(self, subscription: Subscription) -> None:
        self._subscriptions.discard(subscription)

    @property
    def connections(self) -> int:
        return len(self._subscriptions)

    async def replay(
        self, principal: Principal, *, after: int, upto: int
    ) -> list[LiveEvent] | None:
        """The events in ``(after, upto]`` ``principal`` may see, in order; None when there are
        more than ``replay_cap`` (the page must resync)."""
        if upto <= after:
            return []
        rows = await asyncio.to_thread(self._read, after, upto, limit=self.replay_cap + 1)
        if len(rows) > self.replay_cap:
            return None
        await self._teams_for(rows)
        return [row for row in rows if may_see(principal, row, team_of=self._teams)]

    # ------------------------------------------------------------------ the reader task
    async def _read_loop(self) -> None:
        """Reads when woken, or every ``poll_s``. Wake-ups are coalesced (at most one read per
        ``_READ_GAP_S``), and ignored while nobody is connected: then the timer's read keeps
        the cursor fresh, and the writers' hot path costs this process nothing more."""
        polled = time.monotonic()
        while True:
            timeout = self.poll_s if self._gap is None else min(self.poll_s, 0.1)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=timeout)
            self._wake.clear()
            idle = not self._subscriptions and self._gap is None
            if idle and time.monotonic() - polled < self.poll_s:
                continue
            try:
                while await self._poll():
                    pass
                await self._maintain()
            except Exception:  # noqa: BLE001 - the next round tries again
                log.exception("console events: reading the log failed")
                await asyncio.sleep(self.poll_s)
            polled = time.monotonic()
            await asyncio.sleep(_READ_GAP_S)

    async def _poll(self) -> bool:
        """Reads above the cursor and delivers what is contiguous; True when there is more."""
        rows = await asyncio.to_thread(self._read, self.cursor, None, limit=_READ_BATCH)
        for row in rows:
            if row.id > self.cursor:
                self._pending.setdefault(row.id, row)
        await self._teams_for(rows)
        self._advance()
        return len(rows) == _READ_BATCH and bool(self._pending) is False

    def _advance(self) -> None:
        """Delivers pending events in id order, waiting ``gap_wait_s`` on a missing id."""
        while self._pending:
            following = min(self._pending)
            if following != self.cursor + 1:
                now = time.monotonic()
                if self._gap is None or self._gap[0] != self.cursor:
                    self._gap = (self.cursor, now)
                if now - self._gap[1] < self.gap_wait_s:
                    return
                log.info(
                    "console events: ids %d..%d never appeared", self.cursor + 1, following - 1
                )
            self._gap = None
            self.cursor = following
            self._deliver(self._pending.pop(following))

    def _deliver(self, event: LiveEvent) -> None:
        for subscription in list(self._subscriptions):
            if event.id <= subscription.after or not may_see(
                subscription.principal, event, team_of=self._teams
            ):
                continue
            try:
                subscription.queue.put_nowait(event)
            except asyncio.QueueFull:
                self._drop(subscription)

    def _drop(self, subscription: Subscription) -> None:
        """Ends a connection with ``RESYNC`` (it fell behind, or the hub stops)."""
        self._subscriptions.discard(subscription)
        subscription.dropped = True
        while not subscription.queue.empty():
            subscription.queue.get_nowait()
        subscription.queue.put_nowait(RESYNC)

    async def _maintain(self) -> None:
        """Now and then: staff teams re-read; events older than ``keep`` deleted."""
        if time.monotonic() - self._teams_read > 60:
            await self._refresh_teams()
        if time.monotonic() - self._pruned > 3600:
            self._pruned = time.monotonic()
            await asyncio.to_thread(self._prune)

    # ------------------------------------------------------------------ database
    def _last_id(self) -> int:
        with self.sessions() as session:
            last = session.scalar(select(ConsoleEvent.id).order_by(ConsoleEvent.id.desc()).limit(1))
            return int(last or 0)

    def _read(self, after: int, upto: int | None, *, limit: int) -> list[LiveEvent]:
        query = select(ConsoleEvent).where(ConsoleEvent.id > after)
        if upto is not None:
            query = query.where(ConsoleEvent.id <= upto)
        with self.sessions() as session:
            return [
                LiveEvent(
                    id=row.id,
                    kind=row.kind,
                    onboarding_id=row.onboarding_id,
                    conversation_id=row.conversation_id,
                    csm_id=row.csm_id,
                    actor=row.actor,
                    data=row.data or {},
                )
                for row in session.scalars(query.order_by(ConsoleEvent.id).limit(limit))
            ]

    async def _teams_for(self, rows: list[LiveEvent]) -> None:
        """Re-reads the teams when an event names a staff member not seen yet (at most every
        few seconds: an id of no one must not cost a query per round)."""
        if time.monotonic() - self._teams_read < 5:
            return
        if any(owner not in self._teams for row in rows for owner in row.owners):
            await self._refresh_teams()

    async def _refresh_teams(self) -> None:
        self._teams_read = time.monotonic()
        self._teams = await asyncio.to_thread(self._read_teams)

    def _read_teams(self) -> dict[int, str]:
        with self.sessions() as session:
            rows = session.execute(select(StaffUser.id, StaffUser.team))
            return {staff_id: team for staff_id, team in rows}

    def _prune(self) -> None:
        cut: datetime = self.clock.now() - self.keep
        with self.sessions() as session, session.begin():
            deleted = prune_console_events(session, before=cut)
        if deleted:
            log.info("console events: %d older than %s deleted", deleted, cut.date())
