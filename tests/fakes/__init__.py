"""Fakes of external servers that speak real HTTP on 127.0.0.1, plus webhook builders.

Use them as context managers (``with FakeTwilio() as twilio:``), in sync or async tests, and
point the client at ``fake.url``. If the environment sets ``HTTP(S)_PROXY``, make sure
``NO_PROXY`` covers 127.0.0.1.
"""

from tests.fakes.graph import FakeGraph, GraphMedia
from tests.fakes.server import FakeRequest, FakeResponse, FakeServer, LoopbackServer
from tests.fakes.signing import meta_signature, twilio_signed_form
from tests.fakes.telegram import FakeTelegram, TelegramCall, TelegramFile
from tests.fakes.twilio import FakeTwilio, MediaRequest, SentTwilioMessage, content_variables
from tests.fakes.webhooks import (
    meta_button_webhook,
    meta_document_webhook,
    meta_image_webhook,
    meta_list_webhook,
    meta_status_webhook,
    meta_text_webhook,
    meta_webhook,
    telegram_callback_update,
    telegram_document_update,
    telegram_photo_update,
    telegram_text_update,
    twilio_inbound_form,
    twilio_status_form,
)

__all__ = [
    "FakeGraph",
    "FakeRequest",
    "FakeResponse",
    "FakeServer",
    "FakeTelegram",
    "FakeTwilio",
    "GraphMedia",
    "LoopbackServer",
    "MediaRequest",
    "SentTwilioMessage",
    "TelegramCall",
    "TelegramFile",
    "content_variables",
    "meta_button_webhook",
    "meta_document_webhook",
    "meta_image_webhook",
    "meta_list_webhook",
    "meta_signature",
    "meta_status_webhook",
    "meta_text_webhook",
    "meta_webhook",
    "telegram_callback_update",
    "telegram_document_update",
    "telegram_photo_update",
    "telegram_text_update",
    "twilio_inbound_form",
    "twilio_signed_form",
    "twilio_status_form",
]
