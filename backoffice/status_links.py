"""What staff do with a client's status page links: open the page "as the client" (a fresh,
short-lived link of their own, audited), revoke every live link, and see when the client last
opened the page. Scope rules are the back-office's: a client outside the caller's scope is a
404/403 as everywhere else (``backoffice.access.load_client``).

A staff link is scoped like the client's (the client's current onboarding, its latest contact,
so the page shows the same language and chat link) but lives ``STAFF_LINK_LIFETIME`` and is
issued by ``staff:<id>``, so its openings never count as the client's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from backoffice.access import Principal, load_client, onboarding_scope
from backoffice.audit import record_audit
from backoffice.errors import Conflict
from bot.service.status_links import LinkOpenings, issue, last_openings, link_url, revoke
from bot.storage.models import Client, Conversation, Onboarding

__all__ = [
    "STAFF_LINK_LIFETIME",
    "StaffLink",
    "StatusPageRecord",
    "open_as_client",
    "revoke_links",
    "status_page_record",
]

STAFF_LINK_LIFETIME = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class StaffLink:
    url: str
    path: str  # /s/<token>, for a browser on this very site
    link_id: int
    onboarding_id: int
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class StatusPageRecord:
    """The status page as the client record shows it."""

    onboarding_id: int | None
    openings: LinkOpenings | None


def _current_onboarding(session: Session, principal: Principal, *, client: Client) -> Onboarding:
    onboarding = session.scalar(
        select(Onboarding)
        .where(Onboarding.client_id == client.id, onboarding_scope(principal))
        .order_by(Onboarding.created_at.desc(), Onboarding.id.desc())
        .limit(1)
    )
    if onboarding is None:
        raise Conflict(f"client {client.id} has no onboarding to show")
    return onboarding


def open_as_client(
    session: Session,
    principal: Principal,
    *,
    client_id: int,
    now: datetime,
    public_url: str,
) -> StaffLink:
    """A new link of ``principal``'s to the client's page, audited (``status_page_opened``)."""
    client = load_client(session, principal, client_id=client_id)
    if client.erased_at is not None:
        raise Conflict(f"client {client.id} was erased: there is no page to open")
    onboarding = _current_onboarding(session, principal, client=client)
    conversation_id = session.scalar(
        select(Conversation.id)
        .where(Conversation.client_id == client.id)
        .order_by(Conversation.updated_at.desc(), Conversation.id.desc())
        .limit(1)
    )
    issued = issue(
        session,
        onboarding.id,
        conversation_id=conversation_id,
        now=now,
        issued_by=principal.actor,
        lifetime=STAFF_LINK_LIFETIME,
    )
    record_audit(
        session,
        actor=principal.actor,
        action="status_page_opened",
        at=now,
        client_id=client.id,
        field="status_link",
        new=issued.link.id,
    )
    return StaffLink(
        url=link_url(public_url, issued.token),
        path=f"/s/{issued.token}",
        link_id=issued.link.id,
        onboarding_id=onboarding.id,
        expires_at=issued.link.expires_at,
    )


def revoke_links(session: Session, principal: Principal, *, client_id: int, now: datetime) -> int:
    """Revokes every live link of the client's onboardings in scope; audited with the count."""
    client = load_client(session, principal, client_id=client_id)
    onboardings = session.scalars(
        select(Onboarding.id).where(Onboarding.client_id == client.id, onboarding_scope(principal))
    ).all()
    count = sum(
        revoke(session, onboarding_id=onboarding_id, actor=principal.actor, now=now)
        for onboarding_id in onboardings
    )
    record_audit(
        session,
        actor=principal.actor,
        action="status_links_revoked",
        at=now,
        client_id=client.id,
        field="status_link",
        new=count,
    )
    return count


def status_page_record(
    session: Session, principal: Principal, *, client_id: int, now: datetime
) -> StatusPageRecord:
    """When the client last opened the page, how often, how many links are live."""
    client = load_client(session, principal, client_id=client_id)
    onboarding = session.scalar(
        select(Onboarding.id)
        .where(Onboarding.client_id == client.id, onboarding_scope(principal))
        .order_by(Onboarding.created_at.desc(), Onboarding.id.desc())
        .limit(1)
    )
    if onboarding is None:
        return StatusPageRecord(onboarding_id=None, openings=None)
    return StatusPageRecord(
        onboarding_id=onboarding, openings=last_openings(session, onboarding, now=now)
    )
