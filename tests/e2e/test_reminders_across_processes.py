"""Three processes — ``onboard serve`` and two ``onboard worker`` — on one database and Redis,
with a shared clock moving days in seconds: every reminder, nudge and alert reaches the fakes
exactly once, and a worker started after downtime catches up once."""

from __future__ import annotations

import os
import subprocess
import sys
import time as wallclock
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select, update

from bot.bootstrap import Runtime, build_runtime
from bot.config import Settings
from bot.coordination.shared_clock import FileClock
from bot.domain.messages import Channel
from bot.service.training import sync_slots
from bot.storage.models import (
    AlertDelivery,
    Conversation,
    Onboarding,
    OutboxItem,
    ScheduledJob,
    StaffUser,
    TrainingAvailability,
)
from nlu.types import Interpreter
from tests.fakes.chat_webhook import FakeChatWebhook
from tests.fakes.twilio import FakeTwilio
from tests.support.conversation import Chat
from tests.support.server import free_port
from tests.support.waiting import eventually

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
START = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)  # Monday 10:00 in São Paulo
BOT_NUMBER = "+5511900000000"


def _sp(day: int, hour: int) -> datetime:
    return datetime(2026, 11, day, hour + 3, tzinfo=UTC)


@pytest.fixture
def fakes() -> Iterator[tuple[FakeTwilio, FakeChatWebhook]]:
    with FakeTwilio() as twilio, FakeChatWebhook() as hook:
        yield twilio, hook


def _env(
    *,
    database_url: str,
    redis_url: str,
    prefix: str,
    clock_file: Path,
    nlu_cache: Path,
    tmp_path: Path,
    twilio: FakeTwilio,
    hook: FakeChatWebhook,
) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ONBOARD_")}
    env.update(
        PYTHONUNBUFFERED="1",
        ONBOARD_ENVIRONMENT="test",
        ONBOARD_DATABASE_URL=database_url,
        ONBOARD_REDIS_URL=redis_url,
        ONBOARD_REDIS_KEY_PREFIX=prefix,
        ONBOARD_CLOCK_FILE=str(clock_file),
        ONBOARD_NLU_CACHE_DIR=str(nlu_cache),
        ONBOARD_DOCUMENTS_DIR=str(tmp_path / "documents"),
        ONBOARD_BRASILAPI_URL="",
        ONBOARD_PUBLIC_URL="https://acolhe.example.com.br",
        ONBOARD_TWILIO_ACCOUNT_SID=twilio.account_sid,
        ONBOARD_TWILIO_AUTH_TOKEN=twilio.auth_token,
        ONBOARD_TWILIO_WHATSAPP_NUMBER=BOT_NUMBER,
        ONBOARD_TWILIO_API_URL=twilio.url,
        ONBOARD_ALERT_WEBHOOK_URL=hook.hook_url,
        ONBOARD_ALERT_SWEEP_INTERVAL_S="0",
        ONBOARD_WHATSAPP_TEMPLATES_JSON='{"reminder": "HXreminder", "nudge": "HXnudge"}',
    )
    return env


class Processes:
    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env, self.logs, self.running = env, logs, list[subprocess.Popen[bytes]]()

    def start(self, *args: str) -> None:
        log = (self.logs / f"{args[0]}-{len(self.running)}.log").open("wb")
        self.running.append(
            subprocess.Popen(
                [sys.executable, "-m", "bot", *args],
                cwd=REPO,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
        log.close()

    def wait_ready(self, health_url: str) -> None:
        """The server answers and every worker has started its loops (clock still at start)."""

        def up() -> bool:
            try:
                return httpx.get(health_url, timeout=1).status_code == 200
            except httpx.HTTPError:
                return False

        eventually(up, timeout=60, what="the server")
        logs = list(self.logs.glob("worker-*.log"))
        eventually(
            lambda: all("worker running" in log.read_text(errors="replace") for log in logs),
            timeout=60,
            what="the workers",
        )
        wallclock.sleep(3)  # the workers' first rounds, at the starting time

    def stop(self) -> None:
        for process in self.running:
            process.terminate()
        for process in self.running:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.running.clear()


def _world(runtime: Runtime) -> None:
    now = runtime.clock.now()
    with runtime.sessions.begin() as session:
        csm = StaffUser(name="Carla", email="carla@acolhe.example", role="csm", created_at=now)
        session.add(csm)
        session.flush()
        for weekday in (0, 2):  # Mondays and Wednesdays 10:00-11:00
            session.add(
                TrainingAvailability(
                    csm_id=csm.id,
                    weekday=weekday,
                    starts=time(10),
                    ends=time(11),
                    duration_minutes=60,
                    capacity=5,
                    meeting_url="https://meet.example.com/t",
                    active=True,
                    created_at=now,
                )
            )
        session.flush()
        sync_slots(session, start=now, end=now + timedelta(days=14), now=now)


def _booked_client(runtime: Runtime, phone: str, request: str) -> None:
    chat = Chat(runtime, address=phone, channel=Channel.TWILIO_WHATSAPP)
    chat.say("oi")
    with runtime.sessions.begin() as session:
        conversation = session.scalars(
            select(Conversation).where(Conversation.address == phone)
        ).one()
        conversation.state = {"started": True, "finished": True}
        session.execute(
            update(Onboarding)
            .where(Onboarding.id == conversation.onboarding_id)
            .values(stage="treinamento")
        )
    assert "Tenho" in chat.say(request)
    assert "Treinamento agendado" in chat.say("sim")


def _caught_up(runtime: Runtime, at: datetime) -> None:
    """Waits until the workers finished everything due by ``at``: jobs, outbox rows and alert
    deliveries. Claims are leases of a few minutes of the shared clock; moving the clock an hour
    while a send is in flight would end the lease mid-send, which real time never does."""

    def nothing_due() -> bool:
        with runtime.sessions() as session:
            due = sum(
                session.scalar(select(func.count()).select_from(table).where(*where)) or 0
                for table, where in (
                    (ScheduledJob, (ScheduledJob.status == "pending", ScheduledJob.due_at <= at)),
                    (
                        OutboxItem,
                        (OutboxItem.status == "pending", OutboxItem.next_attempt_at <= at),
                    ),
                    (
                        AlertDelivery,
                        (AlertDelivery.status == "pending", AlertDelivery.next_attempt_at <= at),
                    ),
                )
            )
        return due == 0

    wallclock.sleep(0.1)
    eventually(nothing_due, timeout=60, what=f"the jobs due by {at.isoformat()}")


def _is_reminder(text: str) -> bool:
    """A training reminder or the NPS question: as free text inside WhatsApp's 24-hour window,
    as the approved template outside it."""
    return text.startswith(("HXreminder", "Lembrete:", "Seu treinamento começa", "Como foi"))


def _is_nudge(text: str) -> bool:
    return text.startswith(("HXnudge", "Oi! 👋 Seu cadastro ficou parado"))


def _texts_to(twilio: FakeTwilio, phone: str) -> list[str]:
    return [
        f"{m.content_sid}:{m.content_variables}" if m.content_sid else (m.body or "")
        for m in list(twilio.sent)
        if m.to == f"whatsapp:{phone}"
    ]


# long: one end-to-end story, step after step as a person (or process) lives it
def test_three_processes_send_each_reminder_and_alert_once(
    database_url: str,
    redis_url: str,
    redis_prefix: str,
    nlu_cache_dir: Path,
    real_interpreter: Interpreter,
    tmp_path: Path,
    fakes: tuple[FakeTwilio, FakeChatWebhook],
) -> None:
    twilio, hook = fakes
    clock_file = tmp_path / "clock"
    FileClock.write(clock_file, START)
    env = _env(
        database_url=database_url,
        redis_url=redis_url,
        prefix=redis_prefix,
        clock_file=clock_file,
        nlu_cache=nlu_cache_dir,
        tmp_path=tmp_path,
        twilio=twilio,
        hook=hook,
    )
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        environment="test",
        database_url=database_url,
        clock_file=clock_file,
        public_url="https://acolhe.example.com.br",
        brasilapi_url="",
        documents_dir=tmp_path / "documents",
        nlu_cache_dir=nlu_cache_dir,
    )
    runtime = build_runtime(settings, interpreter=real_interpreter, migrate=False)
    processes = Processes(env, tmp_path)
    try:
        _world(runtime)
        _booked_client(runtime, "+5511933330001", "quero agendar o treinamento quarta às 10h")
        _booked_client(runtime, "+5511933330002", "quero agendar o treinamento quarta às 10h")
        _booked_client(runtime, "+5511933330004", "quero agendar o treinamento 30/11 às 10h")
        idle = Chat(runtime, address="+5511933330003", channel=Channel.TWILIO_WHATSAPP)
        idle.say("oi")
        idle.say("sim")

        port = free_port()
        processes.start("serve", "--port", str(port))
        processes.start("worker")
        processes.start("worker")
        processes.wait_ready(f"http://127.0.0.1:{port}/healthz")
        at = START
        while at < _sp(26, 12):  # Monday 10:00 -> Thursday 12:00, an hour per step
            at += timedelta(hours=1)
            FileClock.write(clock_file, at)
            _caught_up(runtime, at)

        def settled() -> bool:
            booked = [_texts_to(twilio, f"+551193333000{n}") for n in (1, 2)]
            reminders = [[t for t in texts if _is_reminder(t)] for texts in booked]
            nudges = [t for t in _texts_to(twilio, "+5511933330003") if _is_nudge(t)]
            alerts = [b for b in hook.sent if "Cliente parado" in str(b)]
            return all(len(r) == 3 for r in reminders) and len(nudges) == 2 and len(alerts) == 1

        eventually(settled, timeout=60, what="reminders, nudges and the idle alert")
        wallclock.sleep(3)  # anything sent twice would arrive by now
        for phone in ("+5511933330001", "+5511933330002"):
            assert len([t for t in _texts_to(twilio, phone) if _is_reminder(t)]) == 3
        assert len([t for t in _texts_to(twilio, "+5511933330003") if _is_nudge(t)]) == 2
        counts = Counter(str(body.get("text")) for body in hook.sent)
        twice = [text for text, count in counts.items() if count > 1]
        assert counts and not twice, f"alerts that reached the webhook twice: {twice}"
        # The Monday 30/11 client: nothing due yet.
        assert [t for t in _texts_to(twilio, "+5511933330004") if _is_reminder(t)] == []

        # Downtime: every process stops; Friday 10:00 (the 24 h reminder) passes; one worker
        # starts again and catches up once.
        processes.stop()
        FileClock.write(clock_file, _sp(27, 15))
        processes.start("worker")
        eventually(
            lambda: [t for t in _texts_to(twilio, "+5511933330004") if _is_reminder(t)],
            timeout=60,
            what="the caught-up reminder",
        )
        processes.start("worker")
        wallclock.sleep(3)
        late = [t for t in _texts_to(twilio, "+5511933330004") if _is_reminder(t)]
        assert len(late) == 1
    finally:
        processes.stop()
        runtime.close()
