"""Sparse text features for the intent and language classifiers, in plain Python.

The same code featurizes at training time (feeding scikit-learn) and at inference time (feeding
numpy weights), so the two can never drift apart. Two blocks, each TF-IDF weighted with
sub-linear term frequency and L2-normalized on its own, like a scikit-learn ``FeatureUnion``
of a word and a ``char_wb`` ``TfidfVectorizer``:

- words: unigrams and bigrams of normalized tokens (``w:`` and ``b:`` keys);
- characters: 2- to 5-grams inside each token padded with spaces (``c:`` keys).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Protocol

from nlu.normalization import tokens

CHAR_NGRAMS = (2, 5)
# Longer "words" (pasted hashes, URLs, key mashing) add cost and no signal.
MAX_CHAR_WORD = 30


class Weights(Protocol):
    """Anything indexable by feature number: a list or a numpy array of IDF weights."""

    def __getitem__(self, index: int, /) -> float: ...


@dataclass(frozen=True, slots=True)
class FeatureConfig:
    word_bigrams: bool = True
    char_ngrams: tuple[int, int] = CHAR_NGRAMS
    use_words: bool = True
    use_chars: bool = True


def word_features(normalized: str, config: FeatureConfig) -> Counter[str]:
    words = tokens(normalized)
    counts: Counter[str] = Counter(f"w:{w}" for w in words)
    if config.word_bigrams:
        padded = ["<s>", *words, "</s>"]
        counts.update(f"b:{a} {b}" for a, b in zip(padded, padded[1:], strict=False))
    return counts


def char_features(normalized: str, config: FeatureConfig) -> Counter[str]:
    low, high = config.char_ngrams
    grams: list[str] = []
    for word in tokens(normalized):
        padded = f" {word[:MAX_CHAR_WORD]} "
        size = len(padded)
        for n in range(low, min(high, size) + 1):
            grams.extend(["c:" + padded[i : i + n] for i in range(size - n + 1)])
    return Counter(grams)


def blocks(normalized: str, config: FeatureConfig) -> list[Counter[str]]:
    """The raw count blocks of one normalized text (each weighted and normalized separately)."""
    out: list[Counter[str]] = []
    if config.use_words:
        out.append(word_features(normalized, config))
    if config.use_chars:
        out.append(char_features(normalized, config))
    return out


def weighted(
    counts: Counter[str], *, vocabulary: dict[str, int], idf: Weights | None
) -> dict[int, float]:
    """Sub-linear TF times IDF over known features, L2-normalized; unknown features dropped."""
    vector: dict[int, float] = {}
    for key, count in counts.items():
        index = vocabulary.get(key)
        if index is None:
            continue
        weight = 1.0 + math.log(count)
        vector[index] = weight * (idf[index] if idf is not None else 1.0)
    norm = math.sqrt(sum(v * v for v in vector.values()))
    if norm > 0:
        for index in vector:
            vector[index] /= norm
    return vector
