"""Field extraction: find each field's label, take the words of its value, parse and validate.

A value is looked for to the right of its label (same row, up to the next label) and below it
(next row, inside the label's column, bounded by the next label on the label's row). The
field's parser decides which candidate is a value. Identifiers with check digits fall back to
a scan of the whole page when their label was not found.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass

from rapidfuzz import fuzz

from bot.documents import identifiers as ids
from bot.documents.folding import fold, tokens
from bot.documents.label_words import STOP
from bot.documents.labels import LabelHit
from bot.documents.page import Column, Page, Row, Word, split_at_columns

FIELD_NAMES: dict[str, tuple[str, ...]] = {
    "cnpj_card": (
        "cnpj",
        "razao_social",
        "nome_fantasia",
        "data_abertura",
        "cep",
        "municipio",
        "uf",
        "situacao_cadastral",
    ),
    "cnh": ("nome", "cpf", "data_nascimento", "numero_registro", "validade"),
    "rg": ("nome", "rg", "cpf", "data_nascimento"),
    "comprovante_endereco": ("titular", "endereco", "cep", "municipio", "uf", "data_emissao"),
    "contrato_social": ("razao_social", "cnpj"),  # and socio_N_nome / socio_N_cpf, N = 1, 2...
}
CHECKED_FIELDS = frozenset({"cnpj", "cpf", "numero_registro"})


@dataclass(frozen=True, slots=True)
class FieldRead:
    """A field's value as read: parsed value, source words and how it was located."""

    name: str
    parsed: ids.Parsed
    raw: str
    words: tuple[Word, ...]
    via: str  # same | right | below | block | scan | order | mrz | prose
    column: tuple[float, float] | None = None  # x range the value may occupy (re-reads)

    @property
    def region(self) -> tuple[float, float, float, float]:
        """Where to re-read the value: its whole column, so a word the first read missed
        at either end shows up as a disagreement."""
        left, top, right, bottom = self.box
        if self.column is not None:
            left, right = min(left, self.column[0]), max(right, self.column[1])
        return left, top, right, bottom

    @property
    def min_conf(self) -> float:
        return min((w.conf for w in self.words), default=0.0)

    @property
    def box(self) -> tuple[float, float, float, float]:
        return (
            min(w.left for w in self.words),
            min(w.top for w in self.words),
            max(w.right for w in self.words),
            max(w.bottom for w in self.words),
        )


def _column_bound(hit: LabelHit, hits: list[LabelHit], *, page_width: float) -> float:
    right = [h.left for h in hits if h.row == hit.row and h.left > hit.right]
    return min(right, default=page_width)


def value_right(hit: LabelHit, rows: list[Row], *, hits: list[LabelHit]) -> tuple[Word, ...]:
    bound = _column_bound(hit, hits, page_width=float("inf"))
    label_words = set(hit.words)
    words = [
        w
        for w in rows[hit.row].words
        if w.left >= hit.right - 1 and w.left < bound - 1 and w not in label_words
    ]
    if not words:
        words = _beside_off_row(hit, rows, hits=hits, bound=bound)
    if words and words[0].left - hit.right > 12 * hit.height:
        return ()
    return _after_label_colon(tuple(words))


def _after_label_colon(words: tuple[Word, ...]) -> tuple[Word, ...]:
    """A label matched on its first words goes on to its colon ("ENDEREÇO" of "ENDEREÇO DE
    FORNECIMENTO: R DOM PEDRO II"): the value starts after the colon."""
    for i, word in enumerate(words[:3]):
        if any(ch.isdigit() for ch in word.text):
            return words
        if word.text.endswith(":") and i + 1 < len(words):
            return words[i + 1 :]
    return words


def _beside_off_row(
    hit: LabelHit, rows: list[Row], *, hits: list[LabelHit], bound: float
) -> list[Word]:
    """A value beside its label that the row grouping put in the next or previous row: a
    larger (or smaller, top-aligned) value's box straddles the label's line. Its words must
    overlap the label's line by a third of its height and lie between it and the next label."""
    others = {w for h in hits for w in h.words}
    found = []
    for index in (hit.row - 1, hit.row + 1):
        if not 0 <= index < len(rows):
            continue
        for w in rows[index].words:
            overlap = min(w.bottom, hit.bottom) - max(w.top, hit.top)
            if (
                hit.right - 1 <= w.left < bound - 1
                and overlap >= 0.3 * hit.height
                and w not in others
                and not _speck(w)
            ):
                found.append(w)
    return sorted(found, key=lambda w: w.left)


def _speck(word: Word) -> bool:
    """Noise Tesseract read as a short word (a box corner, a stain): skip it."""
    alnum = sum(c.isalnum() for c in word.text)
    if word.text in ("-", "–", "&") and word.conf >= 40:
        return False  # "LTDA - EPP", "PÃO & CIA"
    return alnum == 0 or (word.conf < 40 and alnum <= 3)


def value_below(
    hit: LabelHit, rows: list[Row], *, hits: list[LabelHit], page_width: float
) -> tuple[Word, ...]:
    bound = _column_bound(hit, hits, page_width=page_width)
    tol = 1.5 * hit.height
    label_words = {w for h in hits for w in h.words}
    for row in rows[hit.row + 1 :]:
        if row.top - hit.bottom > 3.0 * hit.height:
            return ()
        # a word belongs to the column when it reaches past the label's left edge: values
        # often start a little left of a label whose number prefix ("2 e 1") was misread
        inside = [
            w
            for w in row.words
            if w.right > hit.left + tol / 3 and w.left < bound - 0.5 * hit.height and not _speck(w)
        ]
        # another label counts only under this one (a title beside it does not end the column)
        inside = [w for w in inside if w not in label_words or w.left < hit.right]
        if not inside or inside[0].left > hit.right + 1.5 * hit.height:
            # nothing under the label: words that start past its end are another column's
            # (a skewed photo's rows mix a neighbour's value in before this one's)
            continue
        if any(w in label_words for w in inside):
            return ()
        return tuple(w for w in inside if w not in label_words)
    return ()


def _off_line(words: tuple[Word, ...]) -> tuple[Word, ...]:
    """The value's words without marks off its line: a dash read from a box's rule or a
    stain under the letters ("SÃO JORGE - PEÇAS" on a heavy photo) lies at the letters'
    foot or top, where a printed hyphen ("LTDA - EPP") never does (it sits mid-height)."""
    letters = [w for w in words if any(c.isalnum() for c in w.text)]
    if len(letters) < 2:
        return words
    top = statistics.median(w.top for w in letters)
    bottom = statistics.median(w.bottom for w in letters)
    span = max(bottom - top, 1.0)
    return tuple(
        w for w in words if w in letters or w.text in ("&",) or 0.25 <= (w.cy - top) / span <= 0.8
    )


def first_cluster(words: tuple[Word, ...]) -> tuple[Word, ...]:
    """The words up to the first wide horizontal gap: a value never jumps to another column."""
    if not words:
        return words
    letter = max(statistics.median(w.height for w in words), 1.0)
    kept = [words[0]]
    for word in words[1:]:
        if word.left - kept[-1].right > 2.5 * letter:
            break
        kept.append(word)
    return tuple(kept)


def same_box(
    hit: LabelHit, rows: list[Row], *, hits: list[LabelHit]
) -> tuple[str, tuple[Word, ...]]:
    """Label and value in one token run ("CPF:123.456.789-09", "NOME:JOÃO DA SILVA"): what
    follows the label inside its last word, with the words to its right."""
    last = hit.words[-1]
    wanted = hit.phrase.split()[-1]
    folded = fold(last.text)
    at = folded.find(wanted)
    if at < 0 or at + len(wanted) >= len(folded):
        return "", ()
    rest = re.sub(r"^[:.;\-–º°ª\s]+", "", last.text[at + len(wanted) :])
    if not any(c.isalnum() for c in rest):
        return "", ()
    right = first_cluster(value_right(hit, rows, hits=hits))
    return " ".join([rest, *(w.text for w in right)]), (last, *right)


def is_label_text(raw: str, phrases: tuple[str, ...]) -> bool:
    """Whether ``raw`` reads like one of the kind's (longer) labels, e.g. "NOME DE E
    PANTASIA" under the card's "NOME DE FANTASIA" box, rather than like a value."""
    text = " ".join(tokens(raw))
    return len(text) >= 8 and any(
        fuzz.ratio(text, phrase) >= 85
        or (
            len(text) >= 12
            and fuzz.partial_ratio(text, phrase) >= 90
            and len(text) <= len(phrase) + 4
            and _words_of(text, phrase)
        )
        for phrase in phrases
    )


def _words_of(text: str, phrase: str) -> bool:
    """Every longer word of ``text`` is (nearly) one of ``phrase``'s: "ANDRE NASCIMENTO" is a
    name that shares a word with "DATA DE NASCIMENTO", not that label misread."""
    words = phrase.split()
    return all(
        any(fuzz.ratio(token, word) >= 70 for word in words)
        for token in text.split()
        if len(token) >= 3
    )


def label_candidates(
    hit: LabelHit,
    rows: list[Row],
    *,
    hits: list[LabelHit],
    page: Page,
    starts: tuple[Column, ...] = (),
) -> list[tuple[str, str, tuple[Word, ...], tuple[float, float]]]:
    """(via, raw text, words, column) for each place the value of ``hit`` may be; a value
    stops where another of the page's columns starts."""
    bound = _column_bound(hit, hits, page_width=page.width)
    right_column = (hit.right + 0.5 * hit.height, bound - 0.5 * hit.height)
    below_column = (hit.left - 0.5 * hit.height, bound - 0.5 * hit.height)
    found = []
    raw, words = same_box(hit, rows, hits=hits)
    if raw:
        kept = split_at_columns(words, starts)
        if len(kept) < len(words):
            raw = (
                " ".join([raw.split()[0], *(w.text for w in kept[1:])])
                if len(kept) > 1
                else raw.split()[0]
            )
        found.append(("same", raw, kept, right_column))
    for via, column, placed in (
        ("right", right_column, value_right(hit, rows, hits=hits)),
        ("below", below_column, value_below(hit, rows, hits=hits, page_width=page.width)),
    ):
        placed = split_at_columns(first_cluster(_off_line(placed)), starts)
        if placed:
            found.append(
                (
                    via,
                    " ".join(w.text for w in placed),
                    placed,
                    _within_columns(column, placed, starts=starts),
                )
            )
    return found


def _within_columns(
    column: tuple[float, float], words: tuple[Word, ...], *, starts: tuple[Column, ...]
) -> tuple[float, float]:
    """The value's column, ended where the page's next column starts (re-reads of the
    value's crop must not take in the next column's text)."""
    letter = max(w.height for w in words)
    cy = words[0].cy
    after = [
        x
        for x, top, bottom in starts
        if x > words[-1].right + 0.3 * letter and top - letter <= cy <= bottom + letter
    ]
    return column[0], min(column[1], min(after, default=column[1]) - 0.3 * letter)


__all__ = ["CHECKED_FIELDS", "FIELD_NAMES", "FieldRead", "STOP", "label_candidates"]
