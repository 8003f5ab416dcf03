"""What the reports page shows of the outcomes: onboarding duration, first response to
escalations, NPS (the pipeline's reports are in ``report_views``, with the same rules: nothing
computed here, every number a field of a report document with its ``path``)."""

from __future__ import annotations

from backoffice.console.charts import Bar, Part, StackedRow, bar_chart, stacked_bars
from backoffice.console.inbox_labels import reason_label
from backoffice.console.report_tables import Cell, Table, number
from backoffice.console.report_views import N_, Figure, Local, Section, Translate
from backoffice.schemas.reports import (
    DurationReport,
    EscalationReport,
    FirstResponseBuckets,
    NpsReport,
)

__all__ = [
    "BUCKET_LABELS",
    "bucket_label",
    "duration_section",
    "escalations_section",
    "nps_comments_table",
    "nps_section",
]


# ---------------------------------------------------------------------------- duration
def duration_section(report: DurationReport, _: Translate, language: str) -> Section:
    low, high = report.target_days
    parts = _duration_parts(report, _, language)
    rows = [
        [Cell(_("Completed"), "text"), Cell(report.completed, path="duration:completed")],
        [Cell(_("Median (days)"), "text"), Cell(report.days.median, path="duration:days.median")],
        [Cell(_("p90 (days)"), "text"), Cell(report.days.p90, path="duration:days.p90")],
        [
            Cell(parts[0].label, "text"),
            Cell(report.within_target_low, path="duration:within_target_low"),
        ],
        [
            Cell(parts[1].label, "text"),
            Cell(report.within_target_high, path="duration:within_target_high"),
        ],
        [Cell(parts[2].label, "text"), Cell(report.over_target, path="duration:over_target")],
        [
            Cell(_("Still open and over the target"), "text"),
            Cell(report.open_over_target, path="duration:open_over_target"),
        ],
    ]
    return Section(
        name="duration",
        title=_("Onboarding duration"),
        hint=_("Onboardings completed in the period, against the {low}–{high}-day target.").format(
            low=low, high=high
        ),
        table=Table("duration", [_("Measure"), _("Value")], rows),
        charts=[
            stacked_bars(
                [StackedRow(_("Completed onboardings"), parts)],
                chart_id="chart-duration",
                title=_("Onboarding duration"),
                desc=_("Completed onboardings by how many days they took."),
                empty_text=_("No data in this period."),
            )
        ],
        figures=[
            Figure(_("Completed"), Cell(report.completed, path="duration:completed")),
            Figure(_("Median"), Cell(report.days.median, path="duration:days.median"), _("days")),
            Figure(_("p90"), Cell(report.days.p90, path="duration:days.p90"), _("days")),
            Figure(
                _("Still open and over the target"),
                Cell(report.open_over_target, path="duration:open_over_target"),
            ),
        ],
    )


def _duration_parts(report: DurationReport, _: Translate, language: str) -> list[Part]:
    """The completed onboardings by days taken: within the low target, the high one, over."""
    low, high = report.target_days
    return [
        Part(
            _("Up to {low} days").format(low=low),
            report.within_target_low,
            number(report.within_target_low, language),
            "ok",
        ),
        Part(
            _("{low} to {high} days").format(low=low, high=high),
            report.within_target_high,
            number(report.within_target_high, language),
            "risk",
        ),
        Part(
            _("Over {high} days").format(high=high),
            report.over_target,
            number(report.over_target, language),
            "late",
        ),
    ]


# ---------------------------------------------------------------------------- escalations
BUCKET_LABELS = {
    "under_1h": N_("under 1 h"),
    "1h_to_4h": N_("1–4 h"),
    "4h_to_8h": N_("4–8 h"),
    "8h_to_24h": N_("8–24 h"),
    "over_24h": N_("over 24 h"),
}


def bucket_label(key: str, _: Translate) -> str:
    return _(BUCKET_LABELS.get(key, key))


def escalations_section(
    report: EscalationReport, buckets: FirstResponseBuckets, *, _: Translate, language: str
) -> Section:
    rows, by_csm, by_reason = _escalation_rows(report, buckets, _)
    minutes = report.first_response_minutes
    return Section(
        name="escalations",
        title=_("First response to escalations"),
        hint=_("Escalations opened in the period; from the escalation to the first staff message."),
        table=Table("escalations", [_("First response"), _("Escalations")], rows),
        charts=[
            bar_chart(
                [
                    Bar(
                        bucket_label(b.key, _),
                        b.count,
                        number(b.count, language),
                        path=f"buckets:buckets.{i}.count",
                    )
                    for i, b in enumerate(buckets.buckets)
                ]
                if buckets.total
                else [],
                chart_id="chart-escalations",
                title=_("First response to escalations"),
                desc=_("Answered escalations by how long the first response took."),
                empty_text=_("No data in this period."),
            )
        ],
        figures=[
            Figure(_("Escalations"), Cell(report.total, path="escalations:total")),
            Figure(
                _("Answered"), Cell(minutes.count, path="escalations:first_response_minutes.count")
            ),
            Figure(_("Not answered yet"), Cell(report.unanswered, path="escalations:unanswered")),
            Figure(
                _("Median"),
                Cell(minutes.median, path="escalations:first_response_minutes.median"),
                "min",
            ),
            Figure(
                _("p90"), Cell(minutes.p90, path="escalations:first_response_minutes.p90"), "min"
            ),
        ],
        extra=[
            Table(
                "escalations-by-csm",
                [_("CSM"), _("Answered"), _("Median (min)"), _("p90 (min)")],
                by_csm,
                _("First response per CSM"),
            ),
            Table(
                "escalations-by-reason",
                [_("Reason"), _("Escalations")],
                by_reason,
                _("Escalations by reason"),
            ),
        ],
    )


def _escalation_rows(
    report: EscalationReport, buckets: FirstResponseBuckets, _: Translate
) -> tuple[list[list[Cell]], list[list[Cell]], list[list[Cell]]]:
    """The rows of the escalations' tables: by first-response bucket, by CSM, by reason."""
    rows = [
        [Cell(bucket_label(b.key, _), "text"), Cell(b.count, path=f"buckets:buckets.{i}.count")]
        for i, b in enumerate(buckets.buckets)
    ]
    rows.append(
        [
            Cell(_("Not answered yet"), "text"),
            Cell(report.unanswered, path="escalations:unanswered"),
        ]
    )
    by_csm = [
        [
            Cell(c.name, "text"),
            Cell(c.answered, path=f"escalations:by_csm.{i}.answered"),
            Cell(
                c.first_response_minutes.median,
                path=f"escalations:by_csm.{i}.first_response_minutes.median",
            ),
            Cell(
                c.first_response_minutes.p90,
                path=f"escalations:by_csm.{i}.first_response_minutes.p90",
            ),
        ]
        for i, c in enumerate(report.by_csm)
    ]
    by_reason = [
        [
            Cell(_(reason_label(r.key)), "text"),
            Cell(r.count, path=f"escalations:by_reason.{i}.count"),
        ]
        for i, r in enumerate(report.by_reason)
    ]
    return rows, by_csm, by_reason


# ---------------------------------------------------------------------------- NPS
def nps_section(report: NpsReport, _: Translate, *, language: str, local: Local) -> Section:
    rows = [
        [Cell(_("Responses"), "text"), Cell(report.responses, path="nps:responses")],
        [Cell(_("NPS"), "text"), Cell(report.nps, path="nps:nps")],
        [Cell(_("Average score"), "text"), Cell(report.average_score, path="nps:average_score")],
        [Cell(_("Promoters (9–10)"), "text"), Cell(report.promoters, path="nps:promoters")],
        [Cell(_("Passives (7–8)"), "text"), Cell(report.passives, path="nps:passives")],
        [Cell(_("Detractors (0–6)"), "text"), Cell(report.detractors, path="nps:detractors")],
    ]
    parts = [
        Part(_("Promoters (9–10)"), report.promoters, number(report.promoters, language), "ok"),
        Part(_("Passives (7–8)"), report.passives, number(report.passives, language), "muted"),
        Part(_("Detractors (0–6)"), report.detractors, number(report.detractors, language), "late"),
    ]
    return Section(
        name="nps",
        title=_("NPS"),
        hint=_("Answers given in the period: % promoters − % detractors."),
        table=Table("nps", [_("Measure"), _("Value")], rows),
        charts=[
            stacked_bars(
                [StackedRow(_("Answers"), parts)] if report.responses else [],
                chart_id="chart-nps",
                title=_("NPS"),
                desc=_("Answers by group: promoters, passives and detractors."),
                empty_text=_("No data in this period."),
            )
        ],
        figures=[
            Figure(_("NPS"), Cell(report.nps, path="nps:nps")),
            Figure(_("Responses"), Cell(report.responses, path="nps:responses")),
            Figure(_("Average score"), Cell(report.average_score, path="nps:average_score")),
        ],
        extra=[nps_comments_table(report, _, local)],
    )


def nps_comments_table(report: NpsReport, _: Translate, local: Local) -> Table:
    return Table(
        "nps-comments",
        [_("Answered"), _("Score"), _("Onboarding"), _("Comment")],
        [
            [
                Cell(local(c.answered_at), "text"),
                Cell(c.score, path=f"nps:comments.{i}.score"),
                Cell(f"#{c.onboarding_id}" if c.onboarding_id else "", "text"),
                Cell(c.comment, "text", path=f"nps:comments.{i}.comment"),
            ]
            for i, c in enumerate(report.comments)
        ],
        _("NPS comments"),
    )
