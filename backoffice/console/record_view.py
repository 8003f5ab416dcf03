"""What the client record page shows, loaded through the API's own queries and presenters.

The record itself is the API's ``GET /clients/{id}`` (``backoffice.api.routes.clients.get_client``:
the scoped load, onboardings with their SLA, documents, history, escalations, notes); this module
adds what a person needs around it: the Receita snapshot and its flags, readings per field with
their confidence, cross-check warnings, and names instead of ``staff:<id>``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backoffice.access import Principal
from backoffice.api.deps import BackofficeContext
from backoffice.api.routes.clients import get_client
from backoffice.schemas.clients import ClientRecord, ContactPublic, DocumentPublic
from bot.domain.company import CompanyFacts, CompanyLookupResult, red_flag_reasons
from bot.domain.validators import format_cnpj
from bot.storage.models import CompanyRegistry, ErasureRequest, StaffUser

__all__ = [
    "ASSERTED",
    "DocumentView",
    "FieldReading",
    "RecordView",
    "RegistryView",
    "Warning",
    "actor_names",
    "load_record",
]

ASSERTED = 0.9  # bot.documents.confidence.ASSERTED: below it, the client is asked to confirm
YOUNG_DAYS = 90  # bot.config.Settings.company_young_days's default (the back-office lacks it)
IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})
AREAS = ("admin", "finance", "tech", "cs")


@dataclass(frozen=True, slots=True)
class RegistryView:
    """The Receita's snapshot of the company, with the flags it raises."""

    cnpj: str
    razao_social: str | None
    nome_fantasia: str | None
    situacao: str | None
    opened_on: str | None
    cnae_fiscal: str | None
    porte: str | None
    simples: bool | None
    place: str | None
    checked_at: datetime
    flags: tuple[str, ...]  # pt-BR reasons, as the bot raises them (bot.domain.company)
    differs: tuple[str, ...]  # record fields that disagree with the snapshot: cnpj, company_name


@dataclass(frozen=True, slots=True)
class FieldReading:
    name: str
    value: str
    confidence: float | None  # 0..1 when the reading kept it; None: only "uncertain" is known
    uncertain: bool


@dataclass(frozen=True, slots=True)
class DocumentView:
    document: DocumentPublic
    fields: tuple[FieldReading, ...]
    mismatches: tuple[tuple[str, str, str], ...]  # (field, pt, en)
    rejected: str
    is_image: bool
    is_pdf: bool
    has_file: bool


@dataclass(frozen=True, slots=True)
class Warning:
    """A cross-check warning: a reading that disagrees with the registration, or an escalation
    opened for it."""

    source: str  # document | escalation | red_flag
    ref: int
    text_pt: str
    text_en: str
    open: bool = True


@dataclass
class RecordView:
    record: ClientRecord
    registry: RegistryView | None
    contacts: dict[str, ContactPublic | None]
    documents: list[DocumentView]
    warnings: list[Warning]
    names: dict[str, str]  # actor (staff:<id>, bot, ...) → a name to show
    erasure_request: int | None  # a client's pending request (a manager may confirm it)
    onboarding_ids: list[int] = field(default_factory=list)

    @property
    def erased(self) -> bool:
        return self.record.client.erased_at is not None

    @property
    def cnpj(self) -> str:
        cnpj = self.record.client.cnpj
        return format_cnpj(cnpj) if cnpj else ""


def _registry(
    row: CompanyRegistry | None, record: ClientRecord, *, now: datetime
) -> RegistryView | None:
    if row is None:
        return None
    facts = CompanyFacts(
        cnpj=row.cnpj,
        razao_social=row.razao_social or "",
        nome_fantasia=row.nome_fantasia or "",
        situacao=row.situacao or "",
        opened_on=row.opened_on,
    )
    flags = red_flag_reasons(
        CompanyLookupResult("found", facts), today=now.date(), young_days=YOUNG_DAYS
    )
    client = record.client
    differs = []
    if client.cnpj and client.cnpj != row.cnpj:
        differs.append("cnpj")
    if (
        client.company_name
        and row.razao_social
        and client.company_name.casefold() != row.razao_social.casefold()
    ):
        differs.append("company_name")
    raw = row.raw or {}
    place = " / ".join(str(raw[k]) for k in ("municipio", "uf") if raw.get(k)) or None
    return RegistryView(
        cnpj=format_cnpj(row.cnpj),
        razao_social=row.razao_social,
        nome_fantasia=row.nome_fantasia,
        situacao=row.situacao,
        opened_on=row.opened_on.strftime("%d/%m/%Y") if row.opened_on else None,
        cnae_fiscal=row.cnae_fiscal,
        porte=row.porte,
        simples=row.simples,
        place=place,
        checked_at=row.checked_at,
        flags=tuple(flags),
        differs=tuple(differs),
    )


def _fields(extraction: dict[str, Any]) -> tuple[FieldReading, ...]:
    """Per-field readings: SPEC's ``confidence`` map when kept, else the worker's ``uncertain``."""
    values = extraction.get("fields")
    if not isinstance(values, dict):
        return ()
    confidence = extraction.get("confidence")
    scores = confidence if isinstance(confidence, dict) else {}
    uncertain_list = extraction.get("uncertain")
    uncertain = set(uncertain_list) if isinstance(uncertain_list, list) else set()
    readings = []
    for name, value in values.items():
        score = scores.get(name)
        number = float(score) if isinstance(score, int | float) else None
        low = name in uncertain or (number is not None and number < ASSERTED)
        readings.append(FieldReading(str(name), str(value), number, low))
    return tuple(readings)


def _mismatches(extraction: dict[str, Any]) -> tuple[tuple[str, str, str], ...]:
    found = extraction.get("mismatches")
    if not isinstance(found, list):
        return ()
    return tuple(
        (str(m[0]), str(m[1]), str(m[2]))
        for m in found
        if isinstance(m, list | tuple) and len(m) == 3
    )


def _document(document: DocumentPublic) -> DocumentView:
    extraction = document.extraction or {}
    mime = document.mime or ""
    return DocumentView(
        document=document,
        fields=_fields(extraction),
        mismatches=_mismatches(extraction),
        rejected=str(extraction.get("rejected_pt") or ""),
        is_image=mime in IMAGE_TYPES,
        is_pdf=mime == "application/pdf",
        has_file=bool(document.sha256) and document.deleted_at is None,
    )


def _warnings(record: ClientRecord, documents: Iterable[DocumentView]) -> list[Warning]:
    warnings = [
        Warning("document", view.document.id, pt, en)
        for view in documents
        for (_field, pt, en) in view.mismatches
    ]
    warnings.extend(
        Warning(
            "escalation",
            escalation.id,
            escalation.detail,
            escalation.detail,
            open=escalation.status != "resolved",
        )
        for escalation in record.escalations
        if escalation.reason == "document_mismatch"
    )
    warnings.extend(
        Warning("red_flag", onboarding.id, onboarding.red_flag_reason or "", "")
        for onboarding in record.onboardings
        if onboarding.red_flag and onboarding.red_flag_reason
    )
    return warnings


def actor_names(session: Session, actors: Iterable[str]) -> dict[str, str]:
    """``staff:<id>`` → the staff member's name (others are shown as their role word)."""
    ids = {int(a.split(":", 1)[1]) for a in actors if a.startswith("staff:") and a[6:].isdigit()}
    if not ids:
        return {}
    rows = session.execute(select(StaffUser.id, StaffUser.name).where(StaffUser.id.in_(ids)))
    return {f"staff:{staff_id}": name for staff_id, name in rows}


def load_record(
    session: Session, context: BackofficeContext, *, principal: Principal, client_id: int
) -> RecordView:
    """The record of ``client_id`` as ``principal`` may see it (403 / 404 as the API)."""
    record = get_client(client_id, session, principal=principal, context=context)
    registry = session.scalar(select(CompanyRegistry).where(CompanyRegistry.client_id == client_id))
    documents = [_document(d) for d in record.documents]
    by_area = {c.area: c for c in record.contacts}
    actors = [h.actor for h in record.stage_history]
    actors += [f"staff:{n.author_id}" for n in record.notes]
    actors += [f"staff:{o.csm_id}" for o in record.onboardings if o.csm_id is not None]
    pending = session.scalar(
        select(ErasureRequest.id)
        .where(ErasureRequest.client_id == client_id, ErasureRequest.status == "requested")
        .order_by(ErasureRequest.id)
        .limit(1)
    )
    return RecordView(
        record=record,
        registry=_registry(registry, record, now=context.now()),
        contacts={area: by_area.get(area) for area in AREAS},
        documents=documents,
        warnings=_warnings(record, documents),
        names=actor_names(session, actors),
        erasure_request=pending,
        onboarding_ids=[o.id for o in record.onboardings],
    )
