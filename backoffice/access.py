"""Who is calling and what they may see: bearer tokens, roles and scopes.

Roles:

* ``admin`` configures (staff, tokens) and sees and does everything;
* ``manager`` sees and acts on everything in their team: onboardings whose CSM is in the team,
  plus the unassigned queue;
* ``csm`` sees and acts on the onboardings assigned to them and the unassigned queue.

Conversations, clients, escalations and documents follow the scope of their onboarding. An id
that exists but lies outside the caller's scope is a 403; an id that does not exist is a 404.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, exists, false, or_, select, true
from sqlalchemy.orm import Session

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


def escalation_scope(principal: Principal) -> ColumnElement[bool]:
    """A WHERE clause on ``Escalation``: assigned to the caller (or their team), or queued."""
    if principal.role == "admin":
        return true()
    visible_onboarding = exists(
        select(Onboarding.id).where(
            Onboarding.id == Escalation.onboarding_id, onboarding_scope(principal)
        )
    )
    if principal.role == "manager":
        team_members = select(StaffUser.id).where(StaffUser.team == principal.team)
        assigned: ColumnElement[bool] = Escalation.assigned_to.in_(team_members)
    else:
        assigned = Escalation.assigned_to == principal.id
    unassigned = and_(
        Escalation.assigned_to.is_(None),
        or_(Escalation.onboarding_id.is_(None), visible_onboarding),
    )
    return or_(assigned, unassigned)


# ---------------------------------------------------------------------------- loaders
def load_onboarding(session: Session, principal: Principal, onboarding_id: int) -> Onboarding:
    onboarding = session.get(Onboarding, onboarding_id)
    if onboarding is None:
        raise NotFound("onboarding", onboarding_id)
    visible = session.scalar(
        select(Onboarding.id).where(Onboarding.id == onboarding_id, onboarding_scope(principal))
    )
    if visible is None:
        raise Forbidden(f"onboarding {onboarding_id} is outside your scope")
    return onboarding


def load_client(session: Session, principal: Principal, client_id: int) -> Client:
    client = session.get(Client, client_id)
    if client is None:
        raise NotFound("client", client_id)
    visible = session.scalar(
        select(Client.id).where(Client.id == client_id, client_scope(principal))
    )
    if visible is None:
        raise Forbidden(f"client {client_id} is outside your scope")
    return client


def load_conversation(session: Session, principal: Principal, conversation_id: int) -> Conversation:
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        raise NotFound("conversation", conversation_id)
    if principal.role == "admin":
        return conversation
    if conversation.onboarding_id is None:
        raise Forbidden(f"conversation {conversation_id} has no onboarding; only admins see it")
    visible = session.scalar(
        select(Onboarding.id).where(
            Onboarding.id == conversation.onboarding_id, onboarding_scope(principal)
        )
    )
    if visible is None:
        raise Forbidden(f"conversation {conversation_id} is outside your scope")
    return conversation


def load_escalation(session: Session, principal: Principal, escalation_id: int) -> Escalation:
    escalation = session.get(Escalation, escalation_id)
    if escalation is None:
        raise NotFound("escalation", escalation_id)
    visible = session.scalar(
        select(Escalation.id).where(Escalation.id == escalation_id, escalation_scope(principal))
    )
    if visible is None:
        raise Forbidden(f"escalation {escalation_id} is outside your scope")
    return escalation


def load_staff(session: Session, principal: Principal, staff_id: int) -> StaffUser:
    """Admins see all staff, managers their team, everyone themselves."""
    staff = session.get(StaffUser, staff_id)
    if staff is None:
        raise NotFound("staff member", staff_id)
    if principal.role == "admin" or staff.id == principal.id:
        return staff
    if principal.role == "manager" and staff.team == principal.team:
        return staff
    raise Forbidden(f"staff member {staff_id} is outside your scope")
