"""Tables of the staff console: sign-in sessions, password resets and the live event log.

They live on the same ``Base`` as ``bot.storage.models``; importing this module registers them.
The staff's password hash and lock-out counters are columns of ``staff_users``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models import Base
from bot.storage.personal_data import not_personal, not_the_clients

_TOKEN = "a token's SHA-256"


class StaffSession(Base):
    """A signed-in browser: the cookie holds the token, the row its SHA-256."""

    __tablename__ = "staff_sessions"
    __table_args__ = {"info": not_the_clients("staff members' browser sessions")}

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, info=not_personal(_TOKEN))
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"), index=True)
    # The synchronizer token every form and htmx request of this session must carry.
    csrf_token: Mapped[str] = mapped_column(String(64), info=not_personal("a random token"))
    language: Mapped[str] = mapped_column(
        String(5), default="pt_BR", info=not_personal("a locale code")
    )
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class PasswordReset(Base):
    """A one-time link that lets a staff member choose a password."""

    __tablename__ = "password_resets"
    __table_args__ = {"info": not_the_clients("staff members' password links")}

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, info=not_personal(_TOKEN))
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"), index=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


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
