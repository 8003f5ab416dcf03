"""Interruptions: the client asks for something else mid-question (status, help, a person,
stop, erasure, a correction, documents, training, small talk). Each intent has one handler;
after it the question the client owes is asked again. Keyword commands (SAIR, HUMANO, AJUDA,
STATUS) are the same handlers, and win over everything, inside repairs too.

``check_registry`` proves at start-up that every NLU intent is either an interruption here or
an answer (``ANSWER_INTENTS``), and that every interruption has its texts.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bot.dialogue.catalog import fold
from bot.dialogue.commands import Command
from bot.dialogue.corrections import find_correction, go_back, start_correction
from bot.dialogue.documents import documents_still_needed, kind_name, not_asked_of
from bot.dialogue.effects import Escalate, OptIn, OptOut
from bot.dialogue.errors import DialogueError
from bot.dialogue.human import request_person, request_status
from bot.dialogue.repairs.clarify import clarify_options
from bot.dialogue.repairs.erasure import ask_erasure
from bot.dialogue.state import ClarifyPending, HumanOfferPending
from bot.dialogue.status import status_text
from bot.dialogue.status_link import want_status_link
from bot.dialogue.steps.confirm import ask_which_field
from bot.dialogue.texts import TEXTS, text
from bot.dialogue.training.offers import BOOKABLE_STAGES
from bot.dialogue.turn import Turn
from bot.dialogue.understanding import ANSWER_INTENTS, choices_of, is_dont_know
from bot.dialogue.why import answer_without_file, offers_no_file
from bot.domain.onboarding import Stage
from bot.domain.validators import FREE_TEXT_VALIDATORS
from flows import AskStep, DocumentStep
from nlu.types import INTENTS

if TYPE_CHECKING:
    from bot.dialogue.dialogue import Dialogue, Interruption

__all__ = [
    "ANSWER_INTENTS",
    "INTERRUPTIONS",
    "CommandHandler",
    "InterruptionHandler",
    "OptedOutHandler",
    "SMALL_TALK",
    "WEIGHTY",
    "check_registry",
    "interrupt_each",
    "requests_in",
]

SMALL_TALK = frozenset({"greet", "thank", "goodbye"})
# Requests with consequences (a complaint to the team, erasure, no more messages): a message of
# one or two words must be very clear to make them.
WEIGHTY = frozenset({"complain", "delete_data", "opt_out", "request_human", "correct_data"})
_SHORT_CONFIDENCE = 0.9


def _status(turn: Turn, dialogue: Dialogue) -> None:
    turn.say(status_text(turn, dialogue))
    want_status_link(turn, at=len(turn.replies) - 1)
    dialogue.ask_again(turn)


def _help(turn: Turn, dialogue: Dialogue) -> None:
    turn.say(text("help", turn.language))
    dialogue.ask_again(turn)


def _human(turn: Turn, dialogue: Dialogue) -> None:
    request_person(turn, dialogue, reason="request_human", detail=turn.said.body)
    _meanwhile(turn, dialogue)


def _complaint(turn: Turn, dialogue: Dialogue) -> None:
    if turn.context.progress.open_human_request() is not None:
        request_status(turn, dialogue)  # the same wait: no second escalation
    else:
        turn.effects.append(Escalate("complaint", turn.said.body[:500]))
        turn.state.awaiting_human = True
        turn.say(text("complaint", turn.language))
    _meanwhile(turn, dialogue)


def _meanwhile(turn: Turn, dialogue: Dialogue) -> None:
    if turn.state.pending is None and dialogue.walker.current_step(turn.state) is not None:
        turn.add_line(text("human_meanwhile", turn.language))
    dialogue.ask_again(turn)


def _opt_out(turn: Turn, dialogue: Dialogue) -> None:
    turn.effects.append(OptOut())
    turn.say(text("opted_out", turn.language))


def _erasure(turn: Turn, dialogue: Dialogue) -> None:
    ask_erasure(turn)


def _correct(turn: Turn, dialogue: Dialogue) -> None:
    found = find_correction(turn, dialogue)
    if found is not None:
        start_correction(turn, dialogue, found=found)
        return
    if not ask_which_field(turn, dialogue):
        dialogue.ask_again(turn)


def _documents(turn: Turn, dialogue: Dialogue) -> None:
    named = _named_document(turn, dialogue)
    if named is not None and not_asked_of(turn, named):  # "quero mandar o contrato social"
        document = kind_name(named.kinds[0], turn.language, article=True)
        turn.say(text("document_not_asked", turn.language, params={"document": document}))
    if turn.state.saved or turn.context.stage is not Stage.CADASTRO:
        needed = documents_still_needed(dialogue, turn)
        if needed:
            turn.say(text("documents_info_now", turn.language, params={"needed": needed}))
        else:
            turn.say(text("documents_all_received", turn.language))
    else:
        turn.say(text("documents_info", turn.language))
    dialogue.ask_again(turn)


def _named_document(turn: Turn, dialogue: Dialogue) -> DocumentStep | None:
    """The document step whose name the message says ("o contrato social"), or None."""
    folded = turn.said.folded
    for step in dialogue.walker.document_steps.values():
        names = [fold(n) for n in (*step.aliases, step.label.pt, step.label.en)]
        if any(n and re.search(rf"(?<!\w){re.escape(n)}(?!\w)", folded) for n in names):
            return step
    return None


_BARE_CANCEL = frozenset(
    {"cancelar", "cancela", "cancel", "quero cancelar", "cancelar tudo", "cancela tudo",
     "i want to cancel", "cancel it", "cancel everything"}
)  # fmt: skip


def _training(turn: Turn, dialogue: Dialogue) -> None:
    said = turn.said
    before = turn.state.pending
    if said.folded in _BARE_CANCEL and turn.context.stage not in BOOKABLE_STAGES:
        # "cancelar" before any training: the messages, the data, or nothing?
        options = ["opt_out", "delete_data", "request_human", "none"]
        turn.state.pending = ClarifyPending(options=options)
        lang = turn.language
        turn.say(text("clarify_cancel", lang), choices_of(clarify_options(options), lang))
        return
    dialogue.training.request(
        turn, said.command.intent if said.command else said.intent, body=said.body,
        nlu=said.nlu, context=turn.context,
    )  # fmt: skip
    if turn.state.pending is before:  # no scheduling question of its own: back to ours
        dialogue.ask_again(turn)


def _small_talk(key: str, *, resume: bool = True) -> Interruption:
    def reply(turn: Turn, dialogue: Dialogue) -> None:
        turn.say(text(key, turn.language))
        if resume:
            dialogue.ask_again(turn)

    return reply


INTERRUPTIONS: dict[str, Interruption] = {
    "ask_status": _status,
    "help": _help,
    "request_human": _human,
    "complain": _complaint,
    "opt_out": _opt_out,
    "delete_data": _erasure,
    "correct_data": _correct,
    "ask_documents": _documents,
    "schedule_training": _training,
    "reschedule_training": _training,
    "cancel_training": _training,
    "greet": _small_talk("greet_again"),
    "thank": _small_talk("thanks_reply"),
    "goodbye": _small_talk("goodbye_reply", resume=False),
}


def check_registry() -> None:
    covered = set(INTERRUPTIONS) | ANSWER_INTENTS
    if covered != set(INTENTS):
        raise DialogueError(
            f"NLU intents without a handler: {sorted(set(INTENTS) - covered)}; "
            f"handlers of unknown intents: {sorted(covered - set(INTENTS))}"
        )
    missing = [f"intent_{name}" for name in INTERRUPTIONS if f"intent_{name}" not in TEXTS]
    if missing:
        raise DialogueError(f"interruptions without a clarification title: {missing}")


class OptedOutHandler:
    """An opted-out client who writes opts in again; "VOLTAR" says so and asks again."""

    def check(self, turn: Turn, dialogue: Dialogue) -> bool:
        return turn.context.opted_out and turn.said.command is not Command.OPT_OUT

    def handle(self, turn: Turn, dialogue: Dialogue) -> bool:
        turn.effects.append(OptIn())
        if turn.said.command is not Command.OPT_IN:
            return False  # the message itself is handled as usual
        turn.say(text("opted_in", turn.language))
        if turn.state.pending is not None or (turn.state.started and not turn.state.finished):
            dialogue.ask_again(turn)
        return True


class CommandHandler:
    """SAIR, HUMANO, AJUDA, STATUS: always what they say, whatever question is open. VOLTAR
    from a client who never stopped the messages goes back to the previous question (as
    "pergunta anterior", "go back" do); "/start" or RETOMAR says the messages are on."""

    def check(self, turn: Turn, dialogue: Dialogue) -> bool:
        command = turn.said.command
        if command is Command.HUMAN and isinstance(turn.state.pending, HumanOfferPending):
            return False  # "HUMANO" answers the offer of a person: the offer takes it
        if command is Command.CONTINUE and (turn.state.finished or turn.state.erasure_requested):
            return False  # nothing to go on with: the menu, or the erasure's answer
        if command in (Command.OPT_IN, Command.BACK, Command.CONTINUE) and not turn.state.started:
            return False  # Telegram's "/start" (or "VOLTAR") as the first message: a start
        return command is not None

    def handle(self, turn: Turn, dialogue: Dialogue) -> bool:
        command = turn.said.command
        assert command is not None
        if command is Command.CONTINUE:
            turn.say(text("continue_here", turn.language))
            dialogue.ask_again(turn)
            return True
        if command is Command.BACK or (command is Command.OPT_IN and _says_back(turn)):
            go_back(turn, dialogue)
            return True
        if command is Command.OPT_IN:
            turn.say(text("not_opted_out", turn.language))
            dialogue.ask_again(turn)
            return True
        dialogue.interrupt(turn, command.intent)
        return True


def _says_back(turn: Turn) -> bool:
    """ "voltar" (not "/start", "retomar"): clients mean the previous question by it."""
    return turn.said.folded.startswith("volta")


# Requests a message may make beside the one the NLU heard ("quero falar com alguém e saber
# em que etapa estou"), by their words; what the bot answers itself goes first, a person last.
_ALSO_ASKED = {
    "ask_status": re.compile(
        r"(?<!\w)(?:etapa|fase|status|andamento|em que pe|stage|progress|"
        r"where (?:am i|are we|is my \w+) at)(?!\w)"
    ),
    "ask_documents": re.compile(
        r"(?<!\w)(?:quais|que|falta\w*|which|what|missing)\b.{0,20}\b(?:documentos?|documents?)"
        r"(?!\w)"
    ),
    "request_human": re.compile(
        r"(?<!\w)(?:falar com (?:alguem|uma pessoa|um atendente|uma atendente|atendente|"
        r"um humano|humano|a equipe|voces)|atendimento humano|pessoa de verdade|"
        r"(?:talk|speak) (?:to|with) (?:someone|somebody|a person|a human|an agent|a real person)"
        r")(?!\w)"
    ),
}
_ANSWERED_FIRST = ("ask_status", "ask_documents", "help", "request_human", "complain")


def requests_in(turn: Turn, intent: str) -> list[str]:
    """The requests of the message, ``intent`` among them, in the order they are handled:
    what the bot can answer first, then a person."""
    if intent not in _ANSWERED_FIRST:
        return [intent]
    folded = turn.said.folded
    found = {intent} | {name for name, words in _ALSO_ASKED.items() if words.search(folded)}
    return [name for name in _ANSWERED_FIRST if name in found]


def interrupt_each(turn: Turn, dialogue: Dialogue, *, intent: str) -> None:
    """Every request of the message, the question the client owes asked once, at the end."""
    found = requests_in(turn, intent)
    for name in found[:-1]:
        turn.question_held = True
        dialogue.interrupt(turn, name)
    turn.question_held = False
    dialogue.interrupt(turn, found[-1])


def _dont_know_a_field(turn: Turn, dialogue: Dialogue) -> bool:
    """ "não sei o celular dela": a field the client cannot give, not a request for help or a
    correction ("não sei o que fazer" is still a request for help)."""
    if not is_dont_know(turn.said) or dialogue.walker.current_step(turn.state) is None:
        return False
    if turn.said.intent == "correct_data":
        return True
    everything = [info.key for info in dialogue.walker.catalog]
    return (
        dialogue.walker.catalog.mentioned(
            turn.said.body, answered=everything, slots=turn.state.slots
        )
        is not None
    )


class InterruptionHandler:
    """An intent the NLU is sure of, unless the message is a valid answer to the question."""

    def check(self, turn: Turn, dialogue: Dialogue) -> bool:
        said, state = turn.said, turn.state
        if not turn.unfit_repair and offers_no_file(turn, dialogue) is not None:
            return True  # "posso digitar os dados em vez de mandar foto?", whatever the intent
        if said.intent not in INTERRUPTIONS:
            return False
        if said.intent in ("correct_data", "help") and _dont_know_a_field(turn, dialogue):
            return False  # "não sei o e-mail dela", "não sei o celular": the step answers
        if said.confidence < dialogue.settings.interruption_confidence:
            return False
        if said.words <= 2 and said.intent in WEIGHTY and said.confidence < _SHORT_CONFIDENCE:
            return False  # "muitos" at the head count is an answer, not a complaint
        if said.intent == "greet" and (not state.started or state.finished):
            return False  # "oi" starts the conversation, or gets the menu after it
        if said.intent == "delete_data" and not state.answered and state.started:
            return False  # nothing collected yet: at the notice it is a refusal
        if turn.unfit_repair:
            return True
        step = dialogue.walker.current_step(state)
        if step is None:
            return True
        if isinstance(step, AskStep) and step.validator in FREE_TEXT_VALIDATORS:
            return True  # a free text proves little: a clear request wins
        return not dialogue.steps[type(step)].accepts(turn, dialogue, step=step)

    def handle(self, turn: Turn, dialogue: Dialogue) -> bool:
        step = None if turn.unfit_repair else offers_no_file(turn, dialogue)
        if step is not None:
            answer_without_file(turn, step)
            return True
        interrupt_each(turn, dialogue, intent=turn.said.intent)
        return True
