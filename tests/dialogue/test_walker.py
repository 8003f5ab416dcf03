"""Walking a flow: the automatic steps run until a question needs the client; frames for
called flows; conditions; where the conversation stands and what its question is called."""

from __future__ import annotations

from typing import Any

import pytest

from bot.dialogue.actions import ActionContext
from bot.dialogue.effects import Escalate, RecordEvent, SetStage
from bot.dialogue.errors import DialogueError
from bot.dialogue.state import DialogueState, Frame, SlotValue
from bot.dialogue.turn import Turn
from bot.dialogue.walker import AUTOMATIC_STEPS, FlowWalker, holds
from flows import AskStep, ChoiceStep, Condition, ConfirmStep, DocumentStep, Flow
from tests.dialogue.support import FakeAddressLookup, FakeCompanyLookup, replies

T = dict[str, str]


def txt(pt: str, en: str = "") -> T:
    return {"pt": pt, "en": en or pt}


def ask(
    slot: str, next_: str | None, *, label: str = "", validator: str = "person_name"
) -> dict[str, Any]:
    return {
        "type": "ask",
        "slot": slot,
        "validator": validator,
        "label": txt(label or slot),
        "prompt": txt(f"Qual é {slot}?", f"What is {slot}?"),
        "next": next_,
    }


def flow(flow_id: str, start: str, **steps: dict[str, Any]) -> Flow:
    return Flow.model_validate({"id": flow_id, "start": start, "steps": steps})


def recorded(ctx: ActionContext) -> None:
    ctx.effects.append(RecordEvent("ran", ctx.namespace))


def fill_area(ctx: ActionContext) -> None:
    ctx.state.set_slot(ctx.key("area_code"), "11")


MAIN = flow(
    "main",
    "hello",
    hello={"type": "say", "text": txt("Olá!", "Hi!"), "next": "name"},
    name=ask("name", "kind", label="seu nome"),
    kind={
        "type": "choice",
        "slot": "kind",
        "prompt": txt("Loja ou indústria?"),
        "options": [
            {"id": "shop", "title": txt("Loja"), "value": "shop", "next": "greet_shop"},
            {"id": "plant", "title": txt("Indústria"), "value": "plant"},
        ],
        "next": "size",
    },
    greet_shop={"type": "say", "text": txt("Uma loja, {name}!"), "next": "size"},
    size=ask("size", "by_size", validator="employees"),
    by_size={
        "type": "branch",
        "cases": [
            {"when": {"slot": "size", "gt": 500}, "goto": "big"},
            {"when": {"slot": "size", "gt": 50}, "goto": "medium"},
        ],
        "default": "finance",
    },
    big={"type": "set_stage", "stage": "documentos", "reason": "big", "next": "finance"},
    medium={"type": "action", "action": "recorded", "next": "finance"},
    finance={
        "type": "call",
        "flow": "contact",
        "namespace": "finance",
        "label": txt("Financeiro", "Finance"),
        "params": {"area": txt("do financeiro", "finance")},
        "next": "card",
    },
    card={
        "type": "document",
        "slot": "doc",
        "kinds": ["cnpj_card"],
        "label": txt("cartão CNPJ"),
        "prompt": txt("Mande o cartão CNPJ."),
        "required_when": {"slot": "size", "gt": 10},
        "next": "review",
    },
    review={"type": "confirm", "prompt": txt("Confira:"), "on_yes": "bye"},
    bye={"type": "handoff", "reason": "done", "text": txt("Chamei a equipe."), "next": "end"},
    end={"type": "end", "text": txt("Fim.")},
)
CONTACT = flow(
    "contact",
    "who",
    who={
        "type": "choice",
        "slot": "same",
        "label": txt("responsável"),
        "prompt": txt("Quem é o responsável {area}?"),
        "options": [
            {"id": "me", "title": txt("Eu"), "value": True, "next": "copy"},
            {"id": "other", "title": txt("Outro"), "value": False, "next": "person"},
        ],
    },
    copy={"type": "action", "action": "fill_area", "next": "done"},
    person=ask("person", "done", label="nome"),
    done={"type": "end"},
)


@pytest.fixture
def walker() -> FlowWalker:
    return FlowWalker(
        flows={"main": MAIN, "contact": CONTACT},
        root_flow="main",
        actions={"recorded": recorded, "fill_area": fill_area},
        address_lookup=FakeAddressLookup(),
        company_lookup=FakeCompanyLookup(),
        company_young_days=90,
    )


def answered(**slots: SlotValue) -> Turn:
    state = DialogueState()
    for key, value in slots.items():
        state.set_slot(key.replace("__", "."), value)
    return Turn(state=state)


# ------------------------------------------------------------------ moving
def test_start_says_what_comes_first_and_stops_at_the_first_question(walker: FlowWalker) -> None:
    turn = answered()
    step = walker.start(turn)
    assert isinstance(step, AskStep) and step.slot == "name"
    assert replies(turn) == "Olá!"
    assert turn.state.started and not turn.state.finished
    assert turn.state.stack == [Frame(flow_id="main", step_id="name")]


def test_the_walker_never_prompts(walker: FlowWalker) -> None:
    turn = answered()
    walker.start(turn)
    assert "Qual é name?" not in replies(turn)


def test_answered_questions_are_skipped_and_a_chosen_options_next_followed(
    walker: FlowWalker,
) -> None:
    turn = answered(name="Maria", kind="shop")
    step = walker.start(turn)
    assert isinstance(step, AskStep) and step.slot == "size"
    assert replies(turn) == "Olá!\nUma loja, Maria!"


def test_an_option_without_its_own_next_follows_the_steps(walker: FlowWalker) -> None:
    turn = answered(name="Maria", kind="plant")
    step = walker.start(turn)
    assert isinstance(step, AskStep) and step.slot == "size"
    assert "Uma loja" not in replies(turn)


@pytest.mark.parametrize(
    ("size", "effects"),
    [
        (800, [SetStage("documentos", "big")]),
        (80, [RecordEvent("ran", "")]),
        (8, []),
    ],
)
def test_a_branch_takes_the_first_case_that_holds(
    walker: FlowWalker, size: int, effects: list[object]
) -> None:
    turn = answered(name="Maria", kind="plant", size=size)
    walker.start(turn)
    assert turn.effects == effects


def test_a_call_runs_the_called_flow_under_its_namespace(walker: FlowWalker) -> None:
    turn = answered(name="Maria", kind="plant", size=8)
    step = walker.start(turn)
    assert isinstance(step, ChoiceStep) and step.slot == "same"
    assert turn.state.stack == [
        Frame(flow_id="main", step_id="card"),
        Frame(flow_id="contact", step_id="who", namespace="finance"),
    ]
    assert walker.current_key(turn.state) == "finance.same"
    frame = turn.state.frame
    assert frame is not None
    assert (
        walker.render(step.prompt.pt, frame, state=turn.state)
        == "Quem é o responsável do financeiro?"
    )


def test_an_action_in_a_called_flow_fills_its_namespace_and_the_end_returns(
    walker: FlowWalker,
) -> None:
    turn = answered(name="Maria", kind="plant", size=8, finance__same=True)
    step = walker.start(turn)
    assert turn.state.slots["finance.area_code"] == "11"
    assert isinstance(step, ConfirmStep)  # the card is not required for 8 employees
    assert [f.flow_id for f in turn.state.stack] == ["main"]


def test_a_document_step_is_asked_only_when_it_is_required(walker: FlowWalker) -> None:
    turn = answered(name="Maria", kind="plant", size=20, finance__same=True)
    assert isinstance(walker.start(turn), DocumentStep)


def test_handoff_calls_the_team_and_end_finishes_the_conversation(walker: FlowWalker) -> None:
    turn = answered(name="Maria", kind="plant", size=8, finance__same=True)
    walker.start(turn)
    assert walker.goto(turn, "bye") is None
    assert Escalate("flow:done") in turn.effects
    assert replies(turn).endswith("Chamei a equipe.\nFim.")
    assert turn.state.finished and turn.state.stack == []
    assert walker.current_step(turn.state) is None


def test_goto_without_a_running_flow_is_an_error(walker: FlowWalker) -> None:
    with pytest.raises(DialogueError, match="no flow is running"):
        walker.goto(answered(), "name")


def test_a_flow_that_loops_is_stopped() -> None:
    looping = flow(
        "loop",
        "a",
        a={"type": "say", "text": txt("a"), "next": "b"},
        b={"type": "branch", "cases": [{"when": {"slot": "x", "is_set": True}, "goto": "a"}],
           "default": "a"},
    )  # fmt: skip
    walker = FlowWalker(
        flows={"loop": looping},
        root_flow="loop",
        actions={},
        address_lookup=FakeAddressLookup(),
        company_lookup=FakeCompanyLookup(),
        company_young_days=90,
    )
    with pytest.raises(DialogueError, match="loops"):
        walker.start(answered())


def test_a_step_without_its_next_step_is_an_error() -> None:
    dead_end = flow("dead", "a", a={"type": "say", "text": txt("a")})
    walker = FlowWalker(
        flows={"dead": dead_end},
        root_flow="dead",
        actions={},
        address_lookup=FakeAddressLookup(),
        company_lookup=FakeCompanyLookup(),
        company_young_days=90,
    )
    with pytest.raises(DialogueError, match="step 'a' has no next step"):
        walker.start(answered())


def test_the_root_flow_must_be_loaded() -> None:
    with pytest.raises(DialogueError, match="root flow 'nope'"):
        FlowWalker(
            flows={"main": MAIN, "contact": CONTACT},
            root_flow="nope",
            actions={},
            address_lookup=FakeAddressLookup(),
            company_lookup=FakeCompanyLookup(),
            company_young_days=90,
        )


def test_every_automatic_step_kind_has_a_runner() -> None:
    from flows import ActionStep, BranchStep, CallStep, EndStep, HandoffStep, SayStep, SetStageStep

    assert set(AUTOMATIC_STEPS) == {
        SayStep, BranchStep, SetStageStep, ActionStep, CallStep, HandoffStep, EndStep
    }  # fmt: skip


# ------------------------------------------------------------------ where we stand
def test_nothing_stands_before_the_start_or_after_the_end(walker: FlowWalker) -> None:
    state = DialogueState()
    assert walker.current_step(state) is None and walker.current_key(state) is None
    state = DialogueState(
        started=True, finished=True, stack=[Frame(flow_id="main", step_id="name")]
    )
    assert walker.current_step(state) is None


def test_a_confirm_step_fills_no_slot(walker: FlowWalker) -> None:
    turn = answered(name="Maria", kind="plant", size=8, finance__same=True)
    walker.start(turn)
    assert walker.current_key(turn.state) is None


PLANT: dict[str, SlotValue] = {"name": "Maria", "kind": "plant", "size": 8}


@pytest.mark.parametrize(
    ("slots", "label"),
    [
        ({}, "seu nome"),  # an ask step: its catalog label
        ({"name": "Maria"}, "Loja ou indústria?"),  # a choice without a label: its prompt
        (PLANT, "responsável (Financeiro)"),
        ({**PLANT, "finance__same": False}, "nome (Financeiro)"),
        ({**PLANT, "finance__same": True}, "Confira"),
    ],
)  # fmt: skip
def test_label_of_names_the_current_question(
    walker: FlowWalker, slots: dict[str, SlotValue], label: str
) -> None:
    turn = answered(**slots)
    step = walker.start(turn)
    assert walker.label_of(turn.state, step) == label


def test_label_of_in_english(walker: FlowWalker) -> None:
    turn = answered(name="Maria", kind="plant", size=8)
    turn.state.language = "en"
    step = walker.start(turn)
    assert walker.label_of(turn.state, step) == "responsável (Finance)"


# ------------------------------------------------------------------ conditions
FRAME = Frame(flow_id="contact", step_id="who", namespace="finance")


@pytest.mark.parametrize(
    ("condition", "slots", "result"),
    [
        ({"slot": "size", "gt": 500}, {"size": 800}, True),
        ({"slot": "size", "gt": 500}, {"size": 500}, False),
        ({"slot": "size", "lt": 10}, {"size": 9}, True),
        ({"slot": "size", "gt": 5}, {"size": "800"}, False),  # text is not a number
        ({"slot": "size", "gt": 5}, {"size": True}, False),  # nor is a yes
        ({"slot": "size", "gt": 5, "lt": 10}, {"size": 7}, True),
        ({"slot": "size", "gt": 5, "lt": 10}, {"size": 12}, False),
        ({"slot": "mode", "equals": "minimal"}, {"mode": "minimal"}, True),
        ({"slot": "mode", "equals": "minimal"}, {}, False),
        ({"slot": "mode", "not_equals": "minimal"}, {"mode": "full"}, True),
        ({"slot": "mode", "not_equals": "minimal"}, {}, True),
        ({"slot": "street", "is_set": True}, {"street": "Rua A"}, True),
        ({"slot": "street", "is_set": True}, {"street": ""}, False),
        ({"slot": "street", "is_set": False}, {}, True),
        ({"slot": "same", "equals": True}, {"finance.same": True}, True),  # the frame's own
        ({"slot": "size", "gt": 5}, {"size": 8, "finance.size": 2}, False),  # the frame first
        ({"slot": "size"}, {"size": 8}, False),  # no operator: never holds
    ],
)
def test_holds(condition: dict[str, Any], slots: dict[str, SlotValue], result: bool) -> None:
    assert holds(Condition.model_validate(condition), FRAME, slots=slots) is result
