"""The drawing families: "tuning" and "wide" (the reader may be tuned on them), "heldout" and
"fresh" (never).

A family fixes what a drawing may vary and how: font families (disjoint between the three),
label wording variants, label/value spacing, ink and card colours, and layout choices (labels
above or beside their values, boxed or not). The held-out family is there to measure how the
reader does on documents drawn by someone else; nothing in ``bot/`` may be tuned on it. Its
failures have since been looked at, so "fresh" was added for the final figures: fonts of other
packages (``bench.ocr.render.EXTRA_FONTS``: install them first), a third set of real-world
label spellings, other companies and contract phrasings, and sizes and spacings drawn from the
two ends of wider ranges (``split``), so it overlaps the other families only partly. Since
nobody may tune on fresh, "wide" is its counterpart to tune on: as wide as fresh (split ranges
with ends of its own, thin and thick rules, labels beside values more often than not) but drawn
with yet other fonts (Roboto, Lato, Go, Cantarell, Biolinum, Libertine, Caladea, Hack), a fourth
set of real label spellings, other inks, tints, utilities and RG states.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

FAMILIES = ("tuning", "heldout", "fresh", "wide")


@dataclass(frozen=True, slots=True)
class Family:
    """What one family draws from. Ranges are (low, high); tuples are choices."""

    name: str
    sans: tuple[str, ...]
    serif: tuple[str, ...]
    mono: tuple[str, ...]
    label_inks: tuple[tuple[int, int, int], ...]
    value_inks: tuple[tuple[int, int, int], ...]
    card_tints: tuple[tuple[int, int, int], ...]
    gap: tuple[float, float]  # label-to-value spacing, as a factor of the usual
    value_pt: tuple[float, float]
    label_pt: tuple[float, float]
    beside_share: float  # of forms that may put labels beside values, how many do
    boxed_share: float
    rule_width: tuple[float, float]  # mm
    split: bool = False  # draw gap, value_pt and label_pt from the outer thirds of their range

    def pick(self, rng: random.Random, span: tuple[float, float]) -> float:
        """A value of ``span``; with ``split``, from its lower or upper third, never the middle."""
        if not self.split:
            return rng.uniform(*span)
        low, high = span
        third = (high - low) / 3
        at = rng.uniform(0, 2 * third)
        return low + at if at < third else low + third + at


TUNING = Family(
    name="tuning",
    sans=("DejaVuSans", "DejaVuSansCondensed", "LiberationSans"),
    serif=("DejaVuSerif",),
    mono=("DejaVuSansMono",),
    label_inks=((150, 40, 40), (40, 100, 60), (60, 60, 90), (30, 30, 30)),
    value_inks=((20, 20, 20),),
    card_tints=((226, 240, 226), (246, 230, 234), (236, 240, 246)),
    gap=(0.95, 1.1),
    value_pt=(7.5, 8.5),
    label_pt=(5.2, 5.8),
    beside_share=0.3,
    boxed_share=0.5,
    rule_width=(0.18, 0.25),
)

HELDOUT = Family(
    name="heldout",
    sans=("LiberationSansNarrow", "DejaVuSerifCondensed"),
    serif=("LiberationSerif",),
    mono=("LiberationMono",),
    label_inks=((20, 60, 140), (110, 70, 20), (90, 90, 90), (120, 20, 90)),
    value_inks=((10, 10, 40), (40, 20, 10)),
    card_tints=((240, 236, 214), (222, 234, 244), (238, 238, 238)),
    gap=(0.8, 1.35),
    value_pt=(7.0, 9.5),
    label_pt=(4.8, 6.4),
    beside_share=0.5,
    boxed_share=0.4,
    rule_width=(0.12, 0.4),
)


FRESH = Family(
    name="fresh",
    sans=("FreeSans", "NimbusSans", "NotoSans", "Carlito", "OpenSans"),
    serif=("FreeSerif", "NimbusRoman", "NotoSerif"),
    mono=("FreeMono", "NimbusMonoPS"),
    label_inks=((0, 95, 110), (110, 95, 20), (105, 25, 50), (70, 45, 110), (0, 0, 0)),
    value_inks=((0, 0, 0), (30, 30, 30), (15, 35, 35)),
    card_tints=((214, 226, 204), (236, 220, 202), (212, 220, 234), (228, 222, 236)),
    gap=(0.7, 1.5),  # split: 0.7-0.97 or 1.23-1.5
    value_pt=(6.6, 10.2),  # split: 6.6-7.8 or 9.0-10.2 (cards cap it at 7.9)
    label_pt=(4.4, 7.0),  # split: 4.4-5.3 or 6.1-7.0 (cards cap it at 5.4)
    beside_share=0.7,
    boxed_share=0.25,
    rule_width=(0.07, 0.15),
    split=True,
)


WIDE = Family(
    name="wide",
    sans=("Roboto", "RobotoCondensed", "Lato", "GoSans", "Cantarell", "LinBiolinum"),
    serif=("LinLibertine", "Caladea"),
    mono=("GoMono", "Hack"),
    label_inks=((150, 0, 100), (170, 85, 0), (20, 80, 30), (70, 90, 110), (90, 70, 60)),
    value_inks=((25, 25, 55), (45, 30, 30), (10, 10, 10)),
    card_tints=((246, 240, 206), (244, 226, 214), (214, 238, 230), (218, 226, 240)),
    gap=(0.66, 1.56),  # split: 0.66-0.96 or 1.26-1.56
    value_pt=(6.4, 10.6),  # split: 6.4-7.8 or 9.2-10.6 (cards cap it at 7.9)
    label_pt=(4.2, 7.2),  # split: 4.2-5.2 or 6.2-7.2 (cards cap it at 5.4)
    beside_share=0.6,
    boxed_share=0.35,
    rule_width=(0.06, 0.35),
    split=True,
)


def family(name: str) -> Family:
    """The family called ``name`` (one of ``FAMILIES``)."""
    if name == "tuning":
        return TUNING
    if name == "heldout":
        return HELDOUT
    if name == "fresh":
        return FRESH
    if name == "wide":
        return WIDE
    raise ValueError(f"unknown family {name!r}; use one of {FAMILIES}")


# Label wordings seen on real documents of each kind, one tuple per family in ``FAMILIES``
# order: tuning draws from the first, held-out from the second (which adds spellings tuning
# never shows), fresh from the third (spellings neither of the others shows), wide from the
# fourth (spellings none of the other three shows).
LABELS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "nome": (
        ("NOME",),
        ("NOME", "NOME COMPLETO", "Nome"),
        ("NOME CIVIL", "NOME DO PORTADOR"),
        ("NOME / NAME", "NOME E SOBRENOME", "NOME DO(A) TITULAR"),
    ),
    "cpf": (
        ("CPF",),
        ("CPF", "C.P.F.", "CPF Nº", "CPF/MF"),
        ("Nº DO CPF", "CIC", "CPF/CIC"),
        ("INSCRIÇÃO NO CPF", "Nº DE INSCRIÇÃO NO CPF", "CPF/ME", "NÚMERO DO CPF"),
    ),
    "nascimento": (
        ("DATA DE NASCIMENTO",),
        ("DATA DE NASCIMENTO", "DATA NASC.", "NASCIMENTO", "DT. NASCIMENTO"),
        ("DATA DE NASC.", "NASC.", "Data de Nascimento"),
        ("DATA NASCIMENTO/DATE OF BIRTH", "DT NASC", "NASCIDO(A) EM"),
    ),
    "cnh_nascimento": (
        ("DATA NASCIMENTO",),
        ("DATA NASCIMENTO", "DATA DE NASCIMENTO"),
        ("DATA DE NASC.", "DT. NASC."),
        ("DATA NASCIM.", "NASCIDO(A) EM"),
    ),
    "registro_geral": (
        ("REGISTRO GERAL",),
        ("REGISTRO GERAL", "RG Nº", "IDENTIDADE Nº"),
        ("DOC. IDENTIDADE", "Nº DO RG", "CARTEIRA DE IDENTIDADE Nº"),
        ("Nº DO DOCUMENTO", "IDENTIDADE", "RG/ÓRGÃO EXPEDIDOR"),
    ),
    "expedicao": (
        ("DATA DE EXPEDIÇÃO",),
        ("DATA DE EXPEDIÇÃO", "EXPEDIÇÃO", "DATA EXPED."),
        ("DATA EXPEDIÇÃO", "EXPEDIDA EM", "DT. EXPEDIÇÃO"),
        ("EXPEDIDO EM", "DATA DA EXPEDIÇÃO", "EXPED."),
    ),
    "filiacao": (
        ("FILIAÇÃO",),
        ("FILIAÇÃO", "PAIS"),
        ("Filiação", "PAI / MÃE"),
        ("PAI E MÃE", "FILIAÇÃO/FILIATION", "NOME DOS PAIS"),
    ),
    "naturalidade": (
        ("NATURALIDADE",),
        ("NATURALIDADE", "NATURAL DE"),
        ("LOCAL DE NASCIMENTO", "NATURALIDADE/UF"),
        ("LOCAL NASCIMENTO", "MUNICÍPIO DE NASCIMENTO", "NATURALIDADE-UF"),
    ),
    "registro_cnh": (
        ("Nº REGISTRO",),
        ("Nº REGISTRO", "N° REGISTRO", "REGISTRO Nº"),
        ("Nº DO REGISTRO", "REGISTRO", "Nº REG."),
        ("Nº DE REGISTRO", "REGISTRO NACIONAL", "REG. Nº"),
    ),
    "validade": (
        ("VALIDADE",),
        ("VALIDADE", "VÁLIDA ATÉ"),
        ("DATA DE VALIDADE", "Validade"),
        ("VALIDADE/EXPIRES", "VÁLIDO ATÉ", "DATA VALIDADE"),
    ),
    "titular": (
        ("TITULAR", "NOME DO CLIENTE", "CLIENTE"),
        ("TITULAR DA CONTA", "CONSUMIDOR", "Nome"),
        ("NOME DO TITULAR", "DESTINATÁRIO", "RESPONSÁVEL PELA UNIDADE"),
        ("CLIENTE / UNIDADE CONSUMIDORA", "NOME DO CONSUMIDOR", "USUÁRIO", "PAGADOR"),
    ),
    "endereco": (
        ("ENDEREÇO", "ENDEREÇO DE INSTALAÇÃO"),
        ("ENDEREÇO DA UNIDADE CONSUMIDORA", "LOCAL DE ENTREGA", "Endereço"),
        ("ENDEREÇO DE FORNECIMENTO", "LOCAL DA INSTALAÇÃO", "ENDEREÇO DO IMÓVEL"),
        ("ENDEREÇO DE CORRESPONDÊNCIA", "ENDEREÇO DO CLIENTE", "LOGRADOURO"),
    ),
    "emissao": (
        ("DATA DE EMISSÃO", "EMISSÃO"),
        ("DATA DA EMISSÃO", "EMITIDA EM", "Emissão"),
        ("DATA EMISSÃO", "EMITIDO EM", "Data de Emissão"),
        ("EMISSÃO DA NOTA FISCAL", "DATA DO DOCUMENTO", "DT. EMISSÃO"),
    ),
    "vencimento": (
        ("VENCIMENTO",),
        ("DATA DE VENCIMENTO", "PAGAR ATÉ"),
        ("DATA VENCIMENTO", "VENCE EM", "Vencimento"),
        ("DATA DO VENCIMENTO", "VENCTO.", "PAGÁVEL ATÉ"),
    ),
}


def label(fam: Family, key: str, *, rng: random.Random) -> str:
    """One wording of the label ``key`` as ``fam`` draws it."""
    return rng.choice(LABELS[key][FAMILIES.index(fam.name)])
