"""The before/after table reads both kinds of ``bench.ocr.run --json`` files."""

from __future__ import annotations

from bench.ocr.before_after import defects_table, table

ROW = {
    "documents": 2,
    "fields": 10,
    "exact": 0.9,
    "confident_share": 0.8,
    "correct_confident": 0.8,
    "confident_wrong": 0,
    "refused_documents": 0.0,
    "p50_cpu_s": 1.2,
}


def test_a_kind_level_row_shows_before_and_after() -> None:
    after = {**ROW, "exact": 1.0, "p50_cpu_s": 0.9}
    shown = table({"rg/clean": ROW}, {"rg/clean": after})
    assert "| rg | clean | 90.0% → 100.0% |" in shown
    assert "1.20 → 0.90" in shown


def test_photos_to_refuse_are_shown_per_defect() -> None:
    before = {"glare": {"photos": 8, "refused": 4}}
    after = {"glare": {"photos": 8, "refused": 8}, "small": {"photos": 8, "refused": 7}}
    shown = defects_table(before, after)
    assert "| glare | 4 of 8 → 8 of 8 |" in shown
    assert "| small | — → 7 of 8 |" in shown
