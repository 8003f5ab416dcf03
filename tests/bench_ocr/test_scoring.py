"""The bench's tallies: CPU seconds per page beside those per document (the target is per page)."""

from __future__ import annotations

from bench.ocr.scoring import Tally, verdict
from bench.ocr.synthetic import Sample


def _sample(name: str) -> Sample:
    return Sample(
        name, "contrato_social", b"", "application/pdf", {"cnpj": "1"}, {}, {}, "t", "clean"
    )


def _read(cnpj: str) -> dict[str, object]:
    return {"kind": "contrato_social", "fields": {"cnpj": cnpj}, "confidence": {"cnpj": 0.95}}


def test_a_three_page_contract_costs_a_third_per_page() -> None:
    tally = Tally()
    tally.add(_sample("a"), _read("1"), seconds=6.0, cpu=6.0, refused=False, pages=3)
    tally.add(_sample("b"), _read("1"), seconds=2.0, cpu=2.0, refused=False, pages=1)
    tally.add(_sample("c"), _read("2"), seconds=3.0, cpu=3.0, refused=False, pages=2)
    summary = tally.summary()
    assert summary["p50_cpu_s"] == 3.0  # per document: 2, 3, 6
    assert summary["p50_cpu_page_s"] == 2.0  # per page: 2, 2, 1.5
    assert summary["confident_wrong"] == 1 and summary["exact"] == 0.6667


def test_the_speed_target_is_judged_per_page() -> None:
    tally = Tally()
    tally.add(_sample("a"), _read("1"), seconds=4.0, cpu=4.0, refused=False, pages=3)
    assert verdict("pdf", tally.summary()) == "ok"
    slow = Tally()
    slow.add(_sample("a"), _read("1"), seconds=4.0, cpu=4.0, refused=False, pages=1)
    assert verdict("pdf", slow.summary()) == "MISS p50cpu>1.5s"
