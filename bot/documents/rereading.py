"""Second reads of a value: re-reading its crop, and choosing between two reads of a field.

Values without check digits are only asserted when two differently prepared reads agree, so
a value one pass found is re-read from its crop (the grey page for the binarized pass and
vice versa); crops are stacked into one image so the re-read costs one Tesseract call.
"""

from __future__ import annotations

import statistics
from dataclasses import replace
from datetime import date

import numpy as np
from PIL import Image

from bot.documents.confidence import RECHECKED
from bot.documents.fields import FieldRead
from bot.documents.folding import fold
from bot.documents.glyphs import ROUND, STEM, spelled_cnpj
from bot.documents.identifiers import Parsed, cnpj_is_valid
from bot.documents.imaging import Prepared, crop
from bot.documents.lexicon import restore
from bot.documents.page import Word
from bot.documents.parsers import parsers
from bot.documents.plausible import cep_fits_uf
from bot.documents.tesseract import OcrEngine


def restore_accents(read: FieldRead, flags: list[bool]) -> FieldRead:
    """Put back accents the image shows on words Tesseract returned without them."""
    marked = {fold(w.text).strip(".,;:") for w, lost in zip(read.words, flags, strict=True) if lost}
    tokens = []
    for token in read.parsed.value.split():
        fixed = restore(token) if fold(token) in marked else None
        tokens.append(fixed or token)
    value = " ".join(tokens)
    if value == read.parsed.value:
        return read
    parsed = Parsed(value, read.parsed.valid, max(read.parsed.repairs, 2), read.parsed.checked)
    return replace(read, parsed=parsed)


def _accents(text: str) -> int:
    return sum(1 for ch in text if ord(ch) > 127)


def pick(a: FieldRead, b: FieldRead) -> tuple[FieldRead, Parsed]:
    """The better of two reads of one field, and the other as its confirmation."""
    if a.via == "order" and b.via != "order":
        a, b = b, a  # the value its label placed, before one placed by the document's order
    pa, pb = a.parsed, b.parsed
    if (pa.value == "") != (pb.value == "") and pa.valid and pb.valid:
        return (a, pb) if pa.value == "" else (b, pa)  # stars misread as letters, not vice versa
    if pa.value != pb.value:
        rank_a = (pa.valid, pa.checked, -pa.repairs)
        rank_b = (pb.valid, pb.checked, -pb.repairs)
        if rank_b > rank_a:
            return b, pa
        if (
            rank_a == rank_b
            and fold(pa.value) == fold(pb.value)
            and _accents(pb.value) > _accents(pa.value)
        ):
            return b, pa  # OCR drops accents far more often than it invents them
    return a, pb


def crop_reads(
    reads: dict[str, tuple[FieldRead, bool]],
    prepared: Prepared,
    *,
    ocr: OcrEngine,
    today: date,
    zoom: float = 1.0,
) -> dict[str, Parsed | None]:
    """Re-read values found by one pass only: each crop from the other preparation (grey for
    the binarized pass and vice versa), stacked into one image for a single Tesseract call."""
    # check digits vouch for most identifiers: re-read what has no such check, and the
    # numbers whose check digits a misread digit may keep (``RECHECKED``)
    names = [
        n
        for n, (read, _) in reads.items()
        if read.words and read.parsed.value and (not read.parsed.checked or read.name in RECHECKED)
    ]
    if not names:
        return {}
    binary = np.asarray(prepared.image, dtype=np.float32)
    crops, spans_x = [], []
    for name in names:
        read, from_binary = reads[name]
        height = max(w.height for w in read.words)
        source = prepared.gray if from_binary else binary
        piece = np.clip(crop(source, read.region, pad=0.35 * height), 0, 255).astype(np.uint8)
        origin = max(int(read.region[0] - 0.35 * height), 0)
        spans_x.append(((read.box[0] - origin) * zoom, (read.box[2] - origin) * zoom))
        if zoom != 1.0:
            size = (round(piece.shape[1] * zoom), round(piece.shape[0] * zoom))
            piece = np.asarray(Image.fromarray(piece).resize(size, Image.Resampling.BICUBIC))
        crops.append(piece)
    gap = max(int(max(c.shape[0] for c in crops) * 0.8), 12)
    width = max(c.shape[1] for c in crops) + 2 * gap
    height = sum(c.shape[0] + gap for c in crops) + gap
    sheet = np.full((height, width), 255, dtype=np.uint8)
    spans = []
    y = gap
    for piece in crops:
        sheet[y : y + piece.shape[0], gap : gap + piece.shape[1]] = piece
        spans.append((y, y + piece.shape[0]))
        y += piece.shape[0] + gap
    words = ocr.words(Image.fromarray(sheet), psm=6)
    table = parsers(today)
    seconds: dict[str, Parsed | None] = {}
    for name, (top, bottom), (x0, x1) in zip(names, spans, spans_x, strict=True):
        inside = [w for w in words if top - 2 <= (w.top + w.bottom) / 2 <= bottom + 2]
        inside = _near_value(sorted(inside, key=lambda w: w.left), left=x0 + gap, right=x1 + gap)
        text = " ".join(w.text for w in inside)
        seconds[name] = table[name](text) if text else None
    return seconds


def _near_value(words: list[Word], *, left: float, right: float) -> list[Word]:
    """The runs of ``words`` (split at gaps wider than 2.5 letters, as a value never jumps
    them) that meet the first read's span ``left``-``right``: the column's crop may hold a
    stain or a mark far from the value, which is no part of it."""
    if not words:
        return words
    letter = max(statistics.median(w.height for w in words), 1.0)
    runs: list[list[Word]] = [[words[0]]]
    for word in words[1:]:
        if word.left - runs[-1][-1].right > 2.5 * letter:
            runs.append([])
        runs[-1].append(word)
    return [
        w
        for run in runs
        if run[0].left <= right + letter and run[-1].right >= left - letter
        for w in run
    ]


PARTICLES = frozenset({"DA", "DE", "DO", "DAS", "DOS", "E"})
# How a Portuguese word may begin with two consonants ("BR", "CH", "LH" ...): a piece of a
# split read that begins otherwise ("NTO" of "NASCIME NTO") is no word of its own.
ONSETS = frozenset(
    "BL BR CH CL CR DR FL FR GL GN GR KR LH NH PH PL PR PS SH ST TH TR VL VR WH".split()
)


def _no_word(word: str) -> bool:
    if word in PARTICLES:
        return False
    consonants = len(word) >= 2 and not any(c in "AEIOUY" for c in word[:2])
    return len(word) <= 2 or (consonants and word[:2] not in ONSETS)


def _spacing(value: str) -> tuple[int, int]:
    """OCR glues words together ("PAULOOTÁVIO", "DAROMÃO") more often than it splits one;
    a split it made shows as a piece that is no word ("NASCIME NTO")."""
    words = fold(value).split()
    return -sum(_no_word(word) for word in words), len(words)


def _respace(picked: dict[str, tuple[FieldRead, Parsed | None]]) -> None:
    """Two reads of a value that differ only in spaces: keep the better spaced one, still
    shown to confirm (the reads disagree)."""
    for name, (read, second) in picked.items():
        if (
            second is None
            or not second.valid
            or second.value == read.parsed.value
            or second.value.replace(" ", "") != read.parsed.value.replace(" ", "")
        ):
            continue
        if _spacing(second.value) > _spacing(read.parsed.value):
            better = replace(second, repairs=max(second.repairs, 1))
            picked[name] = (replace(read, parsed=better), read.parsed)


def third_read(
    picked: dict[str, tuple[FieldRead, Parsed | None]],
    prepared: Prepared,
    *,
    ocr: OcrEngine,
    today: date,
) -> None:
    """Where two reads of a value disagree, a third (the grey crop, larger) breaks the tie.
    The majority's value is kept but never asserted: its confirmation carries a repair. A
    CEP is read smaller instead (``small_cep``: its digits read worse larger)."""
    _respace(picked)
    split = [
        name
        for name in disagreeing(picked)
        if name not in SMALL_DIGITS
        and (second := picked[name][1]) is not None
        and second.value.replace(" ", "") != picked[name][0].parsed.value.replace(" ", "")
    ]
    tie_break(picked, prepared, names=split, ocr=ocr, today=today, zoom=2.0)
    look_alikes(picked, prepared)
    small_cep(picked, prepared, ocr=ocr, today=today)


# fields whose digits are read again smaller, not larger (``small_cep``)
SMALL_DIGITS = frozenset({"cep"})
# Tesseract's LSTM reads digits 38-47 px tall (the page is scaled for letters about 30 px)
# with a 7 as 1 or a 5 as 9, the page and its crop alike; the same crop with digits about 20
# px tall reads them right (drawings of bench/ocr/lookalikes.py: 0.4-0.5 right where 0.8-1.0
# was wrong, and the tuning cartões' 5/9 of the seventh round)
SMALL_DIGIT_PX = 20.0


def small_cep(
    picked: dict[str, tuple[FieldRead, Parsed | None]],
    prepared: Prepared,
    *,
    ocr: OcrEngine,
    today: date,
) -> None:
    """The CEP's crop read again with its digits about ``SMALL_DIGIT_PX`` tall, grey and
    binarized. Both small reads agreeing with the value: nothing changes. Otherwise the
    value is never asserted (its confirmation differs) and is chosen among the reads: the
    one value of them inside the UF's CEP range (``plausible.cep_fits_uf``), else the one
    both small reads give, else the value as it was."""
    if "cep" not in picked:
        return
    read, second = picked["cep"]
    if not read.words or not read.parsed.valid or read.via == "order":
        return
    zoom = max(SMALL_DIGIT_PX / max(w.height for w in read.words), 0.35)
    if zoom > 0.8:  # already small: the page's read is the small read
        return
    smalls = [
        crop_reads({"cep": (read, grey)}, prepared, ocr=ocr, today=today, zoom=zoom)["cep"]
        for grey in (True, False)
    ]
    small = [p.value for p in smalls if p is not None and p.valid and len(p.value) == 8]
    value = read.parsed.value
    if not small or all(v == value for v in small):
        return
    reads = [value] + ([second.value] if second is not None and second.valid else []) + small
    chosen = _cep_choice(reads, small=small, uf=_uf(picked))
    other = next(v for v in reads if v != chosen)
    parsed = Parsed(chosen, True, max(read.parsed.repairs, 1))
    picked["cep"] = (replace(read, parsed=parsed), Parsed(other, True, 1))


def _uf(picked: dict[str, tuple[FieldRead, Parsed | None]]) -> str:
    read = picked.get("uf", (None, None))[0]
    return read.parsed.value if read is not None and read.parsed.valid else ""


def _cep_choice(reads: list[str], *, small: list[str], uf: str) -> str:
    """Among a CEP's reads: the only one in the UF's range, else the value both small reads
    give, else the first (the page's)."""
    fitting = {v for v in reads if cep_fits_uf(v, uf)}
    if len(fitting) == 1:
        return fitting.pop()
    if len(small) == 2 and small[0] == small[1]:
        return small[0]
    return reads[0]


def look_alikes(picked: dict[str, tuple[FieldRead, Parsed | None]], prepared: Prepared) -> None:
    """The CNPJ's O/0 and I/1 as its glyphs' widths spell them (``glyphs.py``): a value the
    glyphs spell whole and the check digits pass is taken (0.95: look-alikes mapped); a
    read the glyphs contradict at a look-alike is never asserted; otherwise the parse's own
    doubt stands (a value with a look-alike twin is never asserted on its text alone)."""
    if "cnpj" not in picked:
        return
    read, second = picked["cnpj"]
    spelled = spelled_cnpj(read.words, np.asarray(prepared.image), grey=prepared.gray)
    if spelled is None:
        return
    value = read.parsed.value
    if "?" not in spelled and cnpj_is_valid(spelled):
        if spelled != value or read.parsed.repairs:
            parsed = Parsed(spelled, True, 1, checked=True)
            picked["cnpj"] = (replace(read, parsed=parsed), _doubted(second))
        return
    if len(value) == len(spelled) and any(
        a != b and b != "?" and a in ROUND | STEM for a, b in zip(value, spelled, strict=True)
    ):
        doubted = replace(read.parsed, repairs=2)
        picked["cnpj"] = (replace(read, parsed=doubted), _doubted(second))


def _doubted(second: Parsed | None) -> Parsed | None:
    """The other read of a number the glyphs settled: it may not vouch for it as read as
    printed (``confidence``'s "checked twice")."""
    return second if second is None else replace(second, repairs=max(second.repairs, 1))


def disagreeing(picked: dict[str, tuple[FieldRead, Parsed | None]]) -> list[str]:
    """The fields whose two reads are both valid, not proved by check digits, and differ."""
    return [
        name
        for name, (read, second) in picked.items()
        if second is not None
        and second.valid
        and read.parsed.valid
        and not read.parsed.checked
        and second.value != read.parsed.value
    ]


def tie_break(
    picked: dict[str, tuple[FieldRead, Parsed | None]],
    prepared: Prepared,
    *,
    names: list[str],
    ocr: OcrEngine,
    today: date,
    zoom: float,
) -> None:
    """The crops of ``names`` read once more at ``zoom``: the value two of the three reads
    give is kept, never asserted (its confirmation carries a repair)."""
    if not names:
        return
    split = {name: (picked[name][0], True) for name in names}
    for name, third in crop_reads(split, prepared, ocr=ocr, today=today, zoom=zoom).items():
        read, second = picked[name]
        if third is None or second is None:
            continue
        if third.value == read.parsed.value:
            picked[name] = (read, replace(third, repairs=max(third.repairs, 1)))
        elif third.value == second.value:
            voted = replace(read, parsed=replace(second, repairs=max(second.repairs, 1)))
            picked[name] = (voted, replace(third, repairs=max(third.repairs, 1)))
