"""The migrations create exactly what the models declare, indexes included, on both databases."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from bot.storage.database import make_engine
from bot.storage.models import Base


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def test_the_migrated_schema_is_the_models_schema(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection)
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_the_delivery_path_is_indexed(engine: Engine) -> None:
    indexes = {
        table: {index["name"]: index for index in inspect(engine).get_indexes(table)}
        for table in ("messages", "outbox")
    }
    assert indexes["messages"]["ix_messages_channel_message_id"]["column_names"] == [
        "channel_message_id"
    ]
    pending = indexes["outbox"]["ix_outbox_pending_by_conversation"]
    assert pending["column_names"] == ["conversation_id", "id"]
    where = pending.get("dialect_options", {})
    assert "pending" in str(where.get("postgresql_where") or where.get("sqlite_where"))

