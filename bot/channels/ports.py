"""Ports between the delivery/intake services and the channel adapters.

``ChannelSender`` and ``MediaFetcher`` are what the outbox worker and the document intake call;
each provider module implements them, tests use the fakes in ``tests/fakes``. A sender that
can also tell whether a message it may have sent reached the provider implements
``SentLookup`` (Twilio does, through its message list; Telegram and Meta have no such query).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, runtime_checkable

from bot.channels.errors import MediaTooLarge
from bot.domain.messages import MediaRef, OutboundMessage

__all__ = [
    "ChannelSender",
    "DeliveryStatus",
    "MediaFetcher",
    "SendResult",
    "SentLookup",
    "Template",
    "read_capped",
]


@dataclass(frozen=True, slots=True)
class SendResult:
    """The provider accepted a message: its id (for status callbacks) and first status."""

    provider_message_id: str
    status: str


@dataclass(frozen=True, slots=True)
class DeliveryStatus:
    """A delivery report (Twilio status callback, Meta ``statuses[]``).

    ``status`` is the provider's word (queued, sent, delivered, read, failed, undelivered);
    reports arrive out of order, so the caller only moves a message's status forward.
    """

    provider_message_id: str
    status: str
    error_code: str | None = None
    at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Template:
    """An approved WhatsApp template for business-initiated messages outside the 24 h window.

    Twilio: ``content_sid`` is the Content SID (``HX`` + 32 hex) and ``variables`` become
    ``ContentVariables`` (JSON, keys "1", "2", ...).
    Meta Cloud API: ``content_sid`` is the template *name*, ``variables`` are the body
    parameters (numeric keys are sent positionally in numeric order, other keys as named
    parameters) and ``language`` is the template language code (empty: the sender's default,
    ``pt_BR``). Telegram has no templates and ignores it.
    """

    content_sid: str
    variables: dict[str, str] = field(default_factory=dict)
    language: str = ""


class ChannelSender(Protocol):
    """Sends one outbound message; raises ``SendFailed`` and never retries by itself."""

    async def send(
        self, *, address: str, message: OutboundMessage, template: Template | None = None
    ) -> SendResult: ...


@runtime_checkable
class SentLookup(Protocol):
    """A sender that can find a message it may have sent (a crash or a 5xx after the request
    left): the provider's record of it, or ``None`` when the provider has none. Raises
    ``SendFailed`` when the provider cannot tell now."""

    async def find_sent(
        self,
        *,
        address: str,
        message: OutboundMessage,
        template: Template | None,
        since: datetime,
        known: Collection[str],
    ) -> SendResult | None:
        """``since``: when the attempt started (our clock); ``known``: provider ids already
        recorded for this conversation, which are not the message looked for."""
        ...


class MediaFetcher(Protocol):
    """Downloads an inbound attachment; raises ``MediaTooLarge`` or ``MediaUnavailable``."""

    async def fetch(self, media: MediaRef, *, max_bytes: int) -> bytes: ...


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
