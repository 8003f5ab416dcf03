"""The scheduling questions (which session, confirm it, when instead, manage or cancel a
booking, the NPS comment), read before any interruption."""

from __future__ import annotations

import pytest

from bot.dialogue.effects import NpsAnswered, RecordEvent
from bot.dialogue.state import (
    CancelTrainingPending,
    ConfirmSlotPending,
    NpsCommentPending,
    PickSlotPending,
    TrainingManagePending,
    TrainingWhenPending,
)
from bot.domain.onboarding import Stage
from tests.dialogue.support import Chat, FakeTrainingScheduler, choices, ent, says, slots_until

TUESDAY_10 = [ent("date", "2026-12-01"), ent("time", "10:00")]


def in_training(chat: Chat, scheduler: FakeTrainingScheduler | None = None) -> Chat:
    chat.stage = Stage.TREINAMENTO
    chat.training = scheduler or FakeTrainingScheduler()
    return chat.at(slots_until(None), saved=True).with_state(finished=True)


@pytest.fixture
def offered(chat: Chat) -> Chat:
    in_training(chat).send("quero agendar o treinamento", "schedule_training")
    assert isinstance(chat.state.pending, PickSlotPending)
    return chat


def booked_at(chat: Chat) -> int | None:
    assert chat.training is not None
    return chat.training.booking


def test_the_offer_lists_the_next_free_sessions_and_another_time(offered: Chat) -> None:
    turn = offered.turns[-1]
    assert [(c.id, c.title) for c in choices(turn)] == [
        ("slot:1", "qui, 26/11 às 10:00"),
        ("slot:2", "qui, 26/11 às 11:00"),
        ("slot:3", "qui, 26/11 às 15:00"),
        ("other", says("training_other_time")),
    ]


@pytest.mark.parametrize(("body", "slot"), [("1", 1), ("2", 2), ("a terceira", 3)])
def test_a_number_books_that_session(offered: Chat, body: str, slot: int) -> None:
    turn = offered.send(body)
    assert booked_at(offered) == slot
    assert [type(e) for e in turn.effects] == [RecordEvent]
    assert offered.state.pending is None


def test_a_tap_books_that_session(offered: Chat) -> None:
    offered.send("", choice_id="slot:2")
    assert booked_at(offered) == 2


def test_the_booking_carries_the_calendar_invite(chat: Chat) -> None:
    scheduler = FakeTrainingScheduler()
    in_training(chat, scheduler).send("quero agendar o treinamento", "schedule_training")
    turn = chat.send("1")
    assert turn.effects == [RecordEvent("booked_training", "2026-11-26T13:00:00+00:00")]


@pytest.mark.parametrize("body", ["outro horário", "nenhum desses", "prefiro outro"])
def test_another_time_asks_when(offered: Chat, body: str) -> None:
    turn = offered.send(body)
    assert [r.text for r in turn.replies] == [says("training_ask_when")]
    assert isinstance(offered.state.pending, TrainingWhenPending)


def test_the_number_of_another_time_asks_when(offered: Chat) -> None:
    turn = offered.send("4")
    assert [r.text for r in turn.replies] == [says("training_ask_when")]


def test_a_day_and_time_offers_that_session_to_confirm(offered: Chat) -> None:
    offered.send("outro horário")
    turn = offered.send("terça às 10h", entities=TUESDAY_10)
    assert isinstance(offered.state.pending, ConfirmSlotPending)
    assert [c.id for c in choices(turn)] == ["yes", "no"]
    offered.send("sim")
    assert booked_at(offered) == 4


def test_a_day_and_time_right_at_the_offer_is_understood(offered: Chat) -> None:
    offered.send("pode ser terça às 10h?", "schedule_training", entities=TUESDAY_10)
    assert isinstance(offered.state.pending, ConfirmSlotPending)
    assert offered.state.pending.options == ["4"]


def test_no_to_the_proposed_session_asks_when(offered: Chat) -> None:
    offered.send("terça às 10h", entities=TUESDAY_10)
    turn = offered.send("não")
    assert [r.text for r in turn.replies] == [says("training_ask_when")]


def test_a_seat_taken_meanwhile_offers_the_nearest(chat: Chat) -> None:
    scheduler = FakeTrainingScheduler()
    in_training(chat, scheduler).send("quero agendar o treinamento", "schedule_training")
    scheduler.taken.add(1)  # another client took the last seat
    turn = chat.send("1")
    assert turn.replies[-1].text.startswith(says("training_seat_taken"))
    assert booked_at(chat) is None
    assert [c.id for c in choices(turn)][0] == "slot:2"


def test_a_booking_can_be_cancelled(chat: Chat) -> None:
    scheduler = FakeTrainingScheduler(booked=1)
    in_training(chat, scheduler).send("quero cancelar o treinamento", "cancel_training")
    assert isinstance(chat.state.pending, CancelTrainingPending)
    turn = chat.send("sim")
    assert scheduler.cancelled == [1]
    assert [r.text for r in turn.replies] == [says("training_cancelled")]


def test_no_keeps_the_booking(chat: Chat) -> None:
    scheduler = FakeTrainingScheduler(booked=1)
    in_training(chat, scheduler).send("quero cancelar o treinamento", "cancel_training")
    turn = chat.send("não")
    assert scheduler.booking == 1
    assert turn.replies[-1].text == says("training_not_cancelled", when="qui, 26/11 às 10:00")


def test_asking_to_book_again_offers_to_reschedule_cancel_or_keep(chat: Chat) -> None:
    scheduler = FakeTrainingScheduler(booked=1)
    turn = in_training(chat, scheduler).send("quero agendar o treinamento", "schedule_training")
    assert isinstance(chat.state.pending, TrainingManagePending)
    assert [c.id for c in choices(turn)] == ["reschedule", "cancel", "keep"]
    turn = chat.send("remarcar")
    assert [c.id for c in choices(turn)][:3] == ["slot:2", "slot:3", "slot:4"]
    turn = chat.send("3")
    assert scheduler.booking == 4
    assert turn.replies[-1].text.startswith(says("training_rebooked").split("{")[0])


def test_keep_keeps_the_booking(chat: Chat) -> None:
    scheduler = FakeTrainingScheduler(booked=1)
    in_training(chat, scheduler).send("quero agendar o treinamento", "schedule_training")
    turn = chat.send("manter")
    assert [r.text for r in turn.replies] == [says("training_kept", when="qui, 26/11 às 10:00")]
    assert scheduler.booking == 1 and chat.state.pending is None


def test_a_command_inside_the_offer_asks_the_offer_again(offered: Chat) -> None:
    turn = offered.send("AJUDA")
    assert turn.replies[0].text == says("help")
    assert isinstance(offered.state.pending, PickSlotPending)
    assert [c.id for c in choices(turn)][-1] == "other"


def test_the_nps_comment_after_a_score(chat: Chat) -> None:
    in_training(chat)
    chat.nps_booking_id = 101
    turn = chat.send("9")
    assert turn.effects == [NpsAnswered(booking_id=101, score=9)]
    assert chat.state.pending == NpsCommentPending(booking_id=101)
    chat.nps_booking_id = None
    turn = chat.send("Muito bom, obrigada")
    assert turn.effects == [NpsAnswered(booking_id=101, comment="Muito bom, obrigada")]
    assert [r.text for r in turn.replies] == [says("nps_thanks")]


def test_no_comment_records_no_comment(chat: Chat) -> None:
    in_training(chat)
    chat.nps_booking_id = 101
    chat.send("nota 10")
    chat.nps_booking_id = None
    turn = chat.send("não")
    assert turn.effects == []
    assert chat.state.pending is None


def test_an_answer_the_offer_cannot_take_is_explained(offered: Chat) -> None:
    turn = offered.send("banana")
    assert turn.replies[0].text == says("choice_unknown")
    assert [c.id for c in choices(turn)][-1] == "other"
