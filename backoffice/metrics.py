"""Prometheus view of the pipeline: open onboardings by SLA state of their current stage,
computed at scrape time from the database (shared by every process)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from backoffice.pipeline import PipelineCatalog
from backoffice.settings import BackofficeSettings
from backoffice.sla import load_activity, onboarding_sla
from bot.domain.clock import Clock
from bot.storage.models import Onboarding

CLOSED = ("concluido", "cancelado")


class SlaCollector(Collector):
    """``acolhe_onboardings_sla{status}``: on_track, at_risk, breached (open onboardings)."""

    def __init__(
        self,
        *,
        sessions: sessionmaker[Session],
        clock: Clock,
        pipelines: PipelineCatalog,
        settings: BackofficeSettings,
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        self.pipelines = pipelines
        self.settings = settings
        self.calendar = settings.calendar()

    def collect(self) -> Iterable[Metric]:
        gauge = GaugeMetricFamily(
            "acolhe_onboardings_sla", "Open onboardings by SLA state of their stage", labels=["status"]
        )
        counts: Counter[str] = Counter({"on_track": 0, "at_risk": 0, "breached": 0})
        now = self.clock.now()
        with self.sessions() as session:
            onboardings = session.scalars(
                select(Onboarding).where(Onboarding.stage.not_in(CLOSED))
            ).all()
            activity = load_activity(session, [o.id for o in onboardings])
            for onboarding in onboardings:
                template = self.pipelines.find(onboarding.segment)
                if template is None or onboarding.id not in activity:
                    continue
                sla = onboarding_sla(
                    onboarding, template=template, activity=activity[onboarding.id],
                    calendar=self.calendar, now=now,
                    at_risk_share=self.settings.sla_at_risk_share,
                )
                if sla is not None:
                    counts[str(sla.status.status)] += 1
        for status, count in sorted(counts.items()):
            gauge.add_metric([status], count)
        yield gauge
