"""The training tests' world: a CSM, onboardings in the training stage, weekly availability."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time

from sqlalchemy.orm import Session, sessionmaker

from bot.storage.models import Client, Onboarding, TrainingAvailability

# Monday 2026-11-23, 12:00 in São Paulo (15:00 UTC).
NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
MEETING_URL = "https://meet.example.com/acolhe-treino"


@dataclass
class World:
    factory: sessionmaker[Session]
    csm_id: int

    def onboarding(self) -> int:
        """A new client with its onboarding in the training stage."""
        with self.factory.begin() as session:
            client = Client(company_name="Padaria Pão Quente", created_at=NOW, updated_at=NOW)
            session.add(client)
            session.flush()
            onboarding = Onboarding(
                client_id=client.id,
                stage="treinamento",
                stage_entered_at=NOW,
                csm_id=self.csm_id,
                created_at=NOW,
            )
            session.add(onboarding)
            session.flush()
            return onboarding.id

    def availability(
        self, *, weekday: int, starts: time, ends: time, minutes: int = 60, capacity: int = 1
    ) -> None:
        with self.factory.begin() as session:
            session.add(
                TrainingAvailability(
                    csm_id=self.csm_id,
                    weekday=weekday,
                    starts=starts,
                    ends=ends,
                    duration_minutes=minutes,
                    capacity=capacity,
                    meeting_url=MEETING_URL,
                    active=True,
                    created_at=NOW,
                )
            )
