"""Why a question is asked: "pra que vocês precisam do CPF?", "por que pedem o celular?",
"why do you need my address?", "é obrigatório?". The answer is the named step's ``why`` (a
flow's text), else the current question's, else the general privacy answer; then the
question the client owes is asked again. Placed before corrections and interruptions: a
question about a field is neither a correction nor a request for the documents list.

Also here, the other question about what a document step asks: "posso digitar os dados em vez
de mandar foto?" (``offers_no_file``, answered by the interruptions; corrections let it by)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bot.dialogue.catalog import fold
from bot.dialogue.documents import kind_name
from bot.dialogue.texts import TEXTS, text
from bot.dialogue.turn import Turn
from flows import AskStep, ChoiceStep, DocumentStep, Text

if TYPE_CHECKING:
    from bot.dialogue.dialogue import Dialogue

__all__ = ["WhyHandler", "answer_without_file", "asks_why", "offers_no_file"]

_WHY = re.compile(
    r"(?<!\w)(?:pra que|para que|pra q|pra qu|por que|porque|pq|por q|why|what for|"
    r"what s it for|what is it for|what do you need|for what)(?!\w)"
)
_NEED = re.compile(
    r"(?<!\w)(?:precis\w*|ped\w*|quer\w*|need\w*|want\w*|ask\w*|usa\w*|use\w*|serve\w*|"
    r"obrigatori\w*|required|mandatory|necessari\w*|importa\w*|vao fazer|fazem)(?!\w)"
)
_BARE = re.compile(
    r"^(?:mas )?(?:pra que|para que|por que|porque|pq|why)(?: isso| this| that)?$|"
    r"^(?:e |eh |isso e |is (?:it|this|that) )?(?:obrigatori[oa]|necessari[oa]|required|"
    r"mandatory)$"
)


_LEAD = re.compile(
    r"^(?:(?:mas|e|ok|oi|ola|so|uma duvida|duvida|hey|but|and|so|quick question)\s+)*"
)


def asks_why(folded: str, *, question_mark: bool = False) -> bool:
    """ "pra que vocês precisam do CNPJ?", "why do you need it", "é obrigatório?" — a why at
    the start, or anywhere in a question ("quero mudar porque errei" asks nothing)."""
    if _BARE.match(folded):
        return True
    found = _WHY.search(folded)
    if found is None or _NEED.search(folded, found.start()) is None:
        return False
    lead = _LEAD.match(folded)
    return question_mark or found.start() == (lead.end() if lead else 0)


_Asked = AskStep | ChoiceStep | DocumentStep


def _names(step: _Asked) -> list[str]:
    names = [*step.aliases]
    if step.label is not None:
        names += [step.label.pt, step.label.en]
    return [n for n in (fold(n) for n in names) if n]


def _named_why(folded: str, dialogue: Dialogue) -> Text | None:
    """The ``why`` of the step whose name the message says (the longest name wins)."""
    best: tuple[int, Text] | None = None
    for flow in dialogue.walker.flows.values():
        for step in flow.steps.values():
            if not isinstance(step, _Asked) or step.why is None:
                continue
            for name in _names(step):
                if re.search(rf"(?<!\w){re.escape(name)}(?!\w)", folded) and (
                    best is None or len(name) > best[0]
                ):
                    best = (len(name), step.why)
    return best[1] if best else None


class WhyHandler:
    def check(self, turn: Turn, dialogue: Dialogue) -> bool:
        if turn.said.choice_id or turn.said.words > 16:
            return False
        said = turn.said
        return asks_why(said.folded, question_mark=said.body.rstrip().endswith("?"))

    def handle(self, turn: Turn, dialogue: Dialogue) -> bool:
        lang = turn.language
        why = _named_why(turn.said.folded, dialogue)
        if why is None:
            step = dialogue.walker.current_step(turn.state)
            why = step.why if isinstance(step, _Asked) else None
        reason = why.get(lang) if why is not None else text("why_general", lang)
        turn.say(f"{reason}\n{text('why_privacy', lang)}")
        dialogue.ask_again(turn)
        return True


# "posso digitar os dados em vez de mandar foto?", "can I just type my details instead?",
# "não consigo mandar foto", "não tenho o documento aqui, posso escrever?", "I don't have it
# with me": the client offers something else than the file. Three families, on folded text.
_TYPING = re.compile(
    r"(?<!\w)(?:digit\w*|escrev\w*|informar|por escrito|em texto|type|typing|write|writing|"
    r"in writing|as text)(?!\w)"
)
_INSTEAD = re.compile(r"(?<!\w)(?:em vez|ao inves|no lugar|instead|rather than)(?!\w)")
_ASKING = re.compile(
    r"(?<!\w)(?:posso|pode ser|da pra|da para|tem como|can i|could i|is it ok|may i)(?!\w)"
)
_DATA = re.compile(
    r"(?<!\w)(?:dados|numero|informac\w*|cnpj|cpf|nome|details|data|number|information|info|"
    r"name|it|them)(?!\w)"
)
_CANNOT_SEND = re.compile(
    r"(?<!\w)(?:nao (?:consigo|da|to conseguindo|estou conseguindo|tenho como|posso)|"
    r"can ?t|cannot|unable to|no way to)(?: \w+){0,2} (?:mandar|enviar|tirar|fazer|send|take|"
    r"upload|attach)(?: \w+){0,2} (?:foto|fotos|arquivo|imagem|pdf|documento|photo|picture|"
    r"pic|file|scan|document)(?!\w)"
)
_NOT_WITH_ME = re.compile(
    r"(?<!\w)(?:nao (?:tenho|to com|estou com)|(?:i )?don ?t have|i haven ?t got|i do not have)"
    r"(?: \w+){0,3} (?:aqui|comigo|with me|on me|here)(?!\w)"
)


def offers_no_file(turn: Turn, dialogue: Dialogue) -> DocumentStep | None:
    """The document step whose file the client offers to replace by typing, or says it
    cannot send ("posso digitar os dados?", "não consigo mandar foto"); None otherwise."""
    said = turn.said
    step = dialogue.walker.current_step(turn.state)
    if not isinstance(step, DocumentStep) or turn.state.pending is not None:
        return None
    if said.choice_id or said.words > 25 or said.folded in ("", "sim", "yes"):
        return None
    return step if _offers_no_file(said.folded, optional=step.optional) else None


def _offers_no_file(folded: str, *, optional: bool) -> bool:
    if not optional and (_CANNOT_SEND.search(folded) or _NOT_WITH_ME.search(folded)):
        return True  # at an optional step "não tenho aqui" passes it (skip_optional)
    if _TYPING.search(folded) is None:
        return False
    return bool(_INSTEAD.search(folded) or (_ASKING.search(folded) and _DATA.search(folded)))


def answer_without_file(turn: Turn, step: DocumentStep) -> None:
    """The document itself is what the team checks; where to get it as a PDF; HUMANO."""
    lang = turn.language
    names = (" or " if lang == "en" else " ou ").join(kind_name(k, lang) for k in step.kinds)
    tips = "".join(
        f" {text(f'document_pdf_{kind}', lang)}"
        for kind in step.kinds
        if f"document_pdf_{kind}" in TEXTS  # where a kind can be had as a PDF
    )
    turn.say(text("document_no_typing", lang, params={"document": names, "tips": tips}))
