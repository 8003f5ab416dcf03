"""A reading's fields fixed as clients type them at its confirmation, in pt and en: a date
"pra"/"to" its value, "the name is wrong", two fields in one message, "não, o CNPJ é …", a
bare CPF. Found by playing the document exchange as a client (7 Dec 2026)."""

from __future__ import annotations

import pytest

from bot.dialogue.documents import validate_field
from bot.dialogue.documents_fixes import Fix, fixes_in
from bot.dialogue.effects import Escalate
from bot.dialogue.state import DocumentPending
from bot.domain.documents import DocumentReading
from tests.dialogue.support import Chat, cnpj_card_reading, says

VALID_CPF = "529.982.247-25"
OTHER_CNPJ = "11.444.777/0001-61"


def cnh_with_birth_date(*, uncertain: tuple[str, ...] = ()) -> DocumentReading:
    return DocumentReading(
        document_id=8,
        kind="cnh",
        fields={
            "nome": "MARIA DA SILVX",
            "cpf": "52998224726",
            "data_nascimento": "12/03/1908",
            "validade": "10/05/2030",
        },
        uncertain=uncertain,
    )


def showing_cnh(chat: Chat, language: str, *, uncertain: tuple[str, ...] = ()) -> Chat:
    chat.at_documents(step="identity").with_state(language=language)
    chat.read(cnh_with_birth_date(uncertain=uncertain))
    return chat


def pending(chat: Chat) -> DocumentPending:
    assert isinstance(chat.state.pending, DocumentPending)
    return chat.state.pending


@pytest.mark.parametrize(
    ("language", "said", "intent"),
    [
        ("pt", "corrige a data pra 12/03/1980", "schedule_training"),
        ("pt", "a data de nascimento é 12/03/1980", "inform"),
        ("en", "change the birth date to 12/03/1980", "schedule_training"),
        ("en", "my date of birth is 12/03/1980", "inform"),
    ],
)
def test_a_date_typed_with_pra_or_to_fixes_the_date_to_check(
    chat: Chat, language: str, said: str, intent: str
) -> None:
    showing_cnh(chat, language, uncertain=("data_nascimento",))
    turn = chat.send(said, intent, 0.8)  # the NLU hears "data"/"date" as booking the training
    label = "Date of birth" if language == "en" else "Data de nascimento"
    assert turn.replies[0].text.splitlines()[0] == says(
        "document_field_fixed", language, label=label
    )
    assert pending(chat).fields["data_nascimento"] == "12/03/1980"
    assert pending(chat).fields["validade"] == "10/05/2030"


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("pt", "o nome tá errado"),
        ("pt", "o nome está errado"),
        ("en", "the name is wrong"),
        ("en", "my name is not right"),
    ],
)
def test_saying_a_field_is_wrong_asks_its_value(chat: Chat, language: str, said: str) -> None:
    showing_cnh(chat, language, uncertain=("nome",))
    turn = chat.send(said, "correct_data", 0.8)
    label = "Name" if language == "en" else "Nome"
    assert [r.text for r in turn.replies] == [says("document_ask_field", language, label=label)]
    assert pending(chat).fields["nome"] == "MARIA DA SILVX"  # not "WRONG"
    assert (pending(chat).stage, pending(chat).field) == ("field_value", "nome")


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("pt", f"o nome é Maria da Silva e o CPF é {VALID_CPF}"),
        ("pt", f"nome: Maria da Silva, cpf: {VALID_CPF}"),
        ("en", f"the name is Maria da Silva and the CPF is {VALID_CPF}"),
    ],
)
def test_two_fields_fixed_in_one_message(chat: Chat, language: str, said: str) -> None:
    showing_cnh(chat, language, uncertain=("nome", "cpf"))
    turn = chat.send(said)
    labels = "Name and CPF" if language == "en" else "Nome e CPF"
    lines = turn.replies[0].text.splitlines()
    assert lines[0] == says("document_fields_fixed", language, labels=labels)
    assert pending(chat).fields["nome"] == "MARIA DA SILVA"
    assert pending(chat).fields["cpf"] == "52998224725"
    assert pending(chat).fixed == ["nome", "cpf"] and pending(chat).stage == "confirm"


def test_of_two_fields_the_valid_one_is_kept_and_the_other_asked(chat: Chat) -> None:
    showing_cnh(chat, "pt", uncertain=("nome", "cpf"))
    turn = chat.send("o nome é Maria da Silva e o CPF é 111.111.111-12")
    assert [r.text for r in turn.replies] == [
        says("document_field_fixed", label="Nome"),
        says("cpf_invalid"),
        says("document_ask_field", label="CPF"),
    ]
    assert pending(chat).fields["nome"] == "MARIA DA SILVA"
    assert (pending(chat).stage, pending(chat).field) == ("field_value", "cpf")


@pytest.mark.parametrize(
    ("language", "said"),
    [("pt", f"não, o CNPJ é {OTHER_CNPJ}"), ("en", f"no, the CNPJ is {OTHER_CNPJ}")],
)
def test_no_the_cnpj_is(chat: Chat, language: str, said: str) -> None:
    chat.at_documents().with_state(language=language)
    chat.read(cnpj_card_reading(uncertain=["cnpj"]))
    chat.send(said, "deny", 0.8)
    assert pending(chat).fields["cnpj"] == "11444777000161"


def test_a_bare_cpf_at_a_cnh_reading_fixes_its_cpf(chat: Chat) -> None:
    showing_cnh(chat, "pt", uncertain=("cpf",))
    chat.send(f"não, {VALID_CPF}", "deny", 0.8)
    assert pending(chat).fields["cpf"] == "52998224725"


def test_the_value_asked_may_come_with_its_name(chat: Chat) -> None:
    showing_cnh(chat, "pt", uncertain=("nome",))
    chat.send("o nome tá errado")
    chat.send("o nome é Maria da Silva")
    assert pending(chat).fields["nome"] == "MARIA DA SILVA"


# ------------------------------------------------------------------ what is not a fix
@pytest.mark.parametrize(
    "said",
    [
        "por que vocês precisam do meu CPF?",
        "o nome está certo",
        "tudo certo",
        "quero falar com uma pessoa sobre o nome da empresa que aparece",
    ],
)
def test_these_are_no_fix(said: str) -> None:
    fields = ["nome", "cpf", "data_nascimento", "validade"]
    assert fixes_in(said, fields=fields, uncertain=[]) == []


def test_the_date_alone_is_ambiguous_between_two_dates() -> None:
    fields = ["nome", "data_nascimento", "validade"]
    assert fixes_in("a data é 12/03/1980", fields=fields, uncertain=[]) == []
    assert fixes_in("a data é 12/03/1980", fields=fields, uncertain=["validade"]) == [
        Fix("validade", "12/03/1980")
    ]


# ------------------------------------------------------------------ more as clients type them
@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("pt", "tá certo, só a razão social que é Padaria Pão Quente Ltda"),
        ("en", "all fine, only the legal name that is Padaria Pão Quente Ltda"),
    ],
)
def test_a_fix_after_que_is_the_readings_not_the_registrations(
    chat: Chat, language: str, said: str
) -> None:
    chat.at_documents().with_state(language=language)
    chat.read(cnpj_card_reading(uncertain=["razao_social"]))
    turn = chat.send(said, "correct_data", 0.8)
    assert pending(chat).fields["razao_social"] == "PADARIA PÃO QUENTE LTDA"
    assert turn.effects == []  # the registration's company name is left alone
    assert chat.state.slots["company_name"] == "Padaria Pão Quente Ltda"


@pytest.mark.parametrize(
    ("language", "line"),
    [
        (
            "pt",
            "⚠️ O CNPJ corrigido (11.444.777/0001-61) é diferente do informado no cadastro "
            "(11.222.333/0001-81).",
        ),
        (
            "en",
            "⚠️ The corrected CNPJ (11.444.777/0001-61) differs from the one in the registration "
            "(11.222.333/0001-81).",
        ),
    ],
)
def test_a_cnpj_typed_other_than_the_registrations_is_a_difference(
    chat: Chat, language: str, line: str
) -> None:
    chat.at_documents().with_state(language=language)
    chat.read(cnpj_card_reading(uncertain=["cnpj"]))
    turn = chat.send(f"o CNPJ é {OTHER_CNPJ}")
    assert line in turn.replies[0].text.splitlines()
    turn = chat.send("1")
    assert [e.reason for e in turn.effects if isinstance(e, Escalate)] == ["document_mismatch"]


def test_the_registrations_cnpj_typed_is_no_difference(chat: Chat) -> None:
    chat.at_documents()
    chat.read(cnpj_card_reading(uncertain=["cnpj"]))
    chat.send("o CNPJ é 11.222.333/0001-81")
    assert pending(chat).mismatches == []


@pytest.mark.parametrize(
    ("language", "said"),
    [("pt", "nascimento errado, é 12/3/80"), ("en", "birth date wrong, it's 12/3/80")],
)
def test_a_date_with_a_two_digit_year_named_wrong_is_fixed(
    chat: Chat, language: str, said: str
) -> None:
    showing_cnh(chat, language, uncertain=("data_nascimento",))
    chat.send(said, "correct_data", 0.9)  # was the registration's "O que você quer corrigir?"
    assert pending(chat).fields["data_nascimento"] == "12/03/1980"


def test_an_invalid_value_of_a_named_field_is_explained_whatever_the_nlu_hears(
    chat: Chat,
) -> None:
    showing_cnh(chat, "pt", uncertain=("data_nascimento",))
    turn = chat.send("nascimento errado, é 31/02/1980", "correct_data", 0.9)
    assert [r.text for r in turn.replies] == [
        says("date_invalid"),
        says("document_ask_field", label="Data de nascimento"),
    ]


@pytest.mark.parametrize(
    ("name", "typed", "value"),
    [
        ("data_nascimento", "12/3/80", "12/03/1980"),
        ("data_abertura", "05/06/12", "05/06/2012"),
        ("validade", "10/05/31", "10/05/2031"),
    ],
)
def test_two_digit_years(name: str, typed: str, value: str) -> None:
    assert validate_field(name, typed) == value


@pytest.mark.parametrize(
    ("language", "ask", "said", "field", "value"),
    [
        ("pt", "o nome", "é Maria da Silva", "nome", "MARIA DA SILVA"),
        ("en", "fix the name", "it's Maria da Silva", "nome", "MARIA DA SILVA"),
        ("pt", "data de nascimento", "nasci em 12/03/1980", "data_nascimento", "12/03/1980"),
    ],
)
def test_the_value_asked_is_taken_from_how_clients_answer(
    chat: Chat, language: str, ask: str, said: str, field: str, value: str
) -> None:
    showing_cnh(chat, language, uncertain=("nome", "data_nascimento"))
    chat.send(ask)
    assert pending(chat).stage == "field_value"
    chat.send(said)  # was "É MARIA DA SILVA", "IT'S …", a date format error
    assert pending(chat).fields[field] == value
