"""Errors raised by the channel adapters, translated once from the providers' libraries.

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

__all__ = [
    "ChannelError",
    "InvalidSignature",
    "MalformedWebhook",
    "MediaTooLarge",
    "MediaUnavailable",
    "SendFailed",
    "parse_retry_after",
]


class ChannelError(Exception):
    """Root of every error raised by ``bot.channels``."""


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


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header in delta-seconds form; ``None`` otherwise.

    The HTTP-date form is ignored on purpose: turning it into seconds needs the current time,
    and none of our providers sends it.
    """
    if not value:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    return seconds if seconds >= 0 else None
