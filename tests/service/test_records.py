"""EffectRecorder: consent is written to the client record without loading it, and a client
the session already holds is updated in place."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import event, select

from bot.bootstrap import Runtime
from bot.dialogue.effects import RecordEvent
from bot.service.records import EffectRecorder
from bot.storage.models import AuditEvent, Client, Conversation
from tests.support.conversation import Chat


@pytest.fixture
def conversation_id(runtime: Runtime) -> int:
    return Chat(runtime).send("oi").conversation_id


@pytest.fixture
def statements(runtime: Runtime) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(*args: object) -> None:
        seen.append(str(args[2]))

    event.listen(runtime.db, "before_cursor_execute", record)
    yield seen
    event.remove(runtime.db, "before_cursor_execute", record)


def test_consent_is_written_without_reading_the_client(
    runtime: Runtime, conversation_id: int, statements: list[str]
) -> None:
    now = runtime.clock.now()
    with runtime.sessions() as session, session.begin():
        conversation = session.get(Conversation, conversation_id)
        assert conversation is not None
        statements.clear()
        EffectRecorder(session, conversation, now=now).apply([RecordEvent("consent_given")])

    assert not any(s.lstrip().upper().startswith("SELECT") for s in statements), statements
    with runtime.sessions() as session:
        client = session.scalars(select(Client)).one()
        assert client.consent_at == now and client.updated_at == now
        assert session.scalars(select(AuditEvent.action)).all() == ["consent_given"]


def test_a_client_the_session_holds_is_updated_in_place(
    runtime: Runtime, conversation_id: int
) -> None:
    now = runtime.clock.now()
    with runtime.sessions() as session, session.begin():
        conversation = session.get(Conversation, conversation_id)
        assert conversation is not None
        client = session.get(Client, conversation.client_id)
        assert client is not None and client.form_refused is False
        EffectRecorder(session, conversation, now=now).apply([RecordEvent("form_refused")])
        assert client.form_refused is True  # what the rest of the transaction reads

    with runtime.sessions() as session:
        assert session.scalars(select(Client.form_refused)).one() is True
