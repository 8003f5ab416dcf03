""" "Posso terminar amanhã?", "can I finish this later?": yes — what was answered is kept, and
the conversation goes on from the same question whenever the client writes again. Asked at a
question of the registration or at a document step; the question is not asked again now (the
client is about to leave)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bot.dialogue.texts import text
from bot.dialogue.turn import Turn

if TYPE_CHECKING:
    from bot.dialogue.dialogue import Dialogue

__all__ = ["LaterHandler", "asks_to_finish_later"]

_LATER = (
    r"(?:depois|amanha|mais tarde|outra hora|outro dia|semana que vem|segunda|terca|quarta|"
    r"quinta|sexta|de noite|a noite|a tarde|later|tomorrow|another time|next week|tonight|"
    r"some other time|on monday|after lunch|depois do almoco)"
)
_ASKS_LATER = re.compile(
    r"^(?:e\s+)?(?:posso|podemos|da pra|tem como|pode ser|tudo bem se eu|ok se eu|"
    r"can i|could i|can we|is it ok if i|is it ok to|may i)\b.{0,40}?\b"
    r"(?:terminar|continuar|responder|fazer|mandar|enviar|acabar|completar|seguir|terminamos|"
    r"continuamos|finish|continue|do|answer|complete|send|carry on)\b.{0,30}?\b" + _LATER + r"\b"
)


def asks_to_finish_later(turn: Turn) -> bool:
    said = turn.said
    return not said.choice_id and said.words <= 16 and bool(_ASKS_LATER.match(said.folded))


class LaterHandler:
    def check(self, turn: Turn, dialogue: Dialogue) -> bool:
        state = turn.state
        if state.pending is not None or dialogue.walker.current_step(state) is None:
            return False
        return asks_to_finish_later(turn)

    def handle(self, turn: Turn, dialogue: Dialogue) -> bool:
        turn.say(text("finish_later", turn.language))
        return True
