"""OCR benchmark: accuracy, confidence honesty and speed on synthetic documents.

    python -m bench.ocr.run                  # the five sets, 10 documents per kind each
    python -m bench.ocr.run --count 4 --compare   # smaller, plus the preprocessing comparison

Runs on one core (OMP_THREAD_LIMIT=1, documents one after another). Per set it prints: share
of fields exact, share of confident (>= 0.9) fields that are right, share of fields flagged
(uncertain or missing) and of documents refused with a tip, p50/p95 seconds per document, both
wall-clock and CPU (this process plus its Tesseract children: the one-core cost, unaffected by
other load on a shared machine).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from bench.ocr.synthetic import SETS, TODAY, Sample, make_set
from bot.documents.imaging import Preprocessing
from bot.documents.reading import ReadOptions, read_document

TARGETS = {"pdf": 1.0, "clean": 0.99, "moderate": 0.90, "heavy": 0.0, "rotated": 0.90}


@dataclass
class Tally:
    fields: int = 0
    exact: int = 0
    confident: int = 0
    confident_right: int = 0
    flagged: int = 0
    refused: int = 0
    documents: int = 0
    seconds: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)  # this process + Tesseract children
    wrong_confident: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)

    def add(self, sample: Sample, result: dict[str, object], seconds: float, *,
            cpu: float, refused: bool) -> None:
        fields = result["fields"]
        confidence = result["confidence"]
        assert isinstance(fields, dict) and isinstance(confidence, dict)
        self.documents += 1
        self.refused += refused
        self.seconds.append(seconds)
        self.cpu.append(cpu)
        for name in set(sample.truth) | set(fields):
            expected, got = sample.truth.get(name), fields.get(name)
            self.fields += 1
            right = got == expected
            self.exact += right
            sure = confidence.get(name, 0.0) >= 0.9
            self.confident += sure
            self.confident_right += sure and right
            self.flagged += not sure
            if not right:
                line = f"{sample.name} {name}: {got!r} != {expected!r}"
                (self.wrong_confident if sure else self.wrong).append(line)

    def summary(self) -> dict[str, float]:
        ordered = sorted(self.seconds)
        cpu = sorted(self.cpu)
        at95 = min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))
        return {
            "documents": self.documents,
            "fields": self.fields,
            "exact": round(self.exact / max(self.fields, 1), 4),
            "confident_right": round(self.confident_right / max(self.confident, 1), 4),
            "confident_share": round(self.confident / max(self.fields, 1), 4),
            "flagged": round(self.flagged / max(self.fields, 1), 4),
            "refused_documents": round(self.refused / max(self.documents, 1), 4),
            "p50_s": round(statistics.median(ordered), 2),
            "p95_s": round(ordered[at95], 2),
            "p50_cpu_s": round(statistics.median(cpu), 2),
            "p95_cpu_s": round(cpu[at95], 2),
        }


def evaluate(samples: list[Sample], options: ReadOptions) -> Tally:
    tally = Tally()
    for sample in samples:
        before, start = os.times(), time.perf_counter()
        extraction = read_document(sample.data, kind="auto", options=options)
        elapsed = time.perf_counter() - start
        after = os.times()
        cpu = (after.user + after.system + after.children_user + after.children_system) - (
            before.user + before.system + before.children_user + before.children_system)
        tally.add(sample, extraction.to_json(), elapsed, cpu=cpu,
                  refused=extraction.source == "none")
    return tally


VARIANTS: dict[str, Preprocessing] = {
    "raw (grey only)": Preprocessing(illumination=False, deskew=False, rescale=False,
                                     binarize="none", remove_rules=False),
    "+illumination": Preprocessing(deskew=False, rescale=False, binarize="none",
                                   remove_rules=False),
    "+deskew": Preprocessing(rescale=False, binarize="none", remove_rules=False),
    "+rescale": Preprocessing(binarize="none", remove_rules=False),
    "+rules removed": Preprocessing(binarize="none"),
    "+otsu (chosen)": Preprocessing(),
    "sauvola instead of otsu": Preprocessing(binarize="sauvola"),
    "letters 22 px": Preprocessing(target_height=22.0),
    "letters 38 px": Preprocessing(target_height=38.0),
}


def compare(samples: list[Sample], base: ReadOptions) -> dict[str, dict[str, float]]:
    """Field accuracy and time of each preprocessing variant and page-segmentation mode."""
    rows: dict[str, dict[str, float]] = {}
    for name, prep in VARIANTS.items():
        rows[name] = evaluate(samples, replace(base, preprocessing=prep)).summary()
        print(f"  {name:28s} {rows[name]}", flush=True)
    for psm in (3, 4, 6, 12):
        rows[f"psm {psm}"] = evaluate(samples, replace(base, psm=psm)).summary()
        print(f"  psm {psm:<24d} {rows[f'psm {psm}']}", flush=True)
    rows["no second read"] = evaluate(samples, replace(base, verify=False)).summary()
    print(f"  {'no second read':28s} {rows['no second read']}", flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10, help="documents per kind and set")
    parser.add_argument("--seed", type=int, default=1000)
    parser.add_argument("--sets", default=",".join(SETS), help="comma-separated; '' for none")
    parser.add_argument("--compare", action="store_true",
                        help="also compare preprocessing variants on the moderate set")
    parser.add_argument("--no-orient", action="store_true",
                        help="do not turn sideways or upside-down photos (the old pipeline)")
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    parser.add_argument("--verbose", action="store_true", help="list every field not exact")
    args = parser.parse_args()
    os.environ["OMP_THREAD_LIMIT"] = "1"  # one core, as the targets are stated
    options = ReadOptions(today=TODAY, orient=not args.no_orient)
    report: dict[str, object] = {}
    for set_name in [name for name in args.sets.split(",") if name]:
        samples = make_set(set_name, count=args.count, seed=args.seed)
        tally = evaluate(samples, options)
        summary = tally.summary()
        report[set_name] = summary
        target = TARGETS[set_name]
        verdict = "ok" if summary["exact"] >= target and summary["confident_right"] >= 0.98 \
            else "BELOW TARGET"
        print(f"{set_name:9s} {summary}  target exact>={target} confident_right>=0.98: "
              f"{verdict}", flush=True)
        for line in tally.wrong_confident:
            print(f"    confident but wrong: {line}")
        if args.verbose:
            for line in tally.wrong:
                print(f"    flagged or missing: {line}")
    if args.compare:
        print("preprocessing comparison (moderate set):")
        samples = make_set("moderate", count=max(args.count // 2, 2), seed=args.seed + 500)
        report["comparison"] = compare(samples, options)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
