"""Fixtures of the alert tests: sessions on the test database, rules on the business calendar
(09–18, America/Sao_Paulo), a recording destination, and a worker builder."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from backoffice import BackofficeSettings, load_pipelines
from bot.alerts import AlertRules
from bot.domain.clock import FakeClock
from bot.storage.database import make_engine, make_session_factory
from bot.workers.alerts import AlertWorker
from tests.alerts.support import RecordingDestination, make_worker


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


@pytest.fixture
def rules() -> AlertRules:
    return AlertRules(
        pipelines=load_pipelines(),
        calendar=BackofficeSettings().calendar(),
        escalation_minutes=30,
        erp_attempts=3,
        idle_days=3,
        digest_time=None,  # the digest has its own tests
    )


@pytest.fixture
def memory() -> RecordingDestination:
    return RecordingDestination()


@pytest.fixture
def worker(
    sessions: sessionmaker[Session],
    clock: FakeClock,
    rules: AlertRules,
    memory: RecordingDestination,
) -> AlertWorker:
    return make_worker(sessions, clock=clock, rules=rules, destinations=[memory])
