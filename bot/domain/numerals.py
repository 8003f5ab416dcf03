"""Counts written in words, pt-BR and English: "cinquenta", "mil e quinhentos",
"two hundred and fifty". For answers such as the number of employees."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["count_in_words"]

_VALUES: dict[str, int] = {
    "um": 1, "uma": 1, "dois": 2, "duas": 2, "tres": 3, "quatro": 4, "cinco": 5, "seis": 6,
    "sete": 7, "oito": 8, "nove": 9, "dez": 10, "onze": 11, "doze": 12, "treze": 13,
    "catorze": 14, "quatorze": 14, "quinze": 15, "dezesseis": 16, "dezasseis": 16,
    "dezessete": 17, "dezoito": 18, "dezenove": 19, "vinte": 20, "trinta": 30,
    "quarenta": 40, "cinquenta": 50, "cincoenta": 50, "sessenta": 60, "setenta": 70,
    "oitenta": 80, "noventa": 90, "cem": 100, "cento": 100, "duzentos": 200, "duzentas": 200,
    "trezentos": 300, "trezentas": 300, "quatrocentos": 400, "quinhentos": 500,
    "seiscentos": 600, "setecentos": 700, "oitocentos": 800, "novecentos": 900,
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}  # fmt: skip
_HUNDRED = frozenset({"hundred"})
_THOUSAND = frozenset({"mil", "thousand"})
_MILLION = frozenset({"milhao", "milhoes", "million", "millions"})
_JOINERS = frozenset({"e", "and"})


def _fold(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in plain if not unicodedata.combining(ch))


# Words that may stand around a count ("somos uns cinquenta funcionários"); any other word
# means the number words are part of a sentence ("falar com uma pessoa" is not 1).
_AROUND = frozenset(
    "uns umas cerca de mais ou menos aproximadamente quase tipo em media por volta somos "
    "temos sao funcionarios funcionario pessoas colaboradores gente about around roughly some "
    "almost we have are employees people staff".split()
)


def count_in_words(text: str) -> int | None:
    """The count written in words that makes up the message, or None ("uns cinquenta" → 50;
    "quero falar com uma pessoa" → None)."""
    words = re.findall(r"[a-z]+", _fold(text))
    known = _AROUND | _THOUSAND | _MILLION | _HUNDRED | _JOINERS | set(_VALUES)
    if not words or any(w not in known for w in words):
        return None
    total = current = 0
    seen = False
    for word in words:
        if word in _VALUES:
            current += _VALUES[word]
        elif word in _HUNDRED and seen:
            current = max(current, 1) * 100
        elif word in _THOUSAND and (seen or word == "mil"):
            total += max(current, 1) * 1000
            current = 0
        elif word in _MILLION and seen:
            total += max(current, 1) * 1_000_000
            current = 0
        elif word in _JOINERS and seen:
            continue
        elif seen:
            break
        else:
            continue
        seen = True
    return total + current if seen else None
