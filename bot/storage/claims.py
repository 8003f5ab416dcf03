"""Claiming due rows atomically across worker processes, as a lease.

PostgreSQL: ``SELECT ... FOR UPDATE SKIP LOCKED``. SQLite (one writer at a time): a
conditional ``UPDATE`` per row that only succeeds while the row is still unclaimed. Either way a
claim is a lease (``claimed_until``): a worker that dies releases its rows when it ends.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Protocol, TypeVar

from sqlalchemy import ColumnElement, or_, select, update
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
