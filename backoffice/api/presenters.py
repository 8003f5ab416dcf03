"""Onboardings as the API shows them: with the company name and the current SLA."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from backoffice.api.deps import BackofficeContext
from backoffice.schemas.onboardings import OnboardingPublic, SlaPublic
from backoffice.sla import StageSla, load_activity, onboarding_sla
from bot.storage.models import Client, Onboarding


def sla_public(sla: StageSla | None) -> SlaPublic | None:
    """The API's view of a stage's SLA, in business hours."""
    if sla is None:
        return None
    status_ = sla.status
    return SlaPublic(
        stage=sla.stage,
        target_business_hours=sla.target_business_hours,
        status=status_.status.value,
        due_at=status_.due_at,
        elapsed_business_hours=round(status_.elapsed_business_seconds / 3600, 4),
        remaining_business_hours=round(status_.remaining_business_seconds / 3600, 4),
        client_waiting_business_hours=round(status_.client_waiting_seconds / 3600, 4),
        company_waiting_business_hours=round(status_.company_waiting_seconds / 3600, 4),
        waiting_on="client" if sla.waiting_on == "client" else "company",
        clock_paused=sla.pauses_clock and sla.waiting_on == "client",
    )


def present(
    session: Session, context: BackofficeContext, *, onboardings: list[Onboarding]
) -> list[OnboardingPublic]:
    """Onboardings with company name and current SLA (activity loaded in bulk)."""
    activity = load_activity(session, (o.id for o in onboardings), current_stage_only=True)
    client_ids = {o.client_id for o in onboardings}
    names: dict[int, str | None] = {
        client_id: name
        for client_id, name in session.execute(
            select(Client.id, Client.company_name).where(Client.id.in_(client_ids))
        )
    }
    now = context.now()
    result = []
    for onboarding in onboardings:
        template = context.pipelines.find(onboarding.segment)
        sla = None
        if template is not None:  # an unknown segment shows no SLA rather than failing the list
            sla = onboarding_sla(
                onboarding,
                template=template,
                activity=activity[onboarding.id],
                calendar=context.calendar,
                now=now,
                at_risk_share=context.settings.sla_at_risk_share,
            )
        public = OnboardingPublic.model_validate(onboarding)
        public.company_name = names.get(onboarding.client_id)
        public.sla = sla_public(sla)
        result.append(public)
    return result
