"""Validators of registration answers: each returns the normalized value or a ``Problem``.

A ``Problem`` carries a code and parameters, never a sentence: the dialogue turns it into a
specific explanation in the client's language ("o CNPJ tem 14 dígitos; o seu tem 13").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from stdnum.br import cnpj as stdnum_cnpj

from bot.domain.numerals import count_in_words


@dataclass(frozen=True, slots=True)
class Problem:
    code: str
    params: dict[str, str | int] = field(default_factory=dict)


Validated = str | int | Problem
Validator = Callable[[str], Validated]

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_SPACES = re.compile(r"\s+")
_NAME_CHARS = re.compile(r"^[^\W\d_]+(?:[ '\-.][^\W\d_]+)*\.?$")
_NO_ANSWERS = {
    "nao",
    "não",
    "nao tem",
    "não tem",
    "nenhum",
    "nenhuma",
    "no",
    "none",
    "-",
    "n/a",
    "na",
    "sem",
    "sem complemento",
    "nao tem complemento",
    "não tem complemento",
    "no complement",
}


def clean_text(text: str) -> str:
    """Removes control and invisible formatting characters and folds white space."""
    return _SPACES.sub(" ", _CONTROL.sub("", unicodedata.normalize("NFC", text))).strip()


def has_letters(text: str) -> bool:
    return any(ch.isalpha() for ch in text)


_CNPJ_SHAPE = re.compile(
    r"(?<![0-9A-Za-z])[0-9A-Z]{2}\.?[0-9A-Z]{3}\.?[0-9A-Z]{3}/?[0-9A-Z]{4}-?[0-9]{2}(?![0-9A-Za-z])",
    re.IGNORECASE,
)
_DIGIT_RUN = re.compile(r"[0-9][0-9./\- ]*[0-9]")


def validate_cnpj(text: str) -> Validated:
    """Numeric and alphanumeric (from July 2026) CNPJ; returns 14 uppercase characters.

    The CNPJ may sit inside a sentence ("o cnpj é 11.222.333/0001-81"): the first run of
    letters, digits and punctuation with enough digits in it is taken.
    """
    compact = _compact_cnpj(text)
    if not (len(compact) == 14 and compact.isalnum() and compact.isascii()):
        shaped = [m.group(0) for m in _CNPJ_SHAPE.finditer(text) if _digits(m.group(0)) >= 8]
        runs = sorted((m.group(0) for m in _DIGIT_RUN.finditer(text)), key=len, reverse=True)
        if shaped:
            compact = _compact_cnpj(shaped[0])
        elif runs and _digits(runs[0]) >= 8:
            compact = _compact_cnpj(runs[0])
        elif _digits(text) == 0:
            return Problem("cnpj_empty")
    if not compact:
        return Problem("cnpj_empty")
    if not compact.isalnum() or not compact.isascii():
        return Problem("cnpj_characters")
    if len(compact) != 14:
        return Problem("cnpj_length", {"length": len(compact)})
    if not compact[-2:].isdigit():
        return Problem("cnpj_check_digits")
    if len(set(compact)) == 1 or not stdnum_cnpj.is_valid(compact):
        return Problem("cnpj_check_digits")
    return compact


def _compact_cnpj(text: str) -> str:
    return re.sub(r"[\s./\-]", "", text).upper()


def _digits(text: str) -> int:
    return sum(ch.isdigit() for ch in text)


def format_cnpj(value: str) -> str:
    if len(value) != 14:
        return value
    return f"{value[:2]}.{value[2:5]}.{value[5:8]}/{value[8:12]}-{value[12:]}"


def validate_company_name(text: str) -> Validated:
    name = clean_text(text)
    if len(name) < 2 or not has_letters(name):
        return Problem("company_name_short")
    if len(name) > 150:
        return Problem("company_name_long", {"max": 150})
    return name


def validate_person_name(text: str) -> Validated:
    name = clean_text(text)
    if any(ch.isdigit() for ch in name) or "@" in name:
        return Problem("person_name_characters")
    if len(name) < 2 or not has_letters(name):
        return Problem("person_name_short")
    if len(name) > 100:
        return Problem("person_name_long", {"max": 100})
    if not _NAME_CHARS.match(name):
        return Problem("person_name_characters")
    return name


def validate_employees(text: str) -> Validated:
    """A head count: "uns 50", "1.200", "1,5 mil", "2.5k", "mil", "cinquenta" are understood;
    a CEP or a phone number is not a head count."""
    lowered = clean_text(text).lower()
    if re.search(r"\d{5}-\d{3}|\(\d{2}\)|\d{4,5}-\d{4}|\d+/\d+", lowered):
        return Problem("employees_number")
    thousands = re.search(r"(\d+(?:[.,]\d+)?)\s*(?:mil|k|thousand)\b", lowered)
    if thousands is not None:
        count = round(float(thousands.group(1).replace(",", ".")) * 1000)
    else:
        match = re.search(r"\d{1,3}(?:\.\d{3})+(?!\d)|\d+", lowered)
        if match is not None:
            count = int(match.group(0).replace(".", ""))
        else:
            words = count_in_words(lowered)
            if words is None:
                return Problem("employees_number")
            count = words
    if count < 1 or count > 5_000_000:
        return Problem("employees_range")
    return count


def validate_email_address(text: str) -> Validated:
    candidate = clean_text(text)
    found = re.search(r"[^\s<>()\[\],;:]+@[^\s<>()\[\],;:]+", candidate)
    if found is None:
        return Problem("email_missing_at" if "@" not in candidate else "email_invalid")
    try:
        checked = validate_email(found.group(0).rstrip("."), check_deliverability=False)
    except EmailNotValidError:
        return Problem("email_invalid")
    return checked.normalized.lower()


# Misspelt domains of the big providers ("gmial.com").
_DOMAIN_TYPOS = {
    "gmial.com": "gmail.com", "gmai.com": "gmail.com", "gmail.con": "gmail.com",
    "gmail.co": "gmail.com", "gmail.cm": "gmail.com", "gmal.com": "gmail.com",
    "gnail.com": "gmail.com", "gamil.com": "gmail.com", "hotmial.com": "hotmail.com",
    "hotmail.con": "hotmail.com", "hotmal.com": "hotmail.com", "hotmai.com": "hotmail.com",
    "outlok.com": "outlook.com", "outlook.con": "outlook.com", "yahoo.con": "yahoo.com",
    "yaho.com": "yahoo.com", "yahoo.com.bt": "yahoo.com.br", "hotmail.com.bt": "hotmail.com.br",
    "uol.con.br": "uol.com.br", "bol.con.br": "bol.com.br",
}  # fmt: skip


def email_typo_fix(email: str) -> str | None:
    """The address at the provider a misspelt big provider's domain most likely meant
    ("maria@gmial.com" → "maria@gmail.com"); None when the domain is not a known misspelling.
    A hint to ask about, never applied silently: the address may be right."""
    local, _, domain = email.rpartition("@")
    fixed = _DOMAIN_TYPOS.get(domain.lower())
    return f"{local}@{fixed}" if fixed else None


def validate_mobile_phone(text: str) -> Validated:
    """A Brazilian mobile, returned in E.164 (+55DD9XXXXXXXX)."""
    candidate = clean_text(text)
    digits = re.sub(r"\D", "", candidate)
    if not digits:
        return Problem("phone_digits")
    if candidate.startswith("+") and not digits.startswith("55"):
        return Problem("phone_not_brazilian")
    national = digits[2:] if digits.startswith("55") and len(digits) >= 12 else digits
    national = national.lstrip("0")
    if len(national) in (8, 9):
        return Problem("phone_missing_ddd")
    if len(national) == 10 and national[2] in "2345":
        return Problem("phone_not_mobile")
    if len(national) == 10 and national[2] in "6789":
        national = national[:2] + "9" + national[2:]
    if len(national) != 11:
        return Problem("phone_length", {"length": len(national)})
    try:
        number = phonenumbers.parse("+55" + national, None)
    except phonenumbers.NumberParseException:
        return Problem("phone_invalid")
    if not phonenumbers.is_valid_number(number):
        return Problem("phone_invalid")
    if phonenumbers.number_type(number) not in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ):
        return Problem("phone_not_mobile")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def validate_cep(text: str) -> Validated:
    digits = re.sub(r"\D", "", clean_text(text))
    if not digits:
        return Problem("cep_empty")
    if len(digits) != 8:
        return Problem("cep_length", {"length": len(digits)})
    if len(set(digits)) == 1:
        return Problem("cep_invalid")
    return digits


def validate_street(text: str) -> Validated:
    street = clean_text(text)
    if len(street) < 3 or not has_letters(street):
        return Problem("street_short")
    if len(street) > 200:
        return Problem("street_long", {"max": 200})
    return street


_NUMBER_WORD = re.compile(
    r"^(?:n(?:[º°o]|[úu]mero|um|r|o\.)?|number|no\.?)\s*[.:]?\s*(?=\d)", re.IGNORECASE
)


def validate_address_number(text: str) -> Validated:
    number = clean_text(text)
    lowered = number.lower().replace(" ", "")
    if lowered in {"sn", "s/n", "semnumero", "semnúmero", "nonumber"}:
        return "S/N"
    number = _NUMBER_WORD.sub("", number, count=1)  # "nº 1000", "n. 250", "número 12A"
    if len(number) > 12:  # "é o número 1000", "fica no 250": the one number said
        found = re.findall(r"(?<![\w/-])(\d{1,6}[A-Za-z]?)(?![\w/-])", number)
        number = found[0] if len(found) == 1 else ""
    if not number or not any(ch.isdigit() for ch in number):
        return Problem("address_number")
    return number


def validate_complement(text: str) -> Validated:
    complement = clean_text(text)
    if complement.lower().rstrip(".!") in _NO_ANSWERS:
        return ""
    if len(complement) > 100:
        return Problem("complement_long", {"max": 100})
    return complement


VALIDATORS: dict[str, Validator] = {
    "cnpj": validate_cnpj,
    "company_name": validate_company_name,
    "person_name": validate_person_name,
    "employees": validate_employees,
    "email": validate_email_address,
    "mobile_phone": validate_mobile_phone,
    "cep": validate_cep,
    "street": validate_street,
    "address_number": validate_address_number,
    "complement": validate_complement,
}

# Free-text answers prove little about intent: a clear command beats them.
FREE_TEXT_VALIDATORS = frozenset(
    {"company_name", "person_name", "street", "complement", "address_number"}
)
