"""A hand-written interpreter for engine tests: intents by keyword, so a test of dialogue logic
does not depend on what the trained model thinks of a sentence. Whole-conversation tests use the
real built-in NLU instead."""

from __future__ import annotations

import re
from datetime import datetime

from nlu.types import Entity, IntentScore, NLUResult

_RULES: tuple[tuple[str, str], ...] = (
    (r"\betapa\b|\bstatus\b|\bwhat stage\b|\bwhere am i\b", "ask_status"),
    (r"\berrei\b|\berrado\b|\bcorrigir\b|\bwrong\b|\bfix\b", "correct_data"),
    (r"\bfalar com\b|\batendente\b|\bhuman\b|\bperson\b", "request_human"),
    (r"\bapagar\b|\bexcluir meus dados\b|\bdelete my data\b", "delete_data"),
    (r"\bnao quero mais\b|\bpare de\b|\bstop messages\b", "opt_out"),
    (r"\bajuda\b|\bhelp\b", "help"),
    (r"\bpessimo\b|\bhorrivel\b|\breclama", "complain"),
    (r"\btreinamento\b|\btraining\b", "schedule_training"),
    (r"^(oi|ola|hello|hi|bom dia)\b", "greet"),
    (r"^(sim|yes|claro|isso|pode|ok)\b", "affirm"),
    (r"^(nao|no)\b", "deny"),
    (r"\bobrigad|\bthanks?\b|\bvaleu\b", "thank"),
)
_ENGLISH = re.compile(r"\b(the|is|my|what|hello|hi|yes|please|i|agree|name|company)\b")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")


class ScriptedInterpreter:
    def parse(self, text: str, *, now: datetime | None = None) -> NLUResult:
        folded = (
            text.lower().replace("ã", "a").replace("á", "a").replace("é", "e").replace("ç", "c")
        )
        intent = next((name for pattern, name in _RULES if re.search(pattern, folded)), "inform")
        entities = tuple(
            Entity("email", m.group(0).lower(), m.start(), m.end()) for m in _EMAIL.finditer(text)
        )
        english = len(_ENGLISH.findall(folded)) >= 1 and not re.search(
            r"[ãõçé]|\bsim\b|\bnao\b", folded
        )
        return NLUResult(
            text=text,
            intent=IntentScore(intent, 0.95),
            intent_ranking=(IntentScore(intent, 0.95),),
            entities=entities,
            language="en" if english else "pt",
            backend="scripted",
        )
