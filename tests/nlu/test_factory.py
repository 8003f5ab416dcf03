"""The public API: build_interpreter, train, the package's exports."""

from __future__ import annotations

from pathlib import Path

import pytest

import nlu
from nlu.builtin import BuiltinInterpreter
from tests.nlu.support import NOW


def test_public_names() -> None:
    for name in ("build_interpreter", "train", "evaluate", "NLUResult", "Interpreter", "INTENTS"):
        assert name in nlu.__all__ and hasattr(nlu, name)


def test_builtin_is_the_default(nlu_cache_dir: Path) -> None:
    interpreter = nlu.build_interpreter(cache_dir=nlu_cache_dir)
    assert isinstance(interpreter, BuiltinInterpreter)
    assert interpreter.parse("oi", now=NOW).intent.name == "greet"


def test_timezone_is_passed_down(nlu_cache_dir: Path) -> None:
    interpreter = nlu.build_interpreter(cache_dir=nlu_cache_dir, timezone="Asia/Tokyo")
    # 13:00 on the 4th in São Paulo is 01:00 on the 5th in Tokyo: "amanhã" there is the 6th.
    late = NOW.replace(hour=13)
    assert interpreter.parse("amanhã", now=late).entities[0].value == "2026-03-06"


def test_unknown_backend(nlu_cache_dir: Path) -> None:
    with pytest.raises(nlu.NLUError, match="unknown NLU backend"):
        nlu.build_interpreter(backend="watson", cache_dir=nlu_cache_dir)


def test_train_reports_what_it_did(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    lines = "\n".join(f"    - {w}" for w in ("oi", "ola", "bom dia", "boa tarde", "e ai"))
    stop = "\n".join(f"    - {w}" for w in ("sair", "parar", "stop", "chega", "pare"))
    (data / "nlu.yml").write_text(
        f'version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n{lines}\n'
        f"- intent: opt_out\n  examples: |\n{stop}\n",
        encoding="utf-8",
    )
    info = nlu.train(cache_dir=tmp_path / "cache", data_dir=data)
    assert info.trained and info.examples == 10 and info.intents == 2
    assert info.path.exists() and info.path.parent == tmp_path / "cache"
    assert set(info.to_json()) >= {"model", "fingerprint", "seconds", "method"}
