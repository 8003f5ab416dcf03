"""Channel-neutral messages: what adapters produce from webhooks and what the dialogue returns."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from bot.domain.documents import DocumentReading


class Channel(StrEnum):
    WEB = "web"
    TERMINAL = "terminal"
    TWILIO_WHATSAPP = "twilio_whatsapp"
    TELEGRAM = "telegram"
    WHATSAPP_CLOUD = "whatsapp_cloud"


@dataclass(frozen=True, slots=True)
class MediaRef:
    """A file attached to an inbound message, not yet downloaded (``url`` or a provider id)."""

    url: str
    content_type: str = ""
    provider_id: str = ""
    filename: str = ""
    # What the provider says the file is: "file" (a photo or a document), "audio" (voice
    # notes too), "video" or "sticker". Only files are read as documents.
    kind: str = "file"

    @property
    def readable(self) -> bool:
        """A photo or document the document reader may try; audio, video and stickers are not."""
        if self.kind != "file":
            return False
        return not self.content_type.lower().startswith(("audio/", "video/"))


@dataclass(frozen=True, slots=True)
class InboundMessage:
    """One message from a client, normalized by a channel adapter.

    ``address`` is the client's address on the channel (E.164 phone for WhatsApp, chat id for
    Telegram, session id for the web chat). ``external_id`` is the channel's message id used to
    de-duplicate deliveries (MessageSid, update_id, wamid).
    """

    channel: Channel
    address: str
    text: str
    external_id: str
    received_at: datetime
    media: tuple[MediaRef, ...] = ()
    profile_name: str = ""
    choice_id: str = ""  # set when the client tapped a button / inline keyboard option
    document: DocumentReading | None = None  # set when a document the client sent was read
    # Content the bot cannot use that is not a file: "location" or "contact" (a shared vCard).
    unsupported: str = ""
    # False when the client acted on the status page rather than in the chat: the channel's own
    # service window (WhatsApp's 24 hours) opens only on a message sent over the channel.
    over_channel: bool = True


@dataclass(frozen=True, slots=True)
class Choice:
    """One option offered to the client: ``id`` comes back as ``InboundMessage.choice_id``."""

    id: str
    title: str


@dataclass(frozen=True, slots=True)
class OutboundMessage:
    """One reply. Channels render ``choices`` as buttons, inline keyboards or a numbered list."""

    text: str
    choices: tuple[Choice, ...] = ()
    kind: str = (
        "reply"  # reply | reminder | alert | staff  (business-initiated kinds need templates)
    )
    attachments: tuple[str, ...] = field(default=())


def split_long(message: OutboundMessage, limit: int) -> list[OutboundMessage]:
    """``message`` as parts of at most ``limit`` characters, cut at a paragraph, a line or a
    word where possible; choices and attachments stay with the last part. The last part also
    leaves room for the choices a channel may render as a numbered list."""
    reserve = sum(len(choice.title) + 6 for choice in message.choices)
    if len(message.text) + reserve <= limit:
        return [message]
    parts: list[str] = []
    rest = message.text
    while len(rest) + reserve > limit:
        room = limit if len(rest) > limit else limit - reserve
        cut = _cut_point(rest, max(room, limit // 2))
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    return [
        *(replace(message, text=part, choices=(), attachments=()) for part in parts if part),
        replace(message, text=rest),
    ]


def _cut_point(text: str, room: int) -> int:
    for separator in ("\n\n", "\n", " "):
        cut = text.rfind(separator, room // 2, room)
        if cut > 0:
            return cut
    return room
