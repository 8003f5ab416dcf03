"""The reports computed fast (one read per page, visits filtered in SQL, the SLA verdict from
business time alone when it decides, ``report_sla.BusinessClock``) give the numbers the
straightforward computation gives: every visit's history read, every visit's SLA clock run
(``backoffice.sla.stage_sla``, as ``reports.py`` did until the console's reports were made
fast). Held on seeded random histories, several windows and several clocks."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import ColumnElement, select, true
from sqlalchemy.orm import Session

from backoffice import report_reads, reports
from backoffice.pipeline import PipelineCatalog, load_pipelines
from backoffice.report_sla import BusinessClock, SlaRules
from backoffice.schemas.reports import Window
from backoffice.settings import BackofficeSettings
from backoffice.sla import load_activity, stage_sla
from bot.bootstrap import Runtime
from bot.domain.business_time import BusinessCalendar, SlaState
from bot.storage.models import Escalation, Message, Onboarding, SlaPause, StageChange
from tests.backoffice.factories import Roster, conversation_of, make_onboarding

START = datetime(2026, 9, 1, 11, 0, tzinfo=UTC)


def _visits(session: Session, scope: ColumnElement[bool]) -> list[tuple[Onboarding, Any, Any]]:
    """Every stay in a stage, the straightforward way: (onboarding, change, next change)."""
    onboardings = {o.id: o for o in session.scalars(select(Onboarding).where(scope))}
    history: dict[int, list[StageChange]] = defaultdict(list)
    for change in session.scalars(
        select(StageChange).order_by(StageChange.onboarding_id, StageChange.at, StageChange.id)
    ):
        if change.onboarding_id in onboardings:
            history[change.onboarding_id].append(change)
    return [
        (onboardings[oid], change, changes[i + 1] if i + 1 < len(changes) else None)
        for oid, changes in sorted(history.items())
        for i, change in enumerate(changes)
    ]


def _sla_before(
    session: Session,
    *,
    window: Window,
    pipelines: PipelineCatalog,
    calendar: BusinessCalendar,
    now: datetime,
) -> dict[str, Any]:
    """The SLA report as computed before: the whole clock for every visit entered in the window."""
    visits = [v for v in _visits(session, true()) if report_reads.in_window(v[1].at, window)]
    activity = load_activity(session, {o.id for o, _c, _n in visits})
    counts: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    late: list[tuple[datetime, int, float]] = []
    for onboarding, change, following in visits:
        template = pipelines.find(onboarding.segment)
        assert template is not None
        sla = stage_sla(
            template=template,
            stage=change.to_stage,
            entered_at=change.at,
            at=following.at if following else now,
            activity=activity[onboarding.id],
            calendar=calendar,
            at_risk_share=0.8,
        )
        if sla is None:
            continue
        tally = counts[onboarding.segment, change.to_stage]
        tally["visits"] += 1
        if sla.status.status == SlaState.BREACHED:
            tally["breached"] += 1
            if following is None:
                over = sla.status.elapsed_business_seconds / 3600 - sla.target_business_hours
                late.append((sla.status.due_at, onboarding.id, round(over, 2)))
        elif sla.status.status == SlaState.AT_RISK and following is None:
            tally["at_risk_now"] += 1
    return {
        "stages": [
            (key, tally["visits"], tally["breached"], tally["at_risk_now"])
            for key, tally in sorted(counts.items())
        ],
        "breached_now": [(oid, over) for _due, oid, over in sorted(late, key=lambda x: x[0])],
    }


def _time_before(
    session: Session, *, window: Window, calendar: BusinessCalendar
) -> dict[tuple[str, str], tuple[list[float], list[float]]]:
    spent: dict[tuple[str, str], tuple[list[float], list[float]]] = defaultdict(lambda: ([], []))
    for onboarding, change, following in _visits(session, true()):
        if following is None or not report_reads.in_window(following.at, window):
            continue
        hours, business = spent[onboarding.segment, change.to_stage]
        hours.append((following.at - change.at).total_seconds() / 3600)
        business.append(calendar.business_seconds_between(change.at, following.at) / 3600)
    return spent


# long: a seeded history, every kind of row an SLA reads, in the order a stage is lived
def _history(session: Session, roster: Roster, *, seed: int) -> None:
    """Onboardings walking their pipeline at random speeds, some cancelled, with client and
    bot/staff messages, escalations and staff pauses along the way."""
    rng = random.Random(seed)
    pipelines = load_pipelines()
    for n in range(36):
        segment = "enterprise" if n % 4 == 0 else "self_service"
        order = [s for s in pipelines.for_segment(segment).order if s != "cancelado"]
        at = START + timedelta(hours=rng.randrange(0, 24 * 40), minutes=rng.randrange(60))
        onboarding = make_onboarding(
            session,
            now=at,
            stage=order[0],
            segment=segment,
            entered_at=at,
            csm_id=roster.csm_owner.id if n % 3 else None,
        )
        conversation = conversation_of(session, onboarding)
        stage = order[0]
        for step in order[1 : rng.randrange(1, len(order) + 1)]:
            for _ in range(rng.randrange(0, 4)):
                said = at + timedelta(minutes=rng.randrange(1, 3000))
                inbound = rng.random() < 0.5
                session.add(
                    Message(
                        conversation_id=conversation.id,
                        direction="in" if inbound else "out",
                        author="client" if inbound else rng.choice(("bot", "staff")),
                        created_at=said,
                    )
                )
            if rng.random() < 0.2:
                opened = at + timedelta(hours=rng.randrange(1, 30))
                session.add(
                    Escalation(
                        conversation_id=conversation.id,
                        onboarding_id=onboarding.id,
                        reason="stuck",
                        created_at=opened,
                        taken_at=opened + timedelta(hours=3) if rng.random() < 0.5 else None,
                    )
                )
            if rng.random() < 0.25:
                paused = at + timedelta(hours=rng.randrange(0, 20))
                session.add(
                    SlaPause(
                        onboarding_id=onboarding.id,
                        stage=stage,
                        started_at=paused,
                        started_by=roster.csm_owner.id,
                        ended_at=paused + timedelta(hours=6) if rng.random() < 0.6 else None,
                    )
                )
            at += timedelta(hours=rng.choice((2, 9, 30, 75, 200)), minutes=rng.randrange(60))
            stage = "cancelado" if rng.random() < 0.08 else step
            session.add(
                StageChange(
                    onboarding_id=onboarding.id,
                    from_stage=onboarding.stage,
                    to_stage=stage,
                    at=at,
                    actor="bot",
                    reason="",
                )
            )
            onboarding.stage, onboarding.stage_entered_at = stage, at
            if stage in ("concluido", "cancelado"):
                onboarding.completed_at = at
                break


WINDOWS = [
    Window(since=None, until=None),
    Window(since=START + timedelta(days=9), until=START + timedelta(days=39)),
    Window(since=START + timedelta(days=30), until=START + timedelta(days=32)),
    Window(since=START + timedelta(days=20), until=None),
]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_fast_reports_give_the_straightforward_numbers(
    runtime: Runtime, roster: Roster, seed: int
) -> None:
    calendar = BackofficeSettings().calendar()
    pipelines = load_pipelines()
    rules = SlaRules(pipelines=pipelines, calendar=calendar, at_risk_share=0.8)
    with runtime.sessions() as session, session.begin():
        _history(session, roster, seed=seed)
    checked = Counter[str]()
    for now in (START + timedelta(days=45), START + timedelta(days=90)):
        for window in WINDOWS:
            with runtime.sessions() as session, report_reads.shared_reads(session):
                before = _sla_before(
                    session, window=window, pipelines=pipelines, calendar=calendar, now=now
                )
                after = reports.sla_breaches(
                    session,
                    scope=true(),
                    window=window,
                    pipelines=pipelines,
                    calendar=calendar,
                    at_risk_share=0.8,
                    now=now,
                )
                assert [
                    ((s.segment, s.stage), s.visits, s.breached, s.at_risk_now)
                    for s in after.stages
                ] == before["stages"]
                late = [(b.onboarding_id, b.overdue_business_hours) for b in after.breached_now]
                assert late == before["breached_now"]
                for listed in (1, 4):
                    cut, total = reports.listed_sla_breaches(
                        session, scope=true(), window=window, rules=rules, now=now, listed=listed
                    )
                    assert cut.breached_now == after.breached_now[:listed]
                    assert (cut.stages, total) == (after.stages, len(after.breached_now))
                spent = _time_before(session, window=window, calendar=calendar)
                times = reports.time_in_stage(
                    session, scope=true(), window=window, calendar=calendar
                )
                assert [
                    ((s.segment, s.stage), s.hours, s.business_hours) for s in times.stages
                ] == [
                    (key, report_reads.distribution(h), report_reads.distribution(b))
                    for key, (h, b) in sorted(spent.items())
                ]
            checked["breached"] += len(late)
            checked["visits"] += sum(s.visits for s in after.stages)
    assert checked["breached"] > 0 and checked["visits"] > 100, checked


@pytest.mark.parametrize("seed", [4, 5])
def test_the_visits_read_are_those_of_the_window(
    runtime: Runtime, roster: Roster, seed: int
) -> None:
    """The history is filtered in SQL: the visits overlapping the window, and all the visits
    of the onboardings created in it (the funnel's), no more, no fewer."""
    with runtime.sessions() as session, session.begin():
        _history(session, roster, seed=seed)
    with runtime.sessions() as session:
        every = _visits(session, true())
        for window in WINDOWS:
            read = report_reads.stage_visits(session, true(), window=window)
            expected = [
                (o.id, o.segment, c.to_stage, c.at, n.at if n else None, n.to_stage if n else None)
                for o, c, n in every
                if (
                    (window.until is None or c.at < window.until)
                    and (window.since is None or n is None or n.at >= window.since)
                )
                or report_reads.in_window(o.created_at, window)
            ]
            assert [
                (v.onboarding_id, v.segment, v.stage, v.entered_at, v.left_at, v.next_stage)
                for v in read
            ] == expected


def test_the_business_clock_counts_what_the_calendar_counts() -> None:
    """Random instants over years with holidays and (2017-2019) São Paulo's daylight saving,
    short and long spans, on the calendar with and without a lunch break."""
    from datetime import time

    rng = random.Random(7)
    for calendar in (
        BackofficeSettings().calendar(),
        BusinessCalendar(hours=(time(8), time(17, 30)), lunch=(time(12), time(13)), state="SP"),
    ):
        clock = BusinessClock(calendar)
        for _ in range(3000):
            start = datetime(2017, 1, 1, tzinfo=UTC) + timedelta(
                seconds=rng.randrange(0, 10 * 365 * 86400), microseconds=rng.randrange(10**6)
            )
            end = start + timedelta(
                seconds=rng.choice((0, 60, 3600, 86400, 40 * 86400)) * rng.random()
            )
            assert clock.between(start, end) == calendar.business_time_between(start, end)
