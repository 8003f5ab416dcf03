"""Whether a contract's partners can be numbered surely: as many partners read as it shows.

Partners are numbered in the order the contract qualifies them (``socio_1``, ``socio_2``,
...). When OCR loses one partner whole (name, qualification and CPF), the next is numbered in
his place, and his CPF, which passes its check digits, would be asserted as the first
partner's. A contract shows how many partners it has in more places than the qualification:
the capital clause names each one again with his quotas ("FULANO: 5.000 quotas", "FULANO,
titular de 5.000 quotas"), and the shares add up to the capital; the signatures have a rule
per partner (and often "Sócio" under it); the parties are "únicos sócios" (two or more);
each partner is qualified by a nationality and an RG. Numbering is sure only when none of
these shows more partners than were read, and every number named as a CPF gave a partner.
Each count is a lower bound (a clause OCR garbled counts fewer, never more), so one that
holds is evidence enough that someone was lost.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.documents.contract_company import UPPER
from bot.documents.contract_partners import NAME_WORD, Partner, cpfs_named

# A person qualified by nationality: a partner (the witnesses are not qualified).
_NATIONAL = re.compile(
    rf"[{UPPER}][{UPPER}a-zà-öø-ÿ'’-]+(?:\s+{NAME_WORD}){{1,12}}\s*,\s*"
    r"(?i:brasileir|portugu[eê]s|estrangeir|naturalizad)"
)
_RG = re.compile(r"\bR\.?\s?G\b")
# an amount as contracts print it: "10.000", "10.000,00", "1.500.000" (a scan's space after
# a dot kept)
_AMOUNT = r"\d{1,3}(?:[.,]\s?\d{3})*(?:,\d{2})?"
_QUOTAS = r"[qg][uv][o0][tl][a4]s"
# a partner's share in the capital clause: his name in capitals, then his quotas ("FULANO:
# 5.000 quotas", "FULANO, titular de 5.000 quotas", "FULANO - 5.000 quotas"); "dividido em
# 10.000 quotas" names nobody
_SHARE = re.compile(
    rf"([{UPPER}]{{2,}}(?:\s+[{UPPER}][{UPPER}'’-]*){{1,12}})\s*[:;,.-]?\s*"
    rf"(?:(?i:titular|detentor[a]?|possuidor[a]?|com)\s+(?:(?i:de)\s+)?)?"
    rf"({_AMOUNT})\s+(?i:{_QUOTAS})"
)
_CAPITAL = re.compile(rf"(?i:capital\s+social)[^.;]{{0,40}}?R\$\s?({_AMOUNT})")
_QUOTA_VALUE = re.compile(
    rf"(?i:{_QUOTAS}\s+(?:de\s+)?(?:valor\s+nominal\s+de\s+)?)R\$\s?({_AMOUNT})"
)
_TOTAL_QUOTAS = re.compile(rf"(?i:dividido\s+em|representado\s+por)\s+({_AMOUNT})\s+(?i:{_QUOTAS})")
_RULE = re.compile(r"_{4,}")
_PARTNER_WORD = re.compile(r"\b(?i:s[oó]ci[oa])\b")
_SOLE = re.compile(r"(?i:[uú]nic[oa]s\s+s[oó]ci[oa]s)")


def _money(raw: str) -> float:
    """A Brazilian amount as a number ("10.000,00" -> 10000.0; "10.000.00", an old print)."""
    digits = re.sub(r"\s", "", raw)
    cents = re.search(r"[.,](\d{2})$", digits)
    whole = digits[: cents.start()] if cents else digits
    return float(re.sub(r"\D", "", whole) or 0) + (int(cents.group(1)) / 100 if cents else 0)


def shares(text: str) -> list[float]:
    """Each partner's quotas as the capital clause gives them, in order."""
    return [_money(found.group(2)) for found in _SHARE.finditer(text)]


def share_names(text: str) -> list[str]:
    """Each partner's name as the capital clause gives it beside his quotas, in order."""
    return [found.group(1) for found in _SHARE.finditer(text)]


def _short_of_capital(text: str, quotas: list[float]) -> bool:
    """Whether the shares read add up to less than the company's quotas: a partner's share
    (and so the partner) was lost. The quotas are the total the clause states ("dividido em
    10.000 quotas"), else the capital over one quota's value ("quotas de R$ 1,00")."""
    if not quotas:
        return False
    total = _TOTAL_QUOTAS.search(text)
    if total is not None:
        whole = _money(total.group(1))
    else:
        capital, value = _CAPITAL.search(text), _QUOTA_VALUE.search(text)
        if capital is None or value is None or _money(value.group(1)) <= 0:
            return False
        whole = _money(capital.group(1)) / _money(value.group(1))
    # a share rounded down (10.000 among three partners) is not a partner lost
    return sum(quotas) < whole - len(quotas)


def _signatures(text: str) -> int:
    """How many partners sign: the rules drawn for signatures, or "sócio" written under
    them (the witnesses' block is not in ``text``)."""
    rules = list(_RULE.finditer(text))
    if not rules:
        return 0
    block = text[rules[0].start() :]
    return max(len(rules), len(_PARTNER_WORD.findall(block)))


def partners_shown(text: str) -> int:
    """How many partners the contract shows, at least, besides their CPFs (see the top)."""
    quotas = shares(text)
    return max(
        len(quotas) + _short_of_capital(text, quotas),
        _signatures(text),
        2 if _SOLE.search(text) else 0,
        len(_NATIONAL.findall(text)),
        len(_RG.findall(text)),
    )


def numbering_sure(text: str, listed: Sequence[Partner]) -> bool:
    """Whether ``listed`` (the partners read, in order) can be numbered as the contract does:
    every number named as a CPF gave a partner, and the contract shows no more partners than
    were read. Otherwise a lost partner may have shifted the next one into his number."""
    unmatched = cpfs_named(text) - {p.cpf for p in listed}
    return not unmatched and partners_shown(text) <= len(listed)
