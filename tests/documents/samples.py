"""Synthetic samples and their readings, cached for the test session (OCR is the slow part)."""

from __future__ import annotations

from bench.ocr.synthetic import TODAY, Sample, make_sample
from bot.documents import Extraction, ReadOptions, read_document

# no wall-clock limit on Tesseract in tests: a loaded machine is slow, not wrong
UNTIMED = ReadOptions(today=TODAY, page_timeout=0)

_readings: dict[tuple[str, str, int], tuple[Sample, Extraction]] = {}


def reading(kind: str, set_name: str, seed: int) -> tuple[Sample, Extraction]:
    key = (kind, set_name, seed)
    if key not in _readings:
        sample = make_sample(kind, set_name, seed=seed)
        _readings[key] = (sample, read_document(sample.data, options=UNTIMED))
    return _readings[key]


def exact_share(sample: Sample, extraction: Extraction) -> float:
    names = set(sample.truth) | set(extraction.fields)
    right = sum(extraction.fields.get(n) == sample.truth.get(n) for n in names)
    return right / len(names)


def confident_wrong(sample: Sample, extraction: Extraction) -> list[str]:
    return [
        f"{sample.name} {name}: {value!r} != {sample.truth.get(name)!r}"
        for name, value in extraction.fields.items()
        if extraction.confidence[name] >= 0.9 and sample.truth.get(name) != value
    ]


_drawn_readings: dict[tuple[str, str, str, int], tuple[Sample, Extraction]] = {}


def drawn_reading(
    kind: str, *, family: str = "tuning", level: str = "clean", seed: int = 1000
) -> tuple[Sample, Extraction]:
    """A document of the drawing families (``bench.ocr.synthetic.draw_sample``) and its
    reading, cached for the session. Tune on ``family="tuning"`` only."""
    from bench.ocr.synthetic import draw_sample

    key = (kind, family, level, seed)
    if key not in _drawn_readings:
        sample = draw_sample(kind, seed=seed, family=family, level=level)
        _drawn_readings[key] = (sample, read_document(sample.data, options=UNTIMED))
    return _drawn_readings[key]
