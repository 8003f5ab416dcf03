"""The document exchange's answers found wrong by playing it (7 Dec 2026), in pt and en: a
step asked again while its file is read, what the status knows of files not read yet, a
document kept for later counted as received, a value typed equal to the registration's, a
why about the driver's licence, and typing the details instead of sending the document."""

from __future__ import annotations

import pytest

from bot.dialogue.corrections import apply_correction
from bot.dialogue.effects import SaveRegistration, SlotChanged
from bot.dialogue.status import status_text
from bot.dialogue.turn import Turn
from bot.dialogue.wording import format_value
from bot.domain.onboarding import Stage
from flows import DocumentStep
from tests.dialogue.support import (
    Chat,
    cnh_reading,
    cnpj_card_reading,
    effects_of,
    prompt,
    says,
    shipped_flows,
    slots_until,
)


def status(chat: Chat) -> str:
    return status_text(Turn(state=chat.state, context=chat.context), chat.engine.dialogue)


# ------------------------------------------------------------- asked while a file is read
@pytest.mark.parametrize(
    ("language", "said", "intent"),
    [("pt", "recebeu?", "ask_status"), ("en", "did you get it?", "ask_status")],
)
def test_asked_whether_the_file_arrived_while_it_is_read(
    chat: Chat, language: str, said: str, intent: str
) -> None:
    chat.at_documents().with_state(language=language)
    chat.progress.received(None, "received")
    texts = [r.text for r in chat.send(said, intent, 0.9).replies]
    assert prompt("cnpj_card", language=language) not in texts
    assert texts[-1] == says("document_still_reading", language)


@pytest.mark.parametrize("language", ["pt", "en"])
def test_the_identity_step_reached_while_its_file_is_read_does_not_ask_for_it(
    chat: Chat, language: str
) -> None:
    chat.at_documents().with_state(language=language)
    chat.read(cnpj_card_reading())
    chat.progress.received(None, "reading")  # the CNH, sent while the card waited for its OK
    texts = [r.text for r in chat.send("1").replies]
    assert prompt("identity", language=language) not in texts  # "Agora uma foto da CNH…"
    assert texts[-1] == says("document_still_reading", language)
    chat.read(cnh_reading())  # once read, it is shown to confirm
    assert chat.state.pending is not None


# ------------------------------------------------------------- the status of unread files
@pytest.mark.parametrize(("language", "card"), [("pt", "cartão CNPJ"), ("en", "CNPJ card")])
@pytest.mark.parametrize("files", [1, 2])
def test_files_not_read_yet_are_counted_not_named(
    chat: Chat, language: str, card: str, files: int
) -> None:
    chat.stage = Stage.DOCUMENTOS
    chat.at_documents().with_state(language=language)
    for _ in range(files):
        chat.progress.received(None, "reading")
    text = status(chat)
    assert says("doc_status_reading", language) not in text  # no document is assumed
    assert f"{card}: {says('doc_status_unknown', language)}" in text
    key = "status_files_reading_one" if files == 1 else "status_files_reading"
    assert says(key, language, count=files) in text.splitlines()


@pytest.mark.parametrize(("language", "identity"), [("pt", "CNH / RG"), ("en", "driver's")])
def test_a_document_kept_for_later_is_received_in_the_status(
    chat: Chat, language: str, identity: str
) -> None:
    chat.stage = Stage.DOCUMENTOS
    chat.at_documents().with_state(language=language)
    chat.read(cnh_reading())  # at the card's step: kept for its own
    chat.progress.received("cnh", "read")
    chat.progress.received(None, "reading")  # and the card, sent after it, is read
    [line] = [x for x in status(chat).splitlines() if x.startswith(f"• {identity}")]
    assert line.endswith(says("doc_status_early", language))


# ------------------------------------------------------------- a value equal to the one given
@pytest.mark.parametrize(
    ("language", "said", "label", "shown"),
    [
        ("pt", "o CNPJ é 11.222.333/0001-81", "CNPJ", "11.222.333/0001-81"),
        ("en", "the CNPJ is 11.222.333/0001-81", "CNPJ", "11.222.333/0001-81"),
        ("pt", "na verdade são 40 funcionários", "número de funcionários", "40"),
    ],
)
def test_a_correction_to_the_value_already_given_changes_nothing(
    chat: Chat, language: str, said: str, label: str, shown: str
) -> None:
    chat.at_documents().with_state(language=language)
    before = dict(chat.state.slots)
    turn = chat.send(said, "inform", 0.8)
    assert effects_of(turn, SlotChanged) == []
    assert effects_of(turn, SaveRegistration) == []
    assert chat.state.slots == before
    assert turn.replies[0].text == says("correction_same", language, label=label, value=shown)
    assert turn.replies[-1].text == prompt("cnpj_card", language=language)  # the step goes on


def test_no_correctable_field_is_changed_by_its_own_value(chat: Chat) -> None:
    chat.at_documents()
    dialogue = chat.engine.dialogue
    for info in dialogue.walker.catalog:
        if info.key not in chat.state.slots:
            continue
        turn = Turn(state=chat.state.model_copy(deep=True), context=chat.context)
        value = turn.state.slots[info.key]
        assert not apply_correction(turn, dialogue, info=info, value=value)
        assert turn.effects == [], info.key
        assert [r.text for r in turn.replies] == [
            says(
                "correction_same",
                label=info.label("pt"),
                value=format_value(info.key, value, language="pt"),
            )
        ], info.key


# ------------------------------------------------------------- why, naming another document
@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("en", "why do you need my licence?"),
        ("en", "why do you need my driver's license?"),
        ("en", "what do you need the license for?"),
        ("pt", "pra que vocês precisam da habilitação?"),
    ],
)
def test_why_a_driving_licence_is_answered_at_the_cards_step(
    chat: Chat, language: str, said: str
) -> None:
    chat.at_documents().with_state(language=language)
    turn = chat.send(said, "ask_privacy", 0.7)
    steps = shipped_flows()["registration"].steps
    identity, card = steps["identity"], steps["cnpj_card"]
    assert isinstance(identity, DocumentStep) and isinstance(card, DocumentStep)
    assert identity.why is not None and card.why is not None
    first = turn.replies[0].text.splitlines()[0]
    assert first == identity.why.get(language).splitlines()[0]


# ------------------------------------------------------------- typing instead of the file
@pytest.mark.parametrize(
    ("language", "said", "intent", "step"),
    [
        ("pt", "posso digitar os dados em vez de mandar foto?", "ask_documents", "cnpj_card"),
        ("en", "can I just type my details instead?", "correct_data", "cnpj_card"),
        ("pt", "não consigo mandar foto", "inform", "cnpj_card"),
        ("pt", "não tenho o documento aqui, posso escrever?", "ask_documents", "identity"),
        ("en", "I don't have it with me", "deny", "identity"),
        ("en", "can I type the CNPJ instead?", "correct_data", "cnpj_card"),
        ("pt", "dá pra passar o número da CNH por escrito?", "inform", "identity"),
    ],
)
def test_typing_the_details_instead_of_the_document_is_answered(
    chat: Chat, language: str, said: str, intent: str, step: str
) -> None:
    chat.at_documents(step=step).with_state(language=language)
    before = dict(chat.state.slots)
    turn = chat.send(said, intent, 0.8)
    [reply] = turn.replies
    start = "I need the document itself (" if language == "en" else "Preciso do próprio documento ("
    assert reply.text.startswith(start)
    assert ("HUMAN" if language == "en" else "HUMANO") in reply.text
    tip = "Receita Federal" if step == "cnpj_card" else "Carteira Digital de Trânsito"
    assert tip in reply.text
    assert chat.state.slots == before and chat.state.pending is None  # the step still waits


@pytest.mark.parametrize(
    ("said", "intent"),
    [("ok, já mando", "affirm"), ("quais documentos faltam?", "ask_documents")],
)
def test_sending_later_or_the_list_is_not_taken_for_typing(
    chat: Chat, said: str, intent: str
) -> None:
    chat.at_documents()
    turn = chat.send(said, intent, 0.9)
    assert all(not r.text.startswith("Preciso do próprio documento") for r in turn.replies)


@pytest.mark.parametrize(
    ("language", "said"), [("pt", "não tenho aqui"), ("en", "I don't have it with me")]
)
def test_not_at_hand_still_passes_an_optional_document(
    chat: Chat, language: str, said: str
) -> None:
    chat.at({**slots_until(None), "employees": 600}, saved=True, step="address_proof")
    chat.with_state(language=language)
    turn = chat.send(said, "deny", 0.8)
    document = "your proof of address" if language == "en" else "o seu comprovante de endereço"
    assert turn.replies[0].text == says("document_skipped", language, document=document)
    assert chat.state.slots["doc_address_proof"] == "skipped"
