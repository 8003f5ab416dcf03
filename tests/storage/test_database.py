"""The engine's connection checks: a pooled PostgreSQL connection that died while idle is
replaced before a transaction gets it; one in constant use is not pinged at all."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine.interfaces import DBAPIConnection

from bot.storage.database import make_engine


def _backend_pid(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT pg_backend_pid()")).scalar_one())


def _pings(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> list[object]:
    pings: list[object] = []
    ping = engine.dialect.do_ping

    def counted(dbapi_connection: DBAPIConnection) -> bool:
        pings.append(dbapi_connection)
        return ping(dbapi_connection)

    monkeypatch.setattr(engine.dialect, "do_ping", counted)
    return pings


@pytest.fixture
def postgres_url(database_url: str) -> str:
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only: SQLite connections cannot die while idle")
    return database_url


def test_a_connection_killed_while_idle_is_replaced_at_checkout(postgres_url: str) -> None:
    engine = make_engine(postgres_url, ping_after_idle_s=0.2)
    killer = make_engine(postgres_url)
    try:
        first = _backend_pid(engine)
        with killer.connect() as connection:
            connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
        time.sleep(0.3)

        # The pooled connection is dead; the checkout ping finds out and the pool reconnects.
        assert _backend_pid(engine) != first
    finally:
        engine.dispose()
        killer.dispose()


def test_a_busy_connection_is_not_pinged(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_engine(postgres_url, ping_after_idle_s=60)
    try:
        _backend_pid(engine)
        pings = _pings(engine, monkeypatch)
        for _ in range(3):
            with engine.begin() as connection:
                connection.execute(text("SELECT 1"))

        assert pings == []  # no round trip per checkout
    finally:
        engine.dispose()


def test_an_idle_connection_is_pinged_once(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_engine(postgres_url, ping_after_idle_s=0.1)
    try:
        _backend_pid(engine)
        pings = _pings(engine, monkeypatch)
        time.sleep(0.2)
        _backend_pid(engine)
        _backend_pid(engine)  # right after: not idle any more

        assert len(pings) == 1
    finally:
        engine.dispose()


def test_postgresql_connections_run_without_jit(database_url: str) -> None:
    """JIT compiled the console's counting queries for longer than they ran (bench/console)."""
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only")
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("SHOW jit").scalar() == "off"
    finally:
        engine.dispose()
