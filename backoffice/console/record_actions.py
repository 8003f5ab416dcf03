"""What the client record's buttons do, through the back-office's use cases: a group's edit
(``client_records.update_client`` / ``upsert_contact``, each change audited with its old and new
value and signalled live by the use case), a note, the LGPD export and the erasure (signalled
here: ``console_events``' ``client_updated``, one row per onboarding of the client).

Erasure follows the API's rules (``backoffice.api.routes.privacy``): an admin erases directly
(``erasure.erase_client``); a manager confirms the client's own pending request
(``erasure.decide_request``), and without one needs an admin. Either way the person confirms by
typing the company's CNPJ or the word APAGAR.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backoffice.access import Principal, load_client
from backoffice.api.deps import BackofficeContext
from backoffice.audit import record_audit
from backoffice.client_records import add_note, update_client, upsert_contact
from backoffice.console.record_forms import FormOutcome, GroupSpec, read_group
from backoffice.erasure import decide_request, delete_files, erase_client
from backoffice.errors import Forbidden, Invalid
from backoffice.export import export_client
from bot.storage.console_events import EventRow, record_console_events
from bot.storage.models import Client, ErasureRequest, Onboarding

__all__ = [
    "CONFIRM_WORD",
    "ErasureDone",
    "confirmation_matches",
    "erase",
    "export",
    "save_group",
    "save_note",
    "signal_client",
]

CONFIRM_WORD = "APAGAR"
NOTE_MAX = 5000


def signal_client(
    session: Session,
    client_id: int,
    *,
    kind: str,
    actor: str,
    at: datetime,
    data: Mapping[str, Any] | None = None,
) -> None:
    """A live-update event for every onboarding of the client (ids and names, never values)."""
    onboardings = session.scalars(
        select(Onboarding.id).where(Onboarding.client_id == client_id).order_by(Onboarding.id)
    ).all()
    record_console_events(
        session,
        [
            EventRow(
                kind=kind,
                onboarding_id=oid,
                actor=actor,
                data={"client_id": client_id, **(data or {})},
            )
            for oid in onboardings
        ],
        at=at,
    )


def save_group(
    session: Session,
    context: BackofficeContext,
    *,
    principal: Principal,
    client_id: int,
    spec: GroupSpec,
    form: Mapping[str, str],
    gettext: Callable[[str], str],
) -> FormOutcome:
    """Validates and applies one group's form; commits when valid and something changed."""
    client = load_client(session, principal, client_id=client_id)
    outcome = read_group(spec, form, gettext=gettext)
    if not outcome.valid:
        return outcome
    now = context.now()
    if spec.key.startswith("contact-"):
        area = spec.key.removeprefix("contact-")
        existing = next((c for c in client.contacts if c.area == area), None)
        changes = {k: None if v is None else str(v) for k, v in outcome.changes.items()}
        if existing is not None:  # only what differs: an unchanged form writes nothing
            changes = {k: v for k, v in changes.items() if getattr(existing, k) != v}
        elif not any(changes.values()):
            changes = {}  # an empty form for a contact that does not exist
        if not changes:
            return outcome
        upsert_contact(session, client, principal=principal, area=area, changes=changes, now=now)
    else:
        update_client(session, client, principal=principal, changes=outcome.changes, now=now)
    session.commit()
    return outcome


def save_note(
    session: Session,
    context: BackofficeContext,
    *,
    principal: Principal,
    client_id: int,
    text: str,
) -> None:
    client = load_client(session, principal, client_id=client_id)
    text = text.replace("\x00", "").strip()
    if not text:
        raise Invalid("Write the note first.")
    if len(text) > NOTE_MAX:
        raise Invalid("The note is too long (at most 5,000 characters).")
    now = context.now()
    add_note(session, client, principal=principal, text=text, onboarding_id=None, now=now)
    session.commit()


def export(
    session: Session, context: BackofficeContext, *, principal: Principal, client_id: int
) -> dict[str, Any]:
    """The LGPD export, as the API's ``GET /clients/{id}/export`` (audited)."""
    principal.require_role("manager", "admin")
    client = load_client(session, principal, client_id=client_id)
    now = context.now()
    document = export_client(session, client, now=now)
    record_audit(
        session, actor=principal.actor, action="data_exported", at=now, client_id=client.id
    )
    session.commit()
    return document


def _compact(text: str) -> str:
    return re.sub(r"[\s./\-]", "", text).upper()


def confirmation_matches(client: Client, typed: str) -> bool:
    """The company's CNPJ (punctuation ignored) or the word APAGAR."""
    compact = _compact(typed)
    if not compact:
        return False
    return compact == CONFIRM_WORD or (client.cnpj is not None and compact == client.cnpj)


def pending_request(session: Session, client_id: int) -> ErasureRequest | None:
    return session.scalar(
        select(ErasureRequest)
        .where(ErasureRequest.client_id == client_id, ErasureRequest.status == "requested")
        .order_by(ErasureRequest.id)
        .limit(1)
    )


def may_erase(session: Session, principal: Principal, *, client_id: int) -> bool:
    """An admin always; a manager when the client asked (a pending request)."""
    if principal.role == "admin":
        return True
    return principal.role == "manager" and pending_request(session, client_id) is not None


@dataclass(frozen=True)
class ErasureDone:
    files_deleted: int
    notices_queued: int


def erase(
    session: Session,
    context: BackofficeContext,
    *,
    principal: Principal,
    client_id: int,
    typed: str,
    wrong_confirmation: str,
) -> ErasureDone:
    """Erases the client once the confirmation matches (``Invalid`` with ``wrong_confirmation``
    when it does not; ``Forbidden`` for a CSM, or a manager without the client's request)."""
    principal.require_role("manager", "admin")
    client = load_client(session, principal, client_id=client_id)
    if not confirmation_matches(client, typed):
        raise Invalid(wrong_confirmation)
    now = context.now()
    request = pending_request(session, client.id)
    if request is not None:
        outcome = decide_request(session, request, principal=principal, confirm=True, now=now)
    elif principal.role == "admin":
        outcome = erase_client(session, client, principal=principal, now=now)
    else:
        raise Forbidden("erasing a client who did not ask needs an admin")
    signal_client(
        session,
        client_id,
        kind="client_updated",
        actor=principal.actor,
        at=now,
        data={"fields": ["erased"]},
    )
    session.commit()
    removed = delete_files(context.documents, outcome.files)
    context.wake_outbox()
    return ErasureDone(files_deleted=removed, notices_queued=outcome.notices)
