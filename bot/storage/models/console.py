"""The console's live event log: ids and codes of what changed, replayed on reconnection."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.base import Base
from bot.storage.personal_data import not_personal, not_the_clients

__all__ = ["ConsoleEvent"]


class ConsoleEvent(Base):
    """Something the console shows live happened (a client wrote, an escalation opened, a CSM
    took over, a card moved). Written in the same transaction as the change; its id is the
    server-sent event's id, so a browser that reconnects with ``Last-Event-ID`` is replayed
    what it missed. Ids and codes only — never a client's words or values: the page fetches
    what changed through the same scoped queries as everything else."""

    __tablename__ = "console_events"
    __table_args__ = (
        Index("ix_console_events_at", "at"),
        {"info": not_the_clients("live-update signals: ids and codes, no client values")},
    )

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"),  # SQLite's rowid alias is INTEGER
        primary_key=True,
        autoincrement=True,
    )
    at: Mapped[datetime]
    # message_in | message_out | message_status | escalation_opened | escalation_taken |
    # escalation_resolved | takeover | released | assigned | stage_changed | note_added | ...
    kind: Mapped[str] = mapped_column(String(40), info=not_personal("an event word"))
    onboarding_id: Mapped[int | None] = mapped_column(index=False)
    conversation_id: Mapped[int | None]
    # The onboarding's CSM when the event was written (None: unassigned): who may see it.
    csm_id: Mapped[int | None]
    # Who caused it: staff:<id> | client | bot | system.
    actor: Mapped[str] = mapped_column(
        String(60), default="system", info=not_personal("who, by role and id")
    )
    data: Mapped[dict[str, Any]] = mapped_column(
        JSON, default=dict, info=not_personal("ids, codes and stage words only")
    )
