"""Telegram updates normalized into ``InboundMessage`` (``bot.channels.telegram_updates``,
through ``TelegramChannel.parse_update``): text, photos, documents, callback queries, updates
we ignore and malformed ones. No network: the channel is never started."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.channels.errors import MalformedWebhook
from bot.channels.telegram import TelegramChannel
from bot.domain.messages import Channel, MediaRef
from tests.fakes import (
    telegram_document_update,
    telegram_photo_update,
)

SECRET = "acolhe_webhook-Secret_2026"
NOW = datetime(2026, 11, 24, 13, 0, tzinfo=UTC)
CHAT = 7_234_567_890  # beyond 2**32

Json = Callable[[str], Any]


@pytest.fixture(scope="module")
def offline() -> TelegramChannel:
    """A channel that is never started: parsing needs no network."""
    return TelegramChannel(token="1:offline", secret_token=SECRET, api_url="http://127.0.0.1:9")


def test_text_update(offline: TelegramChannel, payload_json: Json) -> None:
    message = offline.parse_update(payload_json("telegram/update_text.json"), received_at=NOW)

    assert message is not None
    assert message.channel is Channel.TELEGRAM
    assert message.address == "7234567890"
    assert message.external_id == "861234501"
    assert message.text == (
        "Oi! Meu CNPJ é 12.345.678/0001-95 e o e-mail financeiro@pao-e-cia.com.br"
    )
    assert message.profile_name == "Maria Silva"
    assert message.received_at == NOW
    assert message.media == () and message.choice_id == ""


def test_photo_takes_the_largest_size_and_the_caption(
    offline: TelegramChannel, payload_json: Json
) -> None:
    message = offline.parse_update(payload_json("telegram/update_photo.json"), received_at=NOW)

    assert message is not None
    assert message.text == "Cartão CNPJ"
    (media,) = message.media
    assert media.provider_id == "AgACAgEAAxkBAAIBDWdPhotoBig1280"
    assert media.content_type == "image/jpeg"


def test_largest_photo_is_chosen_by_size_not_position(offline: TelegramChannel) -> None:
    update = telegram_photo_update(["small", "mid", "big", "huge"])
    update["message"]["photo"].reverse()  # largest first this time

    message = offline.parse_update(update, received_at=NOW)

    assert message is not None and message.media[0].provider_id == "huge"


@pytest.mark.parametrize(
    ("name", "file_id", "content_type", "filename", "text"),
    [
        (
            "telegram/update_document_pdf.json",
            "BQACAgEAAxkBAAIBDmdDocPdf0001",
            "application/pdf",
            "Comprovante de Inscrição CNPJ.pdf",
            "",
        ),
        (
            "telegram/update_document_image.json",
            "BQACAgEAAxkBAAIBD2dDocPng0002",
            "image/png",
            "cnh-frente.png",
            "minha CNH",
        ),
    ],
)
def test_documents(
    offline: TelegramChannel,
    payload_json: Json,
    name: str,
    file_id: str,
    content_type: str,
    filename: str,
    text: str,
) -> None:
    message = offline.parse_update(payload_json(name), received_at=NOW)

    assert message is not None and message.text == text
    assert message.media == (
        MediaRef(url="", content_type=content_type, provider_id=file_id, filename=filename),
    )


def test_document_without_mime_type_is_guessed_from_its_name(offline: TelegramChannel) -> None:
    update = telegram_document_update("doc1", file_name="rg-verso.jpg", mime_type=None)

    message = offline.parse_update(update, received_at=NOW)

    assert message is not None and message.media[0].content_type == "image/jpeg"


def test_callback_query_sets_choice_and_button_title(
    offline: TelegramChannel, payload_json: Json
) -> None:
    message = offline.parse_update(
        payload_json("telegram/update_callback_query.json"), received_at=NOW
    )

    assert message is not None
    assert message.choice_id == "confirm_yes"
    assert message.text == "Sim, está correto"
    assert message.address == "7234567890"
    assert message.external_id == "861234505"


@pytest.mark.parametrize(
    "name", ["telegram/update_edited_message.json", "telegram/update_my_chat_member_blocked.json"]
)
def test_updates_we_ignore(offline: TelegramChannel, payload_json: Json, name: str) -> None:
    assert offline.parse_update(payload_json(name), received_at=NOW) is None


def test_commands_arrive_as_text(offline: TelegramChannel, payload_json: Json) -> None:
    message = offline.parse_update(
        payload_json("telegram/update_command_start.json"), received_at=NOW
    )

    assert message is not None and message.text == "/start"


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"update_id": "12"},
        {"message": {"message_id": 1}},
        {"update_id": 12, "message": {"message_id": 1, "text": "sem chat"}},
        {"update_id": 12, "callback_query": {"id": "1", "data": "x"}},
    ],
)
def test_malformed_updates(offline: TelegramChannel, data: dict[str, Any]) -> None:
    with pytest.raises(MalformedWebhook):
        offline.parse_update(data, received_at=NOW)
