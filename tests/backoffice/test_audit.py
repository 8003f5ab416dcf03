"""The audit trail: the client through the bot, every staff write route, and the system (workers,
auto-assignment, erasure completion) leave rows with actor, time, field, old and new value;
the trail is read per client and filtered."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import func, select

from backoffice import assign_escalation, finish_erasures
from bot.bootstrap import Runtime
from bot.documents.store import DocumentStore
from bot.domain.clock import FakeClock
from bot.storage.models import AuditEvent, Conversation, Escalation
from tests.backoffice.factories import Roster, make_onboarding
from tests.backoffice.route_cases import call
from tests.backoffice.route_table import CASES
from tests.support.conversation import Chat, register

# Triggers of a system sweep: what they complete is audited as "system" (tested below).
SYSTEM_SWEEPS = {("POST", "/erasure-requests/finish")}
# Reads that are audited because they disclose personal data.
AUDITED_READS = {
    ("GET", "/clients/{client_id}/export"),
    ("GET", "/clients/{client_id}/documents/{document_id}/content"),
}


def _count(runtime: Runtime, actor: str) -> int:
    with runtime.sessions() as session:
        return int(
            session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.actor == actor)) or 0
        )


def test_every_staff_write_route_leaves_an_audit_row(
    api: httpx.Client,
    runtime: Runtime,
    roster: Roster,
    clock: FakeClock,
    documents: DocumentStore,
) -> None:
    actor = f"staff:{roster.admin.id}"
    silent: list[str] = []
    for case in CASES:
        if case.method == "GET" and case.key not in AUDITED_READS or case.key in SYSTEM_SWEEPS:
            continue
        before = _count(runtime, actor)
        response = call(
            api,
            case,
            runtime=runtime,
            roster=roster,
            clock=clock,
            documents=documents,
            caller=roster.admin,
        )
        assert response.status_code == case.ok, (case.key, response.text)
        if _count(runtime, actor) <= before:
            silent.append(f"{case.method} {case.path}")
    assert not silent, f"routes that wrote without an audit row: {silent}"


# long: one client's audit trail built step by step, then each filter read against it
def test_client_staff_and_system_rows_and_filters(
    api: httpx.Client, runtime: Runtime, roster: Roster, clock: FakeClock
) -> None:
    chat = Chat(runtime, address="cliente-auditado")
    register(chat)
    chat.say("1")
    chat.say("quero falar com um atendente")
    with runtime.sessions() as session:
        conversation = session.scalars(select(Conversation)).one()
        client_id = conversation.client_id
    assert client_id is not None

    clock.advance(timedelta(days=1))
    patched = api.patch(
        f"/clients/{client_id}",
        json={"company_name": "Padaria Pão Quentinho"},
        headers=roster.csm_owner.headers,
    )
    assert patched.status_code == 200
    contact = api.put(
        f"/clients/{client_id}/contacts/finance",
        json={"email": "financeiro@paoquente.com.br"},
        headers=roster.csm_owner.headers,
    )
    assert contact.status_code == 200

    clock.advance(timedelta(days=1))
    with runtime.sessions() as session, session.begin():
        escalation = session.scalars(select(Escalation)).one()
        assert assign_escalation(session, escalation, now=clock.now()) is not None

    def trail(**params: str) -> list[dict[str, str]]:
        response = api.get(
            f"/clients/{client_id}/audit",
            params={"limit": "200", **params},
            headers=roster.manager.headers,
        )
        assert response.status_code == 200, response.text
        return list(response.json()["items"])

    rows = trail()
    actors = {row["actor"] for row in rows}
    assert {"client", "bot", f"staff:{roster.csm_owner.id}", "system"} <= actors
    by_client = trail(field="company_name")
    assert [(r["actor"], r["old_value"], r["new_value"]) for r in by_client] == [
        ("client", None, "Padaria Pão Quente Ltda"),
        (f"staff:{roster.csm_owner.id}", "Padaria Pão Quente Ltda", "Padaria Pão Quentinho"),
    ]
    staff_rows = trail(actor="staff")
    assert {r["field"] for r in staff_rows} == {"company_name", "contact.finance.email"}
    finance = next(r for r in staff_rows if r["field"] == "contact.finance.email")
    assert finance["old_value"] == "maria@paoquente.com.br"
    assert finance["new_value"] == "financeiro@paoquente.com.br"
    assert [r["action"] for r in trail(actor="system")] == ["escalation_assigned"]
    assert all(r["actor"] == "client" for r in trail(actor="client"))
    assert "escalated" in {r["action"] for r in trail(actor="bot")}
    # Date range (local days) and instants.
    first_day = trail(since="2026-11-24", until="2026-11-24")
    # The bot's escalation is assigned by the system as it is opened, on the first day too.
    assert first_day and {r["actor"] for r in first_day} == {"client", "bot", "system"}
    second_day = trail(since="2026-11-25", until="2026-11-25")
    assert {r["actor"] for r in second_day} == {f"staff:{roster.csm_owner.id}"}
    late = trail(since_at="2026-11-26T00:00:00-03:00")
    assert late == []  # re-running the assignment of an assigned escalation records nothing
    naive = api.get(
        f"/clients/{client_id}/audit",
        params={"since_at": "2026-11-26T00:00:00"},
        headers=roster.manager.headers,
    )
    assert naive.status_code == 422


def test_erasure_completion_is_audited_as_system(
    api: httpx.Client, runtime: Runtime, roster: Roster, clock: FakeClock
) -> None:
    with runtime.sessions() as session, session.begin():
        onboarding = make_onboarding(
            session, now=clock.now(), channel="twilio_whatsapp", csm_id=roster.csm_owner.id
        )
        client_id = onboarding.client_id
    erased = api.post(f"/clients/{client_id}/erase", headers=roster.admin.headers)
    assert erased.status_code == 200
    assert erased.json()["request"]["status"] == "notifying"  # the notice is in the outbox
    clock.advance(timedelta(days=3))
    with runtime.sessions() as session, session.begin():
        assert finish_erasures(session, now=clock.now()) == 1
    with runtime.sessions() as session:
        actions = [
            (e.actor, e.action)
            for e in session.scalars(
                select(AuditEvent).where(AuditEvent.client_id == client_id).order_by(AuditEvent.id)
            )
        ]
    assert (f"staff:{roster.admin.id}", "client_erased") in actions
    assert actions[-1] == ("system", "erasure_completed")
