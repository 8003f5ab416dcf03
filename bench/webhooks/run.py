"""Webhook load benchmark: signed Twilio webhooks → one `onboard serve` process → fake Twilio.

    .venv/bin/python -m bench.webhooks.run [--clients 300] [--levels 8,16,32,64] \
        [--postgres URL --redis URL]

The server runs as its own process (`python -m bot serve`) with the Twilio channel pointed at
a fake Twilio REST API served by this process; this process is also the load generator. Each
simulated client writes like a person: a message, then waits for the bot's reply before the
next one (three messages per client). For each concurrency level it reports:

- sustained messages/s end to end (webhook sent → reply received by the fake);
- ack latency p50/p99 (the webhook's HTTP answer) and end-to-end latency p50/p99;
- the server's CPU seconds per message (utime+stime of the server process ÷ messages), the
  figure that stays honest while the load generator shares the 2-core machine;
- lost or duplicated replies for acknowledged webhooks (must be 0), and client-side HTTP
  errors (a client that gets one stops, so its later messages are never sent).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from bench.databases import fresh_database  # noqa: E402
from bench.webhooks.load import BOT_NUMBER, PUBLIC_URL, ReplyWatcher, run_level  # noqa: E402
from bench.webhooks.server_stats import (  # noqa: E402
    Counters,
    bucket_p99,
    cpu_seconds,
    difference,
    machine_speed,
    percentile,
    share_within,
    webhook_histogram,
)
from tests.fakes.twilio import FakeTwilio  # noqa: E402


def _start_server(env: dict[str, str], *, port: int, log: Path) -> subprocess.Popen[bytes]:
    # The server's log goes to a file: an unread pipe would fill up and stall the server.
    with log.open("wb") as sink:
        server = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve", "--port", str(port)],
            cwd=REPO,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=sink,
        )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the server did not start: " + log.read_text(errors="replace")[-2000:])


def _server_env(
    fake: FakeTwilio, *, database_url: str, redis_url: str | None, nlu_cache: Path
) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ONBOARD_")}
    env.update(
        ONBOARD_DATABASE_URL=database_url,
        ONBOARD_PUBLIC_URL=PUBLIC_URL,
        ONBOARD_TWILIO_ACCOUNT_SID=fake.account_sid,
        ONBOARD_TWILIO_AUTH_TOKEN=fake.auth_token,
        ONBOARD_TWILIO_WHATSAPP_NUMBER=BOT_NUMBER,
        ONBOARD_TWILIO_API_URL=fake.url,
        ONBOARD_NLU_CACHE_DIR=str(nlu_cache),
        ONBOARD_BRASILAPI_URL="",
        ONBOARD_WHATSAPP_RATE_PER_S="100000",
        NO_PROXY="127.0.0.1,localhost",
    )
    if redis_url:
        env.update(
            ONBOARD_REDIS_URL=redis_url, ONBOARD_REDIS_KEY_PREFIX=f"bench:{uuid.uuid4().hex}"
        )
    return env


HEADER = (
    f"{'conc':>5} {'msgs':>6} {'msg/s':>8} {'ack p50':>9} {'ack p99':>9} "
    f"{'e2e p50':>9} {'e2e p99':>9} {'cpu/msg':>9} {'lost':>5} {'dup':>4} {'err':>4}"
    f" {'srv p99':>8} {'srv≤100ms':>9} {'sys':>5} {'gc':>5} {'batch':>5}"
)


def _measure_level(
    server: subprocess.Popen[bytes],
    *,
    port: int,
    fake: FakeTwilio,
    watcher: ReplyWatcher,
    concurrency: int,
    clients: int,
    first_phone: int,
) -> str:
    """Runs one concurrency level and returns its row of figures."""
    histogram_before = webhook_histogram(port)  # scraped outside the CPU window
    counters_before = Counters.scrape(port)
    cpu_before = cpu_seconds(server.pid)
    sent_before = len(fake.sent)
    started = time.perf_counter()
    level = asyncio.run(
        run_level(
            f"http://127.0.0.1:{port}",
            fake=fake,
            watcher=watcher,
            concurrency=concurrency,
            clients=clients,
            first_phone=first_phone,
        )
    )
    elapsed = time.perf_counter() - started
    time.sleep(0.5)
    watcher.poll()
    user, system = (
        after - before for after, before in zip(cpu_seconds(server.pid), cpu_before, strict=True)
    )
    cpu = user + system
    served = difference(webhook_histogram(port), histogram_before)
    counters = Counters.scrape(port)
    gc_share = (counters.gc_seconds - counters_before.gc_seconds) / max(cpu, 1e-9)
    batch = (counters.turns - counters_before.turns) / max(
        1.0, counters.turn_batches - counters_before.turn_batches
    )
    messages = len(level.e2e)
    replies = len(fake.sent) - sent_before
    # lost/dup: replies missing or doubled for webhooks the server acknowledged;
    # err: webhook posts that failed on the client side (the client then stops).
    acked = len(level.acks)
    row = (
        f"{concurrency:>5} {messages:>6} {messages / elapsed:>8.1f} "
        f"{percentile(level.acks, 0.5) * 1000:>7.1f}ms "
        f"{percentile(level.acks, 0.99) * 1000:>7.1f}ms "
        f"{percentile(level.e2e, 0.5) * 1000:>7.1f}ms "
        f"{percentile(level.e2e, 0.99) * 1000:>7.1f}ms "
        f"{cpu / max(1, messages) * 1000:>7.2f}ms {max(0, acked - replies):>5} "
        f"{max(0, replies - acked):>4} {level.errors:>4}"
        f" {bucket_p99(served):>8} {share_within(served, 0.1):>8.1%}"
        f" {system / max(cpu, 1e-9):>5.0%} {gc_share:>5.1%} {batch:>5.1f}"
    )
    errors = [f"      err x{count}: {kind}" for kind, count in sorted(level.error_kinds.items())]
    return "\n".join([row, *errors])


def _print_problems(log: Path) -> None:
    problems = [
        line
        for line in log.read_text(errors="replace").splitlines()
        if " ERROR " in line or " WARNING " in line or "Traceback" in line
    ]
    if problems:
        print(f"server log: {len(problems)} warnings/errors, e.g.:")
        print("\n".join(problems[:5]))


def bench(
    label: str,
    *,
    database_url: str,
    redis_url: str | None,
    levels: list[int],
    clients: int,
    nlu_cache: Path,
) -> None:
    with FakeTwilio() as fake:
        env = _server_env(fake, database_url=database_url, redis_url=redis_url, nlu_cache=nlu_cache)
        port = 18000 + os.getpid() % 1000
        log = nlu_cache.parent / f"server-{uuid.uuid4().hex[:8]}.log"
        server = _start_server(env, port=port, log=log)
        watcher = ReplyWatcher(fake)
        print(f"\n== {label} (machine speed: {machine_speed():.0f} ms, lower is faster)")
        print(HEADER)
        try:
            for index, concurrency in enumerate(levels):
                row = _measure_level(
                    server,
                    port=port,
                    fake=fake,
                    watcher=watcher,
                    concurrency=concurrency,
                    clients=clients,
                    first_phone=index * clients,
                )
                print(row)
        finally:
            server.terminate()
            server.wait(timeout=30)
            _print_problems(log)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--clients", type=int, default=300, help="clients per level (3 messages each)"
    )
    parser.add_argument("--levels", default="8,16,32,64", help="concurrent clients per level")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("ONBOARD_TEST_DATABASE_URL", ""),
        help="PostgreSQL URL for the PostgreSQL + Redis run (empty: skip it)",
    )
    parser.add_argument(
        "--redis", default=os.environ.get("ONBOARD_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    )
    parser.add_argument(
        "--no-sqlite", action="store_true", help="skip the SQLite run (PostgreSQL + Redis only)"
    )
    args = parser.parse_args()
    levels = [int(x) for x in args.levels.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        nlu_cache = Path(tmp) / "nlu"
        if not args.no_sqlite:
            bench(
                "SQLite, in-process coordination",
                database_url=f"sqlite:///{tmp}/bench.db",
                redis_url=None,
                levels=levels,
                clients=args.clients,
                nlu_cache=nlu_cache,
            )
        if args.postgres:
            with fresh_database(args.postgres) as url:
                bench(
                    "PostgreSQL + Redis",
                    database_url=url,
                    redis_url=args.redis,
                    levels=levels,
                    clients=args.clients,
                    nlu_cache=nlu_cache,
                )


if __name__ == "__main__":
    main()
