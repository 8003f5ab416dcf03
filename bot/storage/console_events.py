"""The console's live-update log: rows of ``console_events`` written in the transaction of the
change they signal, read by the console's event hub (``backoffice.console.live``).

A row holds ids, codes and stage words only, never a client's words or values (the console
fetches what changed through its scoped queries). ``csm_id`` is the onboarding's CSM when the
row is written (None: unassigned): the hub decides who may see the event from it, so callers
that do not give it get it looked up from the onboarding (or from the conversation's).

* ``record_console_event``: one row;
* ``record_console_events``: many rows in one ``INSERT`` (the turns' hot path);
* ``on_events_committed(sessions, callback)``: calls ``callback()`` after each commit that wrote
  rows, so the writer can wake the readers (this process's hub, other processes through Redis)
  without the service layer knowing who they are;
* ``prune_console_events``: deletes rows older than a cut-off.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from sqlalchemy import CursorResult, Table, delete, event, insert, select
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.util import identity_key

from bot.storage.models import ConsoleEvent, Conversation, Onboarding

__all__ = [
    "EVENT_KINDS",
    "EventRow",
    "on_events_committed",
    "prune_console_events",
    "record_console_event",
    "record_console_events",
]

# Every kind written (the SSE event names; backoffice/console/live.py documents each).
EVENT_KINDS: Final = frozenset(
    {
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
        "alert_raised",
        "agreement_changed",
    }
)

EVENTS: Table = ConsoleEvent.__table__  # type: ignore[assignment]
_INSERT = insert(EVENTS)
_WRITTEN = "console_events_written"  # session.info flag: this transaction wrote rows


class _Unset:
    """``csm_id`` not given: looked up from the onboarding."""


UNSET: Final = _Unset()


@dataclass(frozen=True, slots=True)
class EventRow:
    """One event to write; ``csm_id`` and ``onboarding_id`` are looked up when not given."""

    kind: str
    onboarding_id: int | None = None
    conversation_id: int | None = None
    actor: str = "system"
    data: Mapping[str, Any] = field(default_factory=dict)
    csm_id: int | None | _Unset = UNSET


def record_console_event(
    session: Session,
    *,
    kind: str,
    at: datetime,
    onboarding_id: int | None = None,
    conversation_id: int | None = None,
    actor: str = "system",
    data: Mapping[str, Any] | None = None,
    csm_id: int | None | _Unset = UNSET,
) -> None:
    """Writes one event in the session's transaction (see the module's text)."""
    record_console_events(
        session,
        [
            EventRow(
                kind=kind,
                onboarding_id=onboarding_id,
                conversation_id=conversation_id,
                actor=actor,
                data=data or {},
                csm_id=csm_id,
            )
        ],
        at=at,
    )


def record_console_events(session: Session, rows: Sequence[EventRow], *, at: datetime) -> None:
    """Writes ``rows`` with one ``INSERT`` on the session's connection, in its transaction.

    A conversation's onboarding and an onboarding's CSM are read from the session when it holds
    them (the turns' path: no query), else with one query each for all rows. Nothing pending in
    the session is flushed for it.
    """
    if not rows:
        return
    for row in rows:
        if row.kind not in EVENT_KINDS:
            raise ValueError(f"unknown console event kind {row.kind!r}")
    with session.no_autoflush:
        onboarding_of = _onboardings_of(
            session,
            {r.conversation_id for r in rows if r.onboarding_id is None and r.conversation_id},
        )
        onboarding_ids = [
            r.onboarding_id or onboarding_of.get(r.conversation_id or 0) for r in rows
        ]
        csm_of = _csms_of(
            session,
            {
                oid
                for oid, r in zip(onboarding_ids, rows, strict=True)
                if oid is not None and isinstance(r.csm_id, _Unset)
            },
        )
    values = [
        {
            "at": at,
            "kind": row.kind,
            "onboarding_id": oid,
            "conversation_id": row.conversation_id,
            "csm_id": (csm_of.get(oid) if oid is not None else None)
            if isinstance(row.csm_id, _Unset)
            else row.csm_id,
            "actor": row.actor,
            "data": dict(row.data),
        }
        for oid, row in zip(onboarding_ids, rows, strict=True)
    ]
    session.connection().execute(_INSERT, values)
    session.info[_WRITTEN] = True


def _onboardings_of(session: Session, conversation_ids: set[int | None]) -> dict[int, int | None]:
    found: dict[int, int | None] = {}
    missing: list[int] = []
    for cid in conversation_ids:
        if cid is None:
            continue
        held = session.identity_map.get(identity_key(Conversation, cid))
        if isinstance(held, Conversation):
            found[cid] = held.onboarding_id
        else:
            missing.append(cid)
    if missing:
        rows = session.execute(
            select(Conversation.id, Conversation.onboarding_id).where(Conversation.id.in_(missing))
        )
        found.update({cid: oid for cid, oid in rows})
    return found


def _csms_of(session: Session, onboarding_ids: set[int]) -> dict[int, int | None]:
    found: dict[int, int | None] = {}
    missing: list[int] = []
    for oid in onboarding_ids:
        held = session.identity_map.get(identity_key(Onboarding, oid))
        if isinstance(held, Onboarding):
            found[oid] = held.csm_id
        else:
            missing.append(oid)
    if missing:
        rows = session.execute(
            select(Onboarding.id, Onboarding.csm_id).where(Onboarding.id.in_(missing))
        )
        found.update({oid: csm_id for oid, csm_id in rows})
    return found


def on_events_committed(
    sessions: sessionmaker[Session], callback: Callable[[], None]
) -> Callable[[], None]:
    """Calls ``callback()`` after every commit of a ``sessions`` session that wrote events
    (in the committing thread: the callback must be thread-safe and quick). Returns the
    function that removes the hook."""

    def after_commit(session: Session) -> None:
        if session.info.pop(_WRITTEN, False):
            callback()

    def after_rollback(session: Session) -> None:
        session.info.pop(_WRITTEN, None)

    event.listen(sessions, "after_commit", after_commit)
    event.listen(sessions, "after_rollback", after_rollback)

    def remove() -> None:
        event.remove(sessions, "after_commit", after_commit)
        event.remove(sessions, "after_rollback", after_rollback)

    return remove


def prune_console_events(session: Session, *, before: datetime) -> int:
    """Deletes the events written before ``before``; returns how many (the caller commits)."""
    result = session.execute(delete(ConsoleEvent).where(ConsoleEvent.at < before))
    assert isinstance(result, CursorResult)
    return int(result.rowcount or 0)
