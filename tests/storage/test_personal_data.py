"""Personal data is declared on the models, not remembered: every text-like column says whether
it can hold a client's personal data, every table says whether its rows can be a client's, and
a column or table added without saying so fails here."""

from __future__ import annotations

from sqlalchemy import JSON, Column, ForeignKey, Integer, MetaData, String, Table, Text

from bot.storage.models import Base
from bot.storage.personal_data import (
    NotPersonal,
    Personal,
    client_tables,
    column_mark,
    not_personal,
    not_the_clients,
    personal,
    undeclared_tables,
    unmarked_columns,
)


def test_every_text_column_of_the_models_says_whether_it_is_personal() -> None:
    assert unmarked_columns(Base.metadata) == []


def test_every_table_is_a_clients_or_says_why_not() -> None:
    assert undeclared_tables(Base.metadata) == []


def test_the_clients_tables_are_found_through_their_foreign_keys() -> None:
    names = {table.name for table in client_tables(Base.metadata)}
    # What the drill found missing from the export and the erasure is among them.
    assert {"training_bookings", "scheduled_jobs", "company_registry"} <= names
    assert {"clients", "contacts", "conversations", "messages", "outbox", "documents"} <= names
    assert names.isdisjoint({"staff_users", "api_tokens", "training_slots", "alert_deliveries"})


def test_a_table_that_is_not_the_clients_holds_no_personal_column() -> None:
    mixed = [
        f"{table.name}.{column.name}"
        for table in Base.metadata.sorted_tables
        if table not in client_tables(Base.metadata)
        for column in table.columns
        if isinstance(column_mark(column), Personal)
    ]
    assert mixed == []


def test_the_values_the_drill_found_are_marked_personal() -> None:
    tables = Base.metadata.tables
    for where in (
        "training_bookings.attendee_email",
        "scheduled_jobs.payload",
        "company_registry.cnpj",
        "conversations.address",
        "messages.text",
    ):
        table, column = where.split(".")
        assert isinstance(column_mark(tables[table].c[column]), Personal), where
    # Keys name rows by id: not personal, and ``schedule_job`` refuses one that looks it.
    assert isinstance(column_mark(tables["scheduled_jobs"].c.key), NotPersonal)


def test_a_new_unmarked_column_or_table_is_caught() -> None:
    metadata = MetaData()
    Table("clients", metadata, Column("id", Integer, primary_key=True))
    Table(
        "loyalty_cards",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("client_id", ForeignKey("clients.id")),
        Column("holder", String(100)),  # forgotten
        Column("notes", Text, info=personal()),
        Column("extra", JSON, info=not_personal("card settings, no client values")),
    )
    Table(
        "leads",  # no way to a client and nothing said about it
        metadata,
        Column("id", Integer, primary_key=True),
        Column("phone", String(20), info=personal()),
    )
    Table(
        "holidays",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("name", String(60), info=not_personal("a holiday's name")),
        info=not_the_clients("the company's calendar"),
    )
    assert unmarked_columns(metadata) == ["loyalty_cards.holder"]
    assert undeclared_tables(metadata) == ["leads"]
    assert [t.name for t in client_tables(metadata)] == ["clients", "loyalty_cards"]
