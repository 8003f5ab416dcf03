"""Fixtures of the training tests: a migrated database with one CSM."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from bot.storage.database import make_engine, make_session_factory
from bot.storage.models import StaffUser
from tests.service.training.scenario import NOW, World


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def world(engine: Engine) -> World:
    factory = make_session_factory(engine)
    with factory.begin() as session:
        csm = StaffUser(
            name="Carla Souza",
            email="carla@acolhe.example",
            role="csm",
            created_at=NOW,
        )
        session.add(csm)
        session.flush()
        csm_id = csm.id
    return World(factory=factory, csm_id=csm_id)
