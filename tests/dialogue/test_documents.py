"""Document readings in the conversation: shown at their step with identifiers formatted and
uncertain fields marked, kept when they come early, explained when rejected."""

from __future__ import annotations

import pytest

from bot.dialogue.documents import (
    CONFIRM_OPTIONS,
    done_word,
    format_field,
    kind_name,
    validate_field,
)
from bot.dialogue.state import DocumentPending, EarlyDocument
from bot.domain.documents import DocumentReading
from bot.domain.validators import Problem
from tests.dialogue.support import (
    Chat,
    choices,
    cnh_reading,
    cnpj_card_reading,
    prompt,
    says,
    slots_until,
)

CNPJ_CARD_LINES = [
    "• CNPJ: 11.222.333/0001-81",
    "• Razão social: PADARIA PAO QUENTE LTDA",
    "• CEP: 01310-100",
    "• UF: SP",
]


def shown_fields(body: str) -> list[str]:
    return [line for line in body.splitlines() if line.startswith("• ")]


# ------------------------------------------------------------------ at its step
def test_a_reading_at_its_step_is_shown_formatted_for_confirmation(chat: Chat) -> None:
    chat.at_documents()
    turn = chat.read(cnpj_card_reading())
    [reply] = turn.replies
    lines = reply.text.splitlines()
    assert lines[0] == says("document_read", document="o seu cartão CNPJ")
    assert shown_fields(reply.text) == CNPJ_CARD_LINES
    assert lines[-1] == says("document_confirm")
    assert [c.id for c in reply.choices] == [o.id for o in CONFIRM_OPTIONS]
    pending = chat.state.pending
    assert isinstance(pending, DocumentPending)
    assert (pending.slot, pending.document_id, pending.stage) == ("doc_cnpj_card", 7, "confirm")


def test_a_cnh_shows_its_cpf_formatted_with_its_own_article(chat: Chat) -> None:
    chat.at_documents(step="identity")
    turn = chat.read(cnh_reading())
    body = turn.replies[0].text
    assert body.splitlines()[0] == says("document_read", document="a sua CNH")
    assert "• CPF: 529.982.247-25" in shown_fields(body)


def test_only_uncertain_fields_are_marked_confira(chat: Chat) -> None:
    chat.at_documents()
    body = chat.read(cnpj_card_reading(uncertain=["razao_social"])).replies[0].text
    mark = says("document_uncertain_mark")
    marked = [line for line in shown_fields(body) if line.endswith(mark)]
    assert marked == [f"• Razão social: PADARIA PAO QUENTE LTDA {mark}"]


def test_differences_with_the_registration_are_shown(chat: Chat) -> None:
    chat.at_documents()
    body = chat.read(cnpj_card_reading(mismatches=["A razão social difere do cadastro"]))
    text = body.replies[0].text
    assert says("document_mismatch_intro") in text
    assert "⚠️ A razão social difere do cadastro" in text


def test_a_newer_photo_replaces_the_reading_shown(chat: Chat) -> None:
    chat.at_documents()
    chat.read(cnpj_card_reading(7))
    chat.read(cnpj_card_reading(9))
    pending = chat.state.pending
    assert isinstance(pending, DocumentPending) and pending.document_id == 9


def test_in_english_the_reading_is_shown_in_english(chat: Chat) -> None:
    chat.at_documents().with_state(language="en")
    turn = chat.read(cnpj_card_reading(uncertain=["cnpj"]))
    body = turn.replies[0].text
    assert body.splitlines()[0] == says("document_read", "en", document="your CNPJ card")
    assert "• Legal name: PADARIA PAO QUENTE LTDA" in body
    assert f"• CNPJ: 11.222.333/0001-81 {says('document_uncertain_mark', 'en')}" in body


# ------------------------------------------------------------------ early
def test_a_reading_before_its_step_is_kept_silently(chat: Chat) -> None:
    chat.at(slots_until("cep"))
    turn = chat.read(cnpj_card_reading())
    assert turn.replies == []
    assert chat.state.pending is None
    assert chat.state.early_documents == [
        EarlyDocument(
            document_id=7,
            kind="cnpj_card",
            fields=cnpj_card_reading().fields,
        )
    ]


def test_a_reading_kept_early_is_shown_when_its_step_comes(chat: Chat) -> None:
    chat.at(slots_until(None))  # at the review
    chat.read(cnpj_card_reading(uncertain=["cep"]))
    turn = chat.send("1")  # the review is confirmed: the documents stage begins
    body = turn.replies[-1].text
    assert body.splitlines()[0] == says("document_early_shown")
    assert shown_fields(body)[2] == f"• CEP: 01310-100 {says('document_uncertain_mark')}"
    assert chat.state.early_documents == []
    assert isinstance(chat.state.pending, DocumentPending)


def test_the_other_document_read_at_a_document_step_is_kept_for_the_next_step(chat: Chat) -> None:
    chat.at_documents()
    turn = chat.read(cnh_reading())
    assert [r.text for r in turn.replies] == [
        says("document_kept_for_later", document="CNH", needed="cartão CNPJ")
    ]
    assert [d.kind for d in chat.state.early_documents] == ["cnh"]
    chat.read(cnpj_card_reading())
    turn = chat.send("1")  # the CNPJ card confirmed: the CNH read earlier comes up
    assert turn.replies[-1].text.splitlines()[0] == says("document_early_shown")
    assert chat.state.early_documents == []


def test_a_newer_early_reading_of_a_kind_replaces_the_older(chat: Chat) -> None:
    chat.at(slots_until("cep"))
    chat.read(cnpj_card_reading(7))
    chat.read(cnpj_card_reading(9))
    assert [d.document_id for d in chat.state.early_documents] == [9]


def test_a_reading_while_another_is_confirmed_does_not_interrupt_it(chat: Chat) -> None:
    chat.at_documents()
    chat.read(cnpj_card_reading())
    turn = chat.read(cnh_reading())
    # "te respondo em instantes" was said with the file: one line, not the reading
    assert [r.text for r in turn.replies] == [
        says("document_kept_while_confirming", document="a sua CNH", shown="o cartão CNPJ")
    ]
    pending = chat.state.pending
    assert isinstance(pending, DocumentPending) and pending.document_kind == "cnpj_card"
    assert [d.kind for d in chat.state.early_documents] == ["cnh"]


# ------------------------------------------------------------------ refused, unknown, not needed
def test_a_rejected_reading_is_explained_with_its_tip(chat: Chat) -> None:
    chat.at_documents()
    reading = DocumentReading(
        document_id=7,
        kind="cnpj_card",
        rejected_pt="Não consegui ler o documento: a foto está escura.",
        rejected_en="I couldn't read the document: the photo is dark.",
        tip_pt="Tente perto de uma janela, com o documento plano.",
        tip_en="Try near a window, with the document flat.",
    )
    turn = chat.read(reading)
    assert [r.text for r in turn.replies] == [  # what to do now goes with the tip
        reading.rejected_pt,
        f"{reading.tip_pt}\n{says('document_send_another')}",
    ]
    assert chat.state.pending is None
    chat.state.language = "en"
    turn = chat.read(reading)
    assert [r.text for r in turn.replies] == [
        reading.rejected_en,
        f"{reading.tip_en}\n{says('document_send_another', 'en')}",
    ]


def test_a_rejected_reading_without_a_tip_says_only_why(chat: Chat) -> None:
    chat.at_documents()
    reading = DocumentReading(document_id=7, kind="cnpj_card", rejected_pt="Arquivo vazio.")
    assert [r.text for r in chat.read(reading).replies] == [
        f"Arquivo vazio.\n{says('document_send_another')}",
    ]


def test_a_document_of_an_unknown_kind_names_what_is_needed(chat: Chat) -> None:
    chat.at_documents()
    turn = chat.read(DocumentReading(document_id=7, kind="other"))
    assert [r.text for r in turn.replies] == [says("document_unknown", needed="cartão CNPJ")]


def test_a_document_already_confirmed_is_not_needed(chat: Chat) -> None:
    chat.at_documents()
    chat.read(cnpj_card_reading())
    chat.send("1")
    turn = chat.read(cnpj_card_reading(9))
    assert [r.text for r in turn.replies] == [
        says("document_not_needed", document="cartão CNPJ", needed="CNH ou RG")
    ]


def test_confirm_options_are_the_three_answers(chat: Chat) -> None:
    chat.at_documents()
    turn = chat.read(cnpj_card_reading())
    assert [c.title for c in choices(turn)] == [
        "Está tudo certo",
        "Corrigir um dado",
        "Enviar outra foto",
    ]


def test_the_document_step_prompt_comes_after_the_review(chat: Chat) -> None:
    chat.at(slots_until(None))
    turn = chat.send("1")
    assert turn.replies[-1].text == prompt("cnpj_card")


# ------------------------------------------------------------------ the small rules
@pytest.mark.parametrize(
    ("name", "value", "shown"),
    [
        ("cnpj", "11222333000181", "11.222.333/0001-81"),
        ("cpf", "52998224725", "529.982.247-25"),
        ("cpf", "529.982.247-25", "529.982.247-25"),
        ("cpf", "1234", "1234"),
        ("cep", "01310100", "01310-100"),
        ("nome", "MARIA DA SILVA", "MARIA DA SILVA"),
    ],
)
def test_format_field(name: str, value: str, shown: str) -> None:
    assert format_field(name, value) == shown


@pytest.mark.parametrize(
    ("kind", "language", "possessive", "name"),
    [
        ("cnh", "pt", True, "a sua CNH"),
        ("cnpj_card", "pt", True, "o seu cartão CNPJ"),
        ("rg", "pt", True, "o seu RG"),
        ("cnpj_card", "en", True, "your CNPJ card"),
        ("cnh", "pt", False, "CNH"),
        ("cnh", "pt", "article", "a CNH"),
        ("cnpj_card", "pt", "article", "o cartão CNPJ"),
        ("cnpj_card", "en", "article", "the CNPJ card"),
        ("weird", "pt", False, "documento"),
    ],
)
def test_kind_name(kind: str, language: str, possessive: bool | str, name: str) -> None:
    if possessive == "article":
        assert kind_name(kind, language, article=True) == name
    else:
        assert kind_name(kind, language, possessive=bool(possessive)) == name


@pytest.mark.parametrize(
    ("kind", "language", "word"),
    [("cnh", "pt", "recebida e confirmada"), ("cnpj_card", "pt", "recebido e confirmado"),
     ("rg", "en", "received and confirmed")],
)  # fmt: skip
def test_done_word_agrees_with_the_kind(kind: str, language: str, word: str) -> None:
    assert done_word(kind, language) == word


@pytest.mark.parametrize(
    ("name", "typed", "value"),
    [
        ("cpf", "529.982.247-25", "52998224725"),
        ("cnpj", "11.222.333/0001-81", "11222333000181"),
        ("cep", "01310-100", "01310100"),
        ("data_nascimento", "5/3/1985", "05/03/1985"),
        ("validade", "10-05-2030", "10/05/2030"),
        ("uf", "sp", "SP"),
        ("nome", "Maria Souza", "MARIA SOUZA"),
        ("razao_social", "Padaria Pão Quente Ltda.", "PADARIA PÃO QUENTE LTDA"),
        ("numero_registro", "0123 4567 890", "01234567890"),
    ],
)
def test_validate_field_normalizes_like_the_reader(name: str, typed: str, value: str) -> None:
    assert validate_field(name, typed) == value


@pytest.mark.parametrize(
    ("name", "typed", "code"),
    [
        ("cpf", "111.111.111-12", "cpf_invalid"),
        ("cnpj", "11.222.333/0001-00", "cnpj_check_digits"),
        ("data_nascimento", "31/02/1985", "date_invalid"),
        ("validade", "amanhã", "date_invalid"),
        ("uf", "XX", "uf_invalid"),
        ("numero_registro", "12", "document_number_invalid"),
    ],
)
def test_validate_field_refuses(name: str, typed: str, code: str) -> None:
    problem = validate_field(name, typed)
    assert isinstance(problem, Problem) and problem.code == code
