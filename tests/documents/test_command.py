"""``run_ocr``: the library side of ``onboard ocr FILE [--kind ...]``."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.ocr.synthetic import TODAY, make_sample
from bot.documents import DocumentError, DocumentRejected, run_ocr


def test_prints_spec_json_for_a_pdf(tmp_path: Path) -> None:
    sample = make_sample("cnpj_card", "pdf", seed=2)
    path = tmp_path / "cartao.pdf"
    path.write_bytes(sample.data)
    result = run_ocr(path, today=TODAY)
    assert list(result) == ["kind", "fields", "confidence", "warnings"]
    assert result["kind"] == "cnpj_card" and result["fields"] == sample.truth


def test_forced_kind_is_reported_when_it_does_not_fit(tmp_path: Path) -> None:
    path = tmp_path / "rg.pdf"
    path.write_bytes(make_sample("rg", "pdf", seed=2).data)
    result = run_ocr(path, kind="cnh", today=TODAY)
    warnings = result["warnings"]
    assert isinstance(warnings, list)
    assert "document looks like rg, read as cnh" in warnings


def test_user_errors(tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match="file not found"):
        run_ocr(tmp_path / "missing.jpg")
    with pytest.raises(DocumentError, match="unknown kind"):
        run_ocr(tmp_path / "missing.jpg", kind="passport")
    text = tmp_path / "notes.jpg"
    text.write_text("not an image")
    with pytest.raises(DocumentRejected) as info:
        run_ocr(text)
    assert info.value.code == "unsupported_type"
