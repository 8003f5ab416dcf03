"""``document`` steps: a photo or PDF is expected; text gets an explanation. A document read
before the step was reached is shown for confirmation instead of asking for it again."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bot.dialogue.documents import confirm_early, reading_under_way, skip_optional
from bot.dialogue.state import Frame
from bot.dialogue.texts import text
from bot.dialogue.turn import Turn, Utterance
from bot.dialogue.understanding import is_question, is_yes
from flows import DocumentStep

if TYPE_CHECKING:
    from bot.dialogue.dialogue import Dialogue

__all__ = ["DocumentStepHandler", "sends_later"]

_LATER = re.compile(
    r"(?<!\w)(?:nao tenho|nao to com|nao estou com|to sem|estou sem|depois|mais tarde|amanha|"
    r"ja mando|ja envio|ja te mando|vou mandar|vou enviar|mando ja|envio ja|te mando|mando hoje|"
    r"vou procurar|vou ver|vou pegar|so um minuto|um momento|perai|pera ai|aguarda|later|"
    r"tomorrow|will send|i ll send|ill send|sending it|not now|nao agora|agora nao|in a minute|"
    r"give me a minute|one moment)(?!\w)"
)


# What the NLU may hear in "não tenho o cartão agora", "ok, já mando" (never a request).
_ABOUT_SENDING = frozenset(
    {"ask_documents", "affirm", "deny", "thank", "goodbye", "inform", "out_of_scope"}
)


def sends_later(said: Utterance) -> bool:
    """The client will send the file later, or says OK to sending it: no file is refused."""
    if said.choice_id or said.words > 14 or is_question(said):
        return False
    if said.intent not in _ABOUT_SENDING and said.confidence >= 0.5:
        return False  # "depois quero falar com uma pessoa" is a request
    return _LATER.search(said.folded) is not None or is_yes(said)


class DocumentStepHandler:
    def prompt(
        self,
        turn: Turn,
        dialogue: Dialogue,
        *,
        frame: Frame,
        step: DocumentStep,
        with_hint: bool,
        again: bool = False,
    ) -> None:
        if turn.state.pending is None and confirm_early(turn, dialogue, step=step):
            return
        if reading_under_way(turn):  # "já leu?" while the file sent is still read
            turn.say(text("document_still_reading", turn.language))
            return
        turn.say(dialogue.walker.render(step.prompt.get(turn.language), frame, state=turn.state))

    def accepts(self, turn: Turn, dialogue: Dialogue, *, step: DocumentStep) -> bool:
        # Only a file answers it (files come as media and readings); "já mando" is taken too.
        return sends_later(turn.said)

    def answer(self, turn: Turn, dialogue: Dialogue, *, frame: Frame, step: DocumentStep) -> None:
        if skip_optional(turn, dialogue, step=step):  # "não tenho agora" at an optional document
            return
        if sends_later(turn.said):  # "já mando", "não tenho agora", "amanhã eu mando"
            turn.state.invalid_count = 0
            key = "document_later_optional" if step.optional else "document_later"
            turn.say(text(key, turn.language))
            return
        key = "document_expected_optional" if step.optional else "document_expected"
        dialogue.reject(turn, text(key, turn.language))
