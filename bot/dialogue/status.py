"""The answer to "em que etapa estou?", from the real state: the stage in plain words, what
is pending from the client (the question it owes, each document), a request for a person
and whether someone took it, the CSM, the next training."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.dialogue.context import DocumentProgress
from bot.dialogue.documents import kind_name
from bot.dialogue.remaining import remaining_questions
from bot.dialogue.state import CorrectionPending, DocumentPending, Frame
from bot.dialogue.texts import text
from bot.dialogue.turn import Turn
from bot.dialogue.walker import holds
from bot.dialogue.wording import when
from bot.domain.onboarding import COMPANY_ACTIVITY, Stage
from flows import DocumentStep

if TYPE_CHECKING:
    from bot.dialogue.dialogue import Dialogue

__all__ = ["status_text"]


def status_text(turn: Turn, dialogue: Dialogue) -> str:
    lang = turn.language
    context = turn.context
    stage = context.stage
    lines = [
        text(
            "status",
            lang,
            params={"stage": context.stage_label(lang), "activity": COMPANY_ACTIVITY[stage][lang]},
        )
    ]
    pending, done = _pending_items(turn, dialogue)
    if pending:
        lines.append(text("status_pending", lang))
        lines += [f"• {item}" for item in pending]
    else:
        lines.append(text("status_nothing_pending", lang))
    left = _questions_left(turn, dialogue)
    if left:
        key = "status_questions_left_one" if left == 1 else "status_questions_left"
        lines.append(text(key, lang, params={"count": left, "minutes": max(1, -(-left // 3))}))
    being_read = _files_being_read(list(context.progress.documents()))
    if being_read and (turn.state.saved or stage is Stage.DOCUMENTOS):
        key = "status_files_reading_one" if being_read == 1 else "status_files_reading"
        lines.append(text(key, lang, params={"count": being_read}))
    if done:
        lines.append(text("status_done", lang, params={"items": "; ".join(done)}))
    if turn.state.erasure_requested:
        lines.append(text("status_erasure", lang))
    request = context.progress.open_human_request()
    if request is not None:
        since = when(request.opened_at, lang, timezone=context.timezone)
        key = "status_human_taken" if request.taken_by else "status_human_waiting"
        lines.append(text(key, lang, params={"since": since, "name": request.taken_by or ""}))
    if context.csm_name:
        lines.append(text("status_csm", lang, params={"csm": context.csm_name}))
    else:
        lines.append(text("status_no_csm", lang))
    booked = context.training.current() if context.training is not None else None
    if booked is not None:
        lines.append(
            text(
                "status_training",
                lang,
                params={"when": when(booked.starts_at, lang, timezone=context.timezone)},
            )
        )
    return "\n".join(lines)


def _questions_left(turn: Turn, dialogue: Dialogue) -> int:
    """The registration's questions still to answer, while it is being answered."""
    state = turn.state
    if not state.started or state.finished or state.saved or state.erasure_requested:
        return 0
    if isinstance(dialogue.walker.current_step(state), DocumentStep):
        return 0
    return remaining_questions(state, dialogue.walker.flows)


def _pending_items(turn: Turn, dialogue: Dialogue) -> tuple[list[str], list[str]]:
    """What the client still owes, and what of theirs is done (the documents confirmed)."""
    state = turn.state
    pending: list[str] = []
    done: list[str] = []
    question = _question(turn, dialogue)
    if question:
        pending.append(question)
    if state.saved or turn.context.stage is Stage.DOCUMENTOS:
        for name, status, confirmed in _documents(turn, dialogue):
            if confirmed:
                done.append(f"{name} {status}")
            else:
                pending.append(f"{name}: {status}")
    scheduler = turn.context.training
    if turn.context.stage is Stage.TREINAMENTO and scheduler is not None:
        if scheduler.current() is None:
            pending.append(text("status_book_training", turn.language))
    return pending, done


def _question(turn: Turn, dialogue: Dialogue) -> str:
    """The question the client owes an answer to, by its name (never "—")."""
    state, lang = turn.state, turn.language
    if state.erasure_requested:
        return ""  # nothing new is collected while the erasure is decided
    if not state.started:
        # A client past the registration (registered by the team) owes no registration.
        return text("status_start", lang) if turn.context.stage is Stage.CADASTRO else ""
    pending = state.pending
    if isinstance(pending, DocumentPending):
        return ""  # listed with the documents
    if isinstance(pending, CorrectionPending):
        info = dialogue.walker.catalog.get(pending.slot)
        if info is not None:
            return text("status_new_value", lang, params={"label": info.label(lang)})
    step = dialogue.walker.current_step(state)
    if step is None or isinstance(step, DocumentStep):
        return ""
    return text("status_answer", lang, params={"label": dialogue.walker.label_of(state, step)})


def _documents(turn: Turn, dialogue: Dialogue) -> list[tuple[str, str, bool]]:
    """(name, how it stands, confirmed) for each document this client must send. A file not
    read yet is of no known kind: it is counted apart (``_files_being_read``), never taken
    for the document the step asks for."""
    state, lang = turn.state, turn.language
    # a finished flow: its root's slots still say which documents this segment needs
    frame = state.stack[0] if state.stack else Frame(flow_id="", step_id="")
    received = list(turn.context.progress.documents())
    reading = _files_being_read(received) > 0
    lines = []
    for step in _document_steps(dialogue):
        if frame is not None and step.required_when is not None:
            if not holds(step.required_when, frame, slots=state.slots):
                continue
        name = " / ".join(kind_name(k, lang) for k in step.kinds)
        own = _document_status(turn, step, received=received)
        if reading and own == text("doc_status_missing", lang):
            own = text("doc_status_unknown", lang)  # it may be among the files being read
        lines.append((name, own, step.slot in state.slots))
    return lines


def _files_being_read(received: list[DocumentProgress]) -> int:
    return sum(1 for d in received if d.kind is None and d.status in ("received", "reading"))


def _document_steps(dialogue: Dialogue) -> list[DocumentStep]:
    seen: list[DocumentStep] = []
    for step in dialogue.walker.document_steps.values():
        if step not in seen:
            seen.append(step)
    return seen


def _document_status(turn: Turn, step: DocumentStep, *, received: list[DocumentProgress]) -> str:
    state, lang = turn.state, turn.language
    if state.slots.get(step.slot) == "skipped":  # an optional document, "não tenho agora"
        return text("doc_status_skipped", lang)
    if step.slot in state.slots:
        return text("doc_status_confirmed", lang)
    pending = state.pending
    if isinstance(pending, DocumentPending) and pending.slot == step.slot:
        return text("doc_status_read", lang)
    if any(d.kind in step.kinds for d in state.early_documents):
        return text("doc_status_early", lang)  # received and read: kept for its step
    mine = [d for d in received if d.kind in step.kinds]
    if not mine:
        return text("doc_status_missing", lang)
    return text(f"doc_status_{mine[-1].status}", lang)
