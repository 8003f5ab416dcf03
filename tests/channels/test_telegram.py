"""Telegram: the secret check, and the real python-telegram-bot against FakeTelegram (sending,
errors, downloads, the webhook and polling). Parsing updates: ``test_telegram_updates``."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from telegram.error import BadRequest

from bot.channels.errors import (
    ChannelError,
    InvalidSignature,
    MediaTooLarge,
    MediaUnavailable,
    SendFailed,
)
from bot.channels.telegram import TelegramChannel, poll_updates
from bot.domain.messages import Choice, MediaRef, OutboundMessage, split_long
from tests.fakes import (
    FakeTelegram,
    telegram_callback_update,
    telegram_photo_update,
    telegram_text_update,
)

SECRET = "acolhe_webhook-Secret_2026"
NOW = datetime(2026, 11, 24, 13, 0, tzinfo=UTC)
CHAT = 7_234_567_890  # beyond 2**32

Json = Callable[[str], Any]


@pytest.fixture(scope="module")
def offline() -> TelegramChannel:
    """A channel that is never started: parsing and secret checks need no network."""
    return TelegramChannel(token="1:offline", secret_token=SECRET, api_url="http://127.0.0.1:9")


# --- secret ----------------------------------------------------------------------------------


def test_secret_token_is_checked(offline: TelegramChannel) -> None:
    offline.check_secret(SECRET)
    for wrong in (None, "", SECRET[:-1], SECRET + "x", SECRET.upper()):
        with pytest.raises(InvalidSignature):
            offline.check_secret(wrong)


@pytest.mark.parametrize("secret", ["", "has space", "ç", "x" * 257])
def test_invalid_secret_tokens_are_refused_at_construction(secret: str) -> None:
    with pytest.raises(ValueError):
        TelegramChannel(token="1:x", secret_token=secret)


# --- against the fake Bot API ----------------------------------------------------------------


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegram]:
    with FakeTelegram(max_long_poll_s=0.5) as fake:
        yield fake


@pytest.fixture
async def channel(telegram: FakeTelegram) -> AsyncIterator[TelegramChannel]:
    channel = TelegramChannel(
        token=telegram.token, secret_token=SECRET, api_url=telegram.url, timeout_s=5
    )
    async with channel:
        yield channel


async def test_start_calls_get_me(telegram: FakeTelegram, channel: TelegramChannel) -> None:
    assert [call.method for call in telegram.calls] == ["getMe"]
    assert channel.application.bot.username == "acolhe_test_bot"


async def test_start_with_a_wrong_token_fails(telegram: FakeTelegram) -> None:
    channel = TelegramChannel(token="7000000001:wrong", secret_token=SECRET, api_url=telegram.url)

    with pytest.raises(ChannelError):
        await channel.start()
    assert telegram.calls == []  # the fake only records calls with the right token


async def test_send_html_with_an_inline_keyboard(
    telegram: FakeTelegram, channel: TelegramChannel
) -> None:
    text = "Confirme: *M&M Ltda*, CNPJ 12.345.678/0001-95, e-mail financeiro_2@pao-e-cia.com.br"
    message = OutboundMessage(
        text=text, choices=(Choice("confirm_yes", "Sim"), Choice("confirm_no", "Não, corrigir"))
    )

    result = await channel.send(address=str(CHAT), message=message)

    (sent,) = telegram.sent
    assert sent["chat_id"] == CHAT
    assert sent["parse_mode"] == "HTML"
    assert sent["text"] == (
        "Confirme: <b>M&amp;M Ltda</b>, CNPJ 12.345.678/0001-95, "
        "e-mail financeiro_2@pao-e-cia.com.br"
    )
    assert sent["reply_markup"] == {
        "inline_keyboard": [
            [{"text": "Sim", "callback_data": "confirm_yes"}],
            [{"text": "Não, corrigir", "callback_data": "confirm_no"}],
        ]
    }
    assert result.provider_message_id == f"{CHAT}:1001"
    assert result.status == "sent"


async def test_send_without_choices_has_no_keyboard(
    telegram: FakeTelegram, channel: TelegramChannel
) -> None:
    await channel.send(address=str(CHAT), message=OutboundMessage(text="Olá!"))

    assert "reply_markup" not in telegram.sent[0]
    assert telegram.sent[0]["parse_mode"] == "HTML"


@pytest.mark.parametrize(
    "text",
    [
        "5 * 3 = 15 e a*b",
        "Empresa: <M&M> & *Cia*",
        "*Cadastro confirmado!* 🎉 Agora a etapa de _documentos_.",
        "Seu nome: *Zé_*",
        "*sem par",
    ],
)
async def test_whatever_the_text_telegram_accepts_the_html(
    telegram: FakeTelegram, channel: TelegramChannel, text: str
) -> None:
    """The fake parses HTML as strictly as the Bot API: a broken tag would be a 400."""
    await channel.send(address=str(CHAT), message=OutboundMessage(text=text))

    assert len(telegram.sent) == 1


async def test_a_long_text_split_into_parts_sends_every_part(
    telegram: FakeTelegram, channel: TelegramChannel
) -> None:
    text = " ".join(["*Atenção*: envie o _cartão CNPJ_ de M&M <Ltda>."] * 120)

    for part in split_long(OutboundMessage(text=text), 4096):
        await channel.send(address=str(CHAT), message=part)

    assert len(telegram.sent) == 2
    assert all(sent["parse_mode"] == "HTML" for sent in telegram.sent)


async def test_the_fake_refuses_html_telegram_cannot_parse(
    telegram: FakeTelegram, channel: TelegramChannel
) -> None:
    """So the tests above would catch a broken tag as the Bot API does, with a 400."""
    bot = channel.application.bot
    for broken in ("<b>x", "M&M", "5 < 6"):
        with pytest.raises(BadRequest, match="(?i)can't parse entities"):
            await bot.send_message(chat_id=CHAT, text=broken, parse_mode="HTML")
    assert telegram.sent == []


async def test_attachments_follow_as_documents(
    telegram: FakeTelegram, channel: TelegramChannel
) -> None:
    message = OutboundMessage(text="Seu contrato:", attachments=("https://files.example/c.pdf",))

    await channel.send(address=str(CHAT), message=message)

    assert [call.method for call in telegram.calls[1:]] == ["sendMessage", "sendDocument"]
    assert telegram.calls[2].params["document"] == "https://files.example/c.pdf"


async def test_callback_data_over_64_bytes_is_refused_before_sending(
    telegram: FakeTelegram, channel: TelegramChannel
) -> None:
    message = OutboundMessage(text="Escolha", choices=(Choice("ç" * 33, "Opção"),))  # 66 bytes

    with pytest.raises(SendFailed) as failure:
        await channel.send(address=str(CHAT), message=message)

    assert not failure.value.transient
    assert telegram.calls_to("sendMessage") == []


async def test_flood_control_is_transient_with_retry_after(
    telegram: FakeTelegram, channel: TelegramChannel
) -> None:
    telegram.fail_next("sendMessage", 429, retry_after=5)

    with pytest.raises(SendFailed) as failure:
        await channel.send(address=str(CHAT), message=OutboundMessage(text="Olá"))

    assert failure.value.transient
    assert failure.value.retry_after == 5.0
    assert telegram.sent == []


@pytest.mark.parametrize(
    ("status", "transient", "code"),
    [
        (500, True, "network"),
        (502, True, "network"),
        (429, True, "network"),  # a 429 without parameters.retry_after
        (400, False, "400"),  # BadRequest subclasses NetworkError: must not be retried
        (403, False, "403"),  # the client blocked the bot
    ],
)
async def test_error_mapping(
    telegram: FakeTelegram, channel: TelegramChannel, status: int, transient: bool, code: str
) -> None:
    telegram.fail_next("sendMessage", status)

    with pytest.raises(SendFailed) as failure:
        await channel.send(address=str(CHAT), message=OutboundMessage(text="Olá"))

    assert (failure.value.transient, failure.value.code) == (transient, code)


async def test_answer_callback(telegram: FakeTelegram, channel: TelegramChannel) -> None:
    update = telegram_callback_update("yes")

    await channel.answer_callback(update)
    await channel.answer_callback(telegram_text_update("oi"))  # nothing to answer

    (call,) = telegram.calls_to("answerCallbackQuery")
    assert call.params["callback_query_id"] == update["callback_query"]["id"]


async def test_photo_download_through_get_file(
    telegram: FakeTelegram, channel: TelegramChannel
) -> None:
    small = telegram.add_file(b"small", file_path="photos/file_0.jpg")
    large = telegram.add_file(b"\xff\xd8" + b"large" * 100, file_path="photos/file_1.jpg")
    update = telegram_photo_update([small.file_id, large.file_id], caption="RG")
    message = channel.parse_update(update, received_at=NOW)
    assert message is not None

    data = await channel.fetch(message.media[0], max_bytes=10_000)

    assert data == large.content
    (call,) = telegram.calls_to("getFile")
    assert call.params["file_id"] == large.file_id
    assert telegram.file_downloads == ["photos/file_1.jpg"]  # from base_file_url, not Telegram


async def test_download_enforces_max_bytes(
    telegram: FakeTelegram, channel: TelegramChannel
) -> None:
    honest = telegram.add_file(b"x" * 2000)
    liar = telegram.add_file(b"y" * 2000, declared_size=100)

    with pytest.raises(MediaTooLarge):
        await channel.fetch(MediaRef(url="", provider_id=honest.file_id), max_bytes=1000)
    assert telegram.file_downloads == []  # refused on getFile's file_size, before downloading
    with pytest.raises(MediaTooLarge):
        await channel.fetch(MediaRef(url="", provider_id=liar.file_id), max_bytes=1000)


async def test_unknown_or_oversized_files_are_unavailable(
    telegram: FakeTelegram, channel: TelegramChannel
) -> None:
    big = telegram.add_file(b"z", declared_size=25 * 1024 * 1024)

    with pytest.raises(MediaUnavailable):
        await channel.fetch(MediaRef(url="", provider_id="no-such-file"), max_bytes=10**8)
    with pytest.raises(MediaUnavailable):
        await channel.fetch(MediaRef(url="", provider_id=big.file_id), max_bytes=10**8)


async def test_set_webhook_registers_url_secret_and_callback_queries(
    telegram: FakeTelegram, channel: TelegramChannel
) -> None:
    await channel.set_webhook("https://acolhe.example.com.br/webhooks/telegram")

    assert telegram.webhook is not None
    assert telegram.webhook["url"] == "https://acolhe.example.com.br/webhooks/telegram"
    assert telegram.webhook["secret_token"] == SECRET
    assert "callback_query" in telegram.webhook["allowed_updates"]


async def test_polling_hands_each_update_to_the_callback(
    telegram: FakeTelegram, channel: TelegramChannel
) -> None:
    await channel.set_webhook("https://acolhe.example.com.br/webhooks/telegram")
    first = telegram.push_update(telegram_text_update("oi", update_id=900_000_001))
    second = telegram.push_update(telegram_callback_update("yes", update_id=900_000_002))
    third = telegram.push_update(telegram_text_update("tudo bem?", update_id=900_000_003))
    telegram.fail_next("getUpdates", 429, retry_after=3)
    received: list[dict[str, Any]] = []
    slept: list[float] = []

    async def on_update(data: dict[str, Any]) -> None:
        received.append(data)
        if data["update_id"] == second["update_id"]:
            raise RuntimeError("a failing update must not stop polling")

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        await asyncio.sleep(0)

    task = asyncio.create_task(poll_updates(channel, on_update, long_poll_s=1, sleep=sleep))
    try:
        async with asyncio.timeout(5):
            while len(received) < 3 or len(telegram.calls_to("getUpdates")) < 3:
                await asyncio.sleep(0.01)
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    assert telegram.calls_to("deleteWebhook")  # getUpdates is refused while a webhook is set
    assert slept == [3.0]  # flood control on getUpdates honoured
    assert [u["update_id"] for u in received] == [u["update_id"] for u in (first, second, third)]
    messages = [channel.parse_update(u, received_at=NOW) for u in received]
    assert [(m.text, m.choice_id) for m in messages if m] == [
        ("oi", ""),
        ("Sim", "yes"),
        ("tudo bem?", ""),
    ]
    assert telegram.calls_to("getUpdates")[-1].params["offset"] == third["update_id"] + 1
