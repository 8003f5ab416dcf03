"""Each field's score carries the rule of ``confidence.py`` that gave it, so the benchmark can
say why a correct field stayed below 0.9 (``bench/ocr/confidence_why.py``)."""

from __future__ import annotations

from bot.documents.confidence import Evidence, explain, score
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
    assert explain(alone, Evidence(second=Parsed("PADARIA BOM PAO", True)))[1] == "reads disagree"
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
