"""A reading shown to the client: "1) Está tudo certo 2) Corrigir um dado 3) Enviar outra
foto". A single field can be fixed by typing it ("o CPF é 529.982.247-25", "nome: Maria
Souza"), or by picking it and then typing its value."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.dialogue.dialogue import Outcome
from bot.dialogue.documents import (
    CONFIRM_OPTIONS,
    done_word,
    kind_name,
    present,
    validate_field,
)
from bot.dialogue.documents_fixes import (
    Fix,
    answer_value,
    field_words,
    fixable_fields,
    fixes_in,
)
from bot.dialogue.effects import DocumentConfirmed, Escalate
from bot.dialogue.state import DocumentPending
from bot.dialogue.texts import text
from bot.dialogue.turn import Turn
from bot.dialogue.understanding import Option, choices_of, pick
from bot.domain.documents import field_label, format_field
from bot.domain.validators import Problem
from flows import DocumentStep

if TYPE_CHECKING:
    from bot.dialogue.dialogue import Dialogue

__all__ = ["DocumentRepair"]

_RESEND = "resend"


def _field_options(pending: DocumentPending) -> list[Option]:
    options = [
        Option(
            name,
            (
                field_label(name, "pt"),
                field_label(name, "en"),
            ),
            aliases=tuple(sorted(field_words(name))),
        )
        for name in fixable_fields(pending.document_kind, pending.fields)
    ]
    return [*options, next(o for o in CONFIRM_OPTIONS if o.id == _RESEND)]


class DocumentRepair:
    def take(self, turn: Turn, dialogue: Dialogue, *, pending: DocumentPending) -> Outcome:
        said = turn.said
        fields = fixable_fields(pending.document_kind, pending.fields)
        if pending.stage == "field_value":
            # "o nome é Maria da Silva" at "Qual é o valor certo de Nome?": the value after it;
            # "o nome do segundo sócio é …" there: that field's, not the one asked
            named = fixes_in(said.body, fields=fields, uncertain=[], bare_value=False)
            if any(f.value for f in named):
                return self._fixes(turn, dialogue, pending=pending, fixes=named)
            typed = answer_value(pending.field, said.body)  # "é Maria da Silva", "it's …"
            return self._field_value(
                turn, dialogue, pending=pending, field=pending.field, typed=typed
            )
        open_ = [f for f in pending.uncertain if f not in pending.fixed]
        fixes = fixes_in(said.body, fields=fields, uncertain=open_)
        if fixes:
            return self._fixes(turn, dialogue, pending=pending, fixes=fixes)
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

    def _fixes(
        self, turn: Turn, dialogue: Dialogue, *, pending: DocumentPending, fixes: list[Fix]
    ) -> Outcome:
        """Every field typed is fixed; one named without its value, or typed wrong, is asked."""
        if len(fixes) == 1:
            fix = fixes[0]
            if not fix.value:
                return self._ask_field(turn, pending, field=fix.field)
            return self._field_value(
                turn, dialogue, pending=pending, field=fix.field, typed=fix.value, named=True
            )
        done: list[str] = []
        refused: tuple[str, Problem] | None = None
        for fix in fixes:
            value = validate_field(fix.field, fix.value) if fix.value else None
            if isinstance(value, str):
                _record(turn, pending, field=fix.field, value=value)
                done.append(fix.field)
            elif refused is None:
                refused = (fix.field, value or Problem(""))
        lang = turn.language
        lead = _fixed_lead(done, lang)
        if refused is None:
            turn.state.invalid_count = 0
            present(turn, pending, lead=lead)
            return Outcome.TAKEN
        field, problem = refused
        if lead:
            turn.say(lead)
        if not problem.code:
            return self._ask_field(turn, pending, field=field)
        pending.stage, pending.field = "field_value", field
        dialogue.reject(turn, text(problem.code, lang, params=problem.params), pending=pending)
        return Outcome.TAKEN

    def _ask_field(self, turn: Turn, pending: DocumentPending, *, field: str) -> Outcome:
        pending.stage, pending.field = "field_value", field
        turn.state.pending = pending
        label = field_label(field, turn.language)
        turn.say(text("document_ask_field", turn.language, params={"label": label}))
        return Outcome.TAKEN

    def _field_value(
        self,
        turn: Turn,
        dialogue: Dialogue,
        *,
        pending: DocumentPending,
        field: str,
        typed: str,
        named: bool = False,
    ) -> Outcome:
        """``named``: the message named the field and gave a value ("nascimento errado, é
        12/3/80"): about the reading, whatever the NLU hears; an invalid value is explained."""
        value = validate_field(field, typed)
        if isinstance(value, Problem):
            if not named and (
                turn.said.requests(dialogue.settings.interruption_confidence)
                or (pending.stage != "field_value" and turn.said.intent != "inform")
            ):
                return Outcome.UNFIT
            pending.stage, pending.field = "field_value", field
            dialogue.reject(
                turn, text(value.code, turn.language, params=value.params), pending=pending
            )
            return Outcome.TAKEN
        turn.state.invalid_count = 0
        _record(turn, pending, field=field, value=value)
        present(turn, pending, lead=_fixed_lead([field], turn.language))
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
        # "é a CNH do meu sócio": with differences shown, say what each answer does about them
        key = "document_mismatch_explain" if pending.mismatches else "choice_unknown"
        dialogue.reject(turn, text(key, turn.language), pending=pending)


# The reading's fields the registration also asked: a typed value that differs is a difference.
_REGISTERED = ("cnpj", "cep")


def _record(turn: Turn, pending: DocumentPending, *, field: str, value: str) -> None:
    """A field the client typed. A difference the reader found that quotes the value replaced
    now says what the client changed (the team still checks it on the document); a CNPJ or CEP
    other than the registration's is a difference, as the reader's cross-check would say."""
    lang = turn.language
    old = pending.fields.get(field, "")
    pending.fields[field] = value
    if field not in pending.fixed:
        pending.fixed.append(field)
    label = field_label(field, lang)
    shown = {"label": label, "read": format_field(field, old), "typed": format_field(field, value)}
    if old and old != value:
        replaced = text("document_fix_replaced", lang, params=shown)
        quotes = [q for q in (format_field(field, old), old) if len(q) >= 5]  # not "SP"
        pending.mismatches = [
            replaced if any(q in line for q in quotes) else line for line in pending.mismatches
        ]
    registered = turn.state.slots.get(field)
    if field not in _REGISTERED or not isinstance(registered, str) or registered == value:
        return
    params = {**shown, "registered": format_field(field, registered)}
    differs = text("document_fix_differs", lang, params=params)
    if differs not in pending.mismatches:
        pending.mismatches.append(differs)


def _fixed_lead(fields: list[str], language: str) -> str:
    """ "Anotei a correção de “Nome”." / "Anotei as correções: Nome e CPF." """
    labels = [field_label(f, language) for f in fields]
    if len(labels) <= 1:
        return text("document_field_fixed", language, params={"label": labels[0]}) if labels else ""
    joined = f"{', '.join(labels[:-1])} {'and' if language == 'en' else 'e'} {labels[-1]}"
    return text("document_fields_fixed", language, params={"labels": joined})


def _capital(name: str) -> str:
    return name[:1].upper() + name[1:]
