"""The CIN's machine-readable zone (ICAO 9303 TD1): check digits, OCR confusions, the CPF."""

from __future__ import annotations

from datetime import date

import pytest
from PIL import Image, ImageDraw, ImageFont

from bot.documents.cin import with_zone
from bot.documents.fields import FieldRead
from bot.documents.identifiers import Parsed
from bot.documents.mrz import (
    check_digit,
    clean_line,
    find_td1,
    mrz_reads,
    parse_td1,
    same_name,
)
from bot.documents.page import Page, Word
from bot.documents.tesseract import TesseractEngine

TODAY = date(2026, 3, 2)


def td1(cpf: str, birth: str, expiry: str, name: str, sex: str = "F") -> tuple[str, str, str]:
    """A CIN zone: the CPF in ICAO's long-number form (9 digits, "<", the rest + check)."""
    one = ("IDBRA" + cpf[:9] + "<" + cpf[9:] + check_digit(cpf) + "<").ljust(30, "<")
    two = (birth + check_digit(birth) + sex + expiry + check_digit(expiry) + "BRA").ljust(29, "<")
    two += check_digit(one[5:30] + two[0:7] + two[8:15] + two[18:29])
    return one, two, name.ljust(30, "<")[:30]


ZONE = td1("52998224725", "850412", "340412", "SILVA<<JOAO<CARLOS")


def test_check_digits_follow_icao_examples() -> None:
    # ICAO 9303 part 3's worked examples
    assert check_digit("L898902C3") == "6"
    assert check_digit("740812") == "2"
    assert check_digit("120415") == "9"
    assert check_digit("<<<<") == "0"


def test_a_cin_zone_gives_the_cpf_birth_and_name() -> None:
    zone = parse_td1(ZONE, today=TODAY)
    assert zone is not None and zone.verified
    assert zone.number == "52998224725"
    assert zone.birth == "12/04/1985" and zone.expiry == "12/04/2034"
    assert zone.name == "JOAO CARLOS SILVA" and zone.sex == "F"
    reads = mrz_reads(zone)
    assert reads["cpf"].parsed.value == reads["rg"].parsed.value == "52998224725"
    assert reads["cpf"].parsed.checked and reads["data_nascimento"].parsed.checked
    assert not reads["nome"].parsed.checked  # no check digit, no accents: evidence only


def test_letters_read_in_digit_places_are_mended_by_position() -> None:
    one, two, three = ZONE
    bent = (one.replace("52998", "S299B"), two.replace("850412", "85O4I2"), three)
    zone = parse_td1(bent, today=TODAY)
    assert zone is not None and zone.verified and zone.number == "52998224725"
    assert zone.birth == "12/04/1985"
    assert clean_line("SILVA«JOAO<CARLOSKKK<<<") == "SILVA<<JOAO<CARLOS<<<<<<"


def test_a_wrong_digit_fails_its_check_and_the_composite() -> None:
    one, two, three = ZONE
    zone = parse_td1((one, two.replace("850412", "850413"), three), today=TODAY)
    assert zone is not None and not zone.verified
    assert not zone.check("birth") and not zone.check("composite") and zone.check("number")
    reads = mrz_reads(zone)
    assert "data_nascimento" not in reads  # its own check failed: nothing to offer
    assert not reads["cpf"].parsed.checked  # the zone as a whole did not verify


def test_birth_century_is_the_one_not_in_the_future() -> None:
    zone = parse_td1(td1("52998224725", "100101", "300101", "A<<B<C"), today=TODAY)
    assert zone is not None and zone.birth == "01/01/2010"
    zone = parse_td1(td1("52998224725", "300101", "400101", "A<<B<C"), today=TODAY)
    assert zone is not None and zone.birth == "01/01/1930"


def test_names_agree_in_any_order_and_when_cut_at_30_characters() -> None:
    assert same_name("JOÃO CARLOS SILVA", "SILVA JOAO CARLOS")
    assert not same_name("JOÃO CARLOS SOUZA", "SILVA JOAO CARLOS")
    assert same_name(
        "VINÍCIUS MACEDO GUIMARÃES DAS LEMOS", "LEMOS VINICIUS MACEDO GUIMARA", truncated=True
    )
    assert not same_name(
        "VINÍCIUS MACEDO GUIMARÃES", "LEMOS VINICIUS MACEDO GUIMARA", truncated=True
    )


def _page(lines: tuple[str, ...]) -> Page:
    words = tuple(Word(text, 10, 20 + 30 * i, 400, 40 + 30 * i) for i, text in enumerate(lines))
    return Page(words, 500, 200)


def test_the_zone_is_found_among_the_rows_of_a_page() -> None:
    page = _page(("CARTEIRA DE IDENTIDADE", *ZONE, "assinatura"))
    zone = find_td1(page, today=TODAY)
    assert zone is not None and zone.verified and zone.number == "52998224725"
    assert find_td1(_page(("NOME", "JOAO", "CPF 529.982.247-25")), today=TODAY) is None


@pytest.mark.tesseract
def test_a_printed_zone_is_read_by_tesseract() -> None:
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf", 28)
    image = Image.new("L", (700, 170), 255)
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(ZONE):
        draw.text((20, 15 + 48 * i), line, font=font, fill=0)
    words = TesseractEngine().words(image, psm=6)
    zone = find_td1(Page(tuple(words), 700, 170), today=TODAY)
    assert zone is not None and zone.verified and zone.number == "52998224725"


def test_an_unreadable_digit_is_the_one_its_check_digit_allows() -> None:
    one, two, three = ZONE
    smudged = clean_line("/" + two[1:])  # "8" read as "/": kept in place as "?"
    assert smudged.startswith("?504124") and len(smudged) == 30
    zone = parse_td1((one, smudged, three), today=TODAY)
    assert zone is not None and zone.verified and zone.birth == "12/04/1985"
    # two unreadable digits in one field: the check digit cannot tell, nothing is guessed
    zone = parse_td1((one, "??" + two[2:], three), today=TODAY)
    assert zone is not None and not zone.check("birth") and zone.birth == ""


def test_one_misread_digit_of_the_number_is_mended_only_when_every_check_agrees() -> None:
    one, two, three = ZONE
    misread = "IDBRA0" + one[6:]  # "5" read as "0": the number's check fails
    zone = parse_td1((misread, two, three), today=TODAY)
    assert zone is not None and zone.verified and zone.number == "52998224725"
    twice = "IDBRA00" + one[7:]  # two digits wrong: no single substitution fits
    zone = parse_td1((twice, two, three), today=TODAY)
    assert zone is not None and not zone.check("number") and "cpf" not in mrz_reads(zone)


@pytest.mark.parametrize(
    ("yymmdd", "expected"), [("740625", "25/06/1974"), ("570430", "30/04/1957")]
)
def test_a_far_off_today_never_makes_a_birth_of_the_next_century(
    yymmdd: str, expected: str
) -> None:
    # ReadOptions' default today is 2100: "74" was 2074, asserted at 0.98 on a small CIN
    zone = parse_td1(td1("52998224725", yymmdd, "340625", "A<<B<C"), today=date(2100, 1, 1))
    assert zone is not None and zone.verified
    assert zone.birth == expected and not zone.birth_inferred
    assert mrz_reads(zone)["data_nascimento"].parsed.checked


def test_a_birth_after_the_cards_expiry_takes_the_other_century() -> None:
    zone = parse_td1(td1("52998224725", "300101", "290101", "A<<B<C"), today=date(2100, 1, 1))
    assert zone is not None and zone.birth == "01/01/1930" and not zone.birth_inferred


def test_a_century_both_readings_allow_is_offered_only_to_confirm() -> None:
    # born 1910 (116 years old) or 2010: the digits verify, the century does not
    zone = parse_td1(td1("52998224725", "100101", "300101", "A<<B<C"), today=TODAY)
    assert zone is not None and zone.verified and zone.birth_inferred
    read = mrz_reads(zone)["data_nascimento"].parsed
    assert read.value == "01/01/2010" and not read.checked and read.repairs == 1


def test_without_a_verified_expiry_a_far_off_today_settles_no_century() -> None:
    one, two, three = td1("52998224725", "740625", "340625", "A<<B<C")
    two = two[:14] + ("0" if two[14] != "0" else "1") + two[15:]  # the expiry's check fails
    zone = parse_td1((one, two, three), today=date(2100, 1, 1))
    assert zone is not None and not zone.check("expiry") and zone.birth_inferred
    assert not mrz_reads(zone)["data_nascimento"].parsed.checked


def test_the_printed_year_gives_the_century_the_zone_could_not() -> None:
    zone = parse_td1(td1("52998224725", "100101", "300101", "A<<B<C"), today=TODAY)
    assert zone is not None
    from_zone = mrz_reads(zone)["data_nascimento"]  # 01/01/2010, its century a guess
    printed = FieldRead("data_nascimento", Parsed("01/01/1910", True, 0), "01/01/1910", (), "right")
    assert with_zone("data_nascimento", printed, zone=from_zone) == (printed, True)
    other = FieldRead("data_nascimento", Parsed("02/01/1910", True, 0), "02/01/1910", (), "right")
    chosen, agrees = with_zone("data_nascimento", other, zone=from_zone)
    assert chosen is from_zone and not agrees and chosen.parsed.repairs == 1
