"""``INSERT ... ON CONFLICT DO NOTHING`` on SQLite and PostgreSQL alike: how insert-once rows
(scheduled jobs, alerts and their deliveries) are written when several processes race."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

__all__ = ["insert_once"]


def insert_once(session: Session, model: type[Any]) -> Any:
    """An insert of ``model`` that skips rows clashing with a unique constraint; chain
    ``.values(...)`` and ``.returning(<id>)`` on it: a skipped row returns nothing. (Do not
    trust ``rowcount``: through the ORM session PostgreSQL's reads 1 for a skipped row.)"""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(model).on_conflict_do_nothing()
