"""A row of the Receita's asterisks is told from letters across its whole column (a CEP the
page and its crop read differently is settled by ``rereading.small_cep``:
tests/documents/test_rereading_cep.py)."""

from __future__ import annotations

from datetime import date

from bot.documents.fields import FieldRead
from bot.documents.identifiers import Parsed
from bot.documents.page import Word
from bot.documents.passes import _row_of_value

TODAY = date(2026, 12, 7)


def test_a_star_row_is_looked_for_across_the_values_column() -> None:
    word = Word("OFEOFEAKE", 223, 695, 330, 722, 0.0)
    read = FieldRead("nome_fantasia", Parsed("OFEOFEAKE", True), "x", (word,), "below", (61, 2190))
    assert _row_of_value(read) == (61, 695, 2190, 722)
