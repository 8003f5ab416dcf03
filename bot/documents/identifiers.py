"""Brazilian identifiers and formats read off documents: parse, repair OCR confusions, validate.

Each ``parse_*`` takes the raw text found next to a label and returns a ``Parsed`` (the
normalized value, whether it is valid, and how much repair it needed) or ``None``. Check digits
come from python-stdnum (CPF, CNPJ including the 2026 alphanumeric format) and the DENATRAN
rule for the CNH registration number.
"""

from __future__ import annotations

import difflib
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from stdnum.br import cnpj as stdnum_cnpj
from stdnum.br import cpf as stdnum_cpf

from bot.documents.folding import fold

UFS = frozenset(
    "AC AL AP AM BA CE DF ES GO MA MT MS MG PA PB PR PE PI RJ RN RS RO RR SC SP SE TO".split()
)
SITUATIONS = ("ATIVA", "SUSPENSA", "INAPTA", "BAIXADA", "NULA")

# Characters OCR confuses with digits, and the digit each most likely was.
TO_DIGIT = str.maketrans(
    {
        "O": "0",
        "o": "0",
        "Q": "0",
        "D": "0",
        "U": "0",
        "°": "0",
        "º": "0",
        "I": "1",
        "l": "1",
        "|": "1",
        "i": "1",
        "L": "1",
        "!": "1",
        "J": "1",
        "]": "1",
        "[": "1",
        "Z": "2",
        "z": "2",
        "S": "5",
        "s": "5",
        "$": "5",
        "B": "8",
        "G": "6",
        "b": "6",
        "T": "7",
        "g": "9",
        "q": "9",
        "A": "4",
    }
)
# Digit/letter pairs Tesseract swaps, for alphanumeric CNPJ candidates.
AMBIGUOUS = {
    "0": "O",
    "O": "0",
    "Q": "0",
    "D": "0",
    "1": "I",
    "I": "1",
    "L": "1",
    "5": "S",
    "S": "5",
    "8": "B",
    "B": "8",
    "2": "Z",
    "Z": "2",
    "6": "G",
    "G": "6",
}
# Digit-for-digit misreads, tried only when the check digits fail.
DIGIT_SWAPS = {
    "0": "86",
    "1": "74",
    "2": "7",
    "3": "85",
    "4": "1",
    "5": "63",
    "6": "580",
    "7": "12",
    "8": "3065",
    "9": "8",
}


@dataclass(frozen=True, slots=True)
class Parsed:
    """A value parsed from OCR text.

    ``valid``: passes its format rules (and check digits where the identifier has them).
    ``checked``: confirmed by check digits. ``repairs``: 0 when read as printed, 1 when
    look-alike letters were mapped to digits, 2 when a digit had to be guessed (or several
    candidates were possible).
    """

    value: str
    valid: bool
    repairs: int = 0
    checked: bool = False


def _digits_only(text: str) -> str:
    return re.sub(r"\D", "", text)


def _digit_tokens(text: str) -> str:
    """Map look-alike letters to digits, but only inside tokens that are mostly digits."""
    out = []
    for token in re.split(r"(\s+)", text):
        core = re.sub(r"[.\-/,:]", "", token)
        digits = sum(c.isdigit() for c in core)
        out.append(token.translate(TO_DIGIT) if core and digits * 2 >= len(core) else token)
    return "".join(out)


def _repair_digits(
    raw: str, length: int, *, validator: Callable[[str], bool], pattern: str
) -> Parsed | None:
    """Find a ``length``-digit number matching ``pattern`` and validate it with ``validator``."""
    best: Parsed | None = None
    for repairs, text in ((0, raw), (1, _digit_tokens(raw))):
        for match in re.finditer(pattern, text):
            number = _digits_only(match.group(0))
            if len(number) != length:
                continue
            if validator(number):
                return Parsed(number, True, repairs, checked=True)
            best = best or Parsed(number, False, repairs)
    if best is None:
        return None
    guesses = {
        best.value[:i] + alt + best.value[i + 1 :]
        for i, ch in enumerate(best.value)
        for alt in DIGIT_SWAPS[ch]
        if validator(best.value[:i] + alt + best.value[i + 1 :])
    }
    if len(guesses) == 1:
        return Parsed(guesses.pop(), True, 2, checked=True)
    return best


def cpf_is_valid(number: str) -> bool:
    return len(number) == 11 and len(set(number)) > 1 and bool(stdnum_cpf.is_valid(number))


def parse_cpf(raw: str) -> Parsed | None:
    return _repair_digits(
        raw, 11, validator=cpf_is_valid, pattern=r"\d{3}[.,\s]?\d{3}[.,\s]?\d{3}\s?[-.]?\s?\d{2}"
    )


def cnh_check_digits(base: str) -> str:
    """DENATRAN check digits of the first 9 digits of a CNH registration (RENACH) number."""
    first = sum(int(d) * w for d, w in zip(base, range(9, 0, -1), strict=True)) % 11
    discount = 0
    if first >= 10:
        first, discount = 0, 2
    second = sum(int(d) * w for d, w in zip(base, range(1, 10), strict=True)) % 11
    second = 0 if second >= 10 else second - discount
    if second < 0:
        second += 11
    if second >= 10:
        second = 0
    return f"{first}{second}"


def cnh_is_valid(number: str) -> bool:
    return (
        len(number) == 11
        and number.isdigit()
        and len(set(number)) > 1
        and cnh_check_digits(number[:9]) == number[9:]
    )


def parse_cnh_registro(raw: str) -> Parsed | None:
    return _repair_digits(raw, 11, validator=cnh_is_valid, pattern=r"\d[\d\s.]{9,13}\d")


def cnpj_is_valid(number: str) -> bool:
    return len(number) == 14 and number[:12] != "0" * 12 and bool(stdnum_cnpj.is_valid(number))


def _fill_unknown(compact: str, validator: Callable[[str], bool], *, alphabet: str) -> str | None:
    """The only valid number when one character was unreadable ("?"), else None."""
    if compact.count("?") != 1:
        return None
    at = compact.index("?")
    fits = [
        compact[:at] + c + compact[at + 1 :]
        for c in alphabet
        if validator(compact[:at] + c + compact[at + 1 :])
    ]
    return fits[0] if len(fits) == 1 else None


def parse_cnpj(raw: str) -> Parsed | None:
    """A CNPJ, numeric or alphanumeric (2026): letters are kept, uppercase."""
    text = re.sub(r"[^0-9A-Z./\-|]", "?", fold(raw).replace(" ", ""))
    found = re.search(
        r"[0-9A-Z?]{2}\.[0-9A-Z?]{3}\.[0-9A-Z?]{3}[/1lI|]?[0-9A-Z?]{4}-?[0-9A-Z?]{2}"
        r"|[0-9A-Z?]{2}\.?[0-9A-Z?]{3}\.?[0-9A-Z?]{3}/[0-9A-Z?]{4}-?[0-9A-Z?]{2}",
        text,
    )
    if found is None:
        plain = parse_digits_run(raw, 14)
        if plain is None:
            return None
        found_text = plain
    else:
        found_text = found.group(0)
        if len(re.sub(r"[./\-]", "", found_text)) == 15:  # slash read as 1/l/I
            found_text = found_text[:10] + found_text[11:]
    compact = re.sub(r"[./\-]", "", found_text)
    if len(compact) != 14:
        return None
    if "?" in compact:  # one unreadable character: only the check digits can tell it
        alphabet = (
            "0123456789"
            if compact.index("?") >= 12
            else "0123456789" + "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
        )
        filled = _fill_unknown(compact, cnpj_is_valid, alphabet=alphabet)
        return Parsed(filled, True, 2, checked=True) if filled else Parsed(compact, False, 2)
    head, tail = compact[:12], compact[12:].translate(TO_DIGIT)
    if not tail.isdigit():
        return Parsed(compact, False, 1)
    if cnpj_is_valid(head + tail):
        value = head + tail
        # a letter beside look-alike digits: OCR may have swapped a pair the check digits
        # cannot see (``look_alike_twins``); only the glyphs can settle it (glyphs.py)
        doubt = not value.isdigit() and bool(look_alike_twins(value))
        return Parsed(value, True, 2 if doubt else int(tail != compact[12:]), checked=True)
    slots = [i for i, ch in enumerate(head) if ch in AMBIGUOUS]
    candidates = []
    for flips in range(1, 3):  # at most two look-alike swaps, or noise starts to validate
        for chosen in itertools.combinations(slots, flips):
            chars = list(head)
            for slot in chosen:
                chars[slot] = AMBIGUOUS[chars[slot]]
            candidate = "".join(chars) + tail
            if cnpj_is_valid(candidate):
                candidates.append((flips, candidate))
        if candidates:
            break
    if len(candidates) == 1:
        # the only swap of one or two characters that validates, but the true number may be
        # three swaps away (a font whose O reads as 0 everywhere): never asserted on the text
        return Parsed(candidates[0][1], True, 2, checked=True)
    digits = head.translate(TO_DIGIT) + tail
    if digits.isdigit():
        guessed = _repair_digits(digits, 14, validator=cnpj_is_valid, pattern=r"\d{14}")
        if guessed is not None:
            return guessed
    return Parsed(compact, False, 1)


def look_alike_twins(cnpj: str) -> list[str]:
    """The other valid CNPJs one or two look-alike swaps (``AMBIGUOUS``) away from ``cnpj``
    in its first 12 characters. The check digits weigh the characters 5, 4, 3, 2, 9, ..., 2
    (then 6, 5, ...): an O read as 0 at one place and a 0 as O eight places on keep both."""
    head, tail = cnpj[:12], cnpj[12:]
    slots = [i for i, ch in enumerate(head) if ch in AMBIGUOUS and ch not in "QD"]
    found = []
    for flips in (1, 2):
        for chosen in itertools.combinations(slots, flips):
            chars = list(head)
            for slot in chosen:
                chars[slot] = AMBIGUOUS[chars[slot]]
            if cnpj_is_valid("".join(chars) + tail):
                found.append("".join(chars) + tail)
    return found


def parse_digits_run(raw: str, length: int) -> str | None:
    digits = _digits_only(_digit_tokens(raw))
    return digits if len(digits) == length else None


def parse_date(raw: str, *, earliest: date, latest: date) -> Parsed | None:
    """The first DD/MM/YYYY in ``raw``; valid when it exists and lies in [earliest, latest]."""
    for repairs, text in ((0, raw), (1, _digit_tokens(raw))):
        found = re.search(r"(\d{2})\s?[/.\-]\s?(\d{2})\s?[/.\-]\s?(\d{4})", text)
        if found is None:
            found = re.search(r"(?<!\d)(\d{2})(\d{2})(\d{4})(?!\d)", text)
        if found is None:
            # one slash read as a 1 ("11106/1963"): the other slash fixes the positions
            found = re.search(r"(?<!\d)(\d{2})(?:1(\d{2})/|/(\d{2})1)(\d{4})(?!\d)", text)
            if found is not None:
                return _date_parsed(
                    found.group(1),
                    found.group(2) or found.group(3),
                    year=found.group(4),
                    span=(earliest, latest),
                )
        if found is None:
            continue
        day, month, year = (int(g) for g in found.groups())
        value = f"{found.group(1)}/{found.group(2)}/{found.group(3)}"
        try:
            valid = earliest <= date(year, month, day) <= latest
        except ValueError:
            valid = False
        return Parsed(value, valid, repairs)
    return None


def _date_parsed(day: str, month: str, *, year: str, span: tuple[date, date]) -> Parsed:
    """A date whose separator had to be guessed: never read as printed (``repairs=1``)."""
    try:
        valid = span[0] <= date(int(year), int(month), int(day)) <= span[1]
    except ValueError:
        valid = False
    return Parsed(f"{day}/{month}/{year}", valid, 1)


def parse_cep(raw: str) -> Parsed | None:
    for repairs, text in ((0, raw), (1, _digit_tokens(raw))):
        found = re.search(r"(?<!\d)(\d{2})\.?(\d{3})\s?-?\s?(\d{3})(?!\d)", text)
        if found:
            value = "".join(found.groups())
            return Parsed(value, value[:5] != "00000", repairs)
    return None


def parse_uf(raw: str) -> Parsed | None:
    text = fold(raw)
    for token in re.findall(r"[A-Z0-9]{2}", text):
        fixed = token.replace("0", "O").replace("5", "S").replace("1", "I").replace("8", "B")
        if fixed in UFS:
            return Parsed(fixed, True, 0 if fixed == token else 1)
    found = re.search(r"\b[A-Z]{2}\b", text)
    return Parsed(found.group(0), False, 0) if found else None


def parse_situacao(raw: str) -> Parsed | None:
    text = fold(raw)
    words = re.findall(r"[A-Z0-9]{3,}", text)
    for word in words:
        if word in SITUATIONS:
            return Parsed(word, True, 0)
    for word in words:
        close = difflib.get_close_matches(word, SITUATIONS, n=1, cutoff=0.75)
        if close:
            return Parsed(close[0], True, 1)
    return None


def rg_check_valid(number: str) -> bool:
    """The SP-style RG check digit (8 digits + mod 11, X for 10); other states have none."""
    if len(number) != 9 or not number[:8].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(number[:8], range(2, 10), strict=True)) % 11
    return number[8] == ("X" if total == 10 else str(total))


def parse_rg(raw: str) -> Parsed | None:
    text = fold(raw)
    cpf = re.search(r"(?<![0-9])\d{3}\.\d{3}\.\d{3}\s?-\s?\d{2}(?![0-9])", text)
    if cpf is not None:  # the CIN's number is the CPF: all of it, never its first 10 digits
        number = _digits_only(cpf.group(0))
        return Parsed(number, True, 0, checked=cpf_is_valid(number))
    # the check character after a dash, or an X glued to the digits ("72614715X": RS, ES...)
    found = re.search(
        r"(?<![0-9A-Z])[0-9OIlSB][0-9OIlSB.,\s]{4,13}(?:-\s?[0-9XxOIlSB]|(?<=[0-9])[Xx](?![A-Za-z0-9]))?",
        text,
    )
    if found is None:
        return None
    token = found.group(0).strip()
    head, _, tail = token.rpartition("-")
    if not head:
        head, tail = (token[:-1], "X") if token[-1] in "Xx" else (token, "")
    digits = _digits_only(head.translate(TO_DIGIT))
    check = tail.strip().upper()
    if check and check != "X":
        check = check.translate(TO_DIGIT)
    value = digits + check
    repairs = 0 if value == re.sub(r"[.,\s\-]", "", token).upper() else 1
    if not 5 <= len(value) <= 12:
        return None
    return Parsed(value, True, repairs, checked=rg_check_valid(value))
