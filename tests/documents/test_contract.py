"""The contrato social read from its prose: company, CNPJ, partners by qualified name and CPF."""

from __future__ import annotations

import numpy as np
from fpdf import FPDF
from PIL import Image

from bench.ocr.synthetic import TODAY, draw
from bot.documents import ReadOptions, read_document
from bot.documents.contract import contract_fields, page_text
from bot.documents.contract_pages import clause_by_clause, grammar_score
from bot.documents.contract_partners import partners
from bot.documents.imaging import Prepared
from bot.documents.page import Page, Word

TEXT = """2ª ALTERAÇÃO E CONSOLIDAÇÃO DO CONTRATO SOCIAL DA
SOCIEDADE GONÇALVES REPRESENTAÇÕES LTDA - EPP
MÔNICA LIMA DA GONÇALVES SOUZA, brasileira, divorciada, administradora, portadora da
cédula de identidade RG nº 24641596 SSP/RJ, CPF nº 529.982.247-25, residente na AV
BRASIL, 955, RIO DE JANEIRO/RJ; Marcos Fonseca Macedo, brasileiro, casado, inscrito no
CPF sob o nº 111.444.777-35, residente na R XV DE NOVEMBRO, 661, RIO DE JANEIRO/RJ,
únicos sócios da sociedade empresária limitada GONÇALVES REPRESENTAÇÕES LTDA - EPP,
inscrita no CNPJ sob o nº 11.222.333/0001-81, NIRE 61001406915, resolvem:
CLÁUSULA PRIMEIRA - DO NOME EMPRESARIAL. A sociedade gira sob o nome empresarial
GONÇALVES REPRESENTAÇÕES LTDA - EPP e tem sede em RIO DE JANEIRO/RJ.
TESTEMUNHAS:
ANDRÉ MENDES SILVA BASTOS - CPF 390.533.447-05
"""


def test_company_cnpj_and_partners_from_the_prose() -> None:
    found, missing = contract_fields(TEXT)
    values = {name: read.parsed.value for name, read in found.items()}
    assert values == {
        "razao_social": "GONÇALVES REPRESENTAÇÕES LTDA - EPP",
        "cnpj": "11222333000181",
        "socio_1_nome": "MÔNICA LIMA DA GONÇALVES SOUZA",
        "socio_1_cpf": "52998224725",
        "socio_2_nome": "MARCOS FONSECA MACEDO",
        "socio_2_cpf": "11144477735",
    }
    assert missing == {}
    # the title, the parties' clause and the name clause agree on the company's name
    assert found["razao_social"].parsed.checked
    # a partner named once (no capital clause here): the client confirms it
    assert found["socio_1_nome"].parsed.repairs == 1 and not found["socio_1_nome"].parsed.checked


def test_a_company_named_in_one_clause_only_is_shown_to_confirm() -> None:
    text = TEXT.replace("SOCIEDADE GONÇALVES REPRESENTAÇÕES LTDA - EPP", "SOCIEDADE").replace(
        "limitada GONÇALVES REPRESENTAÇÕES LTDA - EPP", "limitada"
    )
    found, _ = contract_fields(text)
    assert found["razao_social"].parsed.value == "GONÇALVES REPRESENTAÇÕES LTDA - EPP"
    assert found["razao_social"].parsed.repairs == 1


CAPITAL = (
    "CLÁUSULA TERCEIRA - DO CAPITAL. O capital social é de R$ 10.000,00, assim distribuídas: "
    "MÔNICA LIMA DA GONÇALVES SOUZA: 5.000 quotas; MARCOS FONSECA MACEDO: 5.000 quotas.\n"
    "TESTEMUNHAS:"
)


def test_a_partner_named_again_in_the_capital_clause_is_asserted() -> None:
    text = TEXT.replace("TESTEMUNHAS:", CAPITAL)
    found, _ = contract_fields(text, scanned=True)
    assert found["socio_1_nome"].parsed.checked and found["socio_2_nome"].parsed.checked
    # a name that only ends another one there ("... DA GONÇALVES SOUZA") vouches for nothing
    cut = text.replace(
        "MÔNICA LIMA DA GONÇALVES SOUZA, brasileira", "DA GONÇALVES SOUZA, brasileira"
    )
    assert not contract_fields(cut, scanned=True)[0]["socio_1_nome"].parsed.checked
    # read differently the second time: shown to confirm
    typo = text.replace("MARCOS FONSECA MACEDO: 5", "MARCOS FONSECA MAGEDO: 5")
    assert not contract_fields(typo, scanned=True)[0]["socio_2_nome"].parsed.checked


def test_a_name_that_may_have_lost_an_accent_is_not_asserted_however_often_repeated() -> None:
    text = TEXT.replace("TESTEMUNHAS:", CAPITAL).replace("MARCOS FONSECA", "FABIO FONSECA")
    text = text.replace("Marcos Fonseca", "FABIO FONSECA")
    found, _ = contract_fields(text, scanned=True)
    # FÁBIO is only ever written accented: the scan's FABIO is shown with it, to confirm
    assert found["socio_2_nome"].parsed.value == "FÁBIO FONSECA MACEDO"
    assert not found["socio_2_nome"].parsed.checked
    printed, _ = contract_fields(text)  # a text layer's name is as printed
    assert printed["socio_2_nome"].parsed.value == "FABIO FONSECA MACEDO"
    plain = text.replace("GONÇALVES", "GONCALVES")
    assert not contract_fields(plain, scanned=True)[0]["razao_social"].parsed.checked


def test_witnesses_registry_numbers_and_bad_cpfs_are_not_partners() -> None:
    # the NIRE happens to pass the CPF check digits; the witness has no qualification
    cpfs = [p.cpf for p in partners(TEXT.replace("111.444.777-35", "111.444.777-36"))]
    assert cpfs == ["52998224725"]  # the second CPF fails its check digits


def test_a_partner_who_leaves_is_not_listed() -> None:
    text = TEXT.replace(
        "resolvem:",
        "resolvem: o sócio Marcos Fonseca Macedo, CPF nº "
        "111.444.777-35, retira-se da sociedade, cedendo suas quotas;",
    )
    found, _ = contract_fields(text)
    assert "socio_2_cpf" not in found and found["socio_1_cpf"].parsed.value == "52998224725"


def test_no_partner_is_named_in_warnings() -> None:
    text = "CONTRATO SOCIAL DA XYZ COMÉRCIO LTDA, CNPJ 11.222.333/0001-81"
    found, missing = contract_fields(text)
    assert found["razao_social"].parsed.value == "XYZ COMÉRCIO LTDA"
    assert "socio_1_cpf" in missing


def _pdf(pages: list[str]) -> bytes:
    pdf = FPDF()
    pdf.add_font("DejaVu", "", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    pdf.set_font("DejaVu", size=10)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 5, text)
    return bytes(pdf.output())


def test_a_text_pdf_is_read_across_its_pages() -> None:
    head, tail = TEXT.split("; Marcos")
    data = _pdf([head + ";", "Marcos" + tail, "Página 3 de 3"])
    result = read_document(data, options=ReadOptions(today=TODAY))
    assert result.kind == "contrato_social" and result.source == "text_layer"
    assert result.fields["socio_2_cpf"] == "11144477735"  # on the second page
    assert result.fields["socio_2_nome"] == "MARCOS FONSECA MACEDO"
    # Numbers whose check digits hold are asserted, and the company named alike by three
    # clauses; partners named once go to the client to confirm.
    asserted = {name for name, value in result.confidence.items() if value >= 0.9}
    assert asserted == {"razao_social", "cnpj", "socio_1_cpf", "socio_2_cpf"}


def test_the_generators_contract_pdf() -> None:
    data, truth = draw("contrato_social", seed=1003, level="pdf")
    result = read_document(data, options=ReadOptions(today=TODAY))
    assert result.kind == "contrato_social"
    assert result.fields == truth


def test_a_cpf_that_could_not_be_read_makes_the_numbering_unsure() -> None:
    from bot.documents.confidence import Evidence, score

    found, _ = contract_fields(TEXT)
    assert all(
        score(read, Evidence(text_layer=True)) >= 0.9
        for name, read in found.items()
        if name == "cnpj" or name.endswith("_cpf")
    )
    # the first partner's CPF smudged: the second would be numbered 1, so nobody is asserted
    smudged = TEXT.replace("529.982.247-25", "529.982.247-26")  # a digit misread
    found, _ = contract_fields(smudged)
    assert found["socio_1_cpf"].parsed.value == "11144477735"
    assert score(found["socio_1_cpf"], Evidence(text_layer=True)) < 0.9
    assert score(found["socio_1_nome"], Evidence(text_layer=True)) < 0.9
    assert score(found["cnpj"], Evidence(text_layer=True)) >= 0.9  # the company's is sure


def test_a_partner_whose_cpf_is_not_called_cpf_keeps_the_numbering_unsure() -> None:
    # The first partner's number is introduced without the word CPF and is not recognised as
    # a partner: the next one must not be asserted as socio_1.
    text = TEXT.replace(
        "CPF nº 529.982.247-25", "inscrita no cadastro fiscal federal sob o número 529.982.247-25"
    )
    found, _ = contract_fields(text)
    from bot.documents.confidence import Evidence, score

    for name, read in found.items():
        if name.startswith("socio_") and read.parsed.value != "52998224725":
            assert score(read, Evidence(text_layer=True)) < 0.9, name


def test_a_cpf_introduced_by_the_registers_full_name_is_a_partner() -> None:
    # "inscrito no Cadastro de Pessoas Físicas sob o número ...": no "CPF" word before it
    text = TEXT.replace(
        "inscrito no\nCPF sob o nº 111.444.777-35",
        "inscrito no Cadastro de\nPessoas Físicas sob o número 111.444.777-35",
    )
    found, _ = contract_fields(text)
    assert found["socio_1_cpf"].parsed.value == "52998224725"
    assert found["socio_2_cpf"].parsed.value == "11144477735"
    assert found["socio_2_nome"].parsed.value == "MARCOS FONSECA MACEDO"
    assert found["socio_2_cpf"].parsed.checked  # every CPF named has its partner


def test_a_company_name_starting_with_da_keeps_it() -> None:
    # "nome empresarial DAMIÃO ..." is not "nome empresarial da MIÃO ..."
    text = TEXT.replace("GONÇALVES REPRESENTAÇÕES", "DAMIÃO TÊXTIL")
    found, _ = contract_fields(text)
    assert found["razao_social"].parsed.value == "DAMIÃO TÊXTIL LTDA - EPP"


def test_a_scanned_cnpj_with_letters_is_shown_to_confirm() -> None:
    text = TEXT.replace("11.222.333/0001-81", "12.ABC.345/01DE-35")
    scanned, _ = contract_fields(text, scanned=True)
    assert scanned["cnpj"].parsed.value == "12ABC34501DE35"
    assert not scanned["cnpj"].parsed.checked and scanned["cnpj"].parsed.repairs == 1
    typed, _ = contract_fields(text)
    assert typed["cnpj"].parsed.checked  # a text layer's letters are as printed
    digits, _ = contract_fields(TEXT, scanned=True)
    assert digits["cnpj"].parsed.checked


class ProseEngine:
    """Tesseract's stand-in: the grey prose pass reads ``text`` (one word per token, one row)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.calls: list[int] = []

    def words(self, image: Image.Image, *, psm: int) -> list[Word]:
        self.calls.append(psm)
        return [
            Word(token, 20.0 * i, 0.0, 20.0 * i + 18.0, 20.0)
            for i, token in enumerate(self.text.split())
        ]


def _prepared() -> Prepared:
    gray = np.full((40, 60), 235.0, dtype=np.float32)
    return Prepared(Image.fromarray(gray.astype(np.uint8)), gray, 0.0, 1.0, 30.0)


def _first(text: str) -> Page:
    return Page(
        tuple(Word(t, 20.0 * i, 0.0, 20.0 * i + 18.0, 20.0) for i, t in enumerate(text.split())),
        2000.0,
        40.0,
    )


def test_a_page_whose_first_pass_reads_the_whole_contract_is_not_read_again() -> None:
    engine = ProseEngine("")
    text = page_text(_prepared(), first=_first(TEXT), poor=False, ocr=engine)
    assert engine.calls == []
    assert contract_fields(text)[0]["socio_2_cpf"].parsed.value == "11144477735"


def test_a_page_that_lost_a_partner_is_read_as_grey_prose_and_the_better_text_kept() -> None:
    lost = TEXT.replace("529.982.247-25", "529.9B2.24?-2S")  # the binarized pass's misreads
    engine = ProseEngine(TEXT)
    text = page_text(_prepared(), first=_first(lost), poor=False, ocr=engine)
    assert engine.calls == [3]
    assert contract_fields(text)[0]["socio_1_cpf"].parsed.value == "52998224725"
    # and when the prose reads worse, the first pass's text stays
    worse = ProseEngine("ILEGÍVEL")
    assert page_text(_prepared(), first=_first(lost), poor=False, ocr=worse) == _first(lost).text()
    assert grammar_score(TEXT) > grammar_score(lost) > grammar_score("ILEGÍVEL")


def test_a_near_blank_page_is_not_read_again() -> None:
    # a contract's last page with its footer only ("Página 2 de 2"): nothing to read as prose
    engine = ProseEngine(TEXT)
    text = page_text(_prepared(), first=_first("Página 2 de 2"), poor=True, ocr=engine)
    assert engine.calls == []
    assert text == "Página 2 de 2"


def test_each_partner_is_taken_from_the_read_that_kept_it() -> None:
    # the binarized pass garbles the first partner's CPF, the grey prose the second's: the
    # page keeps each partner's clause from the read where it holds, not one read whole
    first = TEXT.replace("529.982.247-25", "529.9B2.24?-2S")
    prose = TEXT.replace("111.444.777-35", "111.4A4.7?7-3S")
    text = page_text(_prepared(), first=_first(first), poor=False, ocr=ProseEngine(prose))
    found, _ = contract_fields(text)
    assert found["socio_1_cpf"].parsed.value == "52998224725"
    assert found["socio_2_cpf"].parsed.value == "11144477735"
    assert found["socio_2_nome"].parsed.value == "MARCOS FONSECA MACEDO"
    assert found["socio_2_cpf"].parsed.checked  # no garbled CPF is left in the page


def test_pieces_are_cut_only_at_cpfs_both_reads_share() -> None:
    # the other read keeps nothing better: the primary text comes back as it was
    worse = TEXT.replace("111.444.777-35", "111.4A4.7?7-3S")
    assert clause_by_clause(TEXT, worse) == TEXT
    # a partner only the other read has is put in its place, before the company's clauses
    merged = clause_by_clause(worse, TEXT)
    assert merged.index("111.444.777-35") < merged.index("11.222.333/0001-81")


def test_a_partner_whose_cpf_cue_was_lost_keeps_the_numbering_unsure() -> None:
    # the scan lost the words "CPF nº 529.982.247-25" of the first partner: Marcos would be
    # numbered 1 as if he were the first partner
    text = TEXT.replace("CPF nº 529.982.247-25, ", "")
    found, _ = contract_fields(text, scanned=True)
    assert found["socio_1_cpf"].parsed.value == "11144477735"
    assert not found["socio_1_cpf"].parsed.checked


def test_a_partner_whose_first_qualification_words_were_misread_is_found() -> None:
    # a noisy scan reads "brasileira" as "irasmenv(a)": the next words still qualify her
    text = TEXT.replace("SOUZA, brasileira, divorciada", "SOUZA, irasmenv(a), divorcado(a)")
    found, _ = contract_fields(text, scanned=True)
    assert found["socio_1_nome"].parsed.value == "MÔNICA LIMA DA GONÇALVES SOUZA"
    assert found["socio_2_cpf"].parsed.value == "11144477735"
    assert found["socio_1_cpf"].parsed.value == "52998224725"


def test_a_partner_qualified_by_an_rg_but_no_cpf_read_keeps_the_numbering_unsure() -> None:
    # nationality misread ("brasieira") and CPF lost: her RG still says a partner was here
    text = TEXT.replace("CPF nº 529.982.247-25, ", "").replace("brasileira", "brasieira")
    text = text.replace("casado, inscrito", "casado, RG nº 1234567 SSP/RJ, inscrito")
    # without her RG (and without "únicos sócios", which shows two) nothing says she was here
    alone = text.replace("RG nº 2", "nº 2").replace("únicos sócios", "sócios")
    assert contract_fields(alone)[0]["socio_1_cpf"].parsed.checked
    found, _ = contract_fields(text, scanned=True)
    assert found["socio_1_cpf"].parsed.value == "11144477735"
    assert not found["socio_1_cpf"].parsed.checked


def test_a_company_name_that_lost_an_accent_gets_it_back_to_confirm() -> None:
    text = TEXT.replace("GONÇALVES REPRESENTAÇÕES", "AMARAL ENGENHARIA ELETRICA")
    found, _ = contract_fields(text, scanned=True)
    assert found["razao_social"].parsed.value == "AMARAL ENGENHARIA ELÉTRICA LTDA - EPP"
    assert not found["razao_social"].parsed.checked  # the accent is a guess: confirmed


def test_a_cpf_read_with_a_space_and_a_qualification_after_a_full_stop_are_a_partner() -> None:
    # tuning heavy 1015's grey prose: "057.576. 800-24", "brasideiro(a). divorciado(a)"
    text = (
        TEXT.replace("529.982.247-25", "529.982. 247-25")
        .replace(
            "111.444.777-35",
            "111.444 .777-35",  # tuning heavy 1004: the space before the dot
        )
        .replace("brasileira, divorciada", "brasideira. divorciada")
    )
    found, _ = contract_fields(text)
    assert found["socio_1_cpf"].parsed.value == "52998224725"
    assert found["socio_1_nome"].parsed.value == "MÔNICA LIMA DA GONÇALVES SOUZA"
    assert found["socio_2_cpf"].parsed.value == "11144477735"


def test_a_page_that_lost_a_partner_whole_is_read_again_as_grey_prose() -> None:
    # the binarized pass lost Marcos's qualification whole (no CPF cue left): the capital
    # clause still names him, so the page is read again and the prose's partner kept
    page = TEXT.replace("TESTEMUNHAS:", CAPITAL)
    start = page.index("Marcos Fonseca")
    lost = page[:start] + page[page.index("únicos sócios") :]
    engine = ProseEngine(page)
    text = page_text(_prepared(), first=_first(lost), poor=False, ocr=engine)
    assert engine.calls == [3]
    found, _ = contract_fields(text, scanned=True)
    assert found["socio_2_cpf"].parsed.value == "11144477735"
    assert found["socio_2_cpf"].parsed.checked


def test_numbers_whose_dots_a_scan_read_as_commas_or_spaced_are_read() -> None:
    # tuning heavy 1020 and 1008: "72.678,784/0001-12", "52.236 .249/0022-29"; 1017's
    # grey prose: "CPF nº 005,494.490-27"
    for cnpj in ("11.222,333/0001-81", "11.222 .333/0001-81", "11,222.333 / 0001-81"):
        found, _ = contract_fields(TEXT.replace("11.222.333/0001-81", cnpj), scanned=True)
        assert found["cnpj"].parsed.value == "11222333000181" and found["cnpj"].parsed.checked
    found, _ = contract_fields(TEXT.replace("529.982.247-25", "529,982.247-25"), scanned=True)
    assert found["socio_1_cpf"].parsed.value == "52998224725"
    assert found["socio_1_cpf"].parsed.checked
    # a digit misread stays refused by the check digits
    found, missing = contract_fields(TEXT.replace("11.222.333/0001-81", "11.222,383/0001-81"))
    assert "cnpj" in missing
