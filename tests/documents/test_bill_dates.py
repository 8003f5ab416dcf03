"""The bill's issue date told apart from its other dates when its own label was misread."""

from __future__ import annotations

from bot.documents.bill_dates import DOUBTFUL, issue_date
from bot.documents.page import Row, Word


def _row(text: str, *, y: float, x: float = 1000.0) -> Row:
    """One line of 20-px words starting at ``x``, the words 12 px apart."""
    words = []
    for token in text.split():
        width = 14.0 * len(token)
        words.append(Word(token, x, y, x + width, y + 20.0, 95.0))
        x += width + 12.0
    return Row(tuple(words))


def _boxes(*pairs: tuple[str, str]) -> list[Row]:
    """Date boxes stacked in one column: each label above its value."""
    rows = []
    for i, (label, value) in enumerate(pairs):
        rows += [_row(label, y=100.0 * i), _row(value, y=100.0 * i + 30.0)]
    return rows


def test_a_garbled_issue_label_is_nearer_the_issue_date_than_any_other() -> None:
    rows = _boxes(
        ("VENCIMENTO", "06/02/2026"),
        ("LATA CRE VISÃO", "25/01/2026"),  # DATA DE EMISSÃO, misread
        ("LEITURA ANTERIOR", "23/12/2025"),
    )
    found = issue_date(rows)
    assert found is not None
    assert found[0] == "25/01/2026"
    assert found[1][0].conf == 95.0  # its label was read, loosely


def test_an_unreadable_label_between_the_readings_and_the_due_date_is_the_issue_date() -> None:
    rows = _boxes(
        ("REFERÊNCIA", "JAN/2026"),
        ("ABS, A, 140", "23/01/2026"),
        ("LEITURA ANTERNDA", "23/12/2025"),
        ("VENCENDO", "06/02/2026"),
    )
    found = issue_date(rows)
    assert found is not None
    assert found[0] == "23/01/2026"
    assert all(w.conf <= DOUBTFUL for w in found[1])  # placed by elimination: never asserted


def test_no_issue_date_when_the_unlabelled_date_is_out_of_order_or_not_alone() -> None:
    after_due = _boxes(
        ("ABS, A, 140", "10/02/2026"),
        ("LEITURA ANTERIOR", "23/12/2025"),
        ("VENCIMENTO", "06/02/2026"),
    )
    assert issue_date(after_due) is None
    two_unknown = _boxes(
        ("ABS, A, 140", "23/01/2026"),
        ("QRX TPL", "24/01/2026"),
        ("LEITURA ANTERIOR", "23/12/2025"),
        ("VENCIMENTO", "06/02/2026"),
    )
    assert issue_date(two_unknown) is None


def test_other_dates_are_never_the_issue_date() -> None:
    rows = _boxes(
        ("DATA DE APRESENTAÇÃO", "20/01/2026"),
        ("VENCIMENTO", "06/02/2026"),
        ("LEITURA ANTERIOR", "23/12/2025"),
    )
    assert issue_date(rows) is None


def test_a_label_beside_its_date_on_the_same_line() -> None:
    rows = [_row("VENCIMENTO: 06/02/2026", y=0.0), _row("EMISAO: 25/01/2026", y=30.0)]
    found = issue_date(rows)
    assert found is not None and found[0] == "25/01/2026"


def test_a_date_whose_slashes_were_read_as_ones_is_given_doubtful() -> None:
    rows = _boxes(
        ("VENCIMENTO", "04/02/2026"),
        ("LEITURA ANTERIOR", "27/12/2025"),
        ("EMISSÃO", "2710112026"),  # 27/01/2026, both slashes read as 1s
    )
    found = issue_date(rows)
    assert found is not None
    assert found[0] == "27/01/2026"
    assert found[1][0].conf == DOUBTFUL


def test_ten_digits_far_from_the_bills_other_dates_are_no_date() -> None:
    rows = _boxes(
        ("VENCIMENTO", "04/02/2026"),
        ("LEITURA ANTERIOR", "27/12/2025"),
        ("EMISSÃO", "2710112016"),  # ten years before the bill's other dates
    )
    assert issue_date(rows) is None
