"""How an ``OutboundMessage`` and its choices look on each channel.

- Twilio free-form WhatsApp has no buttons: ``numbered_text`` (the client answers with N).
- Meta Cloud API: ``cloud_api_bodies`` picks reply buttons (at most 3 choices, titles of at
  most 20 characters; one longer title fails the whole message), else a list (at most 10
  rows, titles of at most 24 characters), else numbered text; or a template.
- Telegram: ``keyboard_rows``, one button per row, ``callback_data`` = choice id (1-64 bytes).

No provider library is imported here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.channels.errors import SendFailed
from bot.channels.ports import Template
from bot.domain.messages import Choice, OutboundMessage

__all__ = ["cloud_api_bodies", "keyboard_rows", "numbered_text"]

_BUTTONS_MAX, _BUTTON_TITLE_MAX = 3, 20
_ROWS_MAX, _ROW_TITLE_MAX = 10, 24
_INTERACTIVE_BODY_MAX = 1024
_LIST_BUTTON_LABEL = "Opções"
_CALLBACK_DATA_MAX = 64  # bytes, Bot API limit for InlineKeyboardButton.callback_data


def numbered_text(text: str, choices: Sequence[Choice]) -> str:
    """``text`` followed by one ``N) Title`` line per choice (the client answers with N)."""
    if not choices:
        return text
    lines = "\n".join(f"{number}) {choice.title}" for number, choice in enumerate(choices, 1))
    return f"{text}\n\n{lines}" if text else lines


def keyboard_rows(choices: Sequence[Choice]) -> list[list[tuple[str, str]]]:
    """Telegram inline keyboard as rows of ``(title, callback_data)``, one button per row.

    A choice id Telegram cannot carry (empty or over 64 bytes) is refused before sending.
    """
    for choice in choices:
        if not 1 <= len(choice.id.encode()) <= _CALLBACK_DATA_MAX:
            raise SendFailed(
                f"choice id {choice.id!r} must be 1-{_CALLBACK_DATA_MAX} bytes for Telegram",
                transient=False,
                code="callback_data",
            )
    return [[(choice.title, choice.id)] for choice in choices]


def _interactive(text: str, choices: Sequence[Choice]) -> dict[str, Any] | None:
    if not text or len(text) > _INTERACTIVE_BODY_MAX:
        return None
    if len(choices) <= _BUTTONS_MAX and all(len(c.title) <= _BUTTON_TITLE_MAX for c in choices):
        return {
            "type": "button",
            "body": {"text": text},
            "action": {
                "buttons": [
                    {"type": "reply", "reply": {"id": c.id, "title": c.title}} for c in choices
                ]
            },
        }
    if len(choices) <= _ROWS_MAX and all(len(c.title) <= _ROW_TITLE_MAX for c in choices):
        return {
            "type": "list",
            "body": {"text": text},
            "action": {
                "button": _LIST_BUTTON_LABEL,
                "sections": [{"rows": [{"id": c.id, "title": c.title} for c in choices]}],
            },
        }
    return None


def _template(template: Template, default_language: str) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": template.content_sid,
        "language": {"code": template.language or default_language},
    }
    variables = template.variables
    if variables:
        if all(key.isdigit() for key in variables):
            parameters = [
                {"type": "text", "text": variables[key]} for key in sorted(variables, key=int)
            ]
        else:
            parameters = [
                {"type": "text", "parameter_name": key, "text": value}
                for key, value in variables.items()
            ]
        body["components"] = [{"type": "body", "parameters": parameters}]
    return body


def cloud_api_bodies(
    *, address: str, message: OutboundMessage, template: Template | None, language: str = "pt_BR"
) -> list[dict[str, Any]]:
    """The JSON bodies for ``POST /{version}/{phone_number_id}/messages``, in sending order.

    One body for the message (template, interactive or text), then one ``document`` body per
    attachment URL.
    """
    base = {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": address.lstrip("+"),
    }
    if template is not None:
        return [{**base, "type": "template", "template": _template(template, language)}]
    bodies: list[dict[str, Any]] = []
    interactive = _interactive(message.text, message.choices) if message.choices else None
    if interactive is not None:
        bodies.append({**base, "type": "interactive", "interactive": interactive})
    elif message.text or message.choices:
        text = numbered_text(message.text, message.choices)
        bodies.append({**base, "type": "text", "text": {"body": text, "preview_url": False}})
    for url in message.attachments:
        bodies.append({**base, "type": "document", "document": {"link": url}})
    return bodies
