"""The Receita Federal's cartão CNPJ (Comprovante de Inscrição e de Situação Cadastral).

Its real order and look, as on the public specimen: a header box with the coat of arms, then a
grid of boxes, each with a tiny label at its top and the value UNDER it (never beside it), in
Arial-like type; "SITUAÇÃO CADASTRAL" holds ATIVA, SUSPENSA, INAPTA, BAIXADA or NULA below it.
The families vary fonts, sizes, the label-to-value gap, rule weight, bold or regular values and
(held-out) reprints whose labels lost their accents.
"""

from __future__ import annotations

import random
import unicodedata
from datetime import date
from typing import Protocol

from bench.ocr.families import Family
from bench.ocr.forms import Pen
from bench.ocr.layouts import Block, Layout, fmt_cnpj, fmt_date
from bench.ocr.people import Company

ACTIVITIES = (
    "47.21-1-02 - Padaria e confeitaria com predominância de revenda",
    "62.01-5-01 - Desenvolvimento de programas de computador sob encomenda",
    "46.39-7-01 - Comércio atacadista de produtos alimentícios em geral",
    "70.20-4-00 - Atividades de consultoria em gestão empresarial",
    "49.30-2-02 - Transporte rodoviário de carga, exceto produtos perigosos",
)
NATURES = (
    "206-2 - Sociedade Empresária Limitada",
    "213-5 - Empresário (Individual)",
    "230-5 - Empresa Individual de Responsabilidade Limitada",
    "205-4 - Sociedade Anônima",
)


def _plain(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


ROW_HEIGHT = {  # mm per box
    "tuning": (8.5, 10.0),
    "heldout": (8.0, 11.5),
    "fresh": (7.4, 12.5),
    "wide": (7.2, 12.8),
}
Row = list[tuple[float, str, str, str]]  # per box: width (mm), label, value, truth name


def _rows(company: Company, rng: random.Random) -> list[Row]:
    """The card's boxes below its first row, in the Receita's order."""
    cep = company.cep
    porte = rng.choice(("ME", "EPP", "DEMAIS"))
    activity = rng.choice(ACTIVITIES)
    secondary = rng.choice(("Não informada", *ACTIVITIES))
    nature = rng.choice(NATURES)
    complement = rng.choice(("********", "SALA 2", "LOJA A"))
    cep_text = f"{cep[:2]}.{cep[2:5]}-{cep[5:]}" if rng.random() < 0.8 else f"{cep[:5]}-{cep[5:]}"
    phone = f"({rng.randrange(11, 99)}) {rng.randrange(2000, 9999)}-{rng.randrange(1000, 9999)}"
    return [
        [(190, "NOME EMPRESARIAL", company.razao_social, "razao_social")],
        [
            (
                150,
                "TÍTULO DO ESTABELECIMENTO (NOME DE FANTASIA)",
                company.nome_fantasia or "********",
                "nome_fantasia",
            ),
            (40, "PORTE", porte, ""),
        ],
        [(190, "CÓDIGO E DESCRIÇÃO DA ATIVIDADE ECONÔMICA PRINCIPAL", activity, "")],
        [(190, "CÓDIGO E DESCRIÇÃO DAS ATIVIDADES ECONÔMICAS SECUNDÁRIAS", secondary, "")],
        [(190, "CÓDIGO E DESCRIÇÃO DA NATUREZA JURÍDICA", nature, "")],
        [
            (110, "LOGRADOURO", company.street, ""),
            (25, "NÚMERO", company.number, ""),
            (55, "COMPLEMENTO", complement, ""),
        ],
        [
            (35, "CEP", cep_text, "cep"),
            (60, "BAIRRO/DISTRITO", company.district, ""),
            (75, "MUNICÍPIO", company.municipio, "municipio"),
            (20, "UF", company.uf, "uf"),
        ],
        [(110, "ENDEREÇO ELETRÔNICO", "CONTATO@EMPRESA.COM.BR", ""), (80, "TELEFONE", phone, "")],
        [(190, "ENTE FEDERATIVO RESPONSÁVEL (EFR)", "*****", "")],
        [
            (120, "SITUAÇÃO CADASTRAL", company.situacao, "situacao_cadastral"),
            (70, "DATA DA SITUAÇÃO CADASTRAL", fmt_date(company.situacao_date), ""),
        ],
        [(190, "MOTIVO DE SITUAÇÃO CADASTRAL", "", "")],
        [
            (120, "SITUAÇÃO ESPECIAL", "********", ""),
            (70, "DATA DA SITUAÇÃO ESPECIAL", "********", ""),
        ],
    ]


def _first_row(pen: Pen, company: Company, *, y: float, cell: Cell) -> float:
    """Header, then inscription number, the title box and the opening date; returns its y."""
    x0, w = 5.0, 190.0
    pen.box(x0, 5, w=w, h=16)
    pen.lay.blocks.append(Block(x0 + 3, 6.5, 13, 13, (150, 150, 150), round=True))
    pen.text(x0, 7, text="REPÚBLICA FEDERATIVA DO BRASIL", size=11, bold=True, center_in=w)
    pen.text(x0, 12.5, text="CADASTRO NACIONAL DA PESSOA JURÍDICA", size=11, bold=True, center_in=w)
    branch = "MATRIZ" if company.cnpj[8:12] == "0001" else "FILIAL"
    first = max(13.0, pen.field_height(2) + 0.6)
    cell(
        x0,
        y,
        cw=48,
        label="NÚMERO DE INSCRIÇÃO",
        value=fmt_cnpj(company.cnpj),
        name="cnpj",
        extra=(branch,),
        ch=first,
    )
    pen.box(x0 + 48, y, w=100, h=first)
    pen.text(
        x0 + 48,
        y + 2,
        text="COMPROVANTE DE INSCRIÇÃO E DE SITUAÇÃO",
        size=7.5,
        bold=True,
        center_in=100,
    )
    pen.text(x0 + 48, y + 6.5, text="CADASTRAL", size=7.5, bold=True, center_in=100)
    cell(
        x0 + 148,
        y,
        cw=42,
        label="DATA DE ABERTURA",
        value=fmt_date(company.data_abertura),
        name="data_abertura",
        ch=first,
    )
    return y + first


class Cell(Protocol):
    def __call__(
        self,
        x: float,
        y: float,
        *,
        cw: float,
        label: str,
        value: str,
        name: str = "",
        extra: tuple[str, ...] = (),
        ch: float = 0.0,
    ) -> None: ...


# long: the Receita card drawn in its real order, a line per box
def cnpj_card(company: Company, *, fam: Family, rng: random.Random, emitted: date) -> Pen:
    """The card of ``company`` drawn in ``fam``; ``pen.boxes`` names where the values are."""
    lay = Layout(width=200.0, height=175.0)
    fonts = (
        ("LiberationSans", "DejaVuSans", "DejaVuSansCondensed")
        if fam.name == "tuning"
        else fam.sans
    )
    pen = Pen.start(lay, fam, rng=rng, fonts=fonts, label_ink=(30, 30, 30))
    pen.value_bold = fam.name == "tuning" or rng.random() < 0.5
    plain = fam.name == "heldout" and rng.random() < 0.3
    h = rng.uniform(*ROW_HEIGHT[fam.name])
    h = max(h, pen.field_height() + 0.6)  # the box holds its label and value

    def cell(
        x: float,
        y: float,
        *,
        cw: float,
        label: str,
        value: str,
        name: str = "",
        extra: tuple[str, ...] = (),
        ch: float = 0.0,
    ) -> None:
        pen.box(x, y, w=cw, h=ch or h)
        pen.field(
            x + 1.2,
            y + 0.6,
            label=_plain(label) if plain else label,
            value=value,
            name=name,
            extra=extra,
            max_width=cw - 2.4,
        )

    y = _first_row(pen, company, y=21.0, cell=cell)
    for row in _rows(company, rng):
        x = 5.0
        for width, label, value, name in row:
            cell(x, y, cw=width, label=label, value=value, name=name)
            x += width
        y += h
    y += 3
    pen.text(
        5,
        y,
        text="Aprovado pela Instrução Normativa RFB nº 2.119, de 06 de dezembro de 2022.",
        size=7,
        center_in=190,
    )
    pen.text(
        5,
        y + 5,
        text=f"Emitido no dia {fmt_date(emitted)} às {rng.randrange(7, 22):02d}:"
        f"{rng.randrange(60):02d}:{rng.randrange(60):02d} (data e hora de Brasília).",
        size=7,
        center_in=190,
    )
    lay.height = y + 14
    return pen
