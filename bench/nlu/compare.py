"""Compare intent classifiers for the built-in NLU: cross-validation on nlu/data and held-out.

Run from the repository root: ``.venv/bin/python -m bench.nlu.compare``. Every method sees the
same text pipeline (entity placeholders, normalization) and is scored by 5-fold
cross-validated macro-F1 on the training data (the number used to choose: the held-out file
is reported too but must not steer the choice) and by macro-F1 per language on
nlu/heldout/test.yml. Prints a Markdown table.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

from nlu.cache import DEFAULT_DATA_DIR
from nlu.entities import EntityExtractor
from nlu.evaluation import intent_report
from nlu.features import FeatureConfig
from nlu.training import TrainingConfig, Vectorizer, classifier_text, make_learner
from nlu.training_data import load_training_data

HELDOUT = Path(__file__).resolve().parents[2] / "nlu" / "heldout" / "test.yml"


@dataclass(frozen=True)
class Method:
    name: str
    features: FeatureConfig
    make: Callable[[], Any]


def _complement_nb() -> Any:
    from sklearn.naive_bayes import ComplementNB

    return ComplementNB(alpha=0.3)


def _knn() -> Any:
    from sklearn.neighbors import KNeighborsClassifier

    return KNeighborsClassifier(n_neighbors=5, metric="cosine", weights="distance")


def methods() -> list[Method]:
    both = FeatureConfig()
    chars = FeatureConfig(use_words=False)
    words = FeatureConfig(use_chars=False)
    return [
        Method(
            "logreg C=10, words+chars (baseline)",
            both,
            lambda: make_learner(TrainingConfig(learner="logreg", c=10.0)),
        ),
        Method(
            "logreg C=10, chars only",
            chars,
            lambda: make_learner(TrainingConfig(learner="logreg", c=10.0)),
        ),
        Method(
            "linear SVM C=1, words+chars (chosen)",
            both,
            lambda: make_learner(TrainingConfig(learner="linear_svm", c=1.0)),
        ),
        Method(
            "linear SVM C=0.3, words+chars",
            both,
            lambda: make_learner(TrainingConfig(learner="linear_svm", c=0.3)),
        ),
        Method(
            "linear SVM C=1, words only",
            words,
            lambda: make_learner(TrainingConfig(learner="linear_svm", c=1.0)),
        ),
        Method(
            "SGD modified huber, words+chars",
            both,
            lambda: make_learner(TrainingConfig(learner="sgd", c=1.0)),
        ),
        Method("complement NB, words+chars", both, _complement_nb),
        Method("kNN k=5 cosine, words+chars", both, _knn),
    ]


def _macro_f1(truth: list[str], predicted: list[str]) -> float:
    return float(intent_report(truth, predicted)["macro_f1"])  # type: ignore[arg-type]


def run() -> list[dict[str, object]]:
    from sklearn.model_selection import StratifiedKFold

    extractor = EntityExtractor()
    train = load_training_data([DEFAULT_DATA_DIR]).examples
    test = load_training_data([HELDOUT]).examples
    train_texts = [classifier_text(e.text, extractor=extractor) for e in train]
    test_texts = [classifier_text(e.text, extractor=extractor) for e in test]
    labels = np.asarray([e.intent for e in train])
    rows: list[dict[str, object]] = []
    for method in methods():
        folds = StratifiedKFold(5, shuffle=True, random_state=0)
        predicted = np.empty(len(train), dtype=object)
        for fit_idx, val_idx in folds.split(train_texts, labels):
            vectorizer = Vectorizer.fit([train_texts[i] for i in fit_idx], method.features)
            model = method.make()
            model.fit(vectorizer.transform([train_texts[i] for i in fit_idx]), labels[fit_idx])
            predicted[val_idx] = model.predict(
                vectorizer.transform([train_texts[i] for i in val_idx])
            )
        cv = _macro_f1(labels.tolist(), predicted.tolist())
        started = time.perf_counter()
        vectorizer = Vectorizer.fit(train_texts, method.features)
        model = method.make()
        model.fit(vectorizer.transform(train_texts), labels)
        fit_s = time.perf_counter() - started
        guesses = model.predict(vectorizer.transform(test_texts)).tolist()
        row: dict[str, object] = {"method": method.name, "cv_macro_f1": cv, "fit_s": fit_s}
        for language in ("pt", "en"):
            idx = [i for i, e in enumerate(test) if e.language == language]
            row[f"heldout_{language}"] = _macro_f1(
                [test[i].intent for i in idx], [guesses[i] for i in idx]
            )
        rows.append(row)
        print(
            f"| {row['method']} | {cv:.3f} | {row['heldout_pt']:.3f} | {row['heldout_en']:.3f} "
            f"| {fit_s:.2f} |",
            flush=True,
        )
    return rows


def main() -> None:
    print("| method | CV macro-F1 (train, 5-fold) | held-out pt | held-out en | fit s |")
    print("| --- | --- | --- | --- | --- |")
    with threadpool_limits(limits=1):
        run()


if __name__ == "__main__":
    main()
