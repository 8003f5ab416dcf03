"""The company being onboarded: its record, contacts, Receita snapshot, audit trail, staff
notes and erasure requests."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.storage.base import Base
from bot.storage.personal_data import ERASED, deleted_on_erasure, not_personal, personal

__all__ = ["AuditEvent", "Client", "CompanyRegistry", "Contact", "ErasureRequest", "StaffNote"]


class Client(Base):
    """A company being onboarded."""

    __tablename__ = "clients"

    id: Mapped[int] = mapped_column(primary_key=True)
    cnpj: Mapped[str | None] = mapped_column(String(14), index=True, info=personal(identifies=True))
    company_name: Mapped[str | None] = mapped_column(String(150), info=personal(identifies=True))
    trade_name: Mapped[str | None] = mapped_column(String(150), info=personal(identifies=True))
    employees: Mapped[int | None]
    cep: Mapped[str | None] = mapped_column(String(8), info=personal())
    street: Mapped[str | None] = mapped_column(String(200), info=personal(identifies=True))
    address_number: Mapped[str | None] = mapped_column(String(12), info=personal())
    address_complement: Mapped[str | None] = mapped_column(String(100), info=personal())
    district: Mapped[str | None] = mapped_column(String(100), info=personal())
    city: Mapped[str | None] = mapped_column(String(100), info=personal())
    uf: Mapped[str | None] = mapped_column(String(2), info=personal())
    consent_at: Mapped[datetime | None]
    consent_refused_at: Mapped[datetime | None]
    form_refused: Mapped[bool] = mapped_column(Boolean, default=False)
    erased_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    contacts: Mapped[list[Contact]] = relationship(
        back_populates="client", cascade="all, delete-orphan", order_by="Contact.id"
    )


class Contact(Base):
    __tablename__ = "contacts"
    __table_args__ = (
        UniqueConstraint("client_id", "area"),
        {"info": deleted_on_erasure("a contact is nothing but its personal data")},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    # admin | finance | tech | cs
    area: Mapped[str] = mapped_column(String(16), info=not_personal("an area word"))
    name: Mapped[str | None] = mapped_column(String(100), info=personal(identifies=True))
    email: Mapped[str | None] = mapped_column(String(254), info=personal(identifies=True))
    phone: Mapped[str | None] = mapped_column(String(20), info=personal(identifies=True))

    client: Mapped[Client] = relationship(back_populates="contacts")


class CompanyRegistry(Base):
    """What the Receita Federal (through BrasilAPI) says of a client's CNPJ, kept for the CSM."""

    __tablename__ = "company_registry"
    __table_args__ = {"info": deleted_on_erasure("a snapshot of the client's company")}

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), unique=True)
    cnpj: Mapped[str] = mapped_column(String(14), info=personal(identifies=True))
    razao_social: Mapped[str | None] = mapped_column(String(150), info=personal(identifies=True))
    nome_fantasia: Mapped[str | None] = mapped_column(String(150), info=personal(identifies=True))
    situacao: Mapped[str | None] = mapped_column(String(40), info=personal())
    opened_on: Mapped[date | None] = mapped_column(Date)
    cnae_fiscal: Mapped[str | None] = mapped_column(String(20), info=personal())
    porte: Mapped[str | None] = mapped_column(String(60), info=personal())
    simples: Mapped[bool | None]
    raw: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, info=personal())
    checked_at: Mapped[datetime]


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_client_at", "client_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id"))
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversations.id"))
    # client | bot | system | staff:<id>
    actor: Mapped[str] = mapped_column(String(60), info=not_personal("who, by role and id"))
    # field_changed | consent_refused | ...
    action: Mapped[str] = mapped_column(String(40), info=not_personal("an action word"))
    field: Mapped[str | None] = mapped_column(String(60), info=not_personal("a field's name"))
    old_value: Mapped[str | None] = mapped_column(Text, info=personal())
    new_value: Mapped[str | None] = mapped_column(Text, info=personal())
    at: Mapped[datetime]


class StaffNote(Base):
    """A note a staff member wrote on a client's record."""

    __tablename__ = "staff_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    onboarding_id: Mapped[int | None] = mapped_column(ForeignKey("onboardings.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    text: Mapped[str] = mapped_column(Text, info=personal(erased=ERASED))
    created_at: Mapped[datetime]


class ErasureRequest(Base):
    __tablename__ = "erasure_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"))
    client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id"))
    # requested | notifying | done | refused
    status: Mapped[str] = mapped_column(
        String(12), default="requested", info=not_personal("a status")
    )
    requested_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
