"""The document exchange as clients played it (7 Dec 2026), in pt and en: another company's
card sent by mistake, the differences said in the client's language, which documents are
still to send once one was kept for later, and what to do after a photo is refused."""

from __future__ import annotations

import pytest

from bot.dialogue.documents import reading_under_way
from bot.dialogue.effects import DocumentConfirmed, Escalate
from bot.dialogue.state import DocumentPending
from bot.dialogue.turn import Turn
from bot.domain.documents import DocumentReading, Mismatch
from tests.dialogue.support import (
    Chat,
    cnh_reading,
    cnpj_card_reading,
    photo,
    prompt,
    says,
    slots_until,
)

CNPJ_DIFFERS = Mismatch(
    "cnpj",
    "O CNPJ do cartão (11.444.777/0001-61) é diferente do informado no cadastro "
    "(11.222.333/0001-81).",
    "The card's CNPJ (11.444.777/0001-61) differs from the one in the registration "
    "(11.222.333/0001-81).",
)


def other_company_card() -> DocumentReading:
    return DocumentReading(
        document_id=9,
        kind="cnpj_card",
        fields={"cnpj": "11444777000161", "razao_social": "ACME COMERCIO DE ALIMENTOS LTDA"},
        mismatches=(CNPJ_DIFFERS,),
    )


# ------------------------------------------------------------- another company's document
@pytest.mark.parametrize(
    ("language", "said", "intent"),
    [
        ("pt", "ah, mandei o da outra empresa", "inform"),
        ("pt", "opa, documento errado", "correct_data"),
        ("en", "oops, wrong company", "correct_data"),
        ("en", "sorry, I sent the wrong document", "inform"),
    ],
)
def test_another_companys_card_sent_by_mistake_asks_for_the_right_one(
    chat: Chat, language: str, said: str, intent: str
) -> None:
    chat.at_documents().with_state(language=language)
    chat.read(other_company_card())
    turn = chat.send(said, intent, 0.8)
    assert [r.text for r in turn.replies] == [says("document_retry", language)]
    assert chat.state.pending is None  # the step waits for the right card
    assert "doc_cnpj_card" not in chat.state.slots
    assert chat.state.slots["company_name"] == "Padaria Pão Quente Ltda"  # not "corrected"


@pytest.mark.parametrize("language", ["pt", "en"])
def test_the_differences_are_said_in_the_clients_language(chat: Chat, language: str) -> None:
    chat.at_documents().with_state(language=language)
    body = chat.read(other_company_card()).replies[0].text
    reason = CNPJ_DIFFERS.reason_en if language == "en" else CNPJ_DIFFERS.reason_pt
    assert f"⚠️ {reason}" in body.splitlines()


def test_the_differences_of_a_document_kept_for_later_are_in_english_too(chat: Chat) -> None:
    chat.at_documents().with_state(language="en")
    chat.read(
        DocumentReading(
            8,
            "cnh",
            {"nome": "JOHN SMITH", "cpf": "52998224725"},
            mismatches=(Mismatch("nome", "O nome difere.", "The name differs."),),
        )
    )
    chat.read(cnpj_card_reading())
    turn = chat.send("1")
    assert "⚠️ The name differs." in turn.replies[-1].text.splitlines()


# ------------------------------------------------------------- which documents are missing
@pytest.mark.parametrize(("language", "needed"), [("pt", "cartão CNPJ"), ("en", "CNPJ card")])
def test_a_document_kept_for_later_is_not_asked_for_again(
    chat: Chat, language: str, needed: str
) -> None:
    chat.at_documents().with_state(language=language)
    chat.read(cnh_reading())  # the CNH at the CNPJ card's step: kept for its own
    turn = chat.send("quais documentos faltam?", "ask_documents", 0.9)
    assert turn.replies[0].text == says("documents_info_now", language, needed=needed)


def test_the_reading_waiting_for_the_ok_is_not_asked_for_again(chat: Chat) -> None:
    chat.at_documents()
    chat.read(cnpj_card_reading())
    chat.send("1")
    chat.read(cnh_reading())
    turn = chat.send("quais documentos faltam?", "ask_documents", 0.9)
    assert turn.replies[0].text == says("documents_all_received")


# ------------------------------------------------------------- after a refused photo
@pytest.mark.parametrize("language", ["pt", "en"])
def test_a_refused_photo_says_another_may_be_sent_or_a_person_asked(
    chat: Chat, language: str
) -> None:
    chat.at_documents(step="identity").with_state(language=language)
    reading = DocumentReading(
        5, "other", rejected_pt="A foto está escura demais.", rejected_en="Too dark."
    )
    turn = chat.read(reading)
    assert turn.replies[-1].text.endswith("\n" + says("document_send_another", language))
    assert ("HUMAN" if language == "en" else "HUMANO") in turn.replies[-1].text
    turn = chat.read(cnh_reading(6))
    pending = chat.state.pending
    assert isinstance(pending, DocumentPending) and pending.document_id == 6


def test_a_refused_photo_during_the_registration_asks_the_question_again(chat: Chat) -> None:
    chat.at(slots_until("admin_email"))
    reading = DocumentReading(5, "other", rejected_pt="A foto está escura demais.")
    turn = chat.read(reading)
    texts = [r.text for r in turn.replies]
    assert not any(says("document_send_another") in t for t in texts)  # the question first
    assert texts[-1] == prompt("admin_email")


# ------------------------------------------------------------- two files in a row
@pytest.mark.parametrize(
    ("language", "line"),
    [
        ("pt", "Li também a sua CNH; te mostro assim que você responder sobre o cartão CNPJ"),
        ("en", "I've also read your driver's licence (CNH); I'll show it as soon as you answer"),
    ],
)
def test_a_second_file_read_while_the_first_waits_for_its_ok_is_said(
    chat: Chat, language: str, line: str
) -> None:
    chat.at_documents().with_state(language=language)
    chat.read(cnpj_card_reading())
    turn = chat.read(cnh_reading())  # the client was told "te respondo em instantes"
    [reply] = turn.replies
    assert reply.text.startswith(line)
    turn = chat.send("1")
    assert turn.replies[-1].text.splitlines()[0] == says("document_early_shown", language)


@pytest.mark.parametrize("language", ["pt", "en"])
def test_an_unrecognised_file_while_another_is_read_waits_for_it(chat: Chat, language: str) -> None:
    chat.at_documents(step="identity").with_state(language=language)
    chat.progress.received(None, "reading")  # the RG's back, sent after its front
    turn = chat.read(DocumentReading(5, "other"))  # the front: a photo and a signature
    assert [r.text for r in turn.replies] == [says("document_unknown_other_coming", language)]
    assert chat.state.pending is None


def test_an_unrecognised_file_alone_names_what_is_needed(chat: Chat) -> None:
    chat.at_documents(step="identity")
    chat.progress.received("other", "read")
    turn = chat.read(DocumentReading(5, "other"))
    assert [r.text for r in turn.replies] == [says("document_unknown", needed="CNH ou RG")]


@pytest.mark.parametrize("language", ["pt", "en"])
def test_a_second_photo_refused_while_the_first_waits_asks_about_the_first(
    chat: Chat, language: str
) -> None:
    chat.at_documents().with_state(language=language)
    chat.read(cnpj_card_reading())
    turn = chat.read(DocumentReading(6, "other", rejected_pt="Tremida.", rejected_en="Blurred."))
    texts = [r.text for r in turn.replies]
    assert not any(says("document_send_another", language) in t for t in texts)
    document = "CNPJ card" if language == "en" else "cartão CNPJ"
    assert texts[-1] == says("document_confirm_again", language, document=document)


# ------------------------------------------------------------- asked while the file is read
@pytest.mark.parametrize(("language", "said"), [("pt", "já leu?"), ("en", "have you read it yet?")])
def test_asked_while_the_file_is_read_the_bot_does_not_ask_for_it_again(
    chat: Chat, language: str, said: str
) -> None:
    chat.at_documents().with_state(language=language)
    chat.progress.received(None, "reading")
    turn = chat.send(said, "ask_status", 0.9)
    texts = [r.text for r in turn.replies]
    assert prompt("cnpj_card", language=language) not in texts  # "Envie por aqui o cartão…"
    assert texts[-1] == says("document_still_reading", language)


def test_a_reading_is_under_way_only_while_a_file_is_with_the_reader(chat: Chat) -> None:
    chat.at_documents()
    assert not reading_under_way(Turn(state=chat.state, context=chat.context))
    chat.progress.received(None, "received")
    assert reading_under_way(Turn(state=chat.state, context=chat.context))
    chat.read(cnpj_card_reading())  # shown: the client owes its OK, not a file
    assert not reading_under_way(Turn(state=chat.state, context=chat.context))


# ------------------------------------------------------------- what the answers do
@pytest.mark.parametrize("language", ["pt", "en"])
def test_an_explanation_at_differences_says_what_1_and_3_do(chat: Chat, language: str) -> None:
    chat.at_documents().with_state(language=language)
    chat.read(other_company_card())
    turn = chat.send("essa é a do meu sócio, ele que é o responsável legal", "inform", 0.6)
    assert turn.replies[0].text == says("document_mismatch_explain", language)
    assert isinstance(chat.state.pending, DocumentPending)


@pytest.mark.parametrize("key", ["document_retry", "documents_info_now"])
@pytest.mark.parametrize("language", ["pt", "en"])
def test_another_photo_of_an_identity_document_is_not_asked_from_the_receita(
    key: str, language: str
) -> None:
    assert "Receita" not in says(key, language, needed="CNH ou RG")


# ------------------------------------------------------------- a file while a question is open
@pytest.mark.parametrize(
    ("language", "said"),
    [("pt", "posso corrigir os dados?"), ("en", "can I fix my details?")],
)
def test_a_file_at_the_document_step_answers_it_whatever_question_is_open(
    chat: Chat, language: str, said: str
) -> None:
    chat.at_documents().with_state(language=language)
    chat.send(said, "correct_data", 0.9)  # "O que você quer corrigir?" is left open
    assert chat.state.pending is not None
    turn = chat.send(media=[photo()])
    assert [r.text for r in turn.replies] == [says("document_received", language)]
    turn = chat.read(cnpj_card_reading())  # was kept silently "for the documents step"
    document = "your CNPJ card" if language == "en" else "o seu cartão CNPJ"
    assert turn.replies[0].text.splitlines()[0] == says(
        "document_read", language, document=document
    )
    assert isinstance(chat.state.pending, DocumentPending)


# ------------------------------------------------------------- details the reader left out
@pytest.mark.parametrize(
    ("language", "document"), [("pt", "o seu cartão CNPJ"), ("en", "your CNPJ card")]
)
def test_a_reading_without_any_detail_asks_for_another_photo(
    chat: Chat, language: str, document: str
) -> None:
    chat.at_documents().with_state(language=language)
    turn = chat.read(DocumentReading(7, "cnpj_card"))  # was "Li o seu cartão CNPJ:" and nothing
    assert [r.text for r in turn.replies] == [
        says("document_no_fields", language, document=document)
    ]
    assert chat.state.pending is None  # nothing to confirm: "1" does not confirm an empty card
    assert "doc_cnpj_card" not in chat.state.slots


@pytest.mark.parametrize(
    ("language", "said"), [("pt", "o CPF é 529.982.247-25"), ("en", "CPF: 529.982.247-25")]
)
def test_a_key_field_not_read_is_shown_and_may_be_typed(
    chat: Chat, language: str, said: str
) -> None:
    chat.at_documents(step="identity").with_state(language=language)
    body = chat.read(DocumentReading(8, "cnh", {"nome": "MARIA DA SILVA"})).replies[0].text
    not_read = says("document_field_not_read", language, label="CPF")
    assert f"• CPF: {not_read}" in body.splitlines()
    turn = chat.send(said)
    assert "• CPF: 529.982.247-25" in turn.replies[0].text.splitlines()
    turn = chat.send("1")
    [confirmed] = [e for e in turn.effects if isinstance(e, DocumentConfirmed)]
    assert confirmed.fields["cpf"] == "52998224725" and confirmed.corrected == ("cpf",)


def test_a_card_without_its_legal_name_shows_what_was_read(chat: Chat) -> None:
    chat.at_documents()
    body = chat.read(DocumentReading(7, "cnpj_card", {"cnpj": "11222333000181"})).replies[0].text
    assert [line for line in body.splitlines() if line.startswith("• ")] == [
        "• CNPJ: 11.222.333/0001-81"
    ]


def test_a_key_field_not_read_is_in_the_list_of_fields_to_fix(chat: Chat) -> None:
    chat.at_documents(step="identity")
    chat.read(DocumentReading(8, "cnh", {"nome": "MARIA DA SILVA"}))
    turn = chat.send("2")
    assert [c.id for c in turn.replies[-1].choices] == ["nome", "cpf", "resend"]


@pytest.mark.parametrize(
    ("language", "said"),
    [("pt", "vou mandar o PDF"), ("en", "I'll send the PDF instead")],
)
def test_sending_the_pdf_instead_is_another_photo(chat: Chat, language: str, said: str) -> None:
    chat.at_documents(step="identity").with_state(language=language)
    chat.read(cnh_reading())
    turn = chat.send(said, "ask_documents", 0.8)  # was "nothing more to send"
    assert [r.text for r in turn.replies] == [says("document_retry", language)]
    assert chat.state.pending is None


# ------------------------------------------------------------- the enterprise's documents
def at_the_contract(chat: Chat, language: str) -> None:
    chat.at({**slots_until(None), "employees": 600}, saved=True, step="company_contract")
    chat.with_state(language=language)
    fields = {
        "razao_social": "PADARIA PAO QUENTE LTDA",
        "cnpj": "11222333000181",
        "socio_1_nome": "MARIA DA SILVA",
        "socio_1_cpf": "52998224726",
        "socio_2_nome": "JOSE SOUZA",
        "socio_2_cpf": "11144477735",
    }
    chat.read(DocumentReading(12, "contrato_social", fields, uncertain=("socio_1_cpf",)))


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("pt", "o CPF do sócio 1 é 529.982.247-25"),
        ("pt", "o cpf do primeiro sócio é 529.982.247-25"),
        ("en", "partner 1's CPF is 529.982.247-25"),
    ],
)
def test_a_partners_cpf_is_fixed_by_number_or_ordinal(chat: Chat, language: str, said: str) -> None:
    at_the_contract(chat, language)
    chat.send(said)
    pending = chat.state.pending
    assert isinstance(pending, DocumentPending)
    assert pending.fields["socio_1_cpf"] == "52998224725"
    assert pending.fields["socio_1_nome"] == "MARIA DA SILVA"  # was given the CPF's digits


def test_another_field_named_while_one_is_asked_is_that_fields_value(chat: Chat) -> None:
    at_the_contract(chat, "pt")
    chat.send("2")
    chat.send("sócio 1")  # "Qual é o valor certo de Sócio 1?"
    chat.send("o nome do segundo sócio é José de Souza")
    pending = chat.state.pending
    assert isinstance(pending, DocumentPending)
    assert pending.fields["socio_2_nome"] == "JOSÉ DE SOUZA"
    assert pending.fields["socio_1_nome"] == "MARIA DA SILVA"  # was the whole sentence


@pytest.mark.parametrize("language", ["pt", "en"])
def test_a_difference_whose_value_the_client_replaced_says_so(chat: Chat, language: str) -> None:
    chat.at({**slots_until(None), "employees": 600}, saved=True, step="address_proof")
    chat.with_state(language=language)
    found = Mismatch(
        "cep",
        "O CEP do comprovante (04001-000) é diferente do informado no cadastro (01310-100).",
        "The bill's CEP (04001-000) differs from the registration's (01310-100).",
    )
    fields = {"titular": "PADARIA PAO QUENTE LTDA", "cep": "04001000", "uf": "SP"}
    chat.read(DocumentReading(11, "comprovante_endereco", fields, mismatches=(found,)))
    turn = chat.send("o CEP é 01310-100" if language == "pt" else "the CEP is 01310-100")
    params = {"label": "CEP", "read": "04001-000", "typed": "01310-100"}
    lines = turn.replies[0].text.splitlines()
    assert f"⚠️ {says('document_fix_replaced', language, **params)}" in lines
    assert f"⚠️ {found.reason_pt}" not in lines and f"⚠️ {found.reason_en}" not in lines
    turn = chat.send("1")  # the team still checks what the client changed
    assert [e.reason for e in turn.effects if isinstance(e, Escalate)] == ["document_mismatch"]
