"""Rows and bodies for the agreements' routes in the access matrix (route_cases.py)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from bot.storage.models.agreements import Agreement
from tests.backoffice.route_rows import World, owned


def next_workday(world: World, *, after_days: int = 2) -> date:
    """A weekday ``after_days`` or more days after the clock's day (never a holiday here)."""
    day = world.clock.now().date() + timedelta(days=after_days)
    while day.weekday() >= 5 or (day.month, day.day) in {(12, 25), (1, 1)}:
        day += timedelta(days=1)
    return day


def agreement_body(world: World) -> dict[str, Any]:
    return {
        "what": "Enviar o contrato social assinado",
        "owed_by": "client",
        "due_on": next_workday(world).isoformat(),
    }


def with_agreement(world: World) -> dict[str, Any]:
    ids = owned(world)
    agreement = Agreement(
        onboarding_id=ids["onboarding_id"],
        client_id=ids["client_id"],
        what="Enviar o contrato social",
        owed_by="client",
        due_on=next_workday(world),
        status="open",
        created_at=world.clock.now(),
        created_by=f"staff:{world.target.owner.id}",
    )
    world.session.add(agreement)
    world.session.flush()
    return {**ids, "agreement_id": agreement.id}
