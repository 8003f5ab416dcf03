""" "Em que etapa estou?" from the real state: the stage, the question owed (by its name),
each document, an open request for a person, the CSM, the next training."""

from __future__ import annotations

import pytest

from bot.dialogue.context import HumanRequest
from bot.dialogue.status import status_text
from bot.dialogue.turn import Turn
from bot.domain.onboarding import COMPANY_ACTIVITY, STAGE_LABELS, Stage
from tests.dialogue.support import (
    NOW,
    Chat,
    FakeTrainingScheduler,
    cnpj_card_reading,
    position,
    prompt,
    says,
    slots_until,
)


def status(chat: Chat) -> str:
    turn = Turn(state=chat.state, context=chat.context)
    return status_text(turn, chat.engine.dialogue)


def owed(chat: Chat) -> list[str]:
    """The bullet lines of the status (what the client still owes)."""
    return [line[2:] for line in status(chat).splitlines() if line.startswith("• ")]


@pytest.mark.parametrize("stage", list(Stage))
def test_the_stage_is_said_in_plain_words(chat: Chat, stage: Stage) -> None:
    chat.stage = stage
    first = status(chat).splitlines()[0]
    assert first == says(
        "status", stage=STAGE_LABELS[stage]["pt"], activity=COMPANY_ACTIVITY[stage]["pt"]
    )


def test_the_stage_in_english(chat: Chat) -> None:
    chat.state.language = "en"
    chat.stage = Stage.DOCUMENTOS
    assert status(chat).splitlines()[0] == says(
        "status", "en", stage="Documents", activity=COMPANY_ACTIVITY[Stage.DOCUMENTOS]["en"]
    )


def test_before_the_start_the_client_owes_the_start(chat: Chat) -> None:
    assert owed(chat) == [says("status_start")]


@pytest.mark.parametrize(
    ("before", "label"),
    [
        ("lgpd_consent", "consentimento LGPD"),
        ("person_name", "seu nome"),
        ("form_mode", "tipo de cadastro"),
        ("cnpj", "CNPJ"),
        ("employees", "número de funcionários"),
        ("finance.same_as_me", "responsável (Financeiro)"),
        ("tech.name", "nome (TI)"),
        ("tech.email", "e-mail (TI)"),
        ("cep", "CEP"),
        ("address_complement", "complemento"),
        (None, "Confira os dados do cadastro"),  # the review
    ],
)
def test_the_question_owed_is_named_by_its_label(
    chat: Chat, before: str | None, label: str
) -> None:
    chat.at(slots_until(before))
    assert owed(chat) == [says("status_answer", label=label)]


def test_no_question_is_ever_named_with_a_dash(chat: Chat) -> None:
    for before in [*slots_until(None), None]:
        chat.at(slots_until(before))
        assert "—" not in status(chat)


def test_the_receita_name_question_is_named_by_its_label(chat: Chat) -> None:
    slots = {**slots_until("company_name"), "company_suggestion": "PADARIA PAO QUENTE LTDA"}
    chat.state = position(chat.engine, slots, step="company_branch")
    [item] = owed(chat)
    assert item == says("status_answer", label="confirmar a razão social da Receita")


def test_a_value_asked_for_a_correction_is_what_is_owed(chat: Chat) -> None:
    chat.at(slots_until("cep"))
    chat.send("errei o telefone da Beatriz")
    assert owed(chat) == [says("status_new_value", label="celular (TI)")]


def test_the_status_command_asks_the_question_again(chat: Chat) -> None:
    chat.at(slots_until("cep"))
    turn = chat.send("STATUS")
    assert [r.text for r in turn.replies] == [status(chat), prompt("cep")]


def test_documents_are_listed_only_from_the_documents_stage(chat: Chat) -> None:
    chat.at(slots_until("cep"))
    assert not any(says("doc_status_missing") in item for item in owed(chat))


def test_each_document_says_how_it_stands(chat: Chat) -> None:
    chat.stage = Stage.DOCUMENTOS
    chat.at_documents()
    assert owed(chat) == [
        f"cartão CNPJ: {says('doc_status_missing')}",
        f"CNH / RG: {says('doc_status_missing')}",
    ]
    chat.read(cnpj_card_reading())
    assert f"cartão CNPJ: {says('doc_status_read')}" in owed(chat)
    chat.send("1")
    text = status(chat)
    assert says("doc_status_confirmed") in text
    assert f"CNH / RG: {says('doc_status_missing')}" in owed(chat)


@pytest.mark.parametrize(
    ("kind", "state", "key"),
    [
        ("cnh", "reading", "doc_status_reading"),
        ("cnh", "rejected", "doc_status_rejected"),
        ("rg", "failed", "doc_status_failed"),
        ("cnh", "read", "doc_status_read"),
    ],
)
def test_a_file_the_service_holds_shows_its_state(
    chat: Chat, kind: str | None, state: str, key: str
) -> None:
    chat.stage = Stage.DOCUMENTOS
    chat.at_documents(step="identity")
    chat.progress.received(kind, state)  # type: ignore[arg-type]
    assert f"CNH / RG: {says(key)}" in owed(chat)


def test_a_document_read_early_is_said_to_wait_for_its_step(chat: Chat) -> None:
    chat.at(slots_until(None), saved=True)
    chat.read(cnpj_card_reading())
    assert f"cartão CNPJ: {says('doc_status_early')}" in owed(chat)


def test_nothing_owed_is_said_so(chat: Chat) -> None:
    chat.stage = Stage.VALIDACAO
    chat.at_documents()
    chat.read(cnpj_card_reading())
    chat.send("1")
    from tests.dialogue.support import cnh_reading

    chat.read(cnh_reading())
    chat.send("1")
    assert chat.state.finished
    assert owed(chat) == []
    assert says("status_nothing_pending") in status(chat)


def test_an_open_request_for_a_person_is_said(chat: Chat) -> None:
    chat.progress.human = HumanRequest("request_human", opened_at=NOW)
    assert says("status_human_waiting", since="ter, 24/11 às 10:00") in status(chat)
    chat.progress.human = HumanRequest("request_human", opened_at=NOW, taken_by="Ana Lima")
    assert says("status_human_taken", since="ter, 24/11 às 10:00", name="Ana Lima") in status(chat)


def test_the_csm_is_named_or_said_to_come(chat: Chat) -> None:
    assert says("status_no_csm") in status(chat)
    chat.csm = "Ana Lima"
    assert says("status_csm", csm="Ana Lima") in status(chat)


def test_the_next_training_is_said(chat: Chat) -> None:
    chat.stage = Stage.TREINAMENTO
    chat.training = FakeTrainingScheduler(booked=1)
    assert says("status_training", when="qui, 26/11 às 10:00") in status(chat)
    chat.training = FakeTrainingScheduler()
    assert "26/11" not in status(chat)
