"""SLA clocks through the API with the fake clock: business hours (09–18, America/Sao_Paulo),
a national holiday (Friday 2026-11-20, Consciência Negra), a weekend, and pauses while the
onboarding waits on the client — declared by staff or derived from the conversation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from backoffice.pipeline import load_pipelines
from backoffice.sla import Activity, waiting_on_client
from bot.bootstrap import Runtime
from bot.domain.clock import FakeClock
from bot.domain.messages import Channel
from bot.storage.models import Conversation
from tests.backoffice.factories import Roster
from tests.support.conversation import Chat, register

BRT = timedelta(hours=-3)


def local(day: int, hour: int, minute: int = 0) -> datetime:
    """2026-11-<day> at hour:minute in São Paulo (UTC−3, no DST), as UTC."""
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC) - BRT


def _sla(api: httpx.Client, roster: Roster, onboarding_id: int) -> dict[str, Any]:
    response = api.get(f"/onboardings/{onboarding_id}", headers=roster.csm_owner.headers)
    assert response.status_code == 200, response.text
    sla = response.json()["sla"]
    assert sla is not None
    return dict(sla)


def _onboarding_id(runtime: Runtime) -> int:
    with runtime.sessions() as session:
        conversation = session.scalars(select(Conversation).order_by(Conversation.id)).first()
        assert conversation is not None and conversation.onboarding_id is not None
        return conversation.onboarding_id


def test_company_stage_across_holiday_weekend_and_a_pause(
    api: httpx.Client, runtime: Runtime, roster: Roster, clock: FakeClock
) -> None:
    clock.set(local(19, 15))  # Thursday
    chat = Chat(runtime, address="cliente-sla")
    chat.say("oi")
    onboarding_id = _onboarding_id(runtime)
    clock.set(local(19, 16))
    for stage in ("documentos", "validacao"):
        moved = api.post(
            f"/onboardings/{onboarding_id}/transitions",
            json={"to_stage": stage, "reason": "teste"},
            headers=roster.csm_owner.headers,
        )
        assert moved.status_code == 200, moved.text

    clock.set(local(19, 17))
    sla = _sla(api, roster, onboarding_id)
    assert sla["stage"] == "validacao" and sla["target_business_hours"] == 8
    assert sla["status"] == "on_track" and sla["elapsed_business_hours"] == 1
    # Thu 16–18 (2 h), Friday holiday, weekend, Monday 09–15 (6 h).
    assert sla["due_at"] == "2026-11-23T18:00:00Z"
    assert sla["waiting_on"] == "company" and sla["clock_paused"] is False

    clock.set(local(21, 12))  # Saturday: nothing counts
    assert _sla(api, roster, onboarding_id)["elapsed_business_hours"] == 2

    clock.set(local(23, 10))  # Monday
    paused = api.post(
        f"/onboardings/{onboarding_id}/pauses",
        json={"reason": "aguardando o contrato social"},
        headers=roster.csm_owner.headers,
    )
    assert paused.status_code == 201, paused.text
    clock.set(local(23, 11))
    sla = _sla(api, roster, onboarding_id)
    assert sla["waiting_on"] == "client" and sla["clock_paused"] is True
    assert sla["elapsed_business_hours"] == 3 and sla["company_waiting_business_hours"] == 1
    assert sla["client_waiting_business_hours"] == 3
    assert sla["due_at"] == "2026-11-23T19:00:00Z"  # the pause ends "now": 5 h left from 11:00

    clock.set(local(23, 11, 30))
    chat.say("enviei o contrato agora")  # the client's message ends the pause
    clock.set(local(23, 15))
    sla = _sla(api, roster, onboarding_id)
    assert sla["waiting_on"] == "company"
    assert sla["elapsed_business_hours"] == 6.5 and sla["status"] == "at_risk"  # ≥ 80 %
    assert sla["company_waiting_business_hours"] == 1.5
    assert sla["due_at"] == "2026-11-23T19:30:00Z"

    clock.set(local(23, 16, 30))
    sla = _sla(api, roster, onboarding_id)
    assert sla["status"] == "breached" and sla["remaining_business_hours"] == 0
    breached = api.get(
        "/onboardings", params={"sla_status": "breached"}, headers=roster.manager.headers
    ).json()
    assert [o["id"] for o in breached["items"]] == [onboarding_id]
    report = api.get("/reports/sla", headers=roster.manager.headers).json()
    assert [b["onboarding_id"] for b in report["breached_now"]] == [onboarding_id]


def test_client_stage_pauses_except_while_the_company_owes_an_answer(
    api: httpx.Client, runtime: Runtime, roster: Roster, clock: FakeClock
) -> None:
    clock.set(local(24, 10))  # Tuesday
    chat = Chat(runtime, address="+5511955554444", channel=Channel.TWILIO_WHATSAPP)
    register(chat)
    chat.say("1")  # registration confirmed: stage documentos, the bot asks for documents
    onboarding_id = _onboarding_id(runtime)

    clock.set(local(24, 12))
    sla = _sla(api, roster, onboarding_id)
    assert sla["stage"] == "documentos" and sla["waiting_on"] == "client"
    assert sla["elapsed_business_hours"] == 0 and sla["company_waiting_business_hours"] == 2

    with runtime.sessions() as session:
        conversation_id = session.scalars(select(Conversation.id)).one()
    assert (
        api.post(
            f"/conversations/{conversation_id}/takeover", headers=roster.csm_owner.headers
        ).status_code
        == 200
    )
    chat.say("tenho uma dúvida sobre o contrato")  # nobody answers: the bot is paused
    clock.set(local(24, 14))
    sla = _sla(api, roster, onboarding_id)
    assert sla["waiting_on"] == "company" and sla["clock_paused"] is False
    assert sla["elapsed_business_hours"] == 2

    answer = api.post(
        f"/conversations/{conversation_id}/messages",
        json={"text": "Pode perguntar!"},
        headers=roster.csm_owner.headers,
    )
    assert answer.status_code == 202
    clock.set(local(24, 15))
    sla = _sla(api, roster, onboarding_id)
    assert sla["waiting_on"] == "client" and sla["elapsed_business_hours"] == 2
    assert sla["company_waiting_business_hours"] == 3


# ---------------------------------------------------------------------------- derivation
_BASE = local(24, 9)
minutes = st.integers(min_value=0, max_value=600)


@settings(max_examples=60, deadline=None, database=None)
@given(
    inbound=st.lists(minutes, max_size=8),
    outbound=st.lists(minutes, max_size=8),
    escalations=st.lists(st.tuples(minutes, st.one_of(st.none(), minutes)), max_size=2),
    start=st.integers(min_value=0, max_value=300),
    length=st.integers(min_value=1, max_value=300),
)
def test_derived_pauses_match_a_minute_by_minute_reference(
    inbound: list[int],
    outbound: list[int],
    escalations: list[tuple[int, int | None]],
    start: int,
    length: int,
) -> None:
    """In a client-owned stage, minute m is paused unless a client message is unanswered at m
    or an escalation is open at m (reference: replay the events up to each minute)."""
    spec = load_pipelines().for_segment("self_service").stage("documentos")
    at = [_BASE + timedelta(minutes=m) for m in range(0, 1000)]
    activity = Activity(
        inbound=sorted(at[m] for m in inbound),
        outbound=sorted(at[m] for m in outbound),
        escalations=[(at[a], None if b is None else at[max(a, b)]) for a, b in escalations],
    )
    begin, end = at[start], at[start + length]
    pauses = waiting_on_client(spec, activity, start=begin, end=end)

    def paused_reference(minute: int) -> bool:
        unanswered = any(
            i <= minute and not any(i <= o <= minute for o in outbound) for i in inbound
        )
        escalated = any(a <= minute and (b is None or minute < max(a, b)) for a, b in escalations)
        return not (unanswered or escalated)

    def paused_by_function(minute: int) -> bool:
        instant = at[minute]
        return any(low <= instant < high for low, high in pauses)

    for minute in range(start, start + length):
        assert paused_by_function(minute) == paused_reference(minute), minute


def _reduced(activity: Activity, start: datetime) -> Activity:
    """What ``load_activity(current_stage_only=True)`` keeps: the messages since ``start`` and,
    from before it, only the last client message and the last answer."""
    before_in = [t for t in activity.inbound if t < start]
    before_out = [t for t in activity.outbound if t < start]
    return Activity(
        inbound=sorted(
            ([max(before_in)] if before_in else []) + [t for t in activity.inbound if t >= start]
        ),
        outbound=sorted(
            ([max(before_out)] if before_out else []) + [t for t in activity.outbound if t >= start]
        ),
        escalations=list(activity.escalations),
        pauses=list(activity.pauses),
    )


@settings(max_examples=80, deadline=None, database=None)
@given(
    inbound=st.lists(minutes, max_size=10),
    outbound=st.lists(minutes, max_size=10),
    escalations=st.lists(st.tuples(minutes, st.one_of(st.none(), minutes)), max_size=2),
    start=st.integers(min_value=0, max_value=300),
    length=st.integers(min_value=1, max_value=300),
)
def test_the_current_stage_needs_only_the_last_messages_before_it(
    inbound: list[int],
    outbound: list[int],
    escalations: list[tuple[int, int | None]],
    start: int,
    length: int,
) -> None:
    """The reduced history gives the same pauses for the visit that began at ``start``."""
    spec = load_pipelines().for_segment("self_service").stage("documentos")
    at = [_BASE + timedelta(minutes=m) for m in range(0, 1000)]
    full = Activity(
        inbound=sorted(at[m] for m in inbound),
        outbound=sorted(at[m] for m in outbound),
        escalations=[(at[a], None if b is None else at[max(a, b)]) for a, b in escalations],
    )
    begin, end = at[start], at[start + length]
    assert waiting_on_client(spec, _reduced(full, begin), start=begin, end=end) == (
        waiting_on_client(spec, full, start=begin, end=end)
    )


def test_load_activity_of_the_current_stage_reads_what_the_reduction_keeps(
    runtime: Runtime, clock: FakeClock
) -> None:
    """On the database: the same timestamps as the reduction of the whole history."""
    from backoffice.sla import load_activity
    from bot.storage.models import Message, Onboarding

    clock.set(local(24, 9))
    chat = Chat(runtime, address="+5511955553333", channel=Channel.TWILIO_WHATSAPP)
    register(chat)  # a whole registration: messages in both directions
    clock.set(local(24, 10))
    chat.say("1")  # confirmed: stage documentos entered now
    onboarding_id = _onboarding_id(runtime)
    clock.set(local(24, 11))
    chat.say("já envio os documentos")
    with runtime.sessions() as session:
        entered = session.get_one(Onboarding, onboarding_id).stage_entered_at
        assert (
            session.scalars(select(Message.id).where(Message.created_at < entered)).first()
            is not None
        )  # there is a history before the stage
        full = load_activity(session, [onboarding_id])[onboarding_id]
        current = load_activity(session, [onboarding_id], current_stage_only=True)[onboarding_id]
    expected = _reduced(full, entered)
    assert (current.inbound, current.outbound) == (expected.inbound, expected.outbound)
    assert current.escalations == full.escalations and current.pauses == full.pauses
