"""E-mail addresses and Brazilian phone numbers (via phonenumbers), normalized.

E-mail values are lower case. Phone values are E.164 (``+5511987654321``): with or without
``+55``, trunk ``0``/carrier codes, DDD in parentheses, spaces or dashes; a mobile number written
without its ninth digit (``11 8765-4321``, the pre-2016 form) gets the ``9`` put back. Only
valid Brazilian numbers (country code 55) are returned.
"""

from __future__ import annotations

import re

import phonenumbers

from nlu.entities.spans import Candidate

EMAIL_PRIORITY = 60
PHONE_PRIORITY = 44

# Letters may be non-ASCII (internationalized addresses, or an accent typed by mistake).
_EMAIL = re.compile(
    r"(?<![\w.+%-])[^\W_](?:[\w.%+-]*[\w%+-])?"
    r"@[^\W_](?:[\w-]*[^\W_])?(?:\.[^\W_](?:[\w-]*[^\W_])?)*\.[^\W\d_]{2,24}"
    r"(?![\w-]|\.[^\W_])"
)
# An old-style mobile: DDD + 8 digits starting with 6-9, the ninth digit left out.
_EIGHT_DIGIT_MOBILE = re.compile(
    r"(?<![\d+])(?:\+?\s?55[\s-]?)?(?:\(\s?([1-9]{2})\s?\)|([1-9]{2}))[\s-]?([6-9]\d{3})[\s.-]?(\d{4})"
    r"(?![\d])"
)


# As clients type it on a phone: "maria @ gmail.com", "maria@gmail,com",
# "maria arroba gmail ponto com" (dictated). Read only when the strict form finds nothing.
_LOOSE_EMAIL = re.compile(
    r"(?<![\w.+%-])([^\W_][\w.%+-]*)\s*(?:@|\barroba\b|\(at\)|\[at\])\s*"
    r"([^\W_][\w-]*(?:(?:[.,]|\s+(?:ponto|dot)\s+)[^\W_][\w-]*)+)",
    re.IGNORECASE,
)
_DOT = re.compile(r"[.,]|\s+(?:ponto|dot)\s+", re.IGNORECASE)


def find_email(text: str) -> list[Candidate]:
    lowered = text.lower()
    if "@" not in text and "arroba" not in lowered and "(at)" not in lowered:
        return []
    strict = [
        Candidate("email", m.group().lower(), m.start(), m.end(), EMAIL_PRIORITY)
        for m in _EMAIL.finditer(text)
    ]
    if strict:
        return strict
    loose: list[Candidate] = []
    for match in _LOOSE_EMAIL.finditer(text):
        value = f"{match.group(1)}@{_DOT.sub('.', match.group(2))}".lower()
        if _EMAIL.fullmatch(value):
            loose.append(Candidate("email", value, match.start(), match.end(), EMAIL_PRIORITY))
    return loose


def _e164(number: phonenumbers.PhoneNumber) -> str:
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def find_phone(text: str) -> list[Candidate]:
    if sum(c.isdigit() for c in text) < 10:  # DDD + 8 digits at least
        return []
    found: list[Candidate] = []
    matcher = phonenumbers.PhoneNumberMatcher(
        text, "BR", leniency=phonenumbers.Leniency.VALID, max_tries=200
    )
    for match in matcher:
        # DDD + number: shorter "valid" numbers are service codes or other digits.
        if match.number.country_code == 55 and len(str(match.number.national_number)) >= 10:
            found.append(
                Candidate("phone", _e164(match.number), match.start, match.end, PHONE_PRIORITY)
            )
    for m in _EIGHT_DIGIT_MOBILE.finditer(text):
        if any(c.start <= m.start() < c.end for c in found):
            continue
        ddd = m.group(1) or m.group(2)
        try:
            number = phonenumbers.parse(f"+55{ddd}9{m.group(3)}{m.group(4)}", None)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            found.append(Candidate("phone", _e164(number), m.start(), m.end(), PHONE_PRIORITY))
    return found
