"""Is a text a person's name, or a sentence about one? ("pode falar comigo mesmo", "sou o
responsável pela parte financeira" are not names, "Maria das Graças Souza" is.)

A name's words are names and particles; a sentence has pronouns, verbs, articles, words of the
onboarding itself. The words here are ones no Brazilian or English person's name is made of.
"""

from __future__ import annotations

import re

from bot.dialogue.catalog import fold
from bot.dialogue.understanding import NO_WORDS, YES_WORDS
from bot.domain.validators import Problem, validate_person_name

__all__ = ["CONNECTORS", "NOT_NAME_WORDS", "person_name_in", "reads_as_sentence"]

CONNECTORS = frozenset({"da", "de", "do", "das", "dos", "e", "van", "von", "del", "di"})

NOT_NAME_WORDS = frozenset(
    # wanting, asking, being (pt)
    "quero queria preciso pode posso podemos vou vai falar fala falo ajuda ajudar atendente "
    "humano pessoa pessoal um uma uns umas que qual quem como quando onde porque pq meu minha "
    "seu sua numero funcionarios email telefone celular cep cnpj empresa nao sim ok obrigado "
    "obrigada oi ola tudo bem bom dia tarde noite etapa status cadastro documento documentos "
    "treinamento depois agora ainda ja sei tenho temos esta estou eu sou mesmo mesma me "
    "comigo conosco ele ela eles elas isso disso isto aqui pela pelo com sem para pra "
    "responsavel responsaveis parte setor area financeiro financeira chefe dono socio "
    "socia gerente diretor diretora contador contadora contabilidade ninguem alguem ver "
    "cuida cuido cuidar nosso nossa vamos ver depois falta faltam ligar liga chama chamar "
    "nome sobrenome completo "
    # the same in English
    "want need help talk speak agent the my your is are what which who how why please thanks "
    "hello yes no not i im am it its mine myself me we our us he she they them this that "
    "here there later now still does manager boss owner team department finance call "
    "name full".split()
)


def reads_as_sentence(text: str) -> bool:
    """The text has a word no name has, or more words than a name ("Ana Paula Souza Lima
    Prado" has five; six are allowed)."""
    words = [w for w in fold(text).replace(",", " ").split() if w not in CONNECTORS]
    return len(words) > 6 or any(w in NOT_NAME_WORDS for w in words)


_EMAIL = re.compile(r"[^\s,;]+@[^\s,;]+")
_PHONE = re.compile(r"\+?\d[\d\s().-]{6,}\d")
_FILLER = frozenset(
    "nao n e eh é a o os as outra outro pessoa other someone else it its is the quem cuida "
    "responsavel responsible sim ela ele she he name nome dela dele seu sua chama se "
    "chamada chamado de da do fala com falar pelo pela contact contato".split()
)


def person_name_in(body: str) -> str | None:
    """A person's name said among other things ("não, é a Joana Alves", "outra pessoa:
    Beatriz Rocha, ti@…", "fala com a Carla Dias do financeiro"), or None. Words around it,
    e-mails and phones are left out."""
    cleaned = _PHONE.sub(",", _EMAIL.sub(",", body))
    segments = re.split(r"[,;:\n]|\s-\s", cleaned)
    for segment in segments:
        candidate = _name_in_segment(segment)
        if candidate is not None:
            return candidate
    runs = [run.group(0) for s in segments for run in _CAPITALISED_RUN.finditer(s)]
    named = [run for run in runs if _name_in_segment(run) == run]
    return named[0] if len(named) == 1 else None


# Two or more capitalised words, particles between them: "Carla Dias", "João da Silva".
_CAPITALISED_RUN = re.compile(
    r"(?<!\w)[A-ZÀ-Ý][\w'-]+(?:\s+(?:(?:da|de|do|das|dos|e)\s+)?[A-ZÀ-Ý][\w'-]+)+"
)


def _name_in_segment(segment: str) -> str | None:
    words = segment.split()
    while words and fold(words[0]) in _FILLER:
        words.pop(0)
    while words and fold(words[-1]) in _FILLER:
        words.pop()
    candidate = " ".join(words).strip(" .!")
    folded = fold(candidate)
    if not candidate or folded in YES_WORDS or folded in NO_WORDS:
        return None
    if not candidate[:1].isupper() and len(words) < 2:
        return None
    if isinstance(validate_person_name(candidate), Problem) or len(folded) < 3:
        return None
    parts = folded.split()
    if len(parts) > 5 or parts[0] in CONNECTORS:
        return None
    if any(w in NOT_NAME_WORDS for w in parts if w not in CONNECTORS):
        return None
    typed = [w for w in words if fold(w) not in CONNECTORS]
    if any(w[:1].isupper() for w in typed) and any(w[:1].islower() for w in typed):
        return None  # "João Silva lá": a name is typed all alike, or by its capitals
    return candidate
