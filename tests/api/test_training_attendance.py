"""Training attendance over the API: a no-show cancels the NPS question, attendance waits for
the session and skips cancelled bookings, and the NPS report on known answers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import select

from bot.bootstrap import Runtime
from bot.domain.clock import FakeClock
from bot.storage.models import AuditEvent, NpsResponse, ScheduledJob
from tests.api.test_training import (  # noqa: F401 (the settings fixture: its holiday)
    _problem,
    backoffice_settings,
)
from tests.backoffice.factories import Roster, make_booking, make_onboarding


def _booking_with_jobs(
    runtime: Runtime, roster: Roster, clock: FakeClock, *, starts_in: timedelta
) -> tuple[int, int]:
    now = clock.now()
    with runtime.sessions() as session, session.begin():
        onboarding = make_onboarding(session, now=now, csm_id=roster.csm_owner.id)
        booking = make_booking(
            session,
            onboarding_id=onboarding.id,
            csm_id=roster.csm_owner.id,
            starts_at=now + starts_in,
            now=now,
        )
        for kind, status in (("training_1h", "done"), ("nps_request", "pending")):
            session.add(
                ScheduledJob(
                    kind=kind,
                    key=f"{kind}:booking:{booking.id}:seq:0",
                    onboarding_id=onboarding.id,
                    booking_id=booking.id,
                    due_at=now + starts_in + timedelta(hours=3),
                    status=status,
                    attempts=0,
                    note="",
                    payload={},
                    created_at=now,
                )
            )
        return booking.id, onboarding.client_id


def _jobs(runtime: Runtime, booking_id: int) -> dict[str, str]:
    with runtime.sessions() as session:
        rows = session.scalars(select(ScheduledJob).where(ScheduledJob.booking_id == booking_id))
        return {job.kind: job.status for job in rows}


def test_a_no_show_cancels_the_nps_question(
    api: httpx.Client, runtime: Runtime, roster: Roster, clock: FakeClock
) -> None:
    booking_id, client_id = _booking_with_jobs(
        runtime, roster, clock, starts_in=-timedelta(hours=2)
    )
    one = api.get(f"/training/bookings/{booking_id}", headers=roster.csm_owner.headers).json()
    assert one["status"] == "booked" and one["client_id"] == client_id
    assert one["company_name"] == "Empresa Teste Ltda"

    response = api.post(
        f"/training/bookings/{booking_id}/no-show", headers=roster.csm_owner.headers
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "no_show"
    assert _jobs(runtime, booking_id) == {"training_1h": "done", "nps_request": "cancelled"}
    with runtime.sessions() as session:
        audit = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "training_no_show")
        ).one()
        assert (audit.actor, audit.client_id) == (f"staff:{roster.csm_owner.id}", client_id)
        assert (audit.old_value, audit.new_value) == ("booked", "no_show")
    listed = api.get("/training/bookings?status=no_show", headers=roster.manager.headers).json()
    assert [b["id"] for b in listed["items"]] == [booking_id]
    assert (
        api.get("/training/bookings?status=booked", headers=roster.manager.headers).json()["total"]
        == 0
    )
    assert api.get("/training/bookings", headers=roster.csm_other.headers).json()["total"] == 0
    _problem(
        api.post(f"/training/bookings/{booking_id}/no-show", headers=roster.csm_other.headers), 403
    )

    # A correction: the client did attend after all, so the NPS question is back.
    fixed = api.post(f"/training/bookings/{booking_id}/attended", headers=roster.manager.headers)
    assert fixed.status_code == 200 and fixed.json()["status"] == "attended"
    assert _jobs(runtime, booking_id)["nps_request"] == "pending"


def test_attendance_waits_for_the_session_and_not_for_cancelled_bookings(
    api: httpx.Client, runtime: Runtime, roster: Roster, clock: FakeClock
) -> None:
    upcoming, _ = _booking_with_jobs(runtime, roster, clock, starts_in=timedelta(hours=5))
    _problem(
        api.post(f"/training/bookings/{upcoming}/no-show", headers=roster.admin.headers),
        409,
        "not started",
    )
    assert _jobs(runtime, upcoming)["nps_request"] == "pending"
    by_day = api.get(
        "/training/bookings",
        params={"from": "2026-11-24", "to": "2026-11-24"},
        headers=roster.admin.headers,
    ).json()
    assert [b["id"] for b in by_day["items"]] == [upcoming]
    assert (
        api.get(
            "/training/bookings", params={"from": "2026-11-25"}, headers=roster.admin.headers
        ).json()["total"]
        == 0
    )
    clock.advance(timedelta(hours=6))
    with runtime.sessions() as session, session.begin():
        onboarding = make_onboarding(session, now=clock.now(), csm_id=roster.csm_owner.id)
        cancelled = make_booking(
            session,
            onboarding_id=onboarding.id,
            csm_id=roster.csm_owner.id,
            starts_at=clock.now() - timedelta(hours=1),
            now=clock.now(),
            status="cancelled",
        ).id
    _problem(
        api.post(f"/training/bookings/{cancelled}/attended", headers=roster.admin.headers),
        409,
        "cancelled",
    )
    assert (
        api.post(f"/training/bookings/{upcoming}/attended", headers=roster.admin.headers).json()[
            "status"
        ]
        == "attended"
    )


def test_nps_report_on_known_answers(
    api: httpx.Client, runtime: Runtime, roster: Roster, clock: FakeClock
) -> None:
    answered = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
    with runtime.sessions() as session, session.begin():
        onboarding = make_onboarding(session, now=clock.now(), csm_id=roster.csm_owner.id)
        for hours, (score, comment) in enumerate(
            [(10, "Ótimo treinamento"), (9, None), (8, ""), (6, "Faltou exemplo"), (0, "Ruim")]
        ):
            session.add(
                NpsResponse(
                    onboarding_id=onboarding.id,
                    client_id=onboarding.client_id,
                    score=score,
                    comment=comment,
                    answered_at=answered + timedelta(hours=hours),
                )
            )
    report = api.get("/reports/nps", headers=roster.manager.headers).json()
    assert report["responses"] == 5 and report["average_score"] == 6.6
    assert (report["promoters"], report["passives"], report["detractors"]) == (2, 1, 2)
    assert report["nps"] == 0.0
    assert [(c["score"], c["comment"]) for c in report["comments"]] == [
        (0, "Ruim"),
        (6, "Faltou exemplo"),
        (10, "Ótimo treinamento"),
    ]
    empty = api.get("/reports/nps", params={"since": "2026-11-21"}, headers=roster.admin.headers)
    assert empty.json()["responses"] == 0 and empty.json()["average_score"] is None
    _problem(api.get("/reports/nps", headers=roster.csm_owner.headers), 403)
