"""The shared pieces: capped reads, Retry-After parsing, error fields, the ports."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.channels.errors import ChannelError, MediaTooLarge, SendFailed
from bot.channels.ports import ChannelSender, MediaFetcher, read_capped
from bot.channels.telegram import TelegramChannel
from bot.channels.twilio_whatsapp import TwilioMediaFetcher, TwilioSender
from bot.channels.whatsapp_cloud import CloudMediaFetcher, CloudSender


async def _chunks(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


async def test_read_capped_collects_up_to_the_limit() -> None:
    data = await read_capped(_chunks(b"abc", b"def"), declared_length=None, max_bytes=6)

    assert data == b"abcdef"


async def test_read_capped_stops_a_stream_without_length() -> None:
    consumed: list[bytes] = []

    async def endless() -> AsyncIterator[bytes]:
        while True:
            consumed.append(b"x" * 100)
            yield b"x" * 100

    with pytest.raises(MediaTooLarge) as failure:
        await read_capped(endless(), declared_length=None, max_bytes=250)

    assert len(consumed) == 3  # stopped as soon as the limit was crossed
    assert failure.value.limit == 250


async def test_read_capped_refuses_a_declared_length_before_reading() -> None:
    with pytest.raises(MediaTooLarge) as failure:
        await read_capped(_chunks(b"never read"), declared_length=10_001, max_bytes=10_000)

    assert failure.value.size == 10_001


def test_send_failed_carries_its_classification() -> None:
    failure = SendFailed("boom", transient=True, retry_after=3.0, code="429")

    assert isinstance(failure, ChannelError)
    assert (failure.transient, failure.retry_after, failure.code, failure.maybe_sent) == (
        True,
        3.0,
        "429",
        False,
    )
    assert "transient=True" in repr(failure)


def test_adapters_implement_the_ports() -> None:
    # Checked by mypy (assignments to the Protocol types) and at run time by attribute.
    senders: list[type[ChannelSender]] = [TwilioSender, CloudSender, TelegramChannel]
    fetchers: list[type[MediaFetcher]] = [TwilioMediaFetcher, CloudMediaFetcher, TelegramChannel]
    assert all(callable(getattr(cls, "send", None)) for cls in senders)
    assert all(callable(getattr(cls, "fetch", None)) for cls in fetchers)
