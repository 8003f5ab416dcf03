"""Telegram and Meta's WhatsApp Cloud API, end to end through our server and local fakes."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from bot.app import create_app
from bot.bootstrap import build_runtime
from bot.config import Settings
from bot.domain.clock import SystemClock
from bot.storage.models import Client, Conversation, Message, Onboarding
from tests.fakes.graph import FakeGraph
from tests.fakes.signing import meta_signature
from tests.fakes.telegram import FakeTelegram
from tests.fakes.webhooks import (
    DEFAULT_CHAT_ID,
    meta_button_webhook,
    meta_status_webhook,
    meta_text_webhook,
    telegram_callback_update,
    telegram_text_update,
)
from tests.support.scripted_nlu import ScriptedInterpreter
from tests.support.server import serving
from tests.support.waiting import eventually

pytestmark = pytest.mark.e2e

SECRET = "telegram-webhook-secret_123"
APP_SECRET = "meta-app-secret"
VERIFY = "meta-verify-token"

REGISTRATION = [
    "Maria da Silva",
    "1",
    "11.222.333/0001-81",
    "Padaria Pão Quente",
    "45",
    "maria@paoquente.com.br",
    "11987654321",
    "1",
    "1",
    "1",
    "01310-100",
    "Av. Paulista, Bela Vista, São Paulo/SP",
    "1000",
    "não",
]


@pytest.fixture
def stack(
    database_url: str, tmp_path: Path
) -> Iterator[tuple[httpx.Client, FakeTelegram, FakeGraph, Settings]]:
    with FakeTelegram() as telegram, FakeGraph() as graph:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            environment="test",
            database_url=database_url,
            telegram_bot_token=telegram.token,  # type: ignore[arg-type]
            telegram_secret_token=SECRET,  # type: ignore[arg-type]
            telegram_api_url=telegram.url,
            whatsapp_token=graph.token,  # type: ignore[arg-type]
            whatsapp_phone_number_id=graph.phone_number_id,
            whatsapp_app_secret=APP_SECRET,  # type: ignore[arg-type]
            whatsapp_verify_token=VERIFY,  # type: ignore[arg-type]
            whatsapp_api_url=graph.url,
            nlu_cache_dir=tmp_path / "nlu",
            documents_dir=tmp_path / "docs",
            brasilapi_url="",
            outbox_retry_base_s=0.05,
        )
        runtime = build_runtime(
            settings, clock=SystemClock(), interpreter=ScriptedInterpreter(), migrate=False
        )
        with serving(create_app(runtime)) as base, httpx.Client(base_url=base, timeout=15) as http:
            yield http, telegram, graph, settings


def _telegram(
    http: httpx.Client, update: dict[str, object], secret: str | None = SECRET
) -> httpx.Response:
    headers = {} if secret is None else {"X-Telegram-Bot-Api-Secret-Token": secret}
    return http.post("/webhooks/telegram", json=update, headers=headers)


def _meta(
    http: httpx.Client, payload: dict[str, object], secret: str = APP_SECRET
) -> httpx.Response:
    raw = json.dumps(payload, ensure_ascii=False).encode()
    return http.post(
        "/webhooks/whatsapp",
        content=raw,
        headers={
            "Content-Type": "application/json",
            "X-Hub-Signature-256": meta_signature(raw, secret),
        },
    )


def _stored(settings: Settings, channel: str) -> tuple[Client, Onboarding]:
    runtime = build_runtime(settings, interpreter=ScriptedInterpreter(), migrate=False)
    try:
        with runtime.sessions() as session:
            conversation = session.scalars(
                select(Conversation).where(Conversation.channel == channel)
            ).one()
            client = session.get_one(Client, conversation.client_id)
            onboarding = session.get_one(Onboarding, conversation.onboarding_id)
            return client, onboarding
    finally:
        runtime.close()


def test_full_registration_over_telegram_with_buttons(stack) -> None:  # type: ignore[no-untyped-def]
    http, telegram, _graph, settings = stack
    assert _telegram(http, telegram_text_update("/start")).status_code == 200
    first = telegram.wait_for(1)[0]
    assert first["chat_id"] == DEFAULT_CHAT_ID
    keyboard = first["reply_markup"]["inline_keyboard"]
    assert [row[0]["callback_data"] for row in keyboard] == ["yes", "no"]
    assert _telegram(http, telegram_callback_update("yes")).status_code == 200
    telegram.wait_for(2)
    assert telegram.calls_to("answerCallbackQuery")
    for n, answer in enumerate(REGISTRATION, start=3):
        assert _telegram(http, telegram_text_update(answer)).status_code == 200
        telegram.wait_for(n)
    _telegram(http, telegram_callback_update("__ok__"))
    done = eventually(
        lambda: [m for m in telegram.sent if "Cadastro confirmado" in m.get("text", "")]
    )
    assert done
    client, onboarding = _stored(settings, "telegram")
    assert client.cnpj == "11222333000181" and onboarding.stage == "documentos"


def test_telegram_secret_is_checked_and_duplicates_answered_once(stack) -> None:  # type: ignore[no-untyped-def]
    http, telegram, _graph, _settings = stack
    update = telegram_text_update("oi", update_id=555_000_001)
    assert _telegram(http, update, secret="wrong").status_code == 403
    assert _telegram(http, update, secret=None).status_code == 403
    assert _telegram(http, {"no": "update id"}).status_code == 400
    assert _telegram(http, update).status_code == 200
    assert _telegram(http, update).status_code == 200
    telegram.wait_for(1)
    time.sleep(0.3)  # a second reply, if any, would have been sent by now
    assert len(telegram.sent) == 1


def test_full_registration_over_the_whatsapp_cloud_api(stack) -> None:  # type: ignore[no-untyped-def]
    http, _telegram_fake, graph, settings = stack
    challenge = http.get(
        "/webhooks/whatsapp",
        params={"hub.mode": "subscribe", "hub.verify_token": VERIFY, "hub.challenge": "1158201444"},
    )
    assert challenge.status_code == 200 and challenge.text == "1158201444"
    wrong = http.get(
        "/webhooks/whatsapp",
        params={"hub.mode": "subscribe", "hub.verify_token": "nope", "hub.challenge": "1"},
    )
    assert wrong.status_code == 403

    assert _meta(http, meta_text_webhook("oi")).status_code == 200
    first = graph.wait_for(1)[0]
    assert first["type"] == "interactive" and first["to"] == "5511987654321"
    assert _meta(http, meta_button_webhook("yes", "Concordo")).status_code == 200
    graph.wait_for(2)
    for n, answer in enumerate(REGISTRATION, start=3):
        assert _meta(http, meta_text_webhook(answer)).status_code == 200
        graph.wait_for(n)
    _meta(http, meta_button_webhook("__ok__", "Está tudo certo"))
    eventually(
        lambda: [
            m for m in graph.sent if "Cadastro confirmado" in json.dumps(m, ensure_ascii=False)
        ]
    )
    client, onboarding = _stored(settings, "whatsapp_cloud")
    assert client.company_name == "Padaria Pão Quente" and onboarding.stage == "documentos"

    runtime = build_runtime(settings, interpreter=ScriptedInterpreter(), migrate=False)
    try:
        with runtime.sessions() as session:
            first_reply = session.scalars(
                select(Message).where(Message.direction == "out").order_by(Message.id)
            ).first()
            assert first_reply is not None and first_reply.channel_message_id
            wamid = first_reply.channel_message_id
        assert _meta(http, meta_status_webhook(wamid, "read")).status_code == 200
        with runtime.sessions() as session:
            assert session.get_one(Message, first_reply.id).status == "read"
    finally:
        runtime.close()


def test_meta_forged_signature_stores_nothing(stack) -> None:  # type: ignore[no-untyped-def]
    http, _telegram_fake, graph, settings = stack
    assert _meta(http, meta_text_webhook("oi"), secret="forged").status_code == 403
    raw = b'{"object": "whatsapp_business_account", "entry": "x"}'
    bad = http.post(
        "/webhooks/whatsapp",
        content=raw,
        headers={
            "Content-Type": "application/json",
            "X-Hub-Signature-256": meta_signature(raw, APP_SECRET),
        },
    )
    assert bad.status_code == 400
    runtime = build_runtime(settings, interpreter=ScriptedInterpreter(), migrate=False)
    with runtime.sessions() as session:
        assert session.scalars(select(Message)).all() == []
    runtime.close()
    assert graph.sent == []


def test_telegram_polling_mode_without_a_webhook(database_url: str, tmp_path: Path) -> None:
    with FakeTelegram() as telegram:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            database_url=database_url,
            telegram_bot_token=telegram.token,  # type: ignore[arg-type]
            telegram_secret_token=SECRET,  # type: ignore[arg-type]
            telegram_api_url=telegram.url,
            nlu_cache_dir=tmp_path / "nlu",
            brasilapi_url="",
        )
        runtime = build_runtime(
            settings, clock=SystemClock(), interpreter=ScriptedInterpreter(), migrate=False
        )
        with serving(create_app(runtime, telegram_polling=True)):
            telegram.push_update(telegram_text_update("oi"))
            reply = telegram.wait_for(1, timeout=10)[0]
            assert "Você concorda" in reply["text"]
            assert telegram.calls_to("deleteWebhook")
