"""Loaders for the recorded provider payloads under ``tests/payloads``."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest

PAYLOADS = Path(__file__).resolve().parent.parent / "payloads"


@pytest.fixture
def payload_json() -> Callable[[str], Any]:
    def load(name: str) -> Any:
        return json.loads((PAYLOADS / name).read_text(encoding="utf-8"))

    return load


@pytest.fixture
def payload_form() -> Callable[[str], dict[str, str]]:
    """A recorded form body, decoded in its original field order."""

    def load(name: str) -> dict[str, str]:
        text = (PAYLOADS / name).read_text(encoding="utf-8").strip()
        return dict(parse_qsl(text, keep_blank_values=True, strict_parsing=True))

    return load
