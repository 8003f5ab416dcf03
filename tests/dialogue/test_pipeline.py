"""The turn handlers that belong to no one concept: each has ``check`` and ``handle``, and
the pipeline's order is the behaviour."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.dialogue.dialogue import Dialogue, Outcome
from bot.dialogue.effects import NpsAnswered
from bot.dialogue.engine import DialogueEngine
from bot.dialogue.pipeline import (
    ClarifyHandler,
    EmptyMessageHandler,
    ErasureRequestedHandler,
    FinishedHandler,
    NpsScoreHandler,
    RepairHandler,
    StartHandler,
    StepAnswerHandler,
    UnfitRepairHandler,
)
from bot.dialogue.state import ClarifyPending, CorrectionPending, DialogueState, ErasurePending
from bot.dialogue.turn import Turn
from bot.domain.onboarding import Stage
from tests.dialogue.support import (
    Chat,
    inbound,
    position,
    prompt,
    says,
    slots_until,
    utterance,
)


@dataclass
class FakeRepair:
    """A repair that answers every message with one outcome and records what it was asked."""

    outcome: Outcome
    calls: list[str] = field(default_factory=list)

    def take(self, turn: Turn, dialogue: Dialogue, pending: Any) -> Outcome:
        self.calls.append("take")
        return self.outcome

    def reask(self, turn: Turn, dialogue: Dialogue, pending: Any) -> None:
        self.calls.append("reask")
        turn.say("reasked")

    def explain(self, turn: Turn, dialogue: Dialogue, pending: Any) -> None:
        self.calls.append("explain")
        turn.say("explained")


def with_repair(engine: DialogueEngine, repair: FakeRepair) -> Dialogue:
    base = engine.dialogue
    return Dialogue(
        walker=base.walker,
        settings=base.settings,
        steps=base.steps,
        repairs={**base.repairs, "confirm_erasure": repair},
        interruptions=base.interruptions,
        training=base.training,
    )


def turn_at(engine: DialogueEngine, body: str, *, before: str | None = "cep", **kw: Any) -> Turn:
    state = position(engine, slots_until(before)) if before != "" else DialogueState()
    return Turn(state=state, utterance=utterance(body, **kw))


# ------------------------------------------------------------------ the open repair
def test_a_repair_that_takes_the_message_completes_the_turn(engine: DialogueEngine) -> None:
    repair = FakeRepair(Outcome.TAKEN)
    turn = turn_at(engine, "sim")
    turn.state.pending = ErasurePending()
    handler = RepairHandler()
    assert handler.check(turn, engine.dialogue)
    assert handler.handle(turn, with_repair(engine, repair)) is True
    assert repair.calls == ["take"]
    assert turn.state.pending is None  # the repair sets its next question itself


def test_a_message_not_for_the_repair_drops_its_question(engine: DialogueEngine) -> None:
    turn = turn_at(engine, "01310-100")
    turn.state.pending = ErasurePending()
    assert RepairHandler().handle(turn, with_repair(engine, FakeRepair(Outcome.NOT_MINE))) is False
    assert turn.state.pending is None and not turn.unfit_repair


def test_an_unfit_message_keeps_the_question_for_an_explanation(engine: DialogueEngine) -> None:
    repair = FakeRepair(Outcome.UNFIT)
    dialogue = with_repair(engine, repair)
    turn = turn_at(engine, "hmm")
    turn.state.pending = ErasurePending()
    assert RepairHandler().handle(turn, dialogue) is False
    assert turn.state.pending == ErasurePending() and turn.unfit_repair
    handler = UnfitRepairHandler()
    assert handler.check(turn, dialogue)
    assert handler.handle(turn, dialogue) is True
    assert repair.calls == ["take", "explain"]


def test_no_open_repair_is_nothing_for_the_repair_handlers(engine: DialogueEngine) -> None:
    turn = turn_at(engine, "x")
    assert not RepairHandler().check(turn, engine.dialogue)
    assert not UnfitRepairHandler().check(turn, engine.dialogue)


# ------------------------------------------------------------------ empty, NPS, erasure
def test_an_empty_message_is_said_to_be_empty_and_the_question_asked_again(chat: Chat) -> None:
    chat.at(slots_until("cep"))
    turn = chat.send("   ")
    assert [r.text for r in turn.replies] == [says("empty_message"), prompt("cep")]


def test_a_tap_without_text_is_not_empty(engine: DialogueEngine) -> None:
    turn = Turn(
        state=DialogueState(),
        utterance=utterance("", choice_id="yes"),
    )
    assert not EmptyMessageHandler().check(turn, engine.dialogue)


def test_a_bare_score_after_a_training_session_is_its_nps(chat: Chat) -> None:
    chat.at(slots_until(None)).with_state(finished=True)
    chat.nps_booking_id = 101
    turn = chat.send("8")
    assert turn.effects == [NpsAnswered(booking_id=101, score=8)]


def test_a_number_without_a_session_to_score_is_not_an_nps(engine: DialogueEngine) -> None:
    turn = turn_at(engine, "8", before="employees")
    assert not NpsScoreHandler().check(turn, engine.dialogue)


def test_after_an_erasure_request_nothing_is_collected(engine: DialogueEngine) -> None:
    turn = turn_at(engine, "01310-100")
    turn.state.erasure_requested = True
    handler = ErasureRequestedHandler()
    assert handler.check(turn, engine.dialogue) and handler.handle(turn, engine.dialogue)
    assert [r.text for r in turn.replies] == [says("erasure_in_progress")]


# ------------------------------------------------------------------ start, finished
def test_the_first_message_starts_the_registration(engine: DialogueEngine) -> None:
    turn = turn_at(engine, "oi", before="")
    handler = StartHandler()
    assert handler.check(turn, engine.dialogue) and handler.handle(turn, engine.dialogue)
    assert [r.text for r in turn.replies] == [prompt("consent")]
    assert turn.state.started


def test_a_client_past_the_registration_is_not_asked_to_register(chat: Chat) -> None:
    chat.stage = Stage.CONFIGURACAO
    turn = chat.send("oi", "greet")
    assert [r.text for r in turn.replies] == [says("known_client_menu", stage="Configuração")]
    assert [c.id for c in turn.replies[0].choices] == ["ask_status", "request_human"]
    assert not chat.state.started


def test_after_the_registration_the_menu(chat: Chat) -> None:
    chat.at(slots_until(None)).with_state(finished=True)
    turn = chat.send("bom dia", "greet")
    assert [r.text for r in turn.replies] == [
        says("finished_menu_hello", stage="Cadastro", name=", Maria")
    ]
    assert [c.id for c in turn.replies[0].choices] == [
        "ask_status",
        "correct_data",
        "request_human",
    ]
    turn = chat.send("1", "inform")  # a pick runs the request
    assert "Cadastro" in turn.replies[0].text and chat.state.pending is None


def test_a_client_who_refused_consent_gets_the_notice_again(chat: Chat) -> None:
    chat.send("oi", "greet")
    chat.send("não concordo")
    assert chat.state.finished and chat.state.slots == {"lgpd_consent": False}
    turn = chat.send("oi, mudei de ideia", "greet")
    assert turn.replies[-1].text == prompt("consent")
    assert chat.state.slots == {} and chat.state.started and not chat.state.finished


def test_finished_handler_only_after_the_end(engine: DialogueEngine) -> None:
    assert not FinishedHandler().check(turn_at(engine, "x"), engine.dialogue)


def test_after_the_registration_an_open_question_is_still_explained(chat: Chat) -> None:
    chat.at(slots_until(None), saved=True).with_state(finished=True)
    chat.send("errei o nome da empresa")
    turn = chat.send("ok")
    assert [r.text for r in turn.replies] == [
        says("not_an_answer", said="ok", label="razão social"),
        says("ask_new_value", label="razão social"),
    ]


# ------------------------------------------------------------------ clarify, the step
def test_clarify_leaves_an_answer_the_step_takes(engine: DialogueEngine) -> None:
    turn = turn_at(engine, "01310-100", intent="out_of_scope")
    assert not ClarifyHandler().check(turn, engine.dialogue)


def test_out_of_scope_without_a_guess_lets_the_step_explain(chat: Chat) -> None:
    chat.at(slots_until("admin_email"))
    turn = chat.send("qual a cor do céu", "out_of_scope", 0.9)
    assert [r.text for r in turn.replies] == [says("email_missing_at"), prompt("admin_email")]
    assert chat.state.misunderstood_count == 0


def test_guesses_below_the_floor_are_not_offered(chat: Chat) -> None:
    chat.at(slots_until("cep"))
    chat.send("hmm", "out_of_scope", 0.5, ranking=[("out_of_scope", 0.5), ("help", 0.1)])
    assert not isinstance(chat.state.pending, ClarifyPending)


def test_small_talk_is_never_a_guess(chat: Chat) -> None:
    chat.at(slots_until("cep"))
    chat.send("hmm", "out_of_scope", 0.4, ranking=[("out_of_scope", 0.4), ("greet", 0.39)])
    assert not isinstance(chat.state.pending, ClarifyPending)


def test_an_answer_forgets_the_misunderstanding(engine: DialogueEngine) -> None:
    turn = turn_at(engine, "01310-100")
    turn.state.misunderstood_count = 1
    handler = StepAnswerHandler()
    assert handler.check(turn, engine.dialogue) and handler.handle(turn, engine.dialogue)
    assert turn.state.misunderstood_count == 0
    assert turn.state.slots["cep"] == "01310100"


def test_no_step_no_answer(engine: DialogueEngine) -> None:
    turn = Turn(state=DialogueState(), utterance=utterance("x"))
    assert not StepAnswerHandler().check(turn, engine.dialogue)


def test_the_open_repair_reads_the_message_before_a_correction(chat: Chat) -> None:
    """ "o certo é sala 5" answers the awaited value; it is not a correction of another
    field."""
    chat.at(slots_until(None))
    chat.send("errei o complemento")
    assert chat.state.pending == CorrectionPending(slot="address_complement")
    chat.send("o certo é sala 5")
    assert chat.state.slots["address_complement"] == "sala 5"


def test_inbound_helper_builds_distinct_messages() -> None:
    assert inbound("a").external_id != inbound("a").external_id
