"""Twilio WhatsApp inbound: signed webhooks verified and normalized
(``bot.channels.twilio_whatsapp``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from bot.channels.errors import (
    InvalidSignature,
    MalformedWebhook,
)
from bot.channels.twilio_whatsapp import (
    parse_inbound,
    parse_status,
)
from bot.domain.messages import Channel
from tests.fakes import twilio_signed_form
from tests.fakes.webhooks import twilio_inbound_form

URL = "https://acolhe.example.com.br/webhooks/twilio"
STATUS_URL = "https://acolhe.example.com.br/webhooks/twilio/status"
TOKEN = "twilio-test-auth-token"
NOW = datetime(2026, 11, 24, 13, 0, tzinfo=UTC)
SENDER = "+14155238886"
CLIENT = "+5511987654321"

Form = Callable[[str], dict[str, str]]


def signed(form: dict[str, str], url: str = URL, token: str = TOKEN) -> tuple[dict[str, str], str]:
    return twilio_signed_form(url, form, token)


# --- inbound: signatures ---------------------------------------------------------------------


def test_signed_text_message_is_normalized(payload_form: Form) -> None:
    form, signature = signed(payload_form("twilio/inbound_text.form"))

    message = parse_inbound(
        form=form, url=URL, signature=signature, auth_token=TOKEN, received_at=NOW
    )

    assert message.channel is Channel.TWILIO_WHATSAPP
    assert message.address == CLIENT
    assert message.text == (
        "Olá! Quero fazer o cadastro da Padaria Pão & Cia, CNPJ 12.345.678/0001-95 😀"
    )
    assert message.external_id == "SM3b1f0c9e2a7d4e5f8a6b0c1d2e3f4a5b"
    assert message.profile_name == "Maria Silva"
    assert message.received_at == NOW
    assert message.media == () and message.choice_id == ""


@pytest.mark.parametrize(
    ("token", "url", "tamper"),
    [
        ("another-token", URL, None),  # signed by someone without our auth token
        (TOKEN, "http://internal-host:8000/webhooks/twilio", None),  # the Host we saw, not public
        (TOKEN, URL, ("Body", "Quero cancelar")),  # body changed after signing
        (TOKEN, URL, ("From", "whatsapp:+5511900000000")),  # sender changed after signing
    ],
)
def test_forged_requests_are_refused(
    payload_form: Form, token: str, url: str, tamper: tuple[str, str] | None
) -> None:
    form, signature = twilio_signed_form(url, payload_form("twilio/inbound_text.form"), token)
    if tamper is not None:
        form[tamper[0]] = tamper[1]

    with pytest.raises(InvalidSignature):
        parse_inbound(form=form, url=URL, signature=signature, auth_token=TOKEN, received_at=NOW)


@pytest.mark.parametrize("signature", [None, ""])
def test_missing_signature_is_refused(payload_form: Form, signature: str | None) -> None:
    form = payload_form("twilio/inbound_text.form")

    with pytest.raises(InvalidSignature):
        parse_inbound(form=form, url=URL, signature=signature, auth_token=TOKEN, received_at=NOW)


def test_signature_covers_the_query_string(payload_form: Form) -> None:
    url = URL + "?tenant=acolhe&v=2"
    form, signature = signed(payload_form("twilio/inbound_text.form"), url=url)

    message = parse_inbound(
        form=form, url=url, signature=signature, auth_token=TOKEN, received_at=NOW
    )
    assert message.external_id.startswith("SM")
    with pytest.raises(InvalidSignature):
        parse_inbound(form=form, url=URL, signature=signature, auth_token=TOKEN, received_at=NOW)


def test_unknown_fields_are_ignored_but_signed(payload_form: Form) -> None:
    form, signature = signed(payload_form("twilio/inbound_unknown_fields.form"))
    assert "SomeFieldTwilioAddedLater" in form

    message = parse_inbound(
        form=form, url=URL, signature=signature, auth_token=TOKEN, received_at=NOW
    )

    assert message.text == "oi"
    del form["SomeFieldTwilioAddedLater"]  # dropping a field we do not use breaks the signature
    with pytest.raises(InvalidSignature):
        parse_inbound(form=form, url=URL, signature=signature, auth_token=TOKEN, received_at=NOW)


# --- inbound: message types ------------------------------------------------------------------


def test_image_without_body_carries_a_media_ref(payload_form: Form) -> None:
    form, signature = signed(payload_form("twilio/inbound_image.form"))

    message = parse_inbound(
        form=form, url=URL, signature=signature, auth_token=TOKEN, received_at=NOW
    )

    assert message.text == ""
    assert message.external_id == "MM8c2d4e6f0a1b3c5d7e9f1a2b3c4d5e6f"
    (media,) = message.media
    assert media.url == form["MediaUrl0"]
    assert media.content_type == "image/jpeg"
    assert media.provider_id == "ME1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d"


def test_document_with_caption(payload_form: Form) -> None:
    form, signature = signed(payload_form("twilio/inbound_document.form"))

    message = parse_inbound(
        form=form, url=URL, signature=signature, auth_token=TOKEN, received_at=NOW
    )

    assert message.text == "segue o contrato social"
    assert [m.content_type for m in message.media] == ["application/pdf"]


def test_several_media_keep_their_order() -> None:
    form = twilio_inbound_form(
        account_sid="AC" + "0f" * 16,
        from_number=CLIENT,
        to_number=SENDER,
        media=[("https://x.test/m/ME1", "image/png"), ("https://x.test/m/ME2", "application/pdf")],
    )
    form, signature = signed(form)

    message = parse_inbound(
        form=form, url=URL, signature=signature, auth_token=TOKEN, received_at=NOW
    )

    assert [(m.provider_id, m.content_type) for m in message.media] == [
        ("ME1", "image/png"),
        ("ME2", "application/pdf"),
    ]


def test_quick_reply_button_sets_choice_id(payload_form: Form) -> None:
    form, signature = signed(payload_form("twilio/inbound_button.form"))

    message = parse_inbound(
        form=form, url=URL, signature=signature, auth_token=TOKEN, received_at=NOW
    )

    assert message.choice_id == "confirm_yes"
    assert message.text == "Sim, confirmo"


@pytest.mark.parametrize(
    ("change", "remove"),
    [
        ({}, "MessageSid"),
        ({}, "From"),
        ({"From": "+5511987654321"}, None),  # an SMS address, not WhatsApp
        ({"NumMedia": "2"}, None),  # MediaUrl1 missing
        ({"NumMedia": "dois"}, None),
    ],
)
def test_malformed_but_signed_webhooks(
    payload_form: Form, change: dict[str, str], remove: str | None
) -> None:
    form = payload_form("twilio/inbound_image.form") | change
    if remove:
        del form[remove]
    form, signature = signed(form)

    with pytest.raises(MalformedWebhook):
        parse_inbound(form=form, url=URL, signature=signature, auth_token=TOKEN, received_at=NOW)


# --- status callbacks ------------------------------------------------------------------------


def test_status_callbacks(payload_form: Form) -> None:
    form, signature = signed(payload_form("twilio/status_delivered.form"), url=STATUS_URL)
    delivered = parse_status(form=form, url=STATUS_URL, signature=signature, auth_token=TOKEN)
    form, signature = signed(payload_form("twilio/status_failed_63016.form"), url=STATUS_URL)
    failed = parse_status(form=form, url=STATUS_URL, signature=signature, auth_token=TOKEN)

    assert (delivered.provider_message_id, delivered.status, delivered.error_code) == (
        "SM7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c",
        "delivered",
        None,
    )
    assert (failed.status, failed.error_code) == ("failed", "63016")


def test_forged_or_incomplete_status_callbacks(payload_form: Form) -> None:
    form, signature = signed(payload_form("twilio/status_delivered.form"), url=STATUS_URL)
    with pytest.raises(InvalidSignature):
        parse_status(form=form, url=STATUS_URL, signature=None, auth_token=TOKEN)
    with pytest.raises(InvalidSignature):
        parse_status(
            form=form | {"MessageStatus": "read"},
            url=STATUS_URL,
            signature=signature,
            auth_token=TOKEN,
        )
    del form["MessageStatus"]
    form, signature = signed(form, url=STATUS_URL)
    with pytest.raises(MalformedWebhook):
        parse_status(form=form, url=STATUS_URL, signature=signature, auth_token=TOKEN)


# --- sending ---------------------------------------------------------------------------------
