"""Which document a page is: the constellation of its printed words, each weighted.

No single title decides: a photo may lose the title to glare or a thumb, a state's RG may
word it differently. Each kind has weighted marker phrases (titles, labels only it prints)
and distinctive single words, matched fuzzily, so a degraded photo that kept half its labels
still adds up. Field labels the kind shares with others ("NOME", "CPF") weigh nothing. A page
is of the kind with the highest score when that score is high enough and clearly ahead of
the next; else ``other``. An MRZ (three lines of ``<``-padded text) is the CIN's alone.
"""

from __future__ import annotations

from functools import cache, lru_cache

from rapidfuzz import fuzz

from bot.documents.folding import tokens
from bot.documents.label_words import LABELS, STOP
from bot.documents.labels import find_labels
from bot.documents.page import Page

# (phrase, weight): titles weigh most, then labels printed by this kind only.
MARKERS: dict[str, tuple[tuple[str, float], ...]] = {
    "cnpj_card": (
        ("CADASTRO NACIONAL DA PESSOA JURIDICA", 2.0),
        ("COMPROVANTE DE INSCRICAO", 2.0),
        ("NOME EMPRESARIAL", 1.5),
        ("DATA DE ABERTURA", 1.5),
        ("NATUREZA JURIDICA", 1.0),
        ("SITUACAO CADASTRAL", 1.0),
        ("NOME DE FANTASIA", 1.0),
        ("ATIVIDADE ECONOMICA PRINCIPAL", 1.0),
        ("NUMERO DE INSCRICAO", 1.5),
        ("ENTE FEDERATIVO RESPONSAVEL", 1.0),
        ("MOTIVO DE SITUACAO CADASTRAL", 1.0),
        ("SITUACAO ESPECIAL", 0.5),
        ("ENDERECO ELETRONICO", 0.5),
        ("BAIRRO DISTRITO", 0.5),
    ),
    "cnh": (
        ("CARTEIRA NACIONAL DE HABILITACAO", 2.5),
        ("HABILITACAO", 1.0),
        ("CAT HAB", 1.0),
        ("PERMISSAO", 1.0),
        ("DEPARTAMENTO NACIONAL DE TRANSITO", 1.5),
        ("NO REGISTRO", 1.0),
        ("DETRAN", 1.0),
        ("ASSINATURA DO PORTADOR", 1.0),
        ("1A HABILITACAO", 1.0),
        ("DOC IDENTIDADE ORG EMISSOR UF", 1.5),
        ("SENATRAN", 1.0),
        ("DENATRAN", 1.0),
        ("ACC", 0.5),
        ("NOME E SOBRENOME", 1.0),
        ("DATA LOCAL E UF DE NASCIMENTO", 1.0),
    ),
    "rg": (
        ("REGISTRO GERAL", 1.5),
        ("CARTEIRA DE IDENTIDADE", 2.0),
        ("DATA DE EXPEDICAO", 1.5),
        ("NATURALIDADE", 1.0),
        ("INSTITUTO DE IDENTIFICACAO", 1.5),
        ("DOC ORIGEM", 1.0),
        ("SECRETARIA DA SEGURANCA", 1.0),
        ("ASSINATURA DO DIRETOR", 1.0),
        ("LEI NO 7116", 1.0),
        ("CARTEIRA DE IDENTIDADE NACIONAL", 2.5),
        ("ORGAO EXPEDIDOR", 1.0),
        ("LOCAL DE EMISSAO", 0.5),
        ("NACIONALIDADE", 0.5),
        ("DOCUMENTO DE ORIGEM", 1.0),
        ("VALIDA EM TODO O TERRITORIO NACIONAL", 1.0),
        ("POLICIA CIVIL", 1.0),
    ),
    "comprovante_endereco": (
        ("CONTA DE ENERGIA", 2.0),
        ("CONTA DE LUZ", 2.0),
        ("ENERGIA ELETRICA", 1.5),
        ("CONTA DE AGUA", 2.0),
        ("SANEAMENTO", 1.0),
        ("FATURA", 1.0),
        ("NOTA FISCAL", 0.5),
        ("TOTAL A PAGAR", 1.5),
        ("VALOR A PAGAR", 1.5),
        ("VENCIMENTO", 1.0),
        ("LEITURA ANTERIOR", 1.0),
        ("LEITURA ATUAL", 1.0),
        ("MES DE REFERENCIA", 1.0),
        ("UNIDADE CONSUMIDORA", 1.5),
        ("CODIGO DO CLIENTE", 1.0),
        ("CONSUMO", 1.0),
        ("CODIGO DE BARRAS", 0.5),
        ("TELEFONIA", 1.0),
        ("INTERNET", 0.5),
        ("GAS CANALIZADO", 1.0),
        ("DEBITO AUTOMATICO", 0.5),
        ("AUTENTICACAO MECANICA", 0.5),
    ),
    "contrato_social": (
        ("CONTRATO SOCIAL", 2.5),
        ("ALTERACAO CONTRATUAL", 2.5),
        ("INSTRUMENTO PARTICULAR", 1.0),
        ("SOCIEDADE EMPRESARIA LIMITADA", 1.5),
        ("CAPITAL SOCIAL", 1.5),
        ("QUOTAS", 1.0),
        ("CLAUSULA PRIMEIRA", 1.0),
        ("JUNTA COMERCIAL", 1.0),
        ("SOCIOS", 1.0),
        ("ADMINISTRACAO DA SOCIEDADE", 1.0),
        ("OBJETO SOCIAL", 1.0),
        ("NIRE", 0.5),
        ("CONSOLIDACAO", 0.5),
        ("DELIBERACOES", 0.5),
    ),
}
# Distinctive single words (0.5 each, fuzzy): what survives when phrases are broken apart.
KEYWORDS: dict[str, tuple[str, ...]] = {
    "cnpj_card": (
        "JURIDICA",
        "CADASTRAL",
        "EMPRESARIAL",
        "INSCRICAO",
        "ABERTURA",
        "FANTASIA",
        "ESTABELECIMENTO",
        "PORTE",
        "LOGRADOURO",
    ),
    "cnh": (
        "HABILITACAO",
        "PERMISSAO",
        "TRANSITO",
        "PORTADOR",
        "RENACH",
        "OBSERVACOES",
        "CATEGORIA",
    ),
    "rg": (
        "EXPEDICAO",
        "NATURALIDADE",
        "IDENTIFICACAO",
        "ORIGEM",
        "SEGURANCA",
        "GERAL",
        "EXPEDIDOR",
    ),
    "comprovante_endereco": (
        "FATURA",
        "CONSUMO",
        "VENCIMENTO",
        "LEITURA",
        "KWH",
        "TARIFA",
        "REFERENCIA",
        "MEDIDOR",
        "ENERGIA",
        "PAGAR",
    ),
    "contrato_social": (
        "CLAUSULA",
        "QUOTAS",
        "SOCIOS",
        "CONTRATUAL",
        "SOCIEDADE",
        "CAPITAL",
        "ADMINISTRACAO",
        "SOCIO",
    ),
}
KINDS = tuple(MARKERS)
MIN_SCORE = 2.5  # below this the page is not recognised
MARGIN = 1.5  # the winner must lead the next kind by this much


@cache
def _specific_labels() -> dict[str, dict[str, tuple[str, ...]]]:
    """Field labels only one kind prints (shared ones like "NOME" or "CPF" tell nothing)."""
    owners: dict[str, set[str]] = {}
    for kind, catalog in LABELS.items():
        for key, phrases in catalog.items():
            if key != STOP:
                for phrase in phrases:
                    owners.setdefault(phrase, set()).add(kind)
    return {
        kind: {
            phrase: (phrase,)
            for phrase, kinds in owners.items()
            if kinds == {kind} and len(phrase) >= 6
        }
        for kind in LABELS
    }


def _keyword_score(words: set[str], kind: str) -> float:
    found = 0
    for keyword in KEYWORDS[kind]:
        if keyword in words or any(len(w) >= 5 and fuzz.ratio(keyword, w) >= 80 for w in words):
            found += 1
    return 0.5 * found


def kind_scores(page: Page, *, mrz: bool = False) -> dict[str, float]:
    """Each kind's weighted evidence on ``page`` (``mrz``: a TD1 zone was found)."""
    scores = dict(_page_scores(page))
    if mrz:
        scores["rg"] += 3.0
    return scores


@lru_cache(maxsize=8)
def _page_scores(page: Page) -> tuple[tuple[str, float], ...]:
    """The scores of one page, computed once (orientation and reading both ask)."""
    rows = page.rows()
    words = {tok for word in page.words for tok in tokens(word.text) if len(tok) >= 3}
    scores: dict[str, float] = {}
    for kind, markers in MARKERS.items():
        weights = dict(markers)
        hits = find_labels(rows, {phrase: (phrase,) for phrase in weights})
        found = {hit.key for hit in hits}
        score = sum(weights[phrase] for phrase in found)
        specific = _specific_labels().get(kind, {})
        if specific:
            score += 0.5 * len({h.key for h in find_labels(rows, specific)} - found)
        scores[kind] = score + _keyword_score(words, kind)
    return tuple(scores.items())


def detect_kind(page: Page, *, mrz: bool = False) -> tuple[str, dict[str, float]]:
    """The kind whose constellation is strongest and clearly ahead, else ``"other"``."""
    scores = kind_scores(page, mrz=mrz)
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    (kind, best), (_, second) = ranked[0], ranked[1]
    if best < MIN_SCORE or best - second < min(MARGIN, 0.25 * best):
        return "other", scores
    return kind, scores
