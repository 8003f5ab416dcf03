"""Tallies of a reader's results against ground truth, and the targets of issue #16.

Per group of documents (a kind at a level, or a legacy set): fields exact, how many of the
correct fields were confident (>= 0.9), confident fields that were wrong, fields flagged,
documents refused or classed as another kind, seconds per document (wall and CPU) and CPU
seconds per page (a contract is 1-3 pages; the target is per page).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

from bench.ocr.synthetic import Sample

ASSERTED = 0.9
# issue #16: fields exact per level, confident-and-wrong at most 1%, p50 CPU per page
TARGET_EXACT = {"pdf": 0.99, "clean": 0.99, "moderate": 0.92, "heavy": 0.92}
TARGET_CONFIDENT_WRONG = 0.01
TARGET_P50_S = 1.5


@dataclass
class Tally:
    fields: int = 0
    exact: int = 0
    confident: int = 0
    confident_right: int = 0
    flagged: int = 0
    refused: int = 0
    kind_wrong: int = 0
    documents: int = 0
    seconds: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)  # this process + Tesseract children
    cpu_page: list[float] = field(default_factory=list)  # the same over the document's pages
    wrong_confident: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)

    def add(
        self,
        sample: Sample,
        result: dict[str, object],
        *,
        seconds: float,
        cpu: float,
        refused: bool,
        pages: int = 1,
    ) -> None:
        """Count one document's reading (``result`` is SPEC's JSON of the extraction)."""
        fields = result["fields"]
        confidence = result["confidence"]
        assert isinstance(fields, dict) and isinstance(confidence, dict)
        self.documents += 1
        self.refused += refused
        self.kind_wrong += result.get("kind") != sample.kind
        self.seconds.append(seconds)
        self.cpu.append(cpu)
        self.cpu_page.append(cpu / max(pages, 1))
        for name in set(sample.truth) | set(fields):
            expected, got = sample.truth.get(name), fields.get(name)
            self.fields += 1
            right = got == expected
            self.exact += right
            sure = confidence.get(name, 0.0) >= ASSERTED
            self.confident += sure
            self.confident_right += sure and right
            self.flagged += not sure
            if not right:
                line = f"{sample.name} {name}: {got!r} != {expected!r}"
                (self.wrong_confident if sure else self.wrong).append(line)

    def merge(self, other: Tally) -> None:
        for name in (
            "fields",
            "exact",
            "confident",
            "confident_right",
            "flagged",
            "refused",
            "kind_wrong",
            "documents",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.seconds += other.seconds
        self.cpu += other.cpu
        self.cpu_page += other.cpu_page
        self.wrong_confident += other.wrong_confident
        self.wrong += other.wrong

    def summary(self) -> dict[str, float]:
        ordered = sorted(self.seconds) or [0.0]
        cpu = sorted(self.cpu) or [0.0]
        cpu_page = sorted(self.cpu_page) or [0.0]
        at95 = min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))
        confident_wrong = self.confident - self.confident_right
        return {
            "documents": self.documents,
            "fields": self.fields,
            "exact": round(self.exact / max(self.fields, 1), 4),
            "confident_right": round(self.confident_right / max(self.confident, 1), 4),
            "confident_share": round(self.confident / max(self.fields, 1), 4),
            "correct_confident": round(self.confident_right / max(self.exact, 1), 4),
            "confident_wrong": confident_wrong,
            "confident_wrong_share": round(confident_wrong / max(self.confident, 1), 4),
            "flagged": round(self.flagged / max(self.fields, 1), 4),
            "refused_documents": round(self.refused / max(self.documents, 1), 4),
            "kind_wrong": self.kind_wrong,
            "p50_s": round(statistics.median(ordered), 2),
            "p95_s": round(ordered[at95], 2),
            "p50_cpu_s": round(statistics.median(cpu), 2),
            "p95_cpu_s": round(cpu[at95], 2),
            "p50_cpu_page_s": round(statistics.median(cpu_page), 2),
        }


def verdict(level: str, summary: dict[str, float]) -> str:
    """ "ok" or what misses issue #16's targets for a level."""
    misses = []
    if summary["exact"] < TARGET_EXACT.get(level, 0.0):
        misses.append(f"exact<{TARGET_EXACT[level]}")
    if summary["confident_wrong_share"] > TARGET_CONFIDENT_WRONG:
        misses.append("confident-wrong>1%")
    if summary.get("p50_cpu_page_s", summary["p50_cpu_s"]) > TARGET_P50_S:
        misses.append(f"p50cpu>{TARGET_P50_S}s")
    return "ok" if not misses else "MISS " + ",".join(misses)
