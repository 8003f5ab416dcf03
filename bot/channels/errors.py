"""Errors raised by the channel adapters, translated once from the providers' libraries.

The classes live in ``bot.domain.channels`` (the workers catch them without importing the
channels, their tree is drawn there); this module re-exports them for the adapters.

Adapters catch library exceptions (``TwilioRestException``, ``telegram.error.*``,
``httpx.HTTPError``) at the edge and raise one of these ``from`` the original.
"""

from __future__ import annotations

from bot.domain.channels import (
    ChannelError,
    InvalidSignature,
    MalformedWebhook,
    MediaTooLarge,
    MediaUnavailable,
    SendFailed,
)

__all__ = [
    "ChannelError",
    "InvalidSignature",
    "MalformedWebhook",
    "MediaTooLarge",
    "MediaUnavailable",
    "SendFailed",
]
