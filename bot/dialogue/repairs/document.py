"""A reading shown to the client: "1) Está tudo certo 2) Corrigir um dado 3) Enviar outra
foto". A single field can be fixed by typing it ("o CPF é 529.982.247-25", "nome: Maria
Souza"), or by picking it and then typing its value."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bot.dialogue.catalog import fold
from bot.dialogue.dialogue import Outcome
from bot.dialogue.documents import (
    CONFIRM_OPTIONS,
    done_word,
    kind_name,
    present,
    validate_field,
)
from bot.dialogue.effects import DocumentConfirmed, Escalate
from bot.dialogue.state import DocumentPending
from bot.dialogue.texts import text
from bot.dialogue.turn import Turn
from bot.dialogue.understanding import Option, choices_of, pick
from bot.domain.documents import field_label
from bot.domain.validators import Problem
from flows import DocumentStep

if TYPE_CHECKING:
    from bot.dialogue.dialogue import Dialogue

__all__ = ["DocumentRepair"]

# What clients call a document's fields besides their labels.
_FIELD_WORDS: dict[str, tuple[str, ...]] = {
    "nome": ("nome", "meu nome", "name"),
    "cpf": ("cpf",),
    "data_nascimento": ("nascimento", "data de nascimento", "birth", "date of birth"),
    "numero_registro": ("registro", "numero de registro", "numero da cnh", "registration"),
    "validade": ("validade", "vencimento", "valid until", "expiry"),
    "rg": ("rg", "identidade", "numero do rg"),
    "cnpj": ("cnpj",),
    "razao_social": ("razao social", "nome empresarial", "legal name"),
    "nome_fantasia": ("nome fantasia", "fantasia", "trade name"),
    "data_abertura": ("abertura", "data de abertura", "opening date"),
    "cep": ("cep",),
    "municipio": ("municipio", "cidade", "city"),
    "uf": ("uf", "estado", "state"),
    "situacao_cadastral": ("situacao", "situacao cadastral", "status"),
}
_RESEND = "resend"


def _field_options(pending: DocumentPending) -> list[Option]:
    options = [
        Option(
            name,
            (
                field_label(name, "pt"),
                field_label(name, "en"),
            ),
            aliases=_FIELD_WORDS.get(name, ()),
        )
        for name in pending.fields
    ]
    return [*options, next(o for o in CONFIRM_OPTIONS if o.id == _RESEND)]


def _named_field(pending: DocumentPending, folded: str) -> tuple[str, str] | None:
    """(field, the text after its name) when the message names one of the reading's fields."""
    best: tuple[int, str, str] | None = None
    for name in pending.fields:
        words = (*_FIELD_WORDS.get(name, ()), fold(field_label(name, "pt")))
        for word in words:
            match = re.search(rf"(?<!\w){re.escape(word)}(?!\w)", folded)
            if match and (best is None or len(word) > best[0]):
                best = (len(word), name, folded[match.end() :])
    return (best[1], best[2]) if best else None


class DocumentRepair:
    def take(self, turn: Turn, dialogue: Dialogue, *, pending: DocumentPending) -> Outcome:
        said = turn.said
        if pending.stage == "field_value":
            return self._field_value(
                turn, dialogue, pending=pending, field=pending.field, typed=said.body
            )
        named = _named_field(pending, said.folded)
        if named is not None and pending.stage in ("confirm", "which_field"):
            field, rest = named
            value = _typed_value(said.body, field)
            if value:
                return self._field_value(turn, dialogue, pending=pending, field=field, typed=value)
            if not rest.strip() or pending.stage == "which_field" or len(rest.split()) <= 3:
                return self._ask_field(turn, pending, field=field)
        options = CONFIRM_OPTIONS if pending.stage == "confirm" else _field_options(pending)
        chosen = pick(said, options)
        if chosen is None:
            return Outcome.UNFIT
        turn.state.invalid_count = 0
        if chosen.id == "ok":
            self._confirm(turn, dialogue, pending=pending)
        elif chosen.id == _RESEND:
            turn.say(text("document_retry", turn.language))
        elif chosen.id == "fix":
            pending.stage = "which_field"
            turn.state.pending = pending
            self.reask(turn, dialogue, pending=pending)
        else:
            return self._ask_field(turn, pending, field=chosen.id)
        return Outcome.TAKEN

    def _ask_field(self, turn: Turn, pending: DocumentPending, *, field: str) -> Outcome:
        pending.stage, pending.field = "field_value", field
        turn.state.pending = pending
        label = field_label(field, turn.language)
        turn.say(text("document_ask_field", turn.language, params={"label": label}))
        return Outcome.TAKEN

    def _field_value(
        self, turn: Turn, dialogue: Dialogue, *, pending: DocumentPending, field: str, typed: str
    ) -> Outcome:
        value = validate_field(field, typed)
        if isinstance(value, Problem):
            if turn.said.requests(dialogue.settings.interruption_confidence) or (
                pending.stage != "field_value" and turn.said.intent != "inform"
            ):
                return Outcome.UNFIT
            pending.stage, pending.field = "field_value", field
            dialogue.reject(
                turn, text(value.code, turn.language, params=value.params), pending=pending
            )
            return Outcome.TAKEN
        turn.state.invalid_count = 0
        pending.fields[field] = value
        if field not in pending.fixed:
            pending.fixed.append(field)
        label = field_label(field, turn.language)
        present(
            turn, pending, lead=text("document_field_fixed", turn.language, params={"label": label})
        )
        return Outcome.TAKEN

    def _confirm(self, turn: Turn, dialogue: Dialogue, *, pending: DocumentPending) -> None:
        state, lang = turn.state, turn.language
        state.pending = None
        state.set_slot(pending.slot, pending.document_id)
        turn.effects.append(
            DocumentConfirmed(
                pending.document_id,
                pending.document_kind,
                dict(pending.fields),
                corrected=tuple(pending.fixed),
            )
        )
        turn.say(
            text(
                "document_confirmed",
                lang,
                params={
                    "document": _capital(kind_name(pending.document_kind, lang)),
                    "done": done_word(pending.document_kind, lang),
                },
            )
        )
        if pending.mismatches:
            turn.effects.append(Escalate("document_mismatch", "; ".join(pending.mismatches)[:500]))
            turn.say(text("document_mismatch_escalated", lang))
        step = dialogue.walker.current_step(state)
        if isinstance(step, DocumentStep) and step.slot == pending.slot:
            dialogue.goto(turn, step.next)

    def reask(self, turn: Turn, dialogue: Dialogue, *, pending: DocumentPending) -> None:
        lang = turn.language
        if pending.stage == "which_field":
            turn.say(text("document_which_field", lang), choices_of(_field_options(pending), lang))
        elif pending.stage == "field_value":
            label = field_label(pending.field, lang)
            turn.say(text("document_ask_field", lang, params={"label": label}))
        else:
            turn.state.pending = pending
            name = kind_name(pending.document_kind, lang)
            turn.say(
                text("document_confirm_again", lang, params={"document": name}),
                choices_of(CONFIRM_OPTIONS, lang),
            )

    def explain(self, turn: Turn, dialogue: Dialogue, *, pending: DocumentPending) -> None:
        dialogue.reject(turn, text("choice_unknown", turn.language), pending=pending)


def _typed_value(body: str, field: str) -> str:
    """The value after the field's name: "o CPF é 529.982.247-25" → "529.982.247-25"."""
    match = re.search(
        r"(?:\bé\b|\beh\b|\be\b|:|=|\bis\b|\bcorreto\b|\bcerto\b)\s*(.+)$", body, re.I
    )
    if match is None:
        return ""
    value = match.group(1).strip(" .!")
    return "" if isinstance(validate_field(field, value), Problem) and len(value) < 2 else value


def _capital(name: str) -> str:
    return name[:1].upper() + name[1:]
