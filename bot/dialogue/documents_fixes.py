"""Fixes to a reading typed as clients type them, at its confirmation: "não, o CNPJ é
11.444.777/0001-61", "corrige a data pra 12/03/1980", "the name is wrong", "o nome é Maria da
Silva e o CPF é 529.982.247-25" (two fields in one message), or a bare CPF that only one field
of the reading can hold.

The message is cut at each field it names; each piece's value is taken by the field's grammar
(a date, a CPF, a CNPJ, a CEP anywhere in the piece) or, for names and numbers, as the words
after the linking ones ("é", "tá", "is", "pra", "to"). A piece that only says the field is
wrong carries no value: the field is asked.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from bot.domain.documents import field_label

__all__ = [
    "FIELD_WORDS",
    "KEY_FIELDS",
    "Fix",
    "answer_value",
    "field_words",
    "fixable_fields",
    "fixes_in",
    "missing_key_fields",
]

# The fields that say whose identity document it is: shown as not read when the reader left
# them out, so the client can type them (SPEC's OCR field names). The cartão CNPJ has none: its
# CNPJ and name were typed in the registration ("a razão social é …" corrects that one).
KEY_FIELDS: dict[str, tuple[str, ...]] = {
    "cnh": ("nome", "cpf"),
    "rg": ("nome", "rg"),
}


_PARTNER = re.compile(r"socio_(\d+)_(nome|cpf)")
_ORDINALS_PT = ("primeiro", "segundo", "terceiro", "quarto", "quinto", "sexto")
_ORDINALS_EN = ("first", "second", "third", "fourth", "fifth", "sixth")


def field_words(field: str) -> frozenset[str]:
    """What clients call a field (folded): its labels, its words, and a partner's fields by
    number or ordinal ("cpf do sócio 1", "nome do segundo sócio", "partner 2's CPF")."""
    words = {*FIELD_WORDS.get(field, ()), _plain(field_label(field, "pt"))}
    words.add(_plain(field_label(field, "en")))
    partner = _PARTNER.fullmatch(field)
    if partner is None:
        return frozenset(words)
    n, what = int(partner.group(1)), partner.group(2)
    pt = [f"socio {n}", f"{n} socio", f"socio n {n}", f"socio numero {n}"]
    en = [f"partner {n}", f"{n} partner"]
    if n <= len(_ORDINALS_PT):
        pt += [f"{_ORDINALS_PT[n - 1]} socio", f"{n}o socio"]
        en += [f"{_ORDINALS_EN[n - 1]} partner"]
    if what == "nome":
        words |= {*pt, *(f"nome do {w}" for w in pt), *en, *(f"{w} s name" for w in en)}
        words |= {f"name of {w}" for w in en} | {f"name of the {w}" for w in en}
    else:
        words |= {f"cpf do {w}" for w in pt} | {f"cpf {w}" for w in pt}
        words |= {f"{w} s cpf" for w in en} | {f"cpf of {w}" for w in en}
        words |= {f"cpf of the {w}" for w in en} | {f"{w} cpf" for w in en}
    return frozenset(words)


def missing_key_fields(kind: str, fields: dict[str, str]) -> list[str]:
    """The key fields of ``kind`` the reading does not have."""
    return [f for f in KEY_FIELDS.get(kind, ()) if f not in fields]


def fixable_fields(kind: str, fields: dict[str, str]) -> list[str]:
    """The fields the client may type at a reading: those read, and the key ones not read."""
    return [*fields, *missing_key_fields(kind, fields)]


# What clients call a document's fields besides their labels (folded: no accents, lowercase).
FIELD_WORDS: dict[str, tuple[str, ...]] = {
    "nome": ("nome", "meu nome", "name", "my name"),
    "cpf": ("cpf", "meu cpf", "my cpf"),
    "data_nascimento": ("nascimento", "data de nascimento", "birth", "date of birth",
                        "birth date", "birthday", "aniversario"),
    "numero_registro": ("registro", "numero de registro", "numero da cnh", "registration",
                        "registration number", "licence number", "license number"),
    "validade": ("validade", "vencimento", "valid until", "expiry", "expiry date",
                 "expiration", "expiration date"),
    "rg": ("rg", "identidade", "numero do rg"),
    "cnpj": ("cnpj",),
    "razao_social": ("razao social", "nome empresarial", "nome da empresa", "legal name",
                     "company name"),
    "nome_fantasia": ("nome fantasia", "fantasia", "trade name"),
    "data_abertura": ("abertura", "data de abertura", "opening date"),
    "cep": ("cep", "zip", "postal code"),
    "municipio": ("municipio", "cidade", "city"),
    "uf": ("uf", "estado", "state"),
    "situacao_cadastral": ("situacao", "situacao cadastral"),
    "titular": ("titular", "holder", "account holder"),
    "endereco": ("endereco", "address", "rua"),
    "data_emissao": ("emissao", "data de emissao", "issue date"),
}  # fmt: skip

# "a data" / "the date": the reading's one date field (or the one marked to check).
_ANY_DATE = ("data", "date")

_DATE = re.compile(r"(?<!\d)\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})(?!\d)")
_CPF = re.compile(r"(?<![\d.])\d{3}\.?\d{3}\.?\d{3}[-.]?\d{2}(?![\d.])")
_CNPJ = re.compile(r"(?<![\w.])[\dA-Z]{2}\.?[\dA-Z]{3}\.?[\dA-Z]{3}/?[\dA-Z]{4}-?\d{2}(?![\d.])")
_CEP = re.compile(r"(?<![\d.])\d{5}-?\d{3}(?![\d.])")

# The words between a field's name and its value ("o nome *tá certo é* Maria").
_LINK = re.compile(
    r"^(?:[\s,:;=\-–>]|\b(?:na verdade|o certo|o correto|a certa|a correta|correto|correta|"
    r"certo|certa|deveria ser|deve ser|seria|should be|must be|actually|really|mesmo|"
    r"esta|está|tá|ta|é|eh|e|is|was|pra|para|por|to|as|com|de|do|da|o|a|the|my|meu|minha|que|q|so|só|that|which|only|just|"
    r"dela|dele|errad[oa]|wrong)\b)+",
    re.IGNORECASE,
)
# Of those, the ones that introduce a value ("o nome *é* …", "name*:* …", "date *to* …").
_VALUE_LINK = re.compile(
    r"[:=]|\b(?:é|e|eh|is|should be|must be|deveria ser|deve ser|seria|pra|para|to|as|por)\b",
    re.IGNORECASE,
)
# The joining words before the next field's name ("Maria da Silva *e o* CPF é …").
_JOIN = re.compile(r"(?:[\s,;.]|\b(?:e|and|o|a|os|as|the|my|meu|minha|tambem|also)\b)+$", re.I)
# Saying the field is wrong, without saying what it should be.
_WRONG = re.compile(
    r"\b(?:errad[oa]s?|incorret[oa]s?|trocad[oa]s?|wrong|incorrect|not right|nao (?:ta|esta|e) "
    r"(?:certo|certa|correto|correta|esse|essa|isso)|isn t right|is not right|mistake)\b"
)
# Asking to change a field ("corrige o CPF", "fix the name").
_FIX_VERB = re.compile(
    r"\b(?:corrig\w*|arrum\w*|mud\w*|alter\w*|troc\w*|fix|change|"
    r"update|edit|correct)\b"
)
# Saying the field is right: no fix at all.
_RIGHT = re.compile(r"^(?:ta|esta|e|is|)\s*(?:certo|certa|correto|correta|ok|right|correct|fine)$")


@dataclass(frozen=True, slots=True)
class Fix:
    """A field the message names, and the value typed for it ("" when only named)."""

    field: str
    value: str
    wrong: bool = False  # the message says the field is wrong


def fixes_in(
    body: str, *, fields: list[str], uncertain: list[str], bare_value: bool = True
) -> list[Fix]:
    """The fixes a message makes to a reading of ``fields``, in the order it names them."""
    folded = _fold_in_place(body)
    mentions = _mentions(folded, fields=fields, uncertain=uncertain, body=body)
    fixes: list[Fix] = []
    for index, (start, end, field) in enumerate(mentions):
        stop = mentions[index + 1][0] if index + 1 < len(mentions) else len(body)
        piece, piece_folded = body[end:stop], folded[end:stop]
        if _RIGHT.match(piece_folded.strip()):
            continue
        value = _value(field, piece)
        wrong = _WRONG.search(piece_folded) is not None or _WRONG.search(folded[:start]) is not None
        if value or wrong or _FIX_VERB.search(folded) or _short(body):
            fixes.append(Fix(field, value, wrong=wrong))
    if not fixes and bare_value:
        fixes = _bare(body, fields=fields, uncertain=uncertain)
    return fixes


# What may come before the value typed at "Qual é o valor certo de Nome?" ("é Maria", "it's").
_ANSWER_LEAD = re.compile(
    r"^(?:\s|[:=\-–]|\b(?:é|e|eh|is|it s|it's|its|o certo é|o correto é|o certo e|"
    r"o correto e|na verdade|actually|seria|should be)\b)+",
    re.IGNORECASE,
)


def answer_value(field: str, body: str) -> str:
    """The value in an answer to a field's question: by the field's grammar where it has one
    ("nasci em 12/03/1980"), else the words after a leading "é" / "it's"."""
    grammar = _grammar(field)
    if grammar is not None:
        match = grammar.search(body.upper() if field == "cnpj" else body)
        if match is not None:
            return match.group(0)
    return _ANSWER_LEAD.sub("", body.strip()).strip(" .!\"'“”") or body


def _short(body: str) -> bool:
    """ "CPF", "o nome", "data de nascimento": a field named alone (not a question)."""
    return "?" not in body and len(body.split()) <= 4


def _fold_in_place(text: str) -> str:
    """Lowercase, without accents, punctuation as spaces: one character for each of ``text``'s
    (so a match's positions are the original's)."""
    out = []
    for ch in text:
        base = "".join(
            c for c in unicodedata.normalize("NFKD", ch.lower()) if not unicodedata.combining(c)
        )
        if len(base) != 1:
            base = ch.lower()[:1] or " "
        out.append(base if base.isalnum() or base in "@+" else " ")
    return "".join(out)


def _mentions(
    folded: str, *, fields: list[str], uncertain: list[str], body: str
) -> list[tuple[int, int, str]]:
    """(start, end, field) of each field named, the longest name winning where names overlap."""
    found: list[tuple[int, int, str]] = []
    for field in fields:
        for word in field_words(field):
            found += [(m.start(), m.end(), field) for m in _word(word).finditer(folded)]
    date_field = _the_date_field(body, fields=fields, uncertain=uncertain)
    if date_field:
        for word in _ANY_DATE:
            found += [(m.start(), m.end(), date_field) for m in _word(word).finditer(folded)]
    found.sort(key=lambda m: (m[0], -(m[1] - m[0])))
    kept: list[tuple[int, int, str]] = []
    for mention in found:
        if kept and mention[0] < kept[-1][1]:
            continue  # inside a longer name already kept ("data de nascimento" over "data")
        if kept and kept[-1][2] == mention[2]:
            continue  # the same field named twice: its first mention holds the value
        kept.append(mention)
    return kept


def _the_date_field(body: str, *, fields: list[str], uncertain: list[str]) -> str:
    dates = [f for f in fields if f.startswith("data") or f == "validade"]
    if len(dates) > 1:
        dates = [f for f in dates if f in uncertain] or dates
    return dates[0] if len(dates) == 1 else ""


def _value(field: str, piece: str) -> str:
    grammar = _grammar(field)
    if grammar is not None:
        match = grammar.search(piece.upper() if field == "cnpj" else piece)
        if match is not None:
            return match.group(0)
    link = _LINK.match(piece.strip())
    if link is None or _VALUE_LINK.search(link.group(0)) is None:
        return ""  # "sobre o nome da empresa": the name is talked about, not given
    words = _JOIN.sub("", piece.strip()[link.end() :]).strip(" .!?\"'“”")
    if not any(c.isalnum() for c in words) or _WRONG.search(_fold_in_place(words)):
        return ""
    return "" if _RIGHT.match(_plain(words)) else words


def _grammar(field: str) -> re.Pattern[str] | None:
    if field.startswith("data") or field == "validade":
        return _DATE
    if field == "cpf" or field.endswith("_cpf"):
        return _CPF
    if field == "cnpj":
        return _CNPJ
    if field == "cep":
        return _CEP
    return None


def _bare(body: str, *, fields: list[str], uncertain: list[str]) -> list[Fix]:
    """A value alone whose shape only one field of the reading has ("529.982.247-25")."""
    shaped = [f for f in fields if _grammar(f) is not None]
    found = []
    for field in shaped:
        if field.startswith("data") or field == "validade":
            if _the_date_field(body, fields=fields, uncertain=uncertain) != field:
                continue
        grammar = _grammar(field)
        assert grammar is not None
        match = grammar.search(body.upper() if field == "cnpj" else body)
        if match is not None:
            found.append(Fix(field, match.group(0)))
    return found if len(found) == 1 else []


def _plain(text: str) -> str:
    return re.sub(r"\s+", " ", _fold_in_place(text)).strip()


def _word(word: str) -> re.Pattern[str]:
    parts = [re.escape(p) for p in word.split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(parts) + r"(?!\w)")
