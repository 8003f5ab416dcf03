"""Every recorded payload parses, and the fakes answer in the recorded shapes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.channels.telegram import TelegramChannel
from bot.channels.twilio_whatsapp import parse_inbound, parse_status
from bot.channels.whatsapp_cloud import parse_webhook
from tests.fakes import FakeGraph, FakeTelegram, FakeTwilio, twilio_signed_form

PAYLOADS = Path(__file__).resolve().parent.parent / "payloads"
NOW = datetime(2026, 11, 24, 13, 0, tzinfo=UTC)
URL = "https://acolhe.example.com.br/webhooks/twilio"


def _names(folder: str, pattern: str) -> list[str]:
    names = sorted(f"{folder}/{p.name}" for p in (PAYLOADS / folder).glob(pattern))
    assert names, f"no recorded payloads in {folder}"
    return names


@pytest.mark.parametrize("name", _names("twilio", "*.form"))
def test_twilio_forms(payload_form: Callable[[str], dict[str, str]], name: str) -> None:
    form, signature = twilio_signed_form(URL, payload_form(name), "token")
    if "MessageStatus" in form:
        status = parse_status(form=form, url=URL, signature=signature, auth_token="token")
        assert status.provider_message_id == form["MessageSid"]
    else:
        message = parse_inbound(
            form=form, url=URL, signature=signature, auth_token="token", received_at=NOW
        )
        assert message.external_id == form["MessageSid"]
        types = [form[f"MediaContentType{i}"] for i in range(int(form["NumMedia"]))]
        assert len(message.media) == len([t for t in types if "vcard" not in t])  # a contact


@pytest.mark.parametrize("name", _names("telegram", "update_*.json"))
def test_telegram_updates(payload_json: Callable[[str], Any], name: str) -> None:
    channel = TelegramChannel(token="1:x", secret_token="s")
    data = payload_json(name)

    message = channel.parse_update(data, received_at=NOW)

    if "message" in data or "callback_query" in data:
        assert message is not None and message.external_id == str(data["update_id"])
    else:
        assert message is None


@pytest.mark.parametrize("name", _names("whatsapp_cloud", "webhook_*.json"))
def test_meta_webhooks(payload_json: Callable[[str], Any], name: str) -> None:
    messages, statuses = parse_webhook(payload_json(name), received_at=NOW)

    assert messages or statuses or "reaction" in name


def test_fake_twilio_answers_like_the_recorded_create(payload_json: Callable[[str], Any]) -> None:
    recorded = payload_json("twilio/message_created.json")
    with FakeTwilio() as fake:
        response = httpx.post(
            f"{fake.url}{fake.messages_path}",
            data={"To": "whatsapp:+5511987654321", "From": "whatsapp:+14155238886", "Body": "Oi"},
            auth=(fake.account_sid, fake.auth_token),
        )

    assert response.status_code == 201
    assert set(response.json()) == set(recorded)


def test_fake_telegram_answers_like_the_recorded_shapes(payload_json: Callable[[str], Any]) -> None:
    with FakeTelegram() as fake:
        file = fake.add_file(b"pdf", file_path="documents/file_3.pdf")
        ok = httpx.post(f"{fake.url}/bot{fake.token}/getFile", data={"file_id": file.file_id})
        fake.fail_next("sendMessage", 429, retry_after=7)
        flood = httpx.post(
            f"{fake.url}/bot{fake.token}/sendMessage", data={"chat_id": "1", "text": "x"}
        )

    assert set(ok.json()["result"]) == set(
        payload_json("telegram/get_file_response.json")["result"]
    )
    assert flood.status_code == 429
    assert flood.json() == payload_json("telegram/error_429.json")


def test_fake_graph_answers_like_the_recorded_shapes(payload_json: Callable[[str], Any]) -> None:
    with FakeGraph() as fake:
        headers = {"Authorization": f"Bearer {fake.token}"}
        url = f"{fake.url}/{fake.version}/{fake.phone_number_id}/messages"
        body = {
            "messaging_product": "whatsapp",
            "to": "5511987654321",
            "type": "text",
            "text": {"body": "Oi"},
        }
        sent = httpx.post(url, json=body, headers=headers)
        media = fake.add_media(b"img", size_as_string=True)
        meta = httpx.get(f"{fake.url}/{fake.version}/{media.media_id}", headers=headers)
        fake.fail_next(400, error_code=130429)
        throttled = httpx.post(url, json=body, headers=headers)

    recorded_send = payload_json("whatsapp_cloud/send_response.json")
    assert set(sent.json()) == set(recorded_send)
    assert set(meta.json()) == set(payload_json("whatsapp_cloud/media_metadata.json"))
    assert isinstance(meta.json()["file_size"], str)
    recorded_error = payload_json("whatsapp_cloud/error_130429.json")["error"]
    assert throttled.status_code == 400
    assert set(throttled.json()["error"]) == set(recorded_error)
    assert throttled.json()["error"]["code"] == recorded_error["code"]
