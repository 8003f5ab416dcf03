"""The conversation's language: Portuguese unless the client clearly writes English; a
request to switch is obeyed and the question asked again in the new language."""

from __future__ import annotations

import pytest

from bot.dialogue.effects import RecordEvent
from bot.dialogue.language import detect_language_request
from tests.dialogue.support import Chat, prompt, says, slots_until


@pytest.mark.parametrize(
    ("body", "language"),
    [
        ("english please", "en"),
        ("English", "en"),
        ("inglês, por favor", "en"),
        ("em inglês", "en"),
        ("pode ser em inglês", "en"),
        ("can we speak in english?", "en"),
        ("I prefer English", "en"),
        ("pode ser em português", "pt"),
        ("português", "pt"),
        ("portuguese please", "pt"),
        ("vamos falar em português", "pt"),
        ("continue in portuguese", "pt"),
        ("pt-br", "pt"),
        ("eu falo inglês mas prefiro seguir assim", None),
        ("meu nome é English", None),
        ("ok", None),
    ],
)
def test_detect_language_request(body: str, language: str | None) -> None:
    assert detect_language_request(body) == language


def test_english_please_switches_and_asks_the_question_again_in_english(chat: Chat) -> None:
    chat.at(slots_until("employees"))
    turn = chat.send("english please")
    assert [r.text for r in turn.replies] == [
        says("language_switched", "en"),
        prompt("employees", language="en"),
    ]
    assert chat.state.language == "en" and chat.state.language_locked
    assert turn.effects == [RecordEvent("language_changed", "en")]


def test_pode_ser_em_portugues_switches_back(chat: Chat) -> None:
    chat.at(slots_until("employees")).with_state(language="en")
    turn = chat.send("pode ser em português")
    assert [r.text for r in turn.replies] == [says("language_switched"), prompt("employees")]
    assert chat.state.language == "pt"
    assert turn.effects == [RecordEvent("language_changed", "pt")]


def test_asking_for_the_language_already_spoken_records_nothing_but_locks_it(chat: Chat) -> None:
    chat.at(slots_until("employees"))
    turn = chat.send("português, por favor")
    assert turn.effects == []
    assert chat.state.language_locked
    assert turn.replies[-1].text == prompt("employees")


def test_a_language_request_inside_an_open_repair_asks_the_repairs_question_again(
    chat: Chat,
) -> None:
    chat.at(slots_until("cep"))
    chat.send("errei o telefone da Beatriz")
    turn = chat.send("english please")
    assert turn.replies[-1].text == says("ask_new_value", "en", label="mobile (IT)")
    assert chat.state.pending is not None and chat.state.pending.kind == "correction"


def test_a_language_request_before_the_start_starts_in_that_language(chat: Chat) -> None:
    turn = chat.send("english please")
    assert turn.replies[-1].text == prompt("consent", language="en")


@pytest.mark.parametrize("body", ["ok", "oi", "sim", "hello", "ok ok", "yes", "thanks"])
def test_a_shared_token_alone_never_switches(chat: Chat, body: str) -> None:
    chat.send(body, language="en")
    assert chat.state.language == "pt"


@pytest.mark.parametrize("body", ["good morning", "hello there", "hi, I need help"])
def test_two_clearly_english_words_at_the_start_switch(chat: Chat, body: str) -> None:
    turn = chat.send(body, "greet", language="en")
    assert chat.state.language == "en"
    assert turn.replies[-1].text == prompt("consent", language="en")
    assert RecordEvent("language_changed", "en") in turn.effects


def test_a_free_text_answer_later_does_not_switch(chat: Chat) -> None:
    """ "John Smith" is a name, whatever language the NLU thinks it is."""
    chat.at(slots_until("tech.name"))
    chat.send("John Smith", language="en")
    assert chat.state.language == "pt"
    assert chat.state.slots["tech.name"] == "John Smith"


def test_a_longer_english_request_later_switches(chat: Chat) -> None:
    chat.at(slots_until("cep"))
    chat.send("sorry what do you need from me", "help", language="en")
    assert chat.state.language == "en"


def test_a_chosen_language_is_kept_whatever_the_client_writes(chat: Chat) -> None:
    chat.at(slots_until("cep")).with_state(language_locked=True)
    chat.send("sorry what do you need from me", "help", language="en")
    assert chat.state.language == "pt"


def test_a_document_reading_never_changes_the_language(chat: Chat) -> None:
    from tests.dialogue.support import cnpj_card_reading

    chat.at_documents()
    chat.send(document=cnpj_card_reading(), language="en")
    assert chat.state.language == "pt"
