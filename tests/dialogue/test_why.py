"""``asks_why``: a question about why a field is asked, never a sentence that only says
"porque"."""

from __future__ import annotations

import pytest

from bot.dialogue.catalog import fold
from bot.dialogue.why import asks_why


@pytest.mark.parametrize(
    "said",
    [
        "pra que vcs precisam do cnpj?",
        "mas por que vocês precisam do celular",
        "pq vcs querem meu celular",
        "e o email, pra que vocês querem?",
        "é obrigatório?",
        "pra que isso?",
        "why do you need my address?",
        "what do you need the CNH for?",
    ],
)
def test_a_why_question(said: str) -> None:
    assert asks_why(fold(said), question_mark=said.endswith("?"))


@pytest.mark.parametrize(
    "said",
    [
        "quero mudar porque errei o email",
        "I need to change it because the email is wrong",
        "por que não aceitou meu documento?",
        "não tem complemento porque é casa",
        "obrigado",
    ],
)
def test_not_a_why_question(said: str) -> None:
    assert not asks_why(fold(said), question_mark=said.endswith("?"))
