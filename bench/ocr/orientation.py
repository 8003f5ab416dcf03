"""Comparing ways to find how a photo is turned (0/90/180/270 degrees, no EXIF).

    python -m bench.ocr.orientation --count 4      # 4 photos per kind, each in 4 turns

Each option sees the decoded photo turned counter-clockwise by 0, 90, 180 or 270 degrees and
answers which turn it was; the script prints accuracy (all turns and upright only) and p50/p95
CPU seconds per image on one core (this process plus Tesseract children).
"""

from __future__ import annotations

import argparse
import os
import statistics
from collections.abc import Callable

import numpy as np
import pytesseract
from PIL import Image

from bench.ocr.synthetic import make_set
from bot.documents.imaging import (
    Preprocessing,
    correct_illumination,
    load_image,
    otsu_threshold,
    prepare,
    text_height,
    to_gray,
)
from bot.documents.orientation import known_words, quarter_turn, read_upright, turn, turn_array
from bot.documents.tesseract import TesseractEngine

TURNS = (0, 90, 180, 270)


def _binary(image: Image.Image, *, letters: float) -> Image.Image:
    """Illumination-corrected, Otsu-binarized, scaled so letters are about ``letters`` px."""
    flat = correct_illumination(to_gray(image))
    ink = flat < otsu_threshold(flat)
    height = text_height(ink) or letters
    out = Image.fromarray(np.where(ink, 0, 255).astype(np.uint8))
    scale = letters / height
    if abs(scale - 1) > 0.1:
        out = out.resize(
            (round(out.width * scale), round(out.height * scale)), Image.Resampling.BILINEAR
        )
    return out


def _ink(image: Image.Image) -> np.ndarray:
    flat = correct_illumination(to_gray(image))
    ink: np.ndarray = flat < otsu_threshold(flat)
    return ink


def osd(image: Image.Image) -> int:
    """Tesseract's orientation and script detection; its ``rotate`` is the turn applied."""
    try:
        found = pytesseract.image_to_osd(image, output_type=pytesseract.Output.DICT)
    except pytesseract.TesseractError:
        return 0  # too few characters: assume upright
    return int(found["rotate"]) % 360


def osd_grey(image: Image.Image) -> int:
    return osd(image.convert("L"))


def osd_binary(image: Image.Image) -> int:
    return osd(_binary(image, letters=24.0))


def _best_of(image: Image.Image, candidates: tuple[int, ...]) -> int:
    engine = TesseractEngine()
    small = _binary(image, letters=20.0)
    scores = {}
    for degrees in candidates:
        # turning the image by -d undoes a turn of d
        scores[degrees] = known_words(engine.words(turn(small, -degrees), psm=11))
    return max(candidates, key=lambda d: (scores[d], -d))


def ocr_four(image: Image.Image) -> int:
    return _best_of(image, TURNS)


def axis_only(image: Image.Image) -> int:
    return 90 if quarter_turn(_ink(image)) else 0


def axis_ocr_two(image: Image.Image) -> int:
    return _best_of(image, (90, 270) if quarter_turn(_ink(image)) else (0, 180))


def axis_osd(image: Image.Image) -> int:
    pair = (90, 270) if quarter_turn(_ink(image)) else (0, 180)
    answer = osd(_binary(image, letters=24.0))
    return answer if answer in pair else pair[0]


def pipeline(image: Image.Image) -> int:
    """What ``read_document`` does: the axis, then its first full pass, turned 180 degrees
    only when that pass recognizes no document kind. Its cost includes that first pass,
    which the pipeline needs anyway; only the half turn's second read is extra."""
    flat = correct_illumination(to_gray(image))
    turned = 90 if quarter_turn(flat < otsu_threshold(flat)) else 0
    prepared = prepare(turn(image, turned), Preprocessing(), flat=turn_array(flat, turned))
    _, _, flipped = read_upright(prepared, ocr=TesseractEngine(), psm=11)
    return (360 - turned - 180 * flipped) % 360


OPTIONS: dict[str, Callable[[Image.Image], int]] = {
    "projection axis only (0/180 vs 90/270)": axis_only,
    "OSD on the grey photo": osd_grey,
    "OSD on the binarized page": osd_binary,
    "OCR of the 4 turns (vocabulary words)": ocr_four,
    "axis, then OSD within the pair": axis_osd,
    "axis, then OCR of the 2 turns": axis_ocr_two,
    "axis, then first pass (chosen)": pipeline,
}


def _cpu() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=4, help="photos per kind")
    parser.add_argument("--seed", type=int, default=2000)
    parser.add_argument("--set", default="moderate")
    parser.add_argument("--only", default="", help="comma-separated option numbers (1-7)")
    args = parser.parse_args()
    os.environ["OMP_THREAD_LIMIT"] = "1"
    images = [load_image(s.data) for s in make_set(args.set, count=args.count, seed=args.seed)]
    chosen = {int(n) for n in args.only.split(",") if n}
    for number, (name, option) in enumerate(OPTIONS.items(), start=1):
        if chosen and number not in chosen:
            continue
        right = upright_right = total = 0
        cpu: list[float] = []
        for image in images:
            for degrees in TURNS:
                turned = turn(image, degrees)
                start = _cpu()
                answer = option(turned)
                cpu.append(_cpu() - start)
                expected = degrees % 180 if option is axis_only else degrees
                right += answer == expected
                upright_right += degrees == 0 and answer == 0
                total += 1
        cpu.sort()
        p95 = cpu[min(len(cpu) - 1, round(0.95 * (len(cpu) - 1)))]
        print(
            f"{name:40s} right {right / total:6.1%}  upright kept "
            f"{upright_right / len(images):6.1%}  CPU p50 {statistics.median(cpu):.2f} s"
            f"  p95 {p95:.2f} s  ({total} images)",
            flush=True,
        )


if __name__ == "__main__":
    main()
