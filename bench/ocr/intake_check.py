"""The intake's photo check alone (no reading): good photos it refuses, photos to refuse it
lets through.

    python -m bench.ocr.intake_check                       # both families, good and unusable
    python -m bench.ocr.intake_check --family heldout --defects glare,small --verbose
    python -m bench.ocr.intake_check --family tuning --camera fresh --defects ""

Good photos: the 4 image kinds x clean/moderate/heavy x ``--count`` (6) per family (144 with
both families); every one refused is a client turned away for nothing, so the target is 0.
Photos to refuse: ``draw_unusable`` per defect, ``--unusable-count`` (2) per image kind. The
intake's ``check_photo`` is what the server runs on an uploaded photo, before any reading.
``--camera fresh`` shoots the good photos with the fresh family's harsher phone (vignetting, lower
JPEG qualities): the photos to refuse are drawn by one camera for every family.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter

from bench.ocr.camera import DEFECTS
from bench.ocr.synthetic import FIXED_SEED, draw_sample, draw_unusable
from bot.documents.errors import DocumentRejected
from bot.documents.intake import check_photo

IMAGE_KINDS = ("cnpj_card", "cnh", "rg", "comprovante_endereco")
PHOTO_LEVELS = ("clean", "moderate", "heavy")


SECONDS: list[float] = []  # CPU seconds of each check, this process (no Tesseract child)


def _refusal(data: bytes) -> str:
    """The refusal's code, or "" when the photo is let through (its CPU time noted)."""
    start = time.process_time()
    try:
        check_photo(data)
    except DocumentRejected as exc:
        return exc.code
    finally:
        SECONDS.append(time.process_time() - start)
    return ""


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(share * len(ordered)), len(ordered) - 1)] if ordered else 0.0


def good_photos(
    family: str, *, count: int, verbose: bool, camera: str = ""
) -> tuple[int, Counter[str]]:
    """How many good photos of ``family`` (shot with ``camera``'s phone) were checked, and the
    refusals' codes."""
    refused: Counter[str] = Counter()
    checked = 0
    for level in PHOTO_LEVELS:
        for kind in IMAGE_KINDS:
            for i in range(count):
                sample = draw_sample(
                    kind, seed=FIXED_SEED[family] + i, family=family, level=level, camera=camera
                )
                code = _refusal(sample.data)
                checked += 1
                if code:
                    refused[code] += 1
                    if verbose:
                        print(f"    refused: {sample.name} ({code})", flush=True)
    return checked, refused


def unusable_photos(
    family: str, *, defect: str, count: int, verbose: bool
) -> tuple[int, Counter[str]]:
    """How many photos with ``defect`` were drawn, and the refusals' codes."""
    refused: Counter[str] = Counter()
    drawn = 0
    for i in range(count):
        for kind in IMAGE_KINDS:
            sample = draw_unusable(kind, seed=FIXED_SEED[family] + i, family=family, defect=defect)
            code = _refusal(sample.data)
            drawn += 1
            if code:
                refused[code] += 1
            elif verbose:
                print(f"    let through: {sample.name}", flush=True)
    return drawn, refused


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--family", default="tuning,heldout")
    parser.add_argument("--count", type=int, default=6, help="good photos per kind x level")
    parser.add_argument("--unusable-count", type=int, default=2, help="per kind and defect")
    parser.add_argument("--defects", default=",".join(DEFECTS))
    parser.add_argument("--no-good", action="store_true", help="skip the good photos")
    parser.add_argument("--camera", default="", help="another family's phone for the good photos")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    start = time.process_time()
    print("| family | photos | count | refused | codes |\n| --- | --- | --- | --- | --- |")
    for family in [f for f in args.family.split(",") if f]:
        if not args.no_good:
            checked, refused = good_photos(
                family, count=args.count, verbose=args.verbose, camera=args.camera
            )
            codes = ", ".join(f"{c} {n}" for c, n in sorted(refused.items()))
            total = sum(refused.values())
            name = family + (f" ({args.camera}'s camera)" if args.camera else "")
            print(f"| {name} | good | {checked} | {total} | {codes} |", flush=True)
        for defect in [d for d in args.defects.split(",") if d]:
            drawn, refused = unusable_photos(
                family, defect=defect, count=args.unusable_count, verbose=args.verbose
            )
            codes = ", ".join(f"{c} {n}" for c, n in sorted(refused.items()))
            print(
                f"| {family} | {defect} | {drawn} | {sum(refused.values())} | {codes} |",
                flush=True,
            )
    print(
        f"CPU {time.process_time() - start:.1f} s (this process); per photo checked "
        f"p50 {_percentile(SECONDS, 0.5):.2f} s, p95 {_percentile(SECONDS, 0.95):.2f} s"
    )


if __name__ == "__main__":
    main()
