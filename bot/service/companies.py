"""What the Receita said of a client's CNPJ, stored for the CSM: the registry snapshot, a red
flag on the onboarding when the company is not ATIVA, unknown, or opened very recently, and a
background retry when BrasilAPI was unavailable. Runs in the caller's transaction."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain.company import CompanyLookupResult, red_flag_reasons
from bot.service.jobs import schedule_job
from bot.storage.models import AuditEvent, CompanyRegistry, Onboarding, ScheduledJob

__all__ = ["RETRY_FIRST", "record_company_check"]

RETRY_FIRST = timedelta(minutes=5)


def record_company_check(
    session: Session,
    *,
    client_id: int | None,
    onboarding: Onboarding | None,
    cnpj: str,
    result: CompanyLookupResult,
    young_days: int,
    now: datetime,
    conversation_id: int | None = None,
) -> None:
    if result.status == "unavailable":
        if client_id is not None:
            _retry_later(
                session,
                client_id=client_id,
                onboarding=onboarding,
                cnpj=cnpj,
                young_days=young_days,
                now=now,
                conversation_id=conversation_id,
            )
        return
    if client_id is not None and result.facts is not None:
        _store_registry(session, client_id=client_id, result=result, now=now)
    reasons = red_flag_reasons(result, today=now.date(), young_days=young_days)
    if onboarding is None or not reasons:
        return
    reason = "; ".join(reasons)[:300]
    if onboarding.red_flag and onboarding.red_flag_reason == reason:
        return
    old = onboarding.red_flag_reason if onboarding.red_flag else None
    onboarding.red_flag = True
    onboarding.red_flag_reason = reason
    session.add(
        AuditEvent(
            actor="system",
            action="red_flag_set",
            client_id=onboarding.client_id,
            field="red_flag",
            old_value=old,
            new_value=reason,
            at=now,
        )
    )


def _retry_later(
    session: Session,
    *,
    client_id: int,
    onboarding: Onboarding | None,
    cnpj: str,
    young_days: int,
    now: datetime,
    conversation_id: int | None,
) -> None:
    """One pending look-up per client, of its latest CNPJ. The key names the client and when,
    never the CNPJ (keys outlive an erasure; the CNPJ rides in the payload, which does not)."""
    pending = session.scalars(
        select(ScheduledJob).where(
            ScheduledJob.kind == "cnpj_lookup",
            ScheduledJob.status == "pending",
            ScheduledJob.key.startswith(f"cnpj_lookup:client:{client_id}:"),
        )
    ).all()
    if any(job.payload.get("cnpj") == cnpj for job in pending):
        return
    for job in pending:
        job.status, job.done_at, job.note = "cancelled", now, "another CNPJ given"
    schedule_job(
        session,
        kind="cnpj_lookup",
        key=f"cnpj_lookup:client:{client_id}:{now.isoformat()}",
        due_at=now + RETRY_FIRST,
        now=now,
        conversation_id=conversation_id,
        onboarding_id=onboarding.id if onboarding is not None else None,
        payload={"cnpj": cnpj, "young_days": young_days},
    )


def _store_registry(
    session: Session, *, client_id: int, result: CompanyLookupResult, now: datetime
) -> None:
    facts = result.facts
    assert facts is not None
    row = session.scalar(select(CompanyRegistry).where(CompanyRegistry.client_id == client_id))
    if row is None:
        row = CompanyRegistry(client_id=client_id, cnpj=facts.cnpj, raw={}, checked_at=now)
        session.add(row)
    row.cnpj = facts.cnpj[:14]
    row.razao_social = facts.razao_social[:150] or None
    row.nome_fantasia = facts.nome_fantasia[:150] or None
    row.situacao = facts.situacao[:40] or None
    row.opened_on = facts.opened_on
    row.cnae_fiscal = facts.cnae_fiscal[:20] or None
    row.porte = facts.porte[:60] or None
    row.simples = facts.simples
    row.raw = {"municipio": facts.municipio, "uf": facts.uf}
    row.checked_at = now
