"""Training the built-in model from Rasa NLU data with scikit-learn (imported only here).

Pipeline: entity spans replaced by placeholders, text normalized, word and character n-gram
TF-IDF features (``nlu.features``), a linear classifier, then a softmax temperature fitted on
out-of-fold scores so that confidences are calibrated. A second linear model learns pt vs en
from the ``metadata: {language: ...}`` labels of the data. The winning learner was chosen by
``bench/nlu/compare.py`` (see bench/nlu/README.md).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt

from nlu.entities import EntityExtractor
from nlu.errors import ModelError
from nlu.features import FeatureConfig, blocks, weighted
from nlu.model import IntentModel
from nlu.normalization import normalize
from nlu.training_data import Example, TrainingData

LEARNERS = ("logreg", "linear_svm", "sgd")
# Placeholders only need entity spans, not values: any fixed instant will do.
_TRAINING_NOW = datetime(2026, 1, 5, 12, 0)


@dataclass(frozen=True, slots=True)
class TrainingConfig:
    learner: str = "linear_svm"
    c: float = 1.0
    features: FeatureConfig = field(default_factory=FeatureConfig)
    min_df: int = 1
    calibration_folds: int = 5
    seed: int = 0

    def describe(self) -> str:
        f = self.features
        return (
            f"{self.learner} C={self.c} words={f.use_words} bigrams={f.word_bigrams} "
            f"chars={f.use_chars}{list(f.char_ngrams)} min_df={self.min_df}"
        )


@dataclass(frozen=True, slots=True)
class Vectorizer:
    """Vocabulary and IDF fitted on training texts; turns normalized texts into a CSR matrix."""

    vocabulary: dict[str, int]
    idf: npt.NDArray[np.float32]
    config: FeatureConfig

    @classmethod
    def fit(cls, texts: Sequence[str], config: FeatureConfig, *, min_df: int = 1) -> Vectorizer:
        document_frequency: Counter[str] = Counter()
        for text in texts:
            for block in blocks(text, config):
                document_frequency.update(block.keys())
        kept = sorted(k for k, df in document_frequency.items() if df >= min_df)
        n = len(texts)
        idf = np.asarray(
            [math.log((1 + n) / (1 + document_frequency[k])) + 1.0 for k in kept],
            dtype=np.float32,
        )
        return cls({k: i for i, k in enumerate(kept)}, idf, config)

    def transform(self, texts: Sequence[str]) -> Any:
        from scipy.sparse import csr_matrix

        rows: list[int] = []
        cols: list[int] = []
        vals: list[float] = []
        idf = self.idf.tolist()
        for row, text in enumerate(texts):
            for block in blocks(text, self.config):
                for col, value in weighted(block, vocabulary=self.vocabulary, idf=idf).items():
                    rows.append(row)
                    cols.append(col)
                    vals.append(value)
        return csr_matrix(
            (np.asarray(vals, dtype=np.float64), (rows, cols)),
            shape=(len(texts), len(self.vocabulary)),
        )


def classifier_text(text: str, *, extractor: EntityExtractor, now: datetime | None = None) -> str:
    """What the classifier sees: ``text`` normalized, its entities replaced by placeholders."""
    spans = extractor.candidates(text, now=now or _TRAINING_NOW)
    return normalize(text, placeholders=[(c.start, c.end, c.entity) for c in spans])


def make_learner(config: TrainingConfig) -> Any:
    """A fresh scikit-learn linear classifier for ``config.learner``."""
    if config.learner == "logreg":
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(C=config.c, max_iter=3000, class_weight="balanced")
    if config.learner == "linear_svm":
        from sklearn.svm import LinearSVC

        return LinearSVC(C=config.c, class_weight="balanced", random_state=config.seed)
    if config.learner == "sgd":
        from sklearn.linear_model import SGDClassifier

        return SGDClassifier(
            loss="modified_huber",
            alpha=1e-5 / config.c,
            max_iter=50,
            class_weight="balanced",
            random_state=config.seed,
        )
    raise ModelError(f"unknown learner {config.learner!r}; choose one of {', '.join(LEARNERS)}")


def fit_temperature(scores: npt.NDArray[np.float64], labels: npt.NDArray[np.int64]) -> float:
    """The softmax temperature minimizing the log loss of out-of-fold ``scores``."""
    from scipy.optimize import minimize_scalar

    def loss(log_t: float) -> float:
        scaled = scores / math.exp(log_t)
        scaled = scaled - scaled.max(axis=1, keepdims=True)
        log_norm = np.log(np.exp(scaled).sum(axis=1))
        return float(np.mean(log_norm - scaled[np.arange(len(labels)), labels]))

    result = minimize_scalar(loss, bounds=(math.log(0.01), math.log(100.0)), method="bounded")
    return float(math.exp(result.x))


def out_of_fold_scores(
    matrix: Any, labels: npt.NDArray[np.int64], *, config: TrainingConfig
) -> npt.NDArray[np.float64]:
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    folds = StratifiedKFold(config.calibration_folds, shuffle=True, random_state=config.seed)
    scores = cross_val_predict(
        make_learner(config), matrix, labels, cv=folds, method="decision_function"
    )
    scores = np.asarray(scores, dtype=np.float64)
    if scores.ndim == 1:  # two intents: one margin, as the logits (-m/2, m/2)
        scores = np.column_stack([-scores / 2, scores / 2])
    return scores


def _language_model(
    matrix: Any, examples: Sequence[Example], *, size: int
) -> tuple[npt.NDArray[np.float32], float]:
    from sklearn.linear_model import LogisticRegression

    labelled = [i for i, e in enumerate(examples) if e.language in ("pt", "en")]
    targets = np.asarray([examples[i].language == "en" for i in labelled], dtype=np.int64)
    if len(set(targets.tolist())) < 2:
        return np.zeros(size, dtype=np.float32), -5.0  # everything reads as Portuguese
    model = LogisticRegression(C=10.0, max_iter=2000, class_weight="balanced")
    model.fit(matrix[labelled], targets)
    return model.coef_[0].astype(np.float32), float(model.intercept_[0])


def train_model(
    data: TrainingData,
    *,
    extractor: EntityExtractor,
    config: TrainingConfig | None = None,
    info: dict[str, str] | None = None,
) -> IntentModel:
    """Fit the intent and language classifiers on every example of ``data``."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):  # the machine is shared; one BLAS thread is faster here
        return _train(data, extractor=extractor, config=config or TrainingConfig(), info=info)


def _train(
    data: TrainingData,
    *,
    extractor: EntityExtractor,
    config: TrainingConfig,
    info: dict[str, str] | None,
) -> IntentModel:
    examples = data.examples
    intents = tuple(sorted({e.intent for e in examples}))
    if len(intents) < 2:
        raise ModelError("training data needs at least two intents")
    texts = [classifier_text(e.text, extractor=extractor) for e in examples]
    vectorizer = Vectorizer.fit(texts, config.features, min_df=config.min_df)
    matrix = vectorizer.transform(texts)
    labels = np.asarray([intents.index(e.intent) for e in examples], dtype=np.int64)

    temperature = fit_temperature(out_of_fold_scores(matrix, labels, config=config), labels)
    learner = make_learner(config)
    learner.fit(matrix, labels)
    coef = np.asarray(learner.coef_, dtype=np.float32)
    bias = np.asarray(learner.intercept_, dtype=np.float32)
    if coef.shape[0] == 1:  # two intents: see out_of_fold_scores
        coef, bias = np.vstack([-coef / 2, coef / 2]), np.concatenate([-bias / 2, bias / 2])
    language_weights, language_bias = _language_model(matrix, examples, size=len(vectorizer.idf))
    return IntentModel(
        intents=intents,
        vocabulary=vectorizer.vocabulary,
        idf=vectorizer.idf,
        weights=np.ascontiguousarray(coef.T),
        bias=bias,
        temperature=temperature,
        language_weights=language_weights,
        language_bias=language_bias,
        feature_config=config.features,
        info={"method": config.describe(), "examples": str(len(examples)), **(info or {})},
    )
