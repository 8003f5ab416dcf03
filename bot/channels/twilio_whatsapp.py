"""WhatsApp through Twilio as a channel adapter: verify and parse webhooks; sending and media
downloads are ``TwilioSender`` and ``TwilioMediaFetcher`` (``bot.channels.twilio_sender``).

Inbound: ``parse_inbound`` / ``parse_status`` check ``X-Twilio-Signature`` with twilio's own
``RequestValidator`` against the public URL Twilio called (the caller rebuilds it from
``ONBOARD_PUBLIC_URL``; the request's Host is not trusted behind a proxy), then read the form.
``TwilioAdapter`` is the ``ChannelAdapter`` the webhook handler and the workers use: the same
checks and readers, the sender and the fetcher behind one object.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from twilio.request_validator import RequestValidator

from bot.channels.errors import InvalidSignature, MalformedWebhook
from bot.channels.media_kinds import AUDIO, FILE, STICKER, VIDEO, is_vcard, media_kind
from bot.channels.twilio_sender import (
    LOOKUP_SKEW,
    WINDOW_CLOSED_CODE,
    TwilioMediaFetcher,
    TwilioSender,
)
from bot.domain.channels import (
    DeliveryStatus,
    SendResult,
    Template,
    Webhook,
    WebhookAnswer,
    WebhookRequest,
)
from bot.domain.messages import Channel, InboundMessage, MediaRef, OutboundMessage

__all__ = [
    "LOOKUP_SKEW",
    "WINDOW_CLOSED_CODE",
    "TwilioAdapter",
    "TwilioConfig",
    "TwilioMediaFetcher",
    "TwilioSender",
    "parse_inbound",
    "parse_status",
    "read_inbound",
    "read_status",
]

_PREFIX = "whatsapp:"
_EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


# --- inbound -------------------------------------------------------------------------------


def _verify(*, form: Mapping[str, str], url: str, signature: str | None, auth_token: str) -> None:
    if not signature:
        raise InvalidSignature("missing X-Twilio-Signature")
    # The validator reads every value of a repeated key through getall/getlist when the mapping
    # has them (the webhook routes' FormFields does), so pass the form through untouched.
    if not RequestValidator(auth_token).validate(url, form, signature):
        raise InvalidSignature("X-Twilio-Signature does not match")


def _required(form: Mapping[str, str], name: str) -> str:
    value = form.get(name)
    if not value:
        raise MalformedWebhook(f"Twilio webhook without {name}")
    return value


def _address(value: str) -> str:
    if not value.startswith(_PREFIX) or len(value) <= len(_PREFIX):
        raise MalformedWebhook(f"not a WhatsApp address: {value!r}")
    return value[len(_PREFIX) :]


def _kind(message_type: str, content_type: str) -> str:
    """``MediaRef.kind`` from ``MessageType`` (for the whole message) and the file's MIME type."""
    if message_type == STICKER:  # a WebP image, which the MIME type alone cannot tell
        return STICKER
    declared = message_type if message_type in (AUDIO, VIDEO) else FILE
    return media_kind(content_type, declared=declared)


def _media(form: Mapping[str, str]) -> tuple[tuple[MediaRef, ...], str]:
    """The attachments, and what the bot cannot use (``InboundMessage.unsupported``): a
    location (``Latitude``/``Longitude``, no media) or a contact (a vCard, left out of them)."""
    raw = form.get("NumMedia") or "0"
    try:
        count = int(raw)
    except ValueError:
        raise MalformedWebhook(f"NumMedia is not a number: {raw!r}") from None
    if not 0 <= count <= 10:
        raise MalformedWebhook(f"NumMedia out of range: {count}")
    message_type = (form.get("MessageType") or "").lower()
    located = message_type == "location" or bool(form.get("Latitude") and form.get("Longitude"))
    unsupported = "location" if located else ""
    refs: list[MediaRef] = []
    for index in range(count):
        url = _required(form, f"MediaUrl{index}")
        content_type = form.get(f"MediaContentType{index}", "")
        if is_vcard(content_type):
            unsupported = unsupported or "contact"
            continue
        refs.append(
            MediaRef(
                url=url,
                content_type=content_type,
                provider_id=urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1],
                kind=_kind(message_type, content_type),
            )
        )
    return tuple(refs), unsupported


def parse_inbound(
    *,
    form: Mapping[str, str],
    url: str,
    signature: str | None,
    auth_token: str,
    received_at: datetime,
) -> InboundMessage:
    """Verify and normalize one inbound WhatsApp message posted by Twilio.

    ``url`` is the full public URL Twilio called (scheme, host, path and query). Unknown fields
    are ignored (Twilio adds some without notice). A quick-reply tap fills ``choice_id`` from
    ``ButtonPayload``; ``address`` is ``From`` without ``whatsapp:`` (E.164).

    ``MessageType`` and each ``MediaContentType{i}`` set ``MediaRef.kind`` (audio, video,
    sticker or file). A location (``Latitude``/``Longitude``, no media) sets
    ``unsupported="location"``; a shared contact arrives as a vCard, which sets
    ``unsupported="contact"`` and is not kept as media.
    """
    _verify(form=form, url=url, signature=signature, auth_token=auth_token)
    return read_inbound(form, received_at=received_at)


def read_inbound(form: Mapping[str, str], *, received_at: datetime) -> InboundMessage:
    """One inbound message from an already verified form (see ``parse_inbound``)."""
    message_sid = _required(form, "MessageSid")
    address = _address(_required(form, "From"))
    media, unsupported = _media(form)
    text = form.get("Body") or form.get("ButtonText") or ""
    return InboundMessage(
        channel=Channel.TWILIO_WHATSAPP,
        address=address,
        text=text,
        external_id=message_sid,
        received_at=received_at,
        media=media,
        profile_name=form.get("ProfileName", ""),
        choice_id=form.get("ButtonPayload", ""),
        unsupported=unsupported,
    )


def parse_status(
    *, form: Mapping[str, str], url: str, signature: str | None, auth_token: str
) -> DeliveryStatus:
    """Verify and read one status callback (``MessageStatus`` with ``ErrorCode`` on failures).

    Twilio's callbacks carry no event time, so ``at`` is ``None``: the caller stamps it.
    """
    _verify(form=form, url=url, signature=signature, auth_token=auth_token)
    return read_status(form)


def read_status(form: Mapping[str, str]) -> DeliveryStatus:
    """One status callback from an already verified form (see ``parse_status``)."""
    return DeliveryStatus(
        provider_message_id=_required(form, "MessageSid"),
        status=_required(form, "MessageStatus").lower(),
        error_code=form.get("ErrorCode") or None,
        at=None,
    )


# --- the adapter ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TwilioConfig:
    """The Twilio channel's settings (``ONBOARD_TWILIO_*``)."""

    account_sid: str
    auth_token: str
    from_number: str
    api_url: str
    status_callback: str | None = None


class TwilioAdapter:
    """WhatsApp through Twilio (``ChannelAdapter``): ``POST /webhooks/twilio`` carries a
    message (answered with empty TwiML), ``/webhooks/twilio/status`` a delivery status (204)."""

    name = Channel.TWILIO_WHATSAPP.value
    channel = Channel.TWILIO_WHATSAPP
    form_encoded = True

    def __init__(self, config: TwilioConfig) -> None:
        self.config = config
        self._validator = RequestValidator(config.auth_token)
        self.sender = TwilioSender(
            account_sid=config.account_sid,
            auth_token=config.auth_token,
            from_number=config.from_number,
            api_url=config.api_url,
            status_callback=config.status_callback,
        )
        self.media = TwilioMediaFetcher(
            account_sid=config.account_sid, auth_token=config.auth_token
        )

    def verify(self, request: WebhookRequest) -> bool:
        signature = request.headers.get("x-twilio-signature")
        # The validator reads every value of a repeated key through getall/getlist when the
        # mapping has them (the handler's form does), so the form goes through untouched.
        return bool(signature) and bool(
            self._validator.validate(request.url, request.form, signature)
        )

    def parse(self, request: WebhookRequest, *, received_at: datetime) -> Webhook:
        if request.path == "/status":
            return Webhook(statuses=(read_status(request.form),), answer=WebhookAnswer(204))
        return Webhook(
            messages=(read_inbound(request.form, received_at=received_at),),
            answer=WebhookAnswer(200, _EMPTY_TWIML, "text/xml"),
        )

    async def acknowledge(self, receipt: str) -> None:
        """Twilio has nothing to acknowledge beyond the webhook's answer."""

    async def send(
        self, *, address: str, message: OutboundMessage, template: Template | None = None
    ) -> SendResult:
        return await self.sender.send(address=address, message=message, template=template)

    async def find_sent(
        self,
        *,
        address: str,
        message: OutboundMessage,
        template: Template | None,
        since: datetime,
        known: Collection[str],
    ) -> SendResult | None:
        """``SentLookup``: Twilio's record of a message that may have been sent."""
        return await self.sender.find_sent(
            address=address, message=message, template=template, since=since, known=known
        )

    async def fetch(self, media: MediaRef, *, max_bytes: int) -> bytes:
        return await self.media.fetch(media, max_bytes=max_bytes)

    async def start(self) -> None:
        """The clients open on first use, inside the running loop."""

    async def aclose(self) -> None:
        await self.sender.aclose()
        await self.media.aclose()
