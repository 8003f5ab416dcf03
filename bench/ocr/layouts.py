"""Page layouts of the synthetic documents, in millimetres, shared by the image and PDF renderers.

Modelled on the real pages: the Receita Federal "Comprovante de Inscrição e de Situação
Cadastral" (a grid of boxes, a tiny label at the top of each box and its value below), the CNH
data page (2017 model with plain labels, 2022 model with numbered labels) and the RG data side
(old model with inline "REGISTRO GERAL" and a variant with every label above its value).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date

from bench.ocr.people import Company, Person

INK = (20, 20, 20)


@dataclass(frozen=True, slots=True)
class Text:
    """One run of text; ``x``/``y`` are its top-left corner in millimetres, ``size`` in points."""

    x: float
    y: float
    text: str
    size: float
    bold: bool = False
    color: tuple[int, int, int] = INK
    center_in: float = 0.0  # when > 0: centre the run in [x, x + center_in]
    max_width: float = 0.0  # when > 0: shrink the run to fit this width (its column)
    font: str = ""  # a font family other than the layout's (see ``bench.ocr.render.font_path``)


@dataclass(frozen=True, slots=True)
class Rule:
    x0: float
    y0: float
    x1: float
    y1: float
    width: float = 0.2  # millimetres
    color: tuple[int, int, int] = (60, 60, 60)


@dataclass(frozen=True, slots=True)
class Block:
    """A filled rectangle (bar codes, QR modules, header bands, a seal), in millimetres."""

    x: float
    y: float
    w: float
    h: float
    color: tuple[int, int, int] = INK
    round: bool = False  # an ellipse inscribed in the rectangle


@dataclass(slots=True)
class Layout:
    width: float
    height: float
    texts: list[Text] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    background: str = "white"  # white | green | pink
    photo: tuple[float, float, float, float] | None = None
    font: str = "DejaVuSans"
    blocks: list[Block] = field(default_factory=list)
    tint: tuple[int, int, int] | None = None  # background colour of "tinted" cards


def fmt_date(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def fmt_cnpj(v: str) -> str:
    return f"{v[:2]}.{v[2:5]}.{v[5:8]}/{v[8:12]}-{v[12:]}"


def fmt_cpf(v: str) -> str:
    return f"{v[:3]}.{v[3:6]}.{v[6:9]}-{v[9:]}"


def fmt_rg(v: str) -> str:
    if len(v) == 9:
        return f"{v[:2]}.{v[2:5]}.{v[5:8]}-{v[8:]}"
    if len(v) == 7:
        return f"{v[0]}.{v[1:4]}.{v[4:]}"
    return v


def _box(layout: Layout, x: float, *, y: float, w: float, h: float) -> None:
    layout.rules += [Rule(x, y, x + w, y), Rule(x, y + h, x + w, y + h)]
    layout.rules += [Rule(x, y, x, y + h), Rule(x + w, y, x + w, y + h)]


def _cell(
    layout: Layout,
    *,
    x: float,
    y: float,
    w: float,
    label: str,
    values: tuple[str, ...],
    h: float = 9.0,
    label_size: float = 5.5,
    value_size: float = 8.0,
) -> None:
    _box(layout, x, y=y, w=w, h=h)
    layout.texts.append(Text(x + 1.2, y + 0.6, label, label_size))
    for i, value in enumerate(values):
        pitch = value_size * 0.55  # mm between lines of a multi-line value
        layout.texts.append(Text(x + 1.2, y + 3.7 + i * pitch, value, value_size, bold=True))


# long: the Receita card's grid, one box per line in the card's real order
def cnpj_card_layout(company: Company, *, rng: random.Random, emitted: date) -> Layout:
    """The Comprovante de Inscrição e de Situação Cadastral (cartão CNPJ)."""
    lay = Layout(width=200.0, height=175.0, font=rng.choice(("DejaVuSans", "DejaVuSansCondensed")))
    vs = rng.uniform(7.5, 9.0)
    x0, w = 5.0, 190.0
    _box(lay, x0, y=5, w=w, h=16)
    lay.texts.append(Text(x0, 7, "REPÚBLICA FEDERATIVA DO BRASIL", 11, bold=True, center_in=w))
    lay.texts.append(
        Text(x0, 12.5, "CADASTRO NACIONAL DA PESSOA JURÍDICA", 11, bold=True, center_in=w)
    )
    y = 21.0
    inscr = (fmt_cnpj(company.cnpj), "MATRIZ" if company.cnpj[8:12] == "0001" else "FILIAL")
    _cell(lay, x=x0, y=y, w=48, label="NÚMERO DE INSCRIÇÃO", values=inscr, h=13, value_size=vs)
    _box(lay, x0 + 48, y=y, w=100, h=13)
    lay.texts.append(
        Text(x0 + 48, y + 2, "COMPROVANTE DE INSCRIÇÃO E DE SITUAÇÃO", 7.5, True, center_in=100)
    )
    lay.texts.append(Text(x0 + 48, y + 6.5, "CADASTRAL", 7.5, True, center_in=100))
    opened = (fmt_date(company.data_abertura),)
    _cell(lay, x=x0 + 148, y=y, w=42, label="DATA DE ABERTURA", values=opened, h=13, value_size=vs)
    y += 13
    _cell(
        lay, x=x0, y=y, w=w, label="NOME EMPRESARIAL", values=(company.razao_social,), value_size=vs
    )
    y += 9
    fantasia = company.nome_fantasia or "********"
    _cell(
        lay,
        x=x0,
        y=y,
        w=150,
        label="TÍTULO DO ESTABELECIMENTO (NOME DE FANTASIA)",
        values=(fantasia,),
        value_size=vs,
    )
    _cell(
        lay,
        x=x0 + 150,
        y=y,
        w=40,
        label="PORTE",
        values=(rng.choice(("ME", "EPP", "DEMAIS")),),
        value_size=vs,
    )
    y += 9
    _cell(
        lay,
        x=x0,
        y=y,
        w=w,
        label="CÓDIGO E DESCRIÇÃO DA ATIVIDADE ECONÔMICA PRINCIPAL",
        values=("47.21-1-02 - Padaria e confeitaria com predominância de revenda",),
        value_size=vs,
    )
    y += 9
    _cell(
        lay,
        x=x0,
        y=y,
        w=w,
        label="CÓDIGO E DESCRIÇÃO DAS ATIVIDADES ECONÔMICAS SECUNDÁRIAS",
        values=("Não informada",),
        value_size=vs,
    )
    y += 9
    _cell(
        lay,
        x=x0,
        y=y,
        w=w,
        label="CÓDIGO E DESCRIÇÃO DA NATUREZA JURÍDICA",
        values=("206-2 - Sociedade Empresária Limitada",),
        value_size=vs,
    )
    y += 9
    _cell(lay, x=x0, y=y, w=110, label="LOGRADOURO", values=(company.street,), value_size=vs)
    _cell(lay, x=x0 + 110, y=y, w=25, label="NÚMERO", values=(company.number,), value_size=vs)
    _cell(lay, x=x0 + 135, y=y, w=55, label="COMPLEMENTO", values=("********",), value_size=vs)
    y += 9
    cep = company.cep
    cep_text = f"{cep[:2]}.{cep[2:5]}-{cep[5:]}" if rng.random() < 0.8 else f"{cep[:5]}-{cep[5:]}"
    _cell(lay, x=x0, y=y, w=35, label="CEP", values=(cep_text,), value_size=vs)
    _cell(
        lay,
        x=x0 + 35,
        y=y,
        w=60,
        label="BAIRRO/DISTRITO",
        values=(company.district,),
        value_size=vs,
    )
    _cell(lay, x=x0 + 95, y=y, w=75, label="MUNICÍPIO", values=(company.municipio,), value_size=vs)
    _cell(lay, x=x0 + 170, y=y, w=20, label="UF", values=(company.uf,), value_size=vs)
    y += 9
    _cell(
        lay,
        x=x0,
        y=y,
        w=110,
        label="ENDEREÇO ELETRÔNICO",
        values=("CONTATO@EMPRESA.COM.BR",),
        value_size=vs,
    )
    _cell(lay, x=x0 + 110, y=y, w=80, label="TELEFONE", values=("(11) 3456-7890",), value_size=vs)
    y += 9
    _cell(
        lay,
        x=x0,
        y=y,
        w=w,
        label="ENTE FEDERATIVO RESPONSÁVEL (EFR)",
        values=("*****",),
        value_size=vs,
    )
    y += 9
    _cell(
        lay, x=x0, y=y, w=120, label="SITUAÇÃO CADASTRAL", values=(company.situacao,), value_size=vs
    )
    _cell(
        lay,
        x=x0 + 120,
        y=y,
        w=70,
        label="DATA DA SITUAÇÃO CADASTRAL",
        values=(fmt_date(company.situacao_date),),
        value_size=vs,
    )
    y += 9
    _cell(lay, x=x0, y=y, w=w, label="MOTIVO DE SITUAÇÃO CADASTRAL", values=("",), value_size=vs)
    y += 9
    _cell(lay, x=x0, y=y, w=120, label="SITUAÇÃO ESPECIAL", values=("********",), value_size=vs)
    _cell(
        lay,
        x=x0 + 120,
        y=y,
        w=70,
        label="DATA DA SITUAÇÃO ESPECIAL",
        values=("********",),
        value_size=vs,
    )
    y += 12
    lay.texts.append(
        Text(
            x0,
            y,
            "Aprovado pela Instrução Normativa RFB nº 2.119, de 06 de dezembro de 2022.",
            7,
            center_in=w,
        )
    )
    stamp = f"Emitido no dia {fmt_date(emitted)} às 10:21:43 (data e hora de Brasília)."
    lay.texts.append(Text(x0, y + 5, stamp, 7, center_in=w))
    lay.height = y + 14
    return lay


# long: the CNH's grid, one box per line in the card's real order
def cnh_layout(person: Person, *, rng: random.Random, emitted: date) -> Layout:
    """The CNH data page; ``rng`` picks the 2017 (plain labels) or 2022 (numbered) model."""
    lay = Layout(
        width=128.0,
        height=88.0,
        background="green",
        font=rng.choice(("DejaVuSans", "DejaVuSansCondensed", "DejaVuSansMono")),
    )
    lc = (150, 40, 40) if rng.random() < 0.5 else (40, 100, 60)
    numbered = rng.random() < 0.4
    ls, vs = 5.2, rng.uniform(7.0, 8.0)

    def field_(x: float, y: float, *, label: str, value: str, extra: str = "") -> None:
        lay.texts.append(Text(x, y, label, ls, color=lc))
        lay.texts.append(Text(x, y + 3.0, value, vs, bold=True))
        if extra:
            lay.texts.append(Text(x, y + 6.4, extra, vs, bold=True))

    lay.texts.append(Text(0, 3, "REPÚBLICA FEDERATIVA DO BRASIL", 7, True, center_in=128))
    lay.texts.append(Text(0, 6.5, "MINISTÉRIO DA INFRAESTRUTURA", 6, center_in=128))
    lay.texts.append(Text(0, 9.5, "DEPARTAMENTO NACIONAL DE TRÂNSITO", 6, center_in=128))
    lay.texts.append(Text(0, 12.5, "CARTEIRA NACIONAL DE HABILITAÇÃO", 8, True, center_in=128))
    lay.photo = (6.0, 20.0, 30.0, 38.0)
    x = 40.0
    identity = f"{person.rg} {person.rg_issuer} {person.rg_uf}"
    born = fmt_date(person.data_nascimento)
    if numbered:
        field_(x, 19, label="2 e 1 NOME E SOBRENOME", value=person.nome)
        field_(
            x,
            26,
            label="3 DATA, LOCAL E UF DE NASCIMENTO",
            value=f"{born}, {person.birthplace}, {person.birth_uf}",
        )
        field_(x, 33, label="4a DATA EMISSÃO", value=fmt_date(emitted))
        field_(x + 38, 33, label="4b VALIDADE", value=fmt_date(person.cnh_validade))
        field_(x, 40, label="4c DOC. IDENTIDADE/ÓRG. EMISSOR/UF", value=identity)
        field_(x, 47, label="4d CPF", value=fmt_cpf(person.cpf))
        field_(x + 38, 47, label="5 Nº REGISTRO", value=person.cnh_registro)
        field_(x, 54, label="9 CAT. HAB.", value=person.cnh_category)
        field_(x + 38, 54, label="1ª HABILITAÇÃO", value=fmt_date(person.cnh_first))
        field_(6, 62, label="FILIAÇÃO", value=person.father, extra=person.mother)
    else:
        field_(x, 19, label="NOME", value=person.nome)
        field_(x, 26, label="DOC. IDENTIDADE / ÓRG. EMISSOR / UF", value=identity)
        field_(x, 33, label="CPF", value=fmt_cpf(person.cpf))
        field_(x + 38, 33, label="DATA NASCIMENTO", value=born)
        field_(x, 40, label="FILIAÇÃO", value=person.father, extra=person.mother)
        field_(x, 51, label="PERMISSÃO", value="")
        field_(x + 30, 51, label="ACC", value="")
        field_(x + 50, 51, label="CAT. HAB.", value=person.cnh_category)
        field_(6, 62, label="Nº REGISTRO", value=person.cnh_registro)
        field_(46, 62, label="VALIDADE", value=fmt_date(person.cnh_validade))
        field_(84, 62, label="1ª HABILITAÇÃO", value=fmt_date(person.cnh_first))
    field_(6, 72, label="OBSERVAÇÕES", value="")
    field_(6, 79, label="LOCAL", value=f"{person.birthplace}, {person.birth_uf}")
    field_(
        84,
        79,
        label="DATA EMISSÃO" if not numbered else "ASSINATURA DO PORTADOR",
        value=fmt_date(emitted) if not numbered else "",
    )
    return lay


def rg_layout(person: Person, *, rng: random.Random) -> Layout:
    """The RG data side (verso): inline REGISTRO GERAL (old model) or labels above values."""
    lay = Layout(
        width=120.0,
        height=84.0,
        background="pink",
        font=rng.choice(("DejaVuSans", "DejaVuSerif", "DejaVuSansCondensed")),
    )
    inline = rng.random() < 0.6
    ls, vs = 5.5, rng.uniform(7.5, 8.5)
    lc = (60, 60, 90)

    def field_(
        x: float, y: float, *, label: str, value: str, extra: str = "", width: float = 0.0
    ) -> None:
        lay.texts.append(Text(x, y, label, ls, color=lc))
        lay.texts.append(Text(x, y + 3.1, value, vs, bold=True, max_width=width))
        if extra:
            lay.texts.append(Text(x, y + 6.5, extra, vs, bold=True))

    lay.texts.append(Text(0, 2.5, "REPÚBLICA FEDERATIVA DO BRASIL", 6.5, True, center_in=120))
    lay.texts.append(Text(0, 5.8, "SECRETARIA DA SEGURANÇA PÚBLICA", 6, center_in=120))
    lay.texts.append(Text(0, 8.8, "INSTITUTO DE IDENTIFICAÇÃO", 6, center_in=120))
    issued = fmt_date(person.rg_issued)
    if inline:
        lay.texts.append(Text(6, 14, "REGISTRO GERAL", ls, color=lc))
        lay.texts.append(Text(34, 13.2, fmt_rg(person.rg), vs, bold=True, max_width=27))
        lay.texts.append(Text(63, 14, "DATA DE EXPEDIÇÃO", ls, color=lc))
        lay.texts.append(Text(94, 13.2, issued, vs, bold=True))
    else:
        field_(6, 12, label="REGISTRO GERAL", value=fmt_rg(person.rg))
        field_(66, 12, label="DATA DE EXPEDIÇÃO", value=issued)
    field_(6, 20, label="NOME", value=person.nome)
    field_(6, 28, label="FILIAÇÃO", value=person.father, extra=person.mother)
    field_(6, 40, label="NATURALIDADE", value=f"{person.birthplace} - {person.birth_uf}", width=57)
    field_(66, 40, label="DATA DE NASCIMENTO", value=fmt_date(person.data_nascimento))
    field_(
        6,
        48,
        label="DOC. ORIGEM",
        value=f"CERT. NASC. LV. A{rng.randrange(10, 99)} FLS. {rng.randrange(10, 300)}",
    )
    field_(6, 56, label="CPF", value=fmt_cpf(person.cpf))
    lay.texts.append(Text(0, 70, "ASSINATURA DO DIRETOR", 5.5, color=lc, center_in=120))
    lay.texts.append(Text(0, 76, "LEI Nº 7.116 DE 29/08/83", 5.5, color=lc, center_in=120))
    return lay
