"""Common words of Brazilian names, places and company names, and what a word may look like.

Used to put back an accent that the image shows and Tesseract dropped ("VINICIUS" where a
mark sits above the I): the word is restored when its unaccented form has exactly one accented
spelling here. A restored value is never asserted; the client confirms it. And to tell a word
that may be real from one OCR garbled (``plausible``): a misread repeated identically in two
clauses of a contract (the same font, the same scanner) must not pass for confirmation.
"""

from __future__ import annotations

import re
from functools import cache

from bot.documents.folding import fold

WORDS = """
JOÃO JOSÉ ANTÔNIO ANTÔNIA ANDRÉ ANDRÉA MÁRCIO MÁRCIA MÁRIO SÉRGIO FÁBIO FÁBIA FLÁVIO FLÁVIA
CLÁUDIO CLÁUDIA LÚCIA LÚCIO LUÍS LUÍSA INÊS CÉSAR VINÍCIUS VITÓRIA VITÓRIO NATÁLIA LETÍCIA
PATRÍCIA MÔNICA TÂNIA ÂNGELA ÂNGELO ÉRICA ÉRICO ÍTALO OTÁVIO OTÁVIA DÉBORA VALÉRIA VALÉRIO
ROGÉRIO SEBASTIÃO CONCEIÇÃO ASSUNÇÃO DAMIÃO ESTÊVÃO EMÍLIA EMÍLIO CECÍLIA AURÉLIO AURÉLIA
GLÁUCIA GLÁUCIO HÉLIO HÉLIA JÚLIO JÚLIA JÚNIOR LÍVIA LÍGIA NÍVEA PLÍNIO SÍLVIA SÍLVIO VÂNIA
VÍTOR ZÉLIA ÁLVARO BÁRBARA CÁSSIO CÁSSIA DÁRIO FÁTIMA GIOVÂNIA HORÁCIO
IRACEMA INÁCIO INÁCIA JOCÉLIA JOSUÉ LÁZARO LEÔNIDAS MÉRCIA NÁDIA NOÉ NOÊMIA NÚBIA PÂMELA
RÉGIS RÔMULO SÂMIA SIMÃO TÉRCIO TEÓFILO TIMÓTEO VERÔNICA ZÉ MOISÉS ISAÍAS JOSIAS
ÍRIS ÁUREA ÁGATA ÂNDREA BRÁS CAMÕES GUSTAVO OTÍLIA ROSÂNGELA ROSÁLIA GENÉSIO EUGÊNIO EUGÊNIA
ASSUNÇÃO ARAÚJO BRAGANÇA CORRÊA CÂMARA FALCÃO GALVÃO GONÇALVES GUIMARÃES LEÃO MAGALHÃES
PAIXÃO PEÇANHA QUEIRÓS ROMÃO SIMÕES BRANDÃO FRANÇA LOURENÇO NAZARÉ ROSÁRIO NÓBREGA SÁ
CONCEIÇÃO ASSIS ARRAIS BARBOSA DANTAS GUSMÃO JORDÃO MONÇÃO MUNIZ ARAGÃO
CANDIDO CÂNDIDO CAETANO MELLO SALOMÃO TRINDADE XAVIER BELÉM CIRÍACO
COMÉRCIO SERVIÇOS SERVIÇO INDÚSTRIA INDÚSTRIAS CONSTRUÇÕES CONSTRUÇÃO LOGÍSTICA CLÍNICA
ODONTOLÓGICA ODONTOLÓGICO CONFECÇÕES REPRESENTAÇÕES PRODUÇÕES ARTÍSTICAS ARTÍSTICA ELÉTRICA
ELÉTRICOS ELÉTRICO ALIMENTAÇÃO TÊXTIL TÊXTEIS FARMÁCIA DROGARIA CAFÉ AÇAÍ PRAÇA ESTAÇÃO ÓTICA
VISÃO PÃO PÃES SERTÃO ATELIÊ INFORMÁTICA TECNOLÓGICA TECNOLÓGICO ELETRÔNICA ELETRÔNICOS
MECÂNICA MECÂNICO AUTOMÓVEIS VEÍCULOS IMÓVEIS ÓCULOS MÉDICA MÉDICO MÉDICOS SAÚDE EDUCAÇÃO
SOLUÇÕES SOLUÇÃO INFORMAÇÃO COMUNICAÇÃO DISTRIBUIÇÃO IMPORTAÇÃO EXPORTAÇÃO ADMINISTRAÇÃO
PARTICIPAÇÕES INSTALAÇÕES MANUTENÇÃO PRESTAÇÃO ASSOCIAÇÃO FUNDAÇÃO CRIAÇÃO AGRÍCOLA
PECUÁRIA ÁGUA ÁGUAS ACADÊMICA ACADEMIA ESTÉTICA GRÁFICA GRÁFICOS QUÍMICA PLÁSTICOS MÓVEIS
CERÂMICA HIDRÁULICA PÚBLICA PÚBLICO SÃO SÃ ÚNICA ÚNICO GELÁ BEBÊ BEBÊS LANÇAMENTOS PEÇAS
AÇÚCAR AÇOUGUE CALÇADOS MAGAZINE JOALHERIA RELÓGIOS CONSTRUTORA INCORPORAÇÕES MINERAÇÃO
METALÚRGICA SIDERÚRGICA TRANSPORTES VIAÇÃO PAPELÃO EMBALAGENS GÁS POSTO CONVENIÊNCIA
ALUMÍNIO VIDRAÇARIA MARCENARIA LAVANDERIA CABELEIREIRO BARBEARIA PIZZARIA LANCHONETE
RESTAURANTE CHURRASCARIA SORVETERIA CONFEITARIA DOCERIA PANIFICAÇÃO HORTIFRÚTI FRUTÍCOLA
DIGITAL ENGENHARIA ARQUITETURA CONSULTÓRIO LABORATÓRIO ANÁLISES DIAGNÓSTICO FISIOTERAPIA
PSICOLOGIA NUTRIÇÃO VETERINÁRIA PETSHOP ESCRITÓRIO CONTÁBIL CONTABILIDADE ADVOCACIA JURÍDICA
JURÍDICO IMOBILIÁRIA CORRETORA SEGURANÇA VIGILÂNCIA LIMPEZA CONSERVAÇÃO MUDANÇAS TURISMO
VIAGENS HOTÉIS HOTELARIA POUSADA EVENTOS PROMOÇÕES COMUNICAÇÕES PUBLICIDADE PROPAGANDA
EDITORA LIVRARIA PAPELARIA BRINQUEDOS ESPORTES ACADÊMICOS CURSOS ENSINO ESCOLA COLÉGIO
FACULDADE EDUCACIONAL CÍRCULO CENTRO IRMÃOS IRMÃ FILHOS FILHO CIA COMPANHIA NEGÓCIOS
SÃO PAULO BELÉM MACEIÓ GOIÂNIA FLORIANÓPOLIS CUIABÁ LUÍS PESSOA NITERÓI BRASÍLIA MACAPÁ
RIBEIRÃO JUNDIAÍ UBERLÂNDIA MARINGÁ ITAJAÍ PETRÓPOLIS CAMAÇARI ANÁPOLIS MOSSORÓ PIAUÍ PARÁ
AMAPÁ GOIÁS CEARÁ PARAÍBA PARANÁ MARÍLIA TAUBATÉ GUARUJÁ JACAREÍ ARAÇATUBA TERESÓPOLIS
IGUAÇU GONÇALO JOSÉ CARUARU VÁRZEA PAULÍNIA INDAIATUBA PIRACICABA SANTARÉM MARABÁ PALHOÇA
CRICIÚMA CHAPECÓ JOINVILLE ITAPEVI GUARULHOS OSASCO CAMPINAS CONTAGEM BETIM IPATINGA
GOVERNADOR VALADARES MONTES CLAROS JUIZ FORA UBERABA FRANCA LIMEIRA AMÉRICA ARAPIRACA
IMPERATRIZ TIMON PARNAÍBA PICOS SOBRAL JUAZEIRO CRATO FEIRA SANTANA VITÓRIA CONQUISTA
ILHÉUS ITABUNA LAURO FREITAS CAMPINA GRANDE PATOS OLINDA PAULISTA JABOATÃO GUARARAPES
PETROLINA GARANHUNS ARACAJU LAGARTO ITABAIANA NATAL PARNAMIRIM MACAÍBA TERESINA FLORIANO
RONDONÓPOLIS SINOP VÁRZEA DOURADOS CORUMBÁ TRÊS LAGOAS PALMAS ARAGUAÍNA GURUPI MANAUS
PARINTINS ITACOATIARA MACAPÁ SANTANA BOA VISTA RORAIMA PORTO VELHO JI-PARANÁ ARIQUEMES
RIO BRANCO CRUZEIRO SUL ACRE TOCANTINS MARANHÃO ALAGOAS SERGIPE BAHIA ESPÍRITO SANTO
"""
# Words without accents, as common (names, company words, the company types): known, so
# never taken for a misread of a word above ("MARIA" is not "MÁRIO" misread)
PLAIN = """
MARIA ANA PAULO PAULA PEDRO CARLOS CARLA LUIZ LUIZA LUCAS MARCOS MARCELO MARCELA RAFAEL
RAFAELA GABRIEL GABRIELA FERNANDO FERNANDA RICARDO RODRIGO EDUARDO DANIEL DANIELA BRUNO
BRUNA FELIPE THIAGO TIAGO GUSTAVO LEONARDO MATHEUS MATEUS DIEGO ALEXANDRE ROBERTO ROBERTA
RENATO RENATA ADRIANA ADRIANO JULIANA JULIANO CRISTINA CRISTIANO SANDRA SIMONE SILVANA
ALINE AMANDA CAMILA BEATRIZ LARISSA LETICIA MARIANA VANESSA PRISCILA JESSICA HELENA
FRANCISCO FRANCISCA RAIMUNDO RAIMUNDA MANOEL MANUEL JORGE VICTOR VITOR IGOR HUGO ARTUR
ARTHUR HENRIQUE ENZO MIGUEL DAVI SAMUEL ISABEL ISABELA LAURA LUANA SOFIA ALICE CLARA
ELIANE ELIZABETH ROSA ROSANA TERESA TEREZA GERALDO GERALDA ANTONIO OSVALDO WALTER WILSON
NELSON EDSON ROBSON ANDERSON JEFFERSON CLEBER KLEBER ALESSANDRA ALESSANDRO LEANDRO
SILVA SANTOS OLIVEIRA SOUZA SOUSA PEREIRA LIMA CARVALHO FERREIRA RODRIGUES ALMEIDA COSTA
GOMES MARTINS ROCHA RIBEIRO ALVES MONTEIRO MENDES BARROS FREITAS BARBOSA PINTO MOURA
CAVALCANTI CAVALCANTE DIAS CASTRO CAMPOS CARDOSO NASCIMENTO MOREIRA NUNES MARQUES MACHADO
TEIXEIRA FERNANDES LOPES SOARES VIEIRA MELO MELLO AZEVEDO MEDEIROS NOGUEIRA BATISTA
FONSECA BASTOS AMARAL TAVARES PIMENTEL VASCONCELOS MACEDO LEMOS CORDEIRO BRAGA MIRANDA
MOTA MOTTA PEIXOTO QUEIROZ REIS RAMOS SALES SAMPAIO SIQUEIRA TORRES VALENTE VELOSO
AGUIAR ANDRADE ANDRADE BEZERRA BORGES CUNHA DUARTE FARIA FARIAS FIGUEIREDO FRANCO LACERDA
LEAL LEITE LOBO MAIA MATTOS MATOS MORAES MORAIS NEVES PACHECO PASSOS PESSOA PRADO REGO
SANTANA SARAIVA SERRA SILVEIRA TOLEDO VALADARES VIANA VILELA XAVIER
DA DE DO DAS DOS DI DU E EM NO NA NOS NAS AO AOS OU COM PARA
LTDA LIMITADA EIRELI ME EPP SA SLU CIA EI MEI HOLDING GRUPO
ALIMENTOS TECNOLOGIA CONSULTORIA EMPRESARIAL EMPREENDIMENTOS SOFTWARE DISTRIBUIDORA
BEBIDAS MATERIAIS AUTOPECAS COMERCIAIS COMERCIAL TRANSPORTADORA ESCOLAR SISTEMAS
PRODUTOS EQUIPAMENTOS REPRESENTANTE SUPERMERCADO MERCADO MERCADINHO ATACADO VAREJO
ATACADISTA AGROPECUARIA MODA BOUTIQUE STUDIO ESTUDIO DESIGN MARKETING MIDIA MOVEIS
TECH SHOP EXPRESS STORE GROUP CENTER BRASIL BRAZIL NACIONAL INTERNACIONAL NORTE SUL LESTE
OESTE NOVA NOVO BOA BOM VIDA ARTE CASA LAR TERRA MAR SOL LUZ REAL OURO PRATA VERDE AZUL
PET AUTO MOTO FOTO VIDEO NET WEB DATA INFO LOG MED ODONTO CONSTRUTORA ENGENHARIA
"""


@cache
def _accented() -> dict[str, frozenset[str]]:
    """Unaccented form -> its accented spellings in ``WORDS``."""
    table: dict[str, set[str]] = {}
    for word in WORDS.split():
        if fold(word) != word:
            table.setdefault(fold(word), set()).add(word)
    return {key: frozenset(value) for key, value in table.items()}


def restore(word: str) -> str | None:
    """The single accented spelling of an unaccented ``word``, or None."""
    if fold(word) != word.upper():
        return None  # already has accents
    spellings = _accented().get(word.upper())
    if spellings is None or len(spellings) != 1:
        return None
    return next(iter(spellings))


@cache
def _known() -> frozenset[str]:
    """Every word of ``WORDS`` and ``PLAIN`` without accents."""
    return frozenset(fold(word) for word in (WORDS + PLAIN).split())


# runs of consonants a word may have (double letters counted once): at its start, a
# syllable's onset (one consonant, or one with R, L or H after it; S before another, as
# foreign names have); inside, any two, or a syllable's end (L, M, N, R, S, X) before an
# onset ("CONSTRUÇÃO", "INSTALAÇÕES", "EXPRESS"); at its end, any two
_ONSET = re.compile(r"[BCDFGKPTVW][RLH]|[CLNPST]H|S[CKLMNPTW]|PS|PN|GN|[^AEIOUY]")
_INNER = re.compile(r"[^AEIOUY]{1,2}|[LMNRSXZ]S?(?:[BCDFGKPTVW][RLH]|[CLNPST]H|[^AEIOUY])")
_ODD = re.compile(r"(.)\1\1|II|UU|YY|WW|KK|HH|QQ|JJ|VV|XX|([AEIOU])\2$|Q(?!U)")
_LONE = frozenset("E")  # the one single letter a name holds ("SOUZA E FILHOS")
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
# letters OCR takes for others: "RN" for "M", "CL" for "D", "LI" for "U", "VV" for "W"
_LOOK_ALIKES = (("RN", "M"), ("CL", "D"), ("LI", "U"), ("VV", "W"), ("IN", "M"))


def _shaped(word: str) -> bool:
    """Whether ``word`` (capitals, no accents) is shaped like a Portuguese word or name: a
    vowel, no letter three times in a row (nor I, U or a rare consonant twice), no run of
    consonants that no syllable joins."""
    if len(word) == 1:
        return word in _LONE
    if not re.fullmatch(r"[A-Z]+", word) or not re.search(r"[AEIOUY]", word):
        return False
    if _ODD.search(word):
        return False
    collapsed = re.sub(r"(.)\1", r"\1", word)
    for run in re.finditer(r"[^AEIOUY]+", collapsed):
        at_start, at_end = run.start() == 0, run.end() == len(collapsed)
        text = run.group()
        if at_start and not _ONSET.fullmatch(text):
            return False
        if not at_start and not at_end and not _INNER.fullmatch(text):
            return False
        if at_end and not at_start and len(text) > 2:
            return False
    return True


def _variants(word: str) -> set[str]:
    """``word`` with one letter changed, added or left out, or a look-alike pair swapped."""
    out: set[str] = set()
    for i in range(len(word) + 1):
        head, tail = word[:i], word[i:]
        out.update(head + c + tail for c in _LETTERS)  # one added
        if tail:
            out.add(head + tail[1:])  # one left out
            out.update(head + c + tail[1:] for c in _LETTERS)  # one changed
    for seen, meant in _LOOK_ALIKES:
        for a, b in ((seen, meant), (meant, seen)):
            at = word.find(a)
            while at >= 0:
                out.add(word[:at] + b + word[at + len(a) :])
                at = word.find(a, at + 1)
    out.discard(word)
    return out


def _kin(word: str) -> set[str]:
    """The forms of ``word`` that are the same name: feminine or masculine, plural or not
    ("CAMILO" beside CAMILA, "MARTIN" beside MARTINS)."""
    stem = word[:-1] if word[-1] in "AO" else word
    single = word[:-1] if re.search(r"[AEIOU]S$", word) else word
    return {stem + "A", stem + "O", word + "S", single}


def _misread(word: str) -> bool:
    """Whether ``word`` (five letters or more, not known) is one slip away from a known word
    that is not its kin: OCR's misread of it ("GONGALVES" for GONÇALVES, "RNARTINS")."""
    if len(word) < 5:
        return False
    known = _known()
    near = _variants(word) & known
    return bool(near - _kin(word)) and not (_kin(word) & known)


def plausible(word: str) -> bool:
    """Whether ``word``, read in capitals, may be a real word or name rather than OCR's
    garble of one: a known word; else one shaped like a Portuguese word (see ``_shaped``)
    that is not one slip away from a known one (``_misread``). A company's abbreviations
    ("S.A.", "S/A", "LTDA.", "D'") and "&" pass; a lone letter other than "E", a digit or a
    sign among letters does not."""
    if word in ("&", "-"):
        return True
    plain = fold(word).upper().replace("’", "'").rstrip(".")
    if re.fullmatch(r"(?:[A-Z]\.){1,2}[A-Z]|[A-Z]/[A-Z]", plain):
        plain = re.sub(r"[./]", "", plain)  # S.A., S/A
    plain = re.sub(r"^D'", "", plain)  # D'ÁVILA
    parts = [part for part in plain.split("-") if part]
    if not parts:
        return False
    return all(part in _known() or (_shaped(part) and not _misread(part)) for part in parts)
