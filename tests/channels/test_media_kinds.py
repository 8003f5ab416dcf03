"""What each adapter says a client sent when it is not text, a photo or a document: audio,
video and stickers (``MediaRef.kind``, never readable), locations and contacts
(``InboundMessage.unsupported``, no media); and that only readable files become documents."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.bootstrap import Runtime
from bot.channels.media_kinds import is_vcard, media_kind, mime_type
from bot.channels.telegram import TelegramChannel
from bot.channels.twilio_whatsapp import parse_inbound
from bot.channels.whatsapp_cloud import parse_webhook
from bot.domain.messages import InboundMessage, MediaRef
from bot.storage.models import Document
from tests.fakes import twilio_signed_form
from tests.fakes.webhooks import twilio_inbound_form

NOW = datetime(2026, 11, 24, 13, 0, tzinfo=UTC)
URL = "https://acolhe.example.com.br/webhooks/twilio"
TOKEN = "twilio-test-auth-token"

Json = Callable[[str], Any]
Form = Callable[[str], dict[str, str]]


# --- the shared rule -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content_type", "declared", "kind"),
    [
        ("application/pdf", "file", "file"),
        ("image/jpeg", "file", "file"),
        ("image/webp", "file", "file"),
        ("audio/ogg; codecs=opus", "file", "audio"),
        ("AUDIO/MPEG", "file", "audio"),
        ("video/mp4", "file", "video"),
        ("", "file", "file"),
        ("image/webp", "sticker", "sticker"),
        ("application/octet-stream", "audio", "audio"),
        ("image/gif", "video", "video"),
    ],
)
def test_media_kind(content_type: str, declared: str, kind: str) -> None:
    assert media_kind(content_type, declared=declared) == kind


def test_vcards_and_mime_types() -> None:
    assert is_vcard("text/vcard") and is_vcard("text/x-vcard; charset=utf-8")
    assert not is_vcard("text/plain")
    assert mime_type(" Audio/OGG; codecs=opus") == "audio/ogg"


# --- each adapter ----------------------------------------------------------------------------

# (kind, content type, readable) of each attachment, and ``unsupported``
Expected = tuple[list[tuple[str, str, bool]], str]


def _shape(message: InboundMessage) -> Expected:
    media = [(m.kind, m.content_type, m.readable) for m in message.media]
    return media, message.unsupported


@pytest.mark.parametrize(
    ("name", "expected", "text"),
    [
        ("inbound_audio.form", ([("audio", "audio/ogg", False)], ""), ""),
        ("inbound_video.form", ([("video", "video/mp4", False)], ""), "fachada da loja"),
        ("inbound_sticker.form", ([("sticker", "image/webp", False)], ""), ""),
        ("inbound_location.form", ([], "location"), ""),
        ("inbound_contact.form", ([], "contact"), ""),
        ("inbound_image.form", ([("file", "image/jpeg", True)], ""), ""),
        (
            "inbound_document.form",
            ([("file", "application/pdf", True)], ""),
            "segue o contrato social",
        ),
    ],
)
def test_twilio(payload_form: Form, name: str, expected: Expected, text: str) -> None:
    form, signature = twilio_signed_form(URL, payload_form(f"twilio/{name}"), TOKEN)

    message = parse_inbound(
        form=form, url=URL, signature=signature, auth_token=TOKEN, received_at=NOW
    )

    assert _shape(message) == expected
    assert message.text == text


@pytest.mark.parametrize(
    ("media", "message_type", "expected"),
    [
        # the MIME type decides when MessageType is generic or missing
        ([("https://api.twilio.com/m/ME1", "audio/mpeg")], "document", [("audio", False)]),
        ([("https://api.twilio.com/m/ME1", "video/3gpp")], "", [("video", False)]),
        # MessageType decides for a sticker (a WebP image) and an audio of unusual type
        ([("https://api.twilio.com/m/ME1", "image/webp")], "sticker", [("sticker", False)]),
        ([("https://api.twilio.com/m/ME1", "application/ogg")], "audio", [("audio", False)]),
        ([("https://api.twilio.com/m/ME1", "image/webp")], "image", [("file", True)]),
        # a vCard is left out of the media; the rest stays
        (
            [
                ("https://api.twilio.com/m/ME1", "text/x-vcard"),
                ("https://api.twilio.com/m/ME2", "application/pdf"),
            ],
            "document",
            [("file", True)],
        ),
    ],
)
def test_twilio_kinds_from_message_type_and_content_type(
    media: list[tuple[str, str]], message_type: str, expected: list[tuple[str, bool]]
) -> None:
    form = twilio_inbound_form(
        account_sid="AC" + "0" * 32,
        from_number="+5511987654321",
        to_number="+14155238886",
        media=media,
    )
    form["MessageType"] = message_type
    form, signature = twilio_signed_form(URL, form, TOKEN)

    message = parse_inbound(
        form=form, url=URL, signature=signature, auth_token=TOKEN, received_at=NOW
    )

    assert [(m.kind, m.readable) for m in message.media] == expected
    assert message.unsupported == ("contact" if "text/x-vcard" in str(media) else "")


def test_twilio_location_without_message_type_is_still_a_location(payload_form: Form) -> None:
    form = payload_form("twilio/inbound_location.form")
    del form["MessageType"]
    form, signature = twilio_signed_form(URL, form, TOKEN)

    message = parse_inbound(
        form=form, url=URL, signature=signature, auth_token=TOKEN, received_at=NOW
    )

    assert message.unsupported == "location" and message.media == ()


@pytest.mark.parametrize(
    ("name", "expected", "text"),
    [
        ("webhook_audio.json", ([("audio", "audio/ogg; codecs=opus", False)], ""), ""),
        ("webhook_video.json", ([("video", "video/mp4", False)], ""), "fachada da loja"),
        ("webhook_sticker.json", ([("sticker", "image/webp", False)], ""), ""),
        ("webhook_location.json", ([], "location"), ""),
        ("webhook_contacts.json", ([], "contact"), ""),
        ("webhook_image.json", ([("file", "image/jpeg", True)], ""), "cartão cnpj"),
    ],
)
def test_whatsapp_cloud(payload_json: Json, name: str, expected: Expected, text: str) -> None:
    (message,), _ = parse_webhook(payload_json(f"whatsapp_cloud/{name}"), received_at=NOW)

    assert _shape(message) == expected
    assert message.text == text


def test_whatsapp_cloud_audio_keeps_its_media_id(payload_json: Json) -> None:
    (message,), _ = parse_webhook(
        payload_json("whatsapp_cloud/webhook_audio.json"), received_at=NOW
    )

    assert message.media == (
        MediaRef(
            url="",
            content_type="audio/ogg; codecs=opus",
            provider_id="1187201931473850",
            kind="audio",
        ),
    )


@pytest.fixture(scope="module")
def telegram() -> TelegramChannel:
    return TelegramChannel(token="1:offline", secret_token="s", api_url="http://127.0.0.1:9")


@pytest.mark.parametrize(
    ("name", "expected", "text"),
    [
        ("update_voice.json", ([("audio", "audio/ogg", False)], ""), ""),
        ("update_audio.json", ([("audio", "audio/mp4", False)], ""), ""),
        ("update_video.json", ([("video", "video/mp4", False)], ""), "fachada da loja"),
        ("update_video_note.json", ([("video", "video/mp4", False)], ""), ""),
        ("update_animation.json", ([("video", "video/mp4", False)], ""), ""),
        ("update_sticker.json", ([("sticker", "image/webp", False)], ""), ""),
        ("update_location.json", ([], "location"), ""),
        ("update_venue.json", ([], "location"), ""),
        ("update_contact.json", ([], "contact"), ""),
        ("update_photo.json", ([("file", "image/jpeg", True)], ""), "Cartão CNPJ"),
        ("update_document_pdf.json", ([("file", "application/pdf", True)], ""), ""),
    ],
)
def test_telegram(
    telegram: TelegramChannel, payload_json: Json, name: str, expected: Expected, text: str
) -> None:
    message = telegram.parse_update(payload_json(f"telegram/{name}"), received_at=NOW)

    assert message is not None
    assert _shape(message) == expected
    assert message.text == text


def test_telegram_keeps_the_file_ids_and_names(
    telegram: TelegramChannel, payload_json: Json
) -> None:
    voice = telegram.parse_update(payload_json("telegram/update_voice.json"), received_at=NOW)
    audio = telegram.parse_update(payload_json("telegram/update_audio.json"), received_at=NOW)
    gif = telegram.parse_update(payload_json("telegram/update_animation.json"), received_at=NOW)

    assert voice is not None and audio is not None and gif is not None
    assert voice.media[0].provider_id == "AwACAgEAAxkBAAIBEGdVoiceOgg0001"
    assert audio.media[0].filename == "reuniao-kickoff.m4a"
    assert gif.media[0].provider_id == "CgACAgQAAxkBAAIBFGdAnimation0005"  # not the document copy


@pytest.mark.parametrize(
    ("sticker", "content_type"),
    [
        ({"is_animated": False, "is_video": False}, "image/webp"),
        ({"is_animated": True, "is_video": False}, "application/x-tgsticker"),
        ({"is_animated": False, "is_video": True}, "video/webm"),
    ],
)
def test_telegram_sticker_formats(
    telegram: TelegramChannel, payload_json: Json, sticker: dict[str, bool], content_type: str
) -> None:
    update = payload_json("telegram/update_sticker.json")
    update["message"]["sticker"].update(sticker)

    message = telegram.parse_update(update, received_at=NOW)

    assert message is not None
    assert [(m.kind, m.content_type) for m in message.media] == [("sticker", content_type)]


def test_telegram_audio_sent_as_a_file_is_audio(
    telegram: TelegramChannel, payload_json: Json
) -> None:
    update = payload_json("telegram/update_document_pdf.json")
    update["message"]["document"].update(file_name="recado.ogg", mime_type="audio/ogg")

    message = telegram.parse_update(update, received_at=NOW)

    assert message is not None and [m.kind for m in message.media] == ["audio"]


# --- only readable files become documents ----------------------------------------------------


def _documents(runtime: Runtime) -> int:
    with runtime.sessions() as session:
        return session.scalar(select(func.count()).select_from(Document)) or 0


@pytest.mark.parametrize(
    ("name", "queued"),
    [
        ("inbound_audio.form", 0),
        ("inbound_video.form", 0),
        ("inbound_sticker.form", 0),
        ("inbound_contact.form", 0),
        ("inbound_location.form", 0),
        ("inbound_image.form", 1),
        ("inbound_document.form", 1),
    ],
)
def test_only_readable_files_are_queued_as_documents(
    runtime: Runtime, payload_form: Form, name: str, queued: int
) -> None:
    form, signature = twilio_signed_form(URL, payload_form(f"twilio/{name}"), TOKEN)
    inbound = parse_inbound(
        form=form, url=URL, signature=signature, auth_token=TOKEN, received_at=NOW
    )

    # Documents are kept only after the LGPD consent: the client says "oi" and agrees first.
    for index, text in enumerate(("oi", "1")):
        runtime.conversations.handle(
            replace(inbound, text=text, media=(), unsupported="", external_id=f"consent-{index}")
        )
    handled = runtime.conversations.handle(inbound)

    assert handled.documents_queued == queued
    assert _documents(runtime) == queued
