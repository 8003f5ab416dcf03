"""Channel adapters (Twilio WhatsApp, Telegram, Meta WhatsApp Cloud API: one protocol,
``bot.domain.channels.ChannelAdapter``), the one webhook handler that serves them, the web
chat and the invites route. Modules are imported directly (``bot.channels.twilio_whatsapp``,
...): each pulls in its provider's library."""

__all__ = [
    "adapters",
    "errors",
    "formatting",
    "invites",
    "media_http",
    "media_kinds",
    "outbound_formats",
    "ports",
    "telegram",
    "telegram_transport",
    "telegram_updates",
    "twilio_sender",
    "twilio_whatsapp",
    "web",
    "webhooks",
    "whatsapp_cloud",
    "whatsapp_cloud_sender",
]
