"""The client's status page from the API: a fresh URL to open it "as the client" (audited),
revoking every live link, and when the client last opened it. Scope as the client record's."""

from __future__ import annotations

from enum import Enum

from fastapi import APIRouter, status

from backoffice.api.deps import ClientId, ContextDep, CurrentStaff, SessionDep
from backoffice.problems import CONFLICT_RESPONSE
from backoffice.schemas.status_links import (
    StatusLinkOpened,
    StatusLinksRevoked,
    StatusPagePublic,
)
from backoffice.status_links import open_as_client, revoke_links, status_page_record

__all__ = ["register"]

TAGS: list[str | Enum] = ["clients"]


def create_status_link(
    client_id: ClientId, session: SessionDep, *, principal: CurrentStaff, context: ContextDep
) -> StatusLinkOpened:
    opened = open_as_client(
        session,
        principal,
        client_id=client_id,
        now=context.now(),
        public_url=context.settings.public_url,
    )
    session.commit()
    return StatusLinkOpened(
        url=opened.url,
        link_id=opened.link_id,
        onboarding_id=opened.onboarding_id,
        expires_at=opened.expires_at,
    )


def revoke_status_links(
    client_id: ClientId, session: SessionDep, *, principal: CurrentStaff, context: ContextDep
) -> StatusLinksRevoked:
    count = revoke_links(session, principal, client_id=client_id, now=context.now())
    session.commit()
    return StatusLinksRevoked(revoked=count)


def get_status_page(
    client_id: ClientId, session: SessionDep, *, principal: CurrentStaff, context: ContextDep
) -> StatusPagePublic:
    record = status_page_record(session, principal, client_id=client_id, now=context.now())
    openings = record.openings
    return StatusPagePublic(
        onboarding_id=record.onboarding_id,
        live_links=openings.live_links if openings else 0,
        last_opened_at=openings.last_opened_at if openings else None,
        opened_count=openings.opened_count if openings else 0,
    )


def register(router: APIRouter) -> None:
    """Adds this resource's routes to ``router``."""
    router.add_api_route(
        "/clients/{client_id}/status-link",
        create_status_link,
        methods=["POST"],
        tags=TAGS,
        response_model=StatusLinkOpened,
        status_code=status.HTTP_201_CREATED,
        responses=CONFLICT_RESPONSE,
        summary="A fresh link to the client's status page, to open it as the client (audited)",
    )
    router.add_api_route(
        "/clients/{client_id}/status-links",
        revoke_status_links,
        methods=["DELETE"],
        tags=TAGS,
        response_model=StatusLinksRevoked,
        summary="Revoke every live link to the client's status page (audited)",
    )
    router.add_api_route(
        "/clients/{client_id}/status-page",
        get_status_page,
        methods=["GET"],
        tags=TAGS,
        response_model=StatusPagePublic,
        summary="When the client last opened the status page",
    )
