"""The web faces' contexts: the back-office API's, the staff console's, the client's status
page's, and the web chat's use cases."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from backoffice.api.deps import BackofficeContext
from backoffice.client_page import TEMPLATES_DIR as CLIENT_PAGE_TEMPLATES
from backoffice.client_page import ChatLinks, ClientPageContext, load_page_translations
from backoffice.client_page.documents import required_from_flows
from backoffice.console import ConsoleContext, EventFeed, Views, load_translations
from backoffice.staff_auth import AuthPolicy
from bot.bootstrap.policies import status_page_secret
from bot.bootstrap.runtime import Runtime, load_all_flows
from bot.config import Settings
from bot.coordination import RateLimiter
from bot.service.inbox import Inbox
from bot.service.web_chat import WebChat
from flows import Flow

__all__ = ["build_backoffice", "build_client_page", "build_console"]


def build_backoffice(runtime: Runtime, *, outbox_wake: asyncio.Event | None) -> BackofficeContext:
    """What the back-office's routes (API and console) share, from the runtime's pipelines,
    calendar and document store."""
    return BackofficeContext(
        sessions=runtime.sessions,
        clock=runtime.clock,
        conversations=runtime.conversations,
        settings=runtime.office,
        pipelines=runtime.pipelines,
        calendar=runtime.office.calendar(),
        outbox_wake=outbox_wake,
        documents=runtime.documents,
    )


def build_console(
    settings: Settings, backoffice: BackofficeContext, *, feed: EventFeed | None = None
) -> ConsoleContext:
    """The staff console's context: its templates in both languages, the sign-in policy, the
    live updates' hub (``feed``)."""
    return ConsoleContext(
        backoffice=backoffice,
        views=Views(load_translations(), timezone=settings.timezone),
        policy=AuthPolicy(
            idle=timedelta(minutes=settings.console_idle_minutes),
            max_failures=settings.console_max_failures,
            lock_for=timedelta(minutes=settings.console_lock_minutes),
        ),
        secure_cookies=settings.public_url.startswith("https://"),
        public_url=settings.public_url,
        feed=feed,
        whatsapp_templates=frozenset(settings.whatsapp_templates()),
    )


def build_client_page(
    settings: Settings,
    backoffice: BackofficeContext,
    *,
    rate_limiter: RateLimiter | None = None,
    inbox: Inbox | None = None,
    web_chat: WebChat | None = None,
    flows: dict[str, Flow] | None = None,
) -> ClientPageContext:
    """The client's status page (``/s/{token}``): its templates, secret, limits and links."""
    number = (settings.twilio_whatsapp_number or "").removeprefix("whatsapp:")
    return ClientPageContext(
        backoffice=backoffice,
        views=Views(
            load_page_translations(), timezone=settings.timezone, directory=CLIENT_PAGE_TEMPLATES
        ),
        public_url=settings.public_url,
        link_days=settings.status_link_days,
        csrf_secret=status_page_secret(settings),
        timezone=settings.timezone,
        chat_links=ChatLinks(
            whatsapp_number=number or None, telegram_username=settings.telegram_bot_username
        ),
        rate_limiter=rate_limiter,
        inbox=inbox,
        web_chat=web_chat,
        required_documents=required_from_flows(
            flows if flows is not None else load_all_flows(settings.flows_dir)
        ),
    )
