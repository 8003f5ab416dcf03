"""The client's own answers read back: "qual email eu passei?", "qual é o meu CNPJ
cadastrado?", "what's my email?". The answer is the value this conversation stored (never
another conversation's) and how to change it; then the question the client owes is asked
again. Placed before corrections: a question about an answer corrects nothing."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bot.dialogue.catalog import SlotInfo
from bot.dialogue.corrections import has_marker
from bot.dialogue.texts import text
from bot.dialogue.turn import Turn
from bot.dialogue.understanding import is_question
from bot.dialogue.wording import format_value

if TYPE_CHECKING:
    from bot.dialogue.dialogue import Dialogue

__all__ = ["ReadBackHandler", "asked_back"]

# The answer given before, or the client's own: "eu passei", "está cadastrado", "my e-mail".
_GIVEN = re.compile(
    r"(?<!\w)(?:passei|informei|mandei|enviei|coloquei|dei|falei|digitei|respondi|"
    r"cadastrad\w*|anotad\w*|registrad\w*|salv\w*|ficou|esta ai|voces tem|vc tem|"
    r"gave|given|told|sent|entered|typed|registered|saved|on file|you have|meu|minha|my)"
    r"(?!\w)"
)
_ASKS = re.compile(r"^(?:me (?:diz|fala|mostra|lembra)|tell me|show me|remind me|confirm\w*)\b")
_IDENTIFIERS = frozenset({"cnpj", "cpf", "email", "phone", "cep"})
_MAX_WORDS = 14


def asked_back(turn: Turn, dialogue: Dialogue) -> SlotInfo | None:
    """The field whose stored value the message asks for, or None."""
    said = turn.said
    if said.choice_id or said.words > _MAX_WORDS or has_marker(said):
        return None  # "qual email eu passei? está errado, é …" is a correction
    if not (is_question(said) or _ASKS.match(said.folded)) or not _GIVEN.search(said.folded):
        return None
    if any(e.entity in _IDENTIFIERS for e in said.nlu.entities):
        return None  # a value in the message: an answer or a correction, not a question
    catalog, state = dialogue.walker.catalog, turn.state
    named = catalog.mentioned(said.body, answered=state.answered, slots=state.slots)
    if named is None:  # asked before it was answered: said so
        everything = [info.key for info in catalog]
        named = catalog.mentioned(said.body, answered=everything, slots=state.slots)
    return named


class ReadBackHandler:
    def check(self, turn: Turn, dialogue: Dialogue) -> bool:
        return asked_back(turn, dialogue) is not None

    def handle(self, turn: Turn, dialogue: Dialogue) -> bool:
        info = asked_back(turn, dialogue)
        assert info is not None
        lang = turn.language
        label = info.label(lang)
        value = turn.state.slots.get(info.key)
        if value is None:
            turn.say(text("read_back_none", lang, params={"label": label}))
        else:
            field = info.step.label.get(lang).removeprefix("seu ").removeprefix("sua ")
            field = field.removeprefix("your ")
            if info.namespace_label is not None:
                field = f"{field} ({info.namespace_label.get(lang)})"
            shown = format_value(info.key, value, language=lang)
            params = {"label": label, "value": shown, "field": field}
            turn.say(text("read_back", lang, params=params))
        dialogue.ask_again(turn)
        return True
