"""The alert worker end to end: real destinations against loopback fakes, retries with
backoff, exactly-once delivery with two workers racing, and catching up after a restart."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from bot.alerts import (
    AlertDeliveryError,
    AlertDestination,
    AlertMessage,
    AlertRules,
    EmailAlertDestination,
    SmtpConfig,
    TelegramAlertDestination,
    WebhookAlertDestination,
)
from bot.domain.clock import FakeClock
from bot.storage.database import make_engine, make_session_factory
from bot.storage.models import AlertDelivery, Escalation
from bot.workers.alerts import AlertWorker
from tests.alerts.support import RecordingDestination, make_worker
from tests.backoffice.factories import conversation_of, make_onboarding
from tests.fakes import FakeTelegram
from tests.fakes.chat_webhook import FakeChatWebhook
from tests.fakes.smtp import FakeSmtp
from tests.support.alert_fixtures import engine, memory, rules, sessions, worker  # noqa: F401 (fixtures)

MANAGERS_CHAT = -1001987654321


class Fakes:
    def __init__(self, telegram: FakeTelegram, smtp: FakeSmtp, hook: FakeChatWebhook) -> None:
        self.telegram, self.smtp, self.hook = telegram, smtp, hook

    def destinations(self) -> list[AlertDestination]:
        smtp = SmtpConfig(
            host=self.smtp.host,
            port=self.smtp.port,
            sender="alertas@acolhe.com.br",
            starttls=False,
        )
        return [
            TelegramAlertDestination(
                token=self.telegram.token, chat_id=MANAGERS_CHAT, api_url=self.telegram.url
            ),
            EmailAlertDestination(config=smtp, address="gerencia@acolhe.com.br"),
            WebhookAlertDestination(url=self.hook.hook_url, label="slack"),
        ]

    def counts(self) -> tuple[int, int, int]:
        return len(self.telegram.sent), len(self.smtp.received), len(self.hook.sent)


@pytest.fixture
def fakes() -> Iterator[Fakes]:
    with FakeTelegram() as telegram, FakeSmtp() as smtp, FakeChatWebhook() as hook:
        yield Fakes(telegram, smtp, hook)


def _escalate(sessions: sessionmaker[Session], clock: FakeClock, count: int = 1) -> list[int]:
    ids = []
    with sessions.begin() as session:
        for number in range(count):
            onboarding = make_onboarding(session, now=clock.now(), company=f"Cliente {number}")
            escalation = Escalation(
                conversation_id=conversation_of(session, onboarding).id,
                onboarding_id=onboarding.id,
                reason="human_requested",
                status="open",
                created_at=clock.now(),
            )
            session.add(escalation)
            session.flush()
            ids.append(escalation.id)
    return ids


def _deliveries(sessions: sessionmaker[Session]) -> list[AlertDelivery]:
    with sessions() as session:
        return list(session.scalars(select(AlertDelivery).order_by(AlertDelivery.id)))


async def test_every_destination_gets_the_alert_once_and_then_the_resolution(
    sessions: sessionmaker[Session], clock: FakeClock, rules: AlertRules, fakes: Fakes
) -> None:
    (escalation_id,) = _escalate(sessions, clock)
    clock.advance(timedelta(minutes=31))
    worker = make_worker(sessions, clock=clock, rules=rules, destinations=fakes.destinations())
    try:
        assert await worker.one_round() == 3
        assert await worker.one_round() == 0
        assert fakes.counts() == (1, 1, 1)
        assert fakes.telegram.sent[0]["chat_id"] == MANAGERS_CHAT
        assert "sem resposta há 31 min" in fakes.telegram.sent[0]["text"]
        assert "sem resposta há 31 min" in fakes.smtp.received[0].subject
        assert "sem resposta há 31 min" in fakes.hook.sent[0]["text"]

        with sessions.begin() as session:
            session.get_one(Escalation, escalation_id).status = "resolved"
        clock.advance(timedelta(minutes=1))
        assert await worker.one_round() == 3
        assert fakes.counts() == (2, 2, 2)
        assert fakes.telegram.sent[1]["text"].startswith("✅ Resolvido:")
        assert fakes.smtp.received[1].subject.startswith("[Acolhe] ✅ Resolvido:")
    finally:
        await worker.aclose()
    assert {d.status for d in _deliveries(sessions)} == {"sent"}


async def test_a_transient_failure_is_retried_with_backoff_and_delivered_once(
    sessions: sessionmaker[Session], clock: FakeClock, rules: AlertRules, fakes: Fakes
) -> None:
    _escalate(sessions, clock)
    clock.advance(timedelta(minutes=31))
    fakes.hook.fail_next(503)
    fakes.telegram.fail_next(status=429, retry_after=300)
    fakes.smtp.fail_next(451)
    worker = make_worker(sessions, clock=clock, rules=rules, destinations=fakes.destinations())
    try:
        await worker.one_round()
        assert fakes.counts() == (0, 0, 0)
        assert [(d.status, d.attempts) for d in _deliveries(sessions)] == [("pending", 1)] * 3
        clock.advance(timedelta(seconds=30))
        assert await worker.one_round() == 0  # backoff: about a minute, not yet
        clock.advance(timedelta(seconds=60))
        await worker.one_round()
        assert fakes.counts() == (0, 1, 1)  # Telegram asked for 300 s
        clock.advance(timedelta(seconds=300))
        await worker.one_round()
        await worker.one_round()
        assert fakes.counts() == (1, 1, 1)
    finally:
        await worker.aclose()
    assert [(d.status, d.attempts) for d in _deliveries(sessions)] == [("sent", 2)] * 3


async def test_permanent_failures_and_exhausted_retries_end_failed(
    sessions: sessionmaker[Session],
    clock: FakeClock,
    rules: AlertRules,
    memory: RecordingDestination,
) -> None:
    _escalate(sessions, clock)
    clock.advance(timedelta(minutes=31))
    refused = RecordingDestination("memory:refused")
    refused.fail = [AlertDeliveryError("chat not found", transient=False)]
    memory.fail = [AlertDeliveryError("timeout", transient=True) for _ in range(5)]
    worker = make_worker(
        sessions, clock=clock, rules=rules, destinations=[memory, refused], max_attempts=3
    )
    for _ in range(4):
        await worker.one_round()
        clock.advance(timedelta(hours=1))
    rows = {d.destination: (d.status, d.attempts, d.last_error) for d in _deliveries(sessions)}
    assert rows == {
        "memory:managers": ("failed", 3, "timeout"),
        "memory:refused": ("failed", 1, "chat not found"),
    }
    assert memory.sent == refused.sent == []


def _run_worker_in_own_loop(
    engine: Engine,
    *,
    clock: FakeClock,
    rules: AlertRules,
    fakes: Fakes,
    barrier: threading.Barrier,
    errors: list[BaseException],
) -> None:
    async def rounds() -> None:
        worker = make_worker(
            make_session_factory(engine),
            clock=clock,
            rules=rules,
            destinations=fakes.destinations(),
        )
        try:
            barrier.wait()
            idle = 0
            while idle < 3:
                idle = idle + 1 if await worker.one_round() == 0 else 0
        finally:
            await worker.aclose()

    try:
        asyncio.run(rounds())
    except BaseException as exc:  # noqa: BLE001 - reported by the test
        errors.append(exc)


def test_two_workers_racing_deliver_each_alert_exactly_once(
    database_url: str,
    sessions: sessionmaker[Session],
    clock: FakeClock,
    rules: AlertRules,
    fakes: Fakes,
) -> None:
    alerts = 6
    _escalate(sessions, clock, count=alerts)
    clock.advance(timedelta(minutes=45))
    engines = [make_engine(database_url) for _ in range(2)]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []
    threads = [
        threading.Thread(
            target=_run_worker_in_own_loop,
            args=(engine,),
            kwargs={
                "clock": clock,
                "rules": rules,
                "fakes": fakes,
                "barrier": barrier,
                "errors": errors,
            },
        )
        for engine in engines
    ]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        for engine in engines:
            engine.dispose()
    assert errors == []
    assert fakes.counts() == (alerts, alerts, alerts)
    texts = sorted(m["text"].split(":")[0] for m in fakes.telegram.sent)
    assert texts == sorted(f"🔴 Cliente {n}" for n in range(alerts))
    assert [d.status for d in _deliveries(sessions)] == ["sent"] * alerts * 3


class _DiesWhileSending:
    """The process is killed in the middle of a send: the round never records anything."""

    name = "memory:managers"

    async def send(self, message: AlertMessage) -> None:
        raise asyncio.CancelledError

    async def aclose(self) -> None:
        return None


async def test_a_restarted_worker_catches_up_once(
    sessions: sessionmaker[Session],
    clock: FakeClock,
    rules: AlertRules,
    memory: RecordingDestination,
) -> None:
    _escalate(sessions, clock, count=2)
    clock.advance(timedelta(seconds=90))
    _escalate(sessions, clock)
    clock.advance(timedelta(minutes=29, seconds=30))
    dying = make_worker(sessions, clock=clock, rules=rules, destinations=[_DiesWhileSending()])
    with pytest.raises(asyncio.CancelledError):
        await dying.one_round()  # raised two alerts, leased their deliveries (2 min), died

    clock.advance(timedelta(minutes=1))  # the third escalation falls due while nobody runs
    restarted: AlertWorker = make_worker(sessions, clock=clock, rules=rules, destinations=[memory])
    await restarted.one_round()
    assert len(memory.sent) == 1  # the new one; the leased ones wait for their lease to end
    clock.advance(timedelta(minutes=2))
    await restarted.one_round()
    await restarted.one_round()
    assert len(memory.sent) == 3
    assert len({m.alert_id for m in memory.sent}) == 3
    again = make_worker(sessions, clock=clock, rules=rules, destinations=[memory])
    clock.advance(timedelta(hours=1))
    await again.one_round()
    assert len(memory.sent) == 3
