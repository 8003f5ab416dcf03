"""Reports over the stage history, escalations, messages and NPS answers.

Every report takes a scope clause (what the caller may see) and a window ``[since, until)``;
what the window filters is said per report (visits that ended, onboardings created, ...).
The reads they share (a scope's onboardings and stage history, windows, distributions) are
``backoffice.report_reads`` (a page showing several reports reads inside its ``shared_reads``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from backoffice.pipeline import PipelineCatalog
from backoffice.report_reads import (
    Visit,
    distribution,
    first_responses,
    in_window,
    scope_onboardings,
    stage_visits,
)
from backoffice.report_sla import (
    SlaRules,
    list_breached_now,
    page_clock,
    paused_verdict,
    quick_verdict,
    visit_pauses,
    visit_policy,
)
from backoffice.schemas.reports import (
    CountByKey,
    CsmResponse,
    DurationReport,
    EscalationReport,
    FirstResponseBuckets,
    FunnelReport,
    FunnelSegment,
    FunnelStage,
    NpsComment,
    NpsReport,
    ResponseBucket,
    SlaBreachReport,
    StageBreaches,
    StageTime,
    TimeInStageReport,
    Window,
)
from backoffice.sla import load_activity
from bot.domain.business_time import BusinessCalendar, SlaPolicy
from bot.domain.onboarding import Stage
from bot.storage.models import (
    NpsResponse,
    Onboarding,
    StaffUser,
)


def time_in_stage(
    session: Session, *, scope: ColumnElement[bool], window: Window, calendar: BusinessCalendar
) -> TimeInStageReport:
    hours: dict[tuple[str, str], list[float]] = defaultdict(list)
    business: dict[tuple[str, str], list[float]] = defaultdict(list)
    clock = page_clock(session, calendar)
    for visit in stage_visits(session, scope, window=window):
        if visit.left_at is None or not in_window(visit.left_at, window):
            continue
        key = (visit.segment, visit.stage)
        hours[key].append((visit.left_at - visit.entered_at).total_seconds() / 3600)
        spent = clock.between(visit.entered_at, visit.left_at)
        business[key].append(spent.total_seconds() / 3600)
    return TimeInStageReport(
        window=window,
        stages=[
            StageTime(
                segment=segment,
                stage=stage,
                hours=distribution(hours[segment, stage]),
                business_hours=distribution(business[segment, stage]),
            )
            for segment, stage in sorted(hours)
        ],
    )


def funnel(
    session: Session, *, scope: ColumnElement[bool], window: Window, pipelines: PipelineCatalog
) -> FunnelReport:
    onboardings = {
        oid: o
        for oid, o in scope_onboardings(session, scope).items()
        if in_window(o.created_at, window)
    }
    visits = [
        v for v in stage_visits(session, scope, window=window) if v.onboarding_id in onboardings
    ]
    reached: dict[int, set[str]] = defaultdict(set)
    dropped_at: dict[int, str] = {}
    for visit in visits:
        reached[visit.onboarding_id].add(visit.stage)
        if visit.next_stage == Stage.CANCELADO.value:
            dropped_at[visit.onboarding_id] = visit.stage
    segments: list[FunnelSegment] = []
    for template in pipelines:
        members = [o for o in onboardings.values() if o.segment == template.segment.value]
        order = [s for s in template.order if s != Stage.CANCELADO.value]
        rows: list[FunnelStage] = []
        for position, stage in enumerate(order):
            later = set(order[position + 1 :])
            entered = [o for o in members if stage in reached[o.id] or o.stage == stage]
            dropped = sum(1 for o in entered if dropped_at.get(o.id) == stage)
            rows.append(
                FunnelStage(
                    stage=stage,
                    reached=len(entered),
                    current=sum(1 for o in members if o.stage == stage),
                    moved_on=sum(1 for o in entered if reached[o.id] & later),
                    dropped=dropped,
                    drop_off_rate=round(dropped / len(entered), 4) if entered else None,
                )
            )
        segments.append(
            FunnelSegment(
                segment=template.segment.value,
                started=len(members),
                completed=sum(1 for o in members if o.stage == Stage.CONCLUIDO.value),
                cancelled=sum(1 for o in members if o.stage == Stage.CANCELADO.value),
                stages=rows,
            )
        )
    return FunnelReport(window=window, segments=segments)


def sla_breaches(
    session: Session,
    *,
    scope: ColumnElement[bool],
    window: Window,
    pipelines: PipelineCatalog,
    calendar: BusinessCalendar,
    at_risk_share: float,
    now: datetime,
) -> SlaBreachReport:
    """Each visit entered in the window, against its stage's SLA at its end (now if open),
    and every onboarding breached now."""
    rules = SlaRules(pipelines=pipelines, calendar=calendar, at_risk_share=at_risk_share)
    report, _late = listed_sla_breaches(
        session, scope=scope, window=window, rules=rules, now=now, listed=None
    )
    return report


def listed_sla_breaches(
    session: Session,
    *,
    scope: ColumnElement[bool],
    window: Window,
    rules: SlaRules,
    now: datetime,
    listed: int | None,
) -> tuple[SlaBreachReport, int]:
    """``sla_breaches`` with, when ``listed`` is given, only that many of the breached now (the
    earliest due, as the whole list begins), and how many are breached now.

    A visit's business time alone decides most visits (``report_reads.quick_verdict``); the
    others have their pauses read (``paused_verdict``); only the breached now that are listed
    run the whole clock (``backoffice.sla.stage_sla``) for their due time. The same numbers as
    running the clock for every visit: tests/backoffice/test_reports_equivalence.py."""
    counts: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    undecided: list[tuple[Visit, SlaPolicy]] = []
    policies: dict[tuple[str, str], SlaPolicy | None] = {}
    clock = page_clock(session, rules.calendar)
    for visit in stage_visits(session, scope, window=window):
        if not in_window(visit.entered_at, window):
            continue
        kind = (visit.segment, visit.stage)
        if kind not in policies:
            policies[kind] = visit_policy(
                rules.pipelines, visit=visit, at_risk_share=rules.at_risk_share
            )
        policy = policies[kind]
        at = visit.left_at or now
        if policy is None or at < visit.entered_at:
            continue  # stage_sla's None: no target, or seen before it began
        spent = clock.between(visit.entered_at, at)
        verdict = quick_verdict(policy, spent=spent, open_now=visit.left_at is None)
        if verdict is None:
            undecided.append((visit, policy))
        else:
            counts[visit.segment, visit.stage].update(("visits", verdict))
    activity = load_activity(session, {v.onboarding_id for v, _policy in undecided})
    late: list[tuple[Visit, SlaPolicy]] = []
    for visit, policy in undecided:
        at = visit.left_at or now
        verdict = paused_verdict(
            policy,
            pauses=visit_pauses(rules, visit=visit, activity=activity[visit.onboarding_id], at=at),
            clock=clock,
            spent=clock.between(visit.entered_at, at),
            open_now=visit.left_at is None,
        )
        counts[visit.segment, visit.stage].update(("visits", verdict))
        if verdict == "breached" and visit.left_at is None:
            late.append((visit, policy))
    stages = [
        _stage_breaches(segment, stage, tally=tally)
        for (segment, stage), tally in sorted(counts.items())
    ]
    breached_now = list_breached_now(late, rules=rules, activity=activity, now=now, listed=listed)
    return SlaBreachReport(window=window, stages=stages, breached_now=breached_now), len(late)


def _stage_breaches(segment: str, stage: str, *, tally: Counter[str]) -> StageBreaches:
    visits = tally["visits"]
    return StageBreaches(
        segment=segment,
        stage=stage,
        visits=visits,
        breached=tally["breached"],
        at_risk_now=tally["at_risk_now"],
        breach_rate=round(tally["breached"] / visits, 4) if visits else None,
    )


def escalations(
    session: Session, *, scope: ColumnElement[bool], window: Window
) -> EscalationReport:
    rows, answers = first_responses(session, scope=scope, window=window)
    overall = [answer[0] for answer in answers if answer is not None]
    per_csm: dict[int, list[float]] = defaultdict(list)
    for answer in answers:
        if answer is not None and answer[1] is not None:
            per_csm[answer[1]].append(answer[0])
    names: dict[int, str] = {
        staff_id: name
        for staff_id, name in session.execute(
            select(StaffUser.id, StaffUser.name).where(StaffUser.id.in_(list(per_csm)))
        )
    }

    def counted(values: list[str]) -> list[CountByKey]:
        return [CountByKey(key=key, count=count) for key, count in sorted(Counter(values).items())]

    return EscalationReport(
        window=window,
        total=len(rows),
        by_reason=counted([e.reason for e in rows]),
        by_queue=counted([e.queue for e in rows]),
        by_status=counted([e.status for e in rows]),
        unanswered=sum(1 for answer in answers if answer is None),
        first_response_minutes=distribution(overall),
        by_csm=[
            CsmResponse(
                staff_id=sid,
                name=names.get(sid, ""),
                answered=len(values),
                first_response_minutes=distribution(values),
            )
            for sid, values in sorted(per_csm.items())
        ],
    )


# Upper bounds (exclusive, minutes) of the first-response buckets; the last has none.
RESPONSE_BUCKETS: tuple[tuple[str, int | None], ...] = (
    ("under_1h", 60),
    ("1h_to_4h", 240),
    ("4h_to_8h", 480),
    ("8h_to_24h", 1440),
    ("over_24h", None),
)


def first_response_buckets(
    session: Session, *, scope: ColumnElement[bool], window: Window
) -> FirstResponseBuckets:
    """The escalations of ``escalations`` (same window, same first response) counted by how long
    the first response took: under 1 h, 1–4 h, 4–8 h, 8–24 h, 24 h or more (calendar time,
    as ``first_response_minutes``); a bucket holds its lower bound, not its upper one."""
    rows, answers = first_responses(session, scope=scope, window=window)
    minutes = [answer[0] for answer in answers if answer is not None]
    counts = Counter(
        next(key for key, upper in RESPONSE_BUCKETS if upper is None or value < upper)
        for value in minutes
    )
    return FirstResponseBuckets(
        window=window,
        total=len(rows),
        answered=len(minutes),
        unanswered=len(rows) - len(minutes),
        buckets=[
            ResponseBucket(key=key, upper_minutes=upper, count=counts[key])
            for key, upper in RESPONSE_BUCKETS
        ],
    )


def durations(
    session: Session,
    *,
    scope: ColumnElement[bool],
    window: Window,
    target_days: tuple[int, int],
    now: datetime,
) -> DurationReport:
    low, high = target_days
    onboardings = list(scope_onboardings(session, scope).values())
    done = [
        o
        for o in onboardings
        if o.stage == Stage.CONCLUIDO.value
        and o.completed_at is not None
        and in_window(o.completed_at, window)
    ]
    days = [((o.completed_at or now) - o.created_at).total_seconds() / 86400 for o in done]
    open_old = sum(
        1
        for o in onboardings
        if o.stage not in (Stage.CONCLUIDO.value, Stage.CANCELADO.value)
        and (now - o.created_at).total_seconds() / 86400 > high
    )
    return DurationReport(
        window=window,
        target_days=target_days,
        completed=len(done),
        days=distribution(days),
        within_target_low=sum(1 for d in days if d <= low),
        within_target_high=sum(1 for d in days if low < d <= high),
        over_target=sum(1 for d in days if d > high),
        open_over_target=open_old,
    )


def nps(
    session: Session, *, scope: ColumnElement[bool], window: Window, comments: int = 20
) -> NpsReport:
    """NPS = % promoters (9–10) − % detractors (0–6), the mean score and the latest comments."""
    visible = select(Onboarding.id).where(scope)
    rows = [
        r
        for r in session.scalars(
            select(NpsResponse)
            .where(NpsResponse.onboarding_id.in_(visible))
            .order_by(NpsResponse.answered_at.desc(), NpsResponse.id.desc())
        )
        if in_window(r.answered_at, window)
    ]
    scores = [r.score for r in rows]
    promoters = sum(1 for s in scores if s >= 9)
    detractors = sum(1 for s in scores if s <= 6)
    total = len(scores)
    return NpsReport(
        window=window,
        responses=total,
        average_score=round(sum(scores) / total, 2) if total else None,
        promoters=promoters,
        passives=total - promoters - detractors,
        detractors=detractors,
        nps=round(100 * (promoters - detractors) / total, 1) if total else None,
        comments=[
            NpsComment(
                onboarding_id=r.onboarding_id,
                booking_id=r.booking_id,
                score=r.score,
                comment=r.comment,
                answered_at=r.answered_at,
            )
            for r in rows
            if r.comment
        ][:comments],
    )
