"""In-process cost of the message path, without HTTP: CPU per turn and per delivery.

    .venv/bin/python -m bench.webhooks.turns [--database URL] [--clients N] [--batch N]
        [--profile turn|outbox]

Builds a runtime like ``onboard serve`` (real built-in NLU, real flows) on a fresh database (a
new SQLite file, or a new database on the given PostgreSQL server), then, in one thread:

1. ``ConversationService.handle`` for every client's three messages (the bench's script), or,
   with ``--batch N``, ``handle_many`` for N clients' messages at a time (what the inbox does
   under load);
2. ``OutboxWorker.run_once`` against the fake Twilio until the outbox is empty.

It prints CPU milliseconds per turn and per delivered reply (the delivery figure includes the
fake Twilio, which runs in this process); ``--profile`` prints the top of a CPU-time cProfile
of one phase, to see where a turn's time goes.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import pstats
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from bench.databases import fresh_database  # noqa: E402
from bot.bootstrap import build_channels, build_outbox_worker, build_runtime  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.domain.messages import Channel, InboundMessage  # noqa: E402
from tests.fakes.twilio import FakeTwilio  # noqa: E402

MESSAGES = ("oi", "1", "Maria da Silva")


def _inbound(phone: str, text: str, *, sid: str) -> InboundMessage:
    return InboundMessage(
        channel=Channel.TWILIO_WHATSAPP,
        address=phone,
        text=text,
        external_id=sid,
        received_at=datetime.now(UTC),
        profile_name="Bench",
    )


def _report(label: str, count: int, *, cpu: float, wall: float) -> None:
    print(
        f"{label:<10} {count:>6} x  {cpu / max(1, count) * 1000:7.2f} ms CPU"
        f"  {wall / max(1, count) * 1000:7.2f} ms wall"
    )


def _top(profiler: cProfile.Profile, args: argparse.Namespace) -> None:
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).sort_stats(args.sort)
    stats.print_stats(args.lines)
    if args.callees:
        stats.print_callees(args.callees)
    if args.callers:
        stats.print_callers(args.callers)
    print(out.getvalue())


def main() -> None:  # long: the benchmark read top to bottom: set-up, turns, deliveries
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", default="", help="database URL (default: a fresh SQLite)")
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--batch", type=int, default=1, help="turns per transaction")
    parser.add_argument("--profile", choices=("turn", "outbox"), default=None)
    parser.add_argument("--lines", type=int, default=45)
    parser.add_argument("--callees", default="", help="print the callees of these functions")
    parser.add_argument("--callers", default="", help="print the callers of these functions")
    parser.add_argument("--sort", default="cumulative", help="pstats sort key")
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as tmp,
        FakeTwilio() as fake,
        fresh_database(args.database or f"sqlite:///{tmp}/turns.db") as database_url,
    ):
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            environment="test",
            database_url=database_url,
            public_url="https://bench.acolhe.example",
            twilio_account_sid=fake.account_sid,
            twilio_auth_token=fake.auth_token,  # type: ignore[arg-type]
            twilio_whatsapp_number="+5511900000000",
            twilio_api_url=fake.url,
            documents_dir=Path(tmp) / "documents",
            nlu_cache_dir=Path(tempfile.gettempdir()) / "acolhe-bench-nlu",
            brasilapi_url="",
            whatsapp_rate_per_s=100000,
        )
        runtime = build_runtime(settings)
        service = runtime.conversations
        run = f"{time.time_ns():x}"
        phones = [f"+55118{run[-4:]}{n:04d}" for n in range(args.clients)]
        # Warm up the NLU, the flows and SQLAlchemy's statement caches.
        service.handle(_inbound("+5511799999999", "oi", sid=f"warm-{run}"))

        profiler = cProfile.Profile(time.process_time)
        cpu, wall = time.process_time(), time.perf_counter()
        if args.profile == "turn":
            profiler.enable()
        turns = 0
        for index, text in enumerate(MESSAGES):
            for first in range(0, len(phones), args.batch):
                batch = [
                    _inbound(phone, text, sid=f"SM{run}{phone}{index}")
                    for phone in phones[first : first + args.batch]
                ]
                if args.batch == 1:
                    service.handle(batch[0])
                else:
                    service.handle_many(batch)
                turns += len(batch)
        profiler.disable()
        _report("turn", turns, cpu=time.process_time() - cpu, wall=time.perf_counter() - wall)
        if args.profile == "turn":
            _top(profiler, args)

        async def deliver() -> int:
            channels = build_channels(settings)
            await channels.start(start_telegram=False)
            worker = build_outbox_worker(runtime, channels)
            sent = 0
            try:
                while handled := await worker.run_once():
                    sent += handled
            finally:
                await channels.close()
            return sent

        profiler = cProfile.Profile(time.process_time)
        cpu, wall = time.process_time(), time.perf_counter()
        if args.profile == "outbox":
            profiler.enable()
        sent = asyncio.run(deliver())
        profiler.disable()
        _report("delivery", sent, cpu=time.process_time() - cpu, wall=time.perf_counter() - wall)
        if args.profile == "outbox":
            _top(profiler, args)
        runtime.close()


if __name__ == "__main__":
    main()
