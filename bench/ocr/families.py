"""The two drawing families: "tuning" (the reader may be tuned on it) and "heldout" (never).

A family fixes what a drawing may vary and how: font families (disjoint between the two),
label wording variants, label/value spacing, ink and card colours, and layout choices (labels
above or beside their values, boxed or not). The held-out family is there to measure how the
reader does on documents drawn by someone else; nothing in ``bot/`` may be tuned on it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

FAMILIES = ("tuning", "heldout")


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


def family(name: str) -> Family:
    """The family called ``name`` (``tuning`` or ``heldout``)."""
    if name == "tuning":
        return TUNING
    if name == "heldout":
        return HELDOUT
    raise ValueError(f"unknown family {name!r}; use one of {FAMILIES}")


# Label wordings seen on real documents of each kind. The tuning family draws from the first
# tuple, the held-out family from the second (which adds spellings tuning never shows).
LABELS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "nome": (("NOME",), ("NOME", "NOME COMPLETO", "Nome")),
    "cpf": (("CPF",), ("CPF", "C.P.F.", "CPF Nº", "CPF/MF")),
    "nascimento": (
        ("DATA DE NASCIMENTO",),
        ("DATA DE NASCIMENTO", "DATA NASC.", "NASCIMENTO", "DT. NASCIMENTO"),
    ),
    "cnh_nascimento": (("DATA NASCIMENTO",), ("DATA NASCIMENTO", "DATA DE NASCIMENTO")),
    "registro_geral": (("REGISTRO GERAL",), ("REGISTRO GERAL", "RG Nº", "IDENTIDADE Nº")),
    "expedicao": (("DATA DE EXPEDIÇÃO",), ("DATA DE EXPEDIÇÃO", "EXPEDIÇÃO", "DATA EXPED.")),
    "filiacao": (("FILIAÇÃO",), ("FILIAÇÃO", "PAIS")),
    "naturalidade": (("NATURALIDADE",), ("NATURALIDADE", "NATURAL DE")),
    "registro_cnh": (("Nº REGISTRO",), ("Nº REGISTRO", "N° REGISTRO", "REGISTRO Nº")),
    "validade": (("VALIDADE",), ("VALIDADE", "VÁLIDA ATÉ")),
    "titular": (
        ("TITULAR", "NOME DO CLIENTE", "CLIENTE"),
        ("TITULAR DA CONTA", "CONSUMIDOR", "Nome"),
    ),
    "endereco": (
        ("ENDEREÇO", "ENDEREÇO DE INSTALAÇÃO"),
        ("ENDEREÇO DA UNIDADE CONSUMIDORA", "LOCAL DE ENTREGA", "Endereço"),
    ),
    "emissao": (("DATA DE EMISSÃO", "EMISSÃO"), ("DATA DA EMISSÃO", "EMITIDA EM", "Emissão")),
    "vencimento": (("VENCIMENTO",), ("DATA DE VENCIMENTO", "PAGAR ATÉ")),
}


def label(fam: Family, key: str, *, rng: random.Random) -> str:
    """One wording of the label ``key`` as ``fam`` draws it."""
    tuning, heldout = LABELS[key]
    return rng.choice(tuning if fam.name == "tuning" else heldout)
