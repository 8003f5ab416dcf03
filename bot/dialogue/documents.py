"""Documents in the conversation: a reading that comes back from the reader is shown for
confirmation at its step; one that arrives before its step is kept and shown when the step
comes, without taking over the questions in between.

Texts name each kind with its article and gender ("a sua CNH", "o seu cartão CNPJ") and show
identifiers formatted (CNPJ 11.222.333/0001-81, CPF 529.982.247-25, CEP 01310-100).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING

from stdnum.br import cpf as stdnum_cpf

from bot.dialogue.documents_fixes import missing_key_fields
from bot.dialogue.state import DocumentPending, EarlyDocument, Frame
from bot.dialogue.texts import text
from bot.dialogue.turn import Turn
from bot.dialogue.understanding import Option, choices_of
from bot.dialogue.walker import holds
from bot.domain.documents import DocumentReading, field_label, format_field
from bot.domain.validators import (
    Problem,
    validate_cep,
    validate_cnpj,
    validate_company_name,
    validate_person_name,
)
from flows import DocumentStep

if TYPE_CHECKING:
    from bot.dialogue.dialogue import Dialogue

__all__ = [
    "CONFIRM_OPTIONS",
    "SKIPPED",
    "skip_optional",
    "confirm_early",
    "documents_still_needed",
    "not_asked_of",
    "done_word",
    "DocumentEventHandler",
    "format_field",
    "kind_name",
    "needed_documents",
    "present",
    "reading_under_way",
    "validate_field",
]

# The slot of an optional document step the client passed ("não tenho agora").
SKIPPED = "skipped"
_NOT_NOW = re.compile(
    r"\b(nao tenho( agora| ainda| aqui)?|agora nao|(mando|envio|enviar|mandar) depois|depois"
    r"|pular|pula|not now|later|skip|(i )?don ?t have it( now| yet)?|i don t have)\b"
)

# (article, name, gender) per language; "f" makes "a sua CNH ... recebida".
_KINDS: dict[str, dict[str, tuple[str, str]]] = {
    "cnpj_card": {"pt": ("m", "cartão CNPJ"), "en": ("", "CNPJ card")},
    "cnh": {"pt": ("f", "CNH"), "en": ("", "driver's licence (CNH)")},
    "rg": {"pt": ("m", "RG"), "en": ("", "ID card (RG)")},
    "comprovante_endereco": {
        "pt": ("m", "comprovante de endereço"),
        "en": ("", "proof of address"),
    },
    "contrato_social": {
        "pt": ("m", "contrato social"),
        "en": ("", "articles of association (contrato social)"),
    },
    "other": {"pt": ("m", "documento"), "en": ("", "document")},
}

CONFIRM_OPTIONS = (
    Option("ok", ("Está tudo certo", "All correct"), meaning="yes",
           aliases=("certo", "tudo certo", "correto", "ok", "confere", "confirmo", "confirmar")),
    Option("fix", ("Corrigir um dado", "Fix a field"), meaning="no",
           aliases=("corrigir", "corrigir dado", "tem erro", "esta errado", "fix", "wrong")),
    Option("resend", ("Enviar outra foto", "Send another photo"),
           aliases=("outra foto", "enviar de novo", "mandar outra", "nova foto", "another photo",
                    "send again", "reenviar", "outra empresa", "documento errado",
                    "arquivo errado", "mandei errado", "enviei errado", "foto errada",
                    "wrong company", "another company", "other company", "o pdf", "mando o pdf",
                    "vou mandar o pdf", "the pdf", "send the pdf", "pdf instead",
                    "wrong document", "wrong file", "wrong photo", "sent the wrong")),
)  # fmt: skip


def kind_name(kind: str, language: str, *, possessive: bool = False, article: bool = False) -> str:
    """ "o seu cartão CNPJ" / "a sua CNH" / "your CNPJ card"; "o cartão CNPJ" / "the CNPJ
    card" with ``article``; plain name without either."""
    entry = _KINDS.get(kind, _KINDS["other"])
    gender, name = entry["en" if language == "en" else "pt"]
    if article and not possessive:
        return f"the {name}" if language == "en" else f"{'a' if gender == 'f' else 'o'} {name}"
    if not possessive:
        return name
    if language == "en":
        return f"your {name}"
    return f"{'a sua' if gender == 'f' else 'o seu'} {name}"


def done_word(kind: str, language: str) -> str:
    gender = _KINDS.get(kind, _KINDS["other"])["pt"][0]
    if language == "en":
        return "received and confirmed"
    return "recebida e confirmada" if gender == "f" else "recebido e confirmado"


def needed_documents(dialogue: Dialogue, turn: Turn) -> str:
    step = dialogue.walker.current_step(turn.state)
    kinds = step.kinds if isinstance(step, DocumentStep) else list(dialogue.walker.document_steps)
    names = [kind_name(k, turn.language) for k in kinds]
    return (" or " if turn.language == "en" else " ou ").join(names)


def not_asked_of(turn: Turn, step: DocumentStep) -> bool:
    """This client's registration does not ask for the step's document (its
    ``required_when`` does not hold: a contrato social of a small company)."""
    state = turn.state
    frame = state.stack[0] if state.stack else Frame(flow_id="", step_id="")
    return step.required_when is not None and not holds(
        step.required_when, frame, slots=state.slots
    )


def documents_still_needed(dialogue: Dialogue, turn: Turn) -> str:
    """Every document this client must still send ("cartão CNPJ e CNH ou RG")."""
    state, lang = turn.state, turn.language
    # a finished flow: its root's slots still say which documents this segment needs
    frame = state.stack[0] if state.stack else Frame(flow_id="", step_id="")
    names = []
    seen: list[DocumentStep] = []
    kept = {d.kind for d in state.early_documents}  # read, shown at their step: not to send
    if isinstance(state.pending, DocumentPending):
        kept.add(state.pending.document_kind)  # read, waiting for the client's OK
    for step in dialogue.walker.document_steps.values():
        if step in seen or step.slot in state.slots or kept.intersection(step.kinds):
            continue
        seen.append(step)
        if frame is not None and step.required_when is not None:
            if not holds(step.required_when, frame, slots=state.slots):
                continue
        names.append(
            (" or " if lang == "en" else " ou ").join(kind_name(k, lang) for k in step.kinds)
        )
    return (" and " if lang == "en" else " e ").join(names)


def present(turn: Turn, pending: DocumentPending, *, lead: str = "") -> None:
    """Shows a reading (with the client's fixes) and asks to confirm it."""
    lang = turn.language
    lines = [lead] if lead else []
    lines.append(
        text(
            "document_read",
            lang,
            params={"document": kind_name(pending.document_kind, lang, possessive=True)},
        )
    )
    mark = text("document_uncertain_mark", lang)
    for name, value in pending.fields.items():
        label = field_label(name, lang)  # a partner's fields by number (Sócio 2)
        flag = f" {mark}" if name in pending.uncertain and name not in pending.fixed else ""
        lines.append(f"• {label}: {format_field(name, value)}{flag}")
    for name in missing_key_fields(pending.document_kind, pending.fields):
        label = field_label(name, lang)
        not_read = text("document_field_not_read", lang, params={"label": label})
        lines.append(f"• {label}: {not_read}")
    if pending.mismatches:
        lines += ["", text("document_mismatch_intro", lang)]
        lines += [f"⚠️ {m}" for m in pending.mismatches]
    lines += ["", text("document_confirm", lang)]
    pending.stage, pending.field = "confirm", ""
    turn.state.pending = pending
    turn.say("\n".join(lines), choices_of(CONFIRM_OPTIONS, lang))


def confirm_early(turn: Turn, dialogue: Dialogue, *, step: DocumentStep) -> bool:
    """At a document step: a matching document read earlier is shown for confirmation."""
    early = next((d for d in turn.state.early_documents if d.kind in step.kinds), None)
    if early is None:
        return False
    turn.state.early_documents.remove(early)
    lead = text("document_early_shown", turn.language)
    present(turn, _pending_of(early, step, language=turn.language), lead=lead)
    return True


def _mismatches(reading: DocumentReading, language: str) -> list[str]:
    """The differences in the language the client reads (kept as said, for the team too)."""
    return [m.reason_en if language == "en" else m.reason_pt for m in reading.mismatches]


def _pending_of(
    reading: EarlyDocument | DocumentReading, step: DocumentStep, *, language: str
) -> DocumentPending:
    mismatches = (
        reading.mismatches if isinstance(reading, EarlyDocument) else _mismatches(reading, language)
    )
    return DocumentPending(
        slot=step.slot,
        document_id=reading.document_id,
        document_kind=reading.kind,
        fields=dict(reading.fields),
        uncertain=list(reading.uncertain),
        mismatches=list(mismatches),
    )


class DocumentEventHandler:
    """The reader's result for a file the client sent (``InboundMessage.document``)."""

    def check(self, turn: Turn, dialogue: Dialogue) -> bool:
        return turn.said.message.document is not None

    def handle(self, turn: Turn, dialogue: Dialogue) -> bool:
        reading = turn.said.message.document
        assert reading is not None
        state, lang = turn.state, turn.language
        if reading.rejected:
            turn.say(reading.rejected_en if lang == "en" else reading.rejected_pt)
            tip = reading.tip_en if lang == "en" else reading.tip_pt
            if tip:
                turn.say(tip)
            if isinstance(state.pending, DocumentPending):
                dialogue.ask_again(turn)  # the reading shown before still waits for its OK
            elif isinstance(dialogue.walker.current_step(state), DocumentStep):
                # what to do now, and a way out: with the reason, one message
                turn.add_line(text("document_send_another", lang))
            _back_to_question(turn, dialogue)
            return True
        step = dialogue.walker.document_steps.get(reading.kind)
        if step is None:
            if _another_being_read(turn):  # the RG's front, its back still being read
                turn.say(text("document_unknown_other_coming", lang))
                return True
            turn.say(
                text("document_unknown", lang, params={"needed": needed_documents(dialogue, turn)})
            )
            _back_to_question(turn, dialogue)
            return True
        if not reading.fields:  # its kind recognised, none of its details read
            document = kind_name(reading.kind, lang, possessive=True)
            turn.say(text("document_no_fields", lang, params={"document": document}))
            _back_to_question(turn, dialogue)
            return True
        if step.slot not in state.slots and not_asked_of(turn, step):
            _keep_not_asked(turn, dialogue, reading=reading)
            return True
        if state.slots.get(step.slot) == SKIPPED:
            if state.pending is None:
                present(turn, _pending_of(reading, step, language=lang))  # passed earlier, sent now
            else:
                _keep_early(turn, reading)
            return True
        if step.slot in state.slots:
            _say_about(turn, dialogue, key="document_not_needed", kind=reading.kind)
            return True
        current = dialogue.walker.current_step(state)
        open_ = state.pending
        replaces = isinstance(open_, DocumentPending) and open_.slot == step.slot
        if current is step and (open_ is None or replaces):
            present(turn, _pending_of(reading, step, language=lang))  # a newer photo replaces
            return True
        _keep_early(turn, reading)
        if isinstance(current, DocumentStep) and state.pending is None:
            _say_about(turn, dialogue, key="document_kept_for_later", kind=reading.kind)
        elif isinstance(open_, DocumentPending):  # "te respondo em instantes" was promised
            shown = kind_name(open_.document_kind, lang, article=True)
            document = kind_name(reading.kind, lang, possessive=True)
            params = {"document": document, "shown": shown}
            turn.say(text("document_kept_while_confirming", lang, params=params))
        return True


def _keep_not_asked(turn: Turn, dialogue: Dialogue, *, reading: DocumentReading) -> None:
    """A document this registration does not ask for: kept (shown at its step if the
    registration comes to ask it), and said so."""
    _keep_early(turn, reading)
    needed = documents_still_needed(dialogue, turn)
    key = "document_kept_not_asked" if needed else "document_kept_not_asked_done"
    document = kind_name(reading.kind, turn.language)
    turn.say(text(key, turn.language, params={"document": document, "needed": needed}))
    _back_to_question(turn, dialogue)


def reading_under_way(turn: Turn) -> bool:
    """A file the client sent is still with the reader and no reading waits for an OK: a
    document step asked again ("já leu?") says so instead of asking for the file again (the
    text ``document_still_reading``; wired in ``steps/document.py``)."""
    return turn.state.pending is None and _another_being_read(turn)


def _another_being_read(turn: Turn) -> bool:
    """Another file of this client is still with the reader."""
    return any(d.status in ("received", "reading") for d in turn.context.progress.documents())


def skip_optional(turn: Turn, dialogue: Dialogue, *, step: DocumentStep) -> bool:
    """At an optional document step, "não tenho agora" passes it: the slot holds ``SKIPPED``
    (the file may still come later and is then shown for confirmation) and the flow goes on."""
    if not step.optional or _NOT_NOW.search(turn.said.folded) is None:
        return False
    turn.state.set_slot(step.slot, SKIPPED)
    document = kind_name(step.kinds[0], turn.language, possessive=True)
    turn.say(text("document_skipped", turn.language, params={"document": document}))
    dialogue.goto(turn, step.next)
    return True


def _say_about(turn: Turn, dialogue: Dialogue, *, key: str, kind: str) -> None:
    """ "Recebi: a CNH, … agora preciso de: …" """
    document = kind_name(kind, turn.language)
    needed = needed_documents(dialogue, turn)
    turn.say(text(key, turn.language, params={"document": document, "needed": needed}))


def _back_to_question(turn: Turn, dialogue: Dialogue) -> None:
    """Away from the documents step, the question the client was on comes back."""
    if not isinstance(dialogue.walker.current_step(turn.state), DocumentStep):
        dialogue.ask_again(turn)


def _keep_early(turn: Turn, reading: DocumentReading) -> None:
    early = [d for d in turn.state.early_documents if d.kind != reading.kind]
    early.append(
        EarlyDocument(
            document_id=reading.document_id,
            kind=reading.kind,
            fields=dict(reading.fields),
            uncertain=list(reading.uncertain),
            mismatches=_mismatches(reading, turn.language),
        )
    )
    turn.state.early_documents = early


# --------------------------------------------------------------------- fixing one field
_UFS = frozenset(
    "AC AL AP AM BA CE DF ES GO MA MT MS MG PA PB PR PE PI RJ RN RS RO RR SC SP SE TO".split()
)


def validate_field(name: str, value: str) -> str | Problem:
    """A value the client typed for a document field, normalized like the reader's."""
    value = value.strip(" .")
    if name == "cnpj":
        checked = validate_cnpj(value)
        return checked if isinstance(checked, Problem) else str(checked)
    if name == "cpf" or name.endswith("_cpf"):  # a partner's CPF on the contrato social
        digits = re.sub(r"\D", "", value)
        return digits if stdnum_cpf.is_valid(digits) else Problem("cpf_invalid")
    if name == "cep":
        checked = validate_cep(value)
        return checked if isinstance(checked, Problem) else str(checked)
    if name.startswith("data") or name == "validade":
        return _date(value, future=name == "validade")
    if name == "uf":
        return value.upper() if value.upper() in _UFS else Problem("uf_invalid")
    if name == "nome" or name.endswith("_nome"):
        checked = validate_person_name(value)
        return str(checked).upper() if not isinstance(checked, Problem) else checked
    if name in (
        "razao_social",
        "nome_fantasia",
        "municipio",
        "situacao_cadastral",
        "titular",
        "endereco",
    ):  # the bill's holder may be a person or the company
        checked = validate_company_name(value)
        return str(checked).upper() if not isinstance(checked, Problem) else checked
    digits = re.sub(r"[^\dA-Za-z]", "", value)
    return digits.upper() if 5 <= len(digits) <= 14 else Problem("document_number_invalid")


def _date(value: str, *, future: bool = False) -> str | Problem:
    """DD/MM/YYYY; a two-digit year as people type it on a phone ("12/3/80"): a validity
    date is this century's, another date the last century's above 30."""
    match = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})", value)
    if match is None:
        return Problem("date_invalid")
    day, month, year = (int(g) for g in match.groups())
    if len(match.group(3)) == 2:
        year += 2000 if future or year <= 30 else 1900
    try:
        datetime(year, month, day)
    except ValueError:
        return Problem("date_invalid")
    return f"{day:02d}/{month:02d}/{year}"
