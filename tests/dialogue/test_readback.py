"""``ReadBackHandler``: the client's own stored answer read back, then the question again."""

from __future__ import annotations

from tests.dialogue.support import Chat, replies, says, slots_until


def test_the_stored_email_is_read_back_and_the_question_asked_again(chat: Chat) -> None:
    chat.at(slots_until("cep"))
    turn = chat.send("qual email eu passei?", "out_of_scope", 0.5)
    assert "maria@paoquente.com.br" in replies(turn)
    assert "corrigir e-mail" in replies(turn)
    assert not turn.effects
    assert chat.state.slots["admin_email"] == "maria@paoquente.com.br"


def test_a_field_not_answered_yet_is_said_to_come(chat: Chat) -> None:
    chat.at(slots_until("employees"))
    turn = chat.send("qual email eu passei?", "out_of_scope", 0.5)
    assert turn.replies[0].text == says("read_back_none", label="seu e-mail")


def test_a_question_with_a_correction_is_a_correction(chat: Chat) -> None:
    chat.at(slots_until("cep"))
    turn = chat.send("qual email eu passei? está errado", "correct_data")
    assert "corrigir e-mail" not in replies(turn)


def test_a_question_about_the_bot_is_not_a_read_back(chat: Chat) -> None:
    chat.at(slots_until("cep"))
    turn = chat.send("qual é o seu nome?", "out_of_scope", 0.5)
    assert "Maria da Silva" not in replies(turn)
