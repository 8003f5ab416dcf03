"""The registries checked at start-up: every step kind, every pending kind and every NLU
intent has exactly its handler; each check is shown to fail when a handler is missing."""

from __future__ import annotations

import pytest

from bot.dialogue import interruptions, repairs, steps
from bot.dialogue.errors import DialogueError
from bot.dialogue.texts import TEXTS
from bot.dialogue.walker import AUTOMATIC_STEPS
from flows import AskStep, DocumentStep, SayStep
from nlu.types import INTENTS
from tests.dialogue.support import make_engine


def test_the_shipped_registries_are_complete() -> None:
    steps.check_registry()
    repairs.check_registry()
    interruptions.check_registry()


# ------------------------------------------------------------------ steps
def test_a_step_kind_without_a_handler_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(steps.STEP_HANDLERS, DocumentStep)
    with pytest.raises(DialogueError, match="DocumentStep"):
        steps.check_registry()


def test_an_automatic_step_kind_without_a_runner_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delitem(AUTOMATIC_STEPS, SayStep)
    with pytest.raises(DialogueError, match="SayStep"):
        steps.check_registry()


def test_a_step_kind_with_two_handlers_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(AUTOMATIC_STEPS, AskStep, AUTOMATIC_STEPS[SayStep])
    with pytest.raises(DialogueError, match="AskStep"):
        steps.check_registry()


def test_the_engine_does_not_start_with_a_broken_registry(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delitem(steps.STEP_HANDLERS, AskStep)
    with pytest.raises(DialogueError):
        make_engine()


# ------------------------------------------------------------------ repairs
def test_a_pending_kind_without_a_repair_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(repairs.REPAIRS, "confirm_erasure")
    with pytest.raises(DialogueError, match="confirm_erasure"):
        repairs.check_registry()


def test_a_repair_without_a_pending_kind_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(repairs.REPAIRS, "ghost", repairs.REPAIRS["clarify"])
    with pytest.raises(DialogueError, match="ghost"):
        repairs.check_registry()


def test_every_training_question_has_the_training_repair() -> None:
    from bot.dialogue.training.offers import TRAINING_PENDING
    from bot.dialogue.training.repair import TrainingRepair

    assert all(isinstance(repairs.REPAIRS[kind], TrainingRepair) for kind in TRAINING_PENDING)


# ------------------------------------------------------------------ interruptions
def test_every_intent_is_an_answer_or_an_interruption() -> None:
    covered = set(interruptions.INTERRUPTIONS) | interruptions.ANSWER_INTENTS
    assert covered == set(INTENTS)
    assert not set(interruptions.INTERRUPTIONS) & interruptions.ANSWER_INTENTS


def test_an_intent_without_a_handler_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(interruptions.INTERRUPTIONS, "complain")
    with pytest.raises(DialogueError, match="complain"):
        interruptions.check_registry()


def test_a_handler_of_an_unknown_intent_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(interruptions.INTERRUPTIONS, "dance", interruptions.INTERRUPTIONS["help"])
    with pytest.raises(DialogueError, match="dance"):
        interruptions.check_registry()


def test_an_interruption_without_its_clarification_title_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delitem(TEXTS, "intent_help")
    with pytest.raises(DialogueError, match="intent_help"):
        interruptions.check_registry()


# ------------------------------------------------------------------ texts
def test_every_engine_text_exists_in_both_languages() -> None:
    incomplete = [key for key, langs in TEXTS.items() if set(langs) != {"pt", "en"}]
    assert incomplete == []


def test_every_placeholder_is_the_same_in_both_languages() -> None:
    import string

    def names(template: str) -> set[str]:
        return {f for _, f, _, _ in string.Formatter().parse(template) if f}

    different = [k for k, t in TEXTS.items() if names(t["pt"]) != names(t["en"])]
    assert different == []


def test_the_tests_flows_are_the_ones_bootstrap_loads() -> None:
    """support.shipped_flows() uses bootstrap's registry without importing bootstrap (which
    costs seconds on its own); both must load the same flows."""
    from bot.bootstrap import load_all_flows
    from tests.dialogue.support import shipped_flows

    assert shipped_flows() == load_all_flows(None)
