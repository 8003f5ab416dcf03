"""Drives a conversation through the real service layer, as a channel would."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from bot.bootstrap import Runtime
from bot.domain.messages import Channel, InboundMessage
from bot.service.conversations import Handled, StoredReply

_ids = itertools.count(1)


@dataclass
class Chat:
    runtime: Runtime
    address: str = "client-1"
    channel: Channel = Channel.TERMINAL
    transcript: list[tuple[str, list[StoredReply]]] = field(default_factory=list)

    def send(self, text: str, *, choice_id: str = "", external_id: str | None = None) -> Handled:
        inbound = InboundMessage(
            channel=self.channel,
            address=self.address,
            text=text,
            external_id=external_id or f"m{next(_ids)}",
            received_at=self.runtime.clock.now(),
            choice_id=choice_id,
        )
        handled = self.runtime.conversations.handle(inbound)
        self.transcript.append((text, handled.replies))
        return handled

    def say(self, text: str, **kwargs: str) -> str:
        """Sends and returns all reply texts joined, for assertions."""
        return "\n".join(r.text for r in self.send(text, **kwargs).replies)

    def choices(self) -> list[str]:
        """Choice titles of the last reply that had any."""
        for _text, replies in reversed(self.transcript):
            for reply in reversed(replies):
                if reply.choices:
                    return [title for _id, title in reply.choices]
        return []


def register(chat: Chat, *, employees: str = "45", minimal: bool = False) -> None:
    """Walks the happy path in Portuguese up to (not including) the review confirmation."""
    chat.say("oi")
    chat.say("1")  # consent
    chat.say("Maria da Silva")
    chat.say("2" if minimal else "1")
    chat.say("11.222.333/0001-81")
    chat.say("Padaria Pão Quente Ltda")
    if not minimal:
        chat.say(employees)
    chat.say("maria@paoquente.com.br")
    chat.say("(11) 98765-4321")
    if not minimal:
        chat.say("1")  # finance: me
        chat.say("2")  # tech: someone else
        chat.say("João Souza")
        chat.say("joao@paoquente.com.br")
        chat.say("21 99876 5432")
        chat.say("1")  # cs: me
    chat.say("01310-100")
    chat.say("Avenida Paulista, Bela Vista, São Paulo/SP")
    chat.say("1000")
    chat.say("sala 12")
