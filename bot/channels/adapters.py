"""The configured channel adapters of one process, by channel, with one life cycle.

The composition root (``bot.bootstrap``) builds the adapters from the settings and puts them
here; the webhook handler finds a request's adapter here, the outbox worker its senders and
the document worker its fetchers (the push channels' adapters, plus fetchers of channels that
have no adapter, such as the web chat's store of uploads).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from bot.channels.telegram import TelegramChannel
from bot.domain.channels import ChannelAdapter, ChannelSender, MediaFetcher
from bot.domain.messages import Channel

__all__ = ["ChannelAdapters"]


class ChannelAdapters:
    """The adapters by ``Channel.value``; ``start()`` inside the running loop, ``close()`` after."""

    def __init__(
        self,
        adapters: Iterable[ChannelAdapter] = (),
        *,
        fetchers: Mapping[str, MediaFetcher] | None = None,
    ) -> None:
        self.adapters: dict[str, ChannelAdapter] = {adapter.name: adapter for adapter in adapters}
        self.senders: dict[str, ChannelSender] = dict(self.adapters)
        self.fetchers: dict[str, MediaFetcher] = {**(fetchers or {}), **self.adapters}

    def get(self, channel: Channel) -> ChannelAdapter | None:
        return self.adapters.get(channel.value)

    @property
    def telegram_channel(self) -> TelegramChannel | None:
        """The Telegram bot, for ``onboard serve --telegram-polling``."""
        adapter = self.adapters.get(Channel.TELEGRAM.value)
        return adapter if isinstance(adapter, TelegramChannel) else None

    async def start(self, *, start_telegram: bool = True) -> None:
        """Starts each adapter (the Telegram bot calls ``getMe``; the others open lazily)."""
        for adapter in self.adapters.values():
            if start_telegram or adapter.channel is not Channel.TELEGRAM:
                await adapter.start()

    async def close(self) -> None:
        for adapter in self.adapters.values():
            await adapter.aclose()
