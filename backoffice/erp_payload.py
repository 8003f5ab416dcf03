"""The JSON an approved registration becomes for the ERP (schema ``acolhe.registration.v1``).

The body is built once, at approval, and stored as sent; the ERP de-duplicates on ``event_id``
(a retry sends the same bytes). See ``backoffice/README.md`` for the signature and the answer.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from bot.storage.models import Client, Onboarding, StaffUser

SCHEMA_NAME: Literal["acolhe.registration.v1"] = "acolhe.registration.v1"


class ErpAddress(BaseModel):
    cep: str | None = Field(description="8 digits")
    street: str | None
    number: str | None
    complement: str | None
    district: str | None
    city: str | None
    uf: str | None = Field(description="two-letter state")


class ErpContact(BaseModel):
    area: Literal["admin", "finance", "tech", "cs"]
    name: str | None
    email: str | None
    phone: str | None = Field(description="E.164, e.g. +5511987654321")


class ErpCompany(BaseModel):
    acolhe_client_id: int
    cnpj: str = Field(description="14 characters: digits (letters allowed from 2026)")
    company_name: str = Field(description="razão social")
    trade_name: str | None = Field(description="nome fantasia")
    employees: int | None
    address: ErpAddress
    contacts: list[ErpContact]


class ErpApproval(BaseModel):
    approved_at: datetime
    approved_by_staff_id: int
    approved_by_name: str


class ErpOnboarding(BaseModel):
    acolhe_onboarding_id: int
    segment: Literal["self_service", "enterprise"]
    started_at: datetime
    csm_staff_id: int | None


class ErpRegistration(BaseModel):
    """What Acolhe POSTs to ``ONBOARD_ERP_WEBHOOK_URL`` when a registration is approved."""

    schema_name: Literal["acolhe.registration.v1"] = Field(default=SCHEMA_NAME, alias="schema")
    event_id: str = Field(description="UUID; the same on every retry of this push")
    company: ErpCompany
    onboarding: ErpOnboarding
    approval: ErpApproval

    model_config = {"populate_by_name": True}

    def body(self) -> str:
        """The exact bytes (as text) that are signed and sent."""
        return self.model_dump_json(by_alias=True)


class ErpAnswer(BaseModel):
    """What the ERP answers with a 2xx: its id for the customer (other keys are kept as-is)."""

    customer_id: str = Field(min_length=1, max_length=120)


def build_registration(
    *, client: Client, onboarding: Onboarding, approver: StaffUser, now: datetime
) -> ErpRegistration:
    return ErpRegistration(
        event_id=str(uuid.uuid4()),
        company=ErpCompany(
            acolhe_client_id=client.id,
            cnpj=client.cnpj or "",
            company_name=client.company_name or "",
            trade_name=client.trade_name,
            employees=client.employees,
            address=ErpAddress(
                cep=client.cep,
                street=client.street,
                number=client.address_number,
                complement=client.address_complement,
                district=client.district,
                city=client.city,
                uf=client.uf,
            ),
            contacts=[
                ErpContact.model_validate(
                    {"area": c.area, "name": c.name, "email": c.email, "phone": c.phone}
                )
                for c in client.contacts
            ],
        ),
        onboarding=ErpOnboarding.model_validate(
            {
                "acolhe_onboarding_id": onboarding.id,
                "segment": onboarding.segment,
                "started_at": onboarding.created_at,
                "csm_staff_id": onboarding.csm_id,
            }
        ),
        approval=ErpApproval(
            approved_at=now, approved_by_staff_id=approver.id, approved_by_name=approver.name
        ),
    )
