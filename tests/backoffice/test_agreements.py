"""Agreements recorded with the client (issue #17), the use cases on the database: what is
stored, audited and signalled live; each refusal (text, due day, stage, scope, erased client,
closing twice); the LGPD export carries the text and erasure clears it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from backoffice.access import Principal, authenticate
from backoffice.agreements import (
    NOT_WORKDAY,
    PAST_DUE,
    SAY_WHAT,
    TOO_LONG,
    UNKNOWN_STAGE,
    WHO_OWES,
    AgreementDraft,
    close_agreement,
    current_onboarding,
    list_agreements,
    record_agreement,
)
from backoffice.erasure import anonymize_client
from backoffice.errors import Conflict, Forbidden, Invalid, NotFound
from backoffice.export import export_client
from backoffice.pipeline import load_pipelines
from backoffice.settings import BackofficeSettings
from bot.bootstrap import Runtime
from bot.domain.clock import FakeClock
from bot.storage.models import AuditEvent, Client, ConsoleEvent, Onboarding
from bot.storage.models.agreements import Agreement
from bot.storage.personal_data import ERASED
from tests.backoffice.factories import Member, Roster, make_onboarding

# The suite's clock is Tuesday 2026-11-24, 10:00 in São Paulo.
THURSDAY = date(2026, 11, 26)
SATURDAY = date(2026, 11, 28)
CHRISTMAS = date(2026, 12, 25)  # a Friday, a national holiday
YESTERDAY = date(2026, 11, 23)
TODAY = date(2026, 11, 24)

CALENDAR = BackofficeSettings().calendar()
PIPELINES = load_pipelines()


def _principal(session: Session, member: Member) -> Principal:
    return authenticate(session, member.token)


def _record(
    session: Session,
    principal: Principal,
    onboarding_id: int,
    clock: FakeClock,
    **draft: object,
) -> Agreement:
    fields: dict[str, object] = {"what": "Enviar o contrato social", "owed_by": "client"}
    fields["due_on"] = THURSDAY
    fields.update(draft)
    return record_agreement(
        session,
        principal,
        onboarding_id=onboarding_id,
        draft=AgreementDraft(**fields),  # type: ignore[arg-type]
        now=clock.now(),
        calendar=CALENDAR,
        pipelines=PIPELINES,
    )


def _onboarding(session: Session, clock: FakeClock, roster: Roster) -> int:
    return make_onboarding(session, now=clock.now(), csm_id=roster.csm_owner.id).id


def test_an_agreement_is_stored_audited_and_signalled(
    runtime: Runtime, clock: FakeClock, roster: Roster
) -> None:
    with runtime.sessions.begin() as session:
        onboarding_id = _onboarding(session, clock, roster)
        me = _principal(session, roster.csm_owner)
        first = _record(
            session,
            me,
            onboarding_id,
            clock,
            what="  Enviar o contrato social  ",
            stage="documentos",
        )
        second = _record(
            session,
            me,
            onboarding_id,
            clock,
            what="Configurar a conta",
            owed_by="company",
            due_on=TODAY,
        )
        first_id, second_id = first.id, second.id
    with runtime.sessions() as session:
        stored = session.get_one(Agreement, first_id)
        assert (stored.what, stored.owed_by, stored.due_on, stored.stage, stored.status) == (
            "Enviar o contrato social",
            "client",
            THURSDAY,
            "documentos",
            "open",
        )
        assert stored.created_by == f"staff:{roster.csm_owner.id}" and stored.closed_at is None
        me = _principal(session, roster.csm_owner)
        _onboarding_row, listed = list_agreements(session, me, onboarding_id=onboarding_id)
        assert [a.id for a in listed] == [second_id, first_id]  # by due date
        audit = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == "agreement_recorded")
            .order_by(AuditEvent.id)
        ).all()
        assert [(a.field, a.new_value, a.actor) for a in audit] == [
            (f"agreement:{first_id}", "Enviar o contrato social", me.actor),
            (f"agreement:{second_id}", "Configurar a conta", me.actor),
        ]
        events = session.scalars(
            select(ConsoleEvent).where(ConsoleEvent.kind == "agreement_changed")
        ).all()
        assert [(e.onboarding_id, e.data["agreement_id"], e.data["status"]) for e in events] == [
            (onboarding_id, first_id, "open"),
            (onboarding_id, second_id, "open"),
        ]
        assert all(e.csm_id == roster.csm_owner.id for e in events)  # who may see them


@pytest.mark.parametrize(
    ("draft", "message"),
    [
        ({"what": "   "}, SAY_WHAT),
        ({"what": "x" * 501}, TOO_LONG),
        ({"owed_by": "ninguem"}, WHO_OWES),
        ({"due_on": YESTERDAY}, PAST_DUE),
        ({"due_on": SATURDAY}, NOT_WORKDAY),
        ({"due_on": CHRISTMAS}, NOT_WORKDAY),
        ({"stage": "inexistente"}, UNKNOWN_STAGE),
    ],
)
def test_bad_agreements_are_refused_and_nothing_is_kept(
    runtime: Runtime, clock: FakeClock, roster: Roster, draft: dict[str, object], message: str
) -> None:
    with runtime.sessions.begin() as session:
        onboarding_id = _onboarding(session, clock, roster)
    with runtime.sessions() as session:
        with pytest.raises(Invalid) as refused:
            _record(session, _principal(session, roster.csm_owner), onboarding_id, clock, **draft)
        assert refused.value.detail == message
        session.rollback()
        assert session.scalar(select(Agreement.id)) is None
        audited = select(AuditEvent.id).where(AuditEvent.action.like("agreement%"))
        assert session.scalar(audited) is None


def test_five_hundred_characters_and_today_are_accepted(
    runtime: Runtime, clock: FakeClock, roster: Roster
) -> None:
    with runtime.sessions.begin() as session:
        onboarding_id = _onboarding(session, clock, roster)
        made = _record(
            session,
            _principal(session, roster.csm_owner),
            onboarding_id,
            clock,
            what="é" * 500,
            due_on=TODAY,
        )
        assert len(made.what) == 500 and made.due_on == TODAY


def test_scope_unknown_ids_and_erased_clients(
    runtime: Runtime, clock: FakeClock, roster: Roster
) -> None:
    with runtime.sessions.begin() as session:
        onboarding_id = _onboarding(session, clock, roster)
        agreement_id = _record(
            session, _principal(session, roster.csm_owner), onboarding_id, clock
        ).id
    with runtime.sessions() as session:
        other = _principal(session, roster.csm_other)
        outsider = _principal(session, roster.manager_other)
        for principal in (other, outsider):
            with pytest.raises(Forbidden):
                _record(session, principal, onboarding_id, clock)
            with pytest.raises(Forbidden):
                list_agreements(session, principal, onboarding_id=onboarding_id)
            with pytest.raises(Forbidden):
                close_agreement(
                    session, principal, agreement_id=agreement_id, status="done", now=clock.now()
                )
        owner = _principal(session, roster.csm_owner)
        with pytest.raises(NotFound):
            _record(session, owner, onboarding_id + 1000, clock)
        with pytest.raises(NotFound):
            close_agreement(
                session, owner, agreement_id=agreement_id + 1000, status="done", now=clock.now()
            )
        with pytest.raises(NotFound):  # under another client's path
            close_agreement(
                session,
                owner,
                agreement_id=agreement_id,
                status="done",
                now=clock.now(),
                client_id=999,
            )
        assert session.get_one(Agreement, agreement_id).status == "open"
    with runtime.sessions.begin() as session:
        client_id = session.get_one(Agreement, agreement_id).client_id
        session.get_one(Client, client_id).erased_at = clock.now()
    with runtime.sessions() as session, pytest.raises(Conflict):
        _record(session, _principal(session, roster.csm_owner), onboarding_id, clock)


def test_done_or_cancelled_once_each_audited(
    runtime: Runtime, clock: FakeClock, roster: Roster
) -> None:
    with runtime.sessions.begin() as session:
        onboarding_id = _onboarding(session, clock, roster)
        me = _principal(session, roster.csm_owner)
        done_id = _record(session, me, onboarding_id, clock).id
        cancel_id = _record(session, me, onboarding_id, clock, what="Outra coisa").id
    clock.advance(timedelta(hours=2))
    with runtime.sessions.begin() as session:
        manager = _principal(session, roster.manager)  # the CSM's manager may close it too
        close_agreement(session, manager, agreement_id=done_id, status="done", now=clock.now())
        close_agreement(
            session, manager, agreement_id=cancel_id, status="cancelled", now=clock.now()
        )
    with runtime.sessions() as session:
        for agreement_id, status in ((done_id, "done"), (cancel_id, "cancelled")):
            row = session.get_one(Agreement, agreement_id)
            assert (row.status, row.closed_at, row.closed_by) == (
                status,
                clock.now(),
                f"staff:{roster.manager.id}",
            )
            with pytest.raises(Conflict):
                close_agreement(
                    session,
                    _principal(session, roster.csm_owner),
                    agreement_id=agreement_id,
                    status="cancelled",
                    now=clock.now(),
                )
        actions = session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.field.like("agreement:%"))
            .order_by(AuditEvent.id)
        ).all()
        assert actions == [
            "agreement_recorded",
            "agreement_recorded",
            "agreement_done",
            "agreement_cancelled",
        ]
        statuses = session.scalars(
            select(ConsoleEvent.data)
            .where(ConsoleEvent.kind == "agreement_changed")
            .order_by(ConsoleEvent.id)
        ).all()
        assert [d["status"] for d in statuses] == ["open", "open", "done", "cancelled"]


def test_current_onboarding_is_the_latest_in_scope(
    runtime: Runtime, clock: FakeClock, roster: Roster
) -> None:
    with runtime.sessions.begin() as session:
        first = make_onboarding(session, now=clock.now(), csm_id=roster.csm_owner.id)
        later = Onboarding(
            client_id=first.client_id,
            segment="self_service",
            stage="cadastro",
            stage_entered_at=clock.now() + timedelta(days=1),
            csm_id=roster.csm_owner.id,
            created_at=clock.now() + timedelta(days=1),
        )
        session.add(later)
        session.flush()
        found = current_onboarding(
            session, _principal(session, roster.csm_owner), client_id=first.client_id
        )
        assert found is not None and found.id == later.id
        with pytest.raises(Forbidden):
            current_onboarding(
                session, _principal(session, roster.csm_other), client_id=first.client_id
            )


def test_export_carries_the_text_and_erasure_clears_it(
    runtime: Runtime, clock: FakeClock, roster: Roster
) -> None:
    with runtime.sessions.begin() as session:
        onboarding_id = _onboarding(session, clock, roster)
        agreement = _record(
            session,
            _principal(session, roster.csm_owner),
            onboarding_id,
            clock,
            what="Ligar para Dona Márcia às 14h",
        )
        agreement_id, client_id = agreement.id, agreement.client_id
    with runtime.sessions() as session:
        exported = export_client(session, session.get_one(Client, client_id), now=clock.now())
        assert [row["what"] for row in exported["agreements"]] == ["Ligar para Dona Márcia às 14h"]
    with runtime.sessions.begin() as session:
        anonymize_client(session, session.get_one(Client, client_id), now=clock.now())
    with runtime.sessions() as session:
        row = session.get_one(Agreement, agreement_id)
        assert row.what == ERASED
        assert (row.due_on, row.owed_by, row.status) == (THURSDAY, "client", "open")
        texts = session.scalars(
            select(AuditEvent.new_value).where(AuditEvent.action == "agreement_recorded")
        ).all()
        assert "Ligar para Dona Márcia às 14h" not in texts
