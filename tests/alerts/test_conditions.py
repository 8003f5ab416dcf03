"""Each condition through the worker's sweep: raised once, nothing new on the next sweep,
marked resolved (with a "resolvido" notice) when it ends, and raised again in a new period.

The fake clock starts on Tuesday 2026-11-24, 10:00 in São Paulo (business hours 09–18).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine, event, select
from sqlalchemy.orm import Session, sessionmaker

from backoffice.audit import record_audit
from backoffice.onboardings import change_stage
from bot.alerts import (
    ERP_PUSH_FAILING,
    ESCALATION_UNANSWERED,
    RED_FLAG,
    SLA_AT_RISK,
    SLA_BREACHED,
)
from bot.domain.clock import FakeClock
from bot.storage.models import Alert, ErpPush, Escalation, Onboarding
from bot.workers.alerts import AlertWorker
from tests.alerts.support import RecordingDestination
from tests.backoffice.factories import conversation_of, make_onboarding


def _alerts(sessions: sessionmaker[Session], kind: str) -> list[Alert]:
    with sessions() as session:
        return list(session.scalars(select(Alert).where(Alert.kind == kind).order_by(Alert.id)))


async def test_stage_sla_at_risk_then_breached_then_resolved_then_next_stage(
    sessions: sessionmaker[Session],
    clock: FakeClock,
    worker: AlertWorker,
    memory: RecordingDestination,
) -> None:
    with sessions.begin() as session:
        onboarding_id = make_onboarding(session, now=clock.now(), stage="validacao").id

    clock.advance(timedelta(hours=5))  # 15:00: 5 of 8 business hours
    await worker.one_round()
    assert memory.sent == []

    clock.advance(timedelta(hours=2))  # 17:00: 7 of 8, past the 80 % mark
    await worker.one_round()
    await worker.one_round()
    assert memory.kinds() == [SLA_AT_RISK]
    assert memory.sent[0].title == "Empresa Teste Ltda: etapa Validação está perto do prazo"
    assert "Prazo: 24/11/2026 18:00" in memory.sent[0].body

    clock.advance(timedelta(hours=1, minutes=30))  # 18:30: breached at 18:00
    await worker.one_round()
    await worker.one_round()
    assert memory.kinds() == [SLA_AT_RISK, SLA_BREACHED]
    assert memory.sent[1].severity == "critical"

    with sessions.begin() as session:
        onboarding = session.get_one(Onboarding, onboarding_id)
        change_stage(
            session, onboarding, to_stage="aprovacao", actor="staff:1", reason="", now=clock.now()
        )
    await worker.one_round()
    resolved = [m for m in memory.sent if m.purpose == "resolve"]
    assert sorted(m.kind for m in resolved) == [SLA_AT_RISK, SLA_BREACHED]
    assert all(a.resolved_at == clock.now() for a in _alerts(sessions, SLA_AT_RISK))

    clock.advance(timedelta(hours=21, minutes=30))  # Wednesday 16:00: 7 h into aprovação
    await worker.one_round()
    await worker.one_round()
    at_risk = _alerts(sessions, SLA_AT_RISK)
    assert [a.period_key.split("@")[0] for a in at_risk] == ["validacao", "aprovacao"]
    assert at_risk[1].resolved_at is None
    assert memory.kinds() == [SLA_AT_RISK, SLA_BREACHED, SLA_AT_RISK]


async def test_a_sweep_with_nothing_new_writes_nothing(
    engine: Engine,
    sessions: sessionmaker[Session],
    clock: FakeClock,
    worker: AlertWorker,
    memory: RecordingDestination,
) -> None:
    """Stalled onboardings stay past their SLA for days: the sweep (every minute) raises each
    alert once and then only reads, instead of an insert-once statement per condition."""
    with sessions.begin() as session:
        for n in range(5):
            make_onboarding(session, now=clock.now(), stage="validacao", company=f"Loja {n}")
    clock.advance(timedelta(hours=9))  # breached at 18:00
    await worker.one_round()
    assert len(_alerts(sessions, SLA_AT_RISK)) == len(_alerts(sessions, SLA_BREACHED)) == 5

    written: list[str] = []
    event.listen(
        engine,
        "before_cursor_execute",
        lambda _c, _cur, statement, *_: (
            written.append(statement)
            if statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
            else None
        ),
    )
    clock.advance(timedelta(minutes=5))
    result = await worker.sweep()
    assert (result.raised, result.resolved) == (0, 0)
    assert written == []


async def test_an_escalation_nobody_takes_alerts_after_the_threshold(
    sessions: sessionmaker[Session],
    clock: FakeClock,
    worker: AlertWorker,
    memory: RecordingDestination,
) -> None:
    with sessions.begin() as session:
        onboarding = make_onboarding(session, now=clock.now(), company="Padaria Pão & Cia")
        escalation = Escalation(
            conversation_id=conversation_of(session, onboarding).id,
            onboarding_id=onboarding.id,
            reason="human_requested",
            detail="quer falar sobre o contrato",
            status="open",
            created_at=clock.now(),
        )
        session.add(escalation)
        session.flush()
        escalation_id = escalation.id

    clock.advance(timedelta(minutes=29))
    await worker.one_round()
    assert memory.sent == []

    clock.advance(timedelta(minutes=2))
    await worker.one_round()
    await worker.one_round()
    (alert,) = memory.sent
    assert alert.kind == ESCALATION_UNANSWERED
    assert alert.title == "Padaria Pão & Cia: pedido de atendimento sem resposta há 31 min úteis"
    assert "quer falar sobre o contrato" in alert.body

    with sessions.begin() as session:
        taken = session.get_one(Escalation, escalation_id)
        taken.status, taken.taken_at = "taken", clock.now()
    await worker.one_round()
    assert [m.purpose for m in memory.sent] == ["raise", "resolve"]
    (stored,) = _alerts(sessions, ESCALATION_UNANSWERED)
    assert stored.resolved_at == clock.now()


async def test_an_escalation_waits_in_business_minutes_over_the_weekend(
    sessions: sessionmaker[Session],
    clock: FakeClock,
    worker: AlertWorker,
    memory: RecordingDestination,
) -> None:
    """Asked for a person on Friday at 17:50: 10 business minutes that day, 20 on Monday."""
    friday = clock.now() + timedelta(days=3, hours=7, minutes=50)  # Friday 27/11, 17:50
    clock.set(friday)
    with sessions.begin() as session:
        onboarding = make_onboarding(session, now=clock.now(), company="Oficina Boa Vista")
        session.add(
            Escalation(
                conversation_id=conversation_of(session, onboarding).id,
                onboarding_id=onboarding.id,
                reason="human_requested",
                status="open",
                created_at=clock.now(),
            )
        )

    for later in (timedelta(minutes=40), timedelta(hours=15), timedelta(days=2, hours=15)):
        clock.set(friday + later)  # Friday 18:30, Saturday 08:50, Monday 08:50
        await worker.one_round()
        assert memory.sent == [], f"alerted at {clock.now()}"
    clock.set(friday + timedelta(days=2, hours=15, minutes=31))  # Monday 09:21
    await worker.one_round()
    (alert,) = memory.sent
    assert alert.title == "Oficina Boa Vista: pedido de atendimento sem resposta há 31 min úteis"


async def test_a_red_flag_alerts_once_per_flagging(
    sessions: sessionmaker[Session],
    clock: FakeClock,
    worker: AlertWorker,
    memory: RecordingDestination,
) -> None:
    with sessions.begin() as session:
        onboarding_id = make_onboarding(session, now=clock.now()).id

    def flag(reason: str | None) -> None:
        with sessions.begin() as session:
            onboarding = session.get_one(Onboarding, onboarding_id)
            onboarding.red_flag, onboarding.red_flag_reason = reason is not None, reason
            record_audit(
                session,
                actor="staff:1",
                action="red_flag_set" if reason else "red_flag_cleared",
                at=clock.now(),
                client_id=onboarding.client_id,
                field="red_flag",
                new=reason,
            )

    flag("cliente ameaçou cancelar")
    await worker.one_round()
    await worker.one_round()
    assert memory.kinds() == [RED_FLAG]
    assert "Motivo: cliente ameaçou cancelar" in memory.sent[0].body

    flag(None)
    clock.advance(timedelta(minutes=5))
    await worker.one_round()
    assert [m.purpose for m in memory.sent] == ["raise", "resolve"]

    flag("cliente ameaçou cancelar")  # flagged again: a new period
    clock.advance(timedelta(minutes=5))
    await worker.one_round()
    await worker.one_round()
    assert memory.kinds() == [RED_FLAG, RED_FLAG]
    first, second = _alerts(sessions, RED_FLAG)
    assert first.resolved_at is not None and second.resolved_at is None


async def test_a_failing_erp_push_alerts_once_per_retry_cycle(
    sessions: sessionmaker[Session],
    clock: FakeClock,
    worker: AlertWorker,
    memory: RecordingDestination,
) -> None:
    with sessions.begin() as session:
        onboarding = make_onboarding(session, now=clock.now(), stage="configuracao")
        push = ErpPush(
            event_id="0f6c1f6e-64d4-4d55-9d1f-2f4d1f0e0001",
            onboarding_id=onboarding.id,
            client_id=onboarding.client_id,
            body="{}",
            status="pending",
            attempts=2,
            next_attempt_at=clock.now(),
            last_error="HTTP 503: unavailable",
            created_at=clock.now(),
        )
        session.add(push)
        session.flush()
        push_id, client_id = push.id, onboarding.client_id

    await worker.one_round()
    assert memory.sent == []  # two attempts: below the threshold of three

    def update(**values: object) -> None:
        with sessions.begin() as session:
            row = session.get_one(ErpPush, push_id)
            for key, value in values.items():
                setattr(row, key, value)
            if values.get("status") == "failed":
                record_audit(
                    session,
                    actor="system",
                    action="erp_push_failed",
                    at=clock.now(),
                    client_id=client_id,
                    field="erp_push",
                    new="HTTP 503",
                )

    update(attempts=3)
    await worker.one_round()
    assert memory.kinds() == [ERP_PUSH_FAILING]
    assert memory.sent[0].title.endswith("envio ao ERP falhando (3 tentativas)")

    update(status="failed", attempts=10)  # the same cycle ends in failure: no second alert
    await worker.one_round()
    assert memory.kinds() == [ERP_PUSH_FAILING]

    update(status="pending", attempts=0)  # staff retried it
    await worker.one_round()
    assert [m.purpose for m in memory.sent] == ["raise", "resolve"]

    update(attempts=3)  # failing again: a new cycle
    await worker.one_round()
    assert memory.kinds() == [ERP_PUSH_FAILING, ERP_PUSH_FAILING]
    assert [a.period_key for a in _alerts(sessions, ERP_PUSH_FAILING)] == ["cycle:0", "cycle:1"]


def test_the_sla_sweep_reads_open_onboardings_a_chunk_at_a_time(
    sessions: sessionmaker[Session], clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """However many are open, the sweep holds one chunk of them at a time and sees them all."""
    from backoffice.pipeline import load_pipelines
    from backoffice.settings import BackofficeSettings
    from bot.alerts import conditions
    from tests.backoffice.factories import make_onboarding

    monkeypatch.setattr(conditions, "SWEEP_CHUNK", 3)
    with sessions.begin() as session:
        ids = [
            make_onboarding(session, now=clock.now(), stage="documentos", cnpj=None).id
            for _ in range(8)
        ]
    rules = conditions.AlertRules(
        pipelines=load_pipelines(), calendar=BackofficeSettings().calendar()
    )
    statements: list[str] = []
    with sessions() as session:
        engine = session.get_bind()
        event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        slas = conditions.current_slas(session, rules=rules, now=clock.now())
        seen = [onboarding.id for onboarding, _client, _sla in slas]
    assert seen == ids
    chunks = [s for s in statements if "FROM onboardings JOIN clients" in s]
    assert len(chunks) == 4  # 3 + 3 + 2, then an empty read
