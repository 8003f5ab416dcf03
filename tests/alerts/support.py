"""Helpers of the alert tests: a recording destination and a worker with short retries."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session, sessionmaker

from bot.alerts import AlertDeliveryError, AlertDestination, AlertMessage, AlertRules
from bot.domain.clock import FakeClock
from bot.domain.retrying import RetryPolicy
from bot.workers.alerts import AlertWorker


class RecordingDestination:
    """An in-memory destination: records messages; ``fail`` queues errors to raise first."""

    def __init__(self, name: str = "memory:managers") -> None:
        self._name = name
        self.sent: list[AlertMessage] = []
        self.fail: list[AlertDeliveryError] = []
        self.closed = False

    @property
    def name(self) -> str:
        return self._name

    async def send(self, message: AlertMessage) -> None:
        if self.fail:
            raise self.fail.pop(0)
        self.sent.append(message)

    async def aclose(self) -> None:
        self.closed = True

    def kinds(self) -> list[str]:
        return [m.kind for m in self.sent if m.purpose == "raise"]


def make_worker(
    sessions: sessionmaker[Session],
    *,
    clock: FakeClock,
    rules: AlertRules,
    destinations: Sequence[AlertDestination],
    max_attempts: int = 4,
) -> AlertWorker:
    return AlertWorker(
        sessions=sessions,
        clock=clock,
        rules=rules,
        destinations=destinations,
        policy=RetryPolicy(max_attempts=max_attempts, base_s=60.0, cap_s=600.0),
        sweep_interval_s=0.0,
        lease_s=120.0,
    )
