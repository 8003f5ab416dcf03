"""The SLA report's arithmetic, fast: business time from the calendar's working windows
(``BusinessClock``), a visit's verdict from its business time alone when that decides it, from
its pauses otherwise, and the whole clock (``backoffice.sla.stage_sla``) only for the due time
of the onboardings listed as breached now. Same numbers as ``stage_sla`` for every visit
(tests/backoffice/test_reports_equivalence.py, on seeded random histories).
"""

from __future__ import annotations

from bisect import bisect_right, insort
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.orm import Session

from backoffice.pipeline import PipelineCatalog
from backoffice.report_reads import Visit, once_per_page
from backoffice.schemas.reports import BreachedOnboarding
from backoffice.sla import Activity, StageSla, stage_sla, waiting_on_client
from bot.domain.business_time import BusinessCalendar, SlaPolicy, SlaState

__all__ = [
    "BusinessClock",
    "SlaRules",
    "breached_onboarding",
    "list_breached_now",
    "page_clock",
    "paused_verdict",
    "quick_verdict",
    "visit_pauses",
    "visit_policy",
]

_DAY = timedelta(days=1)
_MARGIN = timedelta(days=31)  # read the windows of a month more on each side at a time


class BusinessClock:
    """``calendar.business_time_between`` for ``start <= end``, in O(log n) instead of a walk
    over the days: the calendar's working windows of a span of days, sorted, with the working
    time before each (a running sum), so the working time up to an instant is one bisection.
    The same windows as the calendar sums over, the same microseconds (timedeltas are exact)."""

    def __init__(self, calendar: BusinessCalendar) -> None:
        self._calendar = calendar
        self._zone = calendar.local(datetime(2000, 1, 1, tzinfo=UTC)).tzinfo
        self._low: datetime | None = None  # instants in [low, high) are covered
        self._high: datetime | None = None
        self._first = self._last = date.min
        self._opens: list[datetime] = []
        self._closes: list[datetime] = []
        self._before: list[timedelta] = []

    def between(self, start: datetime, end: datetime) -> timedelta:
        """Working time from ``start`` to ``end`` (the calendar's own when ``end < start``)."""
        if end < start:
            return self._calendar.business_time_between(start, end)
        self._cover(start)
        self._cover(end)
        return self._upto(end) - self._upto(start)

    def _upto(self, at: datetime) -> timedelta:
        i = bisect_right(self._opens, at) - 1
        if i < 0:
            return timedelta(0)
        return self._before[i] + (min(at, self._closes[i]) - self._opens[i])

    def _cover(self, at: datetime) -> None:
        if self._low is not None and self._high is not None and self._low <= at < self._high:
            return
        day = self._calendar.local(at).date()
        first = day - _MARGIN if self._low is None else min(self._first, day - _MARGIN)
        last = day + _MARGIN if self._high is None else max(self._last, day + _MARGIN)
        self._load(first, last)

    def _load(self, first: date, last: date) -> None:
        windows: list[tuple[datetime, datetime]] = []
        day = first - _DAY
        while day <= last + _DAY:
            windows.extend(self._calendar.windows(day))  # cached by the calendar
            day += _DAY
        windows.sort()
        self._opens = [opens for opens, _closes in windows]
        self._closes = [closes for _opens, closes in windows]
        self._before, total = [], timedelta(0)
        for (opens, closes), following in zip(windows, [*windows[1:], None], strict=True):
            if following is not None and following[0] < closes:
                raise ValueError(f"overlapping working windows near {opens}")
            self._before.append(total)
            total += closes - opens
        self._first, self._last = first, last
        self._low = datetime.combine(first, time(), tzinfo=self._zone).astimezone(UTC)
        self._high = datetime.combine(last + _DAY, time(), tzinfo=self._zone).astimezone(UTC)


def page_clock(session: Session, calendar: BusinessCalendar) -> BusinessClock:
    """One ``BusinessClock`` per calendar and page within ``shared_reads`` (a new one outside)."""
    return once_per_page(session, ("clock", id(calendar)), load=lambda: BusinessClock(calendar))


def visit_policy(
    pipelines: PipelineCatalog, *, visit: Visit, at_risk_share: float
) -> SlaPolicy | None:
    """The SLA of the visit's stage, as ``backoffice.sla.stage_sla`` finds it (None: none)."""
    template = pipelines.find(visit.segment)
    if template is None or not template.has_stage(visit.stage):
        return None
    return template.stage(visit.stage).sla_policy(at_risk_share=at_risk_share)


def quick_verdict(policy: SlaPolicy, *, spent: timedelta, open_now: bool) -> str | None:
    """What a visit adds to its stage's tally ("breached", "at_risk_now" or "kept") when its
    business time ``spent`` alone decides it, as ``evaluate_sla`` would; None otherwise.

    The clock's elapsed time is ``spent`` minus the pauses when the stage pauses it, so never
    more than ``spent``: under the at-risk mark it is on track whatever the pauses. A stage that
    does not pause counts ``spent`` itself. A closed visit counts only if breached, so under the
    target it is kept. An open breached one is listed with its due time: the full clock."""
    if spent < policy.target * policy.at_risk_share:
        return "kept"
    if not policy.pauses_while_waiting_on_client:
        if spent < policy.target:
            return "at_risk_now" if open_now else "kept"
        return None if open_now else "breached"
    if not open_now and spent < policy.target:
        return "kept"
    return None


def paused_verdict(
    policy: SlaPolicy,
    *,
    pauses: list[tuple[datetime, datetime]],
    clock: BusinessClock,
    spent: timedelta,
    open_now: bool,
) -> str:
    """What a visit adds to its stage's tally, from its clock's elapsed time as
    ``evaluate_sla`` counts it: ``spent`` less the business time of ``pauses`` (clipped and
    merged, as ``backoffice.sla.waiting_on_client`` gives them), without the due time."""
    elapsed = spent - sum((clock.between(low, high) for low, high in pauses), timedelta(0))
    if elapsed >= policy.target:
        return "breached"
    if elapsed >= policy.target * policy.at_risk_share and open_now:
        return "at_risk_now"
    return "kept"


@dataclass(frozen=True, kw_only=True)
class SlaRules:
    """What decides a visit's SLA: the stages' targets, the calendar, the at-risk share."""

    pipelines: PipelineCatalog
    calendar: BusinessCalendar
    at_risk_share: float


def visit_pauses(
    rules: SlaRules, *, visit: Visit, activity: Activity, at: datetime
) -> list[tuple[datetime, datetime]]:
    """The visit's pauses when its stage stops the clock during them (else none matter)."""
    template = rules.pipelines.find(visit.segment)
    assert template is not None  # visit_policy found it
    spec = template.stage(visit.stage)
    if not spec.pause_while_waiting_on_client:
        return []
    return waiting_on_client(spec, activity, start=visit.entered_at, end=at)


def list_breached_now(
    late: list[tuple[Visit, SlaPolicy]],
    *,
    rules: SlaRules,
    activity: dict[int, Activity],
    now: datetime,
    listed: int | None,
) -> list[BreachedOnboarding]:
    """The open visits past their SLA by due time (visit order between equal ones), all or the
    ``listed`` earliest. The clock runs for them in order of ``entered_at + target``, which a
    due time cannot precede (business time passes no faster than the wall clock, and pauses
    only push it later): once that bound is past the ``listed``-th due time found, no later
    visit can enter the list."""
    order = sorted(range(len(late)), key=lambda i: (late[i][0].entered_at + late[i][1].target, i))
    found: list[tuple[datetime, int, BreachedOnboarding]] = []
    for i in order:
        visit, policy = late[i]
        if listed is not None and len(found) >= listed:
            if visit.entered_at + policy.target > found[listed - 1][0]:
                break
        template = rules.pipelines.find(visit.segment)
        assert template is not None
        sla = stage_sla(
            template=template,
            stage=visit.stage,
            entered_at=visit.entered_at,
            at=now,
            activity=activity[visit.onboarding_id],
            calendar=rules.calendar,
            at_risk_share=rules.at_risk_share,
        )
        assert sla is not None and sla.status.status == SlaState.BREACHED
        insort(found, (sla.status.due_at, i, breached_onboarding(visit, sla)))
    return [b for _due, _i, b in found[:listed]]


def breached_onboarding(visit: Visit, sla: StageSla) -> BreachedOnboarding:
    """An open visit past its SLA, with how many business hours it is over."""
    overdue = sla.status.elapsed_business_seconds / 3600 - sla.target_business_hours
    return BreachedOnboarding(
        onboarding_id=visit.onboarding_id,
        segment=visit.segment,
        stage=visit.stage,
        due_at=sla.status.due_at,
        overdue_business_hours=round(overdue, 2),
    )
