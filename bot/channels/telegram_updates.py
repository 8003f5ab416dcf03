"""A python-telegram-bot ``Update`` normalized into an ``InboundMessage``; pure, no network.

``TelegramChannel.parse_update`` builds the ``Update`` and calls ``inbound_message``. What the
client sent decides the message's shape:

- text, or a caption with a photo (largest size, ``image/jpeg``) or a document (its file
  name and MIME type; a document whose MIME type is audio or video is a recording);
- ``voice`` and ``audio`` are audio; ``video``, ``video_note`` and ``animation`` (a GIF,
  which Telegram also copies into ``document``) are video; ``sticker`` is a sticker;
- ``location`` and ``venue`` set ``unsupported="location"``, ``contact`` sets
  ``unsupported="contact"``; no media is attached for them;
- a callback query sets ``choice_id`` (the callback data) and ``text`` (the tapped title).
"""

from __future__ import annotations

import mimetypes
from collections.abc import Sequence
from datetime import datetime

from telegram import Message, PhotoSize, Sticker, Update

from bot.channels.media_kinds import AUDIO, FILE, STICKER, VIDEO, media_kind
from bot.domain.messages import Channel, InboundMessage, MediaRef

__all__ = ["inbound_message"]

# Message attributes holding one file: (attribute, kind, MIME type when Telegram gives none).
# ``animation`` comes before ``document``: Telegram sets both for a GIF.
_FILE_ATTRIBUTES = (
    ("animation", VIDEO, "video/mp4"),
    ("document", FILE, "application/octet-stream"),
    ("voice", AUDIO, "audio/ogg"),
    ("audio", AUDIO, "audio/mpeg"),
    ("video", VIDEO, "video/mp4"),
    ("video_note", VIDEO, "video/mp4"),  # the round video message; it has no mime_type
    ("sticker", STICKER, "image/webp"),
)


def _largest(photo: Sequence[PhotoSize]) -> PhotoSize:
    return max(photo, key=lambda size: (size.width * size.height, size.file_size or 0))


def _sticker_type(sticker: Sticker) -> str:
    """Stickers carry no MIME type: WebP images, animated ``.tgs`` files or WebM videos."""
    if sticker.is_animated:
        return "application/x-tgsticker"
    return "video/webm" if sticker.is_video else "image/webp"


def _media(message: Message) -> tuple[MediaRef, ...]:
    if message.photo:
        # Telegram re-encodes photos as JPEG and lists several sizes: keep the largest.
        largest = _largest(message.photo)
        return (MediaRef(url="", content_type="image/jpeg", provider_id=largest.file_id),)
    for attribute, declared, fallback in _FILE_ATTRIBUTES:
        file = getattr(message, attribute)
        if file is None:
            continue
        name = getattr(file, "file_name", None) or ""
        if isinstance(file, Sticker):
            content_type = _sticker_type(file)
        else:
            given = getattr(file, "mime_type", None)
            content_type = given or mimetypes.guess_type(name)[0] or fallback
        return (
            MediaRef(
                url="",
                content_type=content_type,
                provider_id=file.file_id,
                filename=name,
                kind=media_kind(content_type, declared=declared),
            ),
        )
    return ()


def _unsupported(message: Message) -> str:
    if message.location is not None or message.venue is not None:
        return "location"  # a venue also carries its location
    if message.contact is not None:
        return "contact"
    return ""


def _button_title(message: object, data: str) -> str:
    """The title of the tapped button, read from the keyboard of the message it belongs to."""
    if not isinstance(message, Message) or message.reply_markup is None:
        return ""
    for row in message.reply_markup.inline_keyboard:
        for button in row:
            if button.callback_data == data:
                return button.text
    return ""


def inbound_message(update: Update, *, received_at: datetime) -> InboundMessage | None:
    """The client's message in ``update``; ``None`` for updates we ignore (edits, posts, ...).

    ``external_id`` is ``update_id``; ``address`` is the chat id (beyond 32 bits).
    """
    external_id = str(update.update_id)
    query = update.callback_query
    if query is not None:
        if not query.data:
            return None  # game or inline-mode callbacks carry no data for us
        chat_id = query.message.chat.id if query.message is not None else query.from_user.id
        return InboundMessage(
            channel=Channel.TELEGRAM,
            address=str(chat_id),
            text=_button_title(query.message, query.data) or query.data,
            external_id=external_id,
            received_at=received_at,
            profile_name=query.from_user.full_name,
            choice_id=query.data,
        )
    message = update.message
    if message is None:
        return None  # edited messages, channel posts, member updates, ...
    return InboundMessage(
        channel=Channel.TELEGRAM,
        address=str(message.chat.id),
        text=message.text or message.caption or "",
        external_id=external_id,
        received_at=received_at,
        media=_media(message),
        profile_name=message.from_user.full_name if message.from_user is not None else "",
        unsupported=_unsupported(message),
    )
