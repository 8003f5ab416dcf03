"""Asking for a person and waiting for one: one escalation per wait, the expected wait said
honestly, "tem alguém aí?" answered with the request's state."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.dialogue.context import HumanRequest, HumanWait
from bot.dialogue.effects import Escalate
from bot.dialogue.human import request_person
from bot.dialogue.state import HumanOfferPending
from bot.dialogue.turn import Turn
from bot.dialogue.wording import duration
from tests.dialogue.support import NOW, Chat, choices, prompt, says, slots_until, utterance

OPENED = "ter, 24/11 às 10:00"  # NOW in São Paulo
NEXT_MORNING = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # Wednesday 09:00 in São Paulo


def open_request(chat: Chat, *, taken_by: str | None = None) -> None:
    """The service recorded the escalation: the ProgressView shows it from now on."""
    chat.progress.human = HumanRequest("request_human", opened_at=NOW, taken_by=taken_by)


@pytest.fixture
def waiting(chat: Chat) -> Chat:
    chat.at(slots_until("cep"))
    chat.send("HUMANO")
    open_request(chat)
    return chat


# ------------------------------------------------------------------ asking
@pytest.mark.parametrize(
    ("body", "intent"),
    [
        ("HUMANO", "inform"),
        ("atendente", "inform"),
        ("quero falar com uma pessoa", "request_human"),
    ],
)
def test_asking_for_a_person_calls_the_team_once_and_the_form_goes_on(
    chat: Chat, body: str, intent: str
) -> None:
    chat.at(slots_until("cep"))
    turn = chat.send(body, intent)
    assert turn.effects == [Escalate("request_human", body)]
    assert chat.state.awaiting_human
    assert [r.text for r in turn.replies] == [
        says("escalated", wait="4 horas") + "\n" + says("human_meanwhile"),
        prompt("cep"),
    ]


def test_outside_business_hours_the_opening_time_is_said(chat: Chat) -> None:
    chat.at(slots_until("cep"))
    chat.progress.wait = HumanWait(240, in_business_hours=False, opens_at=NEXT_MORNING)
    turn = chat.send("HUMANO")
    assert turn.replies[0].text.startswith(says("escalated_off_hours", opens="qua, 25/11 às 09:00"))


def test_in_english_the_wait_is_said_in_english(chat: Chat) -> None:
    chat.at(slots_until("cep")).with_state(language="en")
    chat.progress.wait = HumanWait(90)
    turn = chat.send("HUMAN")
    assert turn.replies[0].text.startswith(says("escalated", "en", wait="1 hour 30 minutes"))


def test_asking_again_while_a_request_is_open_escalates_nothing(waiting: Chat) -> None:
    turn = waiting.send("quero falar com um atendente", "request_human")
    assert turn.effects == []
    assert turn.replies[0].text.startswith(
        says("human_not_taken", since=OPENED, later=says("human_wait", wait="4 horas"))
    )
    assert turn.replies[-1].text == prompt("cep")


def test_a_complaint_while_a_request_is_open_escalates_nothing(waiting: Chat) -> None:
    turn = waiting.send("que absurdo essa demora", "complain", 0.6)
    assert turn.effects == []


def test_a_complaint_calls_the_team(chat: Chat) -> None:
    chat.at(slots_until("cep"))
    turn = chat.send("péssimo atendimento", "complain")
    assert turn.effects == [Escalate("complaint", "péssimo atendimento")]
    assert turn.replies[0].text.startswith(says("complaint"))
    assert chat.state.awaiting_human


def test_request_person_reads_the_open_request_before_escalating(chat: Chat) -> None:
    open_request(chat)
    chat.at(slots_until("cep"))
    turn = Turn(state=chat.state, context=chat.context, utterance=utterance("HUMANO"))
    request_person(turn, chat.engine.dialogue, reason="request_human", detail="HUMANO")
    assert turn.effects == []
    assert chat.progress.reads >= 1


# ------------------------------------------------------------------ "tem alguém aí?"
@pytest.mark.parametrize(
    ("body", "intent"),
    [
        ("tem alguém aí?", "greet"),
        ("Alô?", "greet"),
        ("ainda estou esperando", "inform"),
        ("vai demorar?", "out_of_scope"),
        ("cadê a pessoa?", "out_of_scope"),
        ("anyone there?", "greet"),
        ("ninguém me respondeu", "complain"),
    ],
)
def test_anyone_there_while_waiting_gets_the_state_of_the_request(
    waiting: Chat, body: str, intent: str
) -> None:
    turn = waiting.send(body, intent)
    assert turn.effects == []
    assert [r.text for r in turn.replies] == [
        says("human_not_taken", since=OPENED, later=says("human_wait", wait="4 horas"))
        + "\n"
        + says("human_meanwhile"),
        prompt("cep"),
    ]


def test_anyone_there_says_who_took_the_request(waiting: Chat) -> None:
    open_request(waiting, taken_by="Ana Lima")
    turn = waiting.send("tem alguém aí?", "greet")
    assert turn.replies[0].text.startswith(says("human_taken", since=OPENED, name="Ana Lima"))
    assert turn.replies[-1].text == prompt("cep")


def test_anyone_there_outside_business_hours_says_when_the_team_is_back(waiting: Chat) -> None:
    waiting.progress.wait = HumanWait(240, in_business_hours=False, opens_at=NEXT_MORNING)
    turn = waiting.send("tem alguém aí?", "greet")
    later = says("human_wait_off_hours", opens="qua, 25/11 às 09:00")
    assert turn.replies[0].text.startswith(says("human_not_taken", since=OPENED, later=later))


def test_anyone_there_when_the_request_was_closed_offers_to_call_someone(waiting: Chat) -> None:
    waiting.progress.human = None
    turn = waiting.send("tem alguém aí?", "greet")
    assert [r.text for r in turn.replies] == [says("human_none_open")]
    assert [c.id for c in choices(turn)] == ["human", "retry"]
    assert isinstance(waiting.state.pending, HumanOfferPending)
    assert not waiting.state.awaiting_human
    turn = waiting.send("1")
    assert [type(e) for e in turn.effects] == [Escalate]


def test_anyone_there_without_any_request_is_small_talk(chat: Chat) -> None:
    chat.at(slots_until("cep"))
    turn = chat.send("tem alguém aí?", "greet")
    assert turn.replies[0].text.startswith(says("greet_again"))
    assert turn.effects == []


def test_anyone_there_after_a_request_this_chat_does_not_remember(chat: Chat) -> None:
    """A request opened by the team, or before a restart: the request itself is the truth."""
    chat.at(slots_until("cep"))
    open_request(chat, taken_by="Ana Lima")
    turn = chat.send("tem alguém aí?", "greet")
    assert turn.replies[0].text.startswith(says("human_taken", since=OPENED, name="Ana Lima"))
    assert chat.state.awaiting_human


def test_the_request_is_not_read_on_turns_that_do_not_need_it(chat: Chat) -> None:
    chat.at(slots_until("cep"))
    chat.send("01310-100")
    chat.send("oi", "greet")
    assert chat.progress.reads == 0


def test_an_answer_while_waiting_still_answers_the_form(waiting: Chat) -> None:
    waiting.send("01310-100")
    assert waiting.state.slots["cep"] == "01310100"


@pytest.mark.parametrize(
    ("minutes", "language", "said"),
    [(240, "pt", "4 horas"), (60, "pt", "1 hora"), (90, "pt", "1 hora e 30 minutos"),
     (30, "pt", "30 minutos"), (1, "pt", "1 minuto"), (90, "en", "1 hour 30 minutes"),
     (0, "pt", "1 minuto")],
)  # fmt: skip
def test_the_expected_wait_in_words(minutes: int, language: str, said: str) -> None:
    assert duration(minutes, language) == said
