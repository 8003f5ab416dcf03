"""When a contract's prose vouches for a name it gives: read the same in another clause.

A name taken from one clause of a scanned contract may be cut short, run into the clause
before it, or misread; the same name printed again elsewhere (the capital clause, "FULANO DE
TAL: 1.000 quotas"; the company's name in the title and in the name clause) and read
identically, standing alone between punctuation, is a second reading of other pixels. It is
not proof of an accent, which a font and a scanner drop the same way every time: a name with
an ending that is never unaccented in Portuguese, or a word the lexicon knows only accented,
is never vouched for. Nor is a misread: the same font and scanner can garble a word the same
way in both clauses, so a name with a lone letter or a word that is not one (``lexicon.
plausible``) is shown to the client however often it is read alike.
"""

from __future__ import annotations

import re

from bot.documents.confidence import LOST_ACCENT
from bot.documents.lexicon import plausible, restore

# a name standing alone: after the start, punctuation or an underscore rule; before
# punctuation, a number or the end (not the first or last words of a longer name), and not
# before ", brasileiro, ..." (the qualification the name was taken from)
_BEFORE = r"(?:^|(?<=[:;,.(_\"“”—–-])|(?<=[:;,.(_\"“”—–-]\s))"
_AFTER = r"(?=\s?[:;.)\"“”]|\s?,\s?\d|\s?$)"


def named_again(text: str, name: str) -> bool:
    """``name`` stands alone somewhere in ``text`` other than where a qualification follows
    it (letters compared in capitals)."""
    if len(name.split()) < 2:
        return False
    pattern = _BEFORE + r"\s*" + re.escape(name.upper()) + _AFTER
    return re.search(pattern, text.upper()) is not None


def accent_doubt(name: str) -> bool:
    """Whether ``name`` may have lost an accent that its repetition would not reveal."""
    upper = name.upper()
    return LOST_ACCENT.search(upper) is not None or any(
        restore(word) is not None for word in re.findall(r"[^\W\d_]+", upper)
    )


def with_accents(name: str) -> str:
    """``name`` with each word the lexicon knows only accented written so ("ENGENHARIA
    ELETRICA" -> "ENGENHARIA ELÉTRICA"): a scan's dropped accent put back, for the client to
    confirm (``accent_doubt`` still holds for the value as read)."""
    return re.sub(r"[^\W\d_]+", lambda word: restore(word.group()) or word.group(), name)


def vouchable(name: str) -> bool:
    """Whether two identical reads of ``name`` may vouch for it: every word of it may be a
    real word or name (a lone letter, a digit among letters or a non-word is a misread the
    second clause may repeat)."""
    return all(plausible(word) for word in name.split())


def completed(name: str, others: list[str]) -> str:
    """``name`` as another clause gives it whole, when that clause's name ends with it and
    adds at most three real words before it ("CASTRO MARTINS" in the qualification, its
    first name lost to a scan's noise; "MÔNICA CASTRO MARTINS: 128.500 quotas" in the
    capital clause). Read in one clause only, so shown to the client to confirm."""
    if name in others:
        return name
    longer = [
        other
        for other in others
        if other.endswith(" " + name)
        and 1 <= len(other.split()) - len(name.split()) <= 3
        and vouchable(other[: -len(name)])
    ]
    return min(longer, key=len) if longer else name
