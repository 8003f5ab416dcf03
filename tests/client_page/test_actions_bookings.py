"""The status page's booking and rating actions over real HTTP (uvicorn on loopback): book,
move and cancel a training from the page (no rating before it is held), rate a finished
stage."""

from __future__ import annotations

from collections.abc import Callable
from datetime import time, timedelta

import httpx
from sqlalchemy import select, update

from bot.bootstrap import Runtime
from bot.service.training import sync_slots
from bot.storage.models import (
    AuditEvent,
    NpsResponse,
    Onboarding,
    StaffUser,
    TrainingAvailability,
    TrainingBooking,
    TrainingSlot,
)
from tests.client_page.conftest import IssuedToken
from tests.client_page.test_actions_routes import _client, _csrf, _link, _notice


# ---------------------------------------------------------------------------- training
def _slots(runtime: Runtime) -> list[int]:
    now = runtime.clock.now()
    with runtime.sessions.begin() as session:
        csm = StaffUser(name="Carla", email="carla@acolhe.example", role="csm", created_at=now)
        session.add(csm)
        session.flush()
        session.add(
            TrainingAvailability(
                csm_id=csm.id,
                weekday=2,
                starts=time(9),
                ends=time(12),
                duration_minutes=60,
                capacity=1,
                meeting_url="https://meet.example.com/t",
                active=True,
                created_at=now,
            )
        )
        session.flush()
        sync_slots(session, start=now, end=now + timedelta(days=7), now=now)
        return list(session.scalars(select(TrainingSlot.id).order_by(TrainingSlot.starts_at)))


def test_book_move_and_cancel_from_the_page_and_no_rating_too_soon(
    runtime: Runtime, http: httpx.Client, issue_link: Callable[..., IssuedToken]
) -> None:
    _chat, conversation = _client(runtime, "+5511911112008")
    link = _link(issue_link, conversation)
    slots = _slots(runtime)
    assert "Agendar o treinamento" not in http.get(link.path).text  # not yet at that stage
    with runtime.sessions.begin() as session:
        session.execute(
            update(Onboarding)
            .where(Onboarding.id == conversation.onboarding_id)
            .values(stage="treinamento")
        )
    assert "Agendar o treinamento" in http.get(link.path).text
    # The list of sessions is a page of its own; a preview of it changes nothing.
    preview = httpx.get(
        f"{http.base_url}{link.path}/training", headers={"User-Agent": "WhatsApp/2.23.20.0"}
    )
    assert preview.status_code == 200
    listing = http.get(f"{link.path}/training")
    assert "Quarta-feira, 25/11 09:00–10:00" in listing.text
    assert listing.headers["cache-control"] == "no-store"
    csrf = _csrf(http, f"{link.path}/training")
    assert _notice(http.post(f"{link.path}/training/book", data={"csrf": csrf}), link) == (
        "pick_a_session"
    )
    booked = http.post(f"{link.path}/training/book", data={"csrf": csrf, "slot_id": slots[0]})
    assert _notice(booked, link) == "booked"
    moved = http.post(f"{link.path}/training/book", data={"csrf": csrf, "slot_id": slots[1]})
    assert _notice(moved, link) == "rebooked"
    page = http.get(moved.headers["location"]).text
    assert "Treinamento remarcado" in page and "Cancelar o treinamento" in page
    with runtime.sessions() as session:
        booking = session.scalars(select(TrainingBooking)).one()
        assert (booking.slot_id, booking.sequence, booking.status) == (slots[1], 1, "booked")
    # Rated before the session: refused; after it, the chat's NPS record.
    too_soon = http.post(
        f"{link.path}/ratings",
        data={"csrf": csrf, "target": f"training:{booking.id}", "score": "9"},
    )
    assert _notice(too_soon, link) == "not_finished"
    cancelled = http.post(f"{link.path}/training/cancel", data={"csrf": csrf})
    assert _notice(cancelled, link) == "cancelled"
    assert _notice(http.post(f"{link.path}/training/cancel", data={"csrf": csrf}), link) == (
        "nothing_booked"
    )
    with runtime.sessions() as session:
        assert session.scalars(select(TrainingBooking.status)).one() == "cancelled"
        assert session.scalars(select(NpsResponse)).all() == []


def test_rating_a_finished_stage_from_the_page(
    runtime: Runtime, http: httpx.Client, issue_link: Callable[..., IssuedToken]
) -> None:
    _chat, conversation = _client(runtime, "+5511911112010")  # past the registration stage
    link = _link(issue_link, conversation)
    page = http.get(link.path).text
    assert 'name="target" value="stage:cadastro"' in page  # beside the finished stage only
    assert 'value="stage:documentos"' not in page
    csrf = _csrf(http, link.path)
    for form, notice in [
        ({"target": "stage:cadastro", "score": "dez"}, "bad_score"),
        ({"target": "stage:cadastro", "score": "11"}, "bad_score"),
        ({"target": "stage:documentos", "score": "8"}, "not_finished"),
        ({"target": "stage:cadastro", "score": "8"}, "rated"),
    ]:
        response = http.post(f"{link.path}/ratings", data={"csrf": csrf, **form})
        assert _notice(response, link) == notice
    with runtime.sessions() as session:
        rated = session.execute(
            select(AuditEvent.field, AuditEvent.new_value).where(AuditEvent.action == "stage_rated")
        ).all()
        assert rated == [("stage.cadastro", "8")]
    assert "Obrigado pela sua avaliação" in http.get(f"{link.path}?notice=rated").text
