"""Telegram's HTTP transport and error mapping, beside ``TelegramChannel``.

``TelegramRequest`` is PTB's httpx transport turning ``429 + retry_after`` into
``FloodControl`` (PTB 22's own ``RetryAfter`` always warns); ``send_failed`` maps PTB's
exceptions to ``SendFailed`` by class, never by message text.
"""

from __future__ import annotations

import json
from typing import Any

from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.request import BaseRequest, HTTPXRequest, RequestData

from bot.channels.errors import SendFailed
from bot.domain.retrying import retry_after_seconds

__all__ = ["FloodControl", "TelegramRequest", "send_failed"]


class FloodControl(TelegramError):
    """A 429 carrying ``parameters.retry_after``, raised before PTB builds ``RetryAfter``.

    PTB 22's ``RetryAfter.__init__`` reads its own deprecated ``retry_after`` property and so
    always emits ``PTBDeprecationWarning``; raising this first keeps warnings out and gives
    us the delay as a float.
    """

    def __init__(self, seconds: float) -> None:
        super().__init__(f"Flood control exceeded. Retry in {seconds} seconds")
        self.seconds = seconds


def _retry_after(payload: bytes) -> float | None:
    try:
        body = json.loads(payload)
        value = body["parameters"]["retry_after"]
    except (ValueError, KeyError, TypeError):
        return None
    seconds = retry_after_seconds(value) if isinstance(value, int | float) else None
    return seconds or None  # 0 says nothing: PTB's own handling of a 429 applies


class TelegramRequest(HTTPXRequest):
    """PTB's httpx transport, turning ``429 + retry_after`` into ``FloodControl``."""

    async def do_request(  # noqa: PLR0917 - PTB's BaseRequest.do_request signature
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        code, payload = await super().do_request(
            url=url,
            method=method,
            request_data=request_data,
            read_timeout=read_timeout,
            write_timeout=write_timeout,
            connect_timeout=connect_timeout,
            pool_timeout=pool_timeout,
        )
        if code == 429 and (seconds := _retry_after(payload)) is not None:
            raise FloodControl(seconds)
        return code, payload


# (class, transient, code, maybe_sent), first match wins: BadRequest before NetworkError, its base
_ERROR_CLASSES: tuple[tuple[type[TelegramError], bool, str, bool], ...] = (
    (RetryAfter, True, "429", False),  # only if a request bypassed TelegramRequest
    (BadRequest, False, "400", False),
    (TimedOut, True, "timeout", True),
    (NetworkError, True, "network", True),  # 5xx, 429 without retry_after, transport errors
    (Forbidden, False, "403", False),  # the client blocked the bot
    (InvalidToken, False, "401", False),
    (ChatMigrated, False, "chat_migrated", False),
)


def send_failed(exc: TelegramError, action: str) -> SendFailed:
    """Map PTB's exceptions by class, never by message text."""
    if isinstance(exc, FloodControl):
        return SendFailed(f"{action}: {exc}", transient=True, retry_after=exc.seconds, code="429")
    for cls, transient, code, maybe_sent in _ERROR_CLASSES:
        if isinstance(exc, cls):
            return SendFailed(
                f"{action}: {exc}", transient=transient, code=code, maybe_sent=maybe_sent
            )
    return SendFailed(f"{action}: {exc}", transient=False, code=exc.__class__.__name__)
