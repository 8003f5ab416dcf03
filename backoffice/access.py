"""Who is calling and what they may see: bearer tokens, roles and scopes.

Roles:

* ``admin`` configures (staff, tokens) and sees and does everything;
* ``manager`` sees and acts on everything in their team: onboardings whose CSM is in the team,
  plus the unassigned queue;
* ``csm`` sees and acts on the onboardings assigned to them and the unassigned queue.

There is one scope rule, on onboardings (``onboarding_scope``); everything that belongs to an
onboarding (conversations, escalations, ERP pushes) or to a client (documents, notes, erasure
requests) is derived from it and never from anything else: an escalation is not visible because
it is assigned to the caller, but because its onboarding is. A row without an onboarding is the
admins' only.

An id that exists but lies outside the caller's scope is a 403; an id that does not exist, or
that names something of another parent than the one in the path, is a 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import ColumnElement, exists, false, or_, select, true
from sqlalchemy.orm import InstrumentedAttribute, Session

from backoffice.errors import Forbidden, NotFound, Unauthorized
from bot.storage.models import (
    ApiToken,
    Client,
    Conversation,
    Escalation,
    Onboarding,
    StaffUser,
)
from bot.storage.seed import hash_token


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated staff member of one request."""

    id: int
    name: str
    role: str
    team: str
    segment: str | None

    @property
    def actor(self) -> str:
        """How audit rows and stage history name this person."""
        return f"staff:{self.id}"

    def require_role(self, *roles: str) -> None:
        if self.role not in roles:
            raise Forbidden(f"this needs the role {' or '.join(roles)}; you are {self.role}")


def authenticate(session: Session, token: str | None) -> Principal:
    """The staff member holding ``token``; ``Unauthorized`` when missing, unknown or revoked."""
    if not token:
        raise Unauthorized("send Authorization: Bearer <token>")
    row = session.execute(
        select(StaffUser)
        .join(ApiToken, ApiToken.staff_id == StaffUser.id)
        .where(ApiToken.token_hash == hash_token(token), ApiToken.revoked_at.is_(None))
    ).scalar_one_or_none()
    if row is None or not row.active:
        raise Unauthorized("the token is unknown, revoked, or its owner is inactive")
    return Principal(id=row.id, name=row.name, role=row.role, team=row.team, segment=row.segment)


# ---------------------------------------------------------------------------- scope clauses
def onboarding_scope(principal: Principal) -> ColumnElement[bool]:
    """A WHERE clause on ``Onboarding`` selecting what ``principal`` may see."""
    if principal.role == "admin":
        return true()
    if principal.role == "manager":
        team_members = select(StaffUser.id).where(StaffUser.team == principal.team)
        return or_(Onboarding.csm_id.is_(None), Onboarding.csm_id.in_(team_members))
    if principal.role == "csm":
        return or_(Onboarding.csm_id.is_(None), Onboarding.csm_id == principal.id)
    return false()


def client_scope(principal: Principal) -> ColumnElement[bool]:
    """A WHERE clause on ``Client``: a client is visible when one of its onboardings is."""
    if principal.role == "admin":
        return true()
    return exists(
        select(Onboarding.id).where(Onboarding.client_id == Client.id, onboarding_scope(principal))
    )


def belongs_to_scope(
    principal: Principal, onboarding_id: InstrumentedAttribute[int | None]
) -> ColumnElement[bool]:
    """A WHERE clause on a row that belongs to an onboarding through ``onboarding_id``: that
    onboarding is in scope. Rows without one are the admins' only."""
    if principal.role == "admin":
        return true()
    return exists(
        select(Onboarding.id).where(Onboarding.id == onboarding_id, onboarding_scope(principal))
    )


def conversation_scope(principal: Principal) -> ColumnElement[bool]:
    """A WHERE clause on ``Conversation``: its onboarding is in scope."""
    return belongs_to_scope(principal, Conversation.onboarding_id)


def escalation_scope(principal: Principal) -> ColumnElement[bool]:
    """A WHERE clause on ``Escalation``: its onboarding is in scope (whoever it is assigned to;
    assigning a CSM to the onboarding moves its open escalations, ``follow_onboarding``)."""
    return belongs_to_scope(principal, Escalation.onboarding_id)


# ---------------------------------------------------------------------------- loaders
_Scoped = TypeVar("_Scoped", Onboarding, Client, Conversation, Escalation)


def _load_in_scope(
    session: Session,
    model: type[_Scoped],
    *,
    row_id: int,
    scope: ColumnElement[bool],
    what: str,
) -> _Scoped:
    """The row ``row_id`` of ``model``: ``NotFound`` when there is none, ``Forbidden`` when
    ``scope`` does not select it."""
    row = session.get(model, row_id)
    if row is None:
        raise NotFound(what, row_id)
    if session.scalar(select(model.id).where(model.id == row_id, scope)) is None:
        raise Forbidden(f"{what} {row_id} is outside your scope")
    return row


def load_onboarding(session: Session, principal: Principal, *, onboarding_id: int) -> Onboarding:
    return _load_in_scope(
        session,
        Onboarding,
        row_id=onboarding_id,
        scope=onboarding_scope(principal),
        what="onboarding",
    )


def load_client(session: Session, principal: Principal, *, client_id: int) -> Client:
    return _load_in_scope(
        session, Client, row_id=client_id, scope=client_scope(principal), what="client"
    )


def load_conversation(
    session: Session, principal: Principal, *, conversation_id: int
) -> Conversation:
    return _load_in_scope(
        session,
        Conversation,
        row_id=conversation_id,
        scope=conversation_scope(principal),
        what="conversation",
    )


def load_escalation(session: Session, principal: Principal, *, escalation_id: int) -> Escalation:
    return _load_in_scope(
        session,
        Escalation,
        row_id=escalation_id,
        scope=escalation_scope(principal),
        what="escalation",
    )


def load_staff(session: Session, principal: Principal, *, staff_id: int) -> StaffUser:
    """Admins see all staff, managers their team, everyone themselves."""
    staff = session.get(StaffUser, staff_id)
    if staff is None:
        raise NotFound("staff member", staff_id)
    if principal.role == "admin" or staff.id == principal.id:
        return staff
    if principal.role == "manager" and staff.team == principal.team:
        return staff
    raise Forbidden(f"staff member {staff_id} is outside your scope")
