"""Writes the dialogue's effects into the database: client data with its audit trail, stages,
escalations, opt-outs and erasure requests. Runs inside the caller's transaction."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import datetime
from typing import Protocol

from sqlalchemy import Table, Update, bindparam, func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from bot.dialogue.effects import (
    CompanyChecked,
    DocumentConfirmed,
    Effect,
    Escalate,
    NpsAnswered,
    OptIn,
    OptOut,
    RecordEvent,
    RequestErasure,
    SaveRegistration,
    SetStage,
    SlotChanged,
)
from bot.dialogue.state import SlotValue
from bot.domain.onboarding import Stage, segment_for
from bot.service.companies import record_company_check
from bot.storage.console_events import record_console_event
from bot.storage.models import (
    AuditEvent,
    Client,
    Contact,
    Conversation,
    Document,
    ErasureRequest,
    Escalation,
    NpsResponse,
    Onboarding,
    StageChange,
)

_CLIENTS: Table = Client.__table__  # type: ignore[assignment]
_STAGE_HISTORY: Table = StageChange.__table__  # type: ignore[assignment]

_CLIENT_FIELDS: dict[str, str] = {
    "cnpj": "cnpj",
    "company_name": "company_name",
    "employees": "employees",
    "cep": "cep",
    "street": "street",
    "address_number": "address_number",
    "address_complement": "address_complement",
    "district": "district",
    "city": "city",
    "uf": "uf",
}
# Contact areas and the slots that hold each contact's name, e-mail and phone.
_CONTACT_SLOTS: dict[str, tuple[str, str, str]] = {
    "admin": ("person_name", "admin_email", "admin_phone"),
    "finance": ("finance.name", "finance.email", "finance.phone"),
    "tech": ("tech.name", "tech.email", "tech.phone"),
    "cs": ("cs.name", "cs.email", "cs.phone"),
}


@functools.cache
def _client_update(columns: tuple[str, ...]) -> Update:
    """``UPDATE clients SET <columns> WHERE id = :b_id``, built once per set of columns."""
    return (
        update(_CLIENTS)
        .where(_CLIENTS.c.id == bindparam("b_id"))
        .values({column: bindparam(f"b_{column}") for column in columns})
    )


class EscalationAssignment(Protocol):
    """Picks the staff member for a new escalation (the back-office's assignment rule)."""

    def __call__(self, session: Session, escalation: Escalation, *, now: datetime) -> object: ...


class EffectRecorder:
    """Applies a turn's effects for one conversation."""

    def __init__(
        self,
        session: Session,
        conversation: Conversation,
        *,
        now: datetime,
        assign_escalation: EscalationAssignment | None = None,
    ) -> None:
        self.assign_escalation = assign_escalation
        self.session = session
        self.conversation = conversation
        self.now = now

    @property
    def client(self) -> Client | None:
        cid = self.conversation.client_id
        if cid is None:
            return None
        with self.session.no_autoflush:  # the turn's changes go in one flush, at commit
            return self.session.get(Client, cid)

    @property
    def onboarding(self) -> Onboarding | None:
        oid = self.conversation.onboarding_id
        return self.session.get(Onboarding, oid) if oid is not None else None

    def apply(self, effects: list[Effect]) -> None:
        for effect in effects:
            match effect:
                case SaveRegistration(slots=slots):
                    self._save_registration(slots)
                case SlotChanged(key=key, old=old, new=new):
                    self._audit("answer_corrected", field=key, old=old, new=new, actor="client")
                case SetStage(stage=stage, reason=reason):
                    self.set_stage(Stage(stage), reason=reason, actor="bot")
                case Escalate(reason=reason, detail=detail):
                    self.escalate(reason, detail)
                case OptOut():
                    self.conversation.opted_out = True
                    self.conversation.opted_out_at = self.now
                    self._audit("opted_out", actor="client")
                case OptIn():
                    if self.conversation.opted_out:
                        self.conversation.opted_out = False
                        self._audit("opted_in", actor="client")
                case RequestErasure():
                    self._request_erasure()
                case RecordEvent(kind=kind, detail=detail):
                    self._record(kind, detail)
                case DocumentConfirmed(document_id=document_id, kind=kind):
                    self._document_confirmed(document_id, kind)
                case NpsAnswered(booking_id=booking_id, score=score, comment=comment):
                    self._nps(booking_id, score=score, comment=comment)
                case CompanyChecked(cnpj=cnpj, result=result, young_days=young_days):
                    record_company_check(
                        self.session,
                        client_id=self.conversation.client_id,
                        onboarding=self.onboarding,
                        cnpj=cnpj,
                        result=result,
                        young_days=young_days,
                        now=self.now,
                        conversation_id=self.conversation.id,
                    )

    def set_stage(self, stage: Stage, *, reason: str, actor: str) -> None:
        onboarding = self.onboarding
        if onboarding is None or onboarding.stage == stage.value:
            return
        self.session.add(
            StageChange(
                onboarding_id=onboarding.id,
                from_stage=onboarding.stage,
                to_stage=stage.value,
                at=self.now,
                actor=actor,
                reason=reason,
            )
        )
        record_console_event(
            self.session,
            kind="stage_changed",
            at=self.now,
            onboarding_id=onboarding.id,
            conversation_id=self.conversation.id,
            actor=actor,
            data={"from": onboarding.stage, "to": stage.value},
        )
        onboarding.stage = stage.value
        onboarding.stage_entered_at = self.now
        if stage in (Stage.CONCLUIDO, Stage.CANCELADO):
            onboarding.completed_at = self.now

    def _save_registration(self, slots: Mapping[str, SlotValue]) -> None:
        client = self.client
        if client is None:
            return
        for slot, column in _CLIENT_FIELDS.items():
            if slot in slots:
                self._set_field(client, column, value=slots[slot])
        if slots.get("form_mode") == "minimal" and not client.form_refused:
            client.form_refused = True
        contacts = {c.area: c for c in client.contacts}
        for area, (name_slot, email_slot, phone_slot) in _CONTACT_SLOTS.items():
            if not any(s in slots for s in (name_slot, email_slot, phone_slot)):
                continue
            contact = contacts.get(area)
            if contact is None:
                contact = Contact(area=area)
                client.contacts.append(contact)
            for attr, slot in (("name", name_slot), ("email", email_slot), ("phone", phone_slot)):
                if slot in slots:
                    self._set_field(
                        contact, attr, value=slots[slot], label=f"contact.{area}.{attr}"
                    )
        client.updated_at = self.now
        onboarding = self.onboarding
        if onboarding is not None and isinstance(client.employees, int):
            onboarding.segment = segment_for(client.employees).value

    def _set_field(
        self, row: Client | Contact, attr: str, *, value: SlotValue, label: str | None = None
    ) -> None:
        old = getattr(row, attr)
        if old == value:
            return
        setattr(row, attr, value)
        self._audit("field_changed", field=label or attr, old=old, new=value, actor="client")

    def escalate(self, reason: str, detail: str) -> None:
        """Open an escalation for the conversation, unless one for ``reason`` is open.

        The dialogue asks for it through the ``Escalate`` effect; the workers call it directly
        (an unreadable document), so they need not know the dialogue's effects.
        """
        onboarding = self.onboarding
        queue = onboarding.segment if onboarding is not None else "self_service"
        already_open = self.session.scalar(
            select(func.count(Escalation.id)).where(
                Escalation.conversation_id == self.conversation.id,
                Escalation.status != "resolved",
                Escalation.reason == reason,
            )
        )
        if already_open:
            return
        escalation = Escalation(
            conversation_id=self.conversation.id,
            onboarding_id=onboarding.id if onboarding is not None else None,
            reason=reason,
            detail=detail,
            queue=queue,
            assigned_to=onboarding.csm_id if onboarding is not None else None,
            created_at=self.now,
        )
        self.session.add(escalation)
        self.session.flush()
        # Before the assignment, which writes its own ``escalation_assigned``.
        record_console_event(
            self.session,
            kind="escalation_opened",
            at=self.now,
            onboarding_id=escalation.onboarding_id,
            conversation_id=self.conversation.id,
            actor="bot",
            data={
                "escalation_id": escalation.id,
                "reason": reason,
                "assigned_to": escalation.assigned_to,
            },
        )
        if self.assign_escalation is not None:
            self.assign_escalation(self.session, escalation, now=self.now)
        self._audit("escalated", new=reason, actor="bot")

    def _document_confirmed(self, document_id: int, kind: str) -> None:
        document = self.session.get(Document, document_id)
        if document is None or document.conversation_id != self.conversation.id:
            return
        document.confirmed_at = self.now
        self._audit("document_confirmed", field=f"document.{kind}", new=document_id, actor="client")

    def _request_erasure(self) -> None:
        self.session.add(
            ErasureRequest(
                conversation_id=self.conversation.id,
                client_id=self.conversation.client_id,
                requested_at=self.now,
            )
        )
        self._audit("erasure_requested", actor="client")

    def _nps(self, booking_id: int, *, score: int | None, comment: str | None) -> None:
        """One answer per session: a score first, then (maybe) a comment on the same row."""
        response = self.session.scalar(
            select(NpsResponse).where(NpsResponse.booking_id == booking_id)
        )
        if response is None:
            if score is None:
                return
            onboarding = self.onboarding
            response = NpsResponse(
                booking_id=booking_id,
                onboarding_id=onboarding.id if onboarding is not None else None,
                client_id=self.conversation.client_id,
                score=score,
                answered_at=self.now,
            )
            self.session.add(response)
        elif score is not None:
            response.score = score
        if comment is not None:
            response.comment = comment
        self._audit("nps_answered", new=str(response.score), actor="client")

    def _record(self, kind: str, detail: str) -> None:
        if kind == "consent_given":
            self._set_client(consent_at=self.now)
        elif kind == "consent_refused":
            self._set_client(consent_refused_at=self.now)
        elif kind == "form_refused":
            self._set_client(form_refused=True)
        elif kind == "language_changed":
            self.conversation.language = detail
        self._audit(kind, new=detail or None, actor="client")

    def _set_client(self, **values: object) -> None:
        """Sets columns of the client record without loading it: one ``UPDATE`` (consent is
        recorded early in every conversation, by a turn that reads nothing else of the client),
        or the object itself when the session already holds it."""
        cid = self.conversation.client_id
        if cid is None:
            return
        values["updated_at"] = self.now
        loaded = self.session.identity_map.get(identity_key(Client, cid))
        if loaded is not None:
            for column, value in values.items():
                setattr(loaded, column, value)
            return
        # On the connection: the session's pending changes (the batch's other turns) are not
        # flushed early for it; none of them is this client's, which the session does not hold.
        self.session.connection().execute(
            _client_update(tuple(sorted(values))),
            {"b_id": cid, **{f"b_{column}": value for column, value in values.items()}},
        )

    def _audit(
        self,
        action: str,
        *,
        actor: str,
        field: str | None = None,
        old: SlotValue | None = None,
        new: SlotValue | None = None,
    ) -> None:
        self.session.add(
            AuditEvent(
                client_id=self.conversation.client_id,
                conversation_id=self.conversation.id,
                actor=actor,
                action=action,
                field=field,
                old_value=None if old is None else str(old),
                new_value=None if new is None else str(new),
                at=self.now,
            )
        )
