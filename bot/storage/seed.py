"""Demo data for trying Acolhe: one admin, one manager and one CSM with fresh API tokens and
console passwords (both new on every run; the users are kept)."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.storage.models import ApiToken, StaffUser

__all__ = [
    "DEMO_STAFF",
    "demo_password",
    "hash_token",
    "issue_token",
    "seed_demo_passwords",
    "seed_demo_staff",
]

DEMO_STAFF: tuple[tuple[str, str, str], ...] = (
    ("Ana Admin", "admin@acolhe.demo", "admin"),
    ("Marcos Gestor", "gestor@acolhe.demo", "manager"),
    ("Carla CSM", "csm@acolhe.demo", "csm"),
)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(session: Session, staff: StaffUser, *, label: str, now: datetime) -> str:
    """Creates a bearer token; only its hash is stored, so it is shown once."""
    token = "acolhe_" + secrets.token_urlsafe(32)
    session.add(
        ApiToken(staff_id=staff.id, token_hash=hash_token(token), label=label, created_at=now)
    )
    return token


def seed_demo_staff(sessions: sessionmaker[Session]) -> dict[str, tuple[str, str]]:
    """Idempotent for users; issues a new token for each on every call.

    Returns email → (role, token)."""
    now = datetime.now(UTC)
    tokens: dict[str, tuple[str, str]] = {}
    with sessions() as session, session.begin():
        for name, email, role in DEMO_STAFF:
            staff = session.scalar(select(StaffUser).where(StaffUser.email == email))
            if staff is None:
                staff = StaffUser(name=name, email=email, role=role, created_at=now)
                session.add(staff)
                session.flush()
            tokens[email] = (role, issue_token(session, staff, label="seed-demo", now=now))
    return tokens


_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/l/I


def demo_password() -> str:
    """A strong random password (20 letters and digits, about 116 bits), easy to copy."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(20))


def seed_demo_passwords(
    sessions: sessionmaker[Session],
    set_password: Callable[[Session, StaffUser, str], None],
) -> dict[str, tuple[str, str]]:
    """Gives every demo staff member a new random console password through ``set_password``
    (the console's hashing, ``backoffice.staff_auth``: storage does not know how passwords are
    kept). Returns email → (role, password); run ``seed_demo_staff`` first."""
    passwords: dict[str, tuple[str, str]] = {}
    with sessions() as session, session.begin():
        for _name, email, role in DEMO_STAFF:
            staff = session.scalars(select(StaffUser).where(StaffUser.email == email)).one()
            password = demo_password()
            set_password(session, staff, password)
            passwords[email] = (role, password)
    return passwords
