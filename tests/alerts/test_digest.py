"""The daily digest: once per business day at 08:30 in São Paulo, never on weekends or
holidays, listing the stalled onboardings; a worker started late catches up once."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.alerts import DAILY_DIGEST, AlertRules
from bot.domain.clock import FakeClock
from bot.storage.models import Message
from tests.alerts.support import RecordingDestination, make_worker
from tests.backoffice.factories import conversation_of, make_onboarding

MONDAY_0700 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # 07:00 in São Paulo (UTC-3)


@pytest.fixture
def digest_rules(rules: AlertRules) -> AlertRules:
    return dataclasses.replace(rules, digest_time=time(8, 30))


def _digests(memory: RecordingDestination) -> list[str]:
    return [m.title for m in memory.sent if m.kind == DAILY_DIGEST]


async def test_one_digest_per_business_day_at_the_local_time(
    sessions: sessionmaker[Session], digest_rules: AlertRules, memory: RecordingDestination
) -> None:
    clock = FakeClock(MONDAY_0700)
    worker = make_worker(sessions, clock=clock, rules=digest_rules, destinations=[memory])

    async def at(local: datetime) -> list[str]:
        clock.set(local + timedelta(hours=3))  # São Paulo → UTC
        await worker.one_round()
        await worker.one_round()
        return _digests(memory)

    assert await at(datetime(2026, 11, 23, 7, 0, tzinfo=UTC)) == []
    assert await at(datetime(2026, 11, 23, 8, 29, tzinfo=UTC)) == []
    assert await at(datetime(2026, 11, 23, 8, 31, tzinfo=UTC)) == [
        "Resumo diário 23/11/2026: nenhum onboarding parado"
    ]
    assert len(await at(datetime(2026, 11, 23, 17, 0, tzinfo=UTC))) == 1
    assert len(await at(datetime(2026, 11, 24, 8, 30, tzinfo=UTC))) == 2  # Tuesday
    assert len(await at(datetime(2026, 11, 28, 9, 0, tzinfo=UTC))) == 2  # Saturday
    assert len(await at(datetime(2026, 11, 29, 9, 0, tzinfo=UTC))) == 2  # Sunday
    assert len(await at(datetime(2026, 12, 25, 9, 0, tzinfo=UTC))) == 2  # Christmas (Friday)
    assert len(await at(datetime(2026, 12, 28, 8, 45, tzinfo=UTC))) == 3  # Monday again


async def test_the_digest_lists_stalled_onboardings(
    sessions: sessionmaker[Session], digest_rules: AlertRules, memory: RecordingDestination
) -> None:
    clock = FakeClock(MONDAY_0700 + timedelta(hours=2))  # 09:00
    now = clock.now()
    with sessions.begin() as session:
        make_onboarding(
            session, now=now, company="Parada Há Dias Ltda", entered_at=now - timedelta(days=5)
        )
        busy = make_onboarding(
            session, now=now, company="Conversando Ltda", entered_at=now - timedelta(days=5)
        )
        session.add(
            Message(
                conversation_id=conversation_of(session, busy).id,
                direction="in",
                author="client",
                text="enviei o contrato",
                created_at=now - timedelta(hours=20),
            )
        )
        make_onboarding(
            session,
            now=now,
            stage="validacao",
            company="Prazo Estourado SA",
            entered_at=now - timedelta(days=6),  # last Tuesday 09:00: due at 17:00 that day
        )
        make_onboarding(session, now=now, company="Recém Chegada ME")
    worker = make_worker(sessions, clock=clock, rules=digest_rules, destinations=[memory])
    await worker.one_round()
    (digest,) = [m for m in memory.sent if m.kind == DAILY_DIGEST]
    assert digest.title == "Resumo diário 23/11/2026: 2 onboarding(s) parado(s)"
    lines = digest.body.splitlines()
    assert len(lines) == 2
    assert "Parada Há Dias Ltda — Documentos: sem atividade há 5 dias" in lines[0]
    assert "Prazo Estourado SA — Validação: prazo da etapa estourado desde 17/11 17:00" in lines[1]


async def test_a_worker_started_late_catches_up_once(
    sessions: sessionmaker[Session], digest_rules: AlertRules
) -> None:
    clock = FakeClock(MONDAY_0700)
    first = RecordingDestination()
    await make_worker(sessions, clock=clock, rules=digest_rules, destinations=[first]).one_round()
    assert first.sent == []
    # the worker is down from 07:00 to 11:00; a new instance starts then
    clock.advance(timedelta(hours=4))
    restarted = RecordingDestination()
    worker = make_worker(sessions, clock=clock, rules=digest_rules, destinations=[restarted])
    await worker.one_round()
    await worker.one_round()
    assert len(_digests(restarted)) == 1
    clock.advance(timedelta(minutes=5))
    again = make_worker(sessions, clock=clock, rules=digest_rules, destinations=[restarted])
    await again.one_round()
    assert len(_digests(restarted)) == 1
