"""Prometheus view of the pipeline: open onboardings by SLA state of their current stage,
computed from the database (shared by every process) at most once per ``max_age``, since every
open onboarding's SLA is worked out in Python (about 0.2 ms each) and scrapers may come every
few seconds."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timedelta

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
        max_age: timedelta = timedelta(seconds=30),
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        self.pipelines = pipelines
        self.settings = settings
        self.calendar = settings.calendar()
        self.max_age = max_age
        self._counted: tuple[datetime, Counter[str]] | None = None

    def describe(self) -> Iterable[Metric]:
        """What ``collect`` yields, without reading the database (the registry asks at
        registration)."""
        yield self._gauge()

    def collect(self) -> Iterable[Metric]:
        gauge = self._gauge()
        now = self.clock.now()
        if self._counted is None or not now - self.max_age < self._counted[0] <= now:
            self._counted = (now, self._count(now))
        for status, count in sorted(self._counted[1].items()):
            gauge.add_metric([status], count)
        yield gauge

    @staticmethod
    def _gauge() -> GaugeMetricFamily:
        return GaugeMetricFamily(
            "acolhe_onboardings_sla",
            "Open onboardings by SLA state of their stage",
            labels=["status"],
        )

    def _count(self, now: datetime) -> Counter[str]:
        counts: Counter[str] = Counter({"on_track": 0, "at_risk": 0, "breached": 0})
        with self.sessions() as session:
            onboardings = session.scalars(
                select(Onboarding).where(Onboarding.stage.not_in(CLOSED))
            ).all()
            activity = load_activity(session, [o.id for o in onboardings], current_stage_only=True)
            for onboarding in onboardings:
                template = self.pipelines.find(onboarding.segment)
                if template is None or onboarding.id not in activity:
                    continue
                sla = onboarding_sla(
                    onboarding,
                    template=template,
                    activity=activity[onboarding.id],
                    calendar=self.calendar,
                    now=now,
                    at_risk_share=self.settings.sla_at_risk_share,
                )
                if sla is not None:
                    counts[str(sla.status.status)] += 1
        return counts
