"""The ledger: an alert is raised once per (kind, subject, period), even by racing callers;
resolution is marked once; fan-out creates each delivery once and cancels unsent raises."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.alerts import dispatch, raise_alert, resolve_missing
from bot.domain.clock import FakeClock
from bot.storage.database import make_session_factory
from bot.storage.models import Alert, AlertDelivery


def _raise(session: Session, clock: FakeClock, period: str = "p1") -> bool:
    return raise_alert(
        session,
        kind="client_idle",
        subject_key="onboarding:1",
        period_key=period,
        title="Cliente parado",
        body="sem resposta",
        now=clock.now(),
    )


def test_an_alert_is_raised_once_per_period(
    sessions: sessionmaker[Session], clock: FakeClock
) -> None:
    with sessions.begin() as session:
        assert _raise(session, clock) is True
    with sessions.begin() as session:
        assert _raise(session, clock) is False
        assert _raise(session, clock, period="p2") is True
    with sessions() as session:
        assert session.scalar(select(func.count(Alert.id))) == 2


def test_racing_callers_raise_it_once(engine: Engine, clock: FakeClock) -> None:
    results: list[bool] = []
    barrier = threading.Barrier(4)

    def contender() -> None:
        factory = make_session_factory(engine)
        barrier.wait()
        with factory.begin() as session:
            results.append(_raise(session, clock))

    threads = [threading.Thread(target=contender) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False, False, False, True]


def test_resolution_is_marked_once_and_new_periods_supersede(
    sessions: sessionmaker[Session], clock: FakeClock
) -> None:
    now = clock.now()
    with sessions.begin() as session:
        _raise(session, clock, "p1")
        assert (
            resolve_missing(
                session, kind="client_idle", active_keys=[("onboarding:1", "p1")], now=now
            )
            == []
        )
        resolved = resolve_missing(session, kind="client_idle", active_keys=[], now=now)
        assert len(resolved) == 1
        assert resolve_missing(session, kind="client_idle", active_keys=[], now=now) == []
        _raise(session, clock, "p2")
        _raise(session, clock, "p3")
        # p3 replaces p2 for the same subject: p2 ends without a "resolvido" notice
        resolve_missing(session, kind="client_idle", active_keys=[("onboarding:1", "p3")], now=now)
    with sessions() as session:
        alerts = {a.period_key: a for a in session.scalars(select(Alert))}
    assert alerts["p1"].resolved_at == now and alerts["p1"].resolve_dispatched_at is None
    assert alerts["p2"].resolved_at == now and alerts["p2"].resolve_dispatched_at == now
    assert alerts["p3"].resolved_at is None


def test_a_sweep_that_read_earlier_does_not_resolve_a_later_alert(
    sessions: sessionmaker[Session], clock: FakeClock
) -> None:
    earlier = clock.now()
    clock.advance(timedelta(seconds=5))
    with sessions.begin() as session:
        _raise(session, clock)
        assert resolve_missing(session, kind="client_idle", active_keys=[], now=earlier) == []


def test_fan_out_once_and_notices_only_where_the_raise_went(
    sessions: sessionmaker[Session], clock: FakeClock
) -> None:
    now = clock.now()
    with sessions.begin() as session:
        _raise(session, clock)
        assert dispatch(session, destinations=["telegram:1", "email:a@b.com"], now=now) == 2
        assert dispatch(session, destinations=["telegram:1", "email:a@b.com"], now=now) == 0
        sent = session.scalars(
            select(AlertDelivery).where(AlertDelivery.destination == "telegram:1")
        ).one()
        sent.status = "sent"
        resolve_missing(session, kind="client_idle", active_keys=[], now=now)
        assert dispatch(session, destinations=["telegram:1", "email:a@b.com"], now=now) == 1
    with sessions() as session:
        rows = {
            (d.destination, d.purpose): d.status for d in session.scalars(select(AlertDelivery))
        }
    assert rows == {
        ("telegram:1", "raise"): "sent",
        ("telegram:1", "resolve"): "pending",
        ("email:a@b.com", "raise"): "cancelled",  # resolved before it went out
    }


def test_each_raised_alert_is_one_console_event_and_a_repeat_is_none(
    sessions: sessionmaker[Session], clock: FakeClock
) -> None:
    from bot.storage.models import ConsoleEvent

    with sessions.begin() as session:
        assert _raise(session, clock) is True
        assert _raise(session, clock) is False
    with sessions() as session:
        events = session.scalars(select(ConsoleEvent)).all()
        alert_id = session.scalar(select(Alert.id))
    assert [(e.kind, e.data) for e in events] == [
        ("alert_raised", {"alert_id": alert_id, "alert_kind": "client_idle", "severity": "warning"})
    ]
