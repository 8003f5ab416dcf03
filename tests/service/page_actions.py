"""What the tests of the status page's actions as use cases share (``bot/service/
client_page_actions.py``): a runtime with a scripted NLU, the actions on an in-process inbox,
clients in the chat."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import select

from bot.bootstrap import Runtime, build_runtime, document_store
from bot.config import Settings
from bot.coordination import build_coordination
from bot.documents import IntakeLimits
from bot.domain.clock import FakeClock
from bot.domain.messages import Channel
from bot.service.client_page_actions import ClientPageActions
from bot.service.inbox import Inbox
from bot.storage.models import Conversation
from tests.support.conversation import Chat, register
from tests.support.scripted_nlu import ScriptedInterpreter

__all__ = [
    "MEETING",
    "make_actions",
    "at_the_card",
    "conversation_at",
    "scripted_runtime",
    "stored_files",
    "whatsapp",
]

MEETING = "https://meet.example.com/treino"


def scripted_runtime(settings: Settings, clock: FakeClock) -> Iterator[Runtime]:
    """The runtime of the ``rt`` fixture each test module declares."""
    runtime = build_runtime(settings, clock=clock, interpreter=ScriptedInterpreter(), migrate=False)
    yield runtime
    runtime.close()


def make_actions(runtime: Runtime, *, max_mb: int = 16) -> ClientPageActions:
    coordination = build_coordination(None)
    inbox = Inbox(conversations=runtime.conversations, gate=coordination.gate)
    return ClientPageActions(
        inbox=inbox,
        sessions=runtime.sessions,
        clock=runtime.clock,
        store=document_store(runtime.settings),
        limits=IntakeLimits(max_bytes=max_mb * 1024 * 1024),
    )


def whatsapp(runtime: Runtime, address: str) -> Chat:
    return Chat(runtime, address=address, channel=Channel.TWILIO_WHATSAPP)


def conversation_at(runtime: Runtime, address: str) -> Conversation:
    with runtime.sessions() as session:
        conversation = session.scalars(
            select(Conversation).where(Conversation.address == address)
        ).one()
        session.expunge(conversation)
        return conversation


def stored_files(runtime: Runtime) -> list[Path]:
    return [p for p in runtime.settings.documents_dir.rglob("*") if p.is_file()]


def at_the_card(chat: Chat) -> Conversation:
    """A registered client whom the chat asks for the CNPJ card."""
    register(chat)
    assert "cartão CNPJ" in chat.say("1")
    return conversation_at(chat.runtime, chat.address)
