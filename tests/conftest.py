"""Shared fixtures: databases (SQLite by default, PostgreSQL when ONBOARD_TEST_DATABASE_URL
points at one), Redis, a fake clock, and a runtime wired like production.

Services that a test needs must be there in CI: where ``CI=true`` a missing PostgreSQL or
Redis fails the test instead of skipping it.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import redis
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

import nlu
from bot.bootstrap import Runtime, build_runtime
from bot.config import Settings
from bot.domain.clock import FakeClock
from bot.storage.database import upgrade
from bot.storage.models import Base
from nlu.types import Interpreter
from tests.support.scripted_nlu import ScriptedInterpreter

IN_CI = os.environ.get("CI", "").lower() == "true"

# Tesseract one thread per process, as the reader's pool gives its workers (pool.py): the
# suite's own processes read documents side by side, and OpenMP's threads spinning against
# each other made one page cost 3-4 times its CPU and wall time (a scanned CIN: 36 s -> 10 s
# at load 6), past the reader's 20 s per page. Set before any Tesseract starts or loads.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")


def require_service(name: str, reason: str) -> None:
    """Skips a test whose service is missing on a laptop; fails it in CI."""
    if IN_CI:
        pytest.fail(f"{name} is required in CI: {reason}")
    pytest.skip(f"{name} not available: {reason}")


# The console's screens are SQL the back-office's own tests already run on PostgreSQL; only its
# live updates (event ids from PostgreSQL's sequence, gaps, replays) run again there.
SQLITE_ONLY = ("tests/console/",)
AGAIN_ON_POSTGRESQL = ("tests/console/test_live",)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "database_url" not in getattr(item, "fixturenames", ()):
            continue
        path = item.nodeid
        if path.startswith(SQLITE_ONLY) and not path.startswith(AGAIN_ON_POSTGRESQL):
            continue
        item.add_marker(pytest.mark.db)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "db: uses the database (run again on PostgreSQL in CI)")


# ---------------------------------------------------------------------------- databases
@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("db") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def _postgres_database() -> Iterator[str | None]:
    url = os.environ.get("ONBOARD_TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        yield None
        return
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    name = f"acolhe_test_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001
        admin.dispose()
        require_service("PostgreSQL", str(exc))
    test_url = make_url(url).set(database=name).render_as_string(hide_password=False)
    upgrade(test_url)
    yield test_url
    with admin.connect() as connection:
        connection.execute(
            text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"),
            {"name": name},
        )
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


@pytest.fixture
def database_url(
    tmp_path: Path, _sqlite_template: Path, _postgres_database: str | None
) -> Iterator[str]:
    """A migrated, empty database for one test."""
    if _postgres_database is None:
        path = tmp_path / "acolhe.db"
        shutil.copy(_sqlite_template, path)
        yield f"sqlite:///{path}"
        return
    engine = create_engine(_postgres_database)
    with engine.begin() as connection:
        tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()
    yield _postgres_database


# ---------------------------------------------------------------------------- redis
@pytest.fixture(scope="session")
def redis_url() -> str:
    """Redis from ONBOARD_TEST_REDIS_URL (default db 15 on loopback); skip, or fail in CI."""
    url = os.environ.get("ONBOARD_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    client = redis.Redis.from_url(url, socket_connect_timeout=1.0)
    try:
        client.ping()
    except redis.RedisError as exc:
        require_service("Redis", f"{url}: {exc}")
    finally:
        client.close()
    return url


@pytest.fixture
def redis_prefix(redis_url: str) -> Iterator[str]:
    """A fresh key namespace for one test, deleted afterwards."""
    prefix = f"acolhe-test:{uuid.uuid4().hex}"
    yield prefix
    client = redis.Redis.from_url(redis_url)
    try:
        keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


# ---------------------------------------------------------------------------- nlu
@pytest.fixture(scope="session")
def nlu_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One trained built-in model for the whole session (the cache is keyed by the data)."""
    cache = tmp_path_factory.mktemp("nlu-cache")
    nlu.train(cache_dir=cache)
    return cache


@pytest.fixture(scope="session")
def real_interpreter(nlu_cache_dir: Path) -> Interpreter:
    """The real built-in NLU, for whole conversations as clients write them."""
    return nlu.build_interpreter(cache_dir=nlu_cache_dir)


# ---------------------------------------------------------------------------- runtime
@pytest.fixture
def clock() -> FakeClock:
    # A Tuesday, 10:00 in São Paulo.
    return FakeClock(datetime(2026, 11, 24, 13, 0, tzinfo=UTC))


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        environment="test",
        database_url=database_url,
        documents_dir=tmp_path / "documents",
        nlu_cache_dir=tmp_path / "nlu",
        brasilapi_url="",
    )


@pytest.fixture
def runtime(settings: Settings, clock: FakeClock) -> Iterator[Runtime]:
    """A runtime with the scripted interpreter (dialogue-logic tests)."""
    rt = build_runtime(settings, clock=clock, interpreter=ScriptedInterpreter(), migrate=False)
    yield rt
    rt.close()


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashes() -> Iterator[None]:
    """argon2 with the smallest cost in tests: hundreds of staff members get a password (the
    production parameters are argon2-cffi's recommended ones; a hash carries its own, so the
    sign-in checks work the same)."""
    from argon2 import PasswordHasher

    from backoffice import staff_auth

    production = staff_auth._HASHER
    staff_auth._HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    staff_auth._HASHER = production
