"""A bill's address block read by its grammar: the CEP anchors it, the street above it, the
holder's name right above the street when its label was not read."""

from __future__ import annotations

from bot.documents.bill import address_block, city_and_uf
from bot.documents.page import Row, Word


def _row(text: str, *, y: float, x: float = 100.0) -> Row:
    """One line of 20-px words starting at ``x``, the words 12 px apart."""
    words = []
    for token in text.split():
        width = 14.0 * len(token)
        words.append(Word(token, x, y, x + width, y + 20.0))
        x += width + 12.0
    return Row(tuple(words))


def _values(rows: list[Row]) -> dict[str, str]:
    return {name: raw for name, (raw, _) in address_block(rows).items()}


def test_a_bare_block_gives_the_holder_above_the_street() -> None:
    rows = [
        _row("TITULAR", y=0.0),
        _row("ANA PAULA DE SOUZA", y=30.0),
        _row("R SÃO BENTO, 2237 - AP 12", y=60.0),
        _row("JARDIM AMÉRICA", y=90.0),
        _row("71423-511 ITAJAÍ/SC", y=120.0),
    ]
    values = _values(rows)
    assert values["titular"] == "ANA PAULA DE SOUZA"
    assert values["endereco"] == "R SÃO BENTO, 2237 - AP 12"
    assert (values["municipio"], values["uf"]) == ("ITAJAÍ", "SC")


def test_the_holder_above_a_labelled_address_and_beside_its_own_label() -> None:
    rows = [
        _row("TITULAR DA CONTA: JOSÉ CARLOS LIMA", y=0.0),
        _row("ENDEREÇO:", y=30.0),
        _row("AV BRASIL, 955", y=60.0),
        _row("CENTRO - CEP 63489-358", y=90.0),
        _row("TERESINA - PI", y=120.0),
    ]
    assert _values(rows)["titular"] == "JOSÉ CARLOS LIMA"


def test_no_holder_from_a_label_a_number_or_a_lone_word() -> None:
    for line in ("TITULAR DA CONTA", "CONTA 123 456", "CONSUMIDOR"):
        rows = [
            _row(line, y=0.0),
            _row("R XV DE NOVEMBRO, 661", y=30.0),
            _row("71423-511 ITAJAÍ/SC", y=60.0),
        ]
        values = _values(rows)
        assert values["endereco"] == "R XV DE NOVEMBRO, 661"
        assert "titular" not in values, line


def test_a_line_in_another_column_is_not_the_holder() -> None:
    rows = [
        _row("VENCIMENTO 11/01/2026", y=0.0, x=900.0),
        _row("R XV DE NOVEMBRO, 661", y=30.0),
        _row("71423-511 ITAJAÍ/SC", y=60.0),
    ]
    assert "titular" not in _values(rows)


def test_a_misread_address_label_is_skipped_for_the_name_above_it() -> None:
    rows = [
        _row("TÂNIA DOS ROMÃO PAIXÃO", y=0.0),
        _row("EMA DENSO) DE MASTALAÇÃO", y=30.0),  # ENDEREÇO DE INSTALAÇÃO, misread
        _row("R XV DE NOVEMBRO, 2115", y=60.0),
        _row("MOSSORÓ - RN", y=90.0),
        _row("60509-212 MOSSORÓ/RN", y=120.0),
    ]
    assert _values(rows)["titular"] == "TÂNIA DOS ROMÃO PAIXÃO"


def test_a_misread_label_word_before_the_name_is_not_the_name() -> None:
    rows = [
        _row("CONSUMPOR RAFAEL OTÁVIO BASTOS", y=0.0),  # CONSUMIDOR, misread, no colon
        _row("AV GETÚLIO VARGAS, 384", y=30.0),
        _row("44349-372 IMPERATRIZ/MA", y=60.0),
    ]
    found = address_block(rows)
    raw, words = found["titular"]
    assert raw == "RAFAEL OTÁVIO BASTOS"
    assert [w.text for w in words] == ["RAFAEL", "OTÁVIO", "BASTOS"]


def test_a_name_like_a_label_word_keeps_its_first_word() -> None:
    rows = [
        _row("CLEMENTE SOUZA LIMA", y=0.0),
        _row("AV GETÚLIO VARGAS, 384", y=30.0),
        _row("44349-372 IMPERATRIZ/MA", y=60.0),
    ]
    assert _values(rows)["titular"] == "CLEMENTE SOUZA LIMA"


def test_a_city_ending_in_i_keeps_it_when_the_slash_was_dropped() -> None:
    assert city_and_uf("CAMAÇARIBA", loose=True) == ("CAMAÇARI", "BA")  # CAMAÇARI/BA
    assert city_and_uf("PALMASITO", loose=True) == ("PALMAS", "TO")  # PALMAS/TO, slash as I


def test_misread_labels_before_the_block_lines_are_left_out() -> None:
    # a photo: "CLIENTE" and "ENDEREÇO", printed small, garbled beside the value column
    # ("cuente", "expereço"), so no label was found and the lines start left of the CEP's
    rows = [
        Row((Word("cuente", 20, 6, 90, 20), *_row("LUCAS DA SILVA BASTOS", y=0.0).words)),
        Row((Word("expereço", 0, 36, 90, 50), *_row("R SÃO BENTO, 652 - CASA 66", y=30.0).words)),
        _row("BOA VISTA - CEP 67659-600", y=60.0),
        _row("BOA VISTA - RR", y=90.0),
    ]
    values = _values(rows)
    assert values["endereco"] == "R SÃO BENTO, 652 - CASA 66"
    assert values["titular"] == "LUCAS DA SILVA BASTOS"


def test_a_name_is_not_cut_where_the_street_below_it_starts() -> None:
    # labels of different lengths beside their values: the street starts under the
    # holder's third word, and "cuente DÉBORA DOS" is no label
    rows = [
        Row(
            (
                Word("cuente", 0, 6, 70, 20),
                *_row("DÉBORA DOS FERREIRA GUIMARÃES", y=0.0, x=180.0).words,
            )
        ),
        _row("ENDEREÇO DE INSTALAÇÃO: R DAS FLORES, 2726", y=30.0, x=0.0),
        _row("VILA NOVA - CEP 40512-895", y=60.0, x=330.0),
        _row("CAMAÇARI - BA", y=90.0, x=330.0),
    ]
    values = _values(rows)
    assert values["endereco"] == "R DAS FLORES, 2726"
    assert "titular" not in values


def test_a_holder_after_a_misread_label_closed_by_its_colon() -> None:
    rows = [
        _row("cuente: DÉBORA DOS FERREIRA GUIMARÃES", y=0.0, x=0.0),
        _row("ENDEREÇO DE INSTALAÇÃO: R DAS FLORES, 2726", y=30.0, x=0.0),
        _row("VILA NOVA - CEP 40512-895", y=60.0, x=330.0),
        _row("FEV/2026", y=75.0, x=1000.0),  # the dates' column, between
        _row("CAMAÇARI - BA", y=90.0, x=330.0),
    ]
    values = _values(rows)
    assert values["titular"] == "DÉBORA DOS FERREIRA GUIMARÃES"
    assert (values["municipio"], values["uf"]) == ("CAMAÇARI", "BA")


def test_the_city_and_uf_printed_above_the_cep() -> None:
    # "district - city/UF" over "CEP: …", as many bills print the block: the city is the
    # segment after the spaced dash, never the district
    rows = [
        _row("MARIANA COSTA RIBEIRO", y=0.0),
        _row("AV DAS NAÇÕES, 1200 - BLOCO B", y=30.0),
        _row("JARDIM AMÉRICA - NATAL/RN", y=60.0),
        _row("CEP: 09893-144", y=90.0),
    ]
    values = _values(rows)
    assert (values["municipio"], values["uf"]) == ("NATAL", "RN")
    assert values["endereco"] == "AV DAS NAÇÕES, 1200 - BLOCO B"
    assert city_and_uf("CENTRO - SÃO PAULO - SP") == ("SÃO PAULO", "SP")
    assert city_and_uf("EMBU-GUAÇU/SP") == ("EMBU-GUAÇU", "SP")  # a city's own hyphen stays


def test_a_street_line_above_the_cep_gives_no_city() -> None:
    rows = [
        _row("R DAS FLORES, 12 - CENTRO/SP", y=0.0),
        _row("CEP: 01310-100", y=30.0),
    ]
    values = _values(rows)
    assert "municipio" not in values and "uf" not in values
