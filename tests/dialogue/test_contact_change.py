"""``ContactChangeHandler``: an area's contact replaced in one message."""

from __future__ import annotations

from bot.dialogue.effects import SlotChanged
from tests.dialogue.support import Chat, ent, replies, slots_until


def test_the_contact_is_replaced_and_its_missing_mobile_asked(chat: Chat) -> None:
    chat.at(slots_until("cep"))
    turn = chat.send(
        "na verdade o TI é o Carlos Lima, carlos@padaria.com.br",
        "correct_data",
        entities=[ent("email", "carlos@padaria.com.br")],
    )
    slots = chat.state.slots
    assert slots["tech.name"] == "Carlos Lima"
    assert slots["tech.email"] == "carlos@padaria.com.br"
    assert "tech.phone" not in slots
    assert SlotChanged("tech.name", "Beatriz Rocha", "Carlos Lima") in turn.effects
    assert "celular de Carlos Lima" in replies(turn)
    assert chat.state.pending is not None and chat.state.pending.kind == "correction"
    chat.send("21 99876-1234", entities=[ent("phone", "+5521998761234")])
    assert chat.state.slots["tech.phone"] == "+5521998761234"
    assert chat.state.pending is None


def test_a_named_field_of_the_area_is_that_field_only(chat: Chat) -> None:
    chat.at(slots_until("cep"))
    chat.send(
        "na verdade o email do TI é bia@padaria.com.br",
        "correct_data",
        entities=[ent("email", "bia@padaria.com.br")],
    )
    assert chat.state.slots["tech.name"] == "Beatriz Rocha"
    assert chat.state.slots["tech.email"] == "bia@padaria.com.br"
