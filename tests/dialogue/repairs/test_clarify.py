""" "Não entendi bem. Você quis dizer: …": the requests the NLU hesitated between, then
"Nenhuma dessas"."""

from __future__ import annotations

import pytest

from bot.dialogue.repairs.clarify import clarify_options
from bot.dialogue.state import ClarifyPending, HumanOfferPending
from tests.dialogue.support import Chat, choices, ent, prompt, says, slots_until

HESITANT = [("out_of_scope", 0.4), ("ask_status", 0.35), ("help", 0.3)]


@pytest.fixture
def asked(chat: Chat) -> Chat:
    chat.at(slots_until("cep"))
    chat.send("hmm sei lá", "out_of_scope", 0.4, ranking=HESITANT)
    return chat


def test_the_nlu_hesitating_asks_what_the_client_meant(asked: Chat) -> None:
    turn = asked.turns[-1]
    assert [r.text for r in turn.replies] == [says("clarify")]
    assert [(c.id, c.title) for c in choices(turn)] == [
        ("ask_status", says("intent_ask_status")),
        ("none", says("clarify_none")),
    ]
    assert asked.state.pending == ClarifyPending(options=["ask_status", "none"])


def test_clarify_options_are_titled_in_both_languages() -> None:
    [status, none] = clarify_options(["ask_status", "none"])
    assert status.titles == (says("intent_ask_status"), says("intent_ask_status", "en"))
    assert none.titles == (says("clarify_none"), says("clarify_none", "en"))


@pytest.mark.parametrize("body", ["1", "Saber em que etapa estou", "a primeira"])
def test_picking_a_request_does_it_and_forgets_the_misunderstanding(asked: Chat, body: str) -> None:
    turn = asked.send(body)
    assert turn.replies[0].text.startswith(says("status").split("*")[0])
    assert turn.replies[-1].text == prompt("cep")
    assert asked.state.misunderstood_count == 0 and asked.state.pending is None


def test_a_tap_picks_the_request(asked: Chat) -> None:
    turn = asked.send("", choice_id="ask_status")
    assert turn.replies[-1].text == prompt("cep")
    assert asked.state.pending is None


@pytest.mark.parametrize("body", ["2", "nenhuma dessas"])
def test_none_of_these_asks_the_question_again(asked: Chat, body: str) -> None:
    turn = asked.send(body)
    assert [r.text for r in turn.replies] == [prompt("cep")]
    assert asked.state.pending is None


def test_an_answer_to_the_question_underneath_is_taken(asked: Chat) -> None:
    asked.send("01310-100", entities=[ent("cep", "01310100")])
    assert asked.state.slots["cep"] == "01310100"
    assert asked.state.pending is None


def test_a_second_misunderstanding_in_a_row_offers_a_person(asked: Chat) -> None:
    turn = asked.send("hmm sei lá", "out_of_scope", 0.4, ranking=HESITANT)
    assert [r.text for r in turn.replies] == [says("offer_human_misunderstood")]
    assert isinstance(asked.state.pending, HumanOfferPending)
    assert asked.state.pending.reason == "misunderstood"


def test_a_request_that_stands_out_is_answered_without_asking(chat: Chat) -> None:
    chat.at(slots_until("cep"))
    ranking = [("ask_status", 0.55), ("inform", 0.2)]
    turn = chat.send("quero saber em que pé está", "ask_status", 0.55, ranking=ranking)
    assert chat.state.pending is None
    assert turn.replies[-1].text == prompt("cep")
    assert turn.replies[0].text.startswith(says("status").split("*")[0])


def test_training_is_not_a_guess_before_its_stage(chat: Chat) -> None:
    chat.at(slots_until("cep"))
    ranking = [("out_of_scope", 0.4), ("schedule_training", 0.35)]
    chat.send("hmm sei lá", "out_of_scope", 0.4, ranking=ranking)
    assert not isinstance(chat.state.pending, ClarifyPending)
