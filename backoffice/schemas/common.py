"""Building blocks of the DTOs: bounded strings (no NUL, within the column sizes) and pages."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

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
