"""Ports between the delivery/intake workers and the channel adapters.

The protocol (``ChannelAdapter``, ``ChannelSender``, ``MediaFetcher``, ``SentLookup``) and its
values live in ``bot.domain.channels``, so the workers depend on it without importing the
channels; this module re-exports them for the adapters and adds what several adapters use:
``read_capped`` (a capped download) and ``json_body`` (a webhook's JSON).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from bot.domain.channels import (
    ChannelAdapter,
    ChannelSender,
    DeliveryStatus,
    MalformedWebhook,
    MediaFetcher,
    MediaTooLarge,
    SendResult,
    SentLookup,
    Template,
)

__all__ = [
    "ChannelAdapter",
    "ChannelSender",
    "DeliveryStatus",
    "MediaFetcher",
    "SendResult",
    "SentLookup",
    "Template",
    "json_body",
    "read_capped",
]


async def read_capped(
    chunks: AsyncIterator[bytes], *, declared_length: int | None, max_bytes: int
) -> bytes:
    """Collect a streamed body, refusing it as soon as it exceeds ``max_bytes``.

    ``declared_length`` (a Content-Length or a provider's file size) is checked first so an
    oversized file is refused before a byte of it is read.
    """
    if declared_length is not None and declared_length > max_bytes:
        raise MediaTooLarge(
            f"file of {declared_length} bytes exceeds {max_bytes}",
            limit=max_bytes,
            size=declared_length,
        )
    buffer = bytearray()
    async for chunk in chunks:
        buffer += chunk
        if len(buffer) > max_bytes:
            raise MediaTooLarge(f"file exceeds {max_bytes} bytes", limit=max_bytes)
    return bytes(buffer)


def json_body(raw: bytes) -> Any:
    """A webhook's JSON body; ``MalformedWebhook`` (400) when it is not JSON."""
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise MalformedWebhook(f"body is not JSON: {exc}") from exc
