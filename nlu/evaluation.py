"""Evaluation on a Rasa NLU YAML file, reported like ``rasa test nlu``.

Intents: accuracy, macro- and weighted-F1, per-intent precision/recall/F1/support, the most
frequent confusions, and the same split by language (the example's ``metadata.language``,
else the language the interpreter detected). Entities: per type precision/recall/F1. A
predicted entity matches an annotated one of the same type when the spans overlap and, for
identifiers, the normalized values agree (the annotation's explicit ``value``, else the
annotated text normalized the canonical way: digits, upper case, lower case, E.164). Dates and
times are matched on spans only, since their values depend on the day of the run.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path

import phonenumbers

from nlu.training_data import AnnotatedEntity, Example, load_training_data
from nlu.types import Entity, Interpreter, NLUResult

MAX_ERRORS = 50
TOP_CONFUSIONS = 15
# A fixed instant keeps reports reproducible.
EVALUATION_NOW = datetime(2026, 3, 4, 10, 0)


def canonical_value(entity: str, text: str) -> str | None:
    """The normalized value of an annotated identifier, or None when it cannot be compared."""
    if entity == "cnpj":
        return re.sub(r"[^0-9A-Za-z]", "", text).upper()
    if entity in ("cpf", "cep"):
        return re.sub(r"\D", "", text)
    if entity == "email":
        return text.strip().lower()
    if entity == "phone":
        try:
            number = phonenumbers.parse(text, "BR")
        except phonenumbers.NumberParseException:
            return None
        if not phonenumbers.is_valid_number(number):
            digits = re.sub(r"\D", "", text)
            if len(digits) >= 10:  # a mobile written without its ninth digit
                try:
                    number = phonenumbers.parse(f"+55{digits[-10:-8]}9{digits[-8:]}", None)
                except phonenumbers.NumberParseException:
                    return None
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return None


def _prf(tp: int, fp: int, *, fn: int) -> dict[str, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


def intent_report(truth: Sequence[str], predicted: Sequence[str]) -> dict[str, object]:
    """Accuracy, macro/weighted F1 and per-intent scores (labels of truth and predictions,
    as scikit-learn's ``classification_report`` counts them)."""
    labels = sorted(set(truth) | set(predicted))
    per_intent: dict[str, dict[str, float]] = {}
    f1s: list[float] = []
    weighted = 0.0
    for label in labels:
        tp = sum(1 for t, p in zip(truth, predicted, strict=True) if t == label and p == label)
        fp = sum(1 for t, p in zip(truth, predicted, strict=True) if t != label and p == label)
        fn = sum(1 for t, p in zip(truth, predicted, strict=True) if t == label and p != label)
        scores = _prf(tp, fp, fn=fn)
        support = tp + fn
        per_intent[label] = {**scores, "support": support}
        f1s.append(scores["f1"])
        weighted += scores["f1"] * support
    total = len(truth)
    correct = sum(1 for t, p in zip(truth, predicted, strict=True) if t == p)
    return {
        "examples": total,
        "accuracy": round(correct / total, 4) if total else 0.0,
        "macro_f1": round(sum(f1s) / len(f1s), 4) if f1s else 0.0,
        "weighted_f1": round(weighted / total, 4) if total else 0.0,
        "intents": per_intent,
    }


def _matches(gold: AnnotatedEntity, found: Entity) -> bool:
    if gold.entity != found.entity or not (found.start < gold.end and gold.start < found.end):
        return False
    expected = gold.value if gold.value is not None else canonical_value(gold.entity, gold.text)
    return expected is None or expected == found.value


def entity_report(
    pairs: Iterable[tuple[Example, NLUResult]], *, types: Iterable[str] = ()
) -> dict[str, dict[str, float]]:
    """Per entity type precision/recall/F1 with support and counts."""
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for example, result in pairs:
        unmatched = list(result.entities)
        for gold in example.entities:
            hit = next((f for f in unmatched if _matches(gold, f)), None)
            if hit is None:
                fn[gold.entity] += 1
            else:
                tp[gold.entity] += 1
                unmatched.remove(hit)
        for found in unmatched:
            fp[found.entity] += 1
    report: dict[str, dict[str, float]] = {}
    for name in sorted(set(tp) | set(fp) | set(fn) | set(types)):
        report[name] = {
            **_prf(tp[name], fp[name], fn=fn[name]),
            "support": tp[name] + fn[name],
            "tp": tp[name],
            "fp": fp[name],
            "fn": fn[name],
        }
    return report


def evaluate_examples(
    interpreter: Interpreter, examples: Sequence[Example], *, now: datetime | None = None
) -> dict[str, object]:
    moment = now or EVALUATION_NOW
    results = [interpreter.parse(e.text, now=moment) for e in examples]
    truth = [e.intent for e in examples]
    predicted = [r.intent.name for r in results]
    report = intent_report(truth, predicted)
    languages: dict[str, object] = {}
    by_language: dict[str, list[int]] = {}
    for index, (example, result) in enumerate(zip(examples, results, strict=True)):
        by_language.setdefault(example.language or result.language, []).append(index)
    for language, indices in sorted(by_language.items()):
        sub = intent_report([truth[i] for i in indices], [predicted[i] for i in indices])
        sub.pop("intents")
        languages[language] = sub
    confusions = Counter((t, p) for t, p in zip(truth, predicted, strict=True) if t != p)
    errors = [
        {
            "text": e.text,
            "intent": e.intent,
            "predicted": r.intent.name,
            "confidence": round(r.intent.confidence, 4),
        }
        for e, r in zip(examples, results, strict=True)
        if e.intent != r.intent.name
    ]
    return {
        **report,
        "languages": languages,
        "entities": entity_report(zip(examples, results, strict=True)),
        "confusions": [
            {"intent": t, "predicted": p, "count": n}
            for (t, p), n in confusions.most_common(TOP_CONFUSIONS)
        ],
        "errors": errors[:MAX_ERRORS],
    }


def evaluate(
    interpreter: Interpreter, path: Path | str, *, now: datetime | None = None
) -> dict[str, object]:
    """Evaluate ``interpreter`` on a Rasa NLU YAML file (or a directory of them)."""
    examples = load_training_data([Path(path)]).examples
    report = evaluate_examples(interpreter, examples, now=now)
    return {"file": str(path), **report}
