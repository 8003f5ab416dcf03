"""The model cache: one trained model file per (training data, code, settings) fingerprint.

The fingerprint hashes the bytes of every training file, the source of the modules that shape
the model (normalization, features, extractors, training) and the training settings, so
editing any of them retrains on the next start while an unchanged tree only loads.
Files are written atomically; concurrent trainers at worst both write the same file.
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from nlu.entities import EntityExtractor
from nlu.errors import ModelError
from nlu.model import IntentModel
from nlu.training import TrainingConfig, train_model
from nlu.training_data import data_files, load_training_data

PACKAGE_DIR = Path(__file__).resolve().parent
DEFAULT_DATA_DIR = PACKAGE_DIR / "data"
# Modules whose code changes what a trained model contains.
_MODEL_SOURCES = (
    "normalization.py",
    "features.py",
    "training.py",
    "model.py",
    "training_data.py",
    "entities",
)

KEEP_MODELS = 3

_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class TrainInfo:
    """What ``train``/``load_or_train`` did: where the model is and how long it took."""

    path: Path
    fingerprint: str
    trained: bool  # False when an existing cached model was loaded
    seconds: float
    examples: int
    intents: int
    method: str

    def to_json(self) -> dict[str, object]:
        return {
            "model": str(self.path),
            "fingerprint": self.fingerprint,
            "trained": self.trained,
            "seconds": round(self.seconds, 3),
            "examples": self.examples,
            "intents": self.intents,
            "method": self.method,
        }


def _source_files() -> list[Path]:
    files: list[Path] = []
    for name in _MODEL_SOURCES:
        path = PACKAGE_DIR / name
        files.extend(sorted(path.rglob("*.py")) if path.is_dir() else [path])
    return files


def fingerprint(data_dir: Path, *, settings: str) -> str:
    """Hash of the training files, the model code and ``settings``."""
    digest = hashlib.sha256()
    digest.update(settings.encode())
    for path in _source_files():
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    root = data_dir if data_dir.is_dir() else data_dir.parent
    for path in data_files(data_dir):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def model_path(cache_dir: Path, key: str) -> Path:
    return cache_dir / f"nlu-model-{key[:24]}.npz"


def load_or_train(
    *,
    cache_dir: Path,
    extractor: EntityExtractor,
    data_dir: Path = DEFAULT_DATA_DIR,
    force: bool = False,
    config: TrainingConfig | None = None,
) -> tuple[IntentModel, TrainInfo]:
    """The cached model for the current data and code, trained first if missing (or ``force``).

    scikit-learn is imported only when training actually happens.
    """
    config = config or TrainingConfig()
    key = fingerprint(data_dir, settings=config.describe())
    path = model_path(cache_dir, key)
    started = time.perf_counter()
    with _lock:
        if path.exists() and not force:
            try:
                model = IntentModel.load(path)
            except ModelError:
                model = None  # a damaged file: train again below
            if model is not None:
                return model, TrainInfo(
                    path=path,
                    fingerprint=key,
                    trained=False,
                    seconds=time.perf_counter() - started,
                    examples=int(model.info.get("examples", "0")),
                    intents=len(model.intents),
                    method=model.info.get("method", ""),
                )
        data = load_training_data([data_dir])
        model = train_model(data, extractor=extractor, config=config, info={"fingerprint": key})
        try:
            cache_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ModelError(f"cannot create cache directory {cache_dir}: {exc}") from exc
        model.save(path)
        _prune(cache_dir, keep=path)
    return model, TrainInfo(
        path=path,
        fingerprint=key,
        trained=True,
        seconds=time.perf_counter() - started,
        examples=int(model.info["examples"]),
        intents=len(model.intents),
        method=model.info["method"],
    )


def _prune(cache_dir: Path, *, keep: Path) -> None:
    """Delete all but the ``KEEP_MODELS`` newest models (stale data versions pile up otherwise)."""
    models = sorted(
        (p for p in cache_dir.glob("nlu-model-*.npz") if p != keep),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for old in models[KEEP_MODELS - 1 :]:
        old.unlink(missing_ok=True)
