"""The way out: "Quer falar com uma pessoa? 1) Falar com uma pessoa 2) Tentar de novo". Its
numbers are its own; a repair it interrupted comes back on "tentar de novo"."""

from __future__ import annotations

import pytest

from bot.dialogue.context import HumanRequest
from bot.dialogue.effects import Escalate
from bot.dialogue.state import CorrectionPending, HumanOfferPending
from tests.dialogue.support import NOW, Chat, ent, prompt, says, slots_until


@pytest.fixture
def offered(chat: Chat) -> Chat:
    chat.at(slots_until("admin_email"))
    for _ in range(3):
        chat.send("abc")
    assert isinstance(chat.state.pending, HumanOfferPending)
    return chat


@pytest.fixture
def offered_in_a_correction(chat: Chat) -> Chat:
    chat.at(slots_until("cep"))
    chat.send("errei o telefone da Beatriz")
    for _ in range(3):
        chat.send("123")
    assert isinstance(chat.state.pending, HumanOfferPending)
    assert chat.state.pending.then is not None
    return chat


def test_one_calls_a_person_with_the_question_it_was_stuck_on(offered: Chat) -> None:
    turn = offered.send("1")
    assert turn.effects == [Escalate("repeated_invalid", "seu e-mail")]
    assert [r.text for r in turn.replies] == [
        says("escalated", wait="4 horas") + "\n" + says("human_meanwhile"),
        prompt("admin_email"),
    ]
    assert offered.state.awaiting_human


def test_one_while_a_request_is_open_calls_nobody_again(offered: Chat) -> None:
    offered.progress.human = HumanRequest("request_human", opened_at=NOW)
    turn = offered.send("1")
    assert turn.effects == []


def test_two_asks_the_question_again(offered: Chat) -> None:
    turn = offered.send("2")
    assert [r.text for r in turn.replies] == [prompt("admin_email")]
    assert offered.state.pending is None and offered.state.invalid_count == 0


def test_a_tap_on_retry_asks_again(offered: Chat) -> None:
    turn = offered.send("", choice_id="retry")
    assert [r.text for r in turn.replies] == [prompt("admin_email")]


def test_the_offer_asked_again_after_an_interruption(offered: Chat) -> None:
    turn = offered.send("AJUDA")
    assert turn.replies[-1].text == says("offer_human")
    assert [c.id for c in turn.replies[-1].choices] == ["human", "retry"]


def test_retry_goes_back_to_the_repair_it_interrupted(offered_in_a_correction: Chat) -> None:
    chat = offered_in_a_correction
    turn = chat.send("2")
    assert chat.state.pending == CorrectionPending(slot="tech.phone")
    assert [r.text for r in turn.replies] == [says("ask_new_value", label="celular (TI)")]


def test_a_person_then_the_repair_it_interrupted(offered_in_a_correction: Chat) -> None:
    chat = offered_in_a_correction
    turn = chat.send("1")
    assert [type(e) for e in turn.effects] == [Escalate]
    assert chat.state.pending == CorrectionPending(slot="tech.phone")


def test_the_team_is_told_the_question_the_client_was_stuck_on(
    offered_in_a_correction: Chat,
) -> None:
    turn = offered_in_a_correction.send("1")
    assert turn.effects == [Escalate("repeated_invalid", "celular (TI)")]


def test_an_answer_at_the_way_out_answers_the_repair_underneath(
    offered_in_a_correction: Chat,
) -> None:
    chat = offered_in_a_correction
    chat.send("(21) 97777-6666", entities=[ent("phone", "+5521977776666")])
    assert chat.state.slots["tech.phone"] == "+5521977776666"
