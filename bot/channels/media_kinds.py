"""What an inbound attachment is, in the words ``MediaRef.kind`` uses, for every adapter.

Providers name a message's type ("voice", "audio", "sticker", ...) and give a MIME type; a
voice note sent as a plain file still says ``audio/ogg``. ``media_kind`` combines the two so
the dialogue can say "I cannot listen to audio" instead of queuing a recording as a document,
and ``is_vcard`` recognizes a shared contact that Twilio delivers as a ``text/vcard`` file.
"""

from __future__ import annotations

__all__ = ["AUDIO", "FILE", "STICKER", "VIDEO", "is_vcard", "media_kind", "mime_type"]

FILE, AUDIO, VIDEO, STICKER = "file", "audio", "video", "sticker"

_VCARD_TYPES = frozenset({"text/vcard", "text/x-vcard", "text/directory"})


def mime_type(content_type: str) -> str:
    """``type/subtype`` in lower case, without parameters (``audio/ogg; codecs=opus``)."""
    return content_type.split(";", 1)[0].strip().lower()


def media_kind(content_type: str, *, declared: str = FILE) -> str:
    """``declared`` when the provider said audio, video or sticker; otherwise the MIME type
    decides (a file whose type is ``audio/*`` or ``video/*`` is a recording, not a document)."""
    if declared != FILE:
        return declared
    major = mime_type(content_type).split("/", 1)[0]
    if major == "audio":
        return AUDIO
    if major == "video":
        return VIDEO
    return FILE


def is_vcard(content_type: str) -> bool:
    """A shared contact card (Twilio sends WhatsApp contacts as a vCard attachment)."""
    return mime_type(content_type) in _VCARD_TYPES
