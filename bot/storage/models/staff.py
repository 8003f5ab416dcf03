"""Staff accounts and how they sign in: users, API tokens, console sessions and password links.

Nothing here is a client's: every table says so (``not_the_clients``), so the LGPD export and
erasure never touch it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.base import Base
from bot.storage.personal_data import not_personal, not_the_clients

__all__ = ["ApiToken", "PasswordReset", "StaffSession", "StaffUser"]

STAFF = "a staff member's, kept with their account; not a client's"
_TOKEN = "a token's SHA-256"


class StaffUser(Base):
    __tablename__ = "staff_users"
    __table_args__ = {"info": not_the_clients("staff accounts")}

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), info=not_personal(STAFF))
    email: Mapped[str] = mapped_column(String(254), unique=True, info=not_personal(STAFF))
    # admin | manager | csm
    role: Mapped[str] = mapped_column(String(16), info=not_personal("a role word"))
    team: Mapped[str] = mapped_column(String(60), default="default", info=not_personal(STAFF))
    segment: Mapped[str | None] = mapped_column(String(20), info=not_personal("a segment word"))
    max_open_escalations: Mapped[int] = mapped_column(Integer, default=10)
    telegram_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]
    # The console's sign-in (argon2id; None: no password yet, sign-in refused).
    password_hash: Mapped[str | None] = mapped_column(
        String(200), info=not_personal("an argon2 hash")
    )
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None]


class ApiToken(Base):
    __tablename__ = "api_tokens"
    __table_args__ = {"info": not_the_clients("staff members' API tokens")}

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    token_hash: Mapped[str] = mapped_column(
        String(64), unique=True, info=not_personal("a token's SHA-256")
    )
    label: Mapped[str] = mapped_column(String(80), default="", info=not_personal(STAFF))
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


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
