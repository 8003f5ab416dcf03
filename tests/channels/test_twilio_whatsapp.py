"""Twilio WhatsApp: signed webhooks, sending through the real twilio library, media download."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime

import pytest

from bot.channels.errors import (
    InvalidSignature,
    MalformedWebhook,
    MediaTooLarge,
    MediaUnavailable,
    SendFailed,
)
from bot.channels.ports import Template
from bot.channels.twilio_whatsapp import (
    TwilioMediaFetcher,
    TwilioSender,
    parse_inbound,
    parse_status,
)
from bot.domain.messages import Channel, Choice, MediaRef, OutboundMessage
from tests.fakes import FakeRequest, FakeResponse, FakeTwilio, LoopbackServer, twilio_signed_form
from tests.fakes.twilio import content_variables
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


@pytest.fixture
async def twilio() -> AsyncIterator[FakeTwilio]:
    with FakeTwilio(auth_token=TOKEN) as fake:
        yield fake


@pytest.fixture
async def sender(twilio: FakeTwilio) -> AsyncIterator[TwilioSender]:
    async with TwilioSender(
        account_sid=twilio.account_sid,
        auth_token=TOKEN,
        from_number=SENDER,
        api_url=twilio.url,
        timeout_s=5,
        status_callback=STATUS_URL,
    ) as sender:
        yield sender


async def test_text_with_choices_goes_as_a_numbered_list(
    twilio: FakeTwilio, sender: TwilioSender
) -> None:
    message = OutboundMessage(
        text="Qual é o porte da empresa?",
        choices=(Choice("mei", "MEI"), Choice("me", "Microempresa"), Choice("epp", "EPP")),
    )

    result = await sender.send(address=CLIENT, message=message)

    (sent,) = twilio.sent
    assert sent.to == "whatsapp:+5511987654321"
    assert sent.from_ == "whatsapp:+14155238886"
    assert sent.body == "Qual é o porte da empresa?\n\n1) MEI\n2) Microempresa\n3) EPP"
    assert sent.status_callback == STATUS_URL
    assert sent.media_urls == [] and sent.content_sid is None and sent.content_variables is None
    assert result.provider_message_id == sent.sid and sent.sid.startswith("SM")
    assert result.status == "queued"


async def test_template_sends_content_sid_and_variables(
    twilio: FakeTwilio, sender: TwilioSender
) -> None:
    template = Template(
        content_sid="HX" + "ab" * 16, variables={"1": "Maria", "2": "Padaria Pão & Cia"}
    )

    await sender.send(address=CLIENT, message=OutboundMessage(text="ignored"), template=template)

    (sent,) = twilio.sent
    assert sent.content_sid == "HX" + "ab" * 16
    assert content_variables(sent) == {"1": "Maria", "2": "Padaria Pão & Cia"}
    assert json.loads(sent.content_variables or "") == template.variables
    assert sent.body is None


async def test_attachments_become_media_urls(twilio: FakeTwilio, sender: TwilioSender) -> None:
    message = OutboundMessage(
        text="Seu contrato",
        attachments=("https://files.example/a.pdf", "https://files.example/b.pdf"),
    )

    await sender.send(address=CLIENT, message=message)

    assert twilio.sent[0].media_urls == [
        "https://files.example/a.pdf",
        "https://files.example/b.pdf",
    ]


async def test_server_error_is_transient_and_not_retried_inside(
    twilio: FakeTwilio, sender: TwilioSender
) -> None:
    twilio.fail_next(500)

    with pytest.raises(SendFailed) as failure:
        await sender.send(address=CLIENT, message=OutboundMessage(text="Olá"))

    assert failure.value.transient and failure.value.maybe_sent
    assert failure.value.code == "20500"
    assert twilio.attempts == 1 and twilio.sent == []
    await sender.send(address=CLIENT, message=OutboundMessage(text="Olá"))  # the outbox retries
    assert len(twilio.sent) == 1


async def test_rate_limit_exposes_retry_after(twilio: FakeTwilio, sender: TwilioSender) -> None:
    twilio.fail_next(429, retry_after=7)

    with pytest.raises(SendFailed) as failure:
        await sender.send(address=CLIENT, message=OutboundMessage(text="Olá"))

    assert failure.value.transient and not failure.value.maybe_sent
    assert failure.value.retry_after == 7.0
    assert failure.value.code == "20429"


@pytest.mark.parametrize(
    ("status", "code", "expected"),
    [
        (400, 63016, "63016"),  # free-form outside the 24-hour window
        (400, 21211, "21211"),  # invalid number
        (404, 20404, "20404"),
    ],
)
async def test_client_errors_are_permanent(
    twilio: FakeTwilio, sender: TwilioSender, status: int, code: int, expected: str
) -> None:
    twilio.fail_next(status, code=code, message="refused")

    with pytest.raises(SendFailed) as failure:
        await sender.send(address=CLIENT, message=OutboundMessage(text="Olá"))

    assert not failure.value.transient
    assert failure.value.code == expected
    assert twilio.attempts == 1


async def test_wrong_credentials_are_permanent(twilio: FakeTwilio) -> None:
    async with TwilioSender(
        account_sid=twilio.account_sid, auth_token="wrong", from_number=SENDER, api_url=twilio.url
    ) as sender:
        with pytest.raises(SendFailed) as failure:
            await sender.send(address=CLIENT, message=OutboundMessage(text="Olá"))

    assert not failure.value.transient and failure.value.code == "20003"


async def test_region_and_edge_from_the_environment_do_not_redirect(
    twilio: FakeTwilio, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TWILIO_REGION", "au1")
    monkeypatch.setenv("TWILIO_EDGE", "sydney")
    async with TwilioSender(
        account_sid=twilio.account_sid, auth_token=TOKEN, from_number=SENDER, api_url=twilio.url
    ) as sender:
        await sender.send(address=CLIENT, message=OutboundMessage(text="Olá"))

    assert len(twilio.sent) == 1


async def test_slow_api_times_out_as_transient() -> None:
    def slow(request: FakeRequest) -> FakeResponse:
        time.sleep(1.0)
        return FakeResponse.json({"sid": "SMlate", "status": "queued"}, status=201)

    server = LoopbackServer(slow)
    server.start()
    try:
        async with TwilioSender(
            account_sid="AC" + "0f" * 16,
            auth_token=TOKEN,
            from_number=SENDER,
            api_url=server.url,
            timeout_s=0.2,
        ) as sender:
            started = asyncio.get_running_loop().time()
            with pytest.raises(SendFailed) as failure:
                await sender.send(address=CLIENT, message=OutboundMessage(text="Olá"))
            elapsed = asyncio.get_running_loop().time() - started
    finally:
        server.stop()

    assert failure.value.transient and failure.value.code == "timeout"
    assert failure.value.maybe_sent  # the request reached Twilio: a retry may duplicate it
    assert elapsed < 0.9


async def test_unreachable_api_is_transient_and_not_sent() -> None:
    server = LoopbackServer(lambda request: FakeResponse())
    server.start()
    url = server.url
    server.stop()  # nothing listens on that port any more

    async with TwilioSender(
        account_sid="AC" + "0f" * 16, auth_token=TOKEN, from_number=SENDER, api_url=url
    ) as sender:
        with pytest.raises(SendFailed) as failure:
            await sender.send(address=CLIENT, message=OutboundMessage(text="Olá"))

    assert failure.value.transient and not failure.value.maybe_sent


async def test_status_callback_from_the_fake_validates(
    twilio: FakeTwilio, sender: TwilioSender
) -> None:
    """The fake's signed status callback is accepted by parse_status (full round trip)."""
    received: list[tuple[dict[str, str], str | None]] = []

    def endpoint(request: FakeRequest) -> FakeResponse:
        received.append((request.form_first(), request.header("X-Twilio-Signature")))
        return FakeResponse(204)

    callback = LoopbackServer(endpoint)
    callback.start()
    callback_url = f"{callback.url}/webhooks/twilio/status"
    try:
        async with TwilioSender(
            account_sid=twilio.account_sid,
            auth_token=TOKEN,
            from_number=SENDER,
            api_url=twilio.url,
            status_callback=callback_url,
        ) as with_callback:
            result = await with_callback.send(address=CLIENT, message=OutboundMessage(text="Olá"))
        await asyncio.to_thread(
            twilio.deliver_status, result.provider_message_id, "undelivered", error_code="63016"
        )
    finally:
        callback.stop()

    ((form, signature),) = received
    status = parse_status(
        form=form,
        url=callback_url,
        signature=signature,
        auth_token=TOKEN,
    )
    assert (status.provider_message_id, status.status, status.error_code) == (
        result.provider_message_id,
        "undelivered",
        "63016",
    )


# --- media -----------------------------------------------------------------------------------


@pytest.fixture
async def fetcher(twilio: FakeTwilio) -> AsyncIterator[TwilioMediaFetcher]:
    async with TwilioMediaFetcher(
        account_sid=twilio.account_sid, auth_token=TOKEN, timeout_s=5
    ) as fetcher:
        yield fetcher


def _ref(url: str) -> MediaRef:
    return MediaRef(url=url, content_type="image/jpeg")


async def test_media_download_uses_basic_auth(
    twilio: FakeTwilio, fetcher: TwilioMediaFetcher
) -> None:
    url = twilio.add_media(b"\xff\xd8jpeg-bytes", "image/jpeg")

    data = await fetcher.fetch(_ref(url), max_bytes=1024)

    assert data == b"\xff\xd8jpeg-bytes"
    (request,) = twilio.media_requests
    assert request.authorization is not None and request.authorization.startswith("Basic ")


async def test_redirect_to_another_host_drops_the_credentials(
    twilio: FakeTwilio, fetcher: TwilioMediaFetcher
) -> None:
    url = twilio.add_media(b"%PDF-1.7 contrato", "application/pdf", redirect="other_host")

    data = await fetcher.fetch(_ref(url), max_bytes=1024)

    assert data == b"%PDF-1.7 contrato"
    api, cdn = twilio.media_requests
    assert api.server == "api" and api.authorization is not None
    assert cdn.server == "cdn" and cdn.authorization is None


async def test_redirect_on_the_same_host_keeps_the_credentials(
    twilio: FakeTwilio, fetcher: TwilioMediaFetcher
) -> None:
    url = twilio.add_media(b"png-bytes", "image/png", redirect="same_host")

    assert await fetcher.fetch(_ref(url), max_bytes=1024) == b"png-bytes"

    assert [r.path.endswith("/redirected") for r in twilio.media_requests] == [False, True]
    assert all(r.authorization for r in twilio.media_requests)


@pytest.mark.parametrize("redirect", [None, "other_host"])
async def test_max_bytes_is_enforced(
    twilio: FakeTwilio, fetcher: TwilioMediaFetcher, redirect: str | None
) -> None:
    url = twilio.add_media(b"x" * 5000, redirect=redirect)  # type: ignore[arg-type]

    with pytest.raises(MediaTooLarge):
        await fetcher.fetch(_ref(url), max_bytes=4999)
    assert len(await fetcher.fetch(_ref(url), max_bytes=5000)) == 5000


async def test_unknown_media_or_wrong_credentials_are_unavailable(twilio: FakeTwilio) -> None:
    url = twilio.add_media(b"data")
    async with (
        TwilioMediaFetcher(account_sid=twilio.account_sid, auth_token="wrong") as wrong,
        TwilioMediaFetcher(account_sid=twilio.account_sid, auth_token=TOKEN) as right,
    ):
        with pytest.raises(MediaUnavailable) as failure:
            await wrong.fetch(_ref(url), max_bytes=1024)
        assert not failure.value.transient
        with pytest.raises(MediaUnavailable):
            await right.fetch(_ref(f"{twilio.url}/media/ME404"), max_bytes=1024)
