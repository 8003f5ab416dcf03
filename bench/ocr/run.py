"""OCR benchmark: accuracy, confidence honesty and speed on synthetic documents.

    python -m bench.ocr.run --family tuning --count 6     # every kind x level of a family
    python -m bench.ocr.run --family heldout --count 6 --levels clean,moderate --kinds cnh,rg
    python -m bench.ocr.run --family fresh --count 4     # the family nobody tunes on (its fonts)
    python -m bench.ocr.run --family wide --count 4      # as wide as fresh, to tune on (its fonts)
    python -m bench.ocr.run --family tuning --camera fresh --levels moderate,heavy  # harsher phone
    python -m bench.ocr.run --family tuning --unusable --count 3   # photos to refuse
    python -m bench.ocr.run --sets pdf,clean,moderate,heavy,rotated   # the legacy sets
    python -m bench.ocr.run --sets moderate --count 4 --compare   # plus preprocessing variants

With ``--family`` it prints one row per kind x level (fields exact, correct fields that were
confident, confident fields that were wrong, refusals, documents classed as another kind, p50/
p95 seconds wall and CPU) and the targets of issue #16 per level. The legacy sets run as before.
Runs on one core (OMP_THREAD_LIMIT=1, documents one after another). Per set it prints: share
of fields exact, share of confident (>= 0.9) fields that are right, share of fields flagged
(uncertain or missing) and of documents refused with a tip, p50/p95 seconds per document, both
wall-clock and CPU (this process plus its Tesseract children: the one-core cost, unaffected by
other load on a shared machine).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pypdfium2

from bench.ocr.camera import DEFECTS
from bench.ocr.families import FAMILIES, family
from bench.ocr.render import FontMissing, check_fonts
from bench.ocr.scoring import Tally, verdict
from bench.ocr.synthetic import (
    ALL_KINDS,
    FIXED_SEED,
    LEVELS,
    SETS,
    TODAY,
    Sample,
    draw_sample,
    draw_unusable,
    make_set,
)
from bot.documents.imaging import Preprocessing
from bot.documents.reading import Extraction, ReadOptions, read_document

TARGETS = {"pdf": 1.0, "clean": 0.99, "moderate": 0.90, "heavy": 0.0, "rotated": 0.90}


def _read(sample: Sample, options: ReadOptions) -> tuple[Extraction, float, float]:
    before, start = os.times(), time.perf_counter()
    extraction = read_document(sample.data, kind="auto", options=options)
    elapsed = time.perf_counter() - start
    after = os.times()
    cpu = (after.user + after.system + after.children_user + after.children_system) - (
        before.user + before.system + before.children_user + before.children_system
    )
    return extraction, elapsed, cpu


def intake_check() -> Callable[[bytes], str] | None:
    """The intake's photo check, when the reader under test has one (issue #16 added it).

    Returns a function giving the refusal's code for a photo ("" when it is let through), so
    the bench meets a photo as a client's does: refused at intake, or read.
    """
    try:
        intake = importlib.import_module("bot.documents.intake")
        errors = importlib.import_module("bot.documents.errors")
    except ImportError:
        return None
    check = getattr(intake, "check_photo", None)
    rejected = getattr(errors, "DocumentRejected", None)
    if check is None or rejected is None:
        return None

    def refusal(data: bytes) -> str:
        try:
            check(data)
        except rejected as exc:
            return str(getattr(exc, "code", "refused"))
        return ""

    return refusal


def pages_of(sample: Sample) -> int:
    """How many pages the document has: a PDF's count, one for a photo or scan."""
    if sample.mime != "application/pdf":
        return 1
    doc = pypdfium2.PdfDocument(sample.data)
    try:
        return len(doc)
    finally:
        doc.close()


def evaluate(samples: list[Sample], options: ReadOptions) -> Tally:
    tally = Tally()
    check = intake_check()
    for sample in samples:
        if check is not None and sample.mime != "application/pdf":
            before, start = os.times(), time.perf_counter()
            code = check(sample.data)
            if code:  # refused at intake: nothing read, every field missing
                after = os.times()
                tally.add(
                    sample,
                    {"kind": sample.kind, "fields": {}, "confidence": {}},
                    seconds=time.perf_counter() - start,
                    cpu=after.user + after.system - before.user - before.system,
                    refused=True,
                )
                tally.wrong.append(f"{sample.name}: refused at intake ({code})")
                continue
        extraction, elapsed, cpu = _read(sample, options)
        tally.add(
            sample,
            extraction.to_json(),
            seconds=elapsed,
            cpu=cpu,
            refused=extraction.source == "none",
            pages=pages_of(sample),
        )
    return tally


VARIANTS: dict[str, Preprocessing] = {
    "raw (grey only)": Preprocessing(
        illumination=False, deskew=False, rescale=False, binarize="none", remove_rules=False
    ),
    "+illumination": Preprocessing(
        deskew=False, rescale=False, binarize="none", remove_rules=False
    ),
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


ROW = (
    "| {family} | {kind} | {level} | {documents} | {exact:.1%} | {correct_confident:.1%} | "
    "{confident_wrong} ({confident_wrong_share:.1%}) | {refused_documents:.0%} | {kind_wrong} | "
    "{p50_s:.2f} / {p95_s:.2f} | {p50_cpu_s:.2f} / {p95_cpu_s:.2f} | {p50_cpu_page_s:.2f} | "
    "{verdict} |"
)
HEADER = (
    "| family | kind | level | docs | fields exact | correct & confident | confident wrong | "
    "refused | other kind | p50 / p95 s (wall) | p50 / p95 s (CPU) | p50 s CPU per page | "
    "targets |\n"
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
)


def run_family(args: argparse.Namespace, options: ReadOptions) -> dict[str, object]:
    """Every kind x level of one family's fixed set; rows as a markdown table."""
    report: dict[str, object] = {}
    rows = [HEADER]
    kinds = [k for k in args.kinds.split(",") if k]
    base = FIXED_SEED[args.family]
    for level in [name for name in args.levels.split(",") if name]:
        overall = Tally()
        for kind in kinds:
            samples = [
                draw_sample(
                    kind, seed=base + i, family=args.family, level=level, camera=args.camera
                )
                for i in range(args.count)
            ]
            tally = evaluate(samples, options)
            overall.merge(tally)
            summary = tally.summary()
            report[f"{kind}/{level}"] = summary
            rows.append(
                ROW.format(
                    family=args.family + (f" ({args.camera}'s camera)" if args.camera else ""),
                    kind=kind,
                    level=level,
                    verdict=verdict(level, summary),
                    **summary,
                )
            )
            print(rows[-1], flush=True)
            for line in tally.wrong_confident:
                print(f"    confident but wrong: {line}")
            if args.verbose:
                for line in tally.wrong:
                    print(f"    flagged or missing: {line}")
        summary = overall.summary()
        report[f"all/{level}"] = summary
        rows.append(
            ROW.format(
                family=args.family + (f" ({args.camera}'s camera)" if args.camera else ""),
                kind="**all**",
                level=level,
                verdict=verdict(level, summary),
                **summary,
            )
        )
        print(rows[-1], flush=True)
    print("\n".join(rows))
    return report


def run_unusable(args: argparse.Namespace, options: ReadOptions) -> dict[str, object]:
    """Photos to refuse: per defect, how many the reader refused (and with which tip)."""
    report: dict[str, object] = {}
    kinds = [k for k in args.kinds.split(",") if k and k != "contrato_social"]
    base = FIXED_SEED[args.family]
    check = intake_check()
    print(
        "| family | defect | photos | refused | reasons (intake code, or the reader's tip) |\n"
        "| --- | --- | --- | --- | --- |"
    )
    for defect in DEFECTS:
        refused, tips = 0, set()
        samples = [
            draw_unusable(kind, seed=base + i, family=args.family, defect=defect)
            for i in range(args.count)
            for kind in kinds
        ]
        for sample in samples:
            code = check(sample.data) if check is not None else ""
            if code:
                refused += 1
                tips.add(code)
                continue
            extraction, _, _ = _read(sample, options)
            if extraction.source == "none":
                refused += 1
                tips.add(extraction.tip_pt[:60])
        report[defect] = {"photos": len(samples), "refused": refused}
        print(
            f"| {args.family} | {defect} | {len(samples)} | {refused} | "
            f"{'; '.join(sorted(tips))} |",
            flush=True,
        )
    return report


def run_legacy(args: argparse.Namespace, options: ReadOptions) -> dict[str, object]:
    report: dict[str, object] = {}
    for set_name in [name for name in args.sets.split(",") if name]:
        samples = make_set(set_name, count=args.count, seed=args.seed)
        tally = evaluate(samples, options)
        summary = tally.summary()
        report[set_name] = summary
        target = TARGETS[set_name]
        ok = summary["exact"] >= target and summary["confident_right"] >= 0.98
        print(
            f"{set_name:9s} {summary}  target exact>={target} confident_right>=0.98: "
            f"{'ok' if ok else 'BELOW TARGET'}",
            flush=True,
        )
        for line in tally.wrong_confident:
            print(f"    confident but wrong: {line}")
        if args.verbose:
            for line in tally.wrong:
                print(f"    flagged or missing: {line}")
    if args.compare:
        print("preprocessing comparison (moderate set):")
        samples = make_set("moderate", count=max(args.count // 2, 2), seed=args.seed + 500)
        report["comparison"] = compare(samples, options)
    return report


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--family",
        choices=FAMILIES,
        help="the drawing family's fixed set (default when --sets is not given)",
    )
    parser.add_argument(
        "--camera",
        choices=FAMILIES,
        default="",
        help="capture the family's documents with another family's scanner and phone "
        "(e.g. tuning drawings with the fresh family's harsher phone)",
    )
    parser.add_argument(
        "--page-timeout",
        type=float,
        default=ReadOptions().page_timeout,
        help="the reader's wall-clock limit per page (raise it on a loaded machine)",
    )
    parser.add_argument("--levels", default=",".join(LEVELS))
    parser.add_argument("--kinds", default=",".join(ALL_KINDS))
    parser.add_argument(
        "--unusable",
        action="store_true",
        help="photos that must be refused, per defect (with --family)",
    )
    parser.add_argument(
        "--count",
        type=int,
        help="documents per kind and set or level (default 6 for a family, 10 for the legacy sets)",
    )
    parser.add_argument("--seed", type=int, default=1000, help="legacy sets only")
    parser.add_argument("--sets", help="legacy sets, comma-separated: " + ",".join(SETS))
    parser.add_argument(
        "--compare",
        action="store_true",
        help="also compare preprocessing variants on the moderate set",
    )
    parser.add_argument(
        "--no-orient",
        action="store_true",
        help="do not turn sideways or upside-down photos (the old pipeline)",
    )
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    parser.add_argument("--verbose", action="store_true", help="list every field not exact")
    return parser


def main() -> None:
    args = _parser().parse_args()
    os.environ["OMP_THREAD_LIMIT"] = "1"  # one core, as the targets are stated
    options = ReadOptions(today=TODAY, orient=not args.no_orient, page_timeout=args.page_timeout)
    if args.sets is not None and args.family is None:
        args.count = args.count or 10
        report = run_legacy(args, options)
    else:
        args.family = args.family or "tuning"
        args.count = args.count or 6
        if args.family in ("fresh", "wide"):  # say which fonts to install before drawing
            fam = family(args.family)
            try:
                check_fonts(fam.sans + fam.serif + fam.mono)
            except FontMissing as exc:
                raise SystemExit(f"bench.ocr.run: {exc}") from None
        report = run_unusable(args, options) if args.unusable else run_family(args, options)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
