"""Realistic Brazilian identities for synthetic documents: names, companies, places, numbers.

Everything is drawn from a ``random.Random`` passed in, so a seed fixes the whole data set.
Numbers carry valid check digits (CPF, CNPJ numeric and 2026 alphanumeric, CNH, SP-style RG).
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass
from datetime import date, timedelta

from stdnum.br import cnpj as stdnum_cnpj
from stdnum.br import cpf as stdnum_cpf

FIRST_NAMES = (
    "JOÃO",
    "JOSÉ",
    "ANTÔNIO",
    "MARIA",
    "ANA",
    "LUÍS",
    "MÁRCIA",
    "FÁBIO",
    "CÉSAR",
    "INÊS",
    "CONCEIÇÃO",
    "SEBASTIÃO",
    "LÚCIA",
    "FRANCISCO",
    "PAULO",
    "CARLOS",
    "PATRÍCIA",
    "ROGÉRIO",
    "VALÉRIA",
    "MÔNICA",
    "ÉRICA",
    "SIMONE",
    "RAFAEL",
    "JULIANA",
    "FERNANDA",
    "GUSTAVO",
    "ANDRÉ",
    "BRUNO",
    "CAMILA",
    "LETÍCIA",
    "BEATRIZ",
    "VINÍCIUS",
    "CAIO",
    "HELENA",
    "OTÁVIO",
    "DÉBORA",
    "GISELE",
    "RENATA",
    "MARCOS",
    "TÂNIA",
    "SÉRGIO",
    "LUCAS",
    "ÍTALO",
    "ÂNGELA",
    "EDUARDO",
    "RODRIGO",
    "PRISCILA",
    "TIAGO",
    "NATÁLIA",
    "VITÓRIA",
)
SURNAMES = (
    "SILVA",
    "SANTOS",
    "OLIVEIRA",
    "SOUZA",
    "PEREIRA",
    "LIMA",
    "CARVALHO",
    "GONÇALVES",
    "ARAÚJO",
    "RIBEIRO",
    "MARTINS",
    "ROCHA",
    "ALMEIDA",
    "BRAGA",
    "ASSUNÇÃO",
    "DAMIÃO",
    "SIMÕES",
    "GUIMARÃES",
    "MAGALHÃES",
    "CONCEIÇÃO",
    "FERREIRA",
    "RODRIGUES",
    "BARBOSA",
    "CASTRO",
    "MENDES",
    "NASCIMENTO",
    "MOREIRA",
    "CAVALCANTI",
    "BRANDÃO",
    "FALCÃO",
    "AZEVEDO",
    "TEIXEIRA",
    "CORRÊA",
    "PIMENTEL",
    "QUEIRÓS",
    "VASCONCELOS",
    "MACEDO",
    "LEMOS",
    "PAIXÃO",
    "ROMÃO",
    "CORDEIRO",
    "DIAS",
    "NOGUEIRA",
    "FONSECA",
    "BASTOS",
    "AMARAL",
    "TAVARES",
)
PARTICLES = ("DA", "DE", "DOS", "DAS", "DO")
BUSINESS = (
    "COMÉRCIO DE ALIMENTOS",
    "SERVIÇOS DE TECNOLOGIA",
    "INDÚSTRIA E COMÉRCIO",
    "CONSTRUÇÕES",
    "LOGÍSTICA E TRANSPORTES",
    "CONSULTORIA EMPRESARIAL",
    "SOLUÇÕES EM SOFTWARE",
    "DISTRIBUIDORA DE BEBIDAS",
    "MATERIAIS DE CONSTRUÇÃO",
    "CLÍNICA ODONTOLÓGICA",
    "CONFECÇÕES",
    "AUTOPEÇAS",
    "REPRESENTAÇÕES COMERCIAIS",
    "PAPELARIA E INFORMÁTICA",
    "PRODUÇÕES ARTÍSTICAS",
    "ENGENHARIA ELÉTRICA",
    "ALIMENTAÇÃO ESCOLAR",
    "TÊXTIL",
)
SUFFIXES = ("LTDA", "LTDA", "LTDA", "ME", "EIRELI", "S.A.", "LTDA - EPP")
FANTASY = (
    "PÃO DOURADO",
    "TECH SOLUÇÕES",
    "CASA DA CONSTRUÇÃO",
    "SABOR DO SERTÃO",
    "AÇAÍ DA PRAÇA",
    "ESTAÇÃO DIGITAL",
    "MUNDO ANIMAL",
    "ÓTICA VISÃO",
    "FARMÁCIA POPULAR",
    "LOG EXPRESS",
    "CONFECÇÕES BELLA",
    "BOTECO DO ZÉ",
    "SORVETERIA GELÁ",
    "SÃO JORGE PEÇAS",
    "CAFÉ COLONIAL",
    "ATELIÊ CRIATIVO",
    "MERCADINHO PAIXÃO",
    "NOVA ERA",
    "ACADEMIA CORPO & MENTE",
)
PLACES = (
    ("SÃO PAULO", "SP"),
    ("BELÉM", "PA"),
    ("MACEIÓ", "AL"),
    ("GOIÂNIA", "GO"),
    ("FLORIANÓPOLIS", "SC"),
    ("VITÓRIA", "ES"),
    ("CUIABÁ", "MT"),
    ("SÃO LUÍS", "MA"),
    ("JOÃO PESSOA", "PB"),
    ("NITERÓI", "RJ"),
    ("RIO DE JANEIRO", "RJ"),
    ("CURITIBA", "PR"),
    ("PORTO ALEGRE", "RS"),
    ("BELO HORIZONTE", "MG"),
    ("SALVADOR", "BA"),
    ("RECIFE", "PE"),
    ("FORTALEZA", "CE"),
    ("MANAUS", "AM"),
    ("BRASÍLIA", "DF"),
    ("NATAL", "RN"),
    ("TERESINA", "PI"),
    ("ARACAJU", "SE"),
    ("CAMPO GRANDE", "MS"),
    ("PALMAS", "TO"),
    ("MACAPÁ", "AP"),
    ("BOA VISTA", "RR"),
    ("PORTO VELHO", "RO"),
    ("RIO BRANCO", "AC"),
    ("RIBEIRÃO PRETO", "SP"),
    ("SÃO JOSÉ DOS CAMPOS", "SP"),
    ("JUNDIAÍ", "SP"),
    ("UBERLÂNDIA", "MG"),
    ("MARINGÁ", "PR"),
    ("CAXIAS DO SUL", "RS"),
    ("ITAJAÍ", "SC"),
    ("PETRÓPOLIS", "RJ"),
    ("CAMAÇARI", "BA"),
    ("ANÁPOLIS", "GO"),
    ("IMPERATRIZ", "MA"),
    ("MOSSORÓ", "RN"),
)
STREETS = (
    "R DAS FLORES",
    "AV PAULISTA",
    "R SÃO BENTO",
    "AV GETÚLIO VARGAS",
    "R XV DE NOVEMBRO",
    "TV DA CONCEIÇÃO",
    "R DOM PEDRO II",
    "AV BRASIL",
    "R JOSÉ BONIFÁCIO",
    "AL SANTOS",
)
DISTRICTS = ("CENTRO", "JARDIM AMÉRICA", "VILA NOVA", "BOA VISTA", "SÃO CRISTÓVÃO", "BELA VISTA")
SITUATIONS = ("ATIVA",) * 6 + ("BAIXADA", "INAPTA", "SUSPENSA")
ISSUERS = ("SSP", "SSP", "DETRAN", "SESP", "PC", "IFP")


@dataclass(frozen=True, slots=True)
class Company:
    cnpj: str  # 14 characters, digits (or uppercase letters in the first 12 for 2026 CNPJs)
    razao_social: str
    nome_fantasia: str  # "" when the card prints ********
    data_abertura: date
    street: str
    number: str
    district: str
    cep: str
    municipio: str
    uf: str
    situacao: str
    situacao_date: date


@dataclass(frozen=True, slots=True)
class Person:
    nome: str
    cpf: str
    data_nascimento: date
    mother: str
    father: str
    rg: str  # digits plus an optional final X
    rg_issuer: str
    rg_uf: str
    rg_issued: date
    birthplace: str
    birth_uf: str
    cnh_registro: str
    cnh_validade: date
    cnh_first: date
    cnh_category: str


def random_date(rng: random.Random, start: date, *, end: date) -> date:
    return start + timedelta(days=rng.randrange((end - start).days + 1))


def make_cpf(rng: random.Random) -> str:
    while True:
        base = "".join(rng.choice(string.digits) for _ in range(9))
        if len(set(base)) > 1:
            first = sum(int(d) * w for d, w in zip(base, range(10, 1, -1), strict=True)) * 10 % 11
            base += str(first % 10)
            second = sum(int(d) * w for d, w in zip(base, range(11, 1, -1), strict=True)) * 10 % 11
            cpf = base + str(second % 10)
            assert stdnum_cpf.is_valid(cpf)
            return cpf


def make_cnpj(rng: random.Random, *, alphanumeric: bool = False) -> str:
    alphabet = string.digits + string.ascii_uppercase if alphanumeric else string.digits
    while True:
        root = "".join(rng.choice(alphabet) for _ in range(8))
        branch = "0001" if rng.random() < 0.85 else f"{rng.randrange(2, 40):04d}"
        base = root + branch
        if alphanumeric and base.isdigit():
            continue
        if len(set(base)) > 2:
            return base + stdnum_cnpj.calc_check_digits(base)


def cnh_check_digits(base: str) -> str:
    """The DENATRAN check digits of a 9-digit CNH base (RENACH registration number)."""
    first = sum(int(d) * w for d, w in zip(base, range(9, 0, -1), strict=True)) % 11
    discount = 0
    if first >= 10:
        first, discount = 0, 2
    second = sum(int(d) * w for d, w in zip(base, range(1, 10), strict=True)) % 11
    second = 0 if second >= 10 else second - discount
    if second < 0:
        second += 11
    if second >= 10:
        second = 0
    return f"{first}{second}"


def make_cnh(rng: random.Random) -> str:
    base = "".join(rng.choice(string.digits) for _ in range(9))
    return base + cnh_check_digits(base)


def make_rg(rng: random.Random) -> str:
    if rng.random() < 0.7:  # SP style: 8 digits + mod-11 check digit (X for 10)
        base = "".join(rng.choice(string.digits) for _ in range(8))
        total = sum(int(d) * w for d, w in zip(base, range(2, 10), strict=True)) % 11
        return base + ("X" if total == 10 else str(total))
    return "".join(rng.choice(string.digits) for _ in range(rng.choice((7, 9, 10))))


def make_name(rng: random.Random) -> str:
    parts = [rng.choice(FIRST_NAMES)]
    if rng.random() < 0.4:
        parts.append(rng.choice(FIRST_NAMES))
    for _ in range(rng.choice((1, 2, 2, 3))):
        if rng.random() < 0.35:
            parts.append(rng.choice(PARTICLES))
        parts.append(rng.choice(SURNAMES))
    return " ".join(parts)


def make_company(rng: random.Random, *, today: date) -> Company:
    owner = rng.choice(SURNAMES)
    razao = f"{owner} {rng.choice(BUSINESS)} {rng.choice(SUFFIXES)}"
    if rng.random() < 0.3:
        razao = f"{make_name(rng)} {rng.choice(SUFFIXES)}"
    fantasia = rng.choice(FANTASY) if rng.random() < 0.8 else ""
    municipio, uf = rng.choice(PLACES)
    opened = random_date(rng, date(1975, 1, 1), end=today - timedelta(days=20))
    return Company(
        cnpj=make_cnpj(rng, alphanumeric=rng.random() < 0.2),
        razao_social=razao,
        nome_fantasia=fantasia,
        data_abertura=opened,
        street=rng.choice(STREETS),
        number=str(rng.randrange(1, 3000)),
        district=rng.choice(DISTRICTS),
        cep=f"{rng.randrange(1000, 99999):05d}{rng.randrange(1000):03d}",
        municipio=municipio,
        uf=uf,
        situacao=rng.choice(SITUATIONS),
        situacao_date=random_date(rng, opened, end=today),
    )


def make_person(rng: random.Random, *, today: date) -> Person:
    born = random_date(rng, date(1945, 1, 1), end=date(2005, 12, 31))
    birthplace, birth_uf = rng.choice(PLACES)
    first = random_date(rng, date(born.year + 18, 1, 1), end=max(today, date(born.year + 19, 1, 1)))
    return Person(
        nome=make_name(rng),
        cpf=make_cpf(rng),
        data_nascimento=born,
        mother=make_name(rng),
        father=make_name(rng),
        rg=make_rg(rng),
        rg_issuer=rng.choice(ISSUERS),
        rg_uf=rng.choice(PLACES)[1],
        rg_issued=random_date(rng, date(born.year + 1, 1, 1), end=today),
        birthplace=birthplace,
        birth_uf=birth_uf,
        cnh_registro=make_cnh(rng),
        cnh_validade=random_date(rng, date(2019, 1, 1), end=date(2035, 12, 31)),
        cnh_first=first,
        cnh_category=rng.choice(("B", "AB", "A", "C", "D", "AE")),
    )
