"""Telegram through python-telegram-bot v22, used as a channel adapter only (no handlers).

``TelegramChannel`` owns a PTB ``Application`` built with ``updater(None)`` (the custom-webhook
pattern) and both ``base_url`` and ``base_file_url`` pointed at ``api_url``, so neither API calls
nor file downloads (which carry the token) go to the real Telegram when a test or a local Bot
API server is configured. It checks the webhook secret, normalizes updates into
``InboundMessage``, sends replies (``ChannelSender``) and downloads files (``MediaFetcher``).

Callback queries: ``parse_update`` stays pure; the route calls ``answer_callback(data)`` right
after parsing (before the slow work) so the client's button stops spinning.

``poll_updates`` is the long-polling loop behind ``onboard serve --telegram-polling``.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import re
import ssl
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import certifi
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    TelegramError,
)
from telegram.ext import Application

from bot.channels.errors import (
    ChannelError,
    InvalidSignature,
    MalformedWebhook,
    MediaTooLarge,
    MediaUnavailable,
    SendFailed,
)
from bot.channels.formatting import telegram_html
from bot.channels.outbound_formats import keyboard_rows
from bot.channels.ports import SendResult, Template, json_body
from bot.channels.telegram_transport import FloodControl, TelegramRequest, send_failed
from bot.channels.telegram_updates import inbound_message
from bot.domain.channels import Webhook, WebhookRequest
from bot.domain.messages import Channel, InboundMessage, MediaRef, OutboundMessage

__all__ = [
    "ALLOWED_UPDATES",
    "TelegramChannel",
    "TelegramConfig",
    "poll_updates",
]

_log = logging.getLogger(__name__)

ALLOWED_UPDATES = ("message", "callback_query")
"""Update types we ask Telegram for (without ``callback_query`` button taps never arrive)."""

_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
_GET_FILE_MAX = 20 * 1024 * 1024  # the Bot API's getFile refuses bigger files

UpdateCallback = Callable[[dict[str, Any]], Awaitable[None]]


# --- sending helpers ---------------------------------------------------------------------


def _markup(rows: list[list[tuple[str, str]]]) -> InlineKeyboardMarkup | None:
    if not rows:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(title, callback_data=data) for title, data in row] for row in rows]
    )


def _chat_id(address: str) -> int:
    try:
        return int(address)
    except ValueError:
        raise SendFailed(
            f"not a Telegram chat id: {address!r}", transient=False, code="address"
        ) from None


# --- the channel ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TelegramConfig:
    """The Telegram channel's settings (``ONBOARD_TELEGRAM_*``)."""

    token: str
    secret_token: str
    api_url: str


class TelegramChannel:
    """One Telegram bot (``ChannelAdapter``): webhook secret, update parsing, sending and file
    downloads; ``POST /webhooks/telegram`` carries one ``Update``.

    Lifecycle: ``await start()`` / ``await stop()`` or ``async with channel:`` (initializes the
    PTB application, which calls ``getMe``). ``parse_update`` and ``check_secret`` work without
    starting.
    """

    name = Channel.TELEGRAM.value
    channel = Channel.TELEGRAM
    form_encoded = False

    @classmethod
    def from_config(cls, config: TelegramConfig) -> TelegramChannel:
        return cls(token=config.token, secret_token=config.secret_token, api_url=config.api_url)

    def __init__(
        self,
        *,
        token: str,
        secret_token: str,
        api_url: str = "https://api.telegram.org",
        timeout_s: float = 10.0,
    ) -> None:
        if not _SECRET.fullmatch(secret_token):
            raise ValueError("Telegram secret_token must be 1-256 characters of A-Za-z0-9_-")
        self._secret = secret_token.encode()
        api = api_url.rstrip("/")
        # One TLS context for both connection pools: loading the CA bundle is the slow part.
        tls = {"verify": ssl.create_default_context(cafile=certifi.where())}
        self._app = (
            Application.builder()
            .token(token)
            .updater(None)
            .base_url(f"{api}/bot")
            .base_file_url(f"{api}/file/bot")
            .request(
                TelegramRequest(
                    read_timeout=timeout_s,
                    write_timeout=timeout_s,
                    connect_timeout=timeout_s,
                    pool_timeout=timeout_s,
                    httpx_kwargs=tls,
                )
            )
            .get_updates_request(
                TelegramRequest(
                    connection_pool_size=1,
                    read_timeout=timeout_s,
                    write_timeout=timeout_s,
                    connect_timeout=timeout_s,
                    pool_timeout=timeout_s,
                    httpx_kwargs=tls,
                )
            )
            .build()
        )

    @property
    def application(self) -> Application[Any, Any, Any, Any, Any, Any]:
        """The PTB application (``process_update`` if handlers are ever mounted)."""
        return self._app

    async def start(self) -> None:
        try:
            await self._app.initialize()
        except TelegramError as exc:
            await self._app.bot.shutdown()  # close the HTTP pools opened before getMe failed
            raise ChannelError(f"Telegram start-up failed: {exc}") from exc
        await self._app.start()

    async def stop(self) -> None:
        if self._app.running:
            await self._app.stop()
        await self._app.shutdown()

    async def aclose(self) -> None:
        await self.stop()

    async def __aenter__(self) -> TelegramChannel:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    # inbound

    def check_secret(self, header_value: str | None) -> None:
        """Compare ``X-Telegram-Bot-Api-Secret-Token`` in constant time."""
        if not header_value or not hmac.compare_digest(header_value.encode(), self._secret):
            raise InvalidSignature("X-Telegram-Bot-Api-Secret-Token missing or wrong")

    def verify(self, request: WebhookRequest) -> bool:
        """``X-Telegram-Bot-Api-Secret-Token`` is the secret given to ``setWebhook``."""
        header = request.headers.get("x-telegram-bot-api-secret-token") or ""
        return bool(header) and hmac.compare_digest(header.encode(), self._secret)

    def parse(self, request: WebhookRequest, *, received_at: datetime) -> Webhook:
        """The update's message; a button tap's callback query is a receipt to answer."""
        data = json_body(request.body)
        inbound = self.parse_update(data, received_at=received_at)
        if inbound is None:
            return Webhook()
        query = data.get("callback_query")
        tapped = isinstance(query, Mapping) and query.get("id") and inbound.choice_id
        return Webhook(messages=(inbound,), receipts=(str(query["id"]),) if tapped else ())

    async def acknowledge(self, receipt: str) -> None:
        """Answers a callback query (the button stops spinning)."""
        try:
            await self._app.bot.answer_callback_query(receipt)
        except TelegramError as exc:
            raise send_failed(exc, "answerCallbackQuery") from exc

    def parse_update(
        self, data: Mapping[str, Any], *, received_at: datetime
    ) -> InboundMessage | None:
        """Normalize one ``Update``; ``None`` for updates we ignore (edits, posts, ...).

        See ``bot.channels.telegram_updates``: text, photos and documents, recordings and
        stickers (``MediaRef.kind``), locations and contacts (``unsupported``), and callback
        queries (``choice_id`` = callback data, ``text`` = the tapped button's title).
        """
        if not isinstance(data, Mapping) or not isinstance(data.get("update_id"), int):
            raise MalformedWebhook("Telegram update without an integer update_id")
        try:
            update = Update.de_json(dict(data), self._app.bot)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise MalformedWebhook(f"unreadable Telegram update: {exc!r}") from exc
        return inbound_message(update, received_at=received_at)

    async def answer_callback(self, update_data: Mapping[str, Any]) -> None:
        """Answer the update's callback query, if it has one (stops the button's spinner)."""
        query = update_data.get("callback_query")
        if not isinstance(query, Mapping) or not query.get("id"):
            return
        try:
            await self._app.bot.answer_callback_query(str(query["id"]))
        except TelegramError as exc:
            raise send_failed(exc, "answerCallbackQuery") from exc

    # outbound

    async def send(
        self, *, address: str, message: OutboundMessage, template: Template | None = None
    ) -> SendResult:
        """The text as HTML (``parse_mode=HTML``: WhatsApp's ``*bold*`` and ``_italic_`` become
        tags, everything else is escaped; see ``bot.channels.formatting``), choices as an
        inline keyboard with one button per row; attachments (URLs) follow as documents.

        ``template`` is ignored: Telegram has no messaging window. The provider id is
        ``"{chat_id}:{message_id}"`` because message ids are only unique per chat.
        """
        chat_id = _chat_id(address)
        markup = _markup(keyboard_rows(message.choices))
        bot = self._app.bot
        try:
            sent = await bot.send_message(
                chat_id=chat_id,
                text=telegram_html(message.text),
                parse_mode=ParseMode.HTML,
                reply_markup=markup,
            )
            for url in message.attachments:
                await bot.send_document(chat_id=chat_id, document=url)
        except TelegramError as exc:
            raise send_failed(exc, "sendMessage") from exc
        return SendResult(provider_message_id=f"{chat_id}:{sent.message_id}", status="sent")

    async def fetch(self, media: MediaRef, *, max_bytes: int) -> bytes:
        """``getFile`` then download from ``base_file_url`` (links last an hour, 20 MB max)."""
        try:
            file = await self._app.bot.get_file(media.provider_id)
            size, limit = file.file_size, min(max_bytes, _GET_FILE_MAX)
            if size is not None and size > limit:
                raise MediaTooLarge(
                    f"Telegram file of {size} bytes exceeds {limit}", limit=limit, size=size
                )
            data = await file.download_as_bytearray()
        except BadRequest as exc:  # unknown file id, or a file over 20 MB
            raise MediaUnavailable(f"Telegram getFile refused: {exc}") from exc
        except (FloodControl, NetworkError) as exc:
            raise MediaUnavailable(f"Telegram file unreachable: {exc}", transient=True) from exc
        except TelegramError as exc:
            raise MediaUnavailable(f"Telegram file unavailable: {exc}") from exc
        if len(data) > max_bytes:
            raise MediaTooLarge(
                f"Telegram file of {len(data)} bytes exceeds {max_bytes}",
                limit=max_bytes,
                size=len(data),
            )
        return bytes(data)

    # set-up

    async def set_webhook(self, url: str, secret_token: str | None = None) -> None:
        """Register ``url`` with the secret (``onboard telegram set-webhook``)."""
        try:
            await self._app.bot.set_webhook(
                url=url,
                secret_token=secret_token or self._secret.decode(),
                allowed_updates=list(ALLOWED_UPDATES),
            )
        except TelegramError as exc:
            raise ChannelError(f"setWebhook failed: {exc}") from exc

    async def delete_webhook(self) -> None:
        try:
            await self._app.bot.delete_webhook()
        except TelegramError as exc:
            raise ChannelError(f"deleteWebhook failed: {exc}") from exc


async def poll_updates(
    channel: TelegramChannel,
    on_update: UpdateCallback,
    *,
    long_poll_s: int = 30,
    max_backoff_s: float = 30.0,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> None:
    """Long-poll ``getUpdates`` and hand each update, as a dict, to ``on_update``; runs until
    cancelled. The channel must be started.

    The webhook is deleted first (Telegram refuses ``getUpdates`` while one is set). The
    offset moves past an update once ``on_update`` returns or raises (a failing update is
    logged, not retried forever), so ``on_update`` should record the update before slow work.
    Flood control waits ``retry_after``; network errors back off exponentially; an invalid
    token or a conflicting poller stops the loop with ``ChannelError``.
    """
    await channel.delete_webhook()
    bot = channel.application.bot
    offset: int | None = None
    backoff = 1.0
    while True:
        try:
            updates = await bot.get_updates(
                offset=offset, timeout=long_poll_s, allowed_updates=list(ALLOWED_UPDATES)
            )
        except FloodControl as exc:
            await sleep(exc.seconds)
            continue
        except (InvalidToken, Forbidden, Conflict) as exc:
            raise ChannelError(f"Telegram polling stopped: {exc}") from exc
        except TelegramError as exc:
            _log.warning("telegram getUpdates failed (%s); retrying in %.0f s", exc, backoff)
            await sleep(backoff)
            backoff = min(backoff * 2, max_backoff_s)
            continue
        backoff = 1.0
        for update in updates:
            offset = update.update_id + 1
            try:
                await on_update(json.loads(update.to_json()))
            except Exception:
                _log.exception(
                    "telegram update %s failed in the polling callback", update.update_id
                )
