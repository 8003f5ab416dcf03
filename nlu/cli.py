"""The ``onboard nlu`` commands: parse, test, train (mounted by the bot's CLI).

::

    app.add_typer(create_app(make_interpreter, cache_dir_factory=...), name="nlu")

``parse TEXT`` prints one JSON object; ``parse -`` reads one text per line from stdin and
writes JSON Lines in the same order (the interpreter is built once). ``test FILE.yml`` prints
a JSON report like ``rasa test nlu``. ``train`` retrains the built-in model. Exit codes: 0 ok,
1 failure with a one-line message on stderr, 2 usage error (Typer's own).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from nlu.errors import NLUError
from nlu.evaluation import evaluate
from nlu.factory import train as train_model
from nlu.types import Interpreter


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {' '.join(message.split())}", err=True)
    return typer.Exit(code=1)


def _dump(payload: object) -> str:
    text = json.dumps(payload, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates from undecodable input: escape them
        return json.dumps(payload)
    return text


def create_app(
    make_interpreter: Callable[[], Interpreter], *, cache_dir_factory: Callable[[], Path]
) -> typer.Typer:
    """The ``nlu`` Typer app; ``make_interpreter`` is called once per command that needs it."""
    app = typer.Typer(
        help="Intents and entities: parse texts, evaluate on Rasa YAML, retrain the model.",
        no_args_is_help=True,
        add_completion=False,
    )

    def interpreter() -> Interpreter:
        try:
            return make_interpreter()
        except NLUError as exc:
            raise _fail(str(exc)) from None

    @app.command()
    def parse(
        text: Annotated[
            str, typer.Argument(help="The text to parse, or - to read lines from stdin.")
        ],
    ) -> None:
        """Print the intent and entities of TEXT as JSON (JSON Lines for '-')."""
        nlu = interpreter()
        try:
            if text != "-":
                typer.echo(_dump(nlu.parse(text).to_json()))
                return
            out = sys.stdout
            for line in sys.stdin:
                out.write(_dump(nlu.parse(line.rstrip("\r\n")).to_json()))
                out.write("\n")
            out.flush()
        except NLUError as exc:
            raise _fail(str(exc)) from None

    @app.command()
    def test(
        file: Annotated[Path, typer.Argument(help="Rasa NLU YAML file (or directory) to score.")],
    ) -> None:
        """Evaluate on FILE and print a JSON report (accuracy, F1, entities, confusions)."""
        if not file.exists():
            raise _fail(f"no such file: {file}")
        nlu = interpreter()
        try:
            report = evaluate(nlu, file)
        except NLUError as exc:
            raise _fail(str(exc)) from None
        typer.echo(json.dumps(report, ensure_ascii=False, indent=2))

    @app.command()
    def train() -> None:
        """Retrain the built-in model from nlu/data/ into the model cache."""
        try:
            info = train_model(cache_dir=cache_dir_factory())
        except NLUError as exc:
            raise _fail(str(exc)) from None
        typer.echo(_dump(info.to_json()))

    return app
