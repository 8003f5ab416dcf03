"""Dependencies of the status page's routes: the token resolved to a ``LinkAccess`` (or the one
404 page), the rate limits, and the CSRF check of every POST under ``/s/{token}/``.

One answer for every bad token: malformed, unknown, expired, revoked, an erased client's —
``PageNotFound``, rendered as the same page with the same status, so a caller learns nothing
about which it was. Rate limits (per client IP, per token) run before the database is asked.

CSRF: the page has no session and no cookie, so the form carries an HMAC of the link's id with
the server's secret (``csrf_token(access)``); ``require_csrf`` checks it and that the request
comes from a page of this site (``Origin``, else ``Referer``: the public URL's origin or the
request's own host). A POST without either header is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar
from urllib.parse import urlsplit

from fastapi import Depends, Path, Request
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.responses import Response

from backoffice.api.deps import ContextRoute, SessionDep
from backoffice.client_page.context import ClientPageContext
from backoffice.client_page.headers import secure
from bot.coordination import CoordinationError
from bot.service.status_links import resolve
from bot.storage.models import Client, Conversation, Onboarding, StatusLink

__all__ = [
    "CSRF_FIELD",
    "AccessDep",
    "CheckedAccessDep",
    "ClientPageDep",
    "FormRefused",
    "LinkAccess",
    "PageNotFound",
    "TooManyRequests",
    "client_page_route_class",
    "csrf_token",
    "get_client_page",
    "get_link_access",
    "is_link_preview",
    "require_csrf",
    "sign_link",
]

log = logging.getLogger(__name__)

CSRF_FIELD = "csrf"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Fetchers that open links to show a preview (chat apps, social sites, search engines): their
# GET must change nothing, not even the "last opened" the CSM sees.
PREVIEW_AGENTS = (
    "whatsapp",
    "facebookexternalhit",
    "facebookcatalog",
    "telegrambot",
    "slackbot",
    "slack-imgproxy",
    "twitterbot",
    "discordbot",
    "googlebot",
    "bingbot",
    "linkedinbot",
    "skypeuripreview",
    "applebot",
    "embedly",
    "pinterest",
    "redditbot",
    "yandexbot",
    "duckduckbot",
    "curl",
    "wget",
    "python-requests",
    "python-httpx",
    "go-http-client",
    "preview",
    "bot/",
    "spider",
    "crawler",
)


class PageNotFound(Exception):
    """Any token that opens nothing: one page, one status, whatever the reason."""


class TooManyRequests(Exception):
    """A client IP or a token asked too often; ``retry_after`` in seconds."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"retry after {retry_after:.0f} s")
        self.retry_after = retry_after


class FormRefused(Exception):
    """A POST without this page's CSRF token, or from another site."""


class ClientPageRoute(ContextRoute):
    """A route of the page: its context on the class, the security headers on every answer."""

    page: ClassVar[ClientPageContext | None] = None

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def secured(request: Request) -> Response:
            return secure(await handler(request))

        return secured


def client_page_route_class(page: ClientPageContext) -> type[ClientPageRoute]:
    return type(
        "ClientPageRouteBound", (ClientPageRoute,), {"context": page.backoffice, "page": page}
    )


def get_client_page(request: Request) -> ClientPageContext:
    page = getattr(request.scope.get("route"), "page", None)
    if not isinstance(page, ClientPageContext):
        raise RuntimeError("status page route without its context (create_client_page_router?)")
    return page


ClientPageDep = Annotated[ClientPageContext, Depends(get_client_page)]


@dataclass(frozen=True, slots=True)
class LinkAccess:
    """One request's live link with what it opens, in the client's language."""

    token: str  # only for this request's own URLs (forms post back to /s/{token}/...)
    link: StatusLink
    onboarding: Onboarding
    client: Client
    conversation: Conversation | None  # the contact the link was sent to
    language: str  # pt_BR | en (the conversation's)
    csrf: str

    @property
    def base_path(self) -> str:
        return f"/s/{self.token}"


def sign_link(secret: bytes, link_id: int) -> str:
    return hmac.new(secret, f"status-page:{link_id}".encode(), hashlib.sha256).hexdigest()


def csrf_token(access: LinkAccess) -> str:
    """The value of the page's hidden ``csrf`` field for this link."""
    return access.csrf


async def rate_limit(request: Request, token: str, *, page: ClientPageContext) -> None:
    """Per client IP and per token; a broken limiter lets reads through (they are harmless)."""
    limiter = page.rate_limiter
    if limiter is None:
        return
    limits = page.limits
    host = request.client.host if request.client else "unknown"
    keyed = hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()[:32]
    try:
        wait = await limiter.acquire(
            f"status-page:ip:{host}", rate_per_s=limits.per_ip_per_s, burst=limits.per_ip_burst
        )
        if not wait:
            wait = await limiter.acquire(
                f"status-page:token:{keyed}",
                rate_per_s=limits.per_token_per_s,
                burst=limits.per_token_burst,
            )
    except CoordinationError:
        log.warning("status page: rate limiter unavailable; request let through", exc_info=True)
        return
    if wait:
        raise TooManyRequests(wait)


def _language(session: Session, conversation: Conversation | None, *, client_id: int) -> str:
    language = conversation.language if conversation is not None else None
    if language is None:
        language = session.scalar(
            select(Conversation.language)
            .where(Conversation.client_id == client_id)
            .order_by(Conversation.updated_at.desc(), Conversation.id.desc())
            .limit(1)
        )
    return "en" if language == "en" else "pt_BR"


async def _limited(
    request: Request, page: ClientPageDep, *, token: Annotated[str, Path(max_length=200)]
) -> str:
    await rate_limit(request, token, page=page)
    return token


def get_link_access(
    request: Request,
    session: SessionDep,
    *,
    page: ClientPageDep,
    token: Annotated[str, Depends(_limited)],
) -> LinkAccess:
    """The live link of the path's token, or ``PageNotFound`` (one answer for every reason)."""
    resolved = resolve(session, token, now=page.backoffice.now())
    if resolved is None:
        session.rollback()
        raise PageNotFound()
    access = LinkAccess(
        token=token,
        link=resolved.link,
        onboarding=resolved.onboarding,
        client=resolved.client,
        conversation=resolved.conversation,
        language=_language(session, resolved.conversation, client_id=resolved.client.id),
        csrf=sign_link(page.csrf_secret, resolved.link.id),
    )
    request.state.language = access.language
    return access


AccessDep = Annotated[LinkAccess, Depends(get_link_access)]


def _origin_of(url: str) -> tuple[str, str] | None:
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return None
    return parts.scheme.lower(), parts.netloc.lower()


def same_origin(request: Request, public_url: str) -> bool:
    """The request comes from a page of this site: its ``Origin`` (else ``Referer``) is the
    public URL's origin, or names the host the request was sent to."""
    sent = request.headers.get("origin") or request.headers.get("referer")
    if not sent or sent == "null":
        return False
    origin = _origin_of(sent)
    if origin is None:
        return False
    if origin == _origin_of(public_url):
        return True
    host = request.headers.get("host", "").lower()
    return bool(host) and origin[1] == host


async def require_csrf(request: Request, access: AccessDep, *, page: ClientPageDep) -> LinkAccess:
    """The access of a POST that carries this link's CSRF token and comes from this site."""
    if request.method in SAFE_METHODS:
        return access
    if not same_origin(request, page.public_url):
        raise FormRefused("cross-site request")
    sent: str | None = request.headers.get("X-CSRF-Token")
    if sent is None:
        form = await request.form()  # Starlette caches it: the route reads the same form
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if sent is None or not hmac.compare_digest(sent.encode(), access.csrf.encode()):
        raise FormRefused("missing or wrong CSRF token")
    return access


CheckedAccessDep = Annotated[LinkAccess, Depends(require_csrf)]


def is_link_preview(request: Request) -> bool:
    """A fetch to show a preview or to prefetch, not a person opening the page."""
    purpose = (request.headers.get("sec-purpose") or request.headers.get("purpose") or "").lower()
    if "prefetch" in purpose or "prerender" in purpose:
        return True
    if request.headers.get("x-purpose", "").lower() in ("preview", "prefetch"):
        return True
    agent = request.headers.get("user-agent", "").lower()
    return not agent or any(marker in agent for marker in PREVIEW_AGENTS)
