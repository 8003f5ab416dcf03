"""Personal data, declared on the models: which columns can hold a client's personal data and
which rows are a client's. The LGPD export and erasure are derived from these marks alone.

Every String, Text and JSON column says in its ``info`` whether it can hold personal data of a
client (the data subject whose export and erasure this serves)::

    name: Mapped[str | None] = mapped_column(String(100), info=personal(identifies=True))
    status: Mapped[str] = mapped_column(String(12), info=not_personal("a status word"))

A table's rows are a client's when they point at the client through foreign keys (contacts →
clients; messages → conversations → clients; scheduled_jobs → training_bookings → onboardings →
clients). A table whose rows are never a client's says so in its own ``info``
(``not_the_clients(why)``: staff accounts, the training calendar, alert deliveries to staff);
``deleted_on_erasure(why)`` makes erasure delete the client's rows instead of clearing them.
``tests/storage/test_personal_data.py`` fails for a text column or a table added without a mark.

Erasure writes each personal column's erased value into every row of the client: the mark's
``erased``, else NULL when the column is nullable, ``{}`` for JSON and ``""`` for text. A
column marked ``after_notice`` (the channel address) is erased only once the client has been
told. Free text that may name any client (``mentions``: an alert digest lists several) has the
erased client's identifying values (``identifies``) replaced wherever they appear.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    JSON,
    ColumnElement,
    MetaData,
    String,
    Table,
    cast,
    delete,
    func,
    literal,
    null,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.schema import Column

__all__ = [
    "ERASED",
    "ROOT_TABLE",
    "DeletedOnErasure",
    "NotPersonal",
    "NotTheClients",
    "Personal",
    "Pseudonym",
    "client_rows",
    "client_tables",
    "column_mark",
    "deleted_on_erasure",
    "erase_client_rows",
    "identifying_values",
    "not_personal",
    "not_the_clients",
    "personal",
    "undeclared_tables",
    "unmarked_columns",
]

COLUMN_KEY = "personal"
TABLE_KEY = "client_rows"
ROOT_TABLE = "clients"
ERASED = "[apagado / erased]"
_MIN_MENTION = 4  # shorter values ("SP", "12") would replace parts of unrelated words


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()


@dataclass(frozen=True, slots=True)
class Pseudonym:
    """The erased value ``erased:<the row's column>``: unique, so unique constraints hold."""

    column: str = "id"


@dataclass(frozen=True, slots=True, kw_only=True)
class Personal:
    """The column can hold a client's personal data."""

    erased: Any = UNSET  # what erasure writes; UNSET: NULL, {} or "" by the column's type
    after_notice: bool = False  # erased only once the client was told (their address)
    identifies: bool = False  # a value that names the client (searched for in ``mentions``)
    mentions: bool = False  # free text that may name any client, linked to it or not


@dataclass(frozen=True, slots=True)
class NotPersonal:
    """The column never holds a client's personal data; ``why`` says what it holds."""

    why: str


@dataclass(frozen=True, slots=True)
class NotTheClients:
    """The table's rows are never a client's, even when they point at a client's rows."""

    why: str


@dataclass(frozen=True, slots=True)
class DeletedOnErasure:
    """Erasure deletes the client's rows of the table instead of clearing their columns."""

    why: str


def personal(
    *,
    erased: Any = UNSET,
    after_notice: bool = False,
    identifies: bool = False,
    mentions: bool = False,
) -> dict[str, Any]:
    """The ``info`` of a column that can hold a client's personal data."""
    mark = Personal(
        erased=erased, after_notice=after_notice, identifies=identifies, mentions=mentions
    )
    return {COLUMN_KEY: mark}


def not_personal(why: str) -> dict[str, Any]:
    """The ``info`` of a column that never holds a client's personal data."""
    return {COLUMN_KEY: NotPersonal(why)}


def not_the_clients(why: str) -> dict[str, Any]:
    """The ``info`` of a table whose rows are never a client's."""
    return {TABLE_KEY: NotTheClients(why)}


def deleted_on_erasure(why: str) -> dict[str, Any]:
    """The ``info`` of a table whose rows of an erased client are deleted."""
    return {TABLE_KEY: DeletedOnErasure(why)}


def column_mark(column: Column[Any]) -> Personal | NotPersonal | None:
    mark = column.info.get(COLUMN_KEY)
    return mark if isinstance(mark, Personal | NotPersonal) else None


def _table_mark(table: Table) -> NotTheClients | DeletedOnErasure | None:
    mark = table.info.get(TABLE_KEY)
    return mark if isinstance(mark, NotTheClients | DeletedOnErasure) else None


def _text_like(column: Column[Any]) -> bool:
    return isinstance(column.type, String | JSON)  # Text is a String


def unmarked_columns(metadata: MetaData) -> list[str]:
    """``table.column`` of every String, Text or JSON column that carries no mark."""
    return [
        f"{table.name}.{column.name}"
        for table in metadata.sorted_tables
        for column in table.columns
        if _text_like(column) and column_mark(column) is None
    ]


def _reachable(metadata: MetaData) -> list[Table]:
    """Tables whose rows can point at a client (the clients table first), parents first."""
    found: set[str] = {ROOT_TABLE} if ROOT_TABLE in metadata.tables else set()
    changed = True
    while changed:  # a fixed point, so the order of the tables does not matter
        changed = False
        for table in metadata.sorted_tables:
            if table.name in found or isinstance(_table_mark(table), NotTheClients):
                continue
            if any(fk.column.table.name in found for fk in table.foreign_keys):
                found.add(table.name)
                changed = True
    return [table for table in metadata.sorted_tables if table.name in found]


def client_tables(metadata: MetaData) -> list[Table]:
    """The tables whose rows can be a client's, parents first (the clients table first)."""
    return _reachable(metadata)


def undeclared_tables(metadata: MetaData) -> list[str]:
    """Tables with no way to a client that do not say their rows are never a client's."""
    reachable = {table.name for table in _reachable(metadata)}
    return [
        table.name
        for table in metadata.sorted_tables
        if table.name not in reachable and not isinstance(_table_mark(table), NotTheClients)
    ]


def client_rows(table: Table, client_id: int) -> ColumnElement[bool]:
    """The condition selecting ``table``'s rows that are the client's: the row points, by any
    of its foreign keys, at a row that is the client's (subqueries, no id lists)."""
    reachable = {t.name for t in _reachable(table.metadata)}
    if table.name not in reachable:
        raise ValueError(f"the rows of {table.name} are never a client's")
    return _condition(table, client_id, reachable=reachable)


def _condition(table: Table, client_id: int, *, reachable: set[str]) -> ColumnElement[bool]:
    if table.name == ROOT_TABLE:
        [key] = table.primary_key.columns
        return key == client_id
    conditions: list[ColumnElement[bool]] = []
    for fk in sorted(table.foreign_keys, key=lambda fk: fk.parent.name):
        parent = fk.column.table
        if parent.name == ROOT_TABLE:
            conditions.append(fk.parent == client_id)
        elif parent.name in reachable and parent is not table:
            inner = _condition(parent, client_id, reachable=reachable)
            conditions.append(fk.parent.in_(select(fk.column).where(inner)))
    return conditions[0] if len(conditions) == 1 else or_(*conditions)


def _personal_columns(table: Table) -> list[tuple[Column[Any], Personal]]:
    return [
        (column, mark)
        for column in table.columns
        if isinstance(mark := column_mark(column), Personal)
    ]


def _erased_value(table: Table, column: Column[Any], *, mark: Personal) -> Any:
    if isinstance(mark.erased, Pseudonym):
        return literal("erased:", String) + cast(table.c[mark.erased.column], String)
    if mark.erased is not UNSET:
        return mark.erased
    if column.nullable:
        return null()
    return {} if isinstance(column.type, JSON) else ""


def identifying_values(session: Session, metadata: MetaData, *, client_id: int) -> list[str]:
    """The client's values in columns marked ``identifies`` (names, CNPJ, e-mails, phones,
    addresses), longest first, so that a longer one is replaced before a part of it."""
    values: set[str] = set()
    for table in client_tables(metadata):
        columns = [column for column, mark in _personal_columns(table) if mark.identifies]
        if not columns:
            continue
        for row in session.execute(select(*columns).where(client_rows(table, client_id))):
            values.update(str(v) for v in row if v is not None)
    wanted = {v for v in values if len(v) >= _MIN_MENTION and not v.startswith("erased:")}
    return sorted(wanted, key=lambda v: (-len(v), v))


def _scrub_mentions(session: Session, metadata: MetaData, *, values: Iterable[str]) -> None:
    wanted = list(values)
    if not wanted:
        return
    for table in metadata.sorted_tables:
        for column, mark in _personal_columns(table):
            if not mark.mentions or not isinstance(column.type, String):
                continue
            for value in wanted:
                session.execute(
                    update(table)
                    .where(column.contains(value, autoescape=True))
                    .values({column.name: func.replace(column, value, ERASED)})
                )


def erase_client_rows(
    session: Session, metadata: MetaData, *, client_id: int, after_notice: bool
) -> None:
    """Erases every personal column of every row of the client, derived from the marks: the
    erased value written, or the rows deleted for tables ``deleted_on_erasure``. Columns marked
    ``after_notice`` only when ``after_notice`` is True. Core statements: the caller flushes
    before and expires the session's objects after."""
    _scrub_mentions(
        session, metadata, values=identifying_values(session, metadata, client_id=client_id)
    )
    tables = client_tables(metadata)
    for table in tables:
        if isinstance(_table_mark(table), DeletedOnErasure):
            continue
        values = {
            column.name: _erased_value(table, column, mark=mark)
            for column, mark in _personal_columns(table)
            if after_notice or not mark.after_notice
        }
        if values:
            session.execute(update(table).where(client_rows(table, client_id)).values(values))
    for table in reversed(tables):  # children before their parents
        if isinstance(_table_mark(table), DeletedOnErasure):
            session.execute(delete(table).where(client_rows(table, client_id)))
