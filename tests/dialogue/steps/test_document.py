"""``document`` steps: a file is expected; text is explained; a document read before the step
is shown for confirmation instead of being asked for again."""

from __future__ import annotations

from bot.dialogue.state import DocumentPending
from bot.dialogue.steps.document import DocumentStepHandler
from bot.dialogue.turn import Turn
from flows import DocumentStep
from tests.dialogue.support import (
    Chat,
    cnh_reading,
    cnpj_card_reading,
    prompt,
    says,
    shipped_flows,
    utterance,
)


def card_step() -> DocumentStep:
    step = shipped_flows()["registration"].step("cnpj_card")
    assert isinstance(step, DocumentStep)
    return step


def test_the_step_asks_for_its_document(chat: Chat) -> None:
    chat.at_documents()
    turn = Turn(state=chat.state, context=chat.context)
    chat.engine.dialogue.prompt_current(turn)
    assert [r.text for r in turn.replies] == [prompt("cnpj_card")]


def test_text_is_never_the_answer(chat: Chat) -> None:
    chat.at_documents()
    turn = Turn(state=chat.state, utterance=utterance("11.222.333/0001-81"))
    assert not DocumentStepHandler().accepts(turn, chat.engine.dialogue, step=card_step())


def test_text_at_a_document_step_is_explained_and_the_document_asked_again(chat: Chat) -> None:
    chat.at_documents()
    turn = chat.send("já mandei por e-mail")
    assert [r.text for r in turn.replies] == [says("document_expected"), prompt("cnpj_card")]
    assert chat.state.invalid_count == 1


def test_after_two_explanations_the_way_out(chat: Chat) -> None:
    chat.at_documents()
    chat.send("abc")
    chat.send("abc")
    turn = chat.send("abc")
    assert [r.text for r in turn.replies] == [says("offer_human")]


def test_a_document_read_early_is_shown_instead_of_asked_for(chat: Chat) -> None:
    chat.at_documents()
    chat.read(cnh_reading())  # kept for the next step
    chat.read(cnpj_card_reading())
    turn = chat.send("1")
    last = turn.replies[-1].text
    assert last.splitlines()[0] == says("document_early_shown")
    assert prompt("identity") not in [r.text for r in turn.replies]
    assert isinstance(chat.state.pending, DocumentPending)
    assert chat.state.pending.slot == "doc_identity"


def test_the_early_document_is_shown_once(chat: Chat) -> None:
    chat.at_documents()
    chat.read(cnh_reading())
    chat.read(cnpj_card_reading())
    chat.send("1")
    turn = chat.send("3")  # "enviar outra foto": the early reading is not shown again
    assert [r.text for r in turn.replies] == [says("document_retry")]
    assert chat.state.early_documents == []
