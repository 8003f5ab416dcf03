"""Text normalization: how WhatsApp writing is folded before it is classified or matched.

Two levels:

- :func:`fold` keeps the length of the text (one character out per character in), so offsets
  found in the folded text are offsets in the original: lower case, accents stripped, control
  characters turned into spaces. Entity extractors search folded text.
- :func:`normalize` is for the intent classifier only: it also squashes repeated letters
  ("siiiim" -> "sim"), expands common abbreviations ("vc" -> "voce", "pq" -> "porque"), drops
  emoji modifiers and replaces digit runs by a shape token.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# Abbreviations and spellings clients use, mapped to one canonical word (after folding).
ABBREVIATIONS: dict[str, str] = {
    # Portuguese
    "vc": "voce",
    "vcs": "voces",
    "c": "voce",
    "ce": "voce",
    "pq": "porque",
    "pk": "porque",
    "porq": "porque",
    "prq": "porque",
    "tb": "tambem",
    "tbm": "tambem",
    "tmb": "tambem",
    "blz": "beleza",
    "blza": "beleza",
    "obg": "obrigado",
    "obgd": "obrigado",
    "obgda": "obrigada",
    "obgdo": "obrigado",
    "brigado": "obrigado",
    "brigada": "obrigada",
    "brigadu": "obrigado",
    "brigadao": "obrigado",
    "td": "tudo",
    "tds": "todos",
    "msg": "mensagem",
    "msgs": "mensagens",
    "q": "que",
    "oq": "o que",
    "oque": "o que",
    "n": "nao",
    "naum": "nao",
    "nn": "nao",
    "s": "sim",
    "ss": "sim",
    "hj": "hoje",
    "amnh": "amanha",
    "amh": "amanha",
    "vlw": "valeu",
    "flw": "falou",
    "tmj": "tamo junto",
    "pfv": "por favor",
    "pfvr": "por favor",
    "pf": "por favor",
    "qdo": "quando",
    "qnd": "quando",
    "qndo": "quando",
    "cmg": "comigo",
    "ctg": "contigo",
    "ctz": "certeza",
    "dps": "depois",
    "p": "para",
    "pra": "para",
    "pro": "para o",
    "pras": "para as",
    "pros": "para os",
    "ta": "esta",
    "tou": "estou",
    "tava": "estava",
    "qto": "quanto",
    "qnto": "quanto",
    "qts": "quantos",
    "mto": "muito",
    "mt": "muito",
    "mta": "muita",
    "mtos": "muitos",
    "cel": "celular",
    "tel": "telefone",
    "fone": "telefone",
    "zap": "whatsapp",
    "wpp": "whatsapp",
    "abs": "abraco",
    "bjs": "beijos",
    "info": "informacao",
    "infos": "informacoes",
    "docs": "documentos",
    "doc": "documento",
    "vdd": "verdade",
    "agr": "agora",
    "aq": "aqui",
    "eh": "e",
    "kd": "cade",
    "fds": "fim de semana",
    "bd": "bom dia",
    "bn": "boa noite",
    "dnv": "de novo",
    "nd": "nada",
    "ngm": "ninguem",
    "algm": "alguem",
    "sla": "sei la",
    "gnt": "gente",
    "eae": "e ai",
    "eai": "e ai",
    "iae": "e ai",
    "oie": "oi",
    # English
    "u": "you",
    "ur": "your",
    "thx": "thanks",
    "thnx": "thanks",
    "tnx": "thanks",
    "ty": "thank you",
    "tysm": "thank you so much",
    "im": "i am",
    "idk": "i do not know",
    "dont": "do not",
    "cant": "can not",
    "wont": "will not",
    "asap": "as soon as possible",
    "cya": "see you",
    "ttyl": "talk to you later",
    "gonna": "going to",
    "wanna": "want to",
    "gotta": "got to",
    "okk": "ok",
    "okay": "ok",
    "yep": "yes",
    "yup": "yes",
    "yeah": "yes",
    "nah": "no",
    "nope": "no",
    "pls": "please",
    "plz": "please",
}

_REPEATS = re.compile(r"([^\W\d_])\1{2,}")
_DIGITS = re.compile(r"\d+")
_TOKENS = re.compile(r"[^\W_]+|[^\w\s]", re.UNICODE)
_APOSTROPHE = re.compile(r"(\w)['\u2019\u00b4`](\w)")
# Emoji modifiers (skin tones, variation selectors, joiners) carry no meaning for intents.
_MODIFIERS = re.compile("[\ufe0e\ufe0f\u200d\U0001f3fb-\U0001f3ff]")
_SPACES = re.compile(r"\s+")
_DROPPED_PUNCTUATION = frozenset(".,;:-()[]{}\"'`/\\|*~^+=<>_\u2019\u00b4")


def fold_char(char: str) -> str:
    """One character folded: lower case, no accent, control characters become a space."""
    if char.isspace() or unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp"):
        return " " if char not in "\u200d\ufe0f\ufe0e" else char
    lowered = char.lower()
    if len(lowered) != 1:
        lowered = lowered[0]
    if lowered.isascii():
        return lowered
    decomposed = unicodedata.normalize("NFD", lowered)
    base = decomposed[0]
    return base if base.isascii() and base.isalpha() else lowered


class _FoldTable(dict[int, str]):
    """``str.translate`` table filled on first sight of each character (bounded by Unicode)."""

    def __missing__(self, codepoint: int) -> str:
        folded = fold_char(chr(codepoint))
        self[codepoint] = folded
        return folded


_FOLD_TABLE = _FoldTable()


def fold(text: str) -> str:
    """Lower-case, accent-free copy of ``text`` with exactly the same length (same offsets)."""
    return text.translate(_FOLD_TABLE)


def tokens(normalized: str) -> list[str]:
    """Word tokens of normalized text: runs of letters/digits, or single symbols and emoji."""
    return [t for t in _TOKENS.findall(normalized) if t not in _DROPPED_PUNCTUATION]


def _squash(word: str) -> str:
    word = _REPEATS.sub(r"\1", word)
    return word


def normalize(text: str, *, placeholders: Iterable[tuple[int, int, str]] = ()) -> str:
    """Canonical form of ``text`` for the intent classifier.

    ``placeholders`` are ``(start, end, label)`` spans (entities found in the text) that are
    replaced by a token such as ``entcnpj``, so the classifier learns "meu cnpj é <cnpj>"
    rather than the digits of one example.
    """
    pieces: list[str] = []
    cursor = 0
    for start, end, label in sorted(placeholders):
        if start < cursor:
            continue
        pieces.append(text[cursor:start])
        pieces.append(f" ent{label} ")
        cursor = end
    pieces.append(text[cursor:])
    folded = _MODIFIERS.sub("", fold(unicodedata.normalize("NFC", "".join(pieces))))
    folded = _APOSTROPHE.sub(r"\1\2", folded)
    folded = _DIGITS.sub(lambda m: "0" if len(m.group()) <= 2 else "00", folded)
    words: list[str] = []
    for token in tokens(folded):
        token = _squash(token)
        words.append(ABBREVIATIONS.get(token, token))
    return _SPACES.sub(" ", " ".join(words)).strip()
