"""The trained built-in model: weights exported from scikit-learn, run with numpy only.

Inference needs no scikit-learn or scipy import (they cost ~60 MB and ~1 s to load): the model
is a vocabulary, IDF weights, a linear layer per intent with a softmax temperature fitted on
out-of-fold predictions (calibration), and a linear pt/en language classifier. It is stored
as one ``.npz`` file (no pickle) and is immutable once loaded, so threads can share it.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from nlu.errors import ModelError
from nlu.features import FeatureConfig, blocks

FloatArray = npt.NDArray[np.float32]

FORMAT_VERSION = 1


@dataclass(frozen=True, slots=True)
class Prediction:
    """Intent probabilities (aligned with ``IntentModel.intents``) and P(text is English)."""

    probabilities: FloatArray
    english: float
    known_features: int


@dataclass(frozen=True)
class IntentModel:
    intents: tuple[str, ...]
    vocabulary: dict[str, int]
    idf: FloatArray
    weights: FloatArray  # (n_features, n_intents)
    bias: FloatArray  # (n_intents,)
    temperature: float
    language_weights: FloatArray  # (n_features,), positive means English
    language_bias: float
    feature_config: FeatureConfig = field(default_factory=FeatureConfig)
    info: dict[str, str] = field(default_factory=dict)

    def vectorize(self, normalized: str) -> tuple[npt.NDArray[np.int64], FloatArray]:
        """Feature indices and TF-IDF values (same numbers as ``nlu.features.weighted``)."""
        vocabulary = self.vocabulary
        all_indices: list[npt.NDArray[np.int64]] = []
        all_values: list[FloatArray] = []
        for counts in blocks(normalized, self.feature_config):
            found: list[int] = []
            frequencies: list[int] = []
            for key, count in counts.items():
                index = vocabulary.get(key)
                if index is not None:
                    found.append(index)
                    frequencies.append(count)
            if not found:
                continue
            indices = np.array(found, dtype=np.int64)
            tf = np.array(frequencies, dtype=np.float32)
            values = (1.0 + np.log(tf)) * self.idf[indices]
            values /= np.sqrt(np.dot(values, values))
            all_indices.append(indices)
            all_values.append(values.astype(np.float32))
        if not all_indices:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        return np.concatenate(all_indices), np.concatenate(all_values)

    def predict(self, normalized: str) -> Prediction:
        indices, values = self.vectorize(normalized)
        logits = values @ self.weights[indices] + self.bias
        scaled = logits / self.temperature
        scaled = scaled - scaled.max()
        exp = np.exp(scaled)
        probabilities = (exp / exp.sum()).astype(np.float32)
        z = float(values @ self.language_weights[indices]) + self.language_bias
        english = 1.0 / (1.0 + np.exp(-z)) if indices.size else 0.0
        return Prediction(probabilities, float(english), int(indices.size))

    def save(self, path: Path) -> None:
        """Write atomically (temp file, then rename), so readers never see half a model."""
        features = sorted(self.vocabulary, key=self.vocabulary.__getitem__)
        meta = {
            "format": FORMAT_VERSION,
            "intents": list(self.intents),
            "temperature": self.temperature,
            "language_bias": self.language_bias,
            "feature_config": {
                "word_bigrams": self.feature_config.word_bigrams,
                "char_ngrams": list(self.feature_config.char_ngrams),
                "use_words": self.feature_config.use_words,
                "use_chars": self.feature_config.use_chars,
            },
            "info": self.info,
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as out:
                np.savez(
                    out,
                    features=np.asarray(features, dtype=np.str_),
                    idf=self.idf,
                    weights=self.weights,
                    bias=self.bias,
                    language_weights=self.language_weights,
                    meta=np.asarray(json.dumps(meta)),
                )
            os.replace(tmp, path)
        except OSError as exc:
            Path(tmp).unlink(missing_ok=True)
            raise ModelError(f"cannot write model {path}: {exc}") from exc

    @classmethod
    def load(cls, path: Path) -> IntentModel:
        try:
            with np.load(path, allow_pickle=False) as archive:
                meta = json.loads(str(archive["meta"]))
                features = archive["features"].tolist()
                idf = archive["idf"].astype(np.float32)
                weights = archive["weights"].astype(np.float32)
                bias = archive["bias"].astype(np.float32)
                language_weights = archive["language_weights"].astype(np.float32)
        except (OSError, ValueError, KeyError, json.JSONDecodeError) as exc:
            raise ModelError(f"cannot read model {path}: {exc}") from exc
        if meta.get("format") != FORMAT_VERSION:
            raise ModelError(f"model {path} has format {meta.get('format')}, need {FORMAT_VERSION}")
        config = meta["feature_config"]
        return cls(
            intents=tuple(meta["intents"]),
            vocabulary={f: i for i, f in enumerate(features)},
            idf=idf,
            weights=weights,
            bias=bias,
            temperature=float(meta["temperature"]),
            language_weights=language_weights,
            language_bias=float(meta["language_bias"]),
            feature_config=FeatureConfig(
                word_bigrams=bool(config["word_bigrams"]),
                char_ngrams=(int(config["char_ngrams"][0]), int(config["char_ngrams"][1])),
                use_words=bool(config["use_words"]),
                use_chars=bool(config["use_chars"]),
            ),
            info={str(k): str(v) for k, v in meta.get("info", {}).items()},
        )
