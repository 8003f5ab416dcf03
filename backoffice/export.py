"""LGPD access right: everything held about one client, as JSON.

Which rows are the client's is derived from the models (``bot.storage.personal_data``): every
row that points at the client through foreign keys, in every table that does not declare its
rows are never a client's, column by column. A table or a column added later is exported
without touching this module. Each table is a section named after it (``client`` for the
client's own row). Document files are listed (metadata), not embedded: staff download them one
by one.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import RowMapping, select
from sqlalchemy.orm import Session

from bot.storage.models import Base, Client
from bot.storage.personal_data import ROOT_TABLE, client_rows, client_tables

EXPORT_FORMAT = "acolhe.client-export.v2"


def _json_ready(row: RowMapping) -> dict[str, Any]:
    """Every column of ``row``, JSON-ready (dates and datetimes as ISO 8601)."""
    return {
        str(key): value.isoformat() if isinstance(value, datetime | date) else value
        for key, value in row.items()
    }


def export_client(session: Session, client: Client, *, now: datetime) -> dict[str, Any]:
    document: dict[str, Any] = {"format": EXPORT_FORMAT, "exported_at": now.isoformat()}
    for table in client_tables(Base.metadata):
        query = (
            select(table).where(client_rows(table, client.id)).order_by(*table.primary_key.columns)
        )
        rows = [_json_ready(row) for row in session.execute(query).mappings()]
        if table.name == ROOT_TABLE:
            document["client"] = rows[0]
        else:
            document[table.name] = rows
    return document
