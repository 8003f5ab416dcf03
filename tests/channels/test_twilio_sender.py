"""Twilio WhatsApp outbound: sending through the real twilio library and media download
(``bot.channels.twilio_sender``), against the loopback fake Twilio."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime

import pytest

from bot.channels.errors import (
    MediaTooLarge,
    MediaUnavailable,
    SendFailed,
)
from bot.channels.ports import Template
from bot.channels.twilio_sender import TwilioMediaFetcher, TwilioSender
from bot.channels.twilio_whatsapp import parse_status
from bot.domain.messages import Choice, MediaRef, OutboundMessage
from tests.fakes import FakeRequest, FakeResponse, FakeTwilio, LoopbackServer, twilio_signed_form
from tests.fakes.twilio import content_variables

URL = "https://acolhe.example.com.br/webhooks/twilio"
STATUS_URL = "https://acolhe.example.com.br/webhooks/twilio/status"
TOKEN = "twilio-test-auth-token"
NOW = datetime(2026, 11, 24, 13, 0, tzinfo=UTC)
SENDER = "+14155238886"
CLIENT = "+5511987654321"

Form = Callable[[str], dict[str, str]]


def signed(form: dict[str, str], url: str = URL, token: str = TOKEN) -> tuple[dict[str, str], str]:
    return twilio_signed_form(url, form, token)


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
            with pytest.raises(SendFailed) as failure:
                await sender.send(address=CLIENT, message=OutboundMessage(text="Olá"))
    finally:
        server.stop()

    assert failure.value.transient and failure.value.code == "timeout"
    assert failure.value.maybe_sent  # the request reached Twilio: a retry may duplicate it
    # The fake answers 201 after 1 s: a "timeout" failure means the sender gave up first.


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
