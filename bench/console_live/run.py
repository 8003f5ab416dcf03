"""The console's live updates under load: two ``serve`` processes on PostgreSQL + Redis, SSE
connections of signed-in staff split across them, events written at a steady rate by a third
process's way (``record_console_event``, then the Redis wake-up after the commit).

    python -m bench.console_live.run [--connections 200] [--rate 50] [--seconds 30]
        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/test]
        [--redis redis://127.0.0.1:6379/0]

Prints the delivery delay (the event's write time → its receipt by a browser-like client)
p50/p99/max, the events each connection should have received (``may_see``) and did not
(lost) or got twice, and each process's RSS before and after the connections (→ memory per
connection). Makes its own database (``console_live_bench``) and drops it; Redis keys and the
pub/sub channel carry a prefix of their own.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import redis
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker

from backoffice.access import Principal
from backoffice.console.live import EventHub, LiveEvent, may_see
from backoffice.staff_auth import AuthPolicy, open_session
from bench.chaos.cluster import Cluster
from bench.chaos.services import free_port, rss_kb
from bot.domain.clock import SystemClock
from bot.storage.console_events import on_events_committed, record_console_event
from bot.storage.models import Client, ConsoleEvent, Onboarding, StaffUser

REPO = Path(__file__).resolve().parents[2]
DATABASE = "console_live_bench"
SESSION_COOKIE = "acolhe_session"


@dataclass
class Connection:
    principal: Principal
    cookie: str
    port: int
    received: dict[int, float] = field(default_factory=dict)  # event id → receipt (epoch s)
    duplicates: int = 0
    opened: asyncio.Event = field(default_factory=asyncio.Event)
    error: str | None = None


def _database_url(server_url: str) -> str:
    return make_url(server_url).set(database=DATABASE).render_as_string(hide_password=False)


def _recreate_database(server_url: str, *, drop_only: bool = False) -> None:
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))
        if not drop_only:
            connection.execute(text(f'CREATE DATABASE "{DATABASE}"'))
    admin.dispose()


def _seed(db: sessionmaker, *, connections: int, onboardings: int) -> tuple[list, list[int]]:  # type: ignore[type-arg]
    """Staff of two teams (10 % admins, 10 % managers, the rest CSMs, each with a session) and
    onboardings: a quarter unassigned, the rest spread over the CSMs."""
    now = datetime.now(UTC)
    policy = AuthPolicy()
    logins: list[tuple[Principal, str]] = []
    with db() as session, session.begin():
        staff: list[StaffUser] = []
        for n in range(connections):
            role = "admin" if n % 10 == 0 else "manager" if n % 10 == 1 else "csm"
            member = StaffUser(
                name=f"{role} {n}",
                email=f"{role}{n}@bench.acolhe.test",
                role=role,
                team="alpha" if n % 2 == 0 else "beta",
                segment="self_service" if role == "csm" else None,
                max_open_escalations=10,
                active=True,
                created_at=now,
            )
            session.add(member)
            staff.append(member)
        session.flush()
        for member in staff:
            token = open_session(session, member, now=now, policy=policy, language="pt_BR")
            principal = Principal(
                id=member.id,
                name=member.name,
                role=member.role,
                team=member.team,
                segment=member.segment,
            )
            logins.append((principal, token))
        csms = [m.id for m in staff if m.role == "csm"]
        onboarding_ids = []
        for n in range(onboardings):
            client = Client(created_at=now, updated_at=now)
            session.add(client)
            session.flush()
            onboarding = Onboarding(
                client_id=client.id,
                stage="documentos",
                stage_entered_at=now,
                csm_id=None if n % 4 == 0 else csms[n % len(csms)],
                created_at=now,
            )
            session.add(onboarding)
            session.flush()
            onboarding_ids.append(onboarding.id)
    return logins, onboarding_ids


async def _listen(
    http: aiohttp.ClientSession, connection: Connection, *, stop: asyncio.Event
) -> None:
    """Reads the stream as a browser does; keeps each event's receipt time (by kind only)."""
    url = f"http://127.0.0.1:{connection.port}/console/events"
    try:
        async with http.get(url, cookies={SESSION_COOKIE: connection.cookie}) as response:
            if response.status != 200:
                connection.error = f"status {response.status}"
                connection.opened.set()
                return
            buffer = b""
            async for chunk in response.content.iter_any():
                now = time.time()
                connection.opened.set()
                buffer += chunk
                *blocks, buffer = buffer.split(b"\n\n")
                for block in blocks:
                    if not block.startswith(b"id: "):
                        continue
                    head, _, rest = block.partition(b"\n")
                    if rest.startswith((b"event: conversation-", b"event: onboarding-")):
                        continue
                    event_id = int(head[4:])
                    if event_id in connection.received:
                        connection.duplicates += 1
                    else:
                        connection.received[event_id] = now
                if stop.is_set():
                    return
    except (TimeoutError, aiohttp.ClientError) as exc:
        connection.error = f"{type(exc).__name__}: {exc}"
        connection.opened.set()


def _write_events(
    db: sessionmaker,  # type: ignore[type-arg]
    onboarding_ids: list[int],
    *,
    rate: float,
    seconds: float,
) -> tuple[int, int]:
    """Events at ``rate`` per second, one transaction each (the commit hook publishes the
    wake-up); returns how many were written and how many fell behind schedule."""
    written = 0
    late = 0
    kinds = ["message_in", "message_out", "escalation_opened", "stage_changed", "message_status"]
    started = time.monotonic()
    total = int(rate * seconds)
    for n in range(total):
        due = started + n / rate
        pause = due - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        elif pause < -0.1:
            late += 1
        onboarding_id = random.choice(onboarding_ids)
        with db() as session, session.begin():
            record_console_event(
                session,
                kind=kinds[n % len(kinds)],
                at=datetime.now(UTC),  # the write time: the delay runs from here
                onboarding_id=onboarding_id,
                conversation_id=onboarding_id,
                actor="bench",
                data={"n": n},
            )
        written += 1
    return written, late


def _written(db: sessionmaker) -> list[LiveEvent]:  # type: ignore[type-arg]
    """The bench's events with their write times (``at``)."""
    with db() as session:
        rows = session.scalars(select(ConsoleEvent).where(ConsoleEvent.actor == "bench")).all()
        return [
            LiveEvent(
                id=row.id,
                kind=row.kind,
                onboarding_id=row.onboarding_id,
                conversation_id=row.conversation_id,
                csm_id=row.csm_id,
                actor=row.actor,
                data={**row.data, "at": row.at.timestamp()},
            )
            for row in rows
        ]


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


# long: a benchmark script: servers, browsers, events, figures, in order
async def _run(args: argparse.Namespace) -> int:
    prefix = f"console-live-bench:{uuid.uuid4().hex[:8]}"
    database_url = _database_url(args.postgres)
    _recreate_database(args.postgres)
    work = Path(tempfile.mkdtemp(prefix="console-live-bench-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("ONBOARD_")}
    env.update(
        PYTHONUNBUFFERED="1",
        ONBOARD_DATABASE_URL=database_url,
        ONBOARD_REDIS_URL=args.redis,
        ONBOARD_REDIS_KEY_PREFIX=prefix,
        ONBOARD_NLU_CACHE_DIR=str(Path(tempfile.gettempdir()) / "console-live-bench-nlu"),
        ONBOARD_DOCUMENTS_DIR=str(work / "documents"),
        ONBOARD_BRASILAPI_URL="",
        ONBOARD_LOG_LEVEL="WARNING",
    )
    cluster = Cluster(tree=REPO, env=env, logs=work)
    ports = [free_port(), free_port()]
    for n, port in enumerate(ports):
        cluster.add_serve(f"serve{n + 1}", port)
    engine = create_engine(database_url, pool_size=4)
    db = sessionmaker(engine, expire_on_commit=False)
    writer_hub: EventHub | None = None
    unhook = None
    try:
        cluster.migrate()
        logins, onboarding_ids = _seed(db, connections=args.connections, onboardings=200)
        cluster.start_all()
        pids = {name: app.pid for name, app in cluster.processes.items()}
        async with aiohttp.ClientSession() as warm:  # a page request each: code paths loaded
            for port in ports:
                async with warm.get(f"http://127.0.0.1:{port}/healthz") as answer:
                    await answer.read()
        await asyncio.sleep(2)
        before = {name: rss_kb(pid) for name, pid in pids.items()}

        stop = asyncio.Event()
        connections = [
            Connection(principal=principal, cookie=token, port=ports[n % 2])
            for n, (principal, token) in enumerate(logins)
        ]
        timeout = aiohttp.ClientTimeout(total=None, sock_read=None)
        connector = aiohttp.TCPConnector(limit=0)
        async with aiohttp.ClientSession(timeout=timeout, connector=connector) as http:
            listeners = [asyncio.create_task(_listen(http, c, stop=stop)) for c in connections]
            await asyncio.wait_for(asyncio.gather(*(c.opened.wait() for c in connections)), 60)
            failed = [c.error for c in connections if c.error]
            if failed:
                print(f"connections refused: {len(failed)}: {failed[:3]}")
                return 1
            await asyncio.sleep(3)
            connected = {name: rss_kb(pid) for name, pid in pids.items()}

            # The writer: as a third process would (a worker), with its own Redis wake-up.
            writer_hub = EventHub(
                sessions=db,
                clock=SystemClock(),
                redis_url=args.redis,
                key_prefix=prefix,
                read=False,
            )
            await writer_hub.start()
            unhook = on_events_committed(db, writer_hub.notify)
            cpu_before = {name: _cpu_s(pid) for name, pid in pids.items()}
            count, late = await asyncio.to_thread(
                _write_events, db, onboarding_ids, rate=args.rate, seconds=args.seconds
            )
            await asyncio.sleep(5)  # stragglers (a lost wake-up costs a poll interval)
            cpu = {name: _cpu_s(pid) - cpu_before[name] for name, pid in pids.items()}
            after = {name: rss_kb(pid) for name, pid in pids.items()}
            stop.set()
            for task in listeners:
                task.cancel()
            await asyncio.gather(*listeners, return_exceptions=True)

        with db() as session:
            teams = {i: t for i, t in session.execute(select(StaffUser.id, StaffUser.team))}
        events = _written(db)
        written = {event.id: float(event.data["at"]) for event in events}
        delays: list[float] = []
        expected_total = lost = duplicates = 0
        for connection in connections:
            expected = {e.id for e in events if may_see(connection.principal, e, team_of=teams)}
            expected_total += len(expected)
            lost += len(expected - set(connection.received))
            duplicates += connection.duplicates
            delays += [
                connection.received[i] - written[i] for i in expected if i in connection.received
            ]
        _report(
            args,
            written=count,
            late=late,
            expected=expected_total,
            lost=lost,
            duplicates=duplicates,
            delays=delays,
            before=before,
            connected=connected,
            after=after,
            cpu=cpu,
            problems=cluster.problems(),
        )
        return 0 if lost == 0 and duplicates == 0 else 1
    finally:
        if unhook is not None:
            unhook()
        if writer_hub is not None:
            await writer_hub.stop()
        cluster.stop_all()
        engine.dispose()
        _recreate_database(args.postgres, drop_only=True)
        client = redis.Redis.from_url(args.redis)
        for key in client.scan_iter(match=f"{prefix}:*", count=1000):
            client.delete(key)
        client.close()


def _cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _report(
    args: argparse.Namespace,
    *,
    written: int,
    late: int,
    expected: int,
    lost: int,
    duplicates: int,
    delays: list[float],
    before: dict[str, int],
    connected: dict[str, int],
    after: dict[str, int],
    cpu: dict[str, float],
    problems: list[str],
) -> None:
    per_process = args.connections / len(before)
    print(
        f"{args.connections} SSE connections over {len(before)} serve processes, "
        f"{written} events written at {args.rate}/s for {args.seconds} s "
        f"({late} writes more than 100 ms behind schedule)"
    )
    print(f"deliveries expected {expected}, lost {lost}, duplicated {duplicates}")
    if delays:
        ms = [d * 1000 for d in delays]
        print(
            f"delivery delay (write → receipt): p50 {_percentile(ms, 0.5):.0f} ms, "
            f"p99 {_percentile(ms, 0.99):.0f} ms, max {max(ms):.0f} ms, "
            f"mean {statistics.fmean(ms):.0f} ms"
        )
    for name in before:
        grown = connected[name] - before[name]
        print(
            f"{name}: RSS {before[name] / 1024:.1f} MiB before, {connected[name] / 1024:.1f} MiB "
            f"with {per_process:.0f} connections ({grown / per_process:.1f} KiB each), "
            f"{after[name] / 1024:.1f} MiB after the run; CPU {cpu[name]:.1f} s "
            f"({cpu[name] / args.seconds * 100:.0f} % of a core)"
        )
    if problems:
        print(f"log problems: {len(problems)}: {problems[:5]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--connections", type=int, default=200)
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    args = parser.parse_args()
    threading.current_thread().name = "bench"
    sys.exit(asyncio.run(_run(args)))


if __name__ == "__main__":
    main()
