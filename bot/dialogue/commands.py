"""Keyword commands that always win over the NLU (SAIR, VOLTAR, HUMANO, AJUDA, STATUS).

Language requests ("english please") are ``bot.dialogue.language``'s."""

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
    BACK = "go_back"  # the previous question (VOLTAR from a client who did not stop messages)
    CONTINUE = "continue"  # "quero continuar o cadastro": the question the client owes

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
    **dict.fromkeys(
        [
            "volta",
            "voltar uma",
            "voltar 1",
            "volta 1",
            "volta uma",
            "voltar uma pergunta",
            "volta uma pergunta",
            "voltar a pergunta",
            "pergunta anterior",
            "voltar pra pergunta anterior",
            "voltar para a pergunta anterior",
            "voltar a pergunta anterior",
            "anterior",
            "voltar atras",
            "volta atras",
            "back",
            "go back",
            "previous",
            "previous question",
            "back one",
            "go back one",
        ],
        Command.BACK,
    ),
    **dict.fromkeys(["humano", "atendente", "human", "agent", "pessoa"], Command.HUMAN),
    **dict.fromkeys(["ajuda", "help", "menu"], Command.HELP),
    **dict.fromkeys(["status", "etapa"], Command.STATUS),
}


_CONTINUE = re.compile(
    r"^(?:(?:eu )?quero |vamos |bora |pode |podemos |queria |let s |lets |i want to |can we )?"
    r"(?:continuar|seguir|retomar|prosseguir|terminar|finalizar|continue|resume|go on|carry on|"
    r"finish)(?: o cadastro| com o cadastro| de onde parei| de onde paramos| daqui| the "
    r"registration| with the registration| where we left off| from here)?$"
)


def detect_command(body: str) -> Command | None:
    folded = fold(body).rstrip("!. ")
    if _CONTINUE.match(folded):
        return Command.CONTINUE
    return _COMMANDS.get(folded)
