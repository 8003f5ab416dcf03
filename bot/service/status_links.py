"""Links to the client's status page: issue, resolve, revoke, and count the client's openings.

A token is ``secrets.token_urlsafe(32)`` (256 random bits, 43 URL-safe characters); only its
SHA-256 is stored, so the URL ``{ONBOARD_PUBLIC_URL}/s/{token}`` carries nothing personal and
the database cannot reopen a page. ``resolve`` answers ``None`` alike for a malformed, unknown,
expired or revoked token and for an erased client's, so the page can answer one 404 for all of
them (no oracle). Asking the bot again issues a new token; older links keep working until they
expire. Every function runs inside the caller's transaction and does not commit.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.storage.models import Client, Conversation, Onboarding, StatusLink

__all__ = [
    "DEFAULT_DAYS",
    "IssuedLink",
    "LinkOpenings",
    "ResolvedLink",
    "SessionStatusLinks",
    "StatusLinkPolicy",
    "hash_token",
    "issue",
    "last_openings",
    "link_url",
    "record_open",
    "resolve",
    "revoke",
    "well_formed",
]

DEFAULT_DAYS = 30
TOKEN_BYTES = 32
# token_urlsafe(32): 43 characters of the URL-safe base64 alphabet, no padding.
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")


@dataclass(frozen=True, slots=True)
class IssuedLink:
    """A new link: the row and the token, which exists only here and in the URL sent."""

    link: StatusLink
    token: str


@dataclass(frozen=True, slots=True)
class ResolvedLink:
    """A live link with what it opens."""

    link: StatusLink
    onboarding: Onboarding
    client: Client
    conversation: Conversation | None


@dataclass(frozen=True, slots=True)
class LinkOpenings:
    """What staff see on the client's record: the live links and the client's last opening."""

    live_links: int
    last_opened_at: datetime | None
    opened_count: int


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def well_formed(token: str) -> bool:
    """The shape ``issue`` makes; anything else is refused before the database is asked."""
    return _TOKEN_SHAPE.fullmatch(token) is not None


def link_url(public_url: str, token: str) -> str:
    return f"{public_url.rstrip('/')}/s/{token}"


def issue(
    session: Session,
    onboarding_id: int,
    *,
    conversation_id: int | None,
    now: datetime,
    days: int = DEFAULT_DAYS,
    issued_by: str = "bot",
    lifetime: timedelta | None = None,
) -> IssuedLink:
    """A new link to the onboarding's page, sent to ``conversation_id``'s contact; it lives
    ``days`` (or ``lifetime``: staff's own look "as the client" lives an hour)."""
    onboarding = session.get(Onboarding, onboarding_id)
    if onboarding is None:
        raise LookupError(f"no onboarding {onboarding_id}")
    token = secrets.token_urlsafe(TOKEN_BYTES)
    link = StatusLink(
        token_hash=hash_token(token),
        onboarding_id=onboarding.id,
        client_id=onboarding.client_id,
        conversation_id=conversation_id,
        issued_by=issued_by,
        created_at=now,
        expires_at=now + (lifetime if lifetime is not None else timedelta(days=days)),
        opened_count=0,
    )
    session.add(link)
    session.flush()
    return IssuedLink(link=link, token=token)


def resolve(session: Session, token: str, *, now: datetime) -> ResolvedLink | None:
    """The live link of ``token`` with its onboarding, client and contact, else ``None``."""
    if not well_formed(token):
        return None
    row = session.execute(
        select(StatusLink, Onboarding, Client)
        .join(Onboarding, Onboarding.id == StatusLink.onboarding_id)
        .join(Client, Client.id == StatusLink.client_id)
        .where(StatusLink.token_hash == hash_token(token))
    ).first()
    if row is None:
        return None
    link, onboarding, client = row
    if (
        link.revoked_at is not None
        or link.expires_at <= now
        or client.erased_at is not None
        or onboarding.client_id != client.id
    ):
        return None
    conversation = (
        session.get(Conversation, link.conversation_id)
        if link.conversation_id is not None
        else None
    )
    if conversation is not None and conversation.client_id != client.id:
        return None
    return ResolvedLink(link=link, onboarding=onboarding, client=client, conversation=conversation)


def record_open(session: Session, link_id: int, *, now: datetime) -> None:
    """The client opened the page (not a link preview): one counter, one timestamp."""
    session.execute(
        update(StatusLink)
        .where(StatusLink.id == link_id)
        .values(opened_count=StatusLink.opened_count + 1, last_opened_at=now)
    )


def revoke(
    session: Session,
    *,
    onboarding_id: int,
    actor: str,
    now: datetime,
    link_id: int | None = None,
) -> int:
    """Revokes one link of the onboarding, or all its live ones; returns how many."""
    statement = (
        update(StatusLink)
        .where(StatusLink.onboarding_id == onboarding_id, StatusLink.revoked_at.is_(None))
        .values(revoked_at=now, revoked_by=actor)
    )
    if link_id is not None:
        statement = statement.where(StatusLink.id == link_id)
    result = session.execute(statement)
    return int(getattr(result, "rowcount", 0) or 0)


def last_openings(session: Session, onboarding_id: int, *, now: datetime) -> LinkOpenings:
    """The client's openings of the page (staff's own "as the client" links do not count)."""
    live, last, count = session.execute(
        select(
            func.count(StatusLink.id).filter(
                StatusLink.revoked_at.is_(None), StatusLink.expires_at > now
            ),
            func.max(StatusLink.last_opened_at).filter(StatusLink.issued_by == "bot"),
            func.coalesce(
                func.sum(StatusLink.opened_count).filter(StatusLink.issued_by == "bot"), 0
            ),
        ).where(StatusLink.onboarding_id == onboarding_id)
    ).one()
    return LinkOpenings(live_links=int(live), last_opened_at=last, opened_count=int(count))


@dataclass(frozen=True, slots=True)
class StatusLinkPolicy:
    """Where links point and how long they live (``ONBOARD_PUBLIC_URL``,
    ``ONBOARD_STATUS_LINK_DAYS``)."""

    public_url: str
    days: int = DEFAULT_DAYS


class SessionStatusLinks:
    """The dialogue's ``StatusLinks`` port for one turn, inside the turn's transaction: each
    offer issues a new link for the conversation's onboarding, sent to this contact."""

    def __init__(
        self,
        session: Session,
        *,
        conversation: Conversation,
        now: datetime,
        policy: StatusLinkPolicy,
    ) -> None:
        self._session = session
        self._conversation = conversation
        self._now = now
        self._policy = policy

    def offer(self) -> str | None:
        """A fresh URL, or None: no onboarding yet, an opted-out contact, an erased client."""
        conversation = self._conversation
        if conversation.onboarding_id is None or conversation.opted_out:
            return None
        onboarding = self._session.get(Onboarding, conversation.onboarding_id)
        if onboarding is None or onboarding.client_id != conversation.client_id:
            return None
        client = self._session.get(Client, onboarding.client_id)
        if client is None or client.erased_at is not None:
            return None
        issued = issue(
            self._session,
            onboarding.id,
            conversation_id=conversation.id,
            now=self._now,
            days=self._policy.days,
        )
        return link_url(self._policy.public_url, issued.token)
