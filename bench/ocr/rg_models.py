"""The RG's data side as each state prints it: header, order of fields, how labels meet values
and how the number is written. Each family draws from its own states (tuning SP, RJ, MG, RS;
held-out adds PR, BA...; fresh PE, DF, SC, CE; wide GO, PA, ES, AM). Drawn by ``ids.rg``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RgModel:
    """One state's RG data side: header, order of fields, and how labels meet values."""

    state: str
    header: tuple[str, ...]
    style: str  # inline (REGISTRO GERAL on one line) | above | boxed | beside
    number: str  # sp | mg | plain
    cpf_first: bool = False  # CPF printed right after the name, not at the bottom


RG_MODELS: dict[str, tuple[RgModel, ...]] = {
    "tuning": (
        RgModel(
            "SP",
            (
                "SECRETARIA DA SEGURANÇA PÚBLICA",
                "INSTITUTO DE IDENTIFICAÇÃO RICARDO GUMBLETON DAUNT",
            ),
            "inline",
            "sp",
        ),
        RgModel("RJ", ("DETRAN - RJ", "INSTITUTO DE IDENTIFICAÇÃO FÉLIX PACHECO"), "boxed", "sp"),
        RgModel(
            "MG", ("POLÍCIA CIVIL DE MINAS GERAIS", "INSTITUTO DE IDENTIFICAÇÃO"), "above", "mg"
        ),
        RgModel(
            "RS",
            ("SECRETARIA DA SEGURANÇA PÚBLICA", "INSTITUTO-GERAL DE PERÍCIAS"),
            "beside",
            "plain",
        ),
    ),
    "heldout": (
        RgModel(
            "SP",
            ("SECRETARIA DA SEGURANÇA PÚBLICA", "INSTITUTO DE IDENTIFICAÇÃO"),
            "beside",
            "sp",
            cpf_first=True,
        ),
        RgModel(
            "PR",
            ("SECRETARIA DE ESTADO DA SEGURANÇA PÚBLICA", "INSTITUTO DE IDENTIFICAÇÃO DO PARANÁ"),
            "boxed",
            "plain",
            cpf_first=True,
        ),
        RgModel(
            "BA",
            ("SECRETARIA DA SEGURANÇA PÚBLICA", "INSTITUTO DE IDENTIFICAÇÃO PEDRO MELLO"),
            "inline",
            "plain",
        ),
        RgModel(
            "MG", ("POLÍCIA CIVIL DE MINAS GERAIS", "INSTITUTO DE IDENTIFICAÇÃO"), "beside", "mg"
        ),
    ),
    "fresh": (
        RgModel(
            "PE",
            ("SECRETARIA DE DEFESA SOCIAL", "INSTITUTO DE IDENTIFICAÇÃO TAVARES BURIL"),
            "above",
            "plain",
        ),
        RgModel(
            "DF",
            ("POLÍCIA CIVIL DO DISTRITO FEDERAL", "INSTITUTO DE IDENTIFICAÇÃO"),
            "boxed",
            "sp",
            cpf_first=True,
        ),
        RgModel(
            "SC",
            ("SECRETARIA DE ESTADO DA SEGURANÇA PÚBLICA", "INSTITUTO GERAL DE PERÍCIAS"),
            "beside",
            "plain",
        ),
        RgModel(
            "CE",
            (
                "SECRETARIA DA SEGURANÇA PÚBLICA E DEFESA SOCIAL",
                "PERÍCIA FORENSE DO ESTADO DO CEARÁ",
            ),
            "inline",
            "sp",
            cpf_first=True,
        ),
    ),
    "wide": (
        RgModel(
            "GO",
            ("SECRETARIA DE ESTADO DA SEGURANÇA PÚBLICA", "GERÊNCIA DE IDENTIFICAÇÃO"),
            "beside",
            "sp",
        ),
        RgModel(
            "PA",
            ("SEGUP - POLÍCIA CIVIL DO PARÁ", "INSTITUTO DE IDENTIFICAÇÃO DO PARÁ"),
            "above",
            "plain",
            cpf_first=True,
        ),
        RgModel(
            "ES",
            ("POLÍCIA CIVIL DO ESPÍRITO SANTO", "INSTITUTO DE IDENTIFICAÇÃO"),
            "boxed",
            "plain",
        ),
        RgModel(
            "AM",
            ("SECRETARIA DE SEGURANÇA PÚBLICA DO AMAZONAS", "INSTITUTO DE IDENTIFICAÇÃO"),
            "beside",
            "plain",
            cpf_first=True,
        ),
    ),
}
