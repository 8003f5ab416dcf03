"""What the board's forms do: move a card (``move_stage``, or ``approve`` when leaving an approval
stage forward) and assign a CSM (``assign_csm``), with refusals a person can read.

The use cases stay the authority (the template's transitions, ``approval_roles``, the CSM
rules); this module only tells in advance *why* a move would be refused, so the console can say
it in the staff member's language next to the control, and maps what is left:

* the card moved meanwhile (its stage is not the one the form was rendered with) → 409;
* the template forbids the move, a CSM is missing, the registration is incomplete → 422;
* leaving an approval stage forward without an approving role → 403 (next to the control: it is
  the caller's role, not the onboarding, that is out of reach).

Another CSM's onboarding (403) and a missing one (404) are ``load_onboarding``'s, before this.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backoffice.access import Principal
from backoffice.api.deps import BackofficeContext
from backoffice.errors import Conflict, Invalid
from backoffice.escalations import open_loads
from backoffice.onboardings import FINAL_STAGES, approve, assign_csm, move_stage
from backoffice.stage_notices import link_policy
from bot.storage.models import Onboarding, StaffUser

__all__ = [
    "REASON_MAX",
    "CsmOption",
    "MoveDone",
    "Refused",
    "assign_card",
    "csm_options",
    "move_card",
]

REASON_MAX = 300  # StageChange.reason
INCOMPLETE = "the registration is incomplete"  # approve's Conflict for a client without data


def _l(message: str) -> str:
    """Marks ``message`` for the catalogue (babel.cfg's ``_l``); translated when shown."""
    return message


class Refused(Exception):
    """A board action refused: ``status`` for the response, ``message`` an English msgid with
    ``%(name)s`` placeholders filled from ``params`` after translation."""

    def __init__(self, status: int, message: str, **params: str) -> None:
        super().__init__(message % params if params else message)
        self.status = status
        self.message = message
        self.params: Mapping[str, str] = params


@dataclass(frozen=True)
class MoveDone:
    stage: str
    approved: bool  # through ``approve`` (an ERP push was queued)


def move_card(
    session: Session,
    principal: Principal,
    *,
    onboarding: Onboarding,
    context: BackofficeContext,
    to_stage: str,
    from_stage: str,
    reason: str,
) -> MoveDone:
    """Moves ``onboarding`` to ``to_stage`` (the caller commits); ``Refused`` says why not."""
    reason = reason.strip()
    if onboarding.stage != from_stage:
        raise Refused(
            409,
            _l("This card was moved meanwhile. The board was reloaded: check it and try again."),
        )
    if not reason:
        raise Refused(422, _l("Say why the card moves."))
    if len(reason) > REASON_MAX:
        raise Refused(422, _l("The reason is too long (at most 300 characters)."))
    approving = _check_move(onboarding, principal, context=context, to_stage=to_stage)
    try:
        if approving:
            approve(
                session,
                onboarding,
                principal=principal,
                approval_roles=context.settings.approval_roles,
                reason=reason,
                now=context.now(),
                pipelines=context.pipelines,
                links=link_policy(context.settings),
            )
        else:
            move_stage(
                session,
                onboarding,
                principal=principal,
                to_stage=to_stage,
                reason=reason,
                now=context.now(),
                pipelines=context.pipelines,
                links=link_policy(context.settings),
            )
    except (Conflict, Invalid) as refused:
        if refused.detail.startswith(INCOMPLETE):
            raise Refused(
                422,
                _l(
                    "The registration is incomplete (it needs the CNPJ and the company name): "
                    "complete it in the client record first."
                ),
            ) from refused
        raise Refused(
            422, _l("The move was refused: %(detail)s"), detail=refused.detail
        ) from refused
    return MoveDone(stage=to_stage, approved=approving)


def _check_move(
    onboarding: Onboarding, principal: Principal, *, context: BackofficeContext, to_stage: str
) -> bool:
    """Refuses a move the pipeline or the caller's role does not allow; True when the move is
    the stage's approval."""
    template = context.pipelines.for_segment(onboarding.segment)
    if not template.has_stage(to_stage) or not template.has_stage(onboarding.stage):
        raise Refused(422, _l("Choose one of the stages offered."))
    current, target = template.stage(onboarding.stage), template.stage(to_stage)
    if current.terminal:
        raise Refused(422, _l("This onboarding has ended: it cannot move."))
    if target.id not in current.next:
        raise Refused(
            422,
            _l("The pipeline does not allow moving from %(from_stage)s to %(to_stage)s."),
            from_stage=onboarding.stage,
            to_stage=to_stage,
        )
    if target.requires_csm and onboarding.csm_id is None:
        raise Refused(422, _l("%(to_stage)s needs a CSM assigned first."), to_stage=to_stage)
    approving = current.approval and target.id == current.approve_to
    if approving and principal.role not in context.settings.approval_roles:
        raise Refused(
            403, _l("Moving to %(to_stage)s needs an approval by a manager."), to_stage=to_stage
        )
    return approving


def assign_card(
    session: Session,
    principal: Principal,
    *,
    onboarding: Onboarding,
    context: BackofficeContext,
    csm_id: int | None,
) -> str | None:
    """Assigns the onboarding's CSM (None: back to the queue); returns the CSM's name.

    A CSM calling, or a manager naming another team's CSM, is ``assign_csm``'s ``Forbidden``
    (the 403 page); an unknown or inactive CSM becomes a ``Refused`` 422."""
    try:
        assign_csm(session, onboarding, principal=principal, csm_id=csm_id, now=context.now())
    except Invalid as refused:
        raise Refused(422, _l("Choose one of the CSMs offered.")) from refused
    if csm_id is None:
        return None
    return session.get_one(StaffUser, csm_id).name


@dataclass(frozen=True)
class CsmOption:
    """A CSM a manager may assign, with their load (open escalations against their cap)."""

    id: int
    name: str
    team: str
    open_escalations: int
    cap: int
    onboardings: int  # onboardings assigned to them that are not finished


def csm_options(session: Session, principal: Principal) -> list[CsmOption]:
    """The CSMs ``principal`` may assign (``assign_csm``'s rule: a manager's team, an admin's
    everyone), active ones, with their load."""
    query = select(StaffUser).where(StaffUser.role == "csm", StaffUser.active.is_(True))
    if principal.role != "admin":
        query = query.where(StaffUser.team == principal.team)
    staff = list(session.scalars(query.order_by(StaffUser.name, StaffUser.id)))
    loads = open_loads(session, (s.id for s in staff))
    assigned: dict[int | None, int] = {
        csm_id: int(count)
        for csm_id, count in session.execute(
            select(Onboarding.csm_id, func.count(Onboarding.id))
            .where(
                Onboarding.csm_id.in_([s.id for s in staff]), Onboarding.stage.not_in(FINAL_STAGES)
            )
            .group_by(Onboarding.csm_id)
        )
    }
    return [
        CsmOption(
            id=s.id,
            name=s.name,
            team=s.team,
            open_escalations=loads[s.id],
            cap=s.max_open_escalations,
            onboardings=assigned.get(s.id, 0),
        )
        for s in staff
    ]
