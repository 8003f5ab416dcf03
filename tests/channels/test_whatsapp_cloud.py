"""Meta's WhatsApp Cloud API inbound: the handshake, signatures over the raw bytes and parsing
(``bot.channels.whatsapp_cloud``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.channels.errors import (
    InvalidSignature,
    MalformedWebhook,
)
from bot.channels.whatsapp_cloud import (
    parse_webhook,
    verify_handshake,
    verify_signature,
)
from bot.domain.messages import Channel, MediaRef
from tests.fakes import meta_image_webhook, meta_signature, meta_text_webhook

APP_SECRET = "meta-app-secret-0123456789abcdef"
VERIFY_TOKEN = "acolhe-verify-token"
NOW = datetime(2026, 11, 24, 13, 0, tzinfo=UTC)
PAYLOADS = Path(__file__).resolve().parent.parent / "payloads" / "whatsapp_cloud"

Json = Callable[[str], Any]


# --- handshake and signature -----------------------------------------------------------------


def test_handshake_returns_the_challenge() -> None:
    params = {
        "hub.mode": "subscribe",
        "hub.verify_token": VERIFY_TOKEN,
        "hub.challenge": "1158201444",
    }

    assert verify_handshake(params, VERIFY_TOKEN) == "1158201444"


@pytest.mark.parametrize(
    ("params", "error"),
    [
        (
            {"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"},
            InvalidSignature,
        ),
        ({"hub.mode": "subscribe", "hub.challenge": "1"}, InvalidSignature),
        (
            {"hub.mode": "unsubscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1"},
            MalformedWebhook,
        ),
        ({"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN}, MalformedWebhook),
    ],
)
def test_bad_handshakes(params: dict[str, str], error: type[Exception]) -> None:
    with pytest.raises(error):
        verify_handshake(params, VERIFY_TOKEN)


def test_signature_over_the_raw_bytes() -> None:
    raw = (PAYLOADS / "webhook_text.json").read_bytes()  # accents and an emoji, as Meta sends

    verify_signature(raw, meta_signature(raw, APP_SECRET), APP_SECRET)
    verify_signature(
        raw, meta_signature(raw, APP_SECRET).upper().replace("SHA256=", "sha256="), APP_SECRET
    )


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "sha1=abc",
        meta_signature(b"{}", APP_SECRET),  # signature of another body
        meta_signature((PAYLOADS / "webhook_text.json").read_bytes(), "another-secret"),
    ],
)
def test_forged_or_missing_signatures(header: str | None) -> None:
    raw = (PAYLOADS / "webhook_text.json").read_bytes()

    with pytest.raises(InvalidSignature):
        verify_signature(raw, header, APP_SECRET)


def test_re_serialized_json_does_not_verify() -> None:
    raw = (PAYLOADS / "webhook_text.json").read_bytes()
    reserialized = json.dumps(json.loads(raw)).encode()  # \\u escapes for accents and emoji
    assert reserialized != raw

    with pytest.raises(InvalidSignature):
        verify_signature(reserialized, meta_signature(raw, APP_SECRET), APP_SECRET)


# --- parsing ---------------------------------------------------------------------------------


def test_text_message(payload_json: Json) -> None:
    messages, statuses = parse_webhook(
        payload_json("whatsapp_cloud/webhook_text.json"), received_at=NOW
    )

    (message,) = messages
    assert statuses == []
    assert message.channel is Channel.WHATSAPP_CLOUD
    assert message.address == "+5511987654321"
    assert message.text == "Olá! Quero começar o cadastro 😊"
    assert message.external_id.startswith("wamid.") and message.external_id.endswith("==")
    assert message.profile_name == "Maria Silva"
    assert message.received_at == NOW


def test_image_and_document(payload_json: Json) -> None:
    (image,), _ = parse_webhook(payload_json("whatsapp_cloud/webhook_image.json"), received_at=NOW)
    (document,), _ = parse_webhook(
        payload_json("whatsapp_cloud/webhook_document.json"), received_at=NOW
    )

    assert image.text == "cartão cnpj"
    assert image.media == (
        MediaRef(url="", content_type="image/jpeg", provider_id="1003383421387256"),
    )
    assert document.text == ""
    assert document.media == (
        MediaRef(
            url="",
            content_type="application/pdf",
            provider_id="1240098433795631",
            filename="Contrato Social.pdf",
        ),
    )


@pytest.mark.parametrize(
    ("name", "choice_id", "text"),
    [
        ("webhook_button_reply.json", "confirm_yes", "Sim, está correto"),
        ("webhook_list_reply.json", "slot_2025-11-25T10:00", "Ter 25/11 10:00"),
        ("webhook_template_button.json", "reminder_continue", "Continuar cadastro"),
    ],
)
def test_replies_set_choice_id(payload_json: Json, name: str, choice_id: str, text: str) -> None:
    (message,), _ = parse_webhook(payload_json(f"whatsapp_cloud/{name}"), received_at=NOW)

    assert (message.choice_id, message.text) == (choice_id, text)


def test_reactions_are_skipped(payload_json: Json) -> None:
    assert parse_webhook(payload_json("whatsapp_cloud/webhook_reaction.json"), received_at=NOW) == (
        [],
        [],
    )


def test_statuses(payload_json: Json) -> None:
    messages, (delivered, failed) = parse_webhook(
        payload_json("whatsapp_cloud/webhook_statuses.json"), received_at=NOW
    )

    assert messages == []
    assert delivered.status == "delivered" and delivered.error_code is None
    assert delivered.at == datetime.fromtimestamp(1763800005, tz=UTC)
    assert delivered.provider_message_id.startswith("wamid.")
    assert (failed.status, failed.error_code) == ("failed", "131047")


def test_every_entry_change_message_and_status_is_read(payload_json: Json) -> None:
    messages, statuses = parse_webhook(
        payload_json("whatsapp_cloud/webhook_multi_entry.json"), received_at=NOW
    )

    assert [(m.external_id, m.address, m.profile_name, m.text) for m in messages] == [
        ("wamid.MULTI1", "+5511987654321", "Maria Silva", "primeira"),
        ("wamid.MULTI2", "+5511987654321", "Maria Silva", "segunda"),
        ("wamid.MULTI3", "+5521912345678", "João Souza", "outro cliente"),
    ]
    assert [(s.provider_message_id, s.status) for s in statuses] == [("wamid.SENT1", "read")]


def test_changes_for_another_number_can_be_filtered() -> None:
    data = meta_text_webhook("oi", phone_number_id="999")

    assert parse_webhook(data, received_at=NOW, phone_number_id="106540352242922") == ([], [])
    assert len(parse_webhook(data, received_at=NOW, phone_number_id="999")[0]) == 1


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d.update(object="page"),
        lambda d: d.update(entry={"id": "x"}),
        lambda d: d["entry"][0]["changes"][0]["value"]["messages"][0].pop("id"),
        lambda d: d["entry"][0]["changes"][0]["value"]["messages"][0].pop("from"),
        lambda d: d["entry"][0]["changes"][0]["value"]["messages"][0].update(image="x"),
    ],
)
def test_malformed_webhooks(mutate: Callable[[dict[str, Any]], Any]) -> None:
    data = meta_image_webhook("123")
    mutate(data)

    with pytest.raises(MalformedWebhook):
        parse_webhook(data, received_at=NOW)
