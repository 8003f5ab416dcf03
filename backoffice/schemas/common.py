"""Building blocks of the DTOs: bounded strings (no NUL, within the column sizes), days and
instants bounded the same way in the schema and in the code, request bodies read strictly, and
pages."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Generic, TypeVar

from email_validator import SPECIAL_USE_DOMAIN_NAMES
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)

# PostgreSQL refuses NUL in text; column sizes bound every string so the database never has to.
NO_NUL = r"^[^\x00]*$"


Reason = Annotated[str, StringConstraints(max_length=300, pattern=NO_NUL)]
RequiredReason = Annotated[str, StringConstraints(min_length=1, max_length=300, pattern=NO_NUL)]

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list: ``items`` and the ``total`` that match the filters."""

    items: list[T]
    total: int
    limit: int
    offset: int


class PublicModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


ID_MAX = 2**31 - 1
Identifier = Annotated[int, Field(ge=1, le=ID_MAX)]


class RequestBody(BaseModel):
    """A request body: JSON types as the schema states them (FastAPI validates the parsed JSON in
    Python mode, where ``0`` would pass for ``false`` and ``"5"`` for ``5``)."""

    model_config = ConfigDict(strict=True)

    @model_validator(mode="before")
    @classmethod
    def _integral_numbers(cls, data: object) -> object:
        # JSON has one kind of number: 4.0 is the integer 4, for JSON Schema as for us.
        if not isinstance(data, dict):
            return data
        return {
            key: int(value) if isinstance(value, float) and value.is_integer() else value
            for key, value in data.items()
        }


def _any_case(name: str) -> str:
    return "".join(f"[{c}{c.upper()}]" if c.isalpha() else c for c in name)


# email-validator refuses the special-use domains of RFC 6761 (``.test``, ``.local``, ...) that
# JSON Schema's "email" format allows: the pattern says so (a JSON Schema regex has no flags).
EMAIL_PATTERN = "^(?!.*\\.({})$)".format("|".join(map(_any_case, SPECIAL_USE_DOMAIN_NAMES)))
Email = Annotated[
    EmailStr,
    StringConstraints(max_length=254),
    WithJsonSchema(
        {"type": "string", "format": "email", "maxLength": 254, "pattern": EMAIL_PATTERN}
    ),
]


# Days and instants from 2000 to 2999: written as patterns so the OpenAPI document states the
# bounds (JSON Schema has no minimum for a date) and the code checks the very same patterns.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2999, 12, 31)
DAY_PATTERN = r"^2[0-9]{3}-[0-9]{2}-[0-9]{2}$"
INSTANT_PATTERN = (
    r"^2[0-9]{3}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?"
    r"(Z|[+-][0-9]{2}:[0-9]{2})$"
)
_DAY, _INSTANT = re.compile(DAY_PATTERN), re.compile(INSTANT_PATTERN)


def _day(value: object) -> object:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _DAY.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{value} is not a day of the calendar") from None
    raise ValueError("give a day from 2000-01-01 to 2999-12-31 as YYYY-MM-DD")


def _instant(value: object) -> object:
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value
    if isinstance(value, str) and _INSTANT.fullmatch(value):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{value} is not an instant of the calendar") from None
    raise ValueError(
        "give an instant from the years 2000 to 2999 in RFC 3339 with its UTC offset, "
        "e.g. 2026-11-24T10:00:00-03:00"
    )


Day = Annotated[
    date,
    BeforeValidator(_day),
    Field(ge=FIRST_DAY, le=LAST_DAY),
    WithJsonSchema({"type": "string", "format": "date", "pattern": DAY_PATTERN}),
]
Instant = Annotated[
    datetime,
    BeforeValidator(_instant),
    WithJsonSchema({"type": "string", "format": "date-time", "pattern": INSTANT_PATTERN}),
]
