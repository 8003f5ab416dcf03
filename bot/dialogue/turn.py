"""One turn of the dialogue: what the client said (``Utterance``) and what the bot does about
it (``Turn``: the new state, the replies and the effects for the service layer)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property

from bot.dialogue.catalog import fold
from bot.dialogue.commands import Command
from bot.dialogue.context import ConversationContext
from bot.dialogue.effects import Effect
from bot.dialogue.state import DialogueState
from bot.domain.messages import Choice, InboundMessage, OutboundMessage
from nlu.types import NLUResult

__all__ = ["Turn", "Utterance"]

_ANSWERS = frozenset({"affirm", "deny", "inform", "out_of_scope", "correct_data"})


@dataclass(frozen=True)
class Utterance:
    """The client's message as the handlers read it: the cleaned text, the tap, the NLU."""

    message: InboundMessage
    body: str
    nlu: NLUResult
    command: Command | None = None

    @cached_property
    def folded(self) -> str:
        return fold(self.body)

    @property
    def choice_id(self) -> str:
        return self.message.choice_id

    @property
    def intent(self) -> str:
        return self.nlu.intent.name

    @property
    def confidence(self) -> float:
        return self.nlu.intent.confidence

    @property
    def words(self) -> int:
        return len(self.folded.split())

    def requests(self, threshold: float) -> bool:
        """The NLU hears a request (not an answer) at least this sure."""
        return self.intent not in _ANSWERS and self.confidence >= threshold


@dataclass
class Turn:
    """The outcome of one inbound message (or of the bot speaking first)."""

    state: DialogueState
    context: ConversationContext = field(default_factory=ConversationContext)
    utterance: Utterance | None = None
    replies: list[OutboundMessage] = field(default_factory=list)
    effects: list[Effect] = field(default_factory=list)
    # A repair kept its question open but could not take the message: unless an interruption
    # or a correction handles it, the repair explains what it expects.
    unfit_repair: bool = False
    # A file this turn acknowledged is being read: asking its document step again would talk
    # over the reading that comes next.
    reading_awaited: bool = False
    # The reply the status page's link goes with (its index in ``replies``; the link is added
    # once, when the turn ends: ``bot.dialogue.status_link``).
    status_link_at: int | None = None
    # Several requests in one message: the question the client owes is asked once, after the
    # last one (``interruptions.interrupt_each``).
    question_held: bool = False

    @property
    def language(self) -> str:
        return self.state.language

    @property
    def said(self) -> Utterance:
        if self.utterance is None:
            raise AssertionError("this turn has no client message")
        return self.utterance

    def say(self, body: str, choices: tuple[Choice, ...] = ()) -> None:
        if body or choices:
            self.replies.append(OutboundMessage(text=body, choices=choices))

    def add_line(self, line: str) -> None:
        """A line that belongs with the last reply ("Enquanto isso, …"): one message, not two."""
        last = self.replies[-1] if self.replies else None
        if last is None or last.choices or last.attachments:
            self.say(line)
            return
        self.replies[-1] = replace(last, text=f"{last.text}\n{line}")
