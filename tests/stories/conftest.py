"""What every story shares, built once per session: the shipped flows and the real built-in NLU.

The NLU model is cached under ``ONBOARD_NLU_CACHE_DIR`` or the repository's ``var/nlu`` (keyed
by a hash of the training data and code), so only the first run after an NLU change trains it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import nlu
from bot.bootstrap import load_all_flows

from .runner import Kit
from .story_format import load_prefixes

HERE = Path(__file__).resolve().parent
REPOSITORY = HERE.parents[1]
PREFIXES_FILE = HERE / "prefixes.yml"
STORIES_DIR = HERE / "stories"


def nlu_cache_dir() -> Path:
    configured = os.environ.get("ONBOARD_NLU_CACHE_DIR")
    return Path(configured) if configured else REPOSITORY / "var" / "nlu"


@pytest.fixture(scope="session")
def story_kit() -> Kit:
    interpreter = nlu.build_interpreter(
        backend="builtin", cache_dir=nlu_cache_dir(), timezone="America/Sao_Paulo"
    )
    return Kit(
        flows=load_all_flows(None),
        interpreter=interpreter,
        prefixes=load_prefixes(PREFIXES_FILE),
    )
