"""Webhook routes of the push channels: verify, normalize, hand to the inbox, answer fast.

A forged or missing signature gets 403 and stores nothing; an authentic but unreadable request
gets 400; a duplicate delivery gets 200 and no second reply.

The providers' routes are plain Starlette routes, one per path with all its methods (so a 405
names them all in ``Allow``): they take the request and read their header themselves, which
skips FastAPI's per-request parameter solving (a measurable share of a message's CPU, see
bench/webhooks) and keeps them out of the OpenAPI document, which is for the back-office API.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl

import anyio.to_thread
from fastapi import APIRouter, Request, Response
from fastapi.responses import PlainTextResponse
from sqlalchemy.orm import Session, sessionmaker

from bot.channels import twilio_whatsapp, whatsapp_cloud
from bot.channels.errors import ChannelError, InvalidSignature, MalformedWebhook
from bot.channels.gateway import ChannelGateway
from bot.channels.ports import DeliveryStatus
from bot.domain.clock import Clock
from bot.service.inbox import Inbox
from bot.workers.outbox import record_delivery_status

log = logging.getLogger(__name__)

_EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
MAX_WEBHOOK_BYTES = 1_000_000


def _problem(status: int, detail: str) -> Response:
    return Response(
        content=json.dumps({"title": detail, "status": status}),
        status_code=status,
        media_type="application/problem+json",
    )


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise MalformedWebhook(f"body is not JSON: {exc}") from exc


def _public_url(base: str, request: Request) -> str:
    """The URL the provider called, rebuilt from ONBOARD_PUBLIC_URL (we may sit behind a proxy)."""
    query = request.url.query
    return f"{base}{request.url.path}" + (f"?{query}" if query else "")


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


class _Refused(Exception):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def _refusals(
    route: Callable[..., Awaitable[Response]],
) -> Callable[..., Awaitable[Response]]:
    """Turns the channel's refusals into problem responses: 403 signature, 400 unreadable."""

    @functools.wraps(route)
    async def guarded(*args: Any, **kwargs: Any) -> Response:
        try:
            return await route(*args, **kwargs)
        except _Refused as refused:
            return _problem(refused.status, refused.detail)
        except InvalidSignature as exc:
            log.warning("webhook refused: %s", exc)
            return _problem(403, "invalid signature")
        except MalformedWebhook as exc:
            return _problem(400, str(exc))

    return guarded


Endpoint = Callable[[Request], Awaitable[Response]]


def _add_route(router: APIRouter, path: str, by_method: dict[str, Endpoint]) -> None:
    """One route for the path, serving each of its methods (and HEAD where GET is served)."""

    async def matched(request: Request) -> Response:
        request.scope["route"] = route  # the metrics' route label, as FastAPI's have
        endpoint = by_method.get(request.method) or by_method["GET"]  # only HEAD falls back
        return await endpoint(request)

    router.add_route(path, matched, methods=list(by_method), include_in_schema=False)
    route = router.routes[-1]


def webhook_router(
    *,
    public_url: str,
    gateway: ChannelGateway,
    inbox: Inbox,
    sessions: sessionmaker[Session],
    clock: Clock,
) -> APIRouter:
    router = APIRouter(prefix="/webhooks", tags=["webhooks"])
    endpoints: dict[str, dict[str, Endpoint]] = {}

    def serve(method: str, path: str) -> Callable[[Endpoint], Endpoint]:
        def register(endpoint: Endpoint) -> Endpoint:
            endpoints.setdefault(path, {})[method] = _refusals(endpoint)
            return endpoint

        return register

    def post(path: str) -> Callable[[Endpoint], Endpoint]:
        return serve("POST", path)

    def record_statuses(statuses: list[DeliveryStatus]) -> None:
        for status in statuses:
            record_delivery_status(
                sessions,
                provider_message_id=status.provider_message_id,
                status=status.status,
                error_code=status.error_code,
                now=clock.now(),
            )

    async def twilio_form(request: Request) -> tuple[FormFields, str, str]:
        """The posted form, the public URL Twilio signed, and the auth token to check it."""
        if gateway.twilio is None:
            raise _Refused(404, "Twilio channel is not configured")
        return await _form(request), _public_url(public_url, request), gateway.twilio.auth_token

    @post("/twilio")
    async def twilio_inbound(request: Request) -> Response:
        """Twilio Messaging webhook for WhatsApp (form-encoded)."""
        form, url, token = await twilio_form(request)
        inbound = twilio_whatsapp.parse_inbound(
            form=form,
            url=url,
            signature=request.headers.get("x-twilio-signature"),
            auth_token=token,
            received_at=clock.now(),
        )
        await inbox.receive(inbound)
        return Response(content=_EMPTY_TWIML, media_type="text/xml")

    @post("/twilio/status")
    async def twilio_status(request: Request) -> Response:
        """Twilio delivery status callbacks; statuses only move forward."""
        form, url, token = await twilio_form(request)
        status = twilio_whatsapp.parse_status(
            form=form,
            url=url,
            signature=request.headers.get("x-twilio-signature"),
            auth_token=token,
        )
        await anyio.to_thread.run_sync(record_statuses, [status])
        return Response(status_code=204)

    @post("/telegram")
    async def telegram_update(request: Request) -> Response:
        """Telegram Bot API updates; the secret token header must match."""
        channel = gateway.telegram_channel
        if channel is None:
            raise _Refused(404, "Telegram channel is not configured")
        channel.check_secret(request.headers.get("x-telegram-bot-api-secret-token"))
        data: Any = _json(await request.body())
        inbound = channel.parse_update(data, received_at=clock.now())
        if inbound is not None:
            if inbound.choice_id:
                try:
                    await channel.answer_callback(data)
                except ChannelError:
                    log.warning("could not answer a Telegram callback query", exc_info=True)
            await inbox.receive(inbound)
        return Response(status_code=200)

    @serve("GET", "/whatsapp")
    async def whatsapp_verify(request: Request) -> Response:
        """Meta's verification handshake: answers hub.challenge as plain text."""
        if gateway.cloud is None:
            raise _Refused(404, "WhatsApp Cloud channel is not configured")
        challenge = whatsapp_cloud.verify_handshake(
            dict(request.query_params), gateway.cloud.verify_token
        )
        return PlainTextResponse(challenge)

    @post("/whatsapp")
    async def whatsapp_inbound(request: Request) -> Response:
        """Meta WhatsApp Cloud API webhook: messages and statuses, all entries read."""
        config = gateway.cloud
        if config is None:
            raise _Refused(404, "WhatsApp Cloud channel is not configured")
        raw = await request.body()
        whatsapp_cloud.verify_signature(
            raw, request.headers.get("x-hub-signature-256"), config.app_secret
        )
        messages, statuses = whatsapp_cloud.parse_webhook(
            _json(raw), received_at=clock.now(), phone_number_id=config.phone_number_id
        )
        for inbound in messages:
            await inbox.receive(inbound)
        await anyio.to_thread.run_sync(record_statuses, statuses)
        return Response(status_code=200)

    for path, by_method in endpoints.items():
        _add_route(router, f"{router.prefix}{path}", by_method)
    return router
