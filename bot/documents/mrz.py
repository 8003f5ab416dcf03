"""The machine-readable zone of the Carteira de Identidade Nacional (ICAO 9303 TD1).

Three lines of 30 characters: document code, issuing state and document number (line 1),
birth date, sex, expiry, nationality and a composite check digit (line 2), the name
(line 3). Every number carries a 7-3-1 check digit, so a zone whose digits all verify is
read right with near certainty, far better than the visual zone printed in small type over a
guilloche. On the CIN the document number is the holder's CPF (11 digits: ICAO's "long
number" form, its last two digits and its check digit at the start of the optional data).

OCR confuses letters and digits; the zone's grammar says which one each position holds, so
``O`` in a date becomes ``0`` and ``0`` in a name becomes ``O`` before the checks are run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from bot.documents import identifiers as ids
from bot.documents import plausible
from bot.documents.fields import FieldRead
from bot.documents.folding import fold
from bot.documents.page import Page, Row

WEIGHTS = (7, 3, 1)
LINE = 30
_DIGITS = str.maketrans(
    {
        "O": "0",
        "Q": "0",
        "D": "0",
        "U": "0",
        "I": "1",
        "L": "1",
        "Z": "2",
        "S": "5",
        "B": "8",
        "G": "6",
        "T": "7",
        "A": "4",
    }
)
_LETTERS = str.maketrans(
    {"0": "O", "1": "I", "2": "Z", "5": "S", "8": "B", "6": "G", "4": "A", "7": "T"}
)


def check_digit(text: str) -> str:
    """ICAO 9303 check digit: values 0-9, A-Z = 10-35, ``<`` = 0, weights 7-3-1, mod 10."""
    total = 0
    for i, ch in enumerate(text):
        value = int(ch) if ch.isdigit() else ord(ch) - 55 if "A" <= ch <= "Z" else 0
        total += value * WEIGHTS[i % 3]
    return str(total % 10)


@dataclass(frozen=True, slots=True)
class Mrz:
    """A TD1 zone as read. ``checks`` names each check digit and whether it verified."""

    document_code: str
    issuer: str
    number: str
    birth: str  # DD/MM/YYYY, "" when unreadable
    sex: str
    expiry: str
    nationality: str
    surname: str
    given: str
    checks: tuple[tuple[str, bool], ...]
    truncated: bool = False  # the name filled line 3: its last word may be cut
    birth_inferred: bool = False  # both centuries of the birth's YY could be: one was guessed

    @property
    def verified(self) -> bool:
        """Every check digit of the zone (number, birth, expiry, composite) verified."""
        return len(self.checks) == 4 and all(ok for _, ok in self.checks)

    def check(self, name: str) -> bool:
        return dict(self.checks).get(name, False)

    @property
    def name(self) -> str:
        """Given names then surname, as Brazilians write it (no accents: the MRZ has none)."""
        return " ".join(part for part in (self.given, self.surname) if part)


def clean_line(text: str) -> str:
    """One OCR'd MRZ line as the zone's alphabet: uppercase, no spaces, ``<`` restored."""
    text = text.replace("«", "<<").replace("‹", "<").replace("≤", "<")
    text = fold(text).replace(" ", "")
    # OCR reads runs of fillers as K, C or ( mixed with <; inside a run of <, they are <
    text = re.sub(
        r"(?<=<)[KC(\[{]+(?=<|$)|(?<=<)[KC(\[{]+$|^[KC(\[{]+(?=<)|[K(\[{]{2,}(?=<)", _fillers, text
    )
    # any other character keeps its place as "?": a check digit may tell what it was
    text = re.sub(r"[^A-Z0-9<]", "?", text)
    return text.strip("?") if len(text) > LINE else text


def _fillers(match: re.Match[str]) -> str:
    return "<" * len(match.group(0))


def _digits(text: str) -> str:
    return text.translate(_DIGITS)


def _letters(text: str) -> str:
    return text.translate(_LETTERS)


def _solve(text: str, check: str) -> str:
    """A numeric field with one unreadable character ("?"): the only digit its check digit
    allows (the weights 7, 3, 1 are prime to 10, so exactly one fits)."""
    if text.count("?") != 1 or not check.isdigit():
        return text
    for digit in "0123456789":
        candidate = text.replace("?", digit)
        if check_digit(candidate) == check:
            return candidate
    return text


def _expiry(text: str) -> str:
    """DD/MM/YYYY from the expiry's YYMMDD: the CIN is issued since 2022, so 20YY."""
    if not text.isdigit() or len(text) != 6:
        return ""
    try:
        return date(2000 + int(text[:2]), int(text[2:4]), int(text[4:])).strftime("%d/%m/%Y")
    except ValueError:
        return ""


def _birth(text: str, *, today: date, expiry: str) -> tuple[str, bool]:
    """DD/MM/YYYY from the birth's YYMMDD, and whether its century was a guess.

    ICAO gives two digits of the year. A birth is before today and before the card's
    expiry (``expiry``, "" when its check digit failed), of someone at most
    ``plausible.MAX_AGE`` years old then. The century is settled when exactly one reading is
    such a birth and the other is excluded by a date (after today or the expiry), or by the
    age once the expiry anchors it: ``today`` may be a far-off default (``ReadOptions``), and
    "too old in 2100" must not make a 1974 birth 2074. Otherwise the latest reading that is
    not after ``until`` is offered as a guess, never as a verified value."""
    if not text.isdigit() or len(text) != 6:
        return "", False
    expires = plausible.parse(expiry)
    until = min(today, expires) if expires is not None else today
    dates, fits = plausible.two_digit_years(text, until=until)
    if not dates:
        return "", False
    others = [d for d in dates if d not in fits]
    settled = len(fits) == 1 and all(d > until or expires is not None for d in others)
    if settled:
        return fits[0].strftime("%d/%m/%Y"), False
    past = [d for d in dates if d <= until]
    if not past:
        return "", False
    return max(fits or past).strftime("%d/%m/%Y"), True


def _document_number(line1: str) -> tuple[str, bool, str]:
    """The document number, whether its check digit verified (ICAO long numbers too), and
    line 1's positions 6-30 as they should read (for the composite check)."""
    head, check, optional = line1[5:14], line1[14], line1[15:30]
    if check != "<":
        number = head.rstrip("<")
        if sum(c.isdigit() for c in number) * 2 >= len(number):
            number = _solve(_digits(number), _digits(check))
        return (
            number,
            _digits(check) == check_digit(number.ljust(9, "<")),
            number.ljust(9, "<") + _digits(check) + optional,
        )
    rest = optional.split("<", 1)[0]
    if len(rest) < 2:
        return _digits(head), False, line1[5:30]
    digit = _digits(rest[-1])
    number = _solve(_digits(head + rest[:-1]), digit)
    upper = number[:9] + "<" + number[9:] + digit + optional[len(rest) :]
    return number, digit == check_digit(number), upper


def _mend_number(number: str, upper: str, *, tail: str, composite: str) -> tuple[str, bool, str]:
    """One digit of the number misread: the only substitution that satisfies the number's
    check digit, the composite check digit and (an 11-digit number: a CPF) the CPF's own two
    check digits. Three independent checks agreeing on one candidate; else nothing changes."""
    long_form = len(upper) > 9 and upper[9] == "<"
    places = (
        [*range(9), *range(10, 10 + len(number) - 9)] if long_form else list(range(len(number)))
    )
    check = upper[10 + len(number) - 9] if long_form else upper[9]
    fits = []
    for index, place in enumerate(places):
        for digit in "0123456789":
            if digit == number[index]:
                continue
            candidate = number[:index] + digit + number[index + 1 :]
            if check_digit(candidate if long_form else candidate.ljust(9, "<")) != check:
                continue
            mended = upper[:place] + digit + upper[place + 1 :]
            if check_digit(mended + tail) != composite:
                continue
            if len(candidate) == 11 and not ids.cpf_is_valid(candidate):
                continue
            fits.append((candidate, mended))
    if len(fits) != 1:
        return number, False, upper
    return fits[0][0], True, fits[0][1]


def parse_td1(lines: tuple[str, str, str], *, today: date) -> Mrz | None:
    """The zone from three cleaned lines, or None when they are not a TD1 zone."""
    one, two, three = (line.ljust(LINE, "<")[:LINE] if len(line) < LINE else line for line in lines)
    if len(two) != LINE:
        # a filler lost or gained in the optional data: keep the fixed fields at both ends
        two = (two[:18] + "<" * LINE)[:29] + two[-1]
    one = one[:LINE]
    if one[0] not in "IAC" or "<" not in three:
        return None
    number, number_ok, upper = _document_number(one)
    birth = _solve(_digits(two[0:6]), _digits(two[6]))
    expiry = _solve(_digits(two[8:14]), _digits(two[14]))
    tail = birth + _digits(two[6]) + expiry + _digits(two[14]) + two[18:29]
    if not number_ok and check_digit(upper + tail) != _digits(two[29]):
        number, number_ok, upper = _mend_number(
            number, upper, tail=tail, composite=_digits(two[29])
        )
    composite_text = upper + tail
    checks = (
        ("number", number_ok),
        ("birth", check_digit(birth) == _digits(two[6])),
        ("expiry", check_digit(expiry) == _digits(two[14])),
        ("composite", check_digit(composite_text) == _digits(two[29])),
    )
    surname, _, given = _letters(three).strip("<").partition("<<")
    expires = _expiry(expiry)
    born, inferred = _birth(birth, today=today, expiry=expires if checks[2][1] else "")
    return Mrz(
        document_code=_letters(one[0:2]).replace("<", ""),
        issuer=_letters(one[2:5]),
        number=number,
        birth=born,
        sex=two[7].replace("<", ""),
        expiry=expires,
        nationality=_letters(two[15:18]),
        surname=" ".join(surname.replace("<", " ").split()),
        given=" ".join(given.replace("<", " ").split()),
        checks=checks,
        truncated=not three[:LINE].endswith("<"),
        birth_inferred=inferred,
    )


def _candidate(row: Row) -> str | None:
    text = clean_line(row.text)
    if 26 <= len(text) <= 34 and (text.count("<") >= 2 or re.match(r"[0-9O]{6}", text)):
        return text
    return None


def find_td1(page: Page, *, today: date) -> Mrz | None:
    """The TD1 zone on ``page``: three consecutive MRZ-like rows; the best-verified wins."""
    rows = page.rows()
    lines = [_candidate(row) for row in rows]
    best: Mrz | None = None
    for i in range(len(lines) - 2):
        triple = lines[i : i + 3]
        if any(line is None for line in triple):
            continue
        a, b, c = (line or "" for line in triple)
        mrz = parse_td1((a, b, c), today=today)
        if mrz is None:
            continue
        score = sum(ok for _, ok in mrz.checks)
        if best is None or score > sum(ok for _, ok in best.checks):
            best = mrz
    return best


def mrz_rows(page: Page) -> tuple[float, float, float, float] | None:
    """The box around the rows that look like an MRZ (for a closer re-read), or None."""
    rows = [row for row in page.rows() if _candidate(row) is not None]
    if len(rows) < 2:
        return None
    words = [w for row in rows for w in row.words]
    return (
        min(w.left for w in words),
        min(w.top for w in words),
        max(w.right for w in words),
        max(w.bottom for w in words),
    )


def mrz_reads(mrz: Mrz) -> dict[str, FieldRead]:
    """The CIN's fields the zone vouches for, ``via="mrz"``.

    ``checked`` means the whole zone verified (every check digit, the composite too); a
    number or date whose own check digit verified but not the composite is offered with
    ``checked=False``. The name has no check digit and no accents: it is evidence for the
    printed name, never a value to assert on its own (``repairs=1``).
    """
    reads: dict[str, FieldRead] = {}
    cpf = ids.parse_cpf(mrz.number)
    if mrz.check("number") and cpf is not None and cpf.checked and cpf.repairs == 0:
        for name in ("cpf", "rg"):
            parsed = ids.Parsed(cpf.value, True, 0, checked=mrz.verified)
            reads[name] = FieldRead(name, parsed, mrz.number, (), "mrz")
    if mrz.birth and mrz.check("birth"):
        # a guessed century is a repair: shown to confirm, or vouched for by the printed date
        parsed = (
            ids.Parsed(mrz.birth, True, 1)
            if mrz.birth_inferred
            else ids.Parsed(mrz.birth, True, 0, checked=mrz.verified)
        )
        reads["data_nascimento"] = FieldRead("data_nascimento", parsed, mrz.birth, (), "mrz")
    if len(mrz.name.split()) >= 2:
        parsed = ids.Parsed(mrz.name, True, 1)
        # in the zone's order (its last word is the one a full line cuts); "<" marks the cut
        raw = f"{mrz.surname} {mrz.given}" + ("<" if mrz.truncated else "")
        reads["nome"] = FieldRead("nome", parsed, raw, (), "mrz")
    return reads


def same_name(printed: str, zone: str, *, truncated: bool = False) -> bool:
    """The printed name and the zone's agree: the same words without accents, in whatever
    order the zone puts surname and given names. A name cut at the line's 30 characters
    agrees when its whole words are the printed ones and its cut word begins one of them."""
    words, spelled = sorted(fold(printed).split()), zone.split()
    if not truncated:
        return words == sorted(spelled)
    if not spelled:
        return False
    rest = list(words)
    for word in spelled[:-1] if truncated else spelled:
        if word not in rest:
            return False
        rest.remove(word)
    return any(word.startswith(spelled[-1]) for word in rest) or spelled[-1] in rest
