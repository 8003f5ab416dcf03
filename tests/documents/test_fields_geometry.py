"""Extraction by geometry on hand-placed words: labels found fuzzily, the value beside, below
or in the label's own box, the candidate that parses winning over the nearest, columns."""

from __future__ import annotations

from datetime import date

from bot.documents.bill import address_block, city_and_uf
from bot.documents.extraction import extract_fields
from bot.documents.kinds import detect_kind
from bot.documents.page import Page, Word, column_starts
from bot.documents.parsers import parse_place, parse_uf
from tests.documents.word_pages import line, page

TODAY = date(2026, 3, 2)


def receita_card(situation: str = "ATIVA") -> Page:
    """The Receita's grid: small labels, each value UNDER its label, boxes side by side."""
    return page(
        line("CADASTRO NACIONAL DA PESSOA JURÍDICA", 200, 10, size=14),
        line("NÚMERO DE INSCRIÇÃO", 10, 40, size=7),
        line("06.382.308/0001-25", 10, 52),
        line("DATA DE ABERTURA", 600, 40, size=7),
        line("06/12/1985", 600, 52),
        line("NOME EMPRESARIAL", 10, 80, size=7),
        line("BASTOS CLÍNICA LTDA", 10, 92),
        line("CEP", 10, 120, size=7),
        line("61.801-886", 10, 132),
        line("MUNICÍPIO", 300, 120, size=7),
        line("MANAUS", 300, 132),
        line("UF", 600, 120, size=7),
        line("AM", 600, 132),
        line("SITUAÇÃO CADASTRAL", 10, 160, size=7),
        line(situation, 10, 172),
        line("DATA DA SITUAÇÃO CADASTRAL", 400, 160, size=7),
        line("06/09/1994", 400, 172),
        line("MOTIVO DE SITUAÇÃO CADASTRAL", 10, 200, size=7),
    )


def test_values_under_their_labels_on_the_receita_card() -> None:
    found, missing = extract_fields(receita_card(), "cnpj_card", today=TODAY)
    values = {name: read.parsed.value for name, read in found.items()}
    assert values["situacao_cadastral"] == "ATIVA"  # under its label, beside the date's
    assert found["situacao_cadastral"].via == "below"
    assert values["cnpj"] == "06382308000125" and values["data_abertura"] == "06/12/1985"
    assert values["cep"] == "61801886" and values["municipio"] == "MANAUS"
    assert values["uf"] == "AM" and values["razao_social"] == "BASTOS CLÍNICA LTDA"
    assert "nome_fantasia" in missing


def test_every_situation_of_the_receita_is_a_value_and_nothing_else_is() -> None:
    for situation in ("ATIVA", "SUSPENSA", "INAPTA", "BAIXADA", "NULA"):
        found, _ = extract_fields(receita_card(situation), "cnpj_card", today=TODAY)
        assert found["situacao_cadastral"].parsed.value == situation
    found, _ = extract_fields(receita_card("ABERTA"), "cnpj_card", today=TODAY)
    assert "situacao_cadastral" not in found or not found["situacao_cadastral"].parsed.valid


def test_label_and_value_in_one_box_and_beside() -> None:
    rg = page(
        line("REGISTRO GERAL: 27.030.338-3", 10, 10),
        line("NOME:JOÃO DA SILVA", 10, 40),
        line("CPF:529.982.247-25", 10, 70),
        line("DATA DE NASCIMENTO 12/04/1985", 10, 100),
    )
    found, _ = extract_fields(rg, "rg", today=TODAY)
    assert found["cpf"].parsed.value == "52998224725" and found["cpf"].via == "same"
    assert found["nome"].parsed.value == "JOÃO DA SILVA" and found["nome"].via == "same"
    assert found["data_nascimento"].parsed.value == "12/04/1985"
    assert found["data_nascimento"].via == "right"
    assert found["rg"].parsed.value == "270303383"


def test_the_candidate_that_parses_wins_over_the_nearest() -> None:
    # beside the label a stamp's text, under it the date: the date is the value
    cnh = page(
        line("VALIDADE", 10, 10, size=7),
        line("VIA", 80, 10),
        line("02/09/2031", 10, 22),
        line("CPF", 10, 50, size=7),
        line("529.982.247-25", 10, 62),
        line("NOME", 10, 90, size=7),
        line("JOÃO DA SILVA", 10, 102),
    )
    found, _ = extract_fields(cnh, "cnh", today=TODAY)
    assert found["validade"].parsed.value == "02/09/2031"
    assert found["validade"].via == "below"


def test_a_value_stops_where_the_next_column_starts() -> None:
    # a bill: the holder's block on the left, dates under labels in a column on the right
    bill = page(
        line("NOME DO CLIENTE", 10, 10, size=8),
        line("REFERÊNCIA", 400, 10, size=8),
        line("ANA MARIA SOUZA", 10, 25),
        line("DEZ/2025", 400, 25),
        line("ENDEREÇO: R DAS FLORES, 1159 - AP 105", 10, 40),
        line("12/02/2026", 400, 40),
        line("CENTRO - CEP 66609-849", 10, 55),
        line("VENCIMENTO", 400, 55, size=8),
        line("CURITIBA - PR", 10, 70),
        line("20/02/2026", 400, 70),
        line("DATA DE EMISSÃO", 400, 85, size=8),
        line("30/12/2025", 400, 100),
    )
    assert any(abs(x - 400) < 5 for x, _, _ in column_starts(bill.rows()))
    found, missing = extract_fields(bill, "comprovante_endereco", today=TODAY)
    values = {name: read.parsed.value for name, read in found.items()}
    assert values["endereco"] == "R DAS FLORES, 1159 - AP 105"  # not "... 12/02/2026"
    assert values["titular"] == "ANA MARIA SOUZA"
    assert values["cep"] == "66609849"
    assert values["municipio"] == "CURITIBA" and values["uf"] == "PR"
    assert values["data_emissao"] == "30/12/2025"
    assert missing == {}


def test_the_bills_unlabelled_address_block_is_anchored_on_the_cep() -> None:
    rows = page(
        line("TITULAR", 10, 10, size=8),
        line("PAULO BARBOSA", 10, 25),
        line("R JOSÉ BONIFÁCIO, 70", 10, 40),
        line("VILA NOVA", 10, 55),
        line("06026-872 RIO BRANCO/AC", 10, 70),
    ).rows()
    block = {name: raw for name, (raw, _) in address_block(rows).items()}
    assert block == {
        "cep": "06026-872",
        "municipio": "RIO BRANCO",
        "uf": "AC",
        "endereco": "R JOSÉ BONIFÁCIO, 70",
        "titular": "PAULO BARBOSA",  # the line right above the street (bill.py, de16ca1)
    }  # "VILA NOVA" is the district
    assert city_and_uf("TERESINA - PI") == ("TERESINA", "PI")
    assert city_and_uf("PALMAS/TO") == ("PALMAS", "TO")
    assert city_and_uf("SOMEWHERE/XX") is None  # not a state


def test_kind_by_constellation_not_one_title() -> None:
    # a photo that lost its title to glare still shows enough of the card's own labels
    card = page(
        line("NOME EMPRESARIAL", 10, 10),
        line("DATA DE ABERTURA", 10, 40),
        line("NATUREZA JURÍDICA", 10, 70),
        line("SITUAÇÃO CADASTRAL", 10, 100),
    )
    assert detect_kind(card)[0] == "cnpj_card"
    shared = page(line("NOME", 10, 10), line("CPF", 10, 40), line("DATA", 10, 70))
    assert detect_kind(shared)[0] == "other"  # labels every kind prints tell nothing
    bill = page(
        line("CONTA DE ENERGIA", 10, 10),
        line("TOTAL A PAGAR", 10, 40),
        line("VENCIMENTO", 10, 70),
        line("LEITURA ANTERIOR", 10, 100),
    )
    assert detect_kind(bill)[0] == "comprovante_endereco"
    misread = page(
        line("CARTEIRA NACI0NAL DE HABILITAÇAO", 10, 10),
        line("PERMlSSAO", 10, 40),
        line("VALIDADE", 10, 70),
    )
    assert detect_kind(misread)[0] == "cnh"
    assert detect_kind(shared, mrz=True)[0] == "rg"  # only the CIN carries a TD1 zone


def test_a_uf_whose_tiny_label_was_garbled_is_taken_beside_the_city() -> None:
    card = Page(
        tuple(
            w if w.text != "UF" else Word("U£", w.left, w.top, w.right, w.bottom)
            for w in receita_card().words
        ),
        1000,
        1000,
    )
    found, _ = extract_fields(card, "cnpj_card", today=TODAY)
    assert found["uf"].parsed.value == "AM" and found["uf"].via == "scan"
    assert found["uf"].parsed.repairs == 1  # never asserted on this alone


def test_a_slash_misread_between_city_and_state_is_a_guess() -> None:
    rows = page(line("86819-746 PALMASITO", 10, 10)).rows()
    block = address_block(rows)
    assert block["municipio"][0] == "86819-746 PALMASITO"
    found, _ = extract_fields(
        page(
            line("TITULAR", 10, 0, size=8),
            line("ANA SOUZA", 10, 12),
            line("R DAS FLORES, 12", 10, 24),
            line("86819-746 PALMASITO", 10, 36),
        ),
        "comprovante_endereco",
        today=TODAY,
    )
    assert found["municipio"].parsed.value == "PALMAS" and found["municipio"].parsed.repairs
    assert found["uf"].parsed.value == "TO" and found["uf"].parsed.repairs
    assert city_and_uf("BONITO") is None and city_and_uf("BONITO/MS") == ("BONITO", "MS")
    city = parse_place("CURITIBA")
    assert city is not None and city.value == "CURITIBA"  # not CURIT/BA: no CEP before it
    assert parse_uf("CURITIBA") is None


def test_a_misread_label_under_a_label_is_not_its_value() -> None:
    card = page(
        line("NOME EMPRESARIAL", 10, 10, size=7),
        line("PADARIA BOA LTDA", 10, 22),
        line("TÍTULO DO ESTABELECIMENTO", 10, 40, size=7),
        line("NOME DE E PANTASIA", 10, 52),
        line("PORTE", 400, 40, size=7),
    )
    found, _ = extract_fields(card, "cnpj_card", today=TODAY)
    assert "nome_fantasia" not in found
    assert found["razao_social"].parsed.value == "PADARIA BOA LTDA"


def test_a_label_with_values_both_ways_follows_the_pages_convention() -> None:
    # the photo's skew put the PORTE box's value on the row of the fantasy name's label
    card = receita_card()
    skewed = Page(
        card.words
        + tuple(line("TÍTULO DO ESTABELECIMENTO", 10, 100, size=7))
        + tuple(line("DEMAIS", 150, 100))
        + tuple(line("MUNDO ANIMAL", 10, 110)),
        1000,
        1000,
    )
    found, _ = extract_fields(skewed, "cnpj_card", today=TODAY)
    assert found["nome_fantasia"].parsed.value == "MUNDO ANIMAL"  # values sit under labels
    assert found["nome_fantasia"].via == "below"


def test_a_receita_cep_is_known_by_its_shape_when_its_label_is_lost() -> None:
    card = Page(tuple(w for w in receita_card().words if w.text != "CEP"), 1000, 1000)
    found, _ = extract_fields(card, "cnpj_card", today=TODAY)
    assert found["cep"].parsed.value == "61801886" and found["cep"].via == "scan"
    assert found["cep"].parsed.repairs == 1


def test_a_state_run_into_the_citys_box_is_not_part_of_the_city() -> None:
    city = parse_place("MANAUS AM")
    assert city is not None and city.value == "MANAUS"
    card = Page(tuple(w for w in receita_card().words if w.text != "UF"), 1000, 1000)
    moved = Page(
        tuple(
            Word(
                w.text,
                300 + (w.left - 600) * 0.1 + 60,
                w.top,
                300 + (w.right - 600) * 0.1 + 80,
                w.bottom,
            )
            if w.text == "AM"
            else w
            for w in card.words
        ),
        1000,
        1000,
    )
    found, _ = extract_fields(moved, "cnpj_card", today=TODAY)
    assert found["municipio"].parsed.value == "MANAUS" and found["uf"].parsed.value == "AM"


def _bill_with_address_label(label: str) -> Page:
    return page(
        line("COMPANHIA DE ENERGIA ELÉTRICA", 200, 10, size=14),
        line("NOME DO CLIENTE:", 10, 80, size=8),
        line("MARIA DA SILVA", 140, 80),
        line(label, 10, 100, size=8),
        line("R DOM PEDRO II, 1082", 20 + 8 * 0.6 * len(label), 100),
        line("CENTRO", 10, 115),
        line("01310-100 SÃO PAULO/SP", 10, 130),
    )


def test_a_label_read_on_its_first_word_goes_on_to_its_colon() -> None:
    # "ENDEREÇO" is the label's phrase; "DE FORNECIMENTO:" is the rest of the printed label
    found, _ = extract_fields(
        _bill_with_address_label("ENDEREÇO DE FORNECIMENTO:"), "comprovante_endereco", today=TODAY
    )
    assert found["endereco"].parsed.value == "R DOM PEDRO II, 1082"


def test_a_label_s_joining_word_may_differ_and_the_next_word_is_the_value_s() -> None:
    # "DA" for the catalogue's "DE"; the street's "R" is not taken into the label
    found, _ = extract_fields(
        _bill_with_address_label("ENDEREÇO DA INSTALAÇÃO:"), "comprovante_endereco", today=TODAY
    )
    assert found["endereco"].parsed.value == "R DOM PEDRO II, 1082"
    assert found["endereco"].via == "right"


def test_a_holder_under_a_label_read_on_its_last_word_keeps_its_first_name() -> None:
    # "NOME DO CLIENTE" misread "HUME DO CLIENTE": only CLIENTE is a label; the name under it
    # starts under the label's first word, not under CLIENTE (the first name was cut off)
    bill = page(
        line("COMPANHIA DE ENERGIA ELÉTRICA", 200, 10, size=14),
        line("HUME DO CLIENTE", 100, 80, size=10),
        line("CAIO DE DAMIÃO DAS TEIXEIRA", 102, 100, size=12),
        line("R DOM PEDRO II, 1082", 102, 130),
        line("01310-100 SÃO PAULO/SP", 102, 145),
    )
    found, _ = extract_fields(bill, "comprovante_endereco", today=TODAY)
    assert found["titular"].parsed.value == "CAIO DE DAMIÃO DAS TEIXEIRA"
