"""Fixtures for the documents tests; tests marked ``tesseract`` skip without the binary."""

from __future__ import annotations

import shutil
import sys
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # bench.ocr.synthetic lives beside the packages
    sys.path.insert(0, str(ROOT))

from bench.ocr.synthetic import TODAY  # noqa: E402


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if shutil.which("tesseract") is None:
        skip = pytest.mark.skip(reason="needs the tesseract binary")
        for item in items:
            if "tesseract" in item.keywords:
                item.add_marker(skip)


@pytest.fixture
def today() -> date:
    return TODAY
