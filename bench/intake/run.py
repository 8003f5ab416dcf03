"""How the intake's photo check does on the benchmark's photos (issue #16).

    .venv/bin/python -m bench.intake.run [--count 6] [--family tuning|heldout|fresh]

Usable photos (``bench.ocr.synthetic.draw``, levels clean / moderate / heavy; PDFs are not
photos and are left out) must pass: the share refused is printed per level with the codes.
Photos to refuse (``draw_unusable``, one per defect) must be caught: the share caught per
defect, with the code given (the reason the client reads). CPU seconds of the check per photo.
"""

from __future__ import annotations

import argparse
import collections
import time

from bench.ocr.families import FAMILIES
from bench.ocr.generator import ALL_KINDS, FIXED_SEED
from bench.ocr.synthetic import draw, draw_unusable
from bot.documents.errors import DocumentRejected
from bot.documents.intake import check_photo, sniff_type

PHOTO_KINDS = tuple(k for k in ALL_KINDS if k != "contrato_social")  # the contract is a PDF
DEFECTS = ("blurred", "cropped", "glare", "small", "dark")


def _check(data: bytes) -> tuple[str, float]:
    """("" when accepted, else the refusal's code) and the CPU seconds the check took."""
    started = time.process_time()
    try:
        check_photo(data)
    except DocumentRejected as refused:
        return refused.code, time.process_time() - started
    return "", time.process_time() - started


def usable(family: str, count: int) -> None:
    for level in ("clean", "moderate", "heavy"):
        codes: collections.Counter[str] = collections.Counter()
        cpu: list[float] = []
        for kind in ALL_KINDS:
            for i in range(count):
                data, _ = draw(kind, seed=FIXED_SEED[family] + i, family=family, level=level)
                if sniff_type(data) == "application/pdf":
                    continue
                code, seconds = _check(data)
                codes[code] += 1
                cpu.append(seconds)
        total, refused = sum(codes.values()), sum(n for c, n in codes.items() if c)
        cpu.sort()
        print(
            f"{family:8} usable {level:9} refused {refused:3}/{total:<3} "
            f"{dict((c, n) for c, n in codes.items() if c)}  cpu p50 "
            f"{cpu[len(cpu) // 2]:.2f} s, max {cpu[-1]:.2f} s"
        )


def unusable(family: str, count: int) -> None:
    for defect in DEFECTS:
        codes: collections.Counter[str] = collections.Counter()
        for kind in PHOTO_KINDS:
            for i in range(count):
                sample = draw_unusable(
                    kind, seed=FIXED_SEED[family] + i, family=family, defect=defect
                )
                codes[_check(sample.data)[0]] += 1
        total, caught = sum(codes.values()), sum(n for c, n in codes.items() if c)
        print(
            f"{family:8} defect {defect:9} caught  {caught:3}/{total:<3} "
            f"{dict((c, n) for c, n in codes.items() if c)}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=6, help="documents per kind")
    parser.add_argument("--family", choices=FAMILIES, default="tuning")
    args = parser.parse_args()
    usable(args.family, args.count)
    unusable(args.family, args.count)


if __name__ == "__main__":
    main()
