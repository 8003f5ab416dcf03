"""The answer to "em que etapa estou?": stage, what is pending, what we are doing, who the CSM is."""

from __future__ import annotations

from bot.dialogue.context import ConversationContext
from bot.dialogue.state import DialogueState
from bot.dialogue.texts import text
from bot.domain.onboarding import COMPANY_ACTIVITY, Stage


def status_text(state: DialogueState, context: ConversationContext, current_question: str) -> str:
    lang = state.language
    stage = context.stage
    lines = [
        text(
            "status",
            lang,
            {"stage": context.stage_label(lang), "activity": COMPANY_ACTIVITY[stage][lang]},
        )
    ]
    pending: list[str] = []
    if stage is Stage.CADASTRO and not state.finished:
        pending.append(text("pending_registration", lang, {"count": current_question or "—"}))
    if stage is Stage.DOCUMENTOS:
        pending.append(text("pending_documents", lang))
    if pending:
        lines.append(text("status_pending", lang, {"items": "; ".join(pending)}))
    else:
        lines.append(text("status_nothing_pending", lang))
    if context.csm_name:
        lines.append(text("status_csm", lang, {"csm": context.csm_name}))
    else:
        lines.append(text("status_no_csm", lang))
    return "\n".join(lines)
