"""The channel adapters whose credentials are configured (the others stay off)."""

from __future__ import annotations

from bot.bootstrap.policies import document_store
from bot.channels.adapters import ChannelAdapters
from bot.channels.telegram import TelegramChannel, TelegramConfig
from bot.channels.twilio_whatsapp import TwilioAdapter, TwilioConfig
from bot.channels.web import StoredUploadFetcher
from bot.channels.whatsapp_cloud import CloudAdapter, CloudConfig
from bot.config import Settings
from bot.documents import DocumentStore
from bot.domain.channels import ChannelAdapter
from bot.domain.messages import Channel

__all__ = ["build_channels"]


def _twilio(settings: Settings) -> TwilioAdapter | None:
    if not (
        settings.twilio_account_sid
        and settings.twilio_auth_token
        and settings.twilio_whatsapp_number
    ):
        return None
    return TwilioAdapter(
        TwilioConfig(
            account_sid=settings.twilio_account_sid,
            auth_token=settings.twilio_auth_token.get_secret_value(),
            from_number=settings.twilio_whatsapp_number,
            api_url=settings.twilio_api_url,
            status_callback=f"{settings.public_url}/webhooks/twilio/status",
        )
    )


def _cloud(settings: Settings) -> CloudAdapter | None:
    if not (
        settings.whatsapp_token
        and settings.whatsapp_phone_number_id
        and settings.whatsapp_app_secret
        and settings.whatsapp_verify_token
    ):
        return None
    return CloudAdapter(
        CloudConfig(
            token=settings.whatsapp_token.get_secret_value(),
            phone_number_id=settings.whatsapp_phone_number_id,
            app_secret=settings.whatsapp_app_secret.get_secret_value(),
            verify_token=settings.whatsapp_verify_token.get_secret_value(),
            api_url=settings.whatsapp_api_url,
        )
    )


def _telegram(settings: Settings) -> TelegramChannel | None:
    if not (settings.telegram_bot_token and settings.telegram_secret_token):
        return None
    return TelegramChannel.from_config(
        TelegramConfig(
            token=settings.telegram_bot_token.get_secret_value(),
            secret_token=settings.telegram_secret_token.get_secret_value(),
            api_url=settings.telegram_api_url,
        )
    )


def build_channels(
    settings: Settings, *, documents: DocumentStore | None = None
) -> ChannelAdapters:
    """Twilio, Meta and Telegram when configured, and the web chat's fetcher: files sent from
    the page were stored as they arrived and the document worker reads them back."""
    adapters: list[ChannelAdapter] = [
        adapter
        for adapter in (_twilio(settings), _cloud(settings), _telegram(settings))
        if adapter is not None
    ]
    store = documents if documents is not None else document_store(settings)
    return ChannelAdapters(adapters, fetchers={Channel.WEB.value: StoredUploadFetcher(store)})
