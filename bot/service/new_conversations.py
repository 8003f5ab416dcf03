"""First messages: a new client record, its onboarding in the first stage and the
conversation, for any number of first messages in four statements (plain inserts with
``RETURNING``), the objects attached to the session as if loaded."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Result, Table, insert
from sqlalchemy.orm import Session, make_transient_to_detached

from bot.domain.onboarding import Stage
from bot.storage.models import Client, Conversation, Onboarding, StageChange

__all__ = ["start_conversations"]

_CLIENTS: Table = Client.__table__  # type: ignore[assignment]
_STAGE_HISTORY: Table = StageChange.__table__  # type: ignore[assignment]
_ONBOARDINGS: Table = Onboarding.__table__  # type: ignore[assignment]
_CONVERSATIONS: Table = Conversation.__table__  # type: ignore[assignment]

# Built once; rows come back in the order they were given.
_INSERT_CLIENTS = insert(_CLIENTS).returning(_CLIENTS.c.id, sort_by_parameter_order=True)
_INSERT_ONBOARDINGS = insert(_ONBOARDINGS).returning(*_ONBOARDINGS.c, sort_by_parameter_order=True)
_INSERT_STAGE_HISTORY = insert(_STAGE_HISTORY)
_INSERT_CONVERSATIONS = insert(_CONVERSATIONS).returning(
    *_CONVERSATIONS.c, sort_by_parameter_order=True
)


def start_conversations(
    session: Session, addresses: Sequence[tuple[str, str]], *, now: datetime
) -> list[tuple[Conversation, Onboarding]]:
    """First messages: for each (channel, address), a new client record, its onboarding in the
    first stage (with the stage change) and the conversation, in four statements whatever the
    number. The conversations and onboardings come back as persistent objects of the session
    (built from ``RETURNING``, no query), so the turns' context and effects use them as loaded.
    """
    if not addresses:
        return []
    connection = session.connection()
    client_ids = (
        connection.execute(
            _INSERT_CLIENTS, [{"created_at": now, "updated_at": now} for _ in addresses]
        )
        .scalars()
        .all()
    )
    onboardings = _start_onboardings(session, client_ids, now=now)
    conversations = _persistent(
        session,
        Conversation,
        rows=connection.execute(
            _INSERT_CONVERSATIONS,
            [
                {
                    "channel": channel,
                    "address": address,
                    "state": {},
                    "client_id": onboarding.client_id,
                    "onboarding_id": onboarding.id,
                    "created_at": now,
                    "updated_at": now,
                }
                for (channel, address), onboarding in zip(addresses, onboardings, strict=True)
            ],
        ),
    )
    return list(zip(conversations, onboardings, strict=True))


def _start_onboardings(
    session: Session, client_ids: Sequence[int], *, now: datetime
) -> list[Onboarding]:
    """The clients' onboardings in the first stage, with that stage change (two statements)."""
    connection = session.connection()
    onboardings = _persistent(
        session,
        Onboarding,
        rows=connection.execute(
            _INSERT_ONBOARDINGS,
            [
                {
                    "client_id": client_id,
                    "stage": Stage.CADASTRO.value,
                    "stage_entered_at": now,
                    "created_at": now,
                }
                for client_id in client_ids
            ],
        ),
    )
    connection.execute(
        _INSERT_STAGE_HISTORY,
        [
            {
                "onboarding_id": onboarding.id,
                "from_stage": None,
                "to_stage": Stage.CADASTRO.value,
                "at": now,
                "actor": "bot",
                "reason": "conversation started",
            }
            for onboarding in onboardings
        ],
    )
    return onboardings


_Entity = TypeVar("_Entity", Conversation, Onboarding)


def _persistent(session: Session, entity: type[_Entity], *, rows: Result[Any]) -> list[_Entity]:
    """Objects of ``entity`` from rows of every column, added to the session as if loaded."""
    objects = [entity(**row._mapping) for row in rows]
    for instance in objects:
        make_transient_to_detached(instance)
        session.add(instance)
    return objects
