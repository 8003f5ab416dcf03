"""Staff sign-in for the console: argon2 passwords, lock-out, browser sessions, password links.

The bearer tokens of ``backoffice.access`` stay for integrations; this module is the human
door. Only hashes are stored: the password's (argon2id), the session cookie's and the link's
(SHA-256). Nothing here knows HTTP: the console's routes and the CLI call these functions.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from backoffice.access import Principal
from backoffice.errors import Invalid
from bot.storage.models import PasswordReset, StaffSession, StaffUser
from bot.storage.seed import hash_token

__all__ = [
    "AuthPolicy",
    "SignInRefused",
    "check_csrf",
    "close_session",
    "create_reset_link",
    "find_reset_link",
    "find_session",
    "open_session",
    "principal_of",
    "set_password",
    "sign_in",
    "use_reset_link",
]

_HASHER = PasswordHasher()  # argon2id with the library's current recommended parameters
# Verified when the e-mail is unknown, so both answers take the same time.
_DUMMY_HASH = _HASHER.hash("not a password of anyone")
MIN_PASSWORD = 10


@dataclass(frozen=True, slots=True)
class AuthPolicy:
    """How long sessions last and when repeated failures lock an account."""

    idle: timedelta = timedelta(hours=8)  # signed out after this long without a request
    absolute: timedelta = timedelta(days=7)  # and after this long in any case
    max_failures: int = 5
    lock_for: timedelta = timedelta(minutes=15)
    reset_valid: timedelta = timedelta(hours=24)
    touch_every: timedelta = timedelta(minutes=1)  # last_seen_at written at most this often


class SignInRefused(Exception):
    """Sign-in did not succeed; ``locked`` tells a lock-out from a wrong e-mail or password."""

    def __init__(self, *, locked: bool = False) -> None:
        super().__init__("locked" if locked else "wrong e-mail or password")
        self.locked = locked


def set_password(session: Session, staff: StaffUser, *, password: str, now: datetime) -> None:
    """Stores ``password``'s argon2 hash; clears a lock-out and signs out every session."""
    if len(password) < MIN_PASSWORD:
        raise Invalid(f"a password needs at least {MIN_PASSWORD} characters")
    staff.password_hash = _HASHER.hash(password)
    staff.failed_logins = 0
    staff.locked_until = None
    session.execute(
        update(StaffSession)
        .where(StaffSession.staff_id == staff.id, StaffSession.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def sign_in(
    session: Session, email: str, *, password: str, now: datetime, policy: AuthPolicy
) -> StaffUser:
    """The active staff member with this e-mail and password, or ``SignInRefused``.

    Every failure counts; ``max_failures`` in a row lock the account for ``lock_for`` (a locked
    account is refused even with the right password, and the counter starts again after)."""
    staff = session.scalar(
        select(StaffUser).where(func.lower(StaffUser.email) == email.strip().lower())
    )
    if staff is None or not staff.active or staff.password_hash is None:
        _verify(_DUMMY_HASH, password)
        raise SignInRefused()
    if staff.locked_until is not None and staff.locked_until > now:
        raise SignInRefused(locked=True)
    if not _verify(staff.password_hash, password):
        staff.failed_logins += 1
        if staff.failed_logins >= policy.max_failures:
            staff.locked_until = now + policy.lock_for
            staff.failed_logins = 0
        raise SignInRefused(locked=staff.locked_until is not None and staff.locked_until > now)
    staff.failed_logins = 0
    staff.locked_until = None
    if _HASHER.check_needs_rehash(staff.password_hash):
        staff.password_hash = _HASHER.hash(password)
    return staff


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def open_session(
    session: Session, staff: StaffUser, *, now: datetime, policy: AuthPolicy, language: str
) -> str:
    """A new browser session for ``staff``; returns the cookie's token (stored only hashed)."""
    token = secrets.token_urlsafe(32)
    session.add(
        StaffSession(
            token_hash=hash_token(token),
            staff_id=staff.id,
            csrf_token=secrets.token_urlsafe(32),
            language=language,
            created_at=now,
            last_seen_at=now,
            expires_at=now + policy.absolute,
        )
    )
    return token


def find_session(
    session: Session, token: str | None, *, now: datetime, policy: AuthPolicy
) -> tuple[StaffSession, StaffUser] | None:
    """The live session of this cookie and its owner; None when unknown, revoked, expired,
    idle too long, or its owner is inactive. Refreshes ``last_seen_at`` (at most every
    ``touch_every``)."""
    if not token:
        return None
    row = session.execute(
        select(StaffSession, StaffUser)
        .join(StaffUser, StaffUser.id == StaffSession.staff_id)
        .where(StaffSession.token_hash == hash_token(token), StaffSession.revoked_at.is_(None))
    ).one_or_none()
    if row is None:
        return None
    staff_session, staff = row[0], row[1]
    if (
        not staff.active
        or staff_session.expires_at <= now
        or staff_session.last_seen_at + policy.idle <= now
    ):
        return None
    if now - staff_session.last_seen_at >= policy.touch_every:
        staff_session.last_seen_at = now
    return staff_session, staff


def close_session(session: Session, staff_session: StaffSession, *, now: datetime) -> None:
    staff_session.revoked_at = now


def check_csrf(staff_session_token: str, sent: str | None) -> bool:
    """Whether the request carried this session's CSRF token (constant-time comparison)."""
    return bool(sent) and hmac.compare_digest(staff_session_token, sent or "")


def principal_of(staff: StaffUser) -> Principal:
    return Principal(
        id=staff.id, name=staff.name, role=staff.role, team=staff.team, segment=staff.segment
    )


def create_reset_link(
    session: Session, staff: StaffUser, *, now: datetime, policy: AuthPolicy
) -> str:
    """A one-time token to choose a password (``/console/reset/<token>``)."""
    token = secrets.token_urlsafe(32)
    session.add(
        PasswordReset(
            token_hash=hash_token(token),
            staff_id=staff.id,
            created_at=now,
            expires_at=now + policy.reset_valid,
        )
    )
    return token


def find_reset_link(session: Session, token: str, *, now: datetime) -> PasswordReset | None:
    reset = session.scalar(
        select(PasswordReset).where(PasswordReset.token_hash == hash_token(token))
    )
    if reset is None or reset.used_at is not None or reset.expires_at <= now:
        return None
    return reset


def use_reset_link(session: Session, token: str, *, password: str, now: datetime) -> StaffUser:
    """Sets the password of the link's owner and spends the link; ``Invalid`` when the link
    is unknown, used or expired, or the password too short."""
    reset = find_reset_link(session, token, now=now)
    if reset is None:
        raise Invalid("this link is unknown, was used already or has expired")
    staff = session.get_one(StaffUser, reset.staff_id)
    set_password(session, staff, password=password, now=now)
    reset.used_at = now
    return staff
