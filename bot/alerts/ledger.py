"""The alert ledger: raise an alert once per condition and period, mark resolved ones, and fan
alerts out to the configured destinations.

Raising is ``INSERT ... ON CONFLICT DO NOTHING`` on (kind, subject_key, period_key), on SQLite and
PostgreSQL alike: however many sweepers see the same condition, one row exists and one caller is
told it raised it. Fan-out (``dispatch``) is separate from raising, so code that knows nothing
about destinations (the nudge worker, the back-office) can raise alerts too; the alert worker
creates the delivery rows, again insert-if-absent per (alert, destination, purpose).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from bot.alerts.conditions import Condition
from bot.storage.console_events import record_console_event
from bot.storage.inserts import insert_once
from bot.storage.models import Alert, AlertDelivery

SEVERITIES = frozenset({"info", "warning", "critical"})


def raise_alert(
    session: Session,
    *,
    kind: str,
    subject_key: str,
    period_key: str,
    title: str,
    now: datetime,
    body: str = "",
    severity: str = "warning",
    onboarding_id: int | None = None,
) -> bool:
    """Records the alert unless (kind, subject_key, period_key) was already raised.

    Returns True when this call created it. Public for any caller that detects a condition
    itself, e.g. the nudge worker: ``raise_alert(session, kind="client_idle",
    subject_key=f"onboarding:{id}", period_key=<nudge cycle>, title=..., now=now)``. The text is
    for managers, in Brazilian Portuguese. The alert worker sends it to every destination.
    Runs in the caller's transaction.
    """
    if severity not in SEVERITIES:
        raise ValueError(f"severity must be one of {sorted(SEVERITIES)}, got {severity!r}")
    statement = insert_once(session, Alert).values(
        kind=kind,
        subject_key=subject_key[:120],
        period_key=period_key[:120],
        onboarding_id=onboarding_id,
        severity=severity,
        title=title[:200],
        body=body,
        raised_at=now,
    )
    created = session.execute(statement.returning(Alert.id)).scalar_one_or_none()
    if created is not None:  # the console's team view shows it live
        record_console_event(
            session,
            kind="alert_raised",
            at=now,
            onboarding_id=onboarding_id,
            data={"alert_id": created, "alert_kind": kind, "severity": severity},
        )
    return created is not None


def raise_condition(session: Session, condition: Condition, *, now: datetime) -> bool:
    return raise_alert(
        session,
        kind=condition.kind,
        subject_key=condition.subject_key,
        period_key=condition.period_key,
        title=condition.title,
        body=condition.body,
        severity=condition.severity,
        onboarding_id=condition.onboarding_id,
        now=now,
    )


def open_alerts(session: Session, *, kind: str, now: datetime) -> dict[tuple[str, str], int]:
    """The open (unresolved) alerts of ``kind`` raised at or before ``now``, by
    (subject_key, period_key)."""
    rows = session.execute(
        select(Alert.id, Alert.subject_key, Alert.period_key)
        .where(Alert.kind == kind, Alert.resolved_at.is_(None), Alert.raised_at <= now)
        .order_by(Alert.id)
    ).all()
    return {(subject, period): alert_id for alert_id, subject, period in rows}


def resolve_missing(
    session: Session,
    *,
    kind: str,
    active_keys: Iterable[tuple[str, str]],
    now: datetime,
    open_now: dict[tuple[str, str], int] | None = None,
) -> list[int]:
    """Marks resolved the open alerts of ``kind`` whose (subject_key, period_key) no longer holds.

    Only alerts raised at or before ``now`` (the instant the conditions were read) are touched,
    so a sweep that read the database earlier cannot resolve what a later one raised. An alert
    replaced by a new period of the same subject is marked resolved without a notice. Returns
    the ids this call resolved (another sweeper may have resolved the rest). ``open_now`` is
    ``open_alerts`` of the caller's transaction, when it has read them already.
    """
    active = set(active_keys)
    subjects_with_new_period = {subject for subject, _ in active}
    if open_now is None:
        open_now = open_alerts(session, kind=kind, now=now)
    resolved: list[int] = []
    for (subject, period), alert_id in open_now.items():
        if (subject, period) in active:
            continue
        values: dict[str, datetime | None] = {"resolved_at": now}
        if subject in subjects_with_new_period:
            values["resolve_dispatched_at"] = now  # superseded: no "resolvido" notice
        won = session.execute(
            update(Alert)
            .where(Alert.id == alert_id, Alert.resolved_at.is_(None))
            .values(**values)
            .returning(Alert.id)
            .execution_options(synchronize_session=False)
        ).scalar_one_or_none()
        if won is not None:
            resolved.append(alert_id)
    return resolved


def dispatch(session: Session, *, destinations: Sequence[str], now: datetime) -> int:
    """Creates the deliveries of alerts raised or resolved since the last fan-out.

    A raise goes to every destination. A resolution sends a notice only where the raise was
    sent or is being sent; a raise still waiting is cancelled instead (nobody needs to hear of
    an alert that already ended). Returns how many delivery rows were created.
    """
    created = 0
    raised = session.scalars(
        select(Alert.id).where(Alert.dispatched_at.is_(None)).order_by(Alert.id)
    ).all()
    for alert_id in raised:
        for destination in destinations:
            created += _add_delivery(
                session, alert_id, destination=destination, purpose="raise", now=now
            )
        session.execute(
            update(Alert)
            .where(Alert.id == alert_id)
            .values(dispatched_at=now)
            .execution_options(synchronize_session=False)
        )
    ended = session.scalars(
        select(Alert.id)
        .where(
            Alert.resolved_at.is_not(None),
            Alert.dispatched_at.is_not(None),
            Alert.resolve_dispatched_at.is_(None),
        )
        .order_by(Alert.id)
    ).all()
    for alert_id in ended:
        for destination in _notice_destinations(session, alert_id, now=now):
            created += _add_delivery(
                session, alert_id, destination=destination, purpose="resolve", now=now
            )
        session.execute(
            update(Alert)
            .where(Alert.id == alert_id)
            .values(resolve_dispatched_at=now)
            .execution_options(synchronize_session=False)
        )
    return created


def _notice_destinations(session: Session, alert_id: int, *, now: datetime) -> list[str]:
    """Cancels the raise deliveries nobody started; the rest (sent, in flight) get a notice."""
    idle = or_(AlertDelivery.claimed_until.is_(None), AlertDelivery.claimed_until < now)
    session.execute(
        update(AlertDelivery)
        .where(
            AlertDelivery.alert_id == alert_id,
            AlertDelivery.purpose == "raise",
            AlertDelivery.status == "pending",
            idle,
        )
        .values(status="cancelled", last_error="resolved before it was sent")
        .execution_options(synchronize_session=False)
    )
    return list(
        session.scalars(
            select(AlertDelivery.destination)
            .where(
                AlertDelivery.alert_id == alert_id,
                AlertDelivery.purpose == "raise",
                or_(
                    AlertDelivery.status == "sent",
                    and_(AlertDelivery.status == "pending", ~idle),
                ),
            )
            .order_by(AlertDelivery.id)
        ).all()
    )


def _add_delivery(
    session: Session, alert_id: int, *, destination: str, purpose: str, now: datetime
) -> int:
    statement = insert_once(session, AlertDelivery).values(
        alert_id=alert_id,
        destination=destination,
        purpose=purpose,
        status="pending",
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    return 1 if session.execute(statement.returning(AlertDelivery.id)).first() else 0
