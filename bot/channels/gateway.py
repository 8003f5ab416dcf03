"""The configured push channels of one process: their senders (for the outbox worker), media
fetchers (for document intake) and the Telegram bot, with one async lifecycle."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.channels.ports import ChannelSender, MediaFetcher
from bot.channels.telegram import TelegramChannel
from bot.channels.twilio_whatsapp import TwilioMediaFetcher, TwilioSender
from bot.channels.whatsapp_cloud import CloudMediaFetcher, CloudSender
from bot.domain.messages import Channel


@dataclass
class TwilioConfig:
    account_sid: str
    auth_token: str
    from_number: str
    api_url: str
    status_callback: str | None = None


@dataclass
class CloudConfig:
    token: str
    phone_number_id: str
    app_secret: str
    verify_token: str
    api_url: str


@dataclass
class TelegramConfig:
    token: str
    secret_token: str
    api_url: str


@dataclass
class ChannelGateway:
    twilio: TwilioConfig | None = None
    cloud: CloudConfig | None = None
    telegram: TelegramConfig | None = None
    senders: dict[str, ChannelSender] = field(default_factory=dict)
    fetchers: dict[str, MediaFetcher] = field(default_factory=dict)
    telegram_channel: TelegramChannel | None = None
    _closers: list[object] = field(default_factory=list)

    async def start(self, *, start_telegram: bool = True) -> None:
        """Builds the adapters (inside the running event loop) and starts the Telegram bot."""
        if self.twilio is not None:
            sender = TwilioSender(
                account_sid=self.twilio.account_sid,
                auth_token=self.twilio.auth_token,
                from_number=self.twilio.from_number,
                api_url=self.twilio.api_url,
                status_callback=self.twilio.status_callback,
            )
            fetcher = TwilioMediaFetcher(
                account_sid=self.twilio.account_sid, auth_token=self.twilio.auth_token
            )
            self.senders[Channel.TWILIO_WHATSAPP.value] = sender
            self.fetchers[Channel.TWILIO_WHATSAPP.value] = fetcher
            self._closers += [sender, fetcher]
        if self.cloud is not None:
            cloud_sender = CloudSender(
                token=self.cloud.token,
                phone_number_id=self.cloud.phone_number_id,
                api_url=self.cloud.api_url,
            )
            cloud_fetcher = CloudMediaFetcher(token=self.cloud.token, api_url=self.cloud.api_url)
            self.senders[Channel.WHATSAPP_CLOUD.value] = cloud_sender
            self.fetchers[Channel.WHATSAPP_CLOUD.value] = cloud_fetcher
            self._closers += [cloud_sender, cloud_fetcher]
        if self.telegram is not None:
            channel = TelegramChannel(
                token=self.telegram.token,
                secret_token=self.telegram.secret_token,
                api_url=self.telegram.api_url,
            )
            if start_telegram:
                await channel.start()
            self.telegram_channel = channel
            self.senders[Channel.TELEGRAM.value] = channel
            self.fetchers[Channel.TELEGRAM.value] = channel

    async def close(self) -> None:
        for closer in self._closers:
            await closer.aclose()  # type: ignore[attr-defined]
        if self.telegram_channel is not None:
            await self.telegram_channel.stop()
        self._closers.clear()
        self.senders.clear()
        self.fetchers.clear()
