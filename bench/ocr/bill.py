"""The comprovante de endereço: a utility bill (electricity, water, telephone) on A4.

What a bill has: the company's header (name, CNPJ), the holder, the address of the supply
with CEP and city/UF, the issue date among other dates that are NOT it (due date, readings,
the reference month), amounts, a consumption table and a bar code. The families vary the
company, the wording of labels, whether the address block is labelled or just printed under
the holder's name, and where the dates sit; the fresh family also prints gas bills, the
reference month as digits, and a next-reading date among the dates (``STYLES``).

Truth: ``titular`` as printed; ``endereco`` is the street line (logradouro, número and any
complemento, as printed, e.g. "R DAS FLORES, 120 - AP 31"); ``cep`` 8 digits; ``municipio``;
``uf``; ``data_emissao`` DD/MM/YYYY.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from bench.ocr.families import Family, label
from bench.ocr.forms import Pen
from bench.ocr.layouts import Block, Layout, fmt_cnpj, fmt_date
from bench.ocr.people import PLACES, STREETS, make_cnpj, make_name
from bench.ocr.render import PT_TO_MM

UTILITIES = {
    "tuning": (
        ("COMPANHIA ENERGÉTICA DO NORTE", "energia"),
        ("ÁGUAS DO VALE S.A.", "água"),
        ("TELECOM BRASIL FIBRA", "telefone"),
    ),
    "heldout": (
        ("DISTRIBUIDORA SUL DE ENERGIA", "energia"),
        ("SANEAMENTO SERRANO", "água"),
        ("NETVOX TELECOMUNICAÇÕES", "telefone"),
    ),
    "fresh": (
        ("CENTRAIS ELÉTRICAS DO PLANALTO S.A.", "energia"),
        ("COMPANHIA DE SANEAMENTO DO LITORAL", "água"),
        ("GÁS CANALIZADO METROPOLITANO S.A.", "gás"),
        ("VIACABO INTERNET E TELEFONIA LTDA", "telefone"),
    ),
    "wide": (
        ("DISTRIBUIDORA DE ENERGIA DO CERRADO S.A.", "energia"),
        ("SERVIÇO AUTÔNOMO DE ÁGUA E ESGOTO", "água"),
        ("ULTRACOM FIBRA ÓPTICA LTDA", "telefone"),
        ("NATURGÁS DISTRIBUIDORA", "gás"),
    ),
}
UNITS = {"energia": "kWh", "água": "m³", "telefone": "min", "gás": "m³"}
MONTHS = ("JAN", "FEV", "MAR", "ABR", "MAI", "JUN", "JUL", "AGO", "SET", "OUT", "NOV", "DEZ")
BANDS = ((20, 80, 150), (0, 110, 80), (170, 60, 20), (60, 60, 60))


@dataclass(frozen=True, slots=True)
class Style:
    """What a family's bills print beyond their labels: header colours, dates, the total."""

    bands: tuple[tuple[int, int, int], ...] = BANDS
    reference: str = "REFERÊNCIA"
    month_digits: bool = False  # the reference month as 03/2026, not MAR/2026
    next_reading: bool = False  # a "PRÓXIMA LEITURA" date among the dates
    total: str = "TOTAL A PAGAR"
    fit: bool = False  # boxes and lines grow with the pen's sizes (fresh's larger type)


STYLES = {
    "tuning": Style(),
    "heldout": Style(),
    "fresh": Style(
        bands=((120, 25, 40), (0, 95, 110), (200, 120, 0), (35, 35, 95)),
        reference="MÊS/ANO REF.",
        month_digits=True,
        next_reading=True,
        total="VALOR A PAGAR",
        fit=True,
    ),
    "wide": Style(
        bands=((0, 120, 60), (150, 0, 100), (25, 45, 120), (200, 90, 0)),
        reference="MÊS DE REFERÊNCIA",
        next_reading=True,
        total="TOTAL DA FATURA",
        fit=True,
    ),
}


def _address(pen: Pen, *, y: float, beside: bool, lines: tuple[str, str, str, str, str]) -> float:
    """The supply address under the holder: labelled, or a bare block; returns the y below."""
    street, district, cep, municipio, uf = lines
    fit = STYLES[pen.fam.name].fit
    if pen.rng.random() < 0.5:
        return (
            pen.field(
                10,
                y,
                label=label(pen.fam, "endereco", rng=pen.rng),
                value=street,
                name="endereco",
                beside=beside,
                colon=True,
                max_width=100,
                extra=(
                    (district, f"{cep[:5]}-{cep[5:]} - {municipio} - {uf}")
                    if fit
                    else (f"{district} - CEP {cep[:5]}-{cep[5:]}", f"{municipio} - {uf}")
                ),
            )
            + 1
        )
    # unlabelled address block, as many bills print it under the name
    block = (
        (street, f"{district} - {municipio}/{uf}", f"CEP: {cep[:5]}-{cep[5:]}")
        if fit
        else (street, district, f"{cep[:5]}-{cep[5:]} {municipio}/{uf}")
    )
    pitch = max(4.2, pen.value_pt * PT_TO_MM * 1.35 * 1.2) if fit else 4.2
    for i, line in enumerate(block):
        pen.text(10, y + i * pitch, text=line, size=pen.value_pt, bold=False, max_width=100)
    return y + 14 if not fit else y + 3 * pitch + 1.4


def _dates(pen: Pen, *, issued: date, due: date) -> float:
    """The boxes of dates on the right, the issue date among others, in a random order.

    Returns the y below the last box.
    """
    fam, rng = pen.fam, pen.rng
    style = STYLES[fam.name]
    month = f"{issued.month:02d}" if style.month_digits else MONTHS[issued.month - 1]
    dates = [
        (label(fam, "emissao", rng=rng), fmt_date(issued), "data_emissao"),
        (label(fam, "vencimento", rng=rng), fmt_date(due), ""),
        (style.reference, f"{month}/{issued.year}", ""),
        ("LEITURA ANTERIOR", fmt_date(issued - timedelta(days=31)), ""),
    ]
    if style.next_reading:
        dates.append(("PRÓXIMA LEITURA", fmt_date(issued + timedelta(days=30)), ""))
    rng.shuffle(dates)
    pitch = max(9.5, pen.field_height() + 1.0) if style.fit else 9.5
    for i, (lab, value, name) in enumerate(dates):
        pen.box(115.0, 28 + i * pitch, w=85, h=pitch - 0.5)
        pen.field(116.5, 29 + i * pitch, label=lab, value=value, name=name)
    return 28 + len(dates) * pitch


def _footer(pen: Pen, *, y: float, issued: date, service: str) -> float:
    """Consumption history, the total and the bar code; returns the page's height."""
    rng, lay = pen.rng, pen.lay
    pen.text(10, y, text="HISTÓRICO DE CONSUMO", size=8, bold=True)
    for i in range(6):
        month = MONTHS[(issued.month - 2 - i) % 12]
        amount = rng.randrange(80, 600)
        pen.text(
            10,
            y + 6 + i * 4.5,
            text=f"{month}  {amount} {UNITS[service]}",
            size=7,
            font=pen.value_font,
        )
        lay.blocks.append(Block(40, y + 6.5 + i * 4.5, amount / 12, 2.5, (150, 150, 150)))
    total = rng.randrange(4000, 90000) / 100
    pen.box(115, y, w=85, h=16)
    pen.text(117, y + 2, text=STYLES[pen.fam.name].total, size=8, bold=True)
    pen.text(
        117,
        y + 8,
        text=f"R$ {total:,.2f}".replace(",", "X").replace(".", ",").replace("X", "."),
        size=12,
        bold=True,
    )
    y += 36
    digits = " ".join(f"{rng.randrange(10**11):011d}-{rng.randrange(10)}" for _ in range(4))
    pen.text(10, y, text=digits, size=8, font=pen.fam.mono[0])
    pen.bars(10, y + 6, w=150, h=13)
    pen.text(10, y + 24, text="Autenticação mecânica", size=6)
    return y + 32


def bill(*, fam: Family, rng: random.Random, today: date) -> tuple[Pen, dict[str, str]]:
    """A bill drawn in ``fam`` and its truth (see the module docstring)."""
    lay = Layout(width=210.0, height=200.0)
    pen = Pen.start(lay, fam, rng=rng, fonts=fam.sans + fam.mono)
    company, service = rng.choice(UTILITIES[fam.name])
    holder = make_name(rng)
    municipio, uf = rng.choice(PLACES)
    street = f"{rng.choice(STREETS)}, {rng.randrange(1, 3000)}"
    if rng.random() < 0.4:
        street += f" - {rng.choice(('AP', 'CASA', 'BL A AP', 'SALA'))} {rng.randrange(1, 300)}"
    district = rng.choice(("CENTRO", "JARDIM AMÉRICA", "VILA NOVA", "BOA VISTA"))
    cep = f"{rng.randrange(1000, 99999):05d}{rng.randrange(1000):03d}"
    issued = today - timedelta(days=rng.randrange(3, 80))
    due = issued + timedelta(days=rng.randrange(7, 20))
    truth = {
        "titular": holder,
        "endereco": street,
        "cep": cep,
        "municipio": municipio,
        "uf": uf,
        "data_emissao": fmt_date(issued),
    }
    band = rng.choice(STYLES[fam.name].bands)
    lay.blocks.append(Block(0, 0, 210, 22, band))
    pen.text(8, 5, text=company, size=13, bold=True, ink=(255, 255, 255))
    pen.text(
        8,
        13,
        text=f"CNPJ {fmt_cnpj(make_cnpj(rng))} - CONTA DE {service.upper()}",
        size=7,
        ink=(255, 255, 255),
    )
    beside = rng.random() < fam.beside_share
    y = (
        pen.field(
            10,
            30.0,
            label=label(fam, "titular", rng=rng),
            value=holder,
            name="titular",
            beside=beside,
            colon=True,
            max_width=100,
        )
        + 1
    )
    y = _address(pen, y=y, beside=beside, lines=(street, district, cep, municipio, uf))
    below_dates = _dates(pen, issued=issued, due=due)
    top = max(y, below_dates - 4) if STYLES[fam.name].fit else max(y, 70.0)
    lay.height = _footer(pen, y=top + 4, issued=issued, service=service)
    return pen, truth
