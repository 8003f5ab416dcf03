"""Engine and session factory, and the Alembic upgrade that ``onboard db upgrade`` runs."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS_DIR = Path(__file__).parent / "migrations"

# A pooled PostgreSQL connection idle longer than this is pinged before it is handed out.
PING_AFTER_IDLE_S = 10.0


def make_engine(
    url: str, *, echo: bool = False, ping_after_idle_s: float = PING_AFTER_IDLE_S
) -> Engine:
    """A pooled engine; SQLite gets WAL, foreign keys and a busy timeout for concurrent writers;
    a PostgreSQL connection idle for ``ping_after_idle_s`` is checked before it is handed out."""
    if url.startswith("sqlite"):
        _ensure_sqlite_folder(url)
        engine = create_engine(
            url, echo=echo, connect_args={"check_same_thread": False, "timeout": 30}
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    engine = create_engine(url, echo=echo, pool_size=10, max_overflow=20)
    _ping_after_idle(engine, idle_s=ping_after_idle_s)
    event.listen(engine, "connect", _no_jit)
    return engine


def _no_jit(dbapi_connection: Any, _record: object) -> None:
    """PostgreSQL's JIT off for this connection: it compiled the console's counting queries
    (estimated above ``jit_above_cost`` though they touch a few thousand rows) for longer than
    they run — the manager's inbox p50 268 ms with it, 82 ms without (bench/console). Short
    transactional statements never gain from it."""
    with dbapi_connection.cursor() as cursor:
        cursor.execute("SET jit = off")
    dbapi_connection.commit()


def _ping_after_idle(engine: Engine, *, idle_s: float) -> None:
    """Pessimistic disconnect handling, only where it pays: a connection that sat in the pool
    for ``idle_s`` (long enough for a database restart or a firewall's idle timeout) is pinged
    at checkout, and a dead one is replaced (the pool retries on ``DisconnectionError``).

    ``pool_pre_ping`` would ping on every checkout: one more round trip for each of the
    hundreds of transactions a second the message path runs on connections in constant use. A
    connection that dies while busy fails its statement; SQLAlchemy then invalidates the pool,
    and the message is retried by its provider.
    """
    dialect = engine.dialect

    def stamp(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    def check(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.pop("idle_since", None)
        if idle_since is None or time.monotonic() - idle_since < idle_s:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as exc:
            raise DisconnectionError(f"pooled connection died while idle: {exc}") from exc

    event.listen(engine, "checkin", stamp)
    event.listen(engine, "checkout", check)


def _ensure_sqlite_folder(url: str) -> None:
    path = url.split(":///", 1)[-1]
    if path and path != ":memory:" and not path.startswith("file:"):
        Path(path).parent.mkdir(parents=True, exist_ok=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str) -> None:
    """Applies every migration (idempotent)."""
    _ensure_sqlite_folder(url) if url.startswith("sqlite") else None
    command.upgrade(alembic_config(url), "head")
