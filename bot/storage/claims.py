"""Claiming due rows atomically across worker processes, as a lease.

PostgreSQL: ``SELECT ... FOR UPDATE SKIP LOCKED``. SQLite (one writer at a time): a
conditional ``UPDATE`` per row that only succeeds while the row is still unclaimed. Either way a
claim is a lease (``claimed_until``): a worker that dies releases its rows when it ends.
``RowClaims`` does the same in two plain statements per batch, for the outbox's hot loop.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar

from sqlalchemy import (
    ColumnElement,
    Connection,
    Row,
    Select,
    Table,
    Update,
    bindparam,
    or_,
    select,
    update,
)
from sqlalchemy.orm import InstrumentedAttribute, Session


class Claimable(Protocol):
    id: InstrumentedAttribute[int]
    claimed_until: InstrumentedAttribute[datetime | None]


RowT = TypeVar("RowT")


def claim_due(
    session: Session,
    model: type[RowT],
    *,
    where: Sequence[ColumnElement[bool]],
    now: datetime,
    lease: timedelta,
    limit: int,
) -> list[RowT]:
    """Rows matching ``where`` and not under another worker's lease, now leased to the caller."""
    table: type[Claimable] = model  # type: ignore[assignment]
    free = or_(table.claimed_until.is_(None), table.claimed_until < now)
    query = select(model).where(*where, free).order_by(table.id).limit(limit)
    postgres = session.get_bind().dialect.name == "postgresql"
    if postgres:
        query = query.with_for_update(skip_locked=True, of=model)
    claimed: list[RowT] = []
    for row in session.scalars(query).all():
        if postgres:
            row.claimed_until = now + lease  # type: ignore[attr-defined]
            claimed.append(row)
            continue
        won = session.execute(
            update(model)
            .where(table.id == row.id, free)  # type: ignore[attr-defined]
            .values(claimed_until=now + lease)
            .execution_options(synchronize_session=False)
        )
        if won.rowcount == 1:  # type: ignore[attr-defined]
            claimed.append(row)
    return claimed


class RowClaims:
    """``claim_due`` in plain SQL for hot loops: two statements whatever the batch size, built
    once per database dialect (a statement built per call cost more than running it).

    ``query`` selects the candidate rows (``table.c.id`` first, any joined columns after, with
    its filter, order and limit; it may use bind parameters, given to ``claim``); the rows not
    under another worker's lease are leased to the caller and returned. PostgreSQL locks them
    (``FOR UPDATE OF table SKIP LOCKED``) and leases them with one ``UPDATE``; SQLite leases
    them with one conditional ``UPDATE ... RETURNING`` that only takes the rows still free.
    """

    def __init__(self, table: Table, query: Select[Any]) -> None:
        self._table = table
        self._query = query
        self._built: dict[str, tuple[Select[Any], Update]] = {}

    def claim(
        self,
        connection: Connection,
        *,
        now: datetime,
        lease: timedelta,
        params: dict[str, Any] | None = None,
    ) -> list[Row[Any]]:
        postgres = connection.dialect.name == "postgresql"
        candidates, lease_rows = self._statements(connection.dialect.name)
        rows = connection.execute(candidates, {**(params or {}), "claim_now": now}).all()
        if not rows:
            return []
        leased = {"claim_ids": [row[0] for row in rows], "claim_until": now + lease}
        if postgres:
            connection.execute(lease_rows, leased)
            return list(rows)
        won = set(connection.execute(lease_rows, {**leased, "claim_now": now}).scalars())
        return [row for row in rows if row[0] in won]

    def _statements(self, dialect: str) -> tuple[Select[Any], Update]:
        built = self._built.get(dialect)
        if built is None:
            table = self._table
            free = or_(
                table.c.claimed_until.is_(None), table.c.claimed_until < bindparam("claim_now")
            )
            candidates = self._query.where(free)
            lease_rows = (
                update(table)
                .where(table.c.id.in_(bindparam("claim_ids", expanding=True)))
                .values(claimed_until=bindparam("claim_until"))
            )
            if dialect == "postgresql":
                candidates = candidates.with_for_update(skip_locked=True, of=table)
            else:  # only the rows still free, and say which
                lease_rows = lease_rows.where(free).returning(table.c.id)
            built = self._built[dialect] = (candidates, lease_rows)
        return built
