"""``python -m nlu``: the ``nlu`` commands on their own, built-in backend, cache in nlu/.cache.

The bot mounts the same commands as ``onboard nlu`` with its settings; this entry point is for
working on the NLU alone (and for the benchmark).
"""

from __future__ import annotations

from pathlib import Path

from nlu.cli import create_app
from nlu.factory import build_interpreter
from nlu.types import Interpreter

CACHE_DIR = Path(__file__).resolve().parent / ".cache"


def _interpreter() -> Interpreter:
    return build_interpreter(cache_dir=CACHE_DIR)


def main() -> None:
    create_app(_interpreter, cache_dir_factory=lambda: CACHE_DIR)(prog_name="python -m nlu")


if __name__ == "__main__":
    main()
