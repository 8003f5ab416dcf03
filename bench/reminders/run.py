"""The periodic sweeps at scale: idle clients (nudges) and manager alerts, over many stalled
onboardings.

    .venv/bin/python -m bench.reminders.run [--conversations 5000] [--database URL]

Seeds a fresh database (a new SQLite file, or a new database on the given PostgreSQL server)
with ``--conversations`` self-service clients who stopped writing at moments spread over the
last 20 days: half in registration (waiting on the client: nudges), half in validation
(waiting on the team, so most are past the stage's SLA: alerts). Then it runs, a minute apart
as the workers do:

1. the reminder worker's idle sweep (``ReminderWorker.sweep_idle``): the first one, which
   schedules every conversation's nudges and idle alert; the next one, the steady state; one
   after a tenth of the clients wrote again (a new idle period each);
2. the alert worker's sweep (``AlertWorker.sweep``): the first one, which raises an alert per
   onboarding at risk or past its SLA; the next one, with nothing new.

For each it prints wall and CPU seconds, the statements sent to the database, and the jobs
scheduled or alerts raised.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, insert, select, update

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from bench.databases import fresh_database  # noqa: E402
from bot.bootstrap import (  # noqa: E402
    Runtime,
    build_alert_worker,
    build_reminder_worker,
    build_runtime,
)
from bot.config import Settings  # noqa: E402
from bot.domain.clock import FakeClock  # noqa: E402
from bot.domain.messages import Channel, InboundMessage  # noqa: E402
from bot.storage.models import (  # noqa: E402
    Alert,  # noqa: E402
    Base,
    Client,
    Conversation,
    Onboarding,
    ScheduledJob,  # noqa: E402
)

START = datetime(2026, 11, 25, 14, tzinfo=UTC)  # Wednesday 11:00 in São Paulo


def _template_state(runtime: Runtime) -> dict[str, object]:
    """The dialogue state of a client who consented and was asked for their name."""
    address = "+5511700000000"
    for number, text in enumerate(("oi", "sim")):
        runtime.conversations.handle(
            InboundMessage(
                channel=Channel.TWILIO_WHATSAPP,
                address=address,
                text=text,
                external_id=f"template-{number}",
                received_at=START,
            )
        )
    with runtime.sessions() as session:
        state: dict[str, object] = session.scalars(
            select(Conversation.state).where(Conversation.address == address)
        ).one()
    return state


def _seed(runtime: Runtime, count: int, *, state: dict[str, object]) -> None:
    with runtime.sessions.begin() as session:
        clients = session.scalars(
            insert(Client).returning(Client.id, sort_by_parameter_order=True),
            [{"created_at": START, "updated_at": START} for _ in range(count)],
        ).all()
        onboardings = session.scalars(
            insert(Onboarding).returning(Onboarding.id, sort_by_parameter_order=True),
            [
                {
                    "client_id": c,
                    "segment": "self_service",
                    # Half wait on the client (registration), half on the team (validation).
                    "stage": "cadastro" if n % 2 == 0 else "validacao",
                    "stage_entered_at": START - timedelta(hours=2 + (n * 479 / max(1, count))),
                    "created_at": START - timedelta(days=21),
                }
                for n, c in enumerate(clients)
            ],
        ).all()
        session.execute(
            insert(Conversation),
            [
                {
                    "channel": Channel.TWILIO_WHATSAPP.value,
                    "address": f"+55119{n:08d}",
                    "state": state,
                    "client_id": client,
                    "onboarding_id": onboarding,
                    # Idle since 1 hour to 20 days ago, spread evenly.
                    "last_inbound_at": START - timedelta(hours=1 + (n * 479 / max(1, count))),
                    "created_at": START - timedelta(days=21),
                    "updated_at": START,
                }
                for n, (client, onboarding) in enumerate(zip(clients, onboardings, strict=True))
            ],
        )


# long: a benchmark script: fill, sweep, count statements, report, in order
def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--conversations", type=int, default=5000)
    parser.add_argument("--database", default="", help="PostgreSQL URL (default: a SQLite file)")
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as tmp,
        fresh_database(args.database or f"sqlite:///{tmp}/sweep.db") as url,
    ):
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            environment="test",
            database_url=url,
            documents_dir=Path(tmp) / "documents",
            nlu_cache_dir=Path(tempfile.gettempdir()) / "acolhe-bench-nlu",
            brasilapi_url="",
        )
        clock = FakeClock(START)
        runtime = build_runtime(settings, clock=clock)
        _seed(runtime, args.conversations, state=_template_state(runtime))
        worker = build_reminder_worker(runtime)
        statements = [0]

        def count(*_: object) -> None:
            statements[0] += 1

        event.listen(runtime.db, "before_cursor_execute", count)

        alerts = build_alert_worker(runtime)

        def measure(label: str, run: Callable[[], object], *, table: type[Base], what: str) -> None:
            clock.advance(timedelta(minutes=1))
            with runtime.sessions() as session:
                rows_before = session.scalar(select(func.count()).select_from(table)) or 0
            statements[0] = 0
            cpu, wall = time.process_time(), time.perf_counter()
            run()
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            sent = statements[0]
            with runtime.sessions() as session:
                rows = (session.scalar(select(func.count()).select_from(table)) or 0) - rows_before
            print(
                f"{label:<34} {wall:7.2f} s wall {cpu:7.2f} s CPU {sent:>8} statements"
                f" {rows:>7} {what}"
            )

        print(f"{args.conversations} idle conversations on {url.split(':', 1)[0]}")
        jobs: dict[str, Any] = {"table": ScheduledJob, "what": "jobs scheduled"}
        measure("idle sweep: first", worker.sweep_idle, **jobs)
        measure("idle sweep: next (steady state)", worker.sweep_idle, **jobs)
        with runtime.sessions.begin() as session:
            session.execute(
                update(Conversation)
                .where(Conversation.id % 10 == 0)
                .values(last_inbound_at=clock.now() - timedelta(hours=2))
            )
        measure("idle sweep: after a tenth wrote", worker.sweep_idle, **jobs)

        def sweep_alerts() -> object:
            return asyncio.run(alerts.sweep())

        measure("alert sweep: first", sweep_alerts, table=Alert, what="alerts raised")
        measure("alert sweep: next (steady state)", sweep_alerts, table=Alert, what="alerts raised")
        asyncio.run(alerts.aclose())
        runtime.close()


if __name__ == "__main__":
    main()
