"""Builders of realistic inbound webhooks (real field names and orders, ids beyond 32 bits).

Twilio forms come in Twilio's field order; Telegram updates and Meta webhooks are the JSON the
providers post. Pair them with ``tests.fakes.signing`` to sign the request.
"""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Sequence
from typing import Any

__all__ = [
    "meta_button_webhook",
    "meta_document_webhook",
    "meta_image_webhook",
    "meta_list_webhook",
    "meta_status_webhook",
    "meta_text_webhook",
    "meta_webhook",
    "telegram_callback_update",
    "telegram_document_update",
    "telegram_photo_update",
    "telegram_text_update",
    "twilio_inbound_form",
    "twilio_status_form",
]

DEFAULT_CHAT_ID = 7_234_567_890  # beyond 2**32, as real user ids are
DEFAULT_DATE = 1_763_800_000
_update_ids = itertools.count(861_234_001)
_message_ids = itertools.count(501)


def _sid(prefix: str) -> str:
    return prefix + secrets.token_hex(16)


# --- Twilio ----------------------------------------------------------------------------------


def twilio_inbound_form(
    *,
    account_sid: str,
    from_number: str,
    to_number: str,
    body: str = "",
    message_sid: str | None = None,
    media: Sequence[tuple[str, str]] = (),
    profile_name: str = "Maria Silva",
    button_payload: str | None = None,
    button_text: str | None = None,
) -> dict[str, str]:
    """An inbound WhatsApp message as Twilio posts it; ``media`` is ``(url, content_type)``."""
    sid = message_sid or _sid("SM")
    if media:
        major = media[0][1].split("/", 1)[0]
        message_type = major if major in ("image", "audio", "video") else "document"
    else:
        message_type = "button" if button_payload else "text"
    form = {
        "SmsMessageSid": sid,
        "NumMedia": str(len(media)),
        "ProfileName": profile_name,
        "MessageType": message_type,
        "SmsSid": sid,
        "WaId": from_number.lstrip("+"),
        "SmsStatus": "received",
        "Body": body,
        "To": f"whatsapp:{to_number}",
        "NumSegments": "1",
        "ReferralNumMedia": "0",
        "MessageSid": sid,
        "AccountSid": account_sid,
        "From": f"whatsapp:{from_number}",
        "ApiVersion": "2010-04-01",
    }
    if button_payload is not None:
        form["ButtonPayload"] = button_payload
        form["ButtonText"] = button_text or body
    for index, (url, content_type) in enumerate(media):
        form[f"MediaContentType{index}"] = content_type
        form[f"MediaUrl{index}"] = url
    return form


def twilio_status_form(
    *,
    account_sid: str,
    message_sid: str,
    status: str,
    to_number: str,
    from_number: str,
    error_code: str | None = None,
) -> dict[str, str]:
    form = {
        "SmsSid": message_sid,
        "SmsStatus": status,
        "MessageStatus": status,
        "ChannelToAddress": to_number,
        "To": f"whatsapp:{to_number}",
        "ChannelPrefix": "whatsapp",
        "MessageSid": message_sid,
        "AccountSid": account_sid,
        "From": f"whatsapp:{from_number}",
        "ApiVersion": "2010-04-01",
        "ChannelInstallSid": "XE" + "0" * 32,
    }
    if error_code is not None:
        form["ErrorCode"] = error_code
    return form


# --- Telegram --------------------------------------------------------------------------------


def _user(chat_id: int, first_name: str, last_name: str) -> dict[str, Any]:
    return {
        "id": chat_id,
        "is_bot": False,
        "first_name": first_name,
        "last_name": last_name,
        "language_code": "pt-br",
    }


def _telegram_message(
    chat_id: int, first_name: str, last_name: str, **content: Any
) -> dict[str, Any]:
    return {
        "message_id": next(_message_ids),
        "from": _user(chat_id, first_name, last_name),
        "chat": {
            "id": chat_id,
            "first_name": first_name,
            "last_name": last_name,
            "type": "private",
        },
        "date": DEFAULT_DATE,
        **content,
    }


def telegram_text_update(
    text: str,
    *,
    chat_id: int = DEFAULT_CHAT_ID,
    update_id: int | None = None,
    first_name: str = "Maria",
    last_name: str = "Silva",
) -> dict[str, Any]:
    return {
        "update_id": update_id or next(_update_ids),
        "message": _telegram_message(chat_id, first_name, last_name, text=text),
    }


def telegram_photo_update(
    file_ids: Sequence[str],
    *,
    caption: str = "",
    chat_id: int = DEFAULT_CHAT_ID,
    update_id: int | None = None,
) -> dict[str, Any]:
    """A photo: one ``PhotoSize`` per id, smallest first (the last is the largest)."""
    sizes = [(90, 67), (320, 240), (800, 600), (1280, 960)]
    photo = [
        {
            "file_id": file_id,
            "file_unique_id": f"AQAD{index}",
            "file_size": 1_500 * (index + 1) ** 3,
            "width": sizes[index % len(sizes)][0],
            "height": sizes[index % len(sizes)][1],
        }
        for index, file_id in enumerate(file_ids)
    ]
    content: dict[str, Any] = {"photo": photo}
    if caption:
        content["caption"] = caption
    return {
        "update_id": update_id or next(_update_ids),
        "message": _telegram_message(chat_id, "Maria", "Silva", **content),
    }


def telegram_document_update(
    file_id: str,
    *,
    file_name: str = "cartao-cnpj.pdf",
    mime_type: str | None = "application/pdf",
    file_size: int = 48_213,
    caption: str = "",
    chat_id: int = DEFAULT_CHAT_ID,
    update_id: int | None = None,
) -> dict[str, Any]:
    document: dict[str, Any] = {
        "file_name": file_name,
        "file_id": file_id,
        "file_unique_id": "AgADdoc1",
        "file_size": file_size,
    }
    if mime_type is not None:
        document["mime_type"] = mime_type
    content: dict[str, Any] = {"document": document}
    if caption:
        content["caption"] = caption
    return {
        "update_id": update_id or next(_update_ids),
        "message": _telegram_message(chat_id, "Maria", "Silva", **content),
    }


def telegram_callback_update(
    data: str,
    *,
    buttons: Sequence[tuple[str, str]] = (("Sim", "yes"), ("Não", "no")),
    prompt: str = "Confirma os dados?",
    chat_id: int = DEFAULT_CHAT_ID,
    bot_id: int = 7000000001,
    update_id: int | None = None,
) -> dict[str, Any]:
    """A button tap on a bot message whose keyboard has ``buttons`` as ``(title, data)``."""
    bot_message = {
        "message_id": next(_message_ids),
        "from": {"id": bot_id, "is_bot": True, "first_name": "Acolhe", "username": "acolhe_bot"},
        "chat": {"id": chat_id, "first_name": "Maria", "last_name": "Silva", "type": "private"},
        "date": DEFAULT_DATE,
        "text": prompt,
        "reply_markup": {
            "inline_keyboard": [
                [{"text": title, "callback_data": value}] for title, value in buttons
            ]
        },
    }
    return {
        "update_id": update_id or next(_update_ids),
        "callback_query": {
            "id": str(4_382_000_000_000_000_000 + next(_message_ids)),
            "from": _user(chat_id, "Maria", "Silva"),
            "message": bot_message,
            "chat_instance": "-3788230941265487541",
            "data": data,
        },
    }


# --- Meta WhatsApp Cloud API -----------------------------------------------------------------


def _wamid() -> str:
    return "wamid.HBgNNTUxMTk" + secrets.token_hex(14).upper()


def meta_webhook(
    *,
    messages: Sequence[dict[str, Any]] = (),
    statuses: Sequence[dict[str, Any]] = (),
    wa_id: str = "5511987654321",
    name: str = "Maria Silva",
    phone_number_id: str = "106540352242922",
) -> dict[str, Any]:
    value: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "5511930000000", "phone_number_id": phone_number_id},
    }
    if messages:
        value["contacts"] = [{"profile": {"name": name}, "wa_id": wa_id}]
        value["messages"] = list(messages)
    if statuses:
        value["statuses"] = list(statuses)
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "102290129340398", "changes": [{"value": value, "field": "messages"}]}],
    }


def _meta_message(wa_id: str, kind: str, **content: Any) -> dict[str, Any]:
    return {"from": wa_id, "id": _wamid(), "timestamp": str(DEFAULT_DATE), "type": kind, **content}


def meta_text_webhook(text: str, *, wa_id: str = "5511987654321", **kw: Any) -> dict[str, Any]:
    return meta_webhook(
        messages=[_meta_message(wa_id, "text", text={"body": text})], wa_id=wa_id, **kw
    )


def meta_image_webhook(
    media_id: str,
    *,
    mime_type: str = "image/jpeg",
    caption: str = "",
    wa_id: str = "5511987654321",
    **kw: Any,
) -> dict[str, Any]:
    image: dict[str, Any] = {
        "mime_type": mime_type,
        "sha256": secrets.token_hex(32),
        "id": media_id,
    }
    if caption:
        image["caption"] = caption
    return meta_webhook(messages=[_meta_message(wa_id, "image", image=image)], wa_id=wa_id, **kw)


def meta_document_webhook(
    media_id: str,
    *,
    filename: str = "contrato-social.pdf",
    mime_type: str = "application/pdf",
    wa_id: str = "5511987654321",
    **kw: Any,
) -> dict[str, Any]:
    document = {
        "filename": filename,
        "mime_type": mime_type,
        "sha256": secrets.token_hex(32),
        "id": media_id,
    }
    return meta_webhook(
        messages=[_meta_message(wa_id, "document", document=document)], wa_id=wa_id, **kw
    )


def meta_button_webhook(
    button_id: str, title: str, *, wa_id: str = "5511987654321", **kw: Any
) -> dict[str, Any]:
    """A tap on an interactive reply button."""
    interactive = {"type": "button_reply", "button_reply": {"id": button_id, "title": title}}
    message = _meta_message(
        wa_id,
        "interactive",
        interactive=interactive,
        context={"from": "5511930000000", "id": _wamid()},
    )
    return meta_webhook(messages=[message], wa_id=wa_id, **kw)


def meta_list_webhook(
    row_id: str, title: str, *, wa_id: str = "5511987654321", **kw: Any
) -> dict[str, Any]:
    interactive = {"type": "list_reply", "list_reply": {"id": row_id, "title": title}}
    return meta_webhook(
        messages=[_meta_message(wa_id, "interactive", interactive=interactive)], wa_id=wa_id, **kw
    )


def meta_status_webhook(
    wamid: str,
    status: str,
    *,
    error_code: int | None = None,
    recipient: str = "5511987654321",
    **kw: Any,
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": wamid,
        "status": status,
        "timestamp": str(DEFAULT_DATE + 5),
        "recipient_id": recipient,
    }
    if error_code is not None:
        entry["errors"] = [
            {
                "code": error_code,
                "title": "Re-engagement message",
                "message": "Re-engagement message",
                "error_data": {"details": "Message failed to send because more than 24 hours"},
            }
        ]
    return meta_webhook(statuses=[entry], **kw)
