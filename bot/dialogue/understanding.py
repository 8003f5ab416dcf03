"""One rule for reading an answer to any question the bot asks with choices.

Flow steps and repairs alike describe their choices as ``Option``s and call ``pick``. It takes,
in this order: a button tap; the option's number ("1", "1)", "opção 1", "a primeira");
its title or an alias; a yes or no word for the option that means yes or no; an alias said
inside a short phrase ("sou eu mesma", "não, é a Joana"); the NLU's intent.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.dialogue.catalog import fold
from bot.dialogue.turn import Utterance
from bot.domain.messages import Choice

__all__ = [
    "ANSWER_INTENTS",
    "NO_PHRASES",
    "NO_WORDS",
    "Option",
    "YES_PHRASES",
    "YES_WORDS",
    "choices_of",
    "is_no",
    "is_dont_know",
    "is_question",
    "is_yes",
    "option_number",
    "pick",
]


@dataclass(frozen=True, slots=True)
class Option:
    """A choice as the understanding sees it."""

    id: str
    titles: tuple[str, ...]  # the title in each language
    aliases: tuple[str, ...] = ()
    meaning: str = ""  # "yes" / "no": picked by yes or no words and by affirm / deny
    intent: str | None = None  # an NLU intent that picks it

    def title(self, language: str) -> str:
        return self.titles[1] if language == "en" and len(self.titles) > 1 else self.titles[0]


def choices_of(options: Sequence[Option], language: str) -> tuple[Choice, ...]:
    return tuple(Choice(id=o.id, title=o.title(language)) for o in options)


_ORDINALS = {
    "primeira": 1, "primeiro": 1, "first": 1, "1a": 1, "1o": 1,
    "segunda": 2, "segundo": 2, "second": 2, "2a": 2, "2o": 2,
    "terceira": 3, "terceiro": 3, "third": 3, "3a": 3, "3o": 3,
}  # fmt: skip
_NUMBER = re.compile(
    r"^(?:(?:a|o|the)\s+)?(?:opcao|opcoes|option|numero|num|n|no|nº|alternativa|letra)?\s*"
    r"(\d{1,2})\s*(?:a|o|mesmo|mesma|please|por favor|pf|pfv)?$"
)
_ORDINAL = re.compile(
    r"^(?:(?:a|o|the)\s+)?(?:opcao\s+)?(\w+)(?:\s+(?:opcao|option|one|mesmo|mesma))?$"
)
_CARDINALS = {
    "um": 1, "uma": 1, "one": 1, "dois": 2, "duas": 2, "two": 2, "tres": 3, "three": 3,
    "quatro": 4, "four": 4, "cinco": 5, "five": 5, "seis": 6, "six": 6, "sete": 7, "seven": 7,
    "oito": 8, "eight": 8, "nove": 9, "nine": 9, "dez": 10, "ten": 10,
}  # fmt: skip
# "opção dois", "a dois", "number two", "dois": an option's number in words.
_CARDINAL = re.compile(
    r"^(?:(?:a|o|the)\s+)?(?:(?:opcao|option|numero|number|alternativa|n)\s+)?(\w+)"
    r"(?:\s+(?:please|por favor|pf|pfv))?$"
)
_LAST = re.compile(r"^(?:a |o |the )?(?:ultima|ultimo|last)(?: opcao| option| one)?$")

YES_WORDS = frozenset(
    "sim s yes yep yeah yup claro pode ok okay confirmo isso certo sure correto exato "
    "perfeito certinho positivo afirmativo beleza blz confirmado correct concordo "
    "aham uhum unhum ahan sip ss simm yeap yea fechado bora demorou certeza exatamente".split()
)
YES_PHRASES = frozenset(
    {
        "isso mesmo", "tudo certo", "td certo", "ta certo", "esta certo", "esta correto",
        "ta correto", "tudo ok", "pode ser", "pode sim", "com certeza", "all good",
        "looks good", "that s right", "thats right", "it s correct", "of course",
        "sim sim", "pode seguir", "pode continuar", "tudo correto", "esta tudo certo",
        "isso ai", "e isso", "e isso ai", "sim senhor", "sim senhora", "pode crer", "ta bom",
        "ta otimo", "esta otimo", "tudo certinho", "ta tudo certo", "yes please", "yes it is",
        "that s it", "sounds good", "go ahead",
    }
)  # fmt: skip
NO_WORDS = frozenset(
    "nao n no nope negativo nah errado incorreto wrong nops nop naum nananinanao nn".split()
)
NO_PHRASES = frozenset(
    {"nao esta", "nao ta", "de jeito nenhum", "not really", "no thanks", "nao obrigado",
     "nao obrigada", "esta errado", "ta errado", "not correct", "isn t right", "nao nao",
     "claro que nao", "nao e", "no it isn t", "no it s not", "not quite"}
)  # fmt: skip
_AGREEING = frozenset(
    {"good", "fine", "all good", "tudo certo", "tudo bem", "certo", "correto", "mesmo", "obrigado",
     "obrigada", "thanks", "ta", "esta", "pode", "pode ser", "tudo ok", "everything s fine"}
)  # fmt: skip
# Intents of answers: a phrase that contains an option's word picks it only if the NLU does not
# hear a request ("pode ser amanhã às 14h?" is not "pode" = yes).
ANSWER_INTENTS = frozenset({"affirm", "deny", "inform", "out_of_scope"})
_QUESTION_WORDS = frozenset(
    "que qual quais quando onde como quem porque pq quanto quantos what which when where how "
    "who why".split()
)


def is_yes(said: Utterance) -> bool:
    if said.choice_id in ("yes", "ok"):
        return True
    folded = said.folded
    if folded in YES_WORDS or folded in YES_PHRASES:
        return True
    words = folded.split()
    if words and words[0] in YES_WORDS and len(words) <= 6 and not _negated(words):
        return True
    return said.intent == "affirm" and said.confidence >= 0.6


def is_no(said: Utterance) -> bool:
    if said.choice_id == "no":
        return True
    folded = said.folded
    if folded in NO_WORDS or folded in NO_PHRASES:
        return True
    words = folded.split()
    if words and words[0] in NO_WORDS and len(words) <= 6:
        return True
    return said.intent == "deny" and said.confidence >= 0.6


def _negated(words: list[str]) -> bool:
    return any(w in ("nao", "not", "no") for w in words[1:])


_DONT_KNOW = re.compile(
    r"^(?:eu |a gente )?(?:nao sei|nao lembro|nao tenho|nao sabemos|nao faco ideia|sei la|"
    r"sei nao|nem sei|n sei|ns|nao faco a minima|esqueci|i don t know|i dont know|don t know|"
    r"dont know|dunno|idk|no idea|no clue|not sure|i forgot|can t remember|cant remember|"
    r"(?:ainda )?(?:vou|preciso|tenho que|vamos|tem que) (?:ver|confirmar|checar|verificar)|"
    r"ainda nao (?:sei|sabemos|definimos|decidimos|temos)|depois (?:te|eu) (?:passo|falo|mando)|"
    r"i ll check|ill check|let me check|i need to check|i have to check|we re not sure yet)\b"
)


def is_dont_know(said: Utterance) -> bool:
    """ "não sei", "não lembro o CEP", "no idea"."""
    return _DONT_KNOW.match(said.folded) is not None


def is_question(said: Utterance) -> bool:
    words = said.folded.split()
    return said.body.rstrip().endswith("?") or bool(words and words[0] in _QUESTION_WORDS)


def pick(said: Utterance, options: Sequence[Option]) -> Option | None:
    """The option the client chose, or None when the message does not pick exactly one."""
    by_id = {o.id: o for o in options}
    if said.choice_id in by_id:
        return by_id[said.choice_id]
    folded = said.folded
    number = option_number(folded)
    if number is not None:
        return options[number - 1] if 1 <= number <= len(options) else None
    if _LAST.match(folded) and options:
        return options[-1]
    bare = _ARTICLE.sub("", folded)  # "o essencial", "the essentials": the option's name
    for option in options:
        names = {fold(name) for name in (*option.titles, *option.aliases)}
        if folded in names or bare in names:
            return option
    by_meaning = _by_meaning(said, options)
    if by_meaning is not None:
        return by_meaning
    asks_something_else = said.intent not in ANSWER_INTENTS and said.confidence >= 0.7
    # A one-word option inside a request is no answer ("pode ser amanhã às 14h?" is not
    # "pode" = yes); a longer one is ("someone else, Mary Jones").
    contained = _contained(folded, options, phrases_only=asks_something_else)
    if contained is not None:
        return contained
    for option in options:
        if option.intent and said.intent == option.intent and said.confidence >= 0.6:
            return option
    return None


_ARTICLE = re.compile(r"^(?:o|a|os|as|um|uma|the|an?)\s+(?=\w)")


def option_number(folded: str) -> int | None:
    """ "1", "1)", "opção 1", "a primeira", "opção um", "one" → 1."""
    match = _NUMBER.match(folded)
    if match is not None:
        return int(match.group(1))
    match = _ORDINAL.match(folded)
    if match is not None and match.group(1) in _ORDINALS:
        return _ORDINALS[match.group(1)]
    match = _CARDINAL.match(folded)
    if match is not None and match.group(1) in _CARDINALS:
        return _CARDINALS[match.group(1)]
    return None


def _by_meaning(said: Utterance, options: Sequence[Option]) -> Option | None:
    yes = [o for o in options if o.meaning == "yes"]
    no = [o for o in options if o.meaning == "no"]
    folded = said.folded
    first = folded.split()[0] if folded else ""
    plain_yes = folded in YES_WORDS or folded in YES_PHRASES
    # "yep all good", "sim, tudo certo": a yes word, then only words of agreement.
    words = folded.split()
    plain_yes = plain_yes or (
        2 <= len(words) <= 4
        and words[0] in YES_WORDS
        and " ".join(words[1:]) in YES_WORDS | YES_PHRASES | _AGREEING
    )
    # "não, a razão social é …": a leading no answers the question; the rest may fill a slot.
    rest = folded.split()[1:]
    plain_no = folded in NO_WORDS or folded in NO_PHRASES
    plain_no = plain_no or (first in ("nao", "no") and not any(w in YES_WORDS for w in rest))
    if len(yes) == 1 and plain_yes:
        return yes[0]
    if len(no) == 1 and plain_no:
        return no[0]
    return None


def _contained(
    folded: str, options: Sequence[Option], *, phrases_only: bool = False
) -> Option | None:
    """The option whose longest alias appears inside the message; one-word aliases only in
    short messages ("sim, sou eu" but not a long sentence that happens to say "sim"). A longer
    name wins over one it contains ("não concordo" over "concordo"); two options named apart
    ("completo ou só o essencial?") pick nothing."""
    words = len(folded.split())
    found: list[tuple[int, int, Option]] = []  # (start, end, option)
    for option in options:
        names = [fold(n) for n in (*option.titles, *option.aliases)]
        if option.meaning == "yes":
            names += ["sim", "yes", "ok"]
        elif option.meaning == "no":
            names += ["nao", "no"]
        for name in names:
            if not name or (" " not in name and (words > 5 or phrases_only)):
                continue
            for match in re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", folded):
                found.append((match.start(), match.end(), option))
    if not found:
        return None
    best = max(found, key=lambda m: m[1] - m[0])
    for start, end, option in found:
        if option.id == best[2].id:
            continue
        inside = best[0] <= start and end <= best[1]
        if not inside:
            return None  # another option is named on its own
    return best[2]
