"""The declarative base every model shares: one metadata, one migration history.

Timestamps are stored timezone-aware in UTC (``DateTime(timezone=True)``); on SQLite they come
back naive and ``UtcDateTime`` re-attaches UTC, so domain code only ever sees aware datetimes.

Every String, Text and JSON column says whether it can hold a client's personal data, and every
table whose rows are never a client's says so (``bot.storage.personal_data``): the LGPD export
and erasure are derived from these marks.

Model modules (``bot.storage.models.<aggregate>``) import ``Base`` from here, never from the
``bot.storage.models`` package; code that needs the full metadata (every table registered)
imports ``Base`` from ``bot.storage.models``, whose import registers every model.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, MetaData, TypeDecorator
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase

__all__ = ["Base", "UtcDateTime", "metadata"]


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every database."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use aware UTC datetimes")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UtcDateTime, dict[str, Any]: JSON}


metadata: MetaData = Base.metadata
