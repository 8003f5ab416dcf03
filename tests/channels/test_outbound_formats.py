"""Rendering of messages and choices per channel."""

from __future__ import annotations

import pytest

from bot.channels.errors import SendFailed
from bot.channels.outbound_formats import cloud_api_bodies, keyboard_rows, numbered_text
from bot.channels.ports import Template
from bot.domain.messages import Choice, OutboundMessage

YES_NO = (Choice("a", "Sim"), Choice("b", "Não"))


def test_numbered_text() -> None:
    assert numbered_text("Confirma?", YES_NO) == "Confirma?\n\n1) Sim\n2) Não"
    assert numbered_text("", YES_NO) == "1) Sim\n2) Não"
    assert numbered_text("Só texto", ()) == "Só texto"


def test_keyboard_rows_one_button_per_row() -> None:
    assert keyboard_rows(YES_NO) == [[("Sim", "a")], [("Não", "b")]]
    assert keyboard_rows(()) == []


@pytest.mark.parametrize("choice_id", ["", "x" * 65, "é" * 33])
def test_keyboard_rows_refuse_ids_telegram_cannot_carry(choice_id: str) -> None:
    with pytest.raises(SendFailed) as failure:
        keyboard_rows((Choice(choice_id, "Opção"),))
    assert not failure.value.transient


def test_keyboard_rows_accept_64_bytes() -> None:
    assert keyboard_rows((Choice("é" * 32, "Opção"),)) == [[("Opção", "é" * 32)]]


def _types(message: OutboundMessage) -> list[str]:
    bodies = cloud_api_bodies(address="+5511987654321", message=message, template=None)
    return [body["type"] for body in bodies]


def test_cloud_interactive_needs_a_body_of_at_most_1024_characters() -> None:
    assert _types(OutboundMessage(text="x" * 1024, choices=YES_NO)) == ["interactive"]
    assert _types(OutboundMessage(text="x" * 1025, choices=YES_NO)) == ["text"]
    assert _types(OutboundMessage(text="", choices=YES_NO)) == ["text"]


def test_cloud_list_rows_over_24_characters_fall_back_to_text() -> None:
    choices = tuple(Choice(str(i), f"Opção número {i} bem comprida") for i in range(4))
    assert len(choices[0].title) > 24

    assert _types(OutboundMessage(text="Escolha", choices=choices)) == ["text"]


def test_cloud_template_ignores_the_text() -> None:
    bodies = cloud_api_bodies(
        address="+5511987654321",
        message=OutboundMessage(text="ignored", choices=YES_NO),
        template=Template(content_sid="boas_vindas"),
    )

    assert bodies == [
        {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": "5511987654321",
            "type": "template",
            "template": {"name": "boas_vindas", "language": {"code": "pt_BR"}},
        }
    ]
