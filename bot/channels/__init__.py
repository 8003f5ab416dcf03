"""Channel adapters (Twilio WhatsApp, Telegram, Meta WhatsApp Cloud API: one protocol,
``bot.domain.channels.ChannelAdapter``), the one webhook handler that serves them, the web
chat and the invites route. Modules are imported directly (``bot.channels.twilio_whatsapp``,
...): each pulls in its provider's library."""

__all__ = [
    "errors",
    "formatting",
    "gateway",
    "invites",
    "media_kinds",
    "outbound_formats",
    "ports",
    "telegram",
    "telegram_updates",
    "twilio_whatsapp",
    "web",
    "webhooks",
    "whatsapp_cloud",
]
