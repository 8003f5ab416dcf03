"""The channel adapter protocol: what the webhook handler, the outbox worker and the document
worker need from a messaging provider (Twilio WhatsApp, Meta's WhatsApp Cloud API, Telegram),
and the errors every adapter raises.

An adapter (``ChannelAdapter``) does four things the same way for every provider:

- ``verify(request)``: is this webhook request proven to come from the provider?
- ``parse(request, received_at=)``: the messages and delivery statuses it carries, and what to
  answer the provider (``Webhook``);
- ``send(address=, message=, template=)``: one outbound message (``SendResult``);
- ``fetch(media, max_bytes=)``: one inbound attachment's bytes.

The concrete adapters live in ``bot.channels``; the composition root (``bot.bootstrap``) builds
them and hands them to the workers, which only know this module.

Exception tree::

    ChannelError                 root of every channel failure
    ├── InvalidSignature         forged, missing or wrong signature or secret: 403, store nothing
    ├── MalformedWebhook         a signed request we cannot read: answer 400
    ├── SendFailed               an outbound message was not accepted by the provider
    │                              .transient: retry later (timeouts, 5xx, 429, Meta throttling)
    │                              .retry_after: seconds the provider asked us to wait, if any
    │                              .code: the provider's error code ("63016", "130429", "429", ...)
    │                              .maybe_sent: the request may have reached the provider (5xx,
    │                                read timeout): a retry can duplicate the message
    ├── MediaTooLarge            a file is bigger than the caller's ``max_bytes``
    └── MediaUnavailable         a file cannot be downloaded (.transient: worth another try)

Adapters catch library exceptions (``TwilioRestException``, ``telegram.error.*``,
``httpx.HTTPError``) at the edge and raise one of these ``from`` the original.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, runtime_checkable

from bot.domain.messages import Channel, InboundMessage, MediaRef, OutboundMessage

__all__ = [
    "ChannelAdapter",
    "ChannelError",
    "ChannelSender",
    "DeliveryStatus",
    "InvalidSignature",
    "MalformedWebhook",
    "MediaFetcher",
    "MediaTooLarge",
    "MediaUnavailable",
    "SendFailed",
    "SendResult",
    "SentLookup",
    "Template",
    "Webhook",
    "WebhookAnswer",
    "WebhookRequest",
]


# --- errors ----------------------------------------------------------------------------------


class ChannelError(Exception):
    """Root of every error raised by a channel adapter."""


class InvalidSignature(ChannelError):
    """The request is not proven to come from the provider (the route answers 403)."""


class MalformedWebhook(ChannelError):
    """The request is authentic but lacks fields we need (the route answers 400)."""


class SendFailed(ChannelError):
    """The provider did not accept an outbound message.

    The outbox worker retries when ``transient`` is true, waiting at least ``retry_after``
    seconds when the provider said so; otherwise the message is dead-lettered.
    """

    def __init__(
        self,
        message: str,
        *,
        transient: bool,
        retry_after: float | None = None,
        code: str | None = None,
        maybe_sent: bool = False,
    ) -> None:
        super().__init__(message)
        self.transient = transient
        self.retry_after = retry_after
        self.code = code
        self.maybe_sent = maybe_sent

    def __repr__(self) -> str:
        return (
            f"SendFailed({str(self)!r}, transient={self.transient}, "
            f"retry_after={self.retry_after}, code={self.code!r})"
        )


class MediaTooLarge(ChannelError):
    """The file is larger than the limit the caller gave."""

    def __init__(self, message: str, *, limit: int, size: int | None = None) -> None:
        super().__init__(message)
        self.limit = limit
        self.size = size


class MediaUnavailable(ChannelError):
    """The file cannot be fetched (expired link, unknown id, provider or network failure)."""

    def __init__(self, message: str, *, transient: bool = False) -> None:
        super().__init__(message)
        self.transient = transient


# --- values ----------------------------------------------------------------------------------


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


@dataclass(frozen=True, slots=True)
class WebhookRequest:
    """One webhook request as the adapters read it, whatever the web framework.

    ``path`` is the part after the provider's route (``""`` or ``"/status"``); ``url`` is the
    public URL the provider called (rebuilt from ``ONBOARD_PUBLIC_URL``: behind a proxy the
    request's Host is not the one signed); ``headers`` have lower-case names; ``form`` is the
    posted form (each field's values in order) for providers that post forms, else empty.
    """

    method: str
    path: str
    url: str
    headers: Mapping[str, str]
    query: Mapping[str, str]
    body: bytes = b""
    form: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class WebhookAnswer:
    """What the provider is answered once the request is handled."""

    status: int = 200
    body: str = ""
    media_type: str | None = None


@dataclass(frozen=True, slots=True)
class Webhook:
    """What one webhook request carried: messages for the inbox, delivery statuses to record,
    ``receipts`` the adapter acknowledges at once (Telegram's callback queries, so the button
    stops spinning), and the answer."""

    messages: tuple[InboundMessage, ...] = ()
    statuses: tuple[DeliveryStatus, ...] = ()
    receipts: tuple[str, ...] = ()
    answer: WebhookAnswer = WebhookAnswer()


# --- ports -----------------------------------------------------------------------------------


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


class ChannelAdapter(ChannelSender, MediaFetcher, Protocol):
    """One messaging provider, the same shape for all three.

    ``verify`` returns False for a request not proven to come from the provider (403; it may
    raise ``MalformedWebhook`` for one it cannot even check, 400); ``parse`` raises
    ``MalformedWebhook``. ``start``/``aclose`` open and close the adapter's clients inside
    the running event loop.
    """

    name: str
    """The channel's value (``Channel.value``): the key of its outbox rows and documents."""
    channel: Channel
    form_encoded: bool
    """True when the provider posts forms (the handler reads ``WebhookRequest.form``)."""

    def verify(self, request: WebhookRequest) -> bool: ...

    def parse(self, request: WebhookRequest, *, received_at: datetime) -> Webhook: ...

    async def acknowledge(self, receipt: str) -> None: ...

    async def start(self) -> None: ...

    async def aclose(self) -> None: ...
