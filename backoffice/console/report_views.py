"""What the reports page shows of each report (the pipeline's; ``report_outcomes`` has the
outcomes'): its chart(s), its key figures and its table.

Nothing is computed here: every number is a field of the API's report document (or of
``backoffice.reports.first_response_buckets``), written with ``report_tables``; the only
arithmetic is the drawing's (a stacked bar's "within SLA" part is ``visits - breached``). Each
number carries its place in the document (``Cell.path``) so tests can hold the page against the
API's JSON.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from markupsafe import Markup

from backoffice.console.charts import (
    Bar,
    Part,
    StackedRow,
    horizontal_bars,
    stacked_bars,
)
from backoffice.console.report_tables import Cell, Table, number
from backoffice.schemas.reports import (
    FunnelReport,
    FunnelSegment,
    SlaBreachReport,
    TimeInStageReport,
)
from bot.domain.onboarding import STAGE_LABELS, Stage

__all__ = [
    "Figure",
    "Local",
    "Section",
    "N_",
    "Translate",
    "funnel_section",
    "segment_name",
    "sla_section",
    "stage_name",
    "time_in_stage_section",
]

Translate = Callable[[str], str]
Local = Callable[[datetime], str]  # an instant as the page writes it (business time zone)


@dataclass(frozen=True, slots=True)
class Figure:
    label: str
    cell: Cell
    unit: str = ""


@dataclass(frozen=True, slots=True)
class Section:
    """One report on the page; ``table.name`` is also its CSV's name."""

    name: str
    title: str
    hint: str
    table: Table
    charts: list[Markup] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    extra: list[Table] = field(default_factory=list)  # more tables, page only


def N_(message: str) -> str:
    """Marks a text for the catalogue where it is written; ``_()`` translates it where shown."""
    return message


SEGMENT_NAMES = {"self_service": "Self-service", "enterprise": "Enterprise"}


def stage_name(stage: str, language: str) -> str:
    """The stage's name for people (the bot's labels, ``bot.domain.onboarding``)."""
    try:
        return STAGE_LABELS[Stage(stage)]["en" if language == "en" else "pt"]
    except ValueError:
        return stage


def segment_name(segment: str) -> str:
    return SEGMENT_NAMES.get(segment, segment)


def _caption(text: str) -> Markup:
    """A visible name above a chart, when a section draws one per segment."""
    return Markup('<h3 class="chart-title">{}</h3>').format(text)


def _stage(segment: str, stage: str, *, language: str) -> str:
    return f"{segment_name(segment)} · {stage_name(stage, language)}"


# ---------------------------------------------------------------------------- funnel
def funnel_section(report: FunnelReport, _: Translate, language: str) -> Section:
    charts: list[Markup] = []
    figures: list[Figure] = []
    rows: list[list[Cell]] = []
    for i, segment in enumerate(report.segments):
        base = f"funnel:segments.{i}"
        charts.append(
            _caption(segment_name(segment.segment))
            + horizontal_bars(
                [
                    Bar(
                        stage_name(s.stage, language),
                        s.reached,
                        number(s.reached, language),
                        path=f"{base}.stages.{j}.reached",
                    )
                    for j, s in enumerate(segment.stages)
                ],
                chart_id=f"chart-funnel-{i}",
                title=_("Funnel: %(segment)s") % {"segment": segment_name(segment.segment)},
                desc=_("Onboardings that reached each stage, in the pipeline's order."),
                empty_text=_("No data in this period."),
            )
        )
        figures += _funnel_figures(segment, _, base=base)
        rows += _funnel_rows(segment, language, base=base)
    header = [
        _("Segment"),
        _("Stage"),
        _("Reached"),
        _("In the stage now"),
        _("Moved on"),
        _("Dropped"),
        _("Drop-off (%)"),
    ]
    return Section(
        name="funnel",
        title=_("Funnel by stage"),
        hint=_("Onboardings created in the period."),
        table=Table("funnel", header, rows),
        charts=charts,
        figures=figures,
    )


def _funnel_figures(segment: FunnelSegment, _: Translate, *, base: str) -> list[Figure]:
    """A segment's started, completed and cancelled onboardings."""
    return [
        Figure(
            _("%(segment)s: started") % {"segment": segment_name(segment.segment)},
            Cell(segment.started, path=f"{base}.started"),
        ),
        Figure(
            _("%(segment)s: completed") % {"segment": segment_name(segment.segment)},
            Cell(segment.completed, path=f"{base}.completed"),
        ),
        Figure(
            _("%(segment)s: cancelled") % {"segment": segment_name(segment.segment)},
            Cell(segment.cancelled, path=f"{base}.cancelled"),
        ),
    ]


def _funnel_rows(segment: FunnelSegment, language: str, *, base: str) -> list[list[Cell]]:
    """A segment's table rows, one per stage."""
    rows: list[list[Cell]] = []
    for j, s in enumerate(segment.stages):
        at = f"{base}.stages.{j}"
        rows.append(
            [
                Cell(segment_name(segment.segment), "text"),
                Cell(stage_name(s.stage, language), "text"),
                Cell(s.reached, path=f"{at}.reached"),
                Cell(s.current, path=f"{at}.current"),
                Cell(s.moved_on, path=f"{at}.moved_on"),
                Cell(s.dropped, path=f"{at}.dropped"),
                Cell(s.drop_off_rate, "pct", path=f"{at}.drop_off_rate"),
            ]
        )
    return rows


# ---------------------------------------------------------------------------- time in stage
def time_in_stage_section(report: TimeInStageReport, _: Translate, language: str) -> Section:
    rows: list[list[Cell]] = []
    bars: dict[str, list[Bar]] = {}
    for i, s in enumerate(report.stages):
        at = f"time-in-stage:stages.{i}"
        rows.append(
            [
                Cell(segment_name(s.segment), "text"),
                Cell(stage_name(s.stage, language), "text"),
                Cell(s.hours.count, path=f"{at}.hours.count"),
                Cell(s.hours.median, path=f"{at}.hours.median"),
                Cell(s.hours.p90, path=f"{at}.hours.p90"),
                Cell(s.business_hours.median, path=f"{at}.business_hours.median"),
                Cell(s.business_hours.p90, path=f"{at}.business_hours.p90"),
            ]
        )
        median, p90 = s.business_hours.median or 0.0, s.business_hours.p90
        bars.setdefault(s.segment, []).append(
            Bar(
                stage_name(s.stage, language),
                median,
                f"{number(s.business_hours.median, language)} h",
                marker=p90,
                marker_text=f"p90 {number(p90, language)} h",
                path=f"{at}.business_hours.median",
            )
        )
    charts = _time_charts(bars, _)
    header = [
        _("Segment"),
        _("Stage"),
        _("Visits"),
        _("Median (h)"),
        _("p90 (h)"),
        _("Median (business h)"),
        _("p90 (business h)"),
    ]
    return Section(
        name="time-in-stage",
        title=_("Time in stage"),
        hint=_(
            "Stage visits that ended in the period; business hours leave out nights, weekends"
            " and holidays."
        ),
        table=Table("time-in-stage", header, rows),
        charts=charts,
    )


def _time_charts(bars: dict[str, list[Bar]], _: Translate) -> list[Markup]:
    """One chart per segment (an empty one when there is no data)."""
    charts = [
        _caption(segment_name(segment))
        + horizontal_bars(
            segment_bars,
            chart_id=f"chart-time-{index}",
            title=_("Time in stage: %(segment)s") % {"segment": segment_name(segment)},
            desc=_("Median business hours per stage (bar) and the 90th percentile (tick)."),
            empty_text=_("No data in this period."),
        )
        for index, (segment, segment_bars) in enumerate(bars.items())
    ]
    if not charts:
        charts = [
            horizontal_bars(
                [],
                chart_id="chart-time-0",
                title=_("Time in stage"),
                desc=_("Median business hours per stage (bar) and the 90th percentile (tick)."),
                empty_text=_("No data in this period."),
            )
        ]
    return charts


# ---------------------------------------------------------------------------- SLA
def sla_section(
    report: SlaBreachReport, _: Translate, *, language: str, local: Local, late: int | None = None
) -> Section:
    """``late``: how many are breached now, when ``report`` lists only the most overdue."""
    rows: list[list[Cell]] = []
    stacks: list[StackedRow] = []
    for i, s in enumerate(report.stages):
        at = f"sla:stages.{i}"
        rows.append(
            [
                Cell(segment_name(s.segment), "text"),
                Cell(stage_name(s.stage, language), "text"),
                Cell(s.visits, path=f"{at}.visits"),
                Cell(s.breached, path=f"{at}.breached"),
                Cell(s.at_risk_now, path=f"{at}.at_risk_now"),
                Cell(s.breach_rate, "pct", path=f"{at}.breach_rate"),
            ]
        )
        kept = s.visits - s.breached  # the drawing's arithmetic, not a reported number
        stacks.append(
            StackedRow(
                _stage(s.segment, s.stage, language=language),
                [
                    Part(_("Within the SLA"), kept, number(kept, language), "ok"),
                    Part(_("Breached"), s.breached, number(s.breached, language), "late"),
                ],
            )
        )
    late_rows = _breached_now_rows(report, language=language, local=local)
    header = [
        _("Segment"),
        _("Stage"),
        _("Visits"),
        _("Breached"),
        _("At risk now"),
        _("Breach rate (%)"),
    ]
    return Section(
        name="sla",
        title=_("SLA compliance per stage"),
        hint=_("Stage visits that began in the period; an open visit counts as it stands now."),
        table=Table("sla", header, rows),
        charts=[
            stacked_bars(
                stacks,
                chart_id="chart-sla",
                title=_("SLA compliance per stage"),
                desc=_("For each stage, the visits within the SLA and those that breached it."),
                empty_text=_("No data in this period."),
            )
        ],
        extra=[_breached_now_table(report, _, rows=late_rows, late=late)],
    )


def _breached_now_table(
    report: SlaBreachReport, _: Translate, *, rows: list[list[Cell]], late: int | None
) -> Table:
    """The breached now; its title says when they are only the most overdue of ``late``."""
    shown = len(report.breached_now)
    title = (
        _("Breached now")
        if late is None or late <= shown
        else _("Breached now: the %(shown)s most overdue of %(total)s (the CSV has all)")
        % {"shown": shown, "total": late}
    )
    header = [_("Onboarding"), _("Stage"), _("Due"), _("Overdue (business h)")]
    return Table("sla-breached-now", header, rows, title)


def _breached_now_rows(report: SlaBreachReport, *, language: str, local: Local) -> list[list[Cell]]:
    """The onboardings past their stage's SLA now, with how late they are."""
    return [
        [
            Cell(f"#{b.onboarding_id}", "text"),
            Cell(_stage(b.segment, b.stage, language=language), "text"),
            Cell(local(b.due_at), "text"),
            Cell(b.overdue_business_hours, path=f"sla:breached_now.{i}.overdue_business_hours"),
        ]
        for i, b in enumerate(report.breached_now)
    ]
