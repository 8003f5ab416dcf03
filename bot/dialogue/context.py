"""What the engine may read about the world beyond the dialogue state, for one turn."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.onboarding import STAGE_LABELS, Stage
from bot.domain.training import TrainingScheduler


@dataclass(frozen=True, slots=True)
class ConversationContext:
    stage: Stage = Stage.CADASTRO
    csm_name: str | None = None
    opted_out: bool = False
    now: datetime | None = None
    timezone: str = "America/Sao_Paulo"
    training: TrainingScheduler | None = None  # None: scheduling is not offered in the chat
    nps_booking_id: int | None = None  # a session whose NPS question awaits its answer

    def stage_label(self, language: str) -> str:
        return STAGE_LABELS[self.stage]["en" if language == "en" else "pt"]
