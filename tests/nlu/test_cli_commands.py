"""``onboard nlu`` commands through Typer's CliRunner: parse, parse -, test, train, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from nlu.builtin import BuiltinInterpreter
from nlu.cli import create_app
from nlu.errors import ModelError
from nlu.factory import build_builtin
from nlu.types import Interpreter
from tests.nlu.support import NOW

HELDOUT = Path(__file__).resolve().parents[2] / "nlu" / "heldout" / "test.yml"


@pytest.fixture
def app(nlu_cache_dir: Path) -> typer.Typer:
    built: list[int] = []

    def make() -> Interpreter:
        built.append(1)
        return build_builtin(cache_dir=nlu_cache_dir, clock=lambda: NOW)

    application = create_app(make, cache_dir_factory=lambda: nlu_cache_dir)
    application.built = built  # type: ignore[attr-defined]
    return application


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_parse_text(app: typer.Typer, runner: CliRunner) -> None:
    result = runner.invoke(app, ["parse", "meu cnpj é 11.222.333/0001-81"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["text"] == "meu cnpj é 11.222.333/0001-81"
    assert payload["intent"]["name"] == "inform"
    assert payload["entities"] == [
        {"entity": "cnpj", "value": "11222333000181", "start": 11, "end": 29}
    ]
    assert {"name", "confidence"} <= set(payload["intent_ranking"][0])


def test_parse_stdin_round_trip(app: typer.Typer, runner: CliRunner) -> None:
    lines = ["oi", "SAIR", "", "quero remarcar pra sexta às 10h", "😀", "apaga meus dados"] * 50
    result = runner.invoke(app, ["parse", "-"], input="\n".join(lines) + "\n")
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["text"] for o in out] == lines
    assert [o["intent"]["name"] for o in out[:6]] == [
        "greet",
        "opt_out",
        "out_of_scope",
        "reschedule_training",
        out[4]["intent"]["name"],
        "delete_data",
    ]
    assert app.built == [1]  # type: ignore[attr-defined]  # loaded once for all lines


def test_parse_stdin_handles_crlf_and_no_final_newline(app: typer.Typer, runner: CliRunner) -> None:
    result = runner.invoke(app, ["parse", "-"], input="oi\r\ntchau")
    assert [json.loads(x)["text"] for x in result.stdout.splitlines()] == ["oi", "tchau"]


def test_test_command_reports_like_rasa(app: typer.Typer, runner: CliRunner) -> None:
    result = runner.invoke(app, ["test", str(HELDOUT)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert {"accuracy", "macro_f1", "intents", "entities", "confusions", "languages"} <= set(report)
    assert set(report["intents"]["greet"]) == {"precision", "recall", "f1", "support"}
    assert {"precision", "recall", "f1", "support"} <= set(report["entities"]["cnpj"])
    assert report["examples"] > 400


def test_missing_file_is_a_one_line_error(app: typer.Typer, runner: CliRunner) -> None:
    result = runner.invoke(app, ["test", "/no/such/file.yml"])
    assert result.exit_code == 1
    assert result.stderr.strip().count("\n") == 0
    assert "no such file" in result.stderr
    assert "Traceback" not in result.output


def test_malformed_file_is_a_one_line_error(
    app: typer.Typer, runner: CliRunner, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text("nlu:\n- intent: greet\n  examples: [1, 2\n", encoding="utf-8")
    result = runner.invoke(app, ["test", str(bad)])
    assert result.exit_code == 1
    assert "not valid YAML" in result.stderr
    assert result.stderr.strip().count("\n") == 0


def test_usage_errors_exit_2(app: typer.Typer, runner: CliRunner) -> None:
    assert runner.invoke(app, ["parse"]).exit_code == 2
    assert runner.invoke(app, ["nonsense"]).exit_code == 2


def test_interpreter_failure_exits_1(runner: CliRunner, tmp_path: Path) -> None:
    def broken() -> BuiltinInterpreter:
        raise ModelError("cannot read model x.npz")

    app = create_app(broken, cache_dir_factory=lambda: tmp_path)
    result = runner.invoke(app, ["parse", "oi"])
    assert result.exit_code == 1
    assert result.stderr == "error: cannot read model x.npz\n"


def test_train(app: typer.Typer, runner: CliRunner, nlu_cache_dir: Path) -> None:
    result = runner.invoke(app, ["train"])
    assert result.exit_code == 0, result.output
    info = json.loads(result.stdout)
    assert info["trained"] is True and info["intents"] == 18
    assert Path(info["model"]).parent == nlu_cache_dir
