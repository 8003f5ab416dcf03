"""A correction-phrased message that answers the question being asked
(``CurrentAnswerHandler``): the current question takes it; one naming an earlier field still
corrects that field."""

from __future__ import annotations

from tests.dialogue.support import Chat, ent, slots_until


def test_a_correction_phrased_answer_to_the_current_question_is_its_answer(chat: Chat) -> None:
    chat.at(slots_until("person_name"))
    chat.send("na verdade meu nome é Maria Souza", "correct_data")
    assert chat.state.slots["person_name"] == "Maria Souza"


def test_a_correction_naming_an_earlier_field_still_corrects_it(chat: Chat) -> None:
    chat.at(slots_until("admin_phone"))
    chat.send(
        "errei o email, o certo é maria@padaria.com.br",
        "correct_data",
        entities=[ent("email", "maria@padaria.com.br")],
    )
    assert chat.state.slots["admin_email"] == "maria@padaria.com.br"
    assert "admin_phone" not in chat.state.slots
