"""Keyword commands that always win over the NLU (SAIR, VOLTAR, HUMANO...) and language requests."""

from __future__ import annotations

import re
from enum import Enum

from bot.dialogue.catalog import fold


class Command(Enum):
    OPT_OUT = "opt_out"
    OPT_IN = "opt_in"
    HUMAN = "request_human"
    HELP = "help"
    STATUS = "ask_status"

    @property
    def intent(self) -> str:
        return self.value


_COMMANDS: dict[str, Command] = {
    **dict.fromkeys(
        [
            "sair",
            "parar",
            "pare",
            "stop",
            "cancelar mensagens",
            "cancelar as mensagens",
            "unsubscribe",
            "descadastrar",
        ],
        Command.OPT_OUT,
    ),
    **dict.fromkeys(["voltar", "start", "unstop", "retomar"], Command.OPT_IN),
    **dict.fromkeys(["humano", "atendente", "human", "agent", "pessoa"], Command.HUMAN),
    **dict.fromkeys(["ajuda", "help", "menu"], Command.HELP),
    **dict.fromkeys(["status", "etapa"], Command.STATUS),
}

_TO_ENGLISH = re.compile(
    r"^(?:(?:in|em|speak|fala|falar|pode falar( em)?) )?(english|ingles)( please| por favor)?$"
)
_TO_PORTUGUESE = re.compile(
    r"^(?:(?:in|em|speak|fala|falar|pode falar( em)?) )?(portugues|portuguese)( please| por favor)?$"
)


def detect_command(body: str) -> Command | None:
    return _COMMANDS.get(fold(body).rstrip("!. "))


def detect_language_request(body: str) -> str | None:
    folded = fold(body)
    if _TO_ENGLISH.match(folded):
        return "en"
    if _TO_PORTUGUESE.match(folded):
        return "pt"
    return None
