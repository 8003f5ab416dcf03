"""Fills a migrated database with a realistic back-office, fast: ``COPY ... FROM STDIN`` of
rows with explicit ids (psycopg 3), sequences moved past them at the end. The rows are made in
memory by ``bench.console.rows``.

What it makes (``Volume``): 1 admin, 2 managers and 10 CSMs in two teams; ``onboardings``
clients with two contacts, one onboarding each (80 % self-service) spread over the pipeline's
stages with their stage history, one conversation each with the ``messages`` spread over them,
escalations on a share (open, taken, resolved), documents with readings, notes, audit rows, NPS
answers for the completed ones, and the live event log of the last days.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Engine, Table, insert, text
from sqlalchemy.orm import Session

from bench.console.rows import Volume, onboarding_rows, staff_rows
from bot.storage.models import Escalation, Onboarding, StaffUser

__all__ = ["BENCH_PASSWORD", "Filled", "Volume", "fill"]

BENCH_PASSWORD = "bench-senha-123"
CHUNK = 5000


@dataclass(frozen=True)
class Filled:
    """Who to sign in as, and rows worth opening."""

    admin: str
    manager: str
    csm: str
    csm_id: int
    client_id: int  # a client of ``csm`` with an escalated, taken conversation
    conversation_id: int
    counts: dict[str, int]


def _chunks(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), CHUNK):
        yield rows[start : start + CHUNK]


def _insert(session: Session, table: Table, *, rows: Iterable[dict[str, Any]]) -> int:
    batch = list(rows)
    for chunk in _chunks(batch):
        session.execute(insert(table), chunk)
    return len(batch)


def _copy(session: Session, table: Table, *, rows: list[dict[str, Any]]) -> int:
    """``COPY ... FROM STDIN``: every row has the same keys, JSON columns as text."""
    if not rows:
        return 0
    columns = list(rows[0])
    json_columns = {c.name for c in table.columns if isinstance(c.type, JSON)}
    raw = session.connection().connection.driver_connection
    assert raw is not None
    names = ", ".join(columns)
    with raw.cursor() as cursor, cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([json.dumps(row[c]) if c in json_columns else row[c] for c in columns])
    return len(rows)


def fill(engine: Engine, volume: Volume, *, now: datetime | None = None) -> Filled:
    """Writes everything in one transaction; returns what to measure with."""
    from backoffice.staff_auth import set_password

    now = now or datetime.now(UTC)
    rng = random.Random(volume.seed)
    counts: dict[str, int] = {}
    with Session(engine) as session, session.begin():
        staff = staff_rows(now)
        counts["staff_users"] = _insert(session, StaffUser.__table__, rows=staff)  # type: ignore[arg-type]
        csms = [s for s in staff if s["role"] == "csm"]
        plan = onboarding_rows(volume, rng, now=now, csms=csms)
        for model, rows in plan.items():
            counts[model.__tablename__] = _copy(session, model.__table__, rows=rows)
        for member in staff:
            if member["email"] in (
                "admin@bench.acolhe",
                "gestor.alfa@bench.acolhe",
                "csm1@bench.acolhe",
            ):
                set_password(
                    session,
                    session.get_one(StaffUser, member["id"]),
                    password=BENCH_PASSWORD,
                    now=now,
                )
        for table in counts:
            session.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
                )
            )
        csm1 = next(s["id"] for s in staff if s["email"] == "csm1@bench.acolhe")
        client_id, conversation_id = _showcase(plan, csm1)
    with engine.connect() as connection:  # fresh statistics for the planner, as autovacuum would
        connection.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
    return Filled(
        admin="admin@bench.acolhe",
        manager="gestor.alfa@bench.acolhe",
        csm="csm1@bench.acolhe",
        csm_id=csm1,
        client_id=client_id,
        conversation_id=conversation_id,
        counts=counts,
    )


def _showcase(plan: dict[Any, list[dict[str, Any]]], csm_id: int) -> tuple[int, int]:
    """A client of ``csm_id`` whose conversation is taken (the busiest kind of page)."""
    taken = {e["onboarding_id"] for e in plan[Escalation] if e["status"] == "taken"}
    for onboarding in plan[Onboarding]:
        if onboarding["csm_id"] == csm_id and onboarding["id"] in taken:
            return onboarding["client_id"], onboarding["id"]
    mine = next(o for o in plan[Onboarding] if o["csm_id"] == csm_id)
    return mine["client_id"], mine["id"]
