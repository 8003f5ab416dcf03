"""The client record: data, contacts, documents, notes, history, escalations, audit."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints

from backoffice.schemas.common import NO_NUL, Email, PublicModel, RequestBody
from backoffice.schemas.escalations import EscalationPublic
from backoffice.schemas.onboardings import OnboardingPublic, StageChangePublic

Area = Literal["admin", "finance", "tech", "cs"]


def _s(max_length: int) -> Any:
    return StringConstraints(min_length=1, max_length=max_length, pattern=NO_NUL)


class ClientUpdate(RequestBody):
    """Fields staff may correct; each change is audited with old and new value."""

    cnpj: Annotated[str, StringConstraints(pattern=r"^[0-9A-Z]{12}[0-9]{2}$")] | None = Field(
        default=None, description="14 characters, digits (letters allowed from 2026)"
    )
    company_name: Annotated[str, _s(150)] | None = None
    trade_name: Annotated[str, _s(150)] | None = None
    employees: int | None = Field(default=None, ge=1, le=10_000_000)
    cep: Annotated[str, StringConstraints(pattern=r"^[0-9]{8}$")] | None = None
    street: Annotated[str, _s(200)] | None = None
    address_number: Annotated[str, _s(12)] | None = None
    address_complement: Annotated[str, _s(100)] | None = None
    district: Annotated[str, _s(100)] | None = None
    city: Annotated[str, _s(100)] | None = None
    uf: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")] | None = None


class ContactUpdate(RequestBody):
    name: Annotated[str, _s(100)] | None = None
    email: Email | None = None
    phone: Annotated[str, StringConstraints(pattern=r"^\+[1-9][0-9]{7,14}$")] | None = Field(
        default=None, description="E.164"
    )


class ContactPublic(PublicModel):
    id: int
    area: str
    name: str | None
    email: str | None
    phone: str | None


class ClientPublic(PublicModel):
    id: int
    cnpj: str | None
    company_name: str | None
    trade_name: str | None
    employees: int | None
    cep: str | None
    street: str | None
    address_number: str | None
    address_complement: str | None
    district: str | None
    city: str | None
    uf: str | None
    consent_at: datetime | None
    consent_refused_at: datetime | None
    form_refused: bool
    erased_at: datetime | None
    created_at: datetime
    updated_at: datetime


class DocumentPublic(PublicModel):
    id: int
    kind: str
    source_channel: str
    status: str | None = Field(default=None, description="pending | read | rejected | failed")
    filename: str | None = None
    mime: str | None
    size: int | None
    sha256: str | None
    extraction: dict[str, Any] = Field(description="OCR result: kind, fields, confidence, warnings")
    received_at: datetime
    confirmed_at: datetime | None
    deleted_at: datetime | None


class NoteCreate(RequestBody):
    text: Annotated[str, StringConstraints(min_length=1, max_length=5000, pattern=NO_NUL)]
    onboarding_id: int | None = Field(default=None, ge=1, le=2**31 - 1)


class NotePublic(PublicModel):
    id: int
    client_id: int
    onboarding_id: int | None
    author_id: int
    text: str
    created_at: datetime


class AuditEventPublic(PublicModel):
    id: int
    client_id: int | None
    conversation_id: int | None
    actor: str
    action: str
    field: str | None
    old_value: str | None
    new_value: str | None
    at: datetime


class ClientRecord(BaseModel):
    client: ClientPublic
    contacts: list[ContactPublic]
    onboardings: list[OnboardingPublic]
    conversation_ids: list[int]
    documents: list[DocumentPublic]
    stage_history: list[StageChangePublic]
    escalations: list[EscalationPublic]
    notes: list[NotePublic]
    erp_customer_id: str | None = Field(description="the ERP's id once a push was delivered")
