"""Identity documents: CNH (2017 and 2022 models, and the CNH-e PDF), RG by state, the CIN.

- CNH 2017: plain labels above values (NOME, DOC. IDENTIDADE / ÓRG. EMISSOR / UF, CPF, DATA
  NASCIMENTO, FILIAÇÃO, ..., Nº REGISTRO, VALIDADE, 1ª HABILITAÇÃO) on a green guilloche.
- CNH 2022: numbered labels (2 e 1 NOME E SOBRENOME, 3 DATA, LOCAL E UF DE NASCIMENTO, 4a DATA
  EMISSÃO, 4b VALIDADE, 4c DOC. IDENTIDADE, 4d CPF, 5 Nº REGISTRO, 9 CAT. HAB.).
- CNH-e: the PDF of the digital CNH, the card drawn on an A4 page with a QR code (text layer).
- RG: each state's data side differs in header, label set and order (``RG_MODELS``): inline
  "REGISTRO GERAL" (SP), boxed labels above (RJ), "MG-" numbers (MG), beside-the-label (RS, BA),
  and more; the fresh family draws PE, DF, SC and CE; the wide family GO, PA, ES and AM.
- CIN (2022+): bilingual labels, the CPF as its number, and the ICAO TD1 MRZ on the back; the
  front and back are drawn one above the other, as in a copy of both sides.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta

from bench.ocr.families import Family, label
from bench.ocr.forms import Pen
from bench.ocr.layouts import Block, Layout, fmt_cpf, fmt_date, fmt_rg
from bench.ocr.mrz import td1
from bench.ocr.people import Person
from bench.ocr.rg_models import RG_MODELS, RgModel


def _card(
    fam: Family,
    rng: random.Random,
    *,
    width: float,
    height: float,
    tint: tuple[int, int, int] | None = None,
) -> Layout:
    lay = Layout(width=width, height=height, background="tinted")
    lay.tint = tint or rng.choice(fam.card_tints)
    return lay


# long: one CNH drawn top to bottom, a line per printed field
def cnh(person: Person, *, fam: Family, rng: random.Random, emitted: date, model: str = "") -> Pen:
    """The CNH data page, ``model`` "2017" or "2022" (drawn from ``rng`` when empty)."""
    model = model or ("2022" if rng.random() < 0.45 else "2017")
    lay = _card(fam, rng, width=128.0, height=88.0, tint=CNH_GREEN[fam.name])
    pen = Pen.start(lay, fam, rng=rng, fonts=fam.sans + fam.mono)
    pen.fit(label_pt=5.4, value_pt=7.9, gap=1.0)  # the card's grid: 7 mm per field
    pen.text(0, 3, text="REPÚBLICA FEDERATIVA DO BRASIL", size=7, bold=True, center_in=128)
    pen.text(
        0,
        6.5,
        text=rng.choice(("MINISTÉRIO DA INFRAESTRUTURA", "MINISTÉRIO DOS TRANSPORTES")),
        size=6,
        center_in=128,
    )
    pen.text(
        0,
        9.5,
        text=rng.choice(("DEPARTAMENTO NACIONAL DE TRÂNSITO", "SECRETARIA NACIONAL DE TRÂNSITO")),
        size=6,
        center_in=128,
    )
    pen.text(0, 12.5, text="CARTEIRA NACIONAL DE HABILITAÇÃO", size=8, bold=True, center_in=128)
    lay.photo = (6.0, 20.0, 30.0, 38.0)
    x, dx = 40.0, rng.uniform(36, 42)
    identity = f"{person.rg} {person.rg_issuer} {person.rg_uf}"
    born = fmt_date(person.data_nascimento)
    f = pen.field
    if model == "2022":
        f(x, 19, label="2 e 1 NOME E SOBRENOME", value=person.nome, name="nome")
        f(
            x,
            26,
            label="3 DATA, LOCAL E UF DE NASCIMENTO",
            value=f"{born}, {person.birthplace}, {person.birth_uf}",
            name="data_nascimento",
        )
        f(x, 33, label="4a DATA EMISSÃO", value=fmt_date(emitted))
        f(x + dx, 33, label="4b VALIDADE", value=fmt_date(person.cnh_validade), name="validade")
        f(x, 40, label="4c DOC. IDENTIDADE/ÓRG. EMISSOR/UF", value=identity)
        f(x, 47, label="4d CPF", value=fmt_cpf(person.cpf), name="cpf")
        f(x + dx, 47, label="5 Nº REGISTRO", value=person.cnh_registro, name="numero_registro")
        f(x, 54, label="9 CAT. HAB.", value=person.cnh_category)
        f(x + dx, 54, label="1ª HABILITAÇÃO", value=fmt_date(person.cnh_first))
        f(6, 62, label="FILIAÇÃO", value=person.father, extra=(person.mother,), max_width=62)
    else:
        f(x, 19, label=label(fam, "nome", rng=rng), value=person.nome, name="nome")
        f(x, 26, label=IDENTITY_LABEL.get(fam.name, IDENTITY_LABEL["tuning"]), value=identity)
        f(x, 33, label=label(fam, "cpf", rng=rng), value=fmt_cpf(person.cpf), name="cpf")
        f(
            x + dx,
            33,
            label=label(fam, "cnh_nascimento", rng=rng),
            value=born,
            name="data_nascimento",
        )
        f(x, 40, label="FILIAÇÃO", value=person.father, extra=(person.mother,))
        f(x + 50, 51, label="CAT. HAB.", value=person.cnh_category)
        f(
            6,
            62,
            label=label(fam, "registro_cnh", rng=rng),
            value=person.cnh_registro,
            name="numero_registro",
        )
        f(
            46,
            62,
            label=label(fam, "validade", rng=rng),
            value=fmt_date(person.cnh_validade),
            name="validade",
        )
        f(84, 62, label="1ª HABILITAÇÃO", value=fmt_date(person.cnh_first))
    if model == "2022":
        f(72, 62, label="OBSERVAÇÕES", value=rng.choice(("", "EAR", "A")))
    else:
        f(6, 72, label="OBSERVAÇÕES", value=rng.choice(("", "EAR", "A")))
    f(6, 79, label="LOCAL", value=f"{person.birthplace}, {person.birth_uf}")
    if model == "2017":
        f(84, 79, label="DATA EMISSÃO", value=fmt_date(emitted))
    return pen


def cnh_e_page(card: Layout, *, pen: Pen, person: Person) -> Layout:
    """The CNH-e PDF's A4 page: a title, the card drawn in it, a QR code, the validation text."""
    page = Layout(width=210.0, height=297.0, font=card.font)
    sub = Pen(page, pen.fam, pen.rng, label_font=card.font, value_font=card.font)
    sub.text(0, 12, text="CARTEIRA DE HABILITAÇÃO DIGITAL", size=12, bold=True, center_in=210)
    sub.text(
        0,
        19,
        text="Documento gerado pelo aplicativo Carteira Digital de Trânsito",
        size=8,
        center_in=210,
    )
    dx, dy = 41.0, 30.0
    for b in card.blocks:
        page.blocks.append(Block(b.x + dx, b.y + dy, b.w, b.h, b.color, b.round))
    page.blocks.append(Block(dx, dy, card.width, card.height, (232, 244, 232)))
    page.blocks.reverse()  # the card's fill first, under everything else
    if card.photo:
        px, py, pw, ph = card.photo
        page.blocks.append(Block(px + dx, py + dy, pw, ph, (170, 175, 180)))
        page.blocks.append(
            Block(
                px + dx + pw * 0.25,
                py + dy + ph * 0.15,
                pw * 0.5,
                ph * 0.45,
                (120, 110, 100),
                round=True,
            )
        )
    page.rules += [
        replace(r, x0=r.x0 + dx, x1=r.x1 + dx, y0=r.y0 + dy, y1=r.y1 + dy) for r in card.rules
    ]
    page.texts += [replace(t, x=t.x + dx, y=t.y + dy) for t in card.texts]
    sub.qr(80, 130, side=50)
    sub.text(
        0,
        186,
        text=f"QR-CODE DE VALIDAÇÃO - CPF {fmt_cpf(person.cpf)[:4]}***.***-**",
        size=7,
        center_in=210,
    )
    sub.text(
        0, 192, text="A autenticidade pode ser conferida no aplicativo Vio.", size=7, center_in=210
    )
    return page


CNH_GREEN = {
    "tuning": (226, 240, 226),
    "heldout": (232, 242, 222),
    "fresh": (214, 232, 206),
    "wide": (220, 236, 212),
}
CIN_TINT = {
    "tuning": (228, 236, 246),
    "heldout": (228, 236, 246),
    "fresh": (216, 228, 240),
    "wide": (232, 232, 244),
}
MRZ_FONT = {
    "tuning": "DejaVuSansMono",
    "heldout": "LiberationMono",
    "fresh": "FreeMono",
    "wide": "Hack",
}
# the 2017 CNH's identity line as printed, as later prints spell it out, and abridged
IDENTITY_LABEL = {
    "tuning": "DOC. IDENTIDADE / ÓRG. EMISSOR / UF",
    "fresh": "DOC. IDENTIDADE/ÓRGÃO EMISSOR/UF",
    "wide": "IDENTIDADE / ÓRG. EMISSOR / UF",
}


def _rg_number(person: Person, model: RgModel) -> str:
    if model.number == "mg":
        return f"MG-{fmt_rg(person.rg)}"
    return fmt_rg(person.rg) if model.number == "sp" else person.rg


# long: one RG drawn top to bottom, a line per printed field and state model
def rg(person: Person, *, fam: Family, rng: random.Random) -> Pen:
    """The RG data side in one state's model of ``fam`` (drawn from ``rng``)."""
    model = rng.choice(RG_MODELS[fam.name])
    lay = _card(fam, rng, width=120.0, height=84.0)
    pen = Pen.start(lay, fam, rng=rng, fonts=fam.sans + fam.serif)
    pen.text(0, 2.5, text="REPÚBLICA FEDERATIVA DO BRASIL", size=6.5, bold=True, center_in=120)
    pen.text(0, 5.8, text=model.header[0], size=6, center_in=120, max_width=110)
    pen.text(0, 8.8, text=model.header[1], size=5.5, center_in=120, max_width=110)
    beside = model.style in ("beside", "inline")
    boxed = model.style == "boxed"
    gap = 1.2 if boxed else 0.6
    y = 13.0

    def put(
        x: float,
        key: str,
        *,
        value: str,
        name: str = "",
        extra: tuple[str, ...] = (),
        width: float = 0.0,
        w: float = 108.0,
    ) -> float:
        bottom = pen.field(
            x,
            y,
            label=label(fam, key, rng=rng) if key in LABEL_KEYS else key,
            value=value,
            name=name,
            beside=beside,
            extra=extra,
            max_width=width,
            colon=model.style == "beside",
        )
        if boxed:
            pen.box(x - 1, y - 0.8, w=w, h=bottom - y + 0.9)
        return bottom

    y = (
        max(
            put(6, "registro_geral", value=_rg_number(person, model), name="rg", w=56, width=56),
            put(66, "expedicao", value=fmt_date(person.rg_issued), w=48),
        )
        + gap
    )
    y = put(6, "nome", value=person.nome, name="nome", width=108) + gap
    if model.cpf_first:
        y = put(6, "cpf", value=fmt_cpf(person.cpf), name="cpf") + gap
    y = put(6, "filiacao", value=person.father, extra=(person.mother,), width=106) + gap
    y = (
        max(
            put(
                6, "naturalidade", value=f"{person.birthplace} - {person.birth_uf}", width=56, w=56
            ),
            put(
                66,
                "nascimento",
                value=fmt_date(person.data_nascimento),
                name="data_nascimento",
                w=48,
            ),
        )
        + gap
    )
    y = (
        put(
            6,
            "DOC. ORIGEM",
            value=f"CERT. NASC. LV. A{rng.randrange(10, 99)} FLS. {rng.randrange(300)}",
            width=106,
        )
        + gap
    )
    if not model.cpf_first:
        y = put(6, "cpf", value=fmt_cpf(person.cpf), name="cpf") + gap
    lay.height = max(84.0, y + 14)
    pen.text(
        0, lay.height - 11, text="ASSINATURA DO DIRETOR", size=5.5, ink=pen.label_ink, center_in=120
    )
    pen.text(
        0,
        lay.height - 6,
        text="LEI Nº 7.116 DE 29/08/83",
        size=5.5,
        ink=pen.label_ink,
        center_in=120,
    )
    return pen


LABEL_KEYS = {
    "registro_geral",
    "expedicao",
    "nome",
    "cpf",
    "filiacao",
    "naturalidade",
    "nascimento",
}


def cin(person: Person, *, fam: Family, rng: random.Random, emitted: date) -> tuple[Pen, str]:
    """The CIN, front above back (with the MRZ); also the MRZ's three lines."""
    lay = _card(fam, rng, width=90.0, height=122.0, tint=CIN_TINT[fam.name])
    pen = Pen.start(lay, fam, rng=rng, fonts=fam.sans)
    pen.fit(label_pt=5.4, value_pt=7.9, gap=1.0)  # the card's grid: 7 mm per field
    pen.text(0, 2.5, text="REPÚBLICA FEDERATIVA DO BRASIL", size=6, bold=True, center_in=90)
    pen.text(0, 5.5, text="CARTEIRA DE IDENTIDADE / IDENTITY CARD", size=5.5, center_in=90)
    lay.photo = (4.0, 10.0, 22.0, 28.0)
    sex = rng.choice(("M", "F"))
    expiry = emitted + timedelta(days=365 * 10)
    f = pen.field
    f(29, 10, label="NOME / NAME", value=person.nome, name="nome", max_width=58)
    f(29, 17, label="SEXO / SEX", value=sex)
    f(52, 17, label="NACIONALIDADE / NATIONALITY", value="BRA")
    f(
        29,
        24,
        label="DATA DE NASCIMENTO / DATE OF BIRTH",
        value=fmt_date(person.data_nascimento),
        name="data_nascimento",
    )
    f(29, 31, label="VALIDADE / DATE OF EXPIRY", value=fmt_date(expiry))
    f(4, 40, label="REGISTRO GERAL - CPF / PERSONAL NUMBER", value=fmt_cpf(person.cpf), name="cpf")
    f(4, 47, label="ÓRGÃO EXPEDIDOR / ISSUING AUTHORITY", value=f"SSP/{person.rg_uf}")
    pen.box(1, 62, w=88, h=0.01)
    f(4, 65, label="FILIAÇÃO / FILIATION", value=person.father, extra=(person.mother,))
    f(4, 76, label="NATURALIDADE / PLACE OF BIRTH", value=f"{person.birthplace}/{person.birth_uf}")
    f(4, 83, label="LOCAL DE EMISSÃO", value=f"{person.birthplace}/{person.birth_uf}", max_width=48)
    f(54, 83, label="DATA DE EMISSÃO", value=fmt_date(emitted))
    zone = td1(
        cpf=person.cpf, nome=person.nome, born=person.data_nascimento, sex=sex, expiry=expiry
    )
    lay.blocks.append(Block(0, 96, 90, 26, (250, 250, 250)))
    for i, line in enumerate(zone.splitlines()):
        pen.text(3, 99 + i * 6.2, text=line, size=9.5, font=MRZ_FONT[fam.name], ink=(10, 10, 10))
    return pen, zone
