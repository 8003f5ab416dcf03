"""Every change the console shows live writes its ``console_events`` row in the change's own
transaction: a committed change has its event (ids and codes only), a rolled-back one none;
a batch of turns writes all its message events with one INSERT."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from backoffice.access import Principal
from backoffice.client_records import add_note, update_client, upsert_contact
from backoffice.escalations import reassign, resolve_escalation
from backoffice.onboardings import assign_csm, change_stage
from backoffice.takeover import release, send_staff_message, take_over
from bot.bootstrap import Runtime
from bot.dialogue.effects import Escalate, SetStage
from bot.domain.clock import FakeClock
from bot.domain.messages import Channel, InboundMessage, OutboundMessage
from bot.service.deliveries import record_delivery_status
from bot.service.message_store import store_outbound
from bot.service.records import EffectRecorder
from bot.storage.console_events import prune_console_events, record_console_event
from bot.storage.models import (
    Client,
    ConsoleEvent,
    Conversation,
    Document,
    Escalation,
    Message,
    Onboarding,
)
from bot.workers.document_rows import read_event
from bot.workers.outbox import OutboxWorker
from tests.backoffice.factories import conversation_of, make_onboarding, make_staff

Row = tuple[str, int | None, int | None, int | None, str, dict[str, Any]]


@pytest.fixture
def staff(runtime: Runtime, clock: FakeClock) -> dict[str, Principal]:
    with runtime.sessions() as session, session.begin():
        made = {
            "manager": make_staff(session, role="manager", now=clock.now())[0],
            "csm": make_staff(session, role="csm", segment="self_service", now=clock.now())[0],
            "csm2": make_staff(session, role="csm", segment="self_service", now=clock.now())[0],
        }
        return {
            key: Principal(id=s.id, name=s.name, role=s.role, team=s.team, segment=s.segment)
            for key, s in made.items()
        }


@pytest.fixture
def onboarding_id(runtime: Runtime, clock: FakeClock, staff: dict[str, Principal]) -> int:
    with runtime.sessions() as session, session.begin():
        return make_onboarding(
            session, now=clock.now(), csm_id=staff["csm"].id, channel="twilio_whatsapp"
        ).id


def last_id(runtime: Runtime) -> int:
    with runtime.sessions() as session:
        return int(session.scalar(select(ConsoleEvent.id).order_by(ConsoleEvent.id.desc())) or 0)


def events_after(runtime: Runtime, after: int) -> list[Row]:
    with runtime.sessions() as session:
        return [
            (e.kind, e.onboarding_id, e.conversation_id, e.csm_id, e.actor, e.data)
            for e in session.scalars(
                select(ConsoleEvent).where(ConsoleEvent.id > after).order_by(ConsoleEvent.id)
            )
        ]


def kinds(rows: list[Row]) -> list[str]:
    return [row[0] for row in rows]


def in_transaction(
    runtime: Runtime, change: Callable[[Session], object], *, commit: bool
) -> list[Row]:
    """Runs ``change`` in one transaction, committed or rolled back; the events it left."""
    before = last_id(runtime)
    with runtime.sessions() as session:
        change(session)
        if commit:
            session.commit()
        else:
            session.rollback()
    return events_after(runtime, before)


@pytest.fixture
def event_inserts(runtime: Runtime) -> Iterator[list[str]]:
    """The INSERT statements into console_events (an executemany counts once)."""
    seen: list[str] = []

    def record(conn: object, cursor: object, statement: str, *args: object) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO CONSOLE_EVENTS"):
            seen.append(statement)

    event.listen(runtime.db, "before_cursor_execute", record)
    yield seen
    event.remove(runtime.db, "before_cursor_execute", record)


def inbound(address: str, text: str, runtime: Runtime) -> InboundMessage:
    return InboundMessage(
        channel=Channel.TERMINAL,
        address=address,
        text=text,
        external_id=f"{address}-{text}",
        received_at=runtime.clock.now(),
    )


def test_a_turn_writes_message_in_and_message_out_with_the_message_ids(
    runtime: Runtime, event_inserts: list[str]
) -> None:
    before = last_id(runtime)
    handled = runtime.conversations.handle(inbound("c-1", "oi", runtime))
    rows = events_after(runtime, before)
    assert kinds(rows) == ["message_in", "message_out"]
    with runtime.sessions() as session:
        conversation = session.get_one(Conversation, handled.conversation_id)
        received = session.scalars(
            select(Message.id).where(
                Message.conversation_id == conversation.id, Message.direction == "in"
            )
        ).all()
        onboarding = session.get_one(Onboarding, conversation.onboarding_id)
        assert rows[0][1:5] == (onboarding.id, conversation.id, onboarding.csm_id, "client")
    assert rows[0][5] == {"message_ids": list(received)}
    assert rows[1][4] == "bot"
    assert rows[1][5] == {"message_ids": [r.message_id for r in handled.replies]}
    assert len(event_inserts) == 1


def test_a_batch_of_turns_writes_all_its_message_events_with_one_insert(
    runtime: Runtime, event_inserts: list[str]
) -> None:
    before = last_id(runtime)
    results = runtime.conversations.handle_many(
        [inbound(f"batch-{n}", "oi", runtime) for n in range(4)]
    )
    assert all(not isinstance(r, Exception) for r in results)
    rows = events_after(runtime, before)
    assert kinds(rows).count("message_in") == 4 and kinds(rows).count("message_out") == 4
    assert len({row[2] for row in rows}) == 4
    assert len(event_inserts) == 1


def test_the_bot_s_escalation_and_stage_change_are_events_and_roll_back_with_the_turn(
    runtime: Runtime, clock: FakeClock, onboarding_id: int, staff: dict[str, Principal]
) -> None:
    def effects(session: Session) -> None:
        onboarding = session.get_one(Onboarding, onboarding_id)
        conversation = conversation_of(session, onboarding)
        EffectRecorder(session, conversation, now=clock.now()).apply(
            [SetStage("validacao", "test"), Escalate("request_human", "o cliente pediu")]
        )

    assert in_transaction(runtime, effects, commit=False) == []
    rows = in_transaction(runtime, effects, commit=True)
    assert kinds(rows) == ["stage_changed", "escalation_opened"]
    assert rows[0][5] == {"from": "documentos", "to": "validacao"}
    assert rows[0][4] == "bot" and rows[0][3] == staff["csm"].id
    opened = rows[1][5]
    assert opened["reason"] == "request_human" and "o cliente" not in str(opened)


def test_takeover_staff_message_and_release_are_events(
    runtime: Runtime, clock: FakeClock, onboarding_id: int, staff: dict[str, Principal]
) -> None:
    csm = staff["csm"]

    def escalate(session: Session) -> None:
        conversation = conversation_of(session, session.get_one(Onboarding, onboarding_id))
        EffectRecorder(session, conversation, now=clock.now()).apply([Escalate("request_human")])

    in_transaction(runtime, escalate, commit=True)

    def take(session: Session) -> None:
        conversation = conversation_of(session, session.get_one(Onboarding, onboarding_id))
        take_over(session, conversation, principal=csm, now=clock.now())
        send_staff_message(
            session, conversation, principal=csm, text="Olá, sou a CSM", now=clock.now()
        )

    assert in_transaction(runtime, take, commit=False) == []
    rows = in_transaction(runtime, take, commit=True)
    assert kinds(rows) == ["takeover", "escalation_taken", "message_out"]
    assert {row[4] for row in rows} == {csm.actor}
    assert "Olá" not in str(rows)

    def hand_back(session: Session) -> None:
        conversation = conversation_of(session, session.get_one(Onboarding, onboarding_id))
        release(
            session,
            conversation,
            principal=csm,
            conversations=runtime.conversations,
            now=clock.now(),
            resolve=True,
        )

    rows = in_transaction(runtime, hand_back, commit=True)
    assert kinds(rows)[:2] == ["released", "escalation_resolved"]
    assert rows[0][5] == {"held_by": csm.id}
    assert set(kinds(rows)[2:]) <= {"message_out"}


def test_assignments_resolution_and_staff_stage_changes_are_events(
    runtime: Runtime, clock: FakeClock, onboarding_id: int, staff: dict[str, Principal]
) -> None:
    manager, csm, csm2 = staff["manager"], staff["csm"], staff["csm2"]

    def escalate(session: Session) -> None:
        conversation = conversation_of(session, session.get_one(Onboarding, onboarding_id))
        EffectRecorder(session, conversation, now=clock.now()).apply([Escalate("complaint")])

    in_transaction(runtime, escalate, commit=True)

    def move(session: Session) -> None:
        onboarding = session.get_one(Onboarding, onboarding_id)
        assign_csm(session, onboarding, principal=manager, csm_id=csm2.id, now=clock.now())
        change_stage(
            session,
            onboarding,
            to_stage="validacao",
            actor=manager.actor,
            reason="test",
            now=clock.now(),
        )

    assert in_transaction(runtime, move, commit=False) == []
    rows = in_transaction(runtime, move, commit=True)
    assert kinds(rows) == ["assigned", "escalation_assigned", "stage_changed"]
    assert rows[0][3] == csm2.id
    assert rows[0][5] == {"csm_id": csm2.id, "previous_csm_id": csm.id}
    assert rows[1][5]["assigned_to"] == csm2.id and rows[1][3] == csm2.id
    assert rows[2][5] == {"from": "documentos", "to": "validacao"}

    def back_to_queue_and_resolve(session: Session) -> None:
        escalation = session.scalars(
            select(Escalation).where(Escalation.onboarding_id == onboarding_id)
        ).one()
        reassign(
            session,
            escalation,
            principal=manager,
            staff_id=csm2.id,
            dedicated_csm=False,
            now=clock.now(),
        )  # already theirs: nothing to write
        resolve_escalation(session, escalation, principal=manager, now=clock.now())

    rows = in_transaction(runtime, back_to_queue_and_resolve, commit=True)
    assert kinds(rows) == ["escalation_resolved"]


def test_notes_and_record_edits_are_events_with_field_names_only(
    runtime: Runtime, clock: FakeClock, onboarding_id: int, staff: dict[str, Principal]
) -> None:
    csm = staff["csm"]

    def edit(session: Session) -> None:
        client = session.get_one(Client, session.get_one(Onboarding, onboarding_id).client_id)
        update_client(session, client, principal=csm, changes={"city": "Campinas"}, now=clock.now())
        upsert_contact(
            session, client, principal=csm, area="finance", changes={"name": "Ana"}, now=clock.now()
        )
        add_note(
            session, client, principal=csm, text="ligar amanhã", onboarding_id=None, now=clock.now()
        )

    assert in_transaction(runtime, edit, commit=False) == []
    rows = in_transaction(runtime, edit, commit=True)
    assert kinds(rows) == ["client_updated", "client_updated", "note_added"]
    assert rows[0][5]["fields"] == ["city"]
    assert rows[1][5]["fields"] == ["contact.finance.name"]
    assert {row[1] for row in rows} == {onboarding_id}
    assert not any(word in str(rows) for word in ("Campinas", "Ana", "amanhã"))


def test_delivery_statuses_are_events_when_they_move_forward(
    runtime: Runtime, clock: FakeClock, onboarding_id: int
) -> None:
    def stored(session: Session) -> None:
        conversation = conversation_of(session, session.get_one(Onboarding, onboarding_id))
        session.add(
            Message(
                conversation_id=conversation.id,
                direction="out",
                author="bot",
                text="oi",
                channel_message_id="SM-1",
                status="sent",
                created_at=clock.now(),
            )
        )

    in_transaction(runtime, stored, commit=True)
    before = last_id(runtime)
    assert record_delivery_status(
        runtime.sessions, provider_message_id="SM-1", status="delivered", error_code=None
    )
    assert record_delivery_status(
        runtime.sessions, provider_message_id="SM-1", status="sent", error_code=None
    )  # backwards: no change, no event
    rows = events_after(runtime, before)
    assert kinds(rows) == ["message_status"]
    assert rows[0][1] == onboarding_id and rows[0][5]["status"] == "delivered"


async def test_a_message_the_outbox_holds_is_an_event(
    runtime: Runtime, clock: FakeClock, onboarding_id: int
) -> None:
    def reply(session: Session) -> None:
        conversation = conversation_of(session, session.get_one(Onboarding, onboarding_id))
        store_outbound(
            session, conversation, reply=OutboundMessage(text="oi"), author="bot", now=clock.now()
        )

    in_transaction(runtime, reply, commit=True)
    before = last_id(runtime)
    worker = OutboxWorker(sessions=runtime.sessions, senders={}, clock=clock)  # no channel
    await worker.run_once()
    rows = events_after(runtime, before)
    assert rows and set(kinds(rows)) == {"message_status"}
    # No message of the client in 24 hours and no template: held for a person.
    assert {row[5]["status"] for row in rows} == {"held"}
    assert {row[1] for row in rows} == {onboarding_id}


def test_a_document_reading_is_an_event(
    runtime: Runtime, clock: FakeClock, onboarding_id: int
) -> None:
    def read(session: Session) -> None:
        conversation = conversation_of(session, session.get_one(Onboarding, onboarding_id))
        document = Document(
            client_id=conversation.client_id,
            conversation_id=conversation.id,
            kind="cnpj_card",
            source_channel="twilio_whatsapp",
            status="read",
            received_at=clock.now(),
        )
        session.add(document)
        session.flush()
        read_event(session, document, now=clock.now())

    assert in_transaction(runtime, read, commit=False) == []
    rows = in_transaction(runtime, read, commit=True)
    assert kinds(rows) == ["document_read"]
    assert rows[0][1] == onboarding_id
    assert set(rows[0][5]) == {"document_id", "kind", "status"}


def test_an_unknown_kind_is_refused(runtime: Runtime, clock: FakeClock) -> None:
    with runtime.sessions() as session, pytest.raises(ValueError, match="unknown console"):
        record_console_event(session, kind="message.created", at=clock.now())


def test_pruning_deletes_only_the_events_older_than_the_cut(
    runtime: Runtime, clock: FakeClock
) -> None:
    with runtime.sessions() as session, session.begin():
        record_console_event(session, kind="stage_changed", at=clock.now() - timedelta(days=8))
        record_console_event(session, kind="stage_changed", at=clock.now())
    with runtime.sessions() as session, session.begin():
        assert prune_console_events(session, before=clock.now() - timedelta(days=7)) == 1
    with runtime.sessions() as session:
        assert [e.at for e in session.scalars(select(ConsoleEvent))] == [clock.now()]
