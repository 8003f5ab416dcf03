"""The push channels' webhooks: ONE handler for Twilio, Meta and Telegram.

Every request takes the same steps through its channel's adapter (``ChannelAdapter``): read
the request, ``verify`` it, ``parse`` it, acknowledge what must be acknowledged at once (a
Telegram button tap), hand the messages to the inbox, record the delivery statuses, answer.
A forged or missing signature gets 403 and stores nothing; an authentic but unreadable request
gets 400; a channel that is not configured 404; a duplicate delivery gets 200 and no second
reply.

The routes are plain Starlette routes, one per path with all its methods (so a 405 names them
all in ``Allow``): they take the request and read their headers themselves, which skips
FastAPI's per-request parameter solving (a measurable share of a message's CPU, see
bench/webhooks) and keeps them out of the OpenAPI document, which is for the back-office API.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any, Protocol
from urllib.parse import parse_qsl

import anyio.to_thread
from fastapi import APIRouter, Request, Response

from bot.domain.channels import (
    ChannelAdapter,
    ChannelError,
    DeliveryStatus,
    InvalidSignature,
    MalformedWebhook,
    WebhookRequest,
)
from bot.domain.clock import Clock
from bot.domain.messages import Channel, InboundMessage

__all__ = [
    "MAX_WEBHOOK_BYTES",
    "ROUTES",
    "FormFields",
    "MessageReceiver",
    "StatusRecorder",
    "WebhookHandler",
    "webhook_router",
]

log = logging.getLogger(__name__)

MAX_WEBHOOK_BYTES = 1_000_000

ROUTES: tuple[tuple[str, Channel, str, tuple[str, ...]], ...] = (
    # (path under /webhooks, channel, sub-path the adapter is told, methods)
    ("/twilio", Channel.TWILIO_WHATSAPP, "", ("POST",)),
    ("/twilio/status", Channel.TWILIO_WHATSAPP, "/status", ("POST",)),
    ("/telegram", Channel.TELEGRAM, "", ("POST",)),
    ("/whatsapp", Channel.WHATSAPP_CLOUD, "", ("GET", "POST")),
)
_NOT_CONFIGURED = {
    Channel.TWILIO_WHATSAPP: "Twilio channel is not configured",
    Channel.TELEGRAM: "Telegram channel is not configured",
    Channel.WHATSAPP_CLOUD: "WhatsApp Cloud channel is not configured",
}


class FormFields(dict[str, str]):
    """A posted form: each field's last value, and all of a repeated field's values through
    ``getall`` — what twilio's ``RequestValidator`` signs. (Given a plain dict, the validator
    raised and caught two ``AttributeError`` per field, twice per request.)"""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        super().__init__(pairs)
        self._values: dict[str, list[str]] = {}
        for key, value in pairs:
            self._values.setdefault(key, []).append(value)

    def getall(self, key: str) -> list[str]:
        return self._values.get(key, [])


class MessageReceiver(Protocol):
    """Where inbound messages go: the inbox (``bot.service.inbox.Inbox``)."""

    async def receive(self, message: InboundMessage) -> Any: ...


class StatusRecorder(Protocol):
    """Where delivery statuses go: ``bot.service.deliveries.DeliveryReports`` (called in a
    worker thread: it writes to the database)."""

    def record(self, statuses: Iterable[DeliveryStatus]) -> None: ...


class _Refused(Exception):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def _problem(status: int, detail: str) -> Response:
    return Response(
        content=json.dumps({"title": detail, "status": status}),
        status_code=status,
        media_type="application/problem+json",
    )


async def _form(request: Request) -> FormFields:
    """The posted form's fields, empty values kept.

    Providers post ``application/x-www-form-urlencoded``, read here with ``parse_qsl``, which
    costs a fraction of Starlette's streaming form parser; anything else goes through it.
    """
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith("application/x-www-form-urlencoded"):
        form = await request.form()
        return FormFields([(key, str(value)) for key, value in form.multi_items()])
    body = await request.body()
    if len(body) > MAX_WEBHOOK_BYTES:
        raise _Refused(413, "request body too large")
    try:
        pairs = parse_qsl(
            body.decode("latin-1"), keep_blank_values=True, encoding="utf-8", max_num_fields=1000
        )
    except ValueError as exc:
        raise MalformedWebhook(f"unreadable form: {exc}") from exc
    return FormFields(pairs)


class WebhookHandler:
    """Serves every provider's webhook through its adapter (see the module's docstring)."""

    def __init__(
        self,
        *,
        adapters: Mapping[str, ChannelAdapter],
        inbox: MessageReceiver,
        deliveries: StatusRecorder,
        clock: Clock,
        public_url: str,
    ) -> None:
        self.adapters = adapters
        self.inbox = inbox
        self.deliveries = deliveries
        self.clock = clock
        self.public_url = public_url

    async def handle(self, request: Request, *, channel: Channel, path: str) -> Response:
        """The answer to one webhook request: the adapter's, or a problem (403, 400, 404, 413)."""
        try:
            return await self._handle(request, channel=channel, path=path)
        except _Refused as refused:
            return _problem(refused.status, refused.detail)
        except InvalidSignature as exc:
            log.warning("webhook refused: %s", exc)
            return _problem(403, "invalid signature")
        except MalformedWebhook as exc:
            return _problem(400, str(exc))

    async def _handle(self, request: Request, *, channel: Channel, path: str) -> Response:
        adapter = self.adapters.get(channel.value)
        if adapter is None:
            raise _Refused(404, _NOT_CONFIGURED[channel])
        incoming = await self._read(request, adapter=adapter, path=path)
        if not adapter.verify(incoming):
            raise InvalidSignature(f"{request.url.path}: signature or secret does not match")
        webhook = adapter.parse(incoming, received_at=self.clock.now())
        for receipt in webhook.receipts:
            try:
                await adapter.acknowledge(receipt)
            except ChannelError:
                log.warning("could not acknowledge %s to %s", receipt, adapter.name, exc_info=True)
        for message in webhook.messages:
            await self.inbox.receive(message)
        if webhook.statuses:
            await anyio.to_thread.run_sync(self.deliveries.record, webhook.statuses)
        answer = webhook.answer
        return Response(answer.body, status_code=answer.status, media_type=answer.media_type)

    async def _read(
        self, request: Request, *, adapter: ChannelAdapter, path: str
    ) -> WebhookRequest:
        """The request as adapters read it; the URL the provider called is rebuilt from
        ONBOARD_PUBLIC_URL (we may sit behind a proxy)."""
        query = request.url.query
        url = f"{self.public_url}{request.url.path}" + (f"?{query}" if query else "")
        form = await _form(request) if adapter.form_encoded else FormFields([])
        body = b"" if adapter.form_encoded else await request.body()
        return WebhookRequest(
            method=request.method,
            path=path,
            url=url,
            headers=request.headers,
            query=request.query_params,
            body=body,
            form=form,
        )


Endpoint = Callable[[Request], Awaitable[Response]]


def webhook_router(handler: WebhookHandler) -> APIRouter:
    """``/webhooks/{twilio,twilio/status,telegram,whatsapp}``, each served by ``handler``."""
    router = APIRouter(prefix="/webhooks", tags=["webhooks"])
    for suffix, channel, path, methods in ROUTES:
        endpoint = _endpoint(handler, channel=channel, path=path)
        _add_route(router, f"{router.prefix}{suffix}", endpoint=endpoint, methods=methods)
    return router


def _endpoint(handler: WebhookHandler, *, channel: Channel, path: str) -> Endpoint:
    async def endpoint(request: Request) -> Response:
        return await handler.handle(request, channel=channel, path=path)

    return endpoint


def _add_route(
    router: APIRouter, path: str, *, endpoint: Endpoint, methods: tuple[str, ...]
) -> None:
    """One route for the path and all its methods (HEAD too where GET is served)."""

    async def matched(request: Request) -> Response:
        request.scope["route"] = route  # the metrics' route label, as FastAPI's have
        return await endpoint(request)

    router.add_route(path, matched, methods=list(methods), include_in_schema=False)
    route = router.routes[-1]
