"""What the dialogue may ask about a conversation during its turn (``ConversationContext``),
read inside the turn's transaction: the stage and the CSM, the training scheduler bound to the
onboarding, the NPS question awaiting its score, the client's documents and requests for a
person (``SessionProgress``), and the status page's links."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.dialogue.context import ConversationContext
from bot.dialogue.training.offers import BOOKABLE_STAGES
from bot.domain.onboarding import Stage
from bot.service.progress import HumanWaitPolicy, SessionProgress
from bot.service.status_links import SessionStatusLinks, StatusLinkPolicy
from bot.service.training.scheduler import SessionTrainingScheduler, TrainingPolicy, awaiting_nps
from bot.storage.models import Conversation, Onboarding, StaffUser

__all__ = ["turn_context"]


def turn_context(
    session: Session,
    conversation: Conversation,
    *,
    now: datetime,
    timezone: str,
    training: TrainingPolicy | None,
    human_wait: HumanWaitPolicy | None,
    status_links: StatusLinkPolicy | None,
) -> ConversationContext:
    """The conversation's context for one turn; ``training`` or ``status_links`` None: no
    scheduler, no status page link."""
    onboarding = (
        session.get(Onboarding, conversation.onboarding_id)
        if conversation.onboarding_id is not None
        else None
    )
    csm = (
        session.get(StaffUser, onboarding.csm_id)
        if onboarding is not None and onboarding.csm_id is not None
        else None
    )
    stage = Stage(onboarding.stage) if onboarding is not None else Stage.CADASTRO
    return ConversationContext(
        stage=stage,
        csm_name=csm.name if csm is not None else None,
        opted_out=conversation.opted_out,
        now=now,
        timezone=timezone,
        training=(
            SessionTrainingScheduler(
                session, conversation=conversation, onboarding=onboarding, now=now, policy=training
            )
            if training is not None and onboarding is not None
            else None
        ),
        nps_booking_id=(
            awaiting_nps(session, onboarding_id=onboarding.id, now=now)
            if onboarding is not None and stage in BOOKABLE_STAGES
            else None
        ),
        progress=SessionProgress(session, conversation=conversation, now=now, policy=human_wait),
        status_links=(
            SessionStatusLinks(session, conversation=conversation, now=now, policy=status_links)
            if status_links is not None
            else None
        ),
    )
