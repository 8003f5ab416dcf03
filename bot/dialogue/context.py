"""What the engine may read about the world beyond the dialogue state, for one turn."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.onboarding import STAGE_LABELS, Stage


@dataclass(frozen=True, slots=True)
class ConversationContext:
    stage: Stage = Stage.CADASTRO
    csm_name: str | None = None
    opted_out: bool = False

    def stage_label(self, language: str) -> str:
        return STAGE_LABELS[self.stage]["en" if language == "en" else "pt"]
