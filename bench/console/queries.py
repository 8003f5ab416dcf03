"""The SQL behind one console page: every statement it runs, slowest first, and the plan of the
slowest (``EXPLAIN (ANALYZE, BUFFERS)``), on the database ``bench.console.run`` filled.

    .venv/bin/python -m bench.console.queries /console/board --as admin@bench.acolhe [--top 8]

The app is built in this process (as ``onboard serve`` builds it, workers off) and requested
through its ASGI interface, so every statement is seen with its time.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import re
import time
from typing import Any

from sqlalchemy import event, text

from bench.console.fill import BENCH_PASSWORD
from bench.console.run import DATABASE, SERVER

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


# long: a benchmark script: each measured query in the order it prints
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", help="a console page, e.g. /console/board")
    parser.add_argument("--as", dest="email", default="admin@bench.acolhe")
    parser.add_argument("--server", default=SERVER)
    parser.add_argument("--top", type=int, default=8)
    parser.add_argument("--explain", type=int, default=1, help="plans of the N slowest")
    parser.add_argument(
        "--profile", action="store_true", help="also where the Python time goes (cProfile)"
    )
    args = parser.parse_args()

    from fastapi.testclient import TestClient

    from bot.app import create_app
    from bot.bootstrap import build_runtime
    from bot.config import Settings

    url = args.server.rsplit("/", 1)[0] + f"/{DATABASE}"
    settings = Settings(database_url=url, brasilapi_url="")
    runtime = build_runtime(settings, migrate=False)
    seen: list[tuple[float, str, Any]] = []

    recording = [False]
    profiler = cProfile.Profile() if args.profile else None
    if profiler is not None:
        _profile_endpoints(profiler, recording)

    @event.listens_for(runtime.db, "before_cursor_execute")
    def started(conn: Any, cursor: Any, statement: str, *_rest: Any) -> None:  # noqa: PLR0917 (SQLAlchemy passes by position)
        conn.info.setdefault("started", []).append(time.perf_counter())

    @event.listens_for(runtime.db, "after_cursor_execute")
    def ended(conn: Any, cursor: Any, statement: str, params: Any, *_rest: Any) -> None:  # noqa: PLR0917 (SQLAlchemy passes by position)
        began = conn.info["started"].pop()
        if recording[0]:
            seen.append(((time.perf_counter() - began) * 1000, statement, params))

    with TestClient(create_app(runtime, run_workers=False)) as client:
        page = client.get("/console/login")
        found = CSRF.search(page.text)
        assert found, page.status_code
        signed = client.post(
            "/console/login",
            data={"email": args.email, "password": BENCH_PASSWORD, "csrf_token": found.group(1)},
            follow_redirects=False,
        )
        assert signed.status_code == 303, signed.status_code
        client.get(args.path)  # warm
        recording[0] = True
        began = time.perf_counter()
        answer = client.get(args.path)
        total = (time.perf_counter() - began) * 1000
        recording[0] = False
    in_sql = sum(ms for ms, _, _ in seen)
    print(
        f"{args.path} as {args.email}: {answer.status_code}, {len(answer.content) / 1024:.0f} KB,"
        f" {total:.0f} ms, {len(seen)} statements taking {in_sql:.0f} ms"
    )
    slowest = sorted(seen, key=lambda item: -item[0])
    for ms, statement, _ in slowest[: args.top]:
        print(f"\n--- {ms:.1f} ms\n{_short(' '.join(statement.split()))}")
    with runtime.db.connect() as connection:
        for ms, statement, params in slowest[: args.explain]:
            raw = connection.connection.driver_connection
            assert raw is not None
            with raw.cursor() as cursor:
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {statement}", params)
                plan = "\n".join(_short(row[0], 300) for row in cursor.fetchall())
            print(f"\n=== plan of the {ms:.1f} ms statement\n{plan}")
        connection.execute(text("SELECT 1"))
    runtime.close()
    if profiler is not None:
        print("\n=== where the time goes (cumulative, the project's own functions)")
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(r"/(backoffice|bot)/", 25)


def _profile_endpoints(profiler: cProfile.Profile, recording: list[bool]) -> None:
    """A console route is a plain function FastAPI runs in a worker thread: profile it there
    (cProfile sees only its own thread)."""
    import fastapi.routing

    original = fastapi.routing.run_in_threadpool  # type: ignore[attr-defined]

    async def profiled(func: Any, *args: Any, **kwargs: Any) -> Any:
        def run(*inner: Any, **named: Any) -> Any:
            if not recording[0]:
                return func(*inner, **named)
            profiler.enable()
            try:
                return func(*inner, **named)
            finally:
                profiler.disable()

        return await original(run, *args, **kwargs)

    fastapi.routing.run_in_threadpool = profiled  # type: ignore[attr-defined]


def _short(line: str, width: int = 700) -> str:
    """Long IN (...) lists cut down: the shape of a statement, not its thousand ids."""
    line = re.sub(r"(%\(\w+?_)\d+(\)s::\w+)(, %\(\w+?_\d+\)s::\w+)+", r"\1N\2, ...", line)
    return line if len(line) <= width else line[:width] + " …"


if __name__ == "__main__":
    main()
