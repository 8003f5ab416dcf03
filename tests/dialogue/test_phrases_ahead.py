"""Later answers told by their own words: a company's name by its ending, a head count by its
noun; nothing else is taken."""

from __future__ import annotations

import pytest

from bot.dialogue.phrases_ahead import phrases_in, without_phrases


@pytest.mark.parametrize(
    ("body", "found"),
    [
        (
            "11.222.333/0001-81, Padaria Pão Quente Ltda, 45 funcionários",
            {"company_name": "Padaria Pão Quente Ltda", "employees": "45 funcionários"},
        ),
        ("razão social: Pão Quente ME", {"company_name": "Pão Quente ME"}),
        ("somos uns 30 colaboradores", {"employees": "somos uns 30 colaboradores"}),
        ("we have 12 employees", {"employees": "we have 12 employees"}),
        ("Acme S.A.", {"company_name": "Acme S.A"}),
        ("Padaria Pão Quente", {}),  # no ending says it is the legal name
        ("45", {}),  # a bare number says nothing of what it counts
        ("me liga depois", {}),
    ],
)
def test_parts_are_told_by_their_own_words(body: str, found: dict[str, str]) -> None:
    assert phrases_in(body) == found


def test_the_question_s_own_part_is_what_remains() -> None:
    body = "Padaria Pão Quente, 45 funcionários"
    assert without_phrases(body, own="company_name") == "Padaria Pão Quente"
    assert without_phrases("Padaria Pão Quente", own="company_name") is None
