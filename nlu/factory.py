"""Building interpreters and training the built-in model: the entry points callers use.

The bot's composition root calls :func:`build_interpreter` once with values from its settings
(``ONBOARD_NLU_BACKEND``, ``ONBOARD_RASA_URL``, ``ONBOARD_TIMEZONE``) and shares the result
between threads.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from nlu.builtin import BuiltinInterpreter
from nlu.cache import DEFAULT_DATA_DIR, TrainInfo, load_or_train
from nlu.entities import EntityExtractor
from nlu.errors import NLUError
from nlu.rasa_client import RasaInterpreter
from nlu.types import Interpreter

if TYPE_CHECKING:
    from prometheus_client import CollectorRegistry

BACKENDS = ("builtin", "rasa")
# Parsed once at build time so lazy loads (phonenumbers metadata, regex caches) happen
# before the interpreter is shared between threads.
_WARM_UP = "oi, meu cnpj é 11.222.333/0001-81, tel (11) 98765-4321, amanhã às 14h"


def build_builtin(
    *,
    cache_dir: Path,
    timezone: str = "America/Sao_Paulo",
    data_dir: Path = DEFAULT_DATA_DIR,
    clock: Callable[[], datetime] | None = None,
) -> BuiltinInterpreter:
    """The built-in interpreter, loading the cached model (training it first if needed)."""
    extractor = EntityExtractor(timezone=timezone)
    model, _ = load_or_train(cache_dir=cache_dir, extractor=extractor, data_dir=data_dir)
    interpreter = BuiltinInterpreter(model=model, extractor=extractor, clock=clock)
    interpreter.parse(_WARM_UP)
    return interpreter


def build_interpreter(
    *,
    backend: str = "builtin",
    cache_dir: Path,
    rasa_url: str = "http://127.0.0.1:5005",
    timeout_s: float = 2.0,
    timezone: str = "America/Sao_Paulo",
    data_dir: Path = DEFAULT_DATA_DIR,
    clock: Callable[[], datetime] | None = None,
    registry: CollectorRegistry | None = None,
) -> Interpreter:
    """An interpreter for ``backend`` ("builtin" or "rasa"; Rasa falls back to built-in)."""
    if backend not in BACKENDS:
        raise NLUError(f"unknown NLU backend {backend!r}; choose one of {', '.join(BACKENDS)}")
    builtin = build_builtin(cache_dir=cache_dir, timezone=timezone, data_dir=data_dir, clock=clock)
    if backend == "builtin":
        return builtin
    return RasaInterpreter(
        rasa_url=rasa_url, fallback=builtin, timeout_s=timeout_s, registry=registry
    )


def train(*, cache_dir: Path, data_dir: Path = DEFAULT_DATA_DIR, force: bool = True) -> TrainInfo:
    """Train the built-in model from ``data_dir`` into ``cache_dir``.

    With ``force`` (the default) it retrains even when a cached model for the same data exists.
    """
    extractor = EntityExtractor()
    _, info = load_or_train(
        cache_dir=cache_dir, extractor=extractor, data_dir=data_dir, force=force
    )
    return info
