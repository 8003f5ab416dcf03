"""Migration 0006 creates exactly what ``bot/storage/models_alerts.py`` declares."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine

from bot.storage.models import Base


def test_migration_matches_the_alert_models(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection)
        diff = compare_metadata(context, Base.metadata)
    ours = [entry for entry in diff if "alert" in repr(entry)]
    assert ours == []
