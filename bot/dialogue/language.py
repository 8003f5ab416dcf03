"""The conversation's language: Portuguese unless the client clearly writes English (more
than a token like "ok", "oi", "sim"); "english please" / "pode ser em português" switch and
repeat the current question in the new language."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bot.dialogue.catalog import fold
from bot.dialogue.effects import RecordEvent
from bot.dialogue.texts import text
from bot.dialogue.turn import Turn

if TYPE_CHECKING:
    from bot.dialogue.dialogue import Dialogue

__all__ = ["LanguageRequestHandler", "detect_language_request", "follow_language"]

_POLITE = r"(?: please| pls| por favor| pf| pfv| obrigad[oa]| thanks)?"
_ASK = (
    r"^(?:(?:can|could|may) (?:we|you|i) |(?:i d|i would|we d) like to |"
    r"(?:pode|podemos|poderia|quero|queria|vamos|prefiro|i prefer|i d prefer|let s|lets) )?"
    r"(?:(?:ser|falar|fala|conversar|continuar|seguir|escrever|speak|talk|continue|write|"
    r"chat|go on|do you speak) )?(?:(?:em|in) )?"
)
_TO_ENGLISH = re.compile(_ASK + r"(?:english|ingles)" + _POLITE + r"$")
_TO_PORTUGUESE = re.compile(_ASK + r"(?:portugues|portuguese|pt br|ptbr)" + _POLITE + r"$")
# Tokens both languages use: they never decide the language on their own.
_SHARED = frozenset(
    "ok okay oi sim yes no nao s n blz beleza tchau bye thanks obrigado "
    "obrigada valeu top show cool nice".split()
)


def detect_language_request(body: str) -> str | None:
    folded = fold(body)
    if _TO_ENGLISH.match(folded):
        return "en"
    if _TO_PORTUGUESE.match(folded):
        return "pt"
    return None


class LanguageRequestHandler:
    def check(self, turn: Turn, dialogue: Dialogue) -> bool:
        return detect_language_request(turn.said.body) is not None

    def handle(self, turn: Turn, dialogue: Dialogue) -> bool:
        requested = detect_language_request(turn.said.body)
        state = turn.state
        if requested != state.language:
            state.language = "en" if requested == "en" else "pt"
            turn.effects.append(RecordEvent("language_changed", state.language))
        state.language_locked = True
        turn.say(text("language_switched", state.language))
        dialogue.ask_again(turn, whole=True)  # in the language now asked for: all of it
        return True


def follow_language(turn: Turn) -> None:
    """Switches to the language the client clearly writes in, unless they chose one."""
    state, said = turn.state, turn.said
    if state.language_locked or said.nlu.language not in ("pt", "en"):
        return
    words = [w for w in said.folded.split() if w.isalpha()]
    telling = [w for w in words if w not in _SHARED]
    if len(words) < 2 or not telling:
        return  # "ok", "oi", "hello": one shared token says nothing
    # Free-text answers (names, addresses) say little about the language: only the first
    # messages and longer questions or requests switch it.
    first = not state.started or not state.answered
    if not (first or (len(words) >= 4 and said.intent != "inform")):
        return
    if said.nlu.language != state.language:
        state.language = "en" if said.nlu.language == "en" else "pt"
        turn.effects.append(RecordEvent("language_changed", state.language))
