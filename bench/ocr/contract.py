"""The contrato social (or its last amendment, consolidated) as a PDF of several A4 pages.

Clauses in prose, as a law firm or accountant writes them: the preamble qualifies each partner
(name, nationality, civil status, profession, RG, CPF, address), then names the company, its
CNPJ and NIRE; clauses on capital (quotas per partner, amounts), administration, and the
signatures, with two witnesses whose CPFs are NOT partners'. The text layer is written with
fpdf2 (``text_pdf``); ``scanned_pdf`` rasterises those pages and puts them back as images, as a
scanner or a phone "scan" app does (no text layer).

Truth: ``razao_social``, ``cnpj`` (14 characters), ``socio_N_nome`` / ``socio_N_cpf`` in the
order the partners are named.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import pypdfium2
from fpdf import FPDF
from PIL import Image, ImageFilter

from bench.ocr.families import Family
from bench.ocr.layouts import fmt_cnpj, fmt_cpf
from bench.ocr.people import (
    BUSINESS,
    PLACES,
    STREETS,
    SUFFIXES,
    SURNAMES,
    make_cnpj,
    make_cpf,
    make_name,
)
from bench.ocr.render import font_path, quiet_font_tables

STAMP = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # fixed, so a seed gives the same bytes
CIVIL = ("solteiro(a)", "casado(a) sob o regime de comunhão parcial de bens", "divorciado(a)")
JOBS = ("empresário(a)", "administrador(a)", "engenheiro(a)", "contador(a)", "comerciante")
CPF_WORDING = {
    "tuning": ("inscrito(a) no CPF sob o nº {cpf}", "CPF nº {cpf}"),
    "heldout": (
        "portador(a) do CPF/MF nº {cpf}",
        "inscrito(a) no Cadastro de Pessoas Físicas sob o número {cpf}",
        "CPF: {cpf}",
    ),
    "fresh": (
        "portador(a) do CPF nº {cpf}",
        "CPF sob nº {cpf}",
        "inscrito(a) no CPF/ME sob o nº {cpf}",
    ),
    "wide": (
        "inscrito(a) no Cadastro de Pessoas Físicas (CPF) sob o nº {cpf}",
        "C.P.F. nº {cpf}",
        "CPF número {cpf}",
    ),
}
CNPJ_WORDING = {
    "tuning": ("inscrita no CNPJ sob o nº {cnpj}", "CNPJ nº {cnpj}"),
    "heldout": ("inscrita no CNPJ/MF sob o número {cnpj}", "com CNPJ {cnpj}"),
    "fresh": (
        "registrada sob o CNPJ nº {cnpj}",
        "devidamente inscrita no CNPJ sob nº {cnpj}",
        "CNPJ/ME nº {cnpj}",
    ),
    "wide": (
        "inscrita no Cadastro Nacional da Pessoa Jurídica sob o nº {cnpj}",
        "C.N.P.J. nº {cnpj}",
    ),
}


@dataclass(frozen=True, slots=True)
class Wording:
    """How a family's contracts phrase what is not a CPF or CNPJ (``str.format`` templates)."""

    amendment: str = "{n}ª ALTERAÇÃO E CONSOLIDAÇÃO DO CONTRATO SOCIAL DA SOCIEDADE {razao}"
    consolidated: str = "CONTRATO SOCIAL CONSOLIDADO - {razao}"
    rg: str = "portador(a) da cédula de identidade RG nº {rg} SSP/{uf}"
    seat: str = "com sede na {street}, {number}, {city}/{uf}"
    filed: str = (
        "com atos constitutivos arquivados na Junta Comercial sob o NIRE {nire}, resolvem "
        "alterar e consolidar o contrato social, que passa a vigorar com a redação seguinte:"
    )
    clauses: tuple[str, ...] = (
        "CLÁUSULA PRIMEIRA - DO NOME EMPRESARIAL E SEDE. A sociedade gira sob o nome "
        "empresarial {razao} e tem sede e foro em {city}/{uf}.",
        "CLÁUSULA SEGUNDA - DO OBJETO. A sociedade tem por objeto o comércio e a prestação de "
        "serviços ligados às suas atividades, podendo abrir filiais em todo o território "
        "nacional mediante deliberação dos sócios.",
        "CLÁUSULA TERCEIRA - DO CAPITAL. O capital social é de R$ {capital}, dividido em quotas "
        "de R$ 1,00 cada, assim distribuídas: {shares}.",
        "CLÁUSULA QUARTA - DA ADMINISTRAÇÃO. A administração da sociedade cabe aos sócios, "
        "isoladamente, com os poderes e atribuições de representá-la ativa e passivamente, "
        "vedado o uso do nome empresarial em atividades estranhas ao interesse social.",
        "CLÁUSULA QUINTA - DO EXERCÍCIO SOCIAL. Ao término de cada exercício, em 31 de "
        "dezembro, os administradores prestarão contas justificadas de sua administração.",
        "E, por estarem assim justos e contratados, assinam o presente instrumento em via única.",
    )
    cents: str = ".00"  # after the capital's thousands: the old drawings print "10.000.00"
    share: str = "{nome}: {quotas} quotas"
    witness: str = "{nome} - CPF {cpf}"


FRESH_WORDING = Wording(
    amendment="INSTRUMENTO PARTICULAR DE {n}ª ALTERAÇÃO CONTRATUAL DA SOCIEDADE {razao}",
    consolidated="CONTRATO SOCIAL DA SOCIEDADE EMPRESÁRIA LIMITADA {razao}",
    rg="portador(a) da Carteira de Identidade nº {rg}, expedida pela SSP/{uf}",
    seat="com sede em {city}/{uf}, na {street}, nº {number}",
    filed=(
        "com contrato social arquivado na Junta Comercial do Estado sob o NIRE {nire}, "
        "resolvem, de comum acordo, alterar e consolidar o contrato social mediante as "
        "cláusulas e condições seguintes:"
    ),
    clauses=(
        "CLÁUSULA 1ª - DA DENOMINAÇÃO E DA SEDE. A sociedade denomina-se {razao}, com sede e "
        "foro na cidade de {city}/{uf}.",
        "CLÁUSULA 2ª - DO OBJETO SOCIAL. A sociedade tem por objeto social o comércio varejista "
        "e a prestação de serviços relacionados, podendo participar de outras sociedades.",
        "CLÁUSULA 3ª - DO CAPITAL SOCIAL. O capital social, totalmente integralizado em moeda "
        "corrente do País, é de R$ {capital}, representado por quotas de valor nominal de "
        "R$ 1,00, distribuídas entre os sócios da seguinte forma: {shares}.",
        "CLÁUSULA 4ª - DA ADMINISTRAÇÃO. A sociedade será administrada pelos sócios, em "
        "conjunto ou isoladamente, aos quais compete o uso da denominação social.",
        "CLÁUSULA 5ª - DO EXERCÍCIO SOCIAL. O exercício social coincide com o ano civil; ao seu "
        "término será levantado o balanço patrimonial e o de resultado econômico.",
        "E por estarem de acordo, assinam o presente instrumento, juntamente com as "
        "duas testemunhas abaixo.",
    ),
    cents=",00",
    share="{nome}, titular de {quotas} quotas",
    witness="{nome}, CPF nº {cpf}",
)
WORDING = {"tuning": Wording(), "heldout": Wording(), "fresh": FRESH_WORDING, "wide": Wording()}


@dataclass(frozen=True, slots=True)
class Contract:
    """The contract's paragraphs (title first) and its truth."""

    paragraphs: tuple[str, ...]
    truth: dict[str, str]


def _qualify(
    partners: list[tuple[str, str]], *, fam: Family, rng: random.Random, place: tuple[str, str]
) -> list[str]:
    """Each partner's qualification (nationality, civil status, job, RG, CPF, home)."""
    city, uf = place
    words = WORDING[fam.name]
    quals = []
    for nome, cpf in partners:
        cpf_text = rng.choice(CPF_WORDING[fam.name]).format(cpf=fmt_cpf(cpf))
        civil, job = rng.choice(CIVIL), rng.choice(JOBS)
        rg = words.rg.format(rg=rng.randrange(10**7, 10**8), uf=uf)
        quals.append(
            f"{nome}, brasileiro(a), {civil}, {job}, {rg}, {cpf_text}, residente e "
            f"domiciliado(a) na {rng.choice(STREETS)}, {rng.randrange(1, 2000)}, {city}/{uf}"
        )
    return quals


def write(*, fam: Family, rng: random.Random) -> Contract:
    """The contract's text, drawn in ``fam``."""
    words = WORDING[fam.name]
    razao = f"{rng.choice(SURNAMES)} {rng.choice(BUSINESS)} {rng.choice(SUFFIXES)}"
    cnpj = make_cnpj(rng)
    partners = [(make_name(rng), make_cpf(rng)) for _ in range(rng.choice((1, 2, 2, 3)))]
    truth = {"razao_social": razao, "cnpj": cnpj}
    for i, (nome, cpf) in enumerate(partners, start=1):
        truth[f"socio_{i}_nome"], truth[f"socio_{i}_cpf"] = nome, cpf
    city, uf = rng.choice(PLACES)
    quals = _qualify(partners, fam=fam, rng=rng, place=(city, uf))
    number = rng.randrange(1, 9)
    cnpj_text = rng.choice(CNPJ_WORDING[fam.name]).format(cnpj=fmt_cnpj(cnpj))
    title = (words.amendment if rng.random() < 0.6 else words.consolidated).format(
        n=number, razao=razao
    )
    capital = rng.randrange(10, 500) * 1000
    shares = [capital // len(partners)] * len(partners)
    witnesses = [(make_name(rng), make_cpf(rng)) for _ in range(2)]
    seat = words.seat.format(
        street=rng.choice(STREETS), number=rng.randrange(1, 3000), city=city, uf=uf
    )
    filed = words.filed.format(nire=rng.randrange(10**10, 10**11))
    quotas = "; ".join(
        words.share.format(nome=n, quotas=f"{s:,}".replace(",", "."))
        for (n, _), s in zip(partners, shares, strict=True)
    )
    money = f"{capital:,}".replace(",", ".") + words.cents
    clauses = [
        c.format(razao=razao, city=city, uf=uf, capital=money, shares=quotas) for c in words.clauses
    ]
    paragraphs = [
        title,
        "; ".join(quals)
        + (", únicos sócios" if len(partners) > 1 else ", único sócio")
        + f" da sociedade empresária limitada {razao}, {seat}, {cnpj_text}, {filed}",
        *clauses,
        f"{city}/{uf}, {rng.randrange(1, 28)} de {rng.choice(('janeiro', 'março', 'agosto'))} "
        f"de {rng.randrange(2015, 2026)}.",
        *[f"_______________________________  {n}" for n, _ in partners],
        "TESTEMUNHAS:",
        *[words.witness.format(nome=n, cpf=fmt_cpf(c)) for n, c in witnesses],
    ]
    return Contract(tuple(paragraphs), truth)


def text_pdf(contract: Contract, *, fam: Family, rng: random.Random) -> bytes:
    """The contract as a text-layer PDF, A4, the family's serif or sans at 10-12 pt."""
    family = rng.choice(fam.serif + fam.sans)
    pdf = FPDF(unit="mm", format="A4")
    pdf.set_creation_date(STAMP)
    pdf.set_auto_page_break(True, margin=20)
    quiet_font_tables()
    pdf.add_font(family, "", str(font_path(family, bold=False)))
    pdf.add_font(family, "B", str(font_path(family, bold=True)))
    margin = rng.uniform(18, 28)
    pdf.set_margins(margin, 20, margin)
    size = rng.uniform(10, 12)
    spacing = rng.uniform(1.15, 1.6) * size * 0.3528
    pdf.add_page()
    title, *body = contract.paragraphs
    pdf.set_font(family, "B", size + 1)
    pdf.multi_cell(0, spacing, title, align="C")
    pdf.ln(spacing)
    pdf.set_font(family, "", size)
    for paragraph in body:
        pdf.multi_cell(0, spacing, paragraph, align="J")
        pdf.ln(spacing * 0.6)
    pdf.set_font(family, "", 8)
    for page in range(1, pdf.pages_count + 1):  # a footer on every page, as the Junta stamps
        pdf.page = page
        pdf.set_xy(margin, 285)
        pdf.cell(0, 4, f"Página {page} de {pdf.pages_count}", align="R")
    return bytes(pdf.output())


def scanned_pdf(text: bytes, *, rng: random.Random, level: str) -> bytes:
    """``text`` rasterised page by page with a scanner's skew, noise and JPEG, as image pages."""
    dpi = 200 if level == "clean" else 150 if level == "moderate" else 120
    doc = pypdfium2.PdfDocument(text)
    pages: list[Image.Image] = []
    for index in range(len(doc)):
        img = doc[index].render(scale=dpi / 72).to_pil().convert("L")
        skew = rng.uniform(-0.6, 0.6) if level == "clean" else rng.uniform(-2.5, 2.5)
        img = img.rotate(skew, resample=Image.Resampling.BILINEAR, expand=False, fillcolor=255)
        if level != "clean":
            img = img.filter(ImageFilter.GaussianBlur(0.6 if level == "moderate" else 1.0))
        sigma = 4 if level == "clean" else 8 if level == "moderate" else 14
        nrng = np.random.default_rng(rng.randrange(2**32))
        arr = np.asarray(img).astype(np.float32) + nrng.normal(0, sigma, (img.height, img.width))
        pages.append(Image.fromarray(np.clip(arr * rng.uniform(0.9, 1.0), 0, 255).astype(np.uint8)))
    doc.close()
    out = io.BytesIO()
    quality = 85 if level == "clean" else 60 if level == "moderate" else 45
    pages[0].save(
        out,
        "PDF",
        save_all=True,
        append_images=pages[1:],
        resolution=dpi,
        quality=quality,
        creationDate=STAMP.timetuple(),
        modDate=STAMP.timetuple(),
    )
    return out.getvalue()
