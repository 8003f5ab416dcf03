"""Dates and times, absolute and relative, against a fixed clock (Wed 4 March 2026, 10:00)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from nlu.entities import EntityExtractor
from tests.nlu.support import NOW


@pytest.fixture(scope="module")
def extractor() -> EntityExtractor:
    return EntityExtractor()


def of(extractor: EntityExtractor, text: str, entity: str, now: datetime = NOW) -> list[str]:
    return [e.value for e in extractor.extract(text, now=now) if e.entity == entity]


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("hoje", "2026-03-04"),
        ("amanhã", "2026-03-05"),
        ("amanha", "2026-03-05"),
        ("depois de amanhã", "2026-03-06"),
        ("dps de amanha", "2026-03-06"),
        ("ontem", "2026-03-03"),
        ("segunda que vem", "2026-03-09"),
        ("proxima segunda", "2026-03-09"),
        ("na segunda-feira", "2026-03-09"),
        ("2ª feira", "2026-03-09"),
        ("sexta", "2026-03-06"),
        ("quarta", "2026-03-11"),  # today is Wednesday: the next one
        ("essa quarta", "2026-03-04"),
        ("sexta da semana que vem", "2026-03-13"),
        ("sábado", "2026-03-07"),
        ("dia 3", "2026-04-03"),  # the 3rd has passed this month
        ("dia 4", "2026-03-04"),
        ("dia 20", "2026-03-20"),
        ("dia 31", "2026-03-31"),
        ("dia 15 de abril", "2026-04-15"),
        ("3 de maio", "2026-05-03"),
        ("1º de janeiro", "2027-01-01"),
        ("3 de maio de 2027", "2027-05-03"),
        ("12/03", "2026-03-12"),
        ("02/03", "2027-03-02"),
        ("12/03/2026", "2026-03-12"),
        ("5/6/26", "2026-06-05"),
        ("2026-07-01", "2026-07-01"),
        ("daqui a 2 dias", "2026-03-06"),
        ("daqui 3 dias", "2026-03-07"),
        ("daqui a dois dias", "2026-03-06"),
        ("em 2 semanas", "2026-03-18"),
        ("daqui a um mês", "2026-04-04"),
        ("dentro de 10 dias", "2026-03-14"),
        ("tomorrow", "2026-03-05"),
        ("today", "2026-03-04"),
        ("the day after tomorrow", "2026-03-06"),
        ("next Monday", "2026-03-09"),
        ("on friday", "2026-03-06"),
        ("in 2 days", "2026-03-06"),
        ("in three weeks", "2026-03-25"),
        ("5 days from now", "2026-03-09"),
        ("May 3rd", "2026-05-03"),
        ("March 15th, 2027", "2027-03-15"),
        ("the 3rd of May", "2026-05-03"),
        ("on the 22nd", "2026-03-22"),
    ],
)
def test_dates(extractor: EntityExtractor, text: str, date: str) -> None:
    assert of(extractor, text, "date") == [date]


@pytest.mark.parametrize(
    "text",
    [
        "a segunda opção",
        "segunda via do boleto",
        "quinta vez que mando",
        "semana que vem",  # a range, not a day
        "next week",
        "dia 32",
        "31/02",
        "10/15",
        "o ter é meu verbo favorito",
        "vou ter 2h livres",  # "ter" and "sex" as days only where a day can start
        "seg",  # short forms alone are not days
        "qui",
        "seg a sex das 8h às 18h",
        "50/50",
    ],
)
def test_not_dates(extractor: EntityExtractor, text: str) -> None:
    assert of(extractor, text, "date") == []


def test_leap_day_waits_for_a_leap_year(extractor: EntityExtractor) -> None:
    assert of(extractor, "29/02", "date") == ["2028-02-29"]


def test_dia_31_skips_short_months(extractor: EntityExtractor) -> None:
    april = datetime(2026, 4, 2, 9, 0, tzinfo=ZoneInfo("America/Sao_Paulo"))
    assert of(extractor, "dia 31", "date", now=april) == ["2026-05-31"]


def test_relative_dates_use_the_local_day() -> None:
    # 01:30 UTC on 5 March is still 4 March (22:30) in São Paulo.
    late = datetime(2026, 3, 5, 1, 30, tzinfo=ZoneInfo("UTC"))
    assert of(EntityExtractor(), "amanhã", "date", now=late) == ["2026-03-05"]
    assert of(EntityExtractor(timezone="UTC"), "amanhã", "date", now=late) == ["2026-03-06"]


def test_naive_now_is_read_in_the_configured_zone(extractor: EntityExtractor) -> None:
    assert of(extractor, "amanhã", "date", now=datetime(2026, 12, 31, 23, 0)) == ["2027-01-01"]


@pytest.mark.parametrize(
    ("text", "time"),
    [
        ("14h", "14:00"),
        ("às 14h", "14:00"),
        ("14:30", "14:30"),
        ("14h30", "14:30"),
        ("9hs", "09:00"),
        ("14 horas", "14:00"),
        ("3 da tarde", "15:00"),
        ("três da tarde", "15:00"),
        ("10 da manhã", "10:00"),
        ("8 da noite", "20:00"),
        ("duas e meia da tarde", "14:30"),
        ("meio-dia", "12:00"),
        ("meio dia e meia", "12:30"),
        ("meia noite", "00:00"),
        ("10am", "10:00"),
        ("3 pm", "15:00"),
        ("3:30pm", "15:30"),
        ("12am", "00:00"),
        ("noon", "12:00"),
        ("pode ser às 10?", "10:00"),
        ("as 3 ta bom", "15:00"),  # bare 1-6 means afternoon in business hours
        ("at 4", "16:00"),
        ("às 9 e meia", "09:30"),
        ("a partir de 14 horas", "14:00"),
        ("9h", "09:00"),
        ("9:30", "09:30"),
        ("às 9", "09:00"),
        ("3pm", "15:00"),
    ],
)
def test_times(extractor: EntityExtractor, text: str, time: str) -> None:
    assert of(extractor, text, "time") == [time]


@pytest.mark.parametrize(
    "text",
    [
        "as 3 primeiras opções",
        "de manhã",
        "25:00",
        "tenho 2 filhos",
        "versão 1.5",
        "dia 9 de manhã",  # the day, not 9:00
        "18/11 de manhã",
        "faz 2 horas que espero",  # a duration
        "há 3 horas",
    ],
)
def test_not_times(extractor: EntityExtractor, text: str) -> None:
    assert of(extractor, text, "time") == []


@pytest.mark.parametrize(
    ("text", "date", "time"),
    [
        ("amanhã às 14h", "2026-03-05", "14:00"),
        ("segunda que vem às 9h", "2026-03-09", "09:00"),
        ("next Monday 10am", "2026-03-09", "10:00"),
        ("dia 3 às 3 da tarde", "2026-04-03", "15:00"),
        ("daqui a 2 dias 10h30", "2026-03-06", "10:30"),
        ("12/03 14:00", "2026-03-12", "14:00"),
        ("tomorrow at noon", "2026-03-05", "12:00"),
        # bare answers to "which day and time?" (issue #13)
        ("10/12 9h", "2026-12-10", "09:00"),
        ("10/12 às 9:30", "2026-12-10", "09:30"),
        ("dia 15 às 10", "2026-03-15", "10:00"),
        ("quinta 14h", "2026-03-05", "14:00"),
        ("next tuesday 3pm", "2026-03-10", "15:00"),
        ("seg 10h", "2026-03-09", "10:00"),
        ("qui às 9h30", "2026-03-05", "09:30"),
        ("sex 14h", "2026-03-06", "14:00"),
        ("na ter às 9", "2026-03-10", "09:00"),
        ("wed 3pm", "2026-03-11", "15:00"),
        ("dps de amanhã 9h", "2026-03-06", "09:00"),
        ("dia 22 de tarde, às 3", "2026-03-22", "15:00"),
    ],
)
def test_date_and_time_together(
    extractor: EntityExtractor, text: str, date: str, time: str
) -> None:
    assert of(extractor, text, "date") == [date]
    assert of(extractor, text, "time") == [time]


def test_spans_leave_out_prepositions(extractor: EntityExtractor) -> None:
    text = "pode ser na segunda que vem às 14h?"
    spans = [text[e.start : e.end] for e in extractor.extract(text, now=NOW)]
    assert spans == ["segunda que vem", "14h"]
