"""Per-field confidence from evidence: check digits, agreement of two reads, word confidences.

The scale is a promise (SPEC): at 0.9 or above a field is asserted as read correctly, so a
value earns it only with independent evidence: valid check digits, or two differently
prepared reads that agree with high Tesseract word confidence and no sign of lost accents.
The benchmark measures that confident fields are right at least 99% of the time.

Where each piece of evidence moves the score:

| evidence | effect |
| --- | --- |
| value does not parse (grammar) | 0.3 |
| identifier whose check digits fail | 0.3 |
| check digits pass, read as printed / look-alikes mapped | 0.97 / 0.95 |
| two differently prepared reads give the same number, both checked | 0.97, poor photo too |
| check digits pass but a digit's word confidence < 50 | 0.85 |
| CPF / CNH number from one noisy read (a word < 85, or repaired), no second read agreeing | 0.85 |
| check digits pass only after guessing a digit | 0.6 |
| two reads disagree | 0.5 |
| two reads, same letters, only the first with accents, each the lexicon's one spelling | 0.95 |
| one read only | 0.75 (word confidence >= 90) or 0.6 |
| two reads agree, confident words | 0.95; 0.85 otherwise; 0.8 when an accent may be lost |
| closed vocabulary (situação, UF) read as printed by both reads | 0.97 |
| the CIN's MRZ, every check digit verified | 0.98; own check digit only: 0.85 |
| an independent source agrees (the MRZ's name, Receita's record) | raised to 0.95 |
| text layer: fields and identifiers / prose anchored by a cue / not | 0.99 / 0.95 / 0.6 |
| poor photo (but: two checked reads; the situação both reads give) | at most 0.85 |
| placed by order or shape, its label unread (``identity.py``) | 0.6; 0.85 when a source agrees |

``explain`` gives the rule that decided each score (``Extraction.reasons``); ``python -m
bench.ocr.confidence_why`` counts, per kind x level x field, what holds correct fields below 0.9.
``bot/documents/corroboration.py`` then moves it with what the reader cannot see: Receita's
answer for the same CNPJ and the data the client typed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.documents.fields import FieldRead
from bot.documents.folding import fold
from bot.documents.identifiers import Parsed
from bot.documents.lexicon import restore

ASSERTED = 0.9
TEXT_FIELDS = frozenset(
    {"nome", "razao_social", "nome_fantasia", "municipio", "titular", "endereco"}
)
IDENTIFIERS = frozenset({"cnpj", "cpf", "numero_registro"})
CLOSED = frozenset({"situacao_cadastral", "uf"})  # a handful of possible values
# Mod-11 numbers where one misread digit may keep both check digits (the "10 -> 0" rule: a
# CPF read 219.848.675-04 for 319.848.675-04 verifies): asserted from one noisy read only
# when a second read of the same spot gives the same number.
RECHECKED = frozenset({"cpf", "numero_registro"})

# Evidence a poor photo does not weaken: both reads passing check digits, or both reading the
# same one of the Receita's five situations (far apart in spelling: a blur turns one into
# noise, never into another)
BEYOND_POOR = {
    "cnpj": ("checked twice",),
    "cpf": ("checked twice",),
    "numero_registro": ("checked twice",),
    "situacao_cadastral": ("closed, agree",),
}

# Endings that, without their accent, are almost never Portuguese: a read "JOAO" or
# "CONCEICAO" probably lost a tilde or cedilla, so it is not asserted.
LOST_ACCENT = re.compile(
    r"\BAO\b|[AO]ES\b|(?:ANCIA|ENCIA)\b|[AEIOU][^AEIOU\s]{1,2}IC[AO]S?\b|[AEIOU]RIO\b"
    r"|ERGIO\b|[AEIOU][CT]IA\b|[EIO]NIO\b|[AEIOU]VEL\b"
)


@dataclass(frozen=True, slots=True)
class Evidence:
    """What supports one field's value besides its own parse."""

    second: Parsed | None = None  # the other pass's (or the crop's) reading of the value
    text_layer: bool = False
    image_poor: bool = False
    verified: bool = True  # False when no second reading was attempted
    lost_accent: bool = False  # accent-like marks on the image that the text lacks
    agrees: bool = False  # an independent source (the MRZ, Receita) gives the same value


def score(read: FieldRead, evidence: Evidence) -> float:
    """A 0.0-1.0 confidence for ``read`` (>= 0.9 means asserted correct)."""
    return explain(read, evidence)[0]


def explain(read: FieldRead, evidence: Evidence) -> tuple[float, str]:
    """``score`` and the rule that gave it (a short code, for the benchmark's why-table)."""
    parsed = read.parsed
    if not parsed.valid:
        return 0.3, "grammar"
    if read.via == "mrz":
        if parsed.checked:
            return 0.98, "mrz checked"
        return (0.85, "mrz own digit") if read.name != "nome" else (0.6, "mrz name")
    if read.via == "order":  # placed by the document's order, its label unread: confirm it
        return (0.85, "order, agrees") if evidence.agrees else (0.6, "order")
    if evidence.text_layer:
        if read.via == "prose":
            if parsed.checked:
                return 0.99, "text layer"
            return (0.95, "text layer") if parsed.repairs == 0 else (0.6, "prose repaired")
        if parsed.checked or read.name not in IDENTIFIERS:
            return 0.99, "text layer"
        return 0.5, "text layer, digits fail"
    if read.via == "prose":
        if parsed.checked and parsed.repairs == 0:
            return 0.97, "prose checked"
        return 0.6, "prose unchecked"
    value, why = _ocr_score(read, evidence.second, lost_accent=evidence.lost_accent)
    if evidence.image_poor and value > 0.85 and why not in BEYOND_POOR.get(read.name, ()):
        value, why = 0.85, f"poor image ({why})"
    accent_doubt = read.name in TEXT_FIELDS and (
        evidence.lost_accent or LOST_ACCENT.search(parsed.value) is not None
    )
    if evidence.agrees and not accent_doubt and parsed.repairs == 0 and value < 0.95:
        value, why = 0.95, f"source agrees ({why})"
    return round(value, 2), why


def _ocr_score(read: FieldRead, second: Parsed | None, *, lost_accent: bool) -> tuple[float, str]:
    parsed = read.parsed
    disagrees = second is not None and second.value != parsed.value
    if parsed.checked:
        if _checked_twice(parsed, second):
            # two differently prepared reads give the same number and both pass its check
            # digits (one as printed): a misread digit would have to repeat in both and keep
            # both check digits, whatever the photo's quality
            return 0.97, "checked twice"
        if parsed.repairs >= 2:
            return 0.6, "digit guessed"
        if read.words and read.min_conf < 50:
            # check digits pass, but Tesseract doubted a digit: one in a hundred wrong
            # numbers passes a two-digit check
            return 0.85, "digit doubted"
        if disagrees and second is not None and second.checked:
            return 0.5, "two checked numbers"
        confirmed = second is not None and second.value == parsed.value
        if (
            read.name in RECHECKED
            and not confirmed
            and read.words
            and (read.min_conf < 85 or parsed.repairs)
        ):
            return 0.85, "one noisy read"  # a misread digit may still pass the check digits
        return (0.97, "checked") if parsed.repairs == 0 else (0.95, "checked, look-alikes")
    if read.name in IDENTIFIERS:
        return 0.3, "digits fail"
    if disagrees and second is not None and not lost_accent and _accents_vouched(read, second):
        return 0.95, "agree, accents from lexicon"
    if disagrees:
        return 0.5, "reads disagree"
    if second is None:
        return (0.75, "one read") if read.min_conf >= 90 else (0.6, "one read, low conf")
    if read.name in TEXT_FIELDS and (lost_accent or LOST_ACCENT.search(parsed.value)):
        return 0.8, "accent lost?" if lost_accent else "accent ending"
    if read.name in CLOSED and parsed.repairs == 0 and second.repairs == 0:
        return 0.97, "closed, agree"
    if read.min_conf >= 75 and parsed.repairs == 0 and second.repairs == 0:
        return 0.95, "agree"
    if parsed.repairs or second.repairs:
        return 0.85, "agree, repaired"
    return 0.85, "agree, low conf"


def _checked_twice(parsed: Parsed, second: Parsed | None) -> bool:
    return (
        second is not None
        and second.checked
        and second.value == parsed.value
        and min(parsed.repairs, second.repairs) == 0
    )


def _accents_vouched(read: FieldRead, second: Parsed) -> bool:
    """Two reads of a name with the same letters, the second without the accents the first
    has (OCR drops accents, it seldom invents them), where each accented word of the first is
    the only accented spelling the lexicon knows of its letters and no word looks as if it
    lost one: the letters are confirmed by both reads, the accents by the lexicon."""
    value = read.parsed.value
    if (
        read.name not in TEXT_FIELDS
        or read.min_conf < 75
        or read.parsed.repairs
        or second.repairs
        or fold(second.value) != second.value.upper()  # the second read kept no accent
        or fold(value) != fold(second.value)
        or LOST_ACCENT.search(value)
    ):
        return False
    accented = [word for word in value.split() if fold(word) != word]
    return bool(accented) and all(restore(fold(word)) == word for word in accented)
