"""When a client asks for a training session ("quinta às 14h", "de manhã") and how an instant is
written back, in the company's time zone (``bot.dialogue.training.time_phrases``)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.dialogue.context import ConversationContext
from bot.dialogue.training.time_phrases import requested_time, when
from bot.domain.onboarding import Stage
from nlu.types import Entity
from tests.dialogue.support import NOW, ent, heard


def context() -> ConversationContext:
    return ConversationContext(stage=Stage.TREINAMENTO, now=NOW)


# NOW is Tuesday 24/11, 10:00 in São Paulo.
@pytest.mark.parametrize(
    ("entities", "body", "expected"),
    [
        ([ent("date", "2026-11-26"), ent("time", "14:00")], "quinta às 14h",
         datetime(2026, 11, 26, 17, 0, tzinfo=UTC)),
        ([ent("date", "2026-11-26")], "quinta", datetime(2026, 11, 26, 12, 0, tzinfo=UTC)),
        ([ent("date", "2026-11-26")], "quinta à tarde", datetime(2026, 11, 26, 17, 0, tzinfo=UTC)),
        ([ent("time", "15:00")], "às 15h", datetime(2026, 11, 24, 18, 0, tzinfo=UTC)),
        # 8h has passed today: tomorrow
        ([ent("time", "08:00")], "às 8h", datetime(2026, 11, 25, 11, 0, tzinfo=UTC)),
        ([], "de manhã", datetime(2026, 11, 25, 12, 0, tzinfo=UTC)),
        ([], "pode ser", None),
    ],
)  # fmt: skip
def test_requested_time(entities: list[Entity], body: str, expected: datetime | None) -> None:
    found = requested_time(heard(body, entities=entities), body, context=context())
    assert found == expected


@pytest.mark.parametrize(
    ("language", "said"), [("pt", "qui, 26/11 às 10:00"), ("en", "Thu 26/11 at 10:00")]
)
def test_when_is_written_in_the_companys_time_zone(language: str, said: str) -> None:
    instant = datetime(2026, 11, 26, 13, 0, tzinfo=UTC)
    assert when(instant, language, context=context()) == said
