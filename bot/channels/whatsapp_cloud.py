"""WhatsApp through Meta's Cloud API (Graph API) as a channel adapter: webhook verification
and parsing; sending and the two-step media download are ``CloudSender`` and
``CloudMediaFetcher`` (``bot.channels.whatsapp_cloud_sender``).

Webhooks: ``verify_handshake`` answers the ``GET`` subscription check (plain-text challenge);
``verify_signature`` checks ``X-Hub-Signature-256`` over the *raw* body bytes (re-serialized
JSON breaks on accents and emoji); ``parse_webhook`` reads every entry, change, message and
status of one delivery. ``CloudAdapter`` is the ``ChannelAdapter`` over them.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.channels.errors import InvalidSignature, MalformedWebhook
from bot.channels.media_kinds import AUDIO, FILE, STICKER, VIDEO, media_kind
from bot.channels.ports import json_body
from bot.channels.whatsapp_cloud_sender import (
    TRANSIENT_ERROR_CODES,
    CloudMediaFetcher,
    CloudSender,
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
    "TRANSIENT_ERROR_CODES",
    "CloudAdapter",
    "CloudConfig",
    "CloudMediaFetcher",
    "CloudSender",
    "parse_webhook",
    "signature_matches",
    "verify_handshake",
    "verify_signature",
]

# Message types carrying one media id, with the ``MediaRef.kind`` each declares.
_MEDIA_TYPES = {"image": FILE, "document": FILE, "audio": AUDIO, "video": VIDEO, "sticker": STICKER}
# Message types the bot cannot use that carry no file: ``InboundMessage.unsupported``.
_UNSUPPORTED_TYPES = {"location": "location", "contacts": "contact"}
_IGNORED_TYPES = frozenset({"reaction", "system", "ephemeral"})

# --- webhook verification ------------------------------------------------------------------


def verify_handshake(params: Mapping[str, str], verify_token: str) -> str:
    """Answer Meta's ``GET`` subscription check: returns ``hub.challenge`` (send as text/plain)."""
    if params.get("hub.mode") != "subscribe":
        raise MalformedWebhook("hub.mode is not 'subscribe'")
    token = params.get("hub.verify_token") or ""
    if not hmac.compare_digest(token.encode(), verify_token.encode()):
        raise InvalidSignature("hub.verify_token does not match")
    challenge = params.get("hub.challenge")
    if not challenge:
        raise MalformedWebhook("hub.challenge missing")
    return challenge


def verify_signature(raw_body: bytes, header: str | None, app_secret: str) -> None:  # noqa: PLR0917
    """Check ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, raw body)>``."""
    if not header or not header.startswith("sha256="):
        raise InvalidSignature("X-Hub-Signature-256 missing")
    if not signature_matches(raw_body, header=header, app_secret=app_secret):
        raise InvalidSignature("X-Hub-Signature-256 does not match")


def signature_matches(raw_body: bytes, *, header: str | None, app_secret: str) -> bool:
    """Whether ``X-Hub-Signature-256`` is the HMAC of the raw body (compared in constant time)."""
    if not header or not header.startswith("sha256="):
        return False
    expected = hmac.new(app_secret.encode(), raw_body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(header[len("sha256=") :].strip().lower().encode(), expected.encode())


# --- webhook parsing -----------------------------------------------------------------------


def _list(container: Mapping[str, Any], key: str) -> list[Any]:
    value = container.get(key, [])
    if not isinstance(value, list):
        raise MalformedWebhook(f"{key} is not a list")
    return value


def _dict(value: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise MalformedWebhook(f"{what} is not an object")
    return value


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str | int) or value == "":
        raise MalformedWebhook(f"{what} missing")
    return str(value)


def _timestamp(value: Any) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(value), tz=UTC)
    except (TypeError, ValueError, OverflowError):
        return None


def _message(
    raw: Mapping[str, Any], *, names: Mapping[str, str], received_at: datetime
) -> InboundMessage | None:
    kind = _text(raw.get("type"), "message type")
    if kind in _IGNORED_TYPES:
        return None
    sender = _text(raw.get("from"), "message from")
    text, choice_id = "", ""
    media: tuple[MediaRef, ...] = ()
    if kind == "text":
        text = str(_dict(raw.get("text"), "text").get("body", ""))
    elif kind in _MEDIA_TYPES:
        body = _dict(raw.get(kind), kind)
        content_type = str(body.get("mime_type", ""))
        media = (
            MediaRef(
                url="",
                content_type=content_type,
                provider_id=_text(body.get("id"), f"{kind} id"),
                filename=str(body.get("filename", "")),
                kind=media_kind(content_type, declared=_MEDIA_TYPES[kind]),
            ),
        )
        text = str(body.get("caption", ""))
    elif kind == "interactive":
        body = _dict(raw.get("interactive"), "interactive")
        reply = body.get("button_reply") or body.get("list_reply")
        if isinstance(reply, Mapping):
            choice_id = _text(reply.get("id"), "interactive reply id")
            text = str(reply.get("title", ""))
    elif kind == "button":  # quick-reply button of a template
        body = _dict(raw.get("button"), "button")
        choice_id = str(body.get("payload", ""))
        text = str(body.get("text", ""))
    return InboundMessage(
        channel=Channel.WHATSAPP_CLOUD,
        address=f"+{sender.lstrip('+')}",
        text=text,
        external_id=_text(raw.get("id"), "message id"),
        received_at=received_at,
        media=media,
        profile_name=names.get(sender, ""),
        choice_id=choice_id,
        unsupported=_UNSUPPORTED_TYPES.get(kind, ""),
    )


def _status(raw: Mapping[str, Any]) -> DeliveryStatus:
    errors = raw.get("errors")
    code = None
    if isinstance(errors, list) and errors and isinstance(errors[0], Mapping):
        code = str(errors[0].get("code")) if errors[0].get("code") is not None else None
    return DeliveryStatus(
        provider_message_id=_text(raw.get("id"), "status id"),
        status=_text(raw.get("status"), "status").lower(),
        error_code=code,
        at=_timestamp(raw.get("timestamp")),
    )


def parse_webhook(
    data: Mapping[str, Any], *, received_at: datetime, phone_number_id: str | None = None
) -> tuple[list[InboundMessage], list[DeliveryStatus]]:
    """Every message and status of one webhook delivery (entries, changes, messages, statuses).

    ``address`` is ``+`` + the sender's wa_id (E.164, like Twilio's); ``external_id`` is the
    wamid; reactions and system notices are skipped. Audio (voice notes too), video and
    stickers set ``MediaRef.kind``; a location or shared contacts set ``unsupported``. With
    ``phone_number_id`` given, changes addressed to other numbers of the same app are ignored.
    """
    data = _dict(data, "webhook")
    if data.get("object") != "whatsapp_business_account":
        raise MalformedWebhook(f"unexpected object {data.get('object')!r}")
    messages: list[InboundMessage] = []
    statuses: list[DeliveryStatus] = []
    for entry in _list(data, "entry"):
        for change in _list(_dict(entry, "entry"), "changes"):
            change = _dict(change, "change")
            if change.get("field", "messages") != "messages":
                continue
            value = _dict(change.get("value"), "change value")
            metadata = value.get("metadata")
            if phone_number_id is not None and isinstance(metadata, Mapping):
                if str(metadata.get("phone_number_id", "")) != phone_number_id:
                    continue
            names = {
                str(contact.get("wa_id", "")): str(contact.get("profile", {}).get("name", ""))
                for contact in _list(value, "contacts")
                if isinstance(contact, Mapping) and isinstance(contact.get("profile", {}), Mapping)
            }
            for raw in _list(value, "messages"):
                parsed = _message(_dict(raw, "message"), names=names, received_at=received_at)
                if parsed is not None:
                    messages.append(parsed)
            statuses.extend(_status(_dict(raw, "status")) for raw in _list(value, "statuses"))
    return messages, statuses


# --- the adapter ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CloudConfig:
    """The Cloud API channel's settings (``ONBOARD_WHATSAPP_*``)."""

    token: str
    phone_number_id: str
    app_secret: str
    verify_token: str
    api_url: str


class CloudAdapter:
    """WhatsApp through Meta's Cloud API (``ChannelAdapter``): ``GET /webhooks/whatsapp`` is the
    verify-token handshake (the challenge as plain text), ``POST`` carries messages and
    statuses of every entry."""

    name = Channel.WHATSAPP_CLOUD.value
    channel = Channel.WHATSAPP_CLOUD
    form_encoded = False

    def __init__(self, config: CloudConfig) -> None:
        self.config = config
        self.sender = CloudSender(
            token=config.token, phone_number_id=config.phone_number_id, api_url=config.api_url
        )
        self.media = CloudMediaFetcher(token=config.token, api_url=config.api_url)

    def verify(self, request: WebhookRequest) -> bool:
        if request.method != "POST":
            if request.query.get("hub.mode") != "subscribe":
                raise MalformedWebhook("hub.mode is not 'subscribe'")
            token = request.query.get("hub.verify_token") or ""
            return hmac.compare_digest(token.encode(), self.config.verify_token.encode())
        return signature_matches(
            request.body,
            header=request.headers.get("x-hub-signature-256"),
            app_secret=self.config.app_secret,
        )

    def parse(self, request: WebhookRequest, *, received_at: datetime) -> Webhook:
        if request.method != "POST":
            challenge = request.query.get("hub.challenge")
            if not challenge:
                raise MalformedWebhook("hub.challenge missing")
            return Webhook(answer=WebhookAnswer(200, challenge, "text/plain"))
        messages, statuses = parse_webhook(
            json_body(request.body),
            received_at=received_at,
            phone_number_id=self.config.phone_number_id,
        )
        return Webhook(messages=tuple(messages), statuses=tuple(statuses))

    async def acknowledge(self, receipt: str) -> None:
        """Meta has nothing to acknowledge beyond the webhook's answer."""

    async def send(
        self, *, address: str, message: OutboundMessage, template: Template | None = None
    ) -> SendResult:
        return await self.sender.send(address=address, message=message, template=template)

    async def fetch(self, media: MediaRef, *, max_bytes: int) -> bytes:
        return await self.media.fetch(media, max_bytes=max_bytes)

    async def start(self) -> None:
        """The clients open on first use, inside the running loop."""

    async def aclose(self) -> None:
        await self.sender.aclose()
        await self.media.aclose()
