"""Each field's score carries the rule of ``confidence.py`` that gave it, so the benchmark can
say why a correct field stayed below 0.9 (``bench/ocr/confidence_why.py``)."""

from __future__ import annotations

from dataclasses import replace

from bot.documents.confidence import ASSERTED, Evidence, explain, score
from bot.documents.fields import FieldRead
from bot.documents.identifiers import Parsed
from bot.documents.page import Word
from bot.documents.results import Extraction, record


def read(value: str, *, name: str = "razao_social", conf: float = 96) -> FieldRead:
    return FieldRead(name, Parsed(value, True), value, (Word(value, 0, 0, 100, 10, conf),), "below")


def test_two_agreeing_reads_are_asserted_and_say_so() -> None:
    assert explain(read("PADARIA BOM PÃO"), Evidence(second=Parsed("PADARIA BOM PÃO", True))) == (
        0.95,
        "agree",
    )


def test_each_cap_is_named() -> None:
    alone = read("PADARIA BOM PÃO")
    assert explain(alone, Evidence()) == (0.75, "one read")
    assert explain(alone, Evidence(second=Parsed("PADARIA BOM PAU", True)))[1] == "reads disagree"
    poor = Evidence(second=Parsed("PADARIA BOM PÃO", True), image_poor=True)
    assert explain(alone, poor) == (0.85, "poor image (agree)")
    lost = read("CONSTRUCOES LTDA")
    assert explain(lost, Evidence(second=Parsed("CONSTRUCOES LTDA", True)))[1] == "accent ending"


def test_score_is_the_explained_score() -> None:
    alone, evidence = (
        read("ATIVA", name="situacao_cadastral"),
        Evidence(second=Parsed("ATIVA", True)),
    )
    assert score(alone, evidence) == explain(alone, evidence)[0] == 0.97


def test_record_keeps_the_reason_out_of_specs_json() -> None:
    result = Extraction(kind="cnpj_card")
    record(result, "razao_social", read=read("PADARIA BOM PÃO"), missing={}, evidence=Evidence())
    assert result.reasons == {"razao_social": "one read"}
    assert "reasons" not in result.to_json()


def checked(value: str, *, repairs: int = 0) -> Parsed:
    return Parsed(value, True, repairs, True)


def test_a_number_two_reads_give_and_check_is_asserted_even_on_a_poor_photo() -> None:
    cnpj = FieldRead("cnpj", checked("00532060003502"), "", (Word("x", 0, 0, 9, 9, 40),), "below")
    poor = Evidence(second=checked("00532060003502"), image_poor=True)
    assert explain(cnpj, poor) == (0.97, "checked twice")
    assert explain(cnpj, Evidence(image_poor=True))[0] < ASSERTED  # one read: still doubted
    other = Evidence(second=checked("00532060003510"), image_poor=True)
    assert explain(cnpj, other)[0] < ASSERTED
    guessed = replace(cnpj, parsed=checked("00532060003502", repairs=2))
    assert explain(guessed, Evidence(second=checked("00532060003502", repairs=2)))[0] < ASSERTED


def test_the_situation_both_reads_give_survives_a_poor_photo_a_uf_does_not() -> None:
    both = Evidence(second=Parsed("ATIVA", True), image_poor=True)
    assert explain(read("ATIVA", name="situacao_cadastral", conf=57), both)[0] == 0.97
    uf = Evidence(second=Parsed("SP", True), image_poor=True)
    assert explain(read("SP", name="uf"), uf)[0] < ASSERTED


def test_accents_one_read_dropped_are_vouched_for_by_the_lexicon_only() -> None:
    plain = Evidence(second=Parsed("MONICA CORDEIRO ROMAO", True))
    assert explain(read("MÔNICA CORDEIRO ROMÃO", name="nome"), plain) == (
        0.95,
        "agree, accents from lexicon",
    )
    # a spelling the lexicon does not give, a word it does not know, an accent the image
    # shows lost, another letter: confirm
    assert explain(read("MÓNICA CORDEIRO ROMÃO", name="nome"), plain)[0] < ASSERTED
    unknown = Evidence(second=Parsed("LUCAS DANIAO", True))
    assert explain(read("LUCAS DANIÃO", name="nome"), unknown)[0] < ASSERTED
    lost = Evidence(second=Parsed("MONICA CORDEIRO ROMAO", True), lost_accent=True)
    assert explain(read("MÔNICA CORDEIRO ROMÃO", name="nome"), lost)[0] < ASSERTED
    letter = Evidence(second=Parsed("MONICA CORDEIRA ROMAO", True))
    assert explain(read("MÔNICA CORDEIRO ROMÃO", name="nome"), letter)[0] < ASSERTED
