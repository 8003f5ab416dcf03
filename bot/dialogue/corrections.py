"""Corrections anywhere: "errei o e-mail do financeiro, o certo é x@y.com", "na verdade são 45
funcionários", "o telefone da Beatriz é (11) 9…" — at a text step, a choice step, a repair,
the review, or after the registration was sent.

A message is a correction when it names an answered field (by a label, an alias, its contact
area or the contact's name) and either says it corrects something ("errei", "na verdade", "o
certo é") or carries a valid value for that field that the current question cannot take. The
value is always validated by the corrected field's own validator.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from bot.dialogue.catalog import SlotInfo, fold
from bot.dialogue.effects import SlotChanged
from bot.dialogue.state import CorrectionPending, SlotValue
from bot.dialogue.texts import text
from bot.dialogue.turn import Turn, Utterance
from bot.dialogue.understanding import (
    NO_PHRASES,
    NO_WORDS,
    YES_PHRASES,
    YES_WORDS,
    is_dont_know,
    is_question,
)
from bot.dialogue.why import offers_no_file
from bot.dialogue.wording import format_value
from bot.domain.validators import FREE_TEXT_VALIDATORS, VALIDATORS, Problem

if TYPE_CHECKING:
    from bot.dialogue.dialogue import Dialogue

__all__ = [
    "Correction",
    "CorrectionHandler",
    "CurrentAnswerHandler",
    "answer_to_current",
    "apply_correction",
    "find_correction",
    "go_back",
    "has_marker",
    "value_for",
]

_MARKER = re.compile(
    r"\b(errei|errado|errada|errados|erradas|erro|erramos|corrig\w*|na verdade|o certo e|"
    r"a certa e|o correto e|a correta e|certo e|mud\w*|troc\w*|alter\w*|atualiz\w*|"
    r"agora e|nao e mais|nao e esse|nao e essa|wrong|mistake|actually|fix|chang\w*|"
    r"correct one|update\w*|typo|instead)\b"
)
# The first "é", "para", ":" ... of the message: "o nome certo é Padaria e Confeitaria" keeps
# the whole name. A bare "e" counts only after "certo", "novo"... ("e-mail" has an "e" too).
# What may stand before the value: "é", "para", ":", "it's"... A bare "e" counts only after
# "certo", "novo"... ("e-mail" has an "e" too).
_SEPARATOR = re.compile(
    r"(?:(?<![\w-])(?:é|eh|era|seria|para|pra|por|is|it's|it is|to)(?![\w-])|[:=]|"
    r"\b(?:cert[oa]|corret[oa]|nov[oa]|real|agora)\s+e(?![\w-]))\s*",
    re.IGNORECASE,
)
_STRUCTURED = frozenset({"cnpj", "email", "mobile_phone", "cep", "employees"})
_OTHER_ENTITIES = frozenset({"cnpj", "cpf", "email", "phone", "cep"})


@dataclass(frozen=True, slots=True)
class Correction:
    target: SlotInfo
    value: SlotValue | Problem | None  # None: the message names the field but no value


def has_marker(said: Utterance) -> bool:
    return _MARKER.search(said.folded) is not None


def find_correction(turn: Turn, dialogue: Dialogue) -> Correction | None:
    """The answered field the message names (never the current question's own) and the value
    it carries, if any."""
    state = turn.state
    current = dialogue.walker.current_key(state)
    named = dialogue.walker.catalog.mentioned_all(
        turn.said.body,
        answered=state.answered,
        slots=state.slots,
        exclude=(current,) if current else (),
    )
    found = [Correction(info, value_for(info, turn.said)) for info in named]
    # "mudamos de endereço, o CEP agora é 20040-020": the field the value is valid for.
    valid = [c for c in found if c.value is not None and not isinstance(c.value, Problem)]
    best = valid or found
    return best[0] if best else None


def value_for(info: SlotInfo, said: Utterance) -> SlotValue | Problem | None:
    """The new value a message gives for ``info``'s field, a problem with it, or None."""
    name = info.step.validator
    validator = VALIDATORS[name]
    if info.step.entity is not None:
        found = [e for e in said.nlu.entities if e.entity == info.step.entity]
        for entity in reversed(found):  # "o 11.222… está errado, é 11.444…": the last one
            value = validator(entity.value)
            if not isinstance(value, Problem):
                return value
    tail = _tail(said.body, info)
    if tail is not None:
        value = validator(tail)
        if not isinstance(value, Problem) or name in _STRUCTURED:
            return value
    if name in _STRUCTURED:
        value = validator(said.body)
        if not isinstance(value, Problem):
            return value
        if any(ch.isdigit() for ch in said.body) or "@" in said.body:
            return value  # an attempt with a mistake: explained with this field's rule
    return None


def _tail(body: str, info: SlotInfo) -> str | None:
    """What follows "é", "para", ":" at the end of the message ("…, o certo é Paulo Lima"):
    after the first such word whose rest is a plausible value ("o nome certo é Padaria e
    Confeitaria" keeps the whole name; "my name is wrong, it's John" skips "wrong, …")."""
    for match in _SEPARATOR.finditer(body):
        tail = body[match.end() :].strip(" ,;\"'“”.!")
        folded = fold(tail)
        if not folded or folded in YES_WORDS or folded in NO_WORDS or len(folded.split()) > 8:
            continue
        if _MARKER.search(folded) or any(fold(n) == folded for n in info.names()):
            continue
        return tail
    return None


# What a client puts before a value they correct as they give it ("na verdade meu nome é …",
# "ops, é …", "actually my name is …").
_LEADING_MARKER = re.compile(
    r"^\W*(?:(?:ops|opa|oops|desculpa|desculpe|perd[aã]o|foi mal|sorry|ah+)\W+)*"
    r"(?:na verdade|ali[aá]s|quer dizer|digo|corrigindo|corre[cç][aã]o|errei|me enganei|"
    r"actually|i mean|correction|my bad|sorry)\b\W*",
    re.IGNORECASE,
)
_OWN_WORDS = re.compile(r"\b(?:meu|minha|my|mine)\b")


def answer_to_current(turn: Turn, dialogue: Dialogue) -> Utterance | None:
    """A correction-phrased message that answers the question being asked ("na verdade meu
    nome é Maria Souza" at the name question, "actually my e-mail is …" at the e-mail): the
    message as the current step reads it (the correcting words left out), or None when it
    corrects an earlier answer or the current question cannot take it."""
    said, state = turn.said, turn.state
    step = dialogue.walker.current_step(state)
    if state.pending is not None or turn.unfit_repair or said.choice_id or step is None:
        return None
    if not (has_marker(said) or said.intent == "correct_data") or is_dont_know(said):
        return None
    key = dialogue.walker.current_key(state)
    info = dialogue.walker.catalog.get(key) if key else None
    if not _current_wins(turn, dialogue, info=info):
        return None
    handler = dialogue.steps[type(step)]
    tail = _tail(said.body, info) if info is not None else None
    lead = _LEADING_MARKER.match(said.body)
    rest = said.body[lead.end() :].strip() if lead else None
    for body in (tail, rest):
        if not body:
            continue
        candidate = replace(said, body=body)
        if handler.accepts(replace(turn, utterance=candidate), dialogue, step=step):
            return candidate
    return None


def _current_wins(turn: Turn, dialogue: Dialogue, *, info: SlotInfo | None) -> bool:
    """The message is about the current question rather than an earlier answer: it names no
    answered field, or names the current one without pointing at another (its area, "meu")."""
    said, catalog = turn.said, dialogue.walker.catalog
    other = find_correction(turn, dialogue)
    if other is None:
        return True
    names_current = info is not None and bool(
        catalog.mentioned_all(said.body, answered=[info.key], slots=turn.state.slots)
    )
    if not names_current:
        return False  # "errei o e-mail" at the phone question: the e-mail is corrected
    assert info is not None
    if not other.target.namespace and info.namespace and _OWN_WORDS.search(said.folded):
        return False  # "na verdade meu e-mail é …" at a contact's e-mail: the client's own
    both = catalog.mentioned_all(
        said.body, answered=[info.key, other.target.key], slots=turn.state.slots
    )
    # "o e-mail do financeiro é …" at the IT contact's e-mail: the area said wins.
    return not (other.target.namespace and both and both[0] is other.target)


class CurrentAnswerHandler:
    """Phrased as a correction, but about the question being asked: the step's answer."""

    def check(self, turn: Turn, dialogue: Dialogue) -> bool:
        return answer_to_current(turn, dialogue) is not None

    def handle(self, turn: Turn, dialogue: Dialogue) -> bool:
        turn.utterance = answer_to_current(turn, dialogue)
        step, frame = dialogue.walker.current_step(turn.state), turn.state.frame
        assert turn.utterance is not None and step is not None and frame is not None
        turn.state.misunderstood_count = 0
        dialogue.steps[type(step)].answer(turn, dialogue, frame=frame, step=step)
        return True


class CorrectionHandler:
    """A message that corrects an earlier answer, whatever the intent classifier said."""

    def check(self, turn: Turn, dialogue: Dialogue) -> bool:
        if not turn.state.answered or is_dont_know(turn.said):
            return False  # "não sei o e-mail dela" names a field but corrects nothing
        if offers_no_file(turn, dialogue) is not None:
            return False  # "can I type the CNPJ instead?" at a document step: no correction
        found = find_correction(turn, dialogue)
        if found is None:
            return False
        if has_marker(turn.said):
            return True
        if found.value is None or isinstance(found.value, Problem):
            return False
        step = dialogue.walker.current_step(turn.state)
        if step is None or turn.unfit_repair:
            return True
        # Without "errei"/"na verdade", an answer the current question takes is an answer.
        return not dialogue.steps[type(step)].accepts(turn, dialogue, step=step)

    def handle(self, turn: Turn, dialogue: Dialogue) -> bool:
        found = find_correction(turn, dialogue)
        assert found is not None
        start_correction(turn, dialogue, found=found)
        return True


def start_correction(turn: Turn, dialogue: Dialogue, *, found: Correction) -> None:
    """Applies a correction that carries its value, or asks for the value."""
    lang = turn.language
    value = found.value
    if value is not None and not isinstance(value, Problem):
        if not apply_correction(turn, dialogue, info=found.target, value=value):
            dialogue.ask_again(turn)
        return
    if isinstance(value, Problem):
        turn.say(text(value.code, lang, params=value.params))
    turn.state.pending = CorrectionPending(slot=found.target.key)
    turn.say(text("ask_new_value", lang, params={"label": found.target.label(lang)}))


def apply_correction(turn: Turn, dialogue: Dialogue, *, info: SlotInfo, value: SlotValue) -> bool:
    """Stores the new value (and what follows from it); True when it had to ask something
    (a new CEP the look-up does not know: the street is asked again)."""
    state = turn.state
    lang = turn.language
    shown = format_value(info.key, value, language=lang)
    if info.key in state.slots and state.slots[info.key] == value:
        # "o CNPJ é 11.222.333/0001-81", the registration's own: nothing to change or save
        turn.say(text("correction_same", lang, params={"label": info.label(lang), "value": shown}))
        return False
    answered_before = set(state.slots)
    old = state.set_slot(info.key, value)
    turn.effects.append(SlotChanged(info.key, old, value))
    _follow_copies(turn, info.key, old=old, value=value)
    turn.say(text("corrected", lang, params={"label": info.label(lang), "value": shown}))
    if info.step.after is not None:
        dialogue.walker.run_action(turn, info.step.after, namespace=info.namespace)
    if state.saved:
        dialogue.walker.run_action(
            turn, "save_registration", namespace=""
        )  # the stored record follows
    dropped = [
        i for i in dialogue.walker.catalog if i.key in answered_before and i.key not in state.slots
    ]
    if not dropped:
        return False
    state.pending = CorrectionPending(slot=dropped[0].key)
    turn.say(dropped[0].step.prompt.get(lang))
    return True


def go_back(turn: Turn, dialogue: Dialogue) -> None:
    """ "voltar", "pergunta anterior": the last answer given before the current question, shown
    with its value and asked again as a correction (kept when the client says it is right);
    then the question the client was at."""
    state, lang = turn.state, turn.language
    if state.pending is not None or not state.started or state.finished:
        turn.say(text("go_back_nothing", lang))
        dialogue.ask_again(turn)
        return
    current = dialogue.walker.current_key(state)
    for key in reversed(state.answered):
        info = dialogue.walker.catalog.get(key)
        if info is None or key == current or key not in state.slots or _copied(state.slots, key):
            continue
        state.pending = CorrectionPending(slot=key, shown=True)
        shown = format_value(key, state.slots[key], language=lang)
        turn.say(text("go_back", lang, params={"label": info.label(lang), "value": shown}))
        return
    turn.say(text("go_back_nothing", lang))
    dialogue.ask_again(turn)


def _copied(slots: dict[str, SlotValue], key: str) -> bool:
    """A contact's field copied from the client's own ("Sou eu"): not an answer of its own."""
    namespace, _, name = key.rpartition(".")
    return (
        bool(namespace)
        and name in _COPIED.values()
        and slots.get(f"{namespace}.same_as_me") is True
    )


_COPIED = {"person_name": "name", "admin_email": "email", "admin_phone": "phone"}


def _follow_copies(turn: Turn, key: str, *, old: SlotValue | None, value: SlotValue) -> None:
    """A contact that is "sou eu" keeps following the client's own name, e-mail and phone,
    unless that contact's value was changed on its own."""
    target = _COPIED.get(key)
    if target is None:
        return
    slots = turn.state.slots
    for flag, same in list(slots.items()):
        if flag.endswith(".same_as_me") and same is True:
            copy = f"{flag.rsplit('.', 1)[0]}.{target}"
            if slots.get(copy) == old:
                slots[copy] = value


def not_an_answer(said: Utterance, dialogue: Dialogue, *, validator: str) -> bool:
    """Obviously not a free-text answer: a yes/no word, a field's own label, a question, a
    greeting. (Commands never get here.)"""
    if validator not in FREE_TEXT_VALIDATORS:
        return False
    folded = said.folded
    if folded in YES_WORDS or folded in YES_PHRASES:
        return True  # "pode ser" is nobody's name
    if (folded in NO_WORDS or folded in NO_PHRASES) and validator != "complement":
        return True
    if folded in _GREETINGS or is_question(said):
        return True
    return folded in dialogue.walker.catalog.folded_names and validator != "complement"


_GREETINGS = frozenset(
    {"oi", "ola", "bom dia", "boa tarde", "boa noite", "hello", "hi", "hey", "e ai", "eai",
     "opa", "oie", "alo", "oi tudo bem", "tudo bem", "hello there"}
)  # fmt: skip


def other_entity(said: Utterance, own: str | None) -> bool:
    """The message carries a CNPJ, CEP, e-mail... of another kind than ``own``: it answers
    something else (a CEP is never a head count)."""
    return any(e.entity in _OTHER_ENTITIES and e.entity != own for e in said.nlu.entities)
