"""The conditions managers are alerted about, read from the database at one instant.

Each condition names its alert: ``kind``, ``subject_key`` (what it is about) and ``period_key``
(which occurrence), so the ledger raises it once per period:

- ``sla_at_risk`` / ``sla_breached``: the current stage visit of an open onboarding is at risk
  (or past it) / past its SLA (``backoffice.sla``, business hours); period = the visit (stage
  and entry time), so the next stage's breach alerts again.
- ``escalation_unanswered``: an escalation still ``open`` (nobody took it) ``escalation_minutes``
  of business time after it was created; period = the escalation.
- ``red_flag``: an open onboarding flagged at risk; period = the flag's audit event (or a hash
  of its reason), so flagging again after clearing alerts again.
- ``erp_push_failing``: an ERP push ``failed``, or still retrying after ``erp_attempts``; period
  = the retry cycle (a staff retry after a failure starts a new one).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from backoffice.pipeline import PipelineCatalog
from backoffice.sla import StageSla, load_activity, onboarding_sla
from bot.domain.business_time import BusinessCalendar, SlaState
from bot.domain.onboarding import Stage
from bot.storage.models import AuditEvent, Client, ErpPush, Escalation, Onboarding

SLA_AT_RISK = "sla_at_risk"
SLA_BREACHED = "sla_breached"
ESCALATION_UNANSWERED = "escalation_unanswered"
RED_FLAG = "red_flag"
ERP_PUSH_FAILING = "erp_push_failing"
SWEPT_KINDS = (SLA_AT_RISK, SLA_BREACHED, ESCALATION_UNANSWERED, RED_FLAG, ERP_PUSH_FAILING)

FINAL_STAGES = frozenset({Stage.CONCLUIDO.value, Stage.CANCELADO.value})
STAGE_LABELS = {
    "cadastro": "Cadastro",
    "documentos": "Documentos",
    "validacao": "Validação",
    "aprovacao": "Aprovação",
    "kickoff": "Kickoff",
    "configuracao": "Configuração",
    "treinamento": "Treinamento",
    "ativacao": "Ativação",
    "concluido": "Concluído",
    "cancelado": "Cancelado",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class AlertRules:
    """What counts as a condition, and when the daily digest goes out (local time)."""

    pipelines: PipelineCatalog
    calendar: BusinessCalendar
    at_risk_share: float = 0.8
    escalation_minutes: int = 30
    erp_attempts: int = 3
    idle_days: int = 3
    digest_time: time | None = time(8, 30)  # None: no daily digest


@dataclass(frozen=True, slots=True, kw_only=True)
class Condition:
    """One alert-worthy fact; (kind, subject_key, period_key) is its identity."""

    kind: str
    subject_key: str
    period_key: str
    severity: str
    title: str
    body: str
    onboarding_id: int | None = None


def open_onboardings() -> Select[Onboarding, Client]:
    return (
        select(Onboarding, Client)
        .join(Client, Client.id == Onboarding.client_id)
        .where(Onboarding.completed_at.is_(None), Onboarding.stage.not_in(FINAL_STAGES))
        .order_by(Onboarding.id)
    )


def company(client: Client) -> str:
    return client.trade_name or client.company_name or f"cliente #{client.id}"


def stage_label(stage: str) -> str:
    return STAGE_LABELS.get(stage, stage)


SWEEP_CHUNK = 500  # open onboardings read and evaluated at a time


def current_slas(
    session: Session, *, rules: AlertRules, now: datetime
) -> Iterator[tuple[Onboarding, Client, StageSla]]:
    """The SLA of every open onboarding's current stage (those with a target), read
    ``SWEEP_CHUNK`` onboardings at a time: the sweep's memory stays the same however many are
    open (all of them at once grew the workers' memory with the data — bench/chaos, the soak)."""
    after = 0
    while True:
        rows = session.execute(
            open_onboardings().where(Onboarding.id > after).limit(SWEEP_CHUNK)
        ).all()
        if not rows:
            return
        after = rows[-1][0].id
        activity = load_activity(
            session, (onboarding.id for onboarding, _ in rows), current_stage_only=True
        )
        for onboarding, client in rows:
            template = rules.pipelines.find(onboarding.segment)
            if template is None:
                continue
            sla = onboarding_sla(
                onboarding,
                template=template,
                activity=activity[onboarding.id],
                calendar=rules.calendar,
                now=now,
                at_risk_share=rules.at_risk_share,
            )
            if sla is not None:
                yield onboarding, client, sla


def sla_conditions(session: Session, *, rules: AlertRules, now: datetime) -> list[Condition]:
    conditions = []
    for onboarding, client, sla in current_slas(session, rules=rules, now=now):
        state = sla.status.status
        if state == SlaState.ON_TRACK:
            continue
        period = f"{sla.stage}@{sla.entered_at.isoformat()}"
        due = rules.calendar.local(sla.status.due_at).strftime("%d/%m/%Y %H:%M")
        body = (
            f"Onboarding #{onboarding.id} — {company(client)}\n"
            f"Etapa: {stage_label(sla.stage)} (meta de {sla.target_business_hours:g} h úteis)\n"
            f"Prazo: {due} (horário local)"
        )
        kinds = [SLA_AT_RISK] + ([SLA_BREACHED] if state == SlaState.BREACHED else [])
        for kind in kinds:
            breached = kind == SLA_BREACHED
            verb = "estourou o prazo" if breached else "está perto do prazo"
            conditions.append(
                Condition(
                    kind=kind,
                    subject_key=f"onboarding:{onboarding.id}",
                    period_key=period,
                    severity="critical" if breached else "warning",
                    title=f"{company(client)}: etapa {stage_label(sla.stage)} {verb}",
                    body=body,
                    onboarding_id=onboarding.id,
                )
            )
    return conditions


def escalation_conditions(session: Session, *, rules: AlertRules, now: datetime) -> list[Condition]:
    """Open escalations nobody took within ``escalation_minutes`` of business time (a request
    made on Friday evening alerts on Monday morning, when someone can answer it)."""
    threshold = timedelta(minutes=rules.escalation_minutes)
    # Business time never runs faster than the clock: this bound only narrows the rows read.
    cutoff = now - threshold
    rows = session.execute(
        select(Escalation, Client)
        .outerjoin(Onboarding, Onboarding.id == Escalation.onboarding_id)
        .outerjoin(Client, Client.id == Onboarding.client_id)
        .where(Escalation.status == "open", Escalation.created_at <= cutoff)
        .order_by(Escalation.id)
    )
    conditions = []
    for escalation, client in rows:
        if rules.calendar.add_business_time(escalation.created_at, threshold) > now:
            continue
        waited = int(rules.calendar.business_seconds_between(escalation.created_at, now) // 60)
        who = company(client) if client is not None else f"conversa #{escalation.conversation_id}"
        detail = f"\nDetalhe: {escalation.detail}" if escalation.detail else ""
        conditions.append(
            Condition(
                kind=ESCALATION_UNANSWERED,
                subject_key=f"escalation:{escalation.id}",
                period_key="open",
                severity="critical",
                title=f"{who}: pedido de atendimento sem resposta há {waited} min úteis",
                body=(
                    f"Escalonamento #{escalation.id} (fila {escalation.queue}), "
                    f"motivo: {escalation.reason}{detail}\n"
                    f"Ninguém assumiu a conversa desde "
                    f"{rules.calendar.local(escalation.created_at).strftime('%d/%m %H:%M')}."
                ),
                onboarding_id=escalation.onboarding_id,
            )
        )
    return conditions


def red_flag_conditions(session: Session, *, now: datetime) -> list[Condition]:
    rows = session.execute(open_onboardings().where(Onboarding.red_flag.is_(True))).all()
    flagged_at = _latest_flag_events(session, (client.id for _, client in rows))
    conditions = []
    for onboarding, client in rows:
        reason = onboarding.red_flag_reason or ""
        event_id = flagged_at.get(client.id)
        period = (
            f"audit:{event_id}"
            if event_id is not None
            else "reason:" + hashlib.sha256(reason.encode()).hexdigest()[:16]
        )
        conditions.append(
            Condition(
                kind=RED_FLAG,
                subject_key=f"onboarding:{onboarding.id}",
                period_key=period,
                severity="critical",
                title=f"{company(client)}: onboarding marcado em risco",
                body=(
                    f"Onboarding #{onboarding.id} — etapa {stage_label(onboarding.stage)}\n"
                    f"Motivo: {reason or '(não informado)'}"
                ),
                onboarding_id=onboarding.id,
            )
        )
    return conditions


def _latest_flag_events(session: Session, client_ids: Iterable[int]) -> dict[int, int]:
    ids = sorted(set(client_ids))
    if not ids:
        return {}
    rows = session.execute(
        select(AuditEvent.client_id, func.max(AuditEvent.id))
        .where(AuditEvent.client_id.in_(ids), AuditEvent.action == "red_flag_set")
        .group_by(AuditEvent.client_id)
    )
    return {client_id: event_id for client_id, event_id in rows if client_id is not None}


def erp_conditions(session: Session, *, rules: AlertRules, now: datetime) -> list[Condition]:
    rows = session.execute(
        select(ErpPush, Client)
        .join(Client, Client.id == ErpPush.client_id)
        .where(
            or_(
                ErpPush.status == "failed",
                (ErpPush.status == "pending") & (ErpPush.attempts >= rules.erp_attempts),
            )
        )
        .order_by(ErpPush.id)
    ).all()
    failures = _failure_counts(session, rows)
    conditions = []
    for push, client in rows:
        count = failures.get(push.id, 0)
        # A failure closes a retry cycle: while failed, the cycle is the one that just ended.
        cycle = count - 1 if push.status == "failed" and count else count
        state = "falhou" if push.status == "failed" else f"falhando ({push.attempts} tentativas)"
        conditions.append(
            Condition(
                kind=ERP_PUSH_FAILING,
                subject_key=f"erp_push:{push.id}",
                period_key=f"cycle:{cycle}",
                severity="critical",
                title=f"{company(client)}: envio ao ERP {state}",
                body=(
                    f"Onboarding #{push.onboarding_id}, envio #{push.id} "
                    f"(evento {push.event_id})\n"
                    f"Último erro: {(push.last_error or 'desconhecido')[:300]}"
                ),
                onboarding_id=push.onboarding_id,
            )
        )
    return conditions


def _failure_counts(session: Session, rows: Sequence[tuple[ErpPush, Client]]) -> dict[int, int]:
    """Failures recorded (``erp_push_failed`` audit events) per push since it was created."""
    counts: dict[int, int] = {}
    for push, _client in rows:
        counts[push.id] = (
            session.scalar(
                select(func.count(AuditEvent.id)).where(
                    AuditEvent.client_id == push.client_id,
                    AuditEvent.action == "erp_push_failed",
                    AuditEvent.at >= push.created_at,
                )
            )
            or 0
        )
    return counts


def current_conditions(
    session: Session, *, rules: AlertRules, now: datetime
) -> dict[str, list[Condition]]:
    """Every swept kind (``SWEPT_KINDS``) with the conditions holding at ``now``."""
    sla = sla_conditions(session, rules=rules, now=now)
    return {
        SLA_AT_RISK: [c for c in sla if c.kind == SLA_AT_RISK],
        SLA_BREACHED: [c for c in sla if c.kind == SLA_BREACHED],
        ESCALATION_UNANSWERED: escalation_conditions(session, rules=rules, now=now),
        RED_FLAG: red_flag_conditions(session, now=now),
        ERP_PUSH_FAILING: erp_conditions(session, rules=rules, now=now),
    }
