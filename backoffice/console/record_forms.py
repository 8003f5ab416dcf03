"""The client record's edit forms: which fields each group holds, and how a submitted form is
read through the domain's validators (``bot.domain.validators``) into changes for
``backoffice.client_records.update_client`` / ``upsert_contact``, or into a message per field.

A field left empty clears an optional value; a required one (CNPJ, company name) says so. The
messages are English message ids, translated by the console's catalogue.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from bot.domain.validators import (
    Problem,
    Validated,
    clean_text,
    has_letters,
    validate_address_number,
    validate_cep,
    validate_cnpj,
    validate_company_name,
    validate_complement,
    validate_email_address,
    validate_employees,
    validate_mobile_phone,
    validate_person_name,
    validate_street,
)

__all__ = [
    "AREAS",
    "CLIENT_GROUPS",
    "FieldSpec",
    "FormOutcome",
    "GroupSpec",
    "UFS",
    "area_label",
    "contact_group",
    "field_label",
    "group_spec",
    "read_group",
]

AREAS = ("admin", "finance", "tech", "cs")
UFS = frozenset(
    "AC AL AP AM BA CE DF ES GO MA MT MS MG PA PB PR PE PI RJ RN RS RO RR SC SP SE TO".split()
)


def _place(text: str) -> Validated:
    """A district or a city: letters, 2 to 100 characters."""
    value = clean_text(text)
    if len(value) < 2 or not has_letters(value):
        return Problem("place_short")
    if len(value) > 100:
        return Problem("place_long", {"max": 100})
    return value


def _uf(text: str) -> Validated:
    value = clean_text(text).upper()
    return value if value in UFS else Problem("uf_invalid")


def _complement(text: str) -> Validated:
    value = validate_complement(text)
    return value if value != "" else Problem("empty")


@dataclass(frozen=True, slots=True)
class FieldSpec:
    name: str  # the column (or the contact's attribute)
    label: str  # an English message id
    validate: Callable[[str], Validated]
    required: bool = False
    input_type: str = "text"
    autocomplete: str = "off"
    inputmode: str | None = None


@dataclass(frozen=True, slots=True)
class GroupSpec:
    key: str  # company | address | contact-<area>
    title: str  # an English message id
    fields: tuple[FieldSpec, ...]


CLIENT_GROUPS: dict[str, GroupSpec] = {
    "company": GroupSpec(
        "company",
        "Company data",
        (
            FieldSpec("cnpj", "CNPJ", validate_cnpj, required=True, inputmode="text"),
            FieldSpec("company_name", "Company name", validate_company_name, required=True),
            FieldSpec("trade_name", "Trade name", validate_company_name),
            FieldSpec("employees", "Employees", validate_employees, inputmode="numeric"),
        ),
    ),
    "address": GroupSpec(
        "address",
        "Address",
        (
            FieldSpec("cep", "CEP", validate_cep, inputmode="numeric"),
            FieldSpec("street", "Street", validate_street),
            FieldSpec("address_number", "Number", validate_address_number),
            FieldSpec("address_complement", "Complement", _complement),
            FieldSpec("district", "District", _place),
            FieldSpec("city", "City", _place),
            FieldSpec("uf", "State (UF)", _uf),
        ),
    ),
}
CONTACT_FIELDS = (
    FieldSpec("name", "Name", validate_person_name, autocomplete="off"),
    FieldSpec("email", "E-mail", validate_email_address, input_type="email"),
    FieldSpec("phone", "Mobile phone", validate_mobile_phone, input_type="tel", inputmode="tel"),
)

# Problem codes → English message ids (the catalogue translates them).
MESSAGES: dict[str, str] = {
    "required": "This field is required.",
    "cnpj_empty": "Type the CNPJ.",
    "cnpj_characters": "A CNPJ has only letters and digits.",
    "cnpj_length": "A CNPJ has 14 characters; this one has {length}.",
    "cnpj_check_digits": "This CNPJ's check digits do not match: check it.",
    "company_name_short": "The name needs at least 2 letters.",
    "company_name_long": "At most {max} characters.",
    "person_name_short": "The name needs at least 2 letters.",
    "person_name_long": "At most {max} characters.",
    "person_name_characters": "A person's name has only letters.",
    "employees_number": "Type the number of employees.",
    "employees_range": "The number of employees must be between 1 and 5,000,000.",
    "email_missing_at": "An e-mail address has an @.",
    "email_invalid": "This e-mail address is not valid.",
    "phone_digits": "Type the number with its area code (DDD).",
    "phone_not_brazilian": "Only Brazilian mobile numbers (+55).",
    "phone_missing_ddd": "The area code (DDD) is missing.",
    "phone_not_mobile": "This is not a mobile number.",
    "phone_length": "A mobile number has 11 digits with the area code; this one has {length}.",
    "phone_invalid": "This phone number is not valid.",
    "cep_empty": "Type the CEP.",
    "cep_length": "A CEP has 8 digits; this one has {length}.",
    "cep_invalid": "This CEP is not valid.",
    "street_short": "The street needs at least 3 characters.",
    "street_long": "At most {max} characters.",
    "address_number": "Type the number (or S/N).",
    "complement_long": "At most {max} characters.",
    "place_short": "At least 2 letters.",
    "place_long": "At most {max} characters.",
    "uf_invalid": "Type a state's two letters (SP, RJ, ...).",
}


AREA_LABELS = {
    "admin": "Administration",
    "finance": "Finance",
    "tech": "Technology",
    "cs": "Customer success",
}
_LABELS = {f.name: f.label for g in CLIENT_GROUPS.values() for f in g.fields}
_OTHER_LABELS = {
    "red_flag": "Red flag",
    "note": "Note",
    "document": "Document",
    "stage": "Stage",
    "csm": "CSM",
}


def area_label(area: str) -> str:
    return AREA_LABELS.get(area, area)


def field_label(name: str | None) -> str:
    """A field as a person reads it (English message id; the code if unknown). A contact's
    field in the audit trail, ``contact.<area>.<attr>``, is read in two parts by the page."""
    if not name:
        return ""
    contact = {f.name: f.label for f in CONTACT_FIELDS}
    return _LABELS.get(name) or contact.get(name) or _OTHER_LABELS.get(name, name)


def contact_group(area: str) -> GroupSpec:
    return GroupSpec(f"contact-{area}", f"Contact: {area}", CONTACT_FIELDS)


def group_spec(key: str) -> GroupSpec | None:
    """The group named ``key`` (company, address, contact-<area>), or None."""
    if key in CLIENT_GROUPS:
        return CLIENT_GROUPS[key]
    if key.startswith("contact-") and key.removeprefix("contact-") in AREAS:
        return contact_group(key.removeprefix("contact-"))
    return None


@dataclass
class FormOutcome:
    """What a submitted group form says: the changes to apply, or a message per field (and the
    values as typed, to put back in the inputs)."""

    changes: dict[str, str | int | None] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)  # field → English message (formatted)
    typed: dict[str, str] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def first_error(self) -> str | None:
        """The first field with a message, where the focus goes."""
        return next(iter(self.errors), None)


def _message(problem: Problem, gettext: Callable[[str], str]) -> str:
    template = gettext(MESSAGES.get(problem.code, "This value is not valid."))
    try:
        return template.format(**problem.params)
    except (KeyError, IndexError):
        return template


def read_group(
    spec: GroupSpec, form: Mapping[str, str], *, gettext: Callable[[str], str]
) -> FormOutcome:
    """Every field of ``spec`` read from ``form`` (a missing field counts as empty)."""
    outcome = FormOutcome()
    for item in spec.fields:
        typed = form.get(item.name, "")
        outcome.typed[item.name] = typed
        if not clean_text(typed):
            if item.required:
                outcome.errors[item.name] = gettext(MESSAGES["required"])
            else:
                outcome.changes[item.name] = None
            continue
        value = item.validate(typed)
        if isinstance(value, Problem):
            if value.code == "empty":
                outcome.changes[item.name] = None
            else:
                outcome.errors[item.name] = _message(value, gettext)
            continue
        outcome.changes[item.name] = value
    return outcome
