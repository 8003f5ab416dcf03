"""``confirm`` steps (the review): the summary of the answers, then "Está tudo certo" or
"Corrigir algo"; naming a field ("o complemento") corrects it directly."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.dialogue.corrections import Correction, start_correction, value_for
from bot.dialogue.state import FixChoicePending, Frame
from bot.dialogue.texts import text
from bot.dialogue.turn import Turn
from bot.dialogue.understanding import Option, choices_of, pick
from bot.dialogue.wording import summary_lines
from flows import ConfirmStep

if TYPE_CHECKING:
    from bot.dialogue.dialogue import Dialogue

__all__ = ["ConfirmHandler", "ask_which_field"]

_OK = "__ok__"
_FIX = "__fix__"


def _options(step: ConfirmStep) -> list[Option]:
    options = [
        Option(_OK, ("Está tudo certo", "All correct"), meaning="yes",
               aliases=("tudo certo", "certo", "correto", "confirmo", "confirmar", "pode enviar",
                        "all correct", "confirm")),
    ]  # fmt: skip
    if step.allow_fix:
        options.append(
            Option(_FIX, ("Corrigir algo", "Fix something"), meaning="no",
                   aliases=("corrigir", "corrigir algo", "tem erro", "errado", "fix", "change")),
        )  # fmt: skip
    return options


class ConfirmHandler:
    def prompt(
        self,
        turn: Turn,
        dialogue: Dialogue,
        *,
        frame: Frame,
        step: ConfirmStep,
        with_hint: bool,
        again: bool = False,
    ) -> None:
        lang = turn.language
        if with_hint:  # asked again right after the summary: the question alone
            turn.say(text("review_again", lang), choices_of(_options(step), lang))
            return
        lines = summary_lines(dialogue.walker.catalog, turn.state.slots, language=lang)
        body = dialogue.walker.render(step.prompt.get(lang), frame, state=turn.state)
        turn.say(body + "\n\n" + "\n".join(lines), choices_of(_options(step), lang))

    def accepts(self, turn: Turn, dialogue: Dialogue, *, step: ConfirmStep) -> bool:
        return (
            pick(turn.said, _options(step)) is not None or self._named(turn, dialogue) is not None
        )

    def _named(self, turn: Turn, dialogue: Dialogue) -> Correction | None:
        if not step_allows_fix(dialogue, turn):
            return None
        info = dialogue.walker.catalog.mentioned(
            turn.said.body, answered=turn.state.answered, slots=turn.state.slots
        )
        return Correction(info, value_for(info, turn.said)) if info is not None else None

    def answer(self, turn: Turn, dialogue: Dialogue, *, frame: Frame, step: ConfirmStep) -> None:
        named = self._named(turn, dialogue)
        chosen = pick(turn.said, _options(step))
        if named is not None and (chosen is None or chosen.id == _FIX):
            turn.state.invalid_count = 0
            start_correction(turn, dialogue, found=named)  # "o complemento", "o e-mail é x@y"
            return
        if chosen is None:
            dialogue.reject(turn, text("choice_unknown", turn.language))
        elif chosen.id == _OK:
            turn.state.invalid_count = 0
            dialogue.goto(turn, step.on_yes)
        else:
            turn.state.invalid_count = 0
            ask_which_field(turn, dialogue)


def step_allows_fix(dialogue: Dialogue, turn: Turn) -> bool:
    step = dialogue.walker.current_step(turn.state)
    return not isinstance(step, ConfirmStep) or step.allow_fix


def ask_which_field(turn: Turn, dialogue: Dialogue) -> bool:
    """ "Qual informação você quer corrigir?" with the answered fields; False when none."""
    lang = turn.language
    catalog = dialogue.walker.catalog
    keys = [info.key for info in catalog if info.key in turn.state.slots]
    if not keys:
        turn.say(text("nothing_to_fix", lang))
        return False
    pending = FixChoicePending(options=keys)
    turn.state.pending = pending
    dialogue.repairs[pending.kind].reask(turn, dialogue, pending=pending)
    return True
