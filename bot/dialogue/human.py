"""Asking for a person, and waiting for one: what happens next is said honestly (business
hours, the expected first answer), the form can go on meanwhile, "tem alguém aí?" gets the
state of the request, and a second escalation is never opened for the same wait."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bot.dialogue.dialogue import WAY_OUT
from bot.dialogue.effects import Escalate
from bot.dialogue.state import HumanOfferPending
from bot.dialogue.texts import text
from bot.dialogue.turn import Turn
from bot.dialogue.understanding import choices_of
from bot.dialogue.wording import duration, when

if TYPE_CHECKING:
    from bot.dialogue.dialogue import Dialogue

__all__ = ["AnyoneThereHandler", "request_person", "request_status"]

_ANYONE_THERE = re.compile(
    r"(tem alguem|alguem ai|alguem (me )?(responde|atende|pode)|^alo\b|^oi alguem|"
    r"ninguem (me )?(respond|atend|apareceu|falou|retorn)|cade (a|o|voces|alguem|a pessoa)|"
    r"(ainda|continuo|to|tou|estou|sigo) (esperando|aguardando)|vai demorar|quanto tempo|"
    r"demorando|anyone there|anybody there|is anyone|still waiting|nobody (answered|replied)|"
    r"when will (someone|somebody|you))"
)


def request_person(turn: Turn, dialogue: Dialogue, *, reason: str, detail: str) -> None:
    """Calls the team, unless a request is already open: then says where it stands."""
    progress = turn.context.progress
    if progress.open_human_request() is not None:
        request_status(turn, dialogue)
        return
    turn.effects.append(Escalate(reason, detail[:500]))
    turn.state.awaiting_human = True
    turn.say(_escalated_text(turn))


def _escalated_text(turn: Turn) -> str:
    lang = turn.language
    wait = turn.context.progress.human_wait()
    if wait.in_business_hours or wait.opens_at is None:
        return text("escalated", lang, params={"wait": duration(wait.first_answer_minutes, lang)})
    opens = when(wait.opens_at, lang, timezone=turn.context.timezone)
    return text("escalated_off_hours", lang, params={"opens": opens})


def request_status(turn: Turn, dialogue: Dialogue) -> bool:
    """Where the client's request for a person stands; True when, none being open, it asked
    whether to call someone."""
    lang = turn.language
    progress = turn.context.progress
    request = progress.open_human_request()
    if request is None:
        turn.state.awaiting_human = False
        turn.state.pending = HumanOfferPending(reason="request_human")
        turn.say(text("human_none_open", lang), choices_of(WAY_OUT, lang))
        return True
    turn.state.awaiting_human = True
    since = when(request.opened_at, lang, timezone=turn.context.timezone)
    if request.taken_by:
        turn.say(text("human_taken", lang, params={"since": since, "name": request.taken_by}))
        return False
    wait = progress.human_wait()
    if wait.in_business_hours or wait.opens_at is None:
        later = text("human_wait", lang, params={"wait": duration(wait.first_answer_minutes, lang)})
    else:
        later = text(
            "human_wait_off_hours",
            lang,
            params={"opens": when(wait.opens_at, lang, timezone=turn.context.timezone)},
        )
    turn.say(text("human_not_taken", lang, params={"since": since, "later": later}))
    return False


class AnyoneThereHandler:
    """ "Alô? Tem alguém aí?" while a person was asked for: the state of the request."""

    def check(self, turn: Turn, dialogue: Dialogue) -> bool:
        said = turn.said
        if _ANYONE_THERE.search(said.folded) is not None:
            # A person may have been asked for outside this chat's memory (by the team, or
            # before a restart): the request itself is the truth.
            return turn.state.awaiting_human or (
                turn.context.progress.open_human_request() is not None
            )
        return (
            turn.state.awaiting_human
            and said.intent in ("request_human", "complain")
            and (said.confidence >= dialogue.settings.interruption_confidence)
        )

    def handle(self, turn: Turn, dialogue: Dialogue) -> bool:
        if not request_status(turn, dialogue):
            _continue_offer(turn, dialogue)
        return True


def _continue_offer(turn: Turn, dialogue: Dialogue) -> None:
    """Meanwhile the form can go on: its question again, if there is one."""
    if dialogue.walker.current_step(turn.state) is not None or turn.state.pending is not None:
        turn.add_line(text("human_meanwhile", turn.language))
        dialogue.ask_again(turn)
