"""What the page says of each document the client must send: missing, received, being read,
read (to confirm), confirmed, or to redo with the reader's reason in the client's language.

The documents asked for come from the flows' document steps (``RequiredDocument``: the kinds
that satisfy one, e.g. CNH or RG, and its label in both languages), built once at start-up.
Files not read yet have no kind: each counts once, for the first document still missing, as
the chat's status answer counts them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from backoffice.html.labels import reading_value
from bot.domain.documents import field_label
from bot.storage.models import Document
from flows import Condition, DocumentStep, Flow

__all__ = [
    "DocumentLine",
    "DocumentState",
    "RequiredDocument",
    "document_lines",
    "required_from_flows",
]

# missing | received (stored, waiting for the reader) | reading | read (shown, to confirm) |
# confirmed | redo (unusable: the reason says why)
DocumentState = Literal["missing", "received", "reading", "read", "confirmed", "redo"]


@dataclass(frozen=True, slots=True)
class RequiredDocument:
    """One document the flows ask for: any of ``kinds`` satisfies it."""

    slot: str
    kinds: tuple[str, ...]
    label_pt: str
    label_en: str
    required_when: Condition | None = None  # a segment's document (issue #16)

    def label(self, language: str) -> str:
        return self.label_en if language == "en" else self.label_pt

    def applies(self, slots: Mapping[str, object]) -> bool:
        """Whether this client must send it: the step's condition on the dialogue's slots."""
        when = self.required_when
        if when is None:
            return True
        value = slots.get(when.slot)
        number = value if isinstance(value, int | float) and not isinstance(value, bool) else None
        checks = [
            when.is_set is None or (value not in (None, "")) == when.is_set,
            when.equals is None or value == when.equals,
            when.not_equals is None or value != when.not_equals,
            when.gt is None or (number is not None and number > when.gt),
            when.lt is None or (number is not None and number < when.lt),
        ]
        return all(checks)


@dataclass(frozen=True, slots=True)
class DocumentLine:
    """One required document as the client sees it, with the file it stands on (if any)."""

    slot: str
    label: str
    state: DocumentState
    document_id: int | None = None  # the file this line is about (ACTIONS confirm/fix it)
    received_at: datetime | None = None
    reason: str = ""  # why it must be sent again, in the client's language
    tip: str = ""
    fields: tuple[tuple[str, str], ...] = ()  # what was read, for a reading to confirm
    # The same fields as the client reads them: (name, label, value formatted: 12.345.678/...)
    shown: tuple[tuple[str, str, str], ...] = ()

    @property
    def pending(self) -> bool:
        return self.state != "confirmed"


def _state(document: Document, now: datetime) -> DocumentState:
    if document.status == "read":
        return "confirmed" if document.confirmed_at is not None else "read"
    if document.status in ("rejected", "failed"):
        return "redo"
    claimed = document.claimed_until
    if claimed is not None and (claimed if claimed.tzinfo else claimed.replace(tzinfo=UTC)) > now:
        return "reading"
    return "received"


def _line(
    required: RequiredDocument, document: Document, *, language: str, now: datetime
) -> DocumentLine:
    state = _state(document, now)
    extraction = document.extraction or {}
    suffix = "en" if language == "en" else "pt"
    fields = extraction.get("fields") if state == "read" else None
    read = tuple((str(k), str(v)) for k, v in fields.items()) if isinstance(fields, dict) else ()
    return DocumentLine(
        slot=required.slot,
        label=required.label(language),
        state=state,
        document_id=document.id,
        received_at=document.received_at,
        reason=str(extraction.get(f"rejected_{suffix}") or "") if state == "redo" else "",
        tip=str(extraction.get(f"tip_{suffix}") or "") if state == "redo" else "",
        fields=read,
        shown=tuple(
            (name, field_label(name, language), reading_value(name, value)) for name, value in read
        ),
    )


def _client_documents(
    session: Session, *, client_id: int, conversation_ids: Sequence[int]
) -> list[Document]:
    owner = Document.client_id == client_id
    if conversation_ids:
        owner = or_(owner, Document.conversation_id.in_(conversation_ids))
    return list(
        session.scalars(
            select(Document)
            .where(owner, Document.deleted_at.is_(None))
            .order_by(Document.received_at, Document.id)
        )
    )


def document_lines(
    session: Session,
    *,
    required: Sequence[RequiredDocument],
    client_id: int,
    conversation_ids: Sequence[int],
    language: str,
    now: datetime,
    slots: Mapping[str, object] | None = None,
) -> list[DocumentLine]:
    """One line per required document: the latest file of its kinds decides its state.

    ``slots``: the conversation's answers, for documents only a segment is asked for."""
    required = [r for r in required if r.applies(slots or {})]
    documents = _client_documents(session, client_id=client_id, conversation_ids=conversation_ids)
    kinds_known = {k for r in required for k in r.kinds}
    # Files of no known kind yet (not read, or unreadable) sent after the last one read: each
    # stands for one missing line (an older unreadable file was followed by a readable one).
    known = [d.received_at for d in documents if d.kind in kinds_known]
    loose = [
        d
        for d in documents
        if d.kind not in kinds_known
        and _state(d, now) in ("received", "reading", "redo")
        and (not known or d.received_at >= max(known))
    ]
    lines: list[DocumentLine] = []
    for item in required:
        own = [d for d in documents if d.kind in item.kinds]
        if own:
            lines.append(_line(item, own[-1], language=language, now=now))
        elif loose:
            lines.append(_line(item, loose.pop(0), language=language, now=now))
        else:
            lines.append(DocumentLine(slot=item.slot, label=item.label(language), state="missing"))
    return lines


def required_from_flows(flows: Mapping[str, Flow]) -> tuple[RequiredDocument, ...]:
    """The document steps of the flows, in the order the flows ask them (one per slot)."""
    found: dict[str, RequiredDocument] = {}
    for flow in flows.values():
        for step in flow.steps.values():
            if isinstance(step, DocumentStep) and step.slot not in found:
                found[step.slot] = RequiredDocument(
                    slot=step.slot,
                    kinds=tuple(step.kinds),
                    label_pt=step.label.pt,
                    label_en=step.label.en,
                    required_when=step.required_when,
                )
    return tuple(found.values())
