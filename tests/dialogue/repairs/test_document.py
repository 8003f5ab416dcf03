"""The reading shown to the client: "1" confirms, "2" asks which field, "3" asks for another
photo; a field can be fixed by typing it ("o CPF é …")."""

from __future__ import annotations

import pytest

from bot.dialogue.effects import DocumentConfirmed, Escalate
from bot.dialogue.state import DocumentPending
from tests.dialogue.support import (
    Chat,
    choices,
    cnh_reading,
    cnpj_card_reading,
    prompt,
    says,
)

VALID_CPF = "529.982.247-25"


def showing_cnh(chat: Chat, *, uncertain: tuple[str, ...] = ("cpf",)) -> Chat:
    chat.at_documents()
    chat.read(cnpj_card_reading())
    chat.send("1")
    chat.read(cnh_reading(uncertain=uncertain))
    return chat


def pending(chat: Chat) -> DocumentPending:
    assert isinstance(chat.state.pending, DocumentPending)
    return chat.state.pending


@pytest.mark.parametrize("body", ["1", "tudo certo", "Está tudo certo", "sim", "confere", "ok"])
def test_confirming_the_reading_records_it_and_asks_the_next_step(chat: Chat, body: str) -> None:
    chat.at_documents()
    chat.read(cnpj_card_reading())
    turn = chat.send(body)
    assert turn.effects == [
        DocumentConfirmed(7, "cnpj_card", dict(cnpj_card_reading().fields), corrected=())
    ]
    assert chat.state.slots["doc_cnpj_card"] == 7
    assert chat.state.pending is None
    assert [r.text for r in turn.replies] == [
        says("document_confirmed", document="Cartão CNPJ", done="recebido e confirmado"),
        prompt("identity"),
    ]


def test_a_tap_on_ok_confirms(chat: Chat) -> None:
    chat.at_documents()
    chat.read(cnpj_card_reading())
    turn = chat.send("", choice_id="ok")
    assert [type(e) for e in turn.effects] == [DocumentConfirmed]


def test_two_asks_which_field_with_the_readings_fields(chat: Chat) -> None:
    showing_cnh(chat)
    turn = chat.send("2")
    assert [r.text for r in turn.replies] == [says("document_which_field")]
    assert [c.id for c in choices(turn)] == ["nome", "cpf", "validade", "resend"]
    assert pending(chat).stage == "which_field"


@pytest.mark.parametrize("body", ["2", "CPF", "o cpf"])
def test_picking_the_field_asks_its_value(chat: Chat, body: str) -> None:
    showing_cnh(chat)
    chat.send("2")
    turn = chat.send(body)
    assert [r.text for r in turn.replies] == [says("document_ask_field", label="CPF")]
    assert (pending(chat).stage, pending(chat).field) == ("field_value", "cpf")


def test_the_value_typed_for_the_field_fixes_it_and_shows_the_reading_again(chat: Chat) -> None:
    showing_cnh(chat)
    chat.send("2")
    chat.send("CPF")
    turn = chat.send(VALID_CPF)
    body = turn.replies[-1].text
    assert body.splitlines()[0] == says("document_field_fixed", label="CPF")
    assert f"• CPF: {VALID_CPF}" in body.splitlines()  # no longer "(confira)"
    assert pending(chat).fixed == ["cpf"] and pending(chat).stage == "confirm"


def test_three_asks_for_another_photo(chat: Chat) -> None:
    showing_cnh(chat)
    turn = chat.send("3")
    assert [r.text for r in turn.replies] == [says("document_retry")]
    assert chat.state.pending is None
    assert "doc_identity" not in chat.state.slots


def test_another_photo_can_be_asked_from_the_field_list(chat: Chat) -> None:
    showing_cnh(chat)
    chat.send("2")
    turn = chat.send("4")  # nome, cpf, validade, "enviar outra foto"
    assert [r.text for r in turn.replies] == [says("document_retry")]


@pytest.mark.parametrize(
    "body", [f"o CPF é {VALID_CPF}", f"cpf: {VALID_CPF}", f"o cpf correto é {VALID_CPF}"]
)
def test_typing_a_field_fixes_it_at_once(chat: Chat, body: str) -> None:
    showing_cnh(chat)
    turn = chat.send(body)
    lines = turn.replies[-1].text.splitlines()
    assert lines[0] == says("document_field_fixed", label="CPF")
    assert f"• CPF: {VALID_CPF}" in lines
    assert pending(chat).fields["cpf"] == "52998224725"


def test_a_name_typed_for_the_reading_is_stored_like_the_readers(chat: Chat) -> None:
    showing_cnh(chat)
    chat.send("o nome é Maria Souza")
    assert pending(chat).fields["nome"] == "MARIA SOUZA"
    assert pending(chat).fixed == ["nome"]


def test_the_fixed_fields_go_with_the_confirmation(chat: Chat) -> None:
    showing_cnh(chat)
    chat.send(f"o CPF é {VALID_CPF}")
    turn = chat.send("1")
    [confirmed] = [e for e in turn.effects if isinstance(e, DocumentConfirmed)]
    assert isinstance(confirmed, DocumentConfirmed)
    assert confirmed.corrected == ("cpf",)


def test_an_invalid_cpf_is_explained_and_its_value_asked(chat: Chat) -> None:
    showing_cnh(chat)
    turn = chat.send("o CPF é 111.111.111-12")
    assert [r.text for r in turn.replies] == [
        says("cpf_invalid"),
        says("document_ask_field", label="CPF"),
    ]
    assert (pending(chat).stage, pending(chat).field) == ("field_value", "cpf")
    assert pending(chat).fields["cpf"] == "52998224725"  # the reading is untouched


def test_naming_a_field_without_a_value_asks_for_it(chat: Chat) -> None:
    showing_cnh(chat)
    turn = chat.send("o cpf está errado")
    assert [r.text for r in turn.replies] == [says("document_ask_field", label="CPF")]


def test_an_answer_that_is_none_of_the_options_is_explained(chat: Chat) -> None:
    showing_cnh(chat)
    turn = chat.send("banana")
    assert [r.text for r in turn.replies] == [
        says("choice_unknown"),
        says("document_confirm_again", document="CNH"),
    ]
    assert [c.id for c in choices(turn)] == ["ok", "fix", "resend"]


def test_mismatches_are_escalated_when_the_reading_is_confirmed(chat: Chat) -> None:
    chat.at_documents()
    chat.read(cnpj_card_reading(mismatches=["A razão social difere do cadastro"]))
    turn = chat.send("1")
    assert Escalate("document_mismatch", "A razão social difere do cadastro") in turn.effects
    assert says("document_mismatch_escalated") in [r.text for r in turn.replies]


def test_the_last_document_confirmed_ends_the_flow(chat: Chat) -> None:
    showing_cnh(chat)
    turn = chat.send("1")
    assert chat.state.finished
    assert chat.state.slots["doc_identity"] == 8
    assert turn.replies[0].text == says(
        "document_confirmed", document="CNH", done="recebida e confirmada"
    )
