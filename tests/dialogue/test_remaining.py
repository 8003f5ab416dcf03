"""``remaining_questions``: the registration's questions left, walked without running
anything (answered questions skipped, branches as the answers send them)."""

from __future__ import annotations

from bot.bootstrap import load_all_flows
from bot.dialogue.remaining import remaining_questions
from bot.dialogue.state import DialogueState, Frame


def _at(step: str, **slots: str | int | bool) -> DialogueState:
    return DialogueState(
        started=True, stack=[Frame(flow_id="registration", step_id=step)], slots=dict(slots)
    )


def test_from_the_cnpj_every_question_of_the_full_registration_and_the_review() -> None:
    flows = load_all_flows(None)
    state = _at("cnpj", form_mode="full")
    # cnpj, company, employees, e-mail, phone, three contacts, cep, street, number,
    # complement, review
    assert remaining_questions(state, flows) == 13


def test_the_essentials_skip_the_head_count_and_the_contacts() -> None:
    flows = load_all_flows(None)
    assert remaining_questions(_at("cnpj", form_mode="minimal"), flows) == 9


def test_answered_questions_are_not_counted() -> None:
    flows = load_all_flows(None)
    state = _at("cnpj", form_mode="minimal", admin_email="a@b.com", admin_phone="+5511987654321")
    assert remaining_questions(state, flows) == 7


def test_at_the_review_only_the_review_is_left() -> None:
    assert remaining_questions(_at("review"), load_all_flows(None)) == 1
