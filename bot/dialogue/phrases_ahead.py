"""Answers to later questions said in the same message by their own words, not by an
identifier: "11.222.333/0001-81, Padaria Pão Quente Ltda, 45 funcionários" at the CNPJ
question also answers the company's name (it ends like one: Ltda, ME, S.A.…) and the head
count (a number of "funcionários", "pessoas", "employees"). Each is noted for its question,
which is then not asked, and said back; a part that does not say what it answers is left."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bot.dialogue.catalog import fold
from bot.dialogue.state import Frame
from bot.dialogue.turn import Turn
from bot.dialogue.wording import format_value
from bot.domain.validators import VALIDATORS, Problem
from flows import AskStep

if TYPE_CHECKING:
    from bot.dialogue.dialogue import Dialogue

__all__ = ["fill_from_phrases", "phrases_in", "without_phrases"]

_SEGMENTS = re.compile(r"\s*(?:[,;\n]|\s-\s|\s+e\s+(?=\d)|\s+and\s+(?=\d))\s*")
_HEAD_COUNT = re.compile(
    r"^(?:(?:a gente |nos |we |somos |temos |tem |has |have |are |com |with ){0,2}"
    r"(?:uns |umas |cerca de |mais ou menos |quase |about |around |roughly )?)"
    r"\d[\d.,]*\s*(?:mil\s+|k\s+)?(?:funcionari[oa]s|pessoas|colaboradores|empregados|"
    r"employees|people|staff)\b"
)
_COMPANY_END = re.compile(r"\b(?:ltda|limitada|eireli|me|epp|s a|sa|s s|mei|inc|llc)$")
_COMPANY_LEAD = re.compile(
    r"^(?:(?:a |the )?(?:raz[aã]o social|nome da empresa|empresa|company name|company)"
    r"(?:\s+(?:[eé]|eh|is))?\s*:?\s+)",
    re.IGNORECASE,
)


def phrases_in(body: str) -> dict[str, str]:
    """The validator each part of the message answers by its own words, and that part."""
    found: dict[str, str] = {}
    for part in _SEGMENTS.split(body.strip()):
        part = part.strip(" .!")
        folded = fold(part)
        if not folded:
            continue
        if _HEAD_COUNT.match(folded) and "employees" not in found:
            found["employees"] = part
        elif _COMPANY_END.search(folded) and "company_name" not in found:
            found["company_name"] = _COMPANY_LEAD.sub("", part).strip()
    return found


def without_phrases(body: str, *, own: str) -> str | None:
    """The message without the parts that answer other questions ("Padaria Ltda, 45
    funcionários" at the name of the company → "Padaria Ltda"); None when it has none."""
    others = {v: part for v, part in phrases_in(body).items() if v != own}
    if not others:
        return None
    parts = [p.strip(" .!") for p in _SEGMENTS.split(body.strip())]
    rest = [p for p in parts if p and p not in others.values()]
    return ", ".join(rest) if rest else None


def fill_from_phrases(turn: Turn, dialogue: Dialogue, *, frame: Frame, skip: str) -> list[str]:
    """Notes the later questions the message answers by their own words; what was noted, as
    the client reads it ("número de funcionários: 45")."""
    if turn.said.choice_id:
        return []
    flow = dialogue.walker.flows[frame.flow_id]
    noted: list[str] = []
    for validator, part in phrases_in(turn.said.body).items():
        steps = [
            s
            for s in flow.steps.values()
            if isinstance(s, AskStep)
            and s.validator == validator
            and s.slot != skip
            and frame.slot_key(s.slot) not in turn.state.slots
        ]
        if len(steps) != 1:
            continue
        key = frame.slot_key(steps[0].slot)
        value = VALIDATORS[validator](part)
        if isinstance(value, Problem):
            continue
        turn.state.set_slot(key, value)
        label = dialogue.walker.label_of(turn.state, steps[0])
        noted.append(f"{label}: {format_value(key, value, language=turn.language)}")
    return noted
