"""Answers that point elsewhere instead of giving the value: "o mesmo que o meu" at a contact's
e-mail or mobile (the client's own is taken, and said), and "vocês já têm", "é o mesmo do
cadastro", "já passei pro vendedor", "you already have it" at a question not answered yet in
this conversation (what was given to a salesperson or in a contract does not reach the bot:
said plainly, and the question asked again — never a complaint, never "você quis dizer…").

Placed before the read-back ("vocês já têm meu e-mail?" at the e-mail question is not a question
about a stored answer) and before corrections and interruptions."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

from bot.dialogue.catalog import SlotInfo
from bot.dialogue.state import SlotValue
from bot.dialogue.texts import text
from bot.dialogue.turn import Turn
from bot.dialogue.wording import format_value
from flows import AskStep

if TYPE_CHECKING:
    from bot.dialogue.dialogue import Dialogue

__all__ = ["OnFileHandler", "points_elsewhere", "same_as_mine"]

_SAME_AS_MINE = re.compile(
    r"(?<!\w)(?:(?:o|a|e o|e a|eh o|eh a) )?(?:mesm[oa]|igual)(?: \w+){0,2} "
    r"(?:que o meu|que a minha|do meu|da minha|ao meu|a minha|que o seu|de antes)(?!\w)|"
    r"(?<!\w)(?:pode )?(?:usar?|usa|repet\w*|coloc\w*) o meu(?!\w)|"
    r"(?<!\w)(?:the )?same(?: \w+)? as mine(?!\w)|(?<!\w)(?:just )?use mine(?!\w)|"
    r"(?<!\w)same as my (?:own|email|e mail|phone|number|mobile)(?!\w)"
)
_ELSEWHERE = re.compile(
    r"(?<!\w)(?:voces|vcs|vc|voce|ces) ja (?:tem|possuem|receberam|sabem|tem isso)(?!\w)|"
    r"(?<!\w)ja (?:passei|mandei|enviei|informei|dei|falei|cadastrei|preenchi)(?!\w)|"
    r"(?<!\w)(?:o|a) mesm[oa](?: \w+){0,2} (?:do|da|que (?:esta|ta|consta) n[oa]) "
    r"(?:cadastro|contrato|sistema|proposta|vendedor|comercial|ficha|formulario)(?!\w)|"
    r"(?<!\w)(?:esta|ta|consta|tem) no (?:cadastro|contrato|sistema|formulario)(?!\w)|"
    r"(?<!\w)you (?:already )?have (?:it|that|this|them|my \w+)(?: already)?(?!\w)|"
    r"(?<!\w)i (?:already )?(?:gave|sent|told|filled)(?: \w+){0,3} (?:already|before|"
    r"to your|to the|in the)(?!\w)|(?<!\w)(?:it s |its )?on file(?!\w)|"
    r"(?<!\w)same as (?:before|on file|in the contract|in the form)(?!\w)"
)
_IDENTIFIERS = frozenset({"cnpj", "cpf", "email", "phone", "cep"})
_MAX_WORDS = 16


def same_as_mine(folded: str) -> bool:
    """ "o mesmo que o meu", "igual ao meu", "same as mine", "use mine"."""
    return _SAME_AS_MINE.search(folded) is not None


def points_elsewhere(folded: str) -> bool:
    """ "vocês já têm", "o mesmo do cadastro", "já passei", "you already have it"."""
    return _ELSEWHERE.search(folded) is not None


def _asked(turn: Turn, dialogue: Dialogue) -> SlotInfo | None:
    """The text question being asked and not answered yet, when the message points elsewhere
    and carries no value of its own."""
    said, state = turn.said, turn.state
    if state.pending is not None or said.choice_id or said.words > _MAX_WORDS:
        return None
    if any(e.entity in _IDENTIFIERS for e in said.nlu.entities):
        return None  # "o mesmo do cadastro: x@y.com" is an answer
    step = dialogue.walker.current_step(state)
    key = dialogue.walker.current_key(state)
    if not isinstance(step, AskStep) or key is None or key in state.slots:
        return None
    info = dialogue.walker.catalog.get(key)
    if info is None:
        return None
    if info.namespace and same_as_mine(said.folded):
        return info  # a contact's question: the client's own answer
    return info if points_elsewhere(said.folded) else None


def _own_value(info: SlotInfo, *, dialogue: Dialogue, turn: Turn) -> SlotValue | None:
    """The client's own answer of the same kind as a contact's question (admin_email for
    finance.email), when the question is a contact's and the client's is stored."""
    for other in dialogue.walker.catalog:
        if other.namespace or other.step.validator != info.step.validator:
            continue
        value = turn.state.slots.get(other.key)
        if value is not None:
            return value
    return None


def _answer_with(turn: Turn, dialogue: Dialogue, *, info: SlotInfo, value: SlotValue) -> None:
    """The contact's question answered with the client's own value, said first."""
    shown = format_value(info.key, value, language=turn.language)
    turn.say(text("same_as_yours", turn.language, params={"value": shown}))
    turn.utterance = replace(turn.said, body=str(value))
    step, frame = dialogue.walker.current_step(turn.state), turn.state.frame
    assert step is not None and frame is not None
    turn.state.misunderstood_count = 0
    dialogue.steps[type(step)].answer(turn, dialogue, frame=frame, step=step)


class OnFileHandler:
    def check(self, turn: Turn, dialogue: Dialogue) -> bool:
        return _asked(turn, dialogue) is not None

    def handle(self, turn: Turn, dialogue: Dialogue) -> bool:
        info = _asked(turn, dialogue)
        assert info is not None
        mine = info.namespace and same_as_mine(turn.said.folded)
        value = _own_value(info, dialogue=dialogue, turn=turn) if mine else None
        if value is not None:
            _answer_with(turn, dialogue, info=info, value=value)
            return True
        lang = turn.language
        key = "not_yours_yet" if mine else "not_on_file"
        turn.say(text(key, lang, params={"label": info.label(lang)}))
        dialogue.ask_again(turn)
        return True
