"""The one webhook handler (``bot.channels.webhooks``) over the three real adapters: what each
route answers, what reaches the inbox and the delivery reports, and what is refused.

The inbox and the delivery reports are hand-written recorders (the handler's ports); the
adapters are the real ones, with signatures computed as the providers compute them.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from bot.channels.telegram import TelegramChannel, TelegramConfig
from bot.channels.twilio_whatsapp import TwilioAdapter, TwilioConfig
from bot.channels.webhooks import MAX_WEBHOOK_BYTES, WebhookHandler, webhook_router
from bot.channels.whatsapp_cloud import CloudAdapter, CloudConfig
from bot.domain.channels import ChannelAdapter, DeliveryStatus, WebhookRequest
from bot.domain.clock import FakeClock
from bot.domain.messages import Channel, InboundMessage
from tests.fakes.signing import meta_signature, twilio_signed_form
from tests.fakes.webhooks import (
    meta_status_webhook,
    meta_text_webhook,
    telegram_callback_update,
    telegram_text_update,
    twilio_inbound_form,
    twilio_status_form,
)

PUBLIC_URL = "https://acolhe.example.com.br"
NOW = datetime(2026, 11, 24, 13, 0, tzinfo=UTC)
TWILIO = TwilioConfig(
    account_sid="AC" + "1" * 32,
    auth_token="twilio-token",
    from_number="+5511900000000",
    api_url="http://127.0.0.1:9",
)
CLOUD = CloudConfig(
    token="graph-token",
    phone_number_id="106540352242922",
    app_secret="app-secret",
    verify_token="verify-me",
    api_url="http://127.0.0.1:9",
)
TELEGRAM = TelegramConfig(token="1:x", secret_token="telegram-secret", api_url="http://127.0.0.1:9")


class RecordingInbox:
    def __init__(self) -> None:
        self.received: list[InboundMessage] = []

    async def receive(self, message: InboundMessage) -> None:
        self.received.append(message)


class RecordingReports:
    def __init__(self) -> None:
        self.recorded: list[DeliveryStatus] = []

    def record(self, statuses: Iterable[DeliveryStatus]) -> None:
        self.recorded.extend(statuses)


class Client:
    """Requests to the app in-process (``httpx.ASGITransport``), each in its own event loop."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        async def send() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://internal") as http:
                return await http.request(method, path, **kwargs)

        return asyncio.run(send())

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", path, **kwargs)


class Served:
    def __init__(self, *adapters: ChannelAdapter) -> None:
        self.inbox = RecordingInbox()
        self.reports = RecordingReports()
        handler = WebhookHandler(
            adapters={adapter.name: adapter for adapter in adapters},
            inbox=self.inbox,
            deliveries=self.reports,
            clock=FakeClock(NOW),
            public_url=PUBLIC_URL,
        )
        app = FastAPI()
        app.include_router(webhook_router(handler))
        self.http = Client(app)

    def twilio(self, form: dict[str, str], *, path: str = "/webhooks/twilio") -> httpx.Response:
        signed, signature = twilio_signed_form(f"{PUBLIC_URL}{path}", form, TWILIO.auth_token)
        return self.http.post(path, data=signed, headers={"X-Twilio-Signature": signature})

    def meta(self, payload: dict[str, Any], *, secret: str = CLOUD.app_secret) -> httpx.Response:
        raw = json.dumps(payload, ensure_ascii=False).encode()
        headers = {"X-Hub-Signature-256": meta_signature(raw, secret)}
        return self.http.post("/webhooks/whatsapp", content=raw, headers=headers)


@pytest.fixture
def served() -> Iterator[Served]:
    yield Served(TwilioAdapter(TWILIO), CloudAdapter(CLOUD), TelegramChannel.from_config(TELEGRAM))


def _inbound_form(body: str = "oi") -> dict[str, str]:
    return twilio_inbound_form(
        account_sid=TWILIO.account_sid,
        from_number="+5511987654321",
        to_number=TWILIO.from_number,
        body=body,
    )


def test_the_three_adapters_have_one_shape() -> None:
    adapters: list[ChannelAdapter] = [
        TwilioAdapter(TWILIO),
        CloudAdapter(CLOUD),
        TelegramChannel.from_config(TELEGRAM),
    ]
    assert [(a.name, a.channel) for a in adapters] == [
        ("twilio_whatsapp", Channel.TWILIO_WHATSAPP),
        ("whatsapp_cloud", Channel.WHATSAPP_CLOUD),
        ("telegram", Channel.TELEGRAM),
    ]
    assert [a.form_encoded for a in adapters] == [True, False, False]


def test_a_twilio_message_reaches_the_inbox_and_gets_empty_twiml(served: Served) -> None:
    response = served.twilio(_inbound_form("bom dia"))

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/xml")
    assert "<Response></Response>" in response.text
    [message] = served.inbox.received
    assert (message.channel, message.address, message.text) == (
        Channel.TWILIO_WHATSAPP,
        "+5511987654321",
        "bom dia",
    )
    assert message.received_at == NOW


def test_a_twilio_status_callback_is_recorded_with_204(served: Served) -> None:
    form = twilio_status_form(
        account_sid=TWILIO.account_sid,
        message_sid="SM" + "a" * 32,
        status="delivered",
        to_number="+5511987654321",
        from_number=TWILIO.from_number,
    )

    response = served.twilio(form, path="/webhooks/twilio/status")

    assert response.status_code == 204
    assert [(s.provider_message_id, s.status) for s in served.reports.recorded] == [
        ("SM" + "a" * 32, "delivered")
    ]
    assert served.inbox.received == []


def test_a_forged_twilio_signature_is_403_and_nothing_is_received(served: Served) -> None:
    signed, _ = twilio_signed_form(f"{PUBLIC_URL}/webhooks/twilio", _inbound_form(), "other")
    forged = served.http.post(
        "/webhooks/twilio", data=signed, headers={"X-Twilio-Signature": "bm9wZQ=="}
    )
    missing = served.http.post("/webhooks/twilio", data=signed)

    assert (forged.status_code, missing.status_code) == (403, 403)
    assert forged.json() == {"title": "invalid signature", "status": 403}
    assert served.inbox.received == []


def test_a_signed_twilio_form_without_a_sender_is_400(served: Served) -> None:
    form = _inbound_form()
    del form["From"]

    response = served.twilio(form)

    assert response.status_code == 400
    assert "From" in response.json()["title"]


def test_an_oversized_form_is_413_before_its_signature_is_checked(served: Served) -> None:
    response = served.http.post(
        "/webhooks/twilio",
        content=b"Body=" + b"x" * MAX_WEBHOOK_BYTES,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )

    assert response.status_code == 413


def test_meta_handshake_answers_the_challenge_as_plain_text(served: Served) -> None:
    query = {"hub.mode": "subscribe", "hub.verify_token": "verify-me", "hub.challenge": "42"}

    answer = served.http.get("/webhooks/whatsapp", params=query)
    wrong = served.http.get("/webhooks/whatsapp", params={**query, "hub.verify_token": "no"})
    not_subscribe = served.http.get("/webhooks/whatsapp", params={**query, "hub.mode": "x"})
    no_challenge = served.http.get(
        "/webhooks/whatsapp", params={k: v for k, v in query.items() if k != "hub.challenge"}
    )

    assert (answer.status_code, answer.text) == (200, "42")
    assert answer.headers["content-type"].startswith("text/plain")
    assert [wrong.status_code, not_subscribe.status_code, no_challenge.status_code] == [
        403,
        400,
        400,
    ]


def test_a_meta_delivery_carries_messages_and_statuses(served: Served) -> None:
    payload = meta_text_webhook("oi")
    payload["entry"] += meta_status_webhook("wamid.X", "read")["entry"]

    response = served.meta(payload)

    assert (response.status_code, response.text) == (200, "")
    assert [m.text for m in served.inbox.received] == ["oi"]
    assert [(s.provider_message_id, s.status) for s in served.reports.recorded] == [
        ("wamid.X", "read")
    ]


def test_meta_refusals(served: Served) -> None:
    forged = served.meta(meta_text_webhook("oi"), secret="forged")
    raw = b"not json"
    unreadable = served.http.post(
        "/webhooks/whatsapp",
        content=raw,
        headers={"X-Hub-Signature-256": meta_signature(raw, CLOUD.app_secret)},
    )

    assert (forged.status_code, unreadable.status_code) == (403, 400)
    assert unreadable.json()["title"].startswith("body is not JSON")
    assert served.inbox.received == []


def test_telegram_needs_its_secret_and_hands_the_update_on(served: Served) -> None:
    update = telegram_text_update("olá", chat_id=123456789)

    wrong = served.http.post(
        "/webhooks/telegram", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "no"}
    )
    right = served.http.post(
        "/webhooks/telegram",
        json=update,
        headers={"X-Telegram-Bot-Api-Secret-Token": TELEGRAM.secret_token},
    )

    assert (wrong.status_code, right.status_code) == (403, 200)
    [message] = served.inbox.received
    assert (message.channel, message.address, message.text) == (
        Channel.TELEGRAM,
        "123456789",
        "olá",
    )


def test_a_telegram_button_tap_is_a_receipt_to_acknowledge() -> None:
    channel = TelegramChannel.from_config(TELEGRAM)
    update = telegram_callback_update("yes")
    request = _request(json.dumps(update).encode())

    webhook = channel.parse(request, received_at=NOW)

    assert [m.choice_id for m in webhook.messages] == ["yes"]
    assert webhook.receipts == (update["callback_query"]["id"],)


@pytest.mark.parametrize(
    ("method", "path", "title"),
    [
        ("POST", "/webhooks/twilio", "Twilio channel is not configured"),
        ("POST", "/webhooks/twilio/status", "Twilio channel is not configured"),
        ("POST", "/webhooks/telegram", "Telegram channel is not configured"),
        ("GET", "/webhooks/whatsapp", "WhatsApp Cloud channel is not configured"),
        ("POST", "/webhooks/whatsapp", "WhatsApp Cloud channel is not configured"),
    ],
)
def test_a_channel_without_credentials_answers_404(method: str, path: str, title: str) -> None:
    response = Served().http.request(method, path)

    assert response.status_code == 404
    assert response.json() == {"title": title, "status": 404}


def test_a_wrong_method_is_405_naming_the_allowed_ones(served: Served) -> None:
    response = served.http.get("/webhooks/twilio")

    assert response.status_code == 405
    assert response.headers["allow"] == "POST"


def _request(body: bytes) -> WebhookRequest:
    return WebhookRequest(
        method="POST",
        path="",
        url=f"{PUBLIC_URL}/webhooks/telegram",
        headers={},
        query={},
        body=body,
    )
