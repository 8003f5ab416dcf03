"""Erasure (LGPD) confirmation: only a clear yes erases; anything else keeps the data."""

from __future__ import annotations

import pytest

from bot.dialogue.effects import RequestErasure
from bot.dialogue.state import ErasurePending
from tests.dialogue.support import Chat, choices, prompt, says, slots_until


@pytest.fixture
def asked(chat: Chat) -> Chat:
    chat.at(slots_until("cep"))
    chat.send("quero apagar meus dados", "delete_data")
    return chat


def test_asking_for_erasure_asks_to_confirm(asked: Chat) -> None:
    turn = asked.turns[-1]
    assert [r.text for r in turn.replies] == [says("confirm_erasure")]
    assert [c.id for c in choices(turn)] == ["yes", "no"]
    assert isinstance(asked.state.pending, ErasurePending)


@pytest.mark.parametrize("body", ["sim", "1", "pode apagar", "sim, pode apagar", "confirmo"])
def test_a_clear_yes_requests_the_erasure(asked: Chat, body: str) -> None:
    turn = asked.send(body)
    assert turn.effects == [RequestErasure()]
    assert [r.text for r in turn.replies] == [says("erasure_requested")]
    assert asked.state.pending is None


def test_a_tap_on_yes_requests_the_erasure(asked: Chat) -> None:
    assert asked.send("", choice_id="yes").effects == [RequestErasure()]


@pytest.mark.parametrize("body", ["não", "2", "não quero", "cancelar"])
def test_no_keeps_the_data_and_asks_the_question_again(asked: Chat, body: str) -> None:
    turn = asked.send(body)
    assert turn.effects == []
    assert [r.text for r in turn.replies] == [says("erasure_cancelled"), prompt("cep")]


def test_anything_unclear_keeps_the_data(asked: Chat) -> None:
    """Nothing is erased by a misunderstanding."""
    turn = asked.send("hmm talvez depois")
    assert turn.effects == []
    assert [r.text for r in turn.replies] == [says("erasure_cancelled"), prompt("cep")]
    assert asked.state.pending is None


def test_an_answer_to_the_question_underneath_keeps_the_data(asked: Chat) -> None:
    turn = asked.send("01310-100")
    assert RequestErasure() not in turn.effects


def test_after_the_request_nothing_new_is_collected(asked: Chat) -> None:
    asked.send("sim")
    turn = asked.send("01310-100")
    assert "cep" not in asked.state.slots
    assert [r.text for r in turn.replies] == [says("erasure_in_progress")]


def test_after_the_request_commands_still_work(asked: Chat) -> None:
    asked.send("sim")
    turn = asked.send("HUMANO")
    assert turn.replies[0].text.startswith(says("escalated", wait="4 horas"))
