"""Whether a date read off a document can be what its field says it is.

Check digits (the MRZ's 7-3-1, a date's own calendar) say the digits were read right, not
that the date makes sense: a birth date in the future, a company opened next year, or a
bill issued ten years ago is a misread (or a guessed century) whatever its check digit says.
The rules, relative to the reader's ``today``:

| field | plausible when |
| --- | --- |
| data_nascimento | not in the future, the holder at most ``MAX_AGE`` years old |
| validade (CNH) | after the holder turned ``DRIVING_AGE`` (first licence, then validity) |
| data_emissao, data_expedicao | not in the future, not before the birth date |
| data_abertura | not in the future |
| data_emissao (bill) | not in the future, at most ``BILL_MAX_DAYS`` old (proof of address) |

``implausible`` names each field that breaks its rule (with why); an implausible date is
never confident (``settle``). ``two_digit_years`` gives the plausible centuries of a
two-digit year (the MRZ's YYMMDD).

A CEP's first five digits place it in one state: the Correios give each UF its ranges
(``CEP_RANGES``, the public table of faixas de CEP por UF), so a CEP outside its UF's range
is a misread of the one or the other (``cep_fits_uf``).
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from datetime import date, datetime, timedelta

# first five digits, inclusive, per UF (Correios, faixas de CEP por estado)
CEP_RANGES: dict[str, tuple[tuple[int, int], ...]] = {
    "SP": ((1000, 19999),),
    "RJ": ((20000, 28999),),
    "ES": ((29000, 29999),),
    "MG": ((30000, 39999),),
    "BA": ((40000, 48999),),
    "SE": ((49000, 49999),),
    "PE": ((50000, 56999),),
    "AL": ((57000, 57999),),
    "PB": ((58000, 58999),),
    "RN": ((59000, 59999),),
    "CE": ((60000, 63999),),
    "PI": ((64000, 64999),),
    "MA": ((65000, 65999),),
    "PA": ((66000, 68899),),
    "AP": ((68900, 68999),),
    "AM": ((69000, 69299), (69400, 69899)),
    "RR": ((69300, 69399),),
    "AC": ((69900, 69999),),
    "DF": ((70000, 72799), (73000, 73699)),
    "GO": ((72800, 72999), (73700, 76799)),
    "RO": ((76800, 76999),),
    "TO": ((77000, 77999),),
    "MT": ((78000, 78899),),
    "MS": ((79000, 79999),),
    "PR": ((80000, 87999),),
    "SC": ((88000, 89999),),
    "RS": ((90000, 99999),),
}
MAX_AGE = 120
DRIVING_AGE = 18
BILL_MAX_DAYS = 366
DOUBTED = 0.5  # below the reader's ASSERTED: the client is asked to confirm


def parse(text: str) -> date | None:
    """DD/MM/YYYY as a date, None when it is not one."""
    try:
        return datetime.strptime(text.strip(), "%d/%m/%Y").date()
    except ValueError:
        return None


def cep_fits_uf(cep: str, uf: str) -> bool | None:
    """Whether the 8-digit ``cep`` lies in ``uf``'s ranges; None when either is no such
    thing (nothing to judge)."""
    ranges = CEP_RANGES.get(uf.upper())
    if ranges is None or len(cep) != 8 or not cep.isdigit():
        return None
    head = int(cep[:5])
    return any(low <= head <= high for low, high in ranges)


def years_after(day: date, years: int) -> date:
    """``day`` moved ``years`` years on (29 February becomes 1 March)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, month=3, day=1)


def plausible_birth(born: date, *, until: date) -> bool:
    """A birth date before ``until`` (today, or a document's expiry) of someone at most
    ``MAX_AGE`` years old then."""
    return born <= until and years_after(born, MAX_AGE) >= until


def two_digit_years(yymmdd: str, *, until: date) -> tuple[list[date], list[date]]:
    """A birth date's YYMMDD read in both centuries: (every existing date, those a birth
    before ``until`` can be)."""
    year, month, day = int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:])
    dates = []
    for century in (1900, 2000):
        try:
            dates.append(date(century + year, month, day))
        except ValueError:
            continue
    return dates, [d for d in dates if plausible_birth(d, until=until)]


def implausible(kind: str, fields: Mapping[str, str], *, today: date) -> dict[str, str]:
    """Each date field of ``fields`` that cannot be what it says, with why (English)."""
    out: dict[str, str] = {}
    dates = {name: parse(value) for name, value in fields.items() if name.startswith("data_")}
    dates["validade"] = parse(fields.get("validade", ""))
    born = dates.get("data_nascimento")
    if born is not None:
        if born > today:
            out["data_nascimento"] = "birth date in the future"
        elif not plausible_birth(born, until=today):
            out["data_nascimento"] = f"holder over {MAX_AGE} years old"
    valid = dates["validade"]
    if kind == "cnh" and valid is not None and born is not None:
        if valid < years_after(born, DRIVING_AGE):
            out["validade"] = f"valid before the holder was {DRIVING_AGE}"
            out.setdefault("data_nascimento", f"licensed before {DRIVING_AGE}")
    for name in ("data_emissao", "data_expedicao", "data_abertura"):
        day = dates.get(name)
        if day is None:
            continue
        if day > today:
            out[name] = "date in the future"
        elif born is not None and day < born:
            out[name] = "issued before the holder was born"
        elif kind == "comprovante_endereco" and today - day > timedelta(days=BILL_MAX_DAYS):
            out[name] = "bill too old for a proof of address"
    return out


def settle(
    kind: str,
    fields: Mapping[str, str],
    *,
    confidence: MutableMapping[str, float],
    today: date,
) -> list[str]:
    """Caps each implausible date's confidence at ``DOUBTED`` (in place); returns the
    warnings to add (``"<field>: implausible date (<why>)"``)."""
    warnings = []
    for name, why in implausible(kind, fields, today=today).items():
        if name in confidence:
            confidence[name] = min(confidence[name], DOUBTED)
            warnings.append(f"{name}: implausible date ({why})")
    return warnings


__all__ = [
    "CEP_RANGES",
    "cep_fits_uf",
    "implausible",
    "parse",
    "plausible_birth",
    "settle",
    "two_digit_years",
]
