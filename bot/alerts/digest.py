"""The daily digest of stalled onboardings, for managers, once per business day.

It is an alert like the others (kind ``daily_digest``, period = the local date), so "once per
day" comes from the ledger's unique key: whichever worker first sees the local time past
``digest_time`` on a business day raises it, and a worker started later that day (after a
restart) raises it then, once. Days that are not business days (weekends, holidays of the
business calendar) have no digest, and a missed day is not sent late.

Stalled: an open onboarding whose current stage is past its SLA, or without any message (from
the client, the bot or staff) and without a stage change for ``idle_days``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.alerts.conditions import (
    AlertRules,
    company,
    current_slas,
    open_onboardings,
    stage_label,
)
from bot.alerts.ledger import raise_alert
from bot.domain.business_time import SlaState
from bot.storage.models import Alert, Conversation, Message

DAILY_DIGEST = "daily_digest"
DIGEST_SUBJECT = "stalled_onboardings"
_MAX_LINES = 40


@dataclass(frozen=True, slots=True)
class Stalled:
    onboarding_id: int
    company: str
    stage: str
    reason: str


def digest_day(rules: AlertRules, now: datetime) -> date | None:
    """The local date whose digest is due at ``now``, or None (too early, or not a workday)."""
    if rules.digest_time is None:
        return None
    local = rules.calendar.local(now)
    if not rules.calendar.is_workday(local.date()):
        return None
    if local.time().replace(tzinfo=None) < rules.digest_time:
        return None
    return local.date()


def stalled_onboardings(session: Session, *, rules: AlertRules, now: datetime) -> list[Stalled]:
    breached = {
        onboarding.id: sla
        for onboarding, _client, sla in current_slas(session, rules=rules, now=now)
        if sla.status.status == SlaState.BREACHED
    }
    last_message = dict(
        session.execute(
            select(Conversation.onboarding_id, func.max(Message.created_at))
            .join(Conversation, Conversation.id == Message.conversation_id)
            .where(Conversation.onboarding_id.is_not(None))
            .group_by(Conversation.onboarding_id)
        ).all()
    )
    idle_since = now - timedelta(days=rules.idle_days)
    stalled = []
    for onboarding, client in session.execute(open_onboardings()):
        if onboarding.id in breached:
            due = rules.calendar.local(breached[onboarding.id].status.due_at)
            reason = f"prazo da etapa estourado desde {due.strftime('%d/%m %H:%M')}"
        else:
            active_at = max(
                [onboarding.stage_entered_at]
                + [t for t in (last_message.get(onboarding.id),) if t is not None]
            )
            if active_at > idle_since:
                continue
            reason = f"sem atividade há {(now - active_at).days} dias"
        stalled.append(Stalled(onboarding.id, company(client), onboarding.stage, reason))
    return stalled


def digest_text(stalled: list[Stalled], day: date) -> tuple[str, str]:
    """Title and body of the digest, in Brazilian Portuguese."""
    when = day.strftime("%d/%m/%Y")
    if not stalled:
        return f"Resumo diário {when}: nenhum onboarding parado", "Tudo em dia. 👍"
    title = f"Resumo diário {when}: {len(stalled)} onboarding(s) parado(s)"
    lines = [
        f"• #{item.onboarding_id} {item.company} — {stage_label(item.stage)}: {item.reason}"
        for item in stalled[:_MAX_LINES]
    ]
    if len(stalled) > _MAX_LINES:
        lines.append(f"… e mais {len(stalled) - _MAX_LINES}.")
    return title, "\n".join(lines)


def raise_digest(session: Session, *, rules: AlertRules, now: datetime) -> bool:
    """Raises today's digest when it is due and was not raised yet; True when this call did."""
    day = digest_day(rules, now)
    if day is None:
        return False
    period = day.isoformat()
    exists = session.scalar(
        select(Alert.id).where(
            Alert.kind == DAILY_DIGEST,
            Alert.subject_key == DIGEST_SUBJECT,
            Alert.period_key == period,
        )
    )
    if exists is not None:
        return False  # the common case: skip computing the list again
    stalled = stalled_onboardings(session, rules=rules, now=now)
    title, body = digest_text(stalled, day)
    return raise_alert(
        session,
        kind=DAILY_DIGEST,
        subject_key=DIGEST_SUBJECT,
        period_key=period,
        title=title,
        body=body,
        severity="warning" if stalled else "info",
        now=now,
    )
