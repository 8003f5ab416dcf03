"""The pages' filters (backoffice.html.views): durations read in hours (business time: never
24-hour days)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from backoffice.html.views import waited


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (None, "—"),
        (timedelta(seconds=20), "<1 min"),
        (timedelta(minutes=12), "12 min"),
        (timedelta(hours=2, minutes=15), "2 h 15 min"),
        (timedelta(hours=3), "3 h"),
        (timedelta(hours=36, minutes=5), "36 h"),
        (5400.0, "1 h 30 min"),  # seconds
    ],
)
def test_waited_reads_like_a_person_would_say_it(value: object, shown: str) -> None:
    assert waited(value) == shown  # type: ignore[arg-type]
