"""Fault drill: two ``serve --no-workers`` and two ``onboard worker`` on PostgreSQL + Redis,
behind a round-robin proxy, under a steady load of signed Twilio webhooks; faults one at a time.

    .venv/bin/python -m bench.chaos.run [--rate 12] [--scenarios kill-serve,kill-worker,...]
    .venv/bin/python -m bench.chaos.run --soak-minutes 30 [--rate 8]
    .venv/bin/python -m bench.chaos.run --app-tree /tmp/acolhe-before   # an older checkout

PostgreSQL is a throwaway cluster of the drill's own (initdb on another port, so it can be
restarted), Redis its own redis-server on another port, the documents folder a small tmpfs
(root only; skipped otherwise, and said so). The fake Twilio answers in ``--twilio-latency``.
Each scenario: the steady load for ``--before`` seconds, the fault, the load for ``--after``
seconds more, then no new clients until every client is done and nothing is pending (or
``--drain`` seconds passed). The table: messages, lost, duplicated replies, stuck after
recovery, time to recover, failed webhook attempts (Twilio's 11200), messages that needed a
Twilio retry, sends in doubt settled by asking Twilio, end-to-end p50/p99. See README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from sqlalchemy import create_engine, text

REPO = Path(__file__).resolve().parents[2]

from bench.chaos.audit import Verdict, judge, pending_work  # noqa: E402
from bench.chaos.cluster import Cluster  # noqa: E402
from bench.chaos.load import Load, percentile  # noqa: E402
from bench.chaos.proxy import RoundRobinProxy  # noqa: E402
from bench.chaos.services import RedisServer, SmallDisk, ThrowawayPostgres, free_port  # noqa: E402
from bench.chaos.soak import sample_every, summary  # noqa: E402
from tests.fakes.twilio import FakeTwilio  # noqa: E402

PUBLIC_URL = "https://chaos.acolhe.example"
SCENARIOS = ("kill-serve", "kill-worker", "redis", "postgres", "disk", "twilio")


@dataclass
class Drill:
    cluster: Cluster
    redis: RedisServer
    postgres: ThrowawayPostgres
    disk: SmallDisk
    fake: FakeTwilio
    load: Load
    database_url: str
    latency_s: float


Fault = Callable[[Drill], Awaitable[float]]  # runs the fault; returns when it ended


async def _restart(drill: Drill, name: str) -> None:
    drill.cluster.start(name)
    await asyncio.to_thread(drill.cluster.wait_ready, name)


async def kill_serve(drill: Drill) -> float:
    """A burst of first messages, then kill -9 of one serve while their turns run; restart."""
    drill.load.burst(40)
    await asyncio.sleep(0.05)
    drill.cluster.kill9("serve-a")
    ended = time.monotonic()
    await _restart(drill, "serve-a")
    return ended


async def kill_worker(drill: Drill) -> float:
    """Twilio slow for a moment (1 s answers, so sends are in flight) and a burst of replies
    due; kill -9 of one worker while Twilio has accepted its sends but not yet answered."""
    drill.fake.answer_delay_s = 1.0
    drill.load.burst(40)
    await asyncio.sleep(1.5)
    drill.cluster.kill9("worker-c")
    ended = time.monotonic()
    drill.fake.answer_delay_s = drill.latency_s
    await _restart(drill, "worker-c")
    return ended


async def restart_redis(drill: Drill) -> float:
    await asyncio.to_thread(drill.redis.stop)
    await asyncio.sleep(2)
    await asyncio.to_thread(drill.redis.start)
    return time.monotonic()


async def restart_postgres(drill: Drill) -> float:
    await asyncio.to_thread(drill.postgres.stop, "fast")
    await asyncio.sleep(2)
    await asyncio.to_thread(drill.postgres.start)
    return time.monotonic()


async def full_disk(drill: Drill) -> float:
    """Photos arrive while the documents folder has no free byte, for a minute."""
    drill.load.photos = True
    await asyncio.to_thread(drill.disk.fill)
    await asyncio.sleep(60)
    drill.disk.free()
    drill.load.photos = False
    return time.monotonic()


async def failing_twilio(drill: Drill) -> float:
    """A minute of 500s and 429s (Retry-After: 1); every third 500 after creating the message."""
    drill.fake.fail_for(60, statuses=(500, 429), retry_after=1.0, created_every=3)
    await asyncio.sleep(60)
    return time.monotonic()


FAULTS: dict[str, Fault] = {
    "kill-serve": kill_serve,
    "kill-worker": kill_worker,
    "redis": restart_redis,
    "postgres": restart_postgres,
    "disk": full_disk,
    "twilio": failing_twilio,
}


def _settled_in_doubt(drill: Drill, since: dict[str, int]) -> int:
    """Sends in doubt found at Twilio by the workers ('had been sent' in their logs)."""
    count = 0
    for app in drill.cluster.processes.values():
        for log in app.logs:
            body = log.read_text(errors="replace")[since.get(str(log), 0) :]
            count += body.count(" had been sent (")
    return count


async def scenario(
    drill: Drill, name: str, *, args: argparse.Namespace, slow_s: float, label: str = ""
) -> Verdict:
    load = drill.load
    label = label or name
    load.scenario = label
    offsets = drill.cluster.log_offsets()
    steady = asyncio.create_task(load.run(args.before + args.after + 60))
    await asyncio.sleep(args.before)
    print(f"  {name}: fault", flush=True)
    ended = await FAULTS[name](drill)
    await asyncio.sleep(max(0.0, args.after - (time.monotonic() - ended)))
    steady.cancel()
    print(f"  {name}: draining ({load.active()} clients busy)", flush=True)
    deadline = time.monotonic() + args.drain
    await load.drained(args.drain)
    while time.monotonic() < deadline and await asyncio.to_thread(pending_work, drill.database_url):
        await asyncio.sleep(0.5)
    work_done = time.monotonic()  # outbox rows and documents all done (within 0.5 s)
    await asyncio.sleep(2)  # anything sent twice would have arrived
    load.replies.poll()
    return await asyncio.to_thread(
        judge,
        scenario=label,
        messages=load.messages,
        database_url=drill.database_url,
        fake=drill.fake,
        fault_end=ended,
        slow_s=slow_s,
        in_doubt_settled=_settled_in_doubt(drill, offsets),
        work_done=work_done if name == "disk" else None,
    )


def _table(verdicts: list[Verdict]) -> str:
    lines = [
        f"{'scenario':<12} {'msgs':>5} {'lost':>5} {'dup':>4} {'stuck':>6} {'recover':>8}"
        f" {'11200':>6} {'15s':>4} {'retried':>7} {'>1 retry':>8} {'settled':>7}"
        f" {'e2e p50':>8} {'e2e p99':>8}"
    ]
    for v in verdicts:
        lines.append(
            f"{v.scenario:<12} {v.messages:>5} {v.lost:>5} {v.duplicated:>4} {v.stuck:>6}"
            f" {v.recovery_s:>7.1f}s {v.failed_attempts:>6} {v.timeouts:>4} {v.retried:>7}"
            f" {v.beyond_one_retry:>8}"
            f" {v.in_doubt_settled:>7} {v.e2e_p50:>7.2f}s {v.e2e_p99:>7.2f}s"
        )
        if v.detail:
            lines.append(f"{'':<12} {v.detail}")
    return "\n".join(lines)


def _summary(problems: list[str]) -> list[str]:
    """The distinct problem lines (numbers and ids blanked), most frequent first."""
    import re
    from collections import Counter

    kinds = Counter(re.sub(r"[0-9]+", "#", line.split(": ", 1)[-1])[:140] for line in problems)
    return [f"{count} x {kind}" for kind, count in kinds.most_common(12)]


def _rss(drill: Drill) -> dict[str, int]:
    sizes = {name: app.rss_kb() for name, app in drill.cluster.processes.items()}
    sizes["redis"] = drill.redis.rss_kb()
    sizes["postgres (all backends)"] = drill.postgres.rss_kb()
    return sizes


async def soak(drill: Drill, minutes: float, *, slow_s: float) -> dict[str, object]:
    load = drill.load
    load.scenario = "soak"
    await load.run(30)  # warm: pools, caches, the first collections
    offsets = drill.cluster.log_offsets()
    started = time.monotonic()
    rss_start = _rss(drill)
    first_sent = len(load.messages)
    print(f"  soak: RSS at start {rss_start}", flush=True)
    running = asyncio.create_task(load.run(minutes * 60))
    samples = await sample_every(drill, running)
    await running
    rss_end = _rss(drill)
    elapsed = time.monotonic() - started
    await load.drained(180)
    await asyncio.sleep(3)
    load.replies.poll()
    verdict = await asyncio.to_thread(
        judge,
        scenario="soak",
        messages=load.messages,
        database_url=drill.database_url,
        fake=drill.fake,
        fault_end=started,
        slow_s=float("inf"),
    )
    measured = load.messages[first_sent:]
    window = max(60.0, elapsed / 6)
    early = [m.e2e for m in measured if m.e2e is not None and m.started - started < window]
    late = [m.e2e for m in measured if m.e2e is not None and m.started - started > elapsed - window]
    return {
        "minutes": round(elapsed / 60, 1),
        "messages": len(measured),
        "rate_per_s": round(len(measured) / elapsed, 1),
        "lost": verdict.lost,
        "duplicated": verdict.duplicated,
        "stuck": verdict.stuck,
        "e2e_p99_first_s": round(percentile(early, 0.99), 3),
        "e2e_p99_last_s": round(percentile(late, 0.99), 3),
        "rss_kb_start": rss_start,
        "rss_kb_end": rss_end,
        **summary(samples),
        "samples": [asdict(sample) for sample in samples],
        "log_problems": drill.cluster.problems(since=offsets),
    }


def _env(fake: FakeTwilio, *, database_url: str, redis_url: str, nlu: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ONBOARD_")}
    env.update(
        PYTHONUNBUFFERED="1",
        ONBOARD_DATABASE_URL=database_url,
        ONBOARD_REDIS_URL=redis_url,
        ONBOARD_REDIS_KEY_PREFIX=f"chaos:{uuid.uuid4().hex[:8]}",
        ONBOARD_PUBLIC_URL=PUBLIC_URL,
        ONBOARD_TWILIO_ACCOUNT_SID=fake.account_sid,
        ONBOARD_TWILIO_AUTH_TOKEN=fake.auth_token,
        ONBOARD_TWILIO_WHATSAPP_NUMBER="+5511900000000",
        ONBOARD_TWILIO_API_URL=fake.url,
        ONBOARD_NLU_CACHE_DIR=str(nlu),
        ONBOARD_BRASILAPI_URL="",
        ONBOARD_OUTBOX_RETRY_BASE_S="1",
        NO_PROXY="127.0.0.1,localhost",
    )
    return env


def _create_database(server_url: str) -> str:
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text('CREATE DATABASE "chaos"'))
    admin.dispose()
    return server_url.rsplit("/", 1)[0] + "/chaos"


async def _drive(drill: Drill, args: argparse.Namespace) -> dict[str, object]:
    async with drill.load:
        print("  warm-up", flush=True)
        await drill.load.run(args.warmup)
        await drill.load.drained(60)
        warm = [m.e2e for m in drill.load.messages if m.e2e is not None]
        slow_s = max(2.0, 3 * percentile(warm, 0.99))
        print(f"  warm-up e2e p99 {percentile(warm, 0.99):.2f}s: 'delayed' means > {slow_s:.1f}s")
        results: dict[str, object] = {"slow_s": slow_s}
        if args.soak_minutes:
            results["soak"] = await soak(drill, args.soak_minutes, slow_s=slow_s)
            return results
        verdicts = []
        names = args.scenarios.split(",")
        for n, name in enumerate(names, start=1):
            label = name if names.count(name) == 1 else f"{name}-{names[:n].count(name)}"
            if name == "disk" and not drill.disk.mounted:
                print(f"  disk: skipped, no tmpfs ({drill.disk.why_not})")
                continue
            verdicts.append(await scenario(drill, name, args=args, slow_s=slow_s, label=label))
            print(_table(verdicts[-1:]).splitlines()[1], flush=True)
        results["verdicts"] = [asdict(v) for v in verdicts]
        results["table"] = _table(verdicts)
        results["rss_kb_end"] = _rss(drill)
        return results


# long: a benchmark script: start, inject faults, settle, report, in order
def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rate", type=float, default=12.0, help="client messages per second")
    parser.add_argument(
        "--scenarios", default=",".join(SCENARIOS), help="in order; one may come several times"
    )
    parser.add_argument("--warmup", type=float, default=20.0)
    parser.add_argument("--before", type=float, default=15.0, help="load before each fault (s)")
    parser.add_argument("--after", type=float, default=30.0, help="load after each fault (s)")
    parser.add_argument("--drain", type=float, default=240.0, help="longest wait to settle (s)")
    parser.add_argument("--twilio-latency", type=float, default=0.05, help="fake's answer (s)")
    parser.add_argument("--soak-minutes", type=float, default=0.0, help="soak instead of faults")
    parser.add_argument("--app-tree", type=Path, default=REPO, help="checkout the processes run")
    parser.add_argument("--json", type=Path, help="write the figures here too")
    parser.add_argument("--keep-logs", type=Path, help="copy the processes' logs here")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="acolhe-chaos.") as tmp:
        work = Path(tmp)
        postgres = ThrowawayPostgres()
        redis = RedisServer(work)
        disk = SmallDisk(work / "documents")
        try:
            postgres.init()
            redis.start()
            if not disk.mount():
                (work / "documents").mkdir(exist_ok=True)
            import nlu

            nlu.train(cache_dir=work / "nlu")
            with FakeTwilio() as fake:
                fake.answer_delay_s = args.twilio_latency
                database_url = _create_database(postgres.url)
                env = _env(fake, database_url=database_url, redis_url=redis.url, nlu=work / "nlu")
                env["ONBOARD_DOCUMENTS_DIR"] = str(work / "documents")
                (work / "logs").mkdir()
                cluster = Cluster(tree=args.app_tree, env=env, logs=work / "logs")
                ports = [free_port(), free_port()]
                cluster.add_serve("serve-a", ports[0])
                cluster.add_serve("serve-b", ports[1])
                cluster.add_worker("worker-c")
                cluster.add_worker("worker-d")
                cluster.migrate()
                cluster.start_all()
                proxy = RoundRobinProxy(ports).start()
                load = Load(
                    fake=fake,
                    url=f"http://127.0.0.1:{proxy.port}",
                    public_url=PUBLIC_URL,
                    rate=args.rate,
                )
                drill = Drill(
                    cluster, redis, postgres, disk, fake, load, database_url, args.twilio_latency
                )
                print(f"== chaos drill: {args.app_tree} at {args.rate:g} msg/s", flush=True)
                try:
                    results = asyncio.run(_drive(drill, args))
                finally:
                    cluster.stop_all()
                    proxy.stop()
                    problems = cluster.problems()
                results["log_problems_total"] = len(problems)
                results["log_problems_sample"] = _summary(problems)
                if args.keep_logs:
                    shutil.copytree(work / "logs", args.keep_logs, dirs_exist_ok=True)
        finally:
            disk.unmount()
            redis.stop()
            postgres.remove()
    if "table" in results:
        print(results["table"])
    if "soak" in results:
        soak = results["soak"]
        assert isinstance(soak, dict)
        shown = {k: v for k, v in soak.items() if k != "samples"}
        print(json.dumps(shown, indent=2))
    print(f"log lines with ERROR or a traceback: {results['log_problems_total']}")
    for line in results["log_problems_sample"]:  # type: ignore[attr-defined]
        print("  " + line)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    main()
