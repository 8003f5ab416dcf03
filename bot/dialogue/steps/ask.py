"""``ask`` steps: a free or structured answer checked by the step's validator."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bot.dialogue.address_parts import (
    STREET_START,
    note_complement,
    note_number_in_street,
    number_and_complement,
)
from bot.dialogue.catalog import fold
from bot.dialogue.corrections import not_an_answer, other_entity
from bot.dialogue.person_names import person_name_in, reads_as_sentence
from bot.dialogue.phrases_ahead import fill_from_phrases, phrases_in, without_phrases
from bot.dialogue.state import Frame, SlotValue
from bot.dialogue.texts import text
from bot.dialogue.turn import Turn, Utterance
from bot.dialogue.understanding import is_dont_know, is_no, is_yes
from bot.dialogue.wording import format_value, name_case
from bot.domain.messages import Channel
from bot.domain.validators import (
    FREE_TEXT_VALIDATORS,
    VALIDATORS,
    Problem,
    Validator,
    email_typo_fix,
    validate_cnpj,
)
from flows import AskStep, ChoiceStep

if TYPE_CHECKING:
    from bot.dialogue.dialogue import Dialogue

__all__ = ["AskHandler", "fill_from_entities"]


class AskHandler:
    def prompt(
        self,
        turn: Turn,
        dialogue: Dialogue,
        *,
        frame: Frame,
        step: AskStep,
        with_hint: bool,
        again: bool = False,
    ) -> None:
        asked = step.reask if again and step.reask is not None else step.prompt
        body = dialogue.walker.render(asked.get(turn.language), frame, state=turn.state)
        if with_hint and step.hint is not None:
            body = f"{body}\n{step.hint.get(turn.language)}"
        turn.say(body)

    def accepts(self, turn: Turn, dialogue: Dialogue, *, step: AskStep) -> bool:
        if step.unknown is not None and is_dont_know(turn.said):
            return True
        return not isinstance(self.value(turn, dialogue, step=step), Problem)

    def value(self, turn: Turn, dialogue: Dialogue, *, step: AskStep) -> SlotValue | Problem:
        value = self._value(turn, dialogue, step=step)
        if step.validator != "person_name" or (
            isinstance(value, str) and not reads_as_sentence(value)
        ):
            return value
        if isinstance(value, Problem) and value.code == "not_an_answer":
            return value  # "sim", "oi", a question
        named = person_name_in(turn.said.body)  # "sou eu mesmo, Carlos Lima"
        if named is not None:
            return named
        if is_dont_know(turn.said):
            return Problem("dont_know")  # "vou ver com meu chefe": answered later
        return value if isinstance(value, Problem) else Problem("not_an_answer")

    def _value(self, turn: Turn, dialogue: Dialogue, *, step: AskStep) -> SlotValue | Problem:
        said = turn.said
        validator = VALIDATORS[step.validator]
        found = said.nlu.first(step.entity) if step.entity else None
        told = validator(found.value) if found is not None else None
        if told is not None and not isinstance(told, Problem):
            return told
        if not_an_answer(said, dialogue, validator=step.validator) or _identifier_only(said, step):
            return Problem("not_an_answer")
        if step.validator == "mobile_phone" and _same_number(said):
            return _this_number(said, validator)
        if step.validator == "employees" and _SOLO.match(said.folded):
            return validator("1")  # "só eu": a company of one
        own = _said_after_intro(said.body, step)
        if own is not None:  # "meu nome é Maria da Silva", "a razão social é …"
            value = validator(own)
            if not isinstance(value, Problem):
                return value
        if step.validator in ("company_name", "employees"):  # "Padaria Ltda, 45 funcionários"
            mine = phrases_in(said.body).get(step.validator)
            mine = mine or without_phrases(said.body, own=step.validator)
            if mine is not None and not isinstance(validator(mine), Problem):
                return validator(mine)
        rest = _without_identifiers(said, step)
        if rest is not None:  # "Maria Silva, maria@x.com.br": the e-mail waits for its step
            value = validator(_said_after_intro(rest, step) or rest)
            if not isinstance(value, Problem):
                return value
        if step.entity is None and other_entity(said, None) and step.validator == "employees":
            return Problem("employees_number")  # a CEP or a phone is never a head count
        if step.entity == "cnpj" and said.nlu.first("cpf") is not None:
            return Problem("cnpj_is_cpf")  # a CPF where the company's CNPJ is asked
        parts = number_and_complement(said.body) if step.validator == "address_number" else None
        value = validator(parts[0] if parts else said.body)  # "1000, sala 12": the number
        if isinstance(value, Problem) and is_dont_know(said):
            # "não sei o e-mail dela": not a malformed e-mail; but "não tenho celular, só fixo:
            # (11) 3333-4444" gives a number, and what is wrong with it is the answer
            return told if told is not None else Problem("dont_know")
        return value

    def answer(self, turn: Turn, dialogue: Dialogue, *, frame: Frame, step: AskStep) -> None:
        changed = _changed_choice(turn, dialogue, frame=frame, step=step)
        if changed is not None:  # "eu" at the contact's name, after "outra pessoa"
            frame.step_id = changed
            choice = dialogue.walker.flows[frame.flow_id].step(changed)
            dialogue.steps[type(choice)].answer(turn, dialogue, frame=frame, step=choice)
            return
        if step.unknown is not None and is_dont_know(turn.said):
            turn.state.invalid_count = 0
            rest = _after_dont_know(turn.said.body)  # "não tenho o CEP, é Rua das Flores, …"
            if rest and _answers_unknown(turn, dialogue, frame=frame, step=step, body=rest):
                return
            dialogue.goto(turn, step.unknown)  # "não sei o CEP": the address instead
            return
        value = _answer_to_doubt(turn, step) or self.value(turn, dialogue, step=step)
        lang = turn.language
        body = turn.said.body
        if isinstance(value, Problem) and _answers_unknown(
            turn, dialogue, frame=frame, step=step, body=body
        ):
            return  # the address itself at the CEP question: the CEP is not needed
        if isinstance(value, Problem):
            label = dialogue.walker.label_of(turn.state, step)
            params = {**value.params, "said": turn.said.body[:60], "label": label}
            dialogue.reject(turn, text(value.code, lang, params=params))
            return
        if step.validator == "email" and isinstance(value, str) and _doubt(turn, value):
            return
        if step.validator == "person_name" and isinstance(value, str):
            value = name_case(value)
        turn.state.set_slot(frame.slot_key(step.slot), value)
        if step.validator == "street" and isinstance(value, str):
            note_number_in_street(turn, dialogue, frame=frame, street=value)
        if step.validator == "address_number":
            note_complement(turn, dialogue, frame=frame, body=turn.said.body)
        turn.state.invalid_count = 0
        noted = fill_from_entities(turn, dialogue, frame=frame, skip=step.slot)
        phrased = fill_from_phrases(turn, dialogue, frame=frame, skip=step.slot)
        if noted or phrased:
            fields = "; ".join([noted] * bool(noted) + phrased)
            turn.say(text("also_noted", lang, params={"fields": fields}))
        if step.after is not None:
            dialogue.walker.run_action(turn, step.after, namespace=frame.namespace)
        dialogue.goto(turn, step.next)


_INTRO = re.compile(
    r"^(?:(?:oi|ola|olá|bom dia|boa tarde|hi|hello)[,!.]?\s+)?"
    r"(?:(?:o\s+)?meu nome(?: completo)?(?: é| e|:)|me chamo|eu sou|sou|aqui é|aqui quem fala é|"
    r"(?:a\s+)?razão social(?: é| e|:)|(?:o\s+)?nome da empresa(?: é| e|:)|"
    r"(?:a\s+)?empresa (?:é|se chama)|my name is|i am|i'm|this is|the company is|"
    r"the company name is)\s+(.+?)[.!]*$",
    re.IGNORECASE,
)


def _doubt(turn: Turn, value: str) -> bool:
    """An e-mail at a misspelt big provider is asked about once ("será que é …@gmail.com?");
    the same address sent again is taken as it is."""
    suggestion = email_typo_fix(value)
    if suggestion is None or turn.state.doubted_value == value:
        return False
    turn.state.doubted_value = value
    params = {"email": value, "suggestion": suggestion}
    turn.say(text("email_typo", turn.language, params=params))
    return True


def _answer_to_doubt(turn: Turn, step: AskStep) -> str | None:
    """ "sim" to "será que é …@gmail.com?": the suggestion; "não, está certo": as sent."""
    doubted, said = turn.state.doubted_value, turn.said
    if step.validator != "email" or not doubted or said.nlu.first("email") is not None:
        return None
    if is_yes(said):
        return email_typo_fix(doubted) or doubted
    return doubted if is_no(said) else None


_SAME_WORDS = frozenset(
    "esse este desse deste mesmo msm mesma daqui aqui this same current whatsapp whats zap".split()
)
_NEGATION = frozenset("nao not no outro outra other another".split())
_SOLO = re.compile(
    r"^(?:(?:nenhum|nenhuma|ninguem|zero)\s*,?\s*)?(?:e |sou |somos )?(?:so|somente|apenas|"
    r"just|only)\s+(?:eu|me|eu mesmo|eu mesma|myself)(?:\s+mesmo|\s+mesma)?$|"
    r"^(?:it s |its )?(?:just|only) me$"
)


def _same_number(said: Utterance) -> bool:
    """ "é esse mesmo", "pode usar esse número", "o mesmo do whats", "this one": the number
    the client is writing from."""
    if any(ch.isdigit() for ch in said.body):
        return False
    words = set(said.folded.split())
    return bool(words & _SAME_WORDS) and not words & _NEGATION


def _this_number(said: Utterance, validator: Validator) -> SlotValue | Problem:
    """The sender's number on WhatsApp; elsewhere the channel does not show it."""
    if said.message.channel not in (Channel.TWILIO_WHATSAPP, Channel.WHATSAPP_CLOUD):
        return Problem("phone_not_visible")
    address = said.message.address.removeprefix("whatsapp:")
    return validator(address)


def _answers_unknown(
    turn: Turn, dialogue: Dialogue, *, frame: Frame, step: AskStep, body: str
) -> bool:
    """The answer of the step's ``unknown`` way given straight away ("Rua Augusta, Consolação,
    São Paulo/SP" at the CEP question): taken there, and the flow goes on from it."""
    if step.unknown is None:
        return False
    other = dialogue.walker.flows[frame.flow_id].step(step.unknown)
    if not isinstance(other, AskStep) or other.validator != "street":
        return False
    if not STREET_START.match(fold(body)) or "," not in body:
        return False
    value = VALIDATORS[other.validator](body)
    if isinstance(value, Problem):
        return False
    turn.state.set_slot(frame.slot_key(other.slot), value)
    if isinstance(value, str):
        note_number_in_street(turn, dialogue, frame=frame, street=value)
    turn.state.invalid_count = 0
    dialogue.goto(turn, other.next)
    return True


_AFTER_DONT_KNOW = re.compile(
    r"^[^,;:]*[,;:]\s*(?:mas\s+|but\s+)?(?:(?:o\s+)?endere[cç]o\s+(?:é|e)\s+|(?:é|e|fica\s+(?:na|no|em))\s+|"
    r"(?:the\s+)?address\s+is\s+|it'?s\s+)?(.+)$",
    re.IGNORECASE,
)


def _after_dont_know(body: str) -> str:
    """What follows "não tenho o CEP," in the same message ("é Rua das Flores 123, …" →
    "Rua das Flores 123, …"), or ""."""
    match = _AFTER_DONT_KNOW.match(body.strip())
    return match.group(1).strip() if match else ""


def _changed_choice(turn: Turn, dialogue: Dialogue, *, frame: Frame, step: AskStep) -> str | None:
    """The id of the choice step that led here when the message is exactly another of its
    options ("eu" / "it's me" at the contact's name after "outra pessoa"; "sim, é essa" at the
    company name after "não, é outra"): the client changed their mind about that choice."""
    if step.validator not in FREE_TEXT_VALIDATORS:
        return None
    folded = turn.said.folded
    for step_id, other in dialogue.walker.flows[frame.flow_id].steps.items():
        if not isinstance(other, ChoiceStep):
            continue
        key = frame.slot_key(other.slot)
        if key not in turn.state.slots:
            continue  # never asked (no suggestion from the Receita): nothing to change
        chosen = turn.state.slots[key]
        for option in other.options:
            if option.value == chosen or not any(o.next == frame.step_id for o in other.options):
                continue
            names = (option.title.pt, option.title.en, *option.aliases)
            if any(fold(name) == folded for name in names):
                return step_id
    return None


def _said_after_intro(body: str, step: AskStep) -> str | None:
    """The answer after "meu nome é", "a razão social é", "my name is" in a free text."""
    if step.validator not in ("person_name", "company_name"):
        return None
    match = _INTRO.match(body.strip())
    return match.group(1).strip() if match else None


# The words that introduce an identifier ("e-mail:", "meu cel é", "whats") and what joins the
# parts of one message ("Maria Silva, maria@x.com.br e 11 9…").
_FIELD_WORDS = re.compile(
    r"(?<!\w)(?:(?:o |a |e |and )?(?:meu |minha |my |seu |sua |his |her |the )?"
    r"(?:e-?mail|email|celular|cel|telefone|tel|fone|whats(?:app)?|zap|phone|mobile|cnpj|cep|"
    r"cpf)(?: dele| dela| is)?\s*(?:é|e|eh|:|=)?)(?!\w)",
    re.IGNORECASE,
)
_JOINERS = re.compile(r"\s*(?:[,;/|()\[\]-]+|(?<!\w)(?:e|and)(?!\w))\s*$", re.IGNORECASE)


def _without_identifiers(said: Utterance, step: AskStep) -> str | None:
    """A name or company given with identifiers in one message, without them ("Bob Jones,
    bob@acme.com, 11 91234-5678" → "Bob Jones"); None when the message has none."""
    if step.validator not in ("person_name", "company_name"):
        return None
    source = said.nlu.text
    spans = sorted(
        (e for e in said.nlu.entities if e.entity in _IDENTIFIERS), key=lambda e: -e.start
    )
    if not spans or source.strip() != said.body.strip():
        return None
    rest = source
    for entity in spans:
        rest = f"{rest[: entity.start]} , {rest[entity.end :]}"
    rest = _FIELD_WORDS.sub(" , ", rest)
    parts = [p.strip(" .!") for p in re.split(r"\s*[,;/|]+\s*", rest)]
    parts = [_JOINERS.sub("", p).strip(" .!") for p in parts if p.strip(" .!")]
    parts = [p for p in parts if p]
    return parts[0] if len(parts) == 1 else None


def _identifier_only(said: Utterance, step: AskStep) -> bool:
    """A CNPJ, e-mail, phone or CEP alone is never a name or a company ("12.ABC.345/01DE-35"
    is not a razão social)."""
    if step.validator not in FREE_TEXT_VALIDATORS or step.validator == "address_number":
        return False
    covered = sum(e.end - e.start for e in said.nlu.entities if e.entity in _IDENTIFIERS)
    if covered and covered >= len(said.body.strip()) * 0.7:
        return True
    return not isinstance(validate_cnpj(said.body), Problem)


_IDENTIFIERS = frozenset({"cnpj", "cpf", "email", "phone", "cep"})


def fill_from_entities(turn: Turn, dialogue: Dialogue, *, frame: Frame, skip: str) -> str:
    """A client who sends CNPJ and e-mail in one message is not asked for them again; the
    fields so noted, as the client reads them ("seu e-mail: maria@x.com.br"), or ""."""
    flow = dialogue.walker.flows[frame.flow_id]
    noted: list[str] = []
    for entity in turn.said.nlu.entities:
        steps = [
            s
            for s in flow.steps.values()
            if isinstance(s, AskStep)
            and s.entity == entity.entity
            and s.slot != skip
            and frame.slot_key(s.slot) not in turn.state.slots
        ]
        if len(steps) != 1:
            continue
        key = frame.slot_key(steps[0].slot)
        value = VALIDATORS[steps[0].validator](entity.value)
        if not isinstance(value, Problem):
            turn.state.set_slot(key, value)
            if steps[0].after is not None:  # the CNPJ noted early is looked up all the same
                dialogue.walker.run_action(turn, steps[0].after, namespace=frame.namespace)
            label = dialogue.walker.label_of(turn.state, steps[0])
            shown = format_value(key, value, language=turn.language)
            noted.append(f"{label}: {shown}")
    return "; ".join(noted)
