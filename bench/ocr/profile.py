"""Where a document's reading spends its CPU: every Tesseract call and the Python steps.

    python -m bench.ocr.profile --kind cnpj_card --level clean --seeds 1000,1001
    python -m bench.ocr.profile --kind contrato_social --level clean --family heldout --top 25

Per document: each Tesseract call in order (the reader's function that made it, page
segmentation mode, image size in pixels, words found, CPU and wall seconds), and the
document's CPU split between Tesseract and the rest. With ``--top N``, the heaviest functions
of ``bot/documents`` too (a second read under cProfile, cumulative CPU seconds: a step's total
includes what it calls; cProfile inflates Python-heavy steps about twofold). With ``--stages``,
each step's own CPU (``STAGES``: what it spent minus the steps it called, no profiler
overhead: the split that told where a blank contract page's second went). Run it with
``OMP_THREAD_LIMIT=1`` like the benchmark; a first read (to warm up: the model's loading and
the reader's caches are paid once per process) is not counted.
"""

from __future__ import annotations

import argparse
import cProfile
import importlib
import os
import pstats
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from PIL import Image

from bench.ocr.synthetic import FIXED_SEED, TODAY, draw_sample
from bot.documents.page import Word
from bot.documents.reading import ReadOptions, read_document
from bot.documents.tesseract import TesseractEngine

# reader functions that call Tesseract, innermost first: the first met on the stack names
# the call
CALLERS = (
    "third_read",
    "crop_reads",
    "read_zone",
    "prose_text",
    "read_upright",
    "_passes",
)


@dataclass(slots=True)
class Call:
    caller: str
    psm: int
    size: tuple[int, int]
    wall: float
    cpu: float
    words: int


@dataclass(slots=True)
class CountingEngine:
    """The real engine, recording each call (caller, psm, size, child CPU)."""

    engine: TesseractEngine
    calls: list[Call] = field(default_factory=list)

    def words(self, image: Image.Image, *, psm: int) -> list[Word]:
        caller = _caller()
        before, start = os.times(), time.perf_counter()
        words = self.engine.words(image, psm=psm)
        after = os.times()
        # the library runs in this process, the command in a child: both are counted
        cpu = sum(after[:4]) - sum(before[:4])
        self.calls.append(
            Call(caller, psm, image.size, time.perf_counter() - start, cpu, len(words))
        )
        return words


def _caller() -> str:
    frame = sys._getframe(2)
    names = []
    while frame is not None:
        names.append(frame.f_code.co_name)
        frame = frame.f_back  # type: ignore[assignment]
    for name in names:
        if name in CALLERS:
            return name
    return names[0] if names else "?"


def profile_one(
    kind: str,
    *,
    seed: int,
    family: str,
    level: str,
    top: int,
    options: ReadOptions,
    stages: bool = False,
) -> float:
    """Print one document's profile; returns its CPU seconds (Python plus Tesseract).

    ``top`` > 0: then read it once more under cProfile and print the heaviest functions."""
    sample = draw_sample(kind, seed=seed, family=family, level=level)
    engine = CountingEngine(
        TesseractEngine(
            lang=options.lang, timeout=options.page_timeout, in_process=options.in_process
        )
    )
    before, start = os.times(), time.perf_counter()
    result = read_document(sample.data, kind="auto", options=options, engine=engine)
    wall = time.perf_counter() - start
    after = os.times()
    total = sum(after[:4]) - sum(before[:4])
    ocr = sum(c.cpu for c in engine.calls)
    print(
        f"\n## {kind} {family} {level} seed {seed}: kind {result.kind}, CPU {total:.2f} s "
        f"(Tesseract {ocr:.2f}, the rest {total - ocr:.2f}), wall {wall:.2f} s"
    )
    print("| # | caller | psm | size | px (M) | words | CPU s | wall s |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for i, call in enumerate(engine.calls, 1):
        w, h = call.size
        print(
            f"| {i} | {call.caller} | {call.psm} | {w}x{h} | {w * h / 1e6:.2f} | "
            f"{call.words} | {call.cpu:.2f} | {call.wall:.2f} |"
        )
    if top > 0:
        _python_side(sample.data, options=options, top=top)
    if stages:
        _stages(sample.data, options=options)
    return total


# the reader's steps timed by ``--stages``, by the module that calls them (a name a module
# does not have is skipped: modules move)
STAGES: dict[str, tuple[str, ...]] = {
    "bot.documents.reading": (
        "load_image",
        "correct_illumination",
        "text_axis",
        "measure_quality",
        "prepare",
        "from_passes",
    ),
    "bot.documents.passes": (
        "read_upright",
        "read_zone",
        "extract_fields",
        "crop_reads",
        "third_read",
        "card_rows",
        "grey_sparse_fill",
        "page_text",
    ),
    "bot.documents.imaging": ("rules_mask", "text_height", "line_fit", "_flattened", "_rotated"),
    "bot.documents.quality": ("text_height", "cut_edges"),
    "bot.documents.pdf": ("render_page", "text_page", "nearly_blank"),
}


@contextmanager
def stage_times() -> Iterator[tuple[dict[str, float], Counter[str]]]:
    """While open, each of ``STAGES``' steps counts its own CPU seconds (its time minus that
    of the timed steps it called) and its calls; Tesseract's calls count as "OCR"."""
    own: dict[str, float] = {}
    calls: Counter[str] = Counter()
    inside: list[float] = []

    def timed(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def step(*args: Any, **kwargs: Any) -> Any:
            start = time.process_time()
            inside.append(0.0)
            try:
                return function(*args, **kwargs)
            finally:
                spent = time.process_time() - start
                own[name] = own.get(name, 0.0) + spent - inside.pop()
                calls[name] += 1
                if inside:
                    inside[-1] += spent

        return step

    patched: list[tuple[object, str, object]] = [(TesseractEngine, "words", TesseractEngine.words)]
    TesseractEngine.words = timed("OCR", TesseractEngine.words)  # type: ignore[method-assign]
    wrapped: dict[int, Callable[..., Any]] = {}
    for module_name, names in STAGES.items():
        module = importlib.import_module(module_name)
        for name in names:
            function = getattr(module, name, None)
            if function is None:
                continue
            step = wrapped.setdefault(id(function), timed(name, function))
            patched.append((module, name, function))
            setattr(module, name, step)
    try:
        yield own, calls
    finally:
        for owner, name, original in reversed(patched):
            setattr(owner, name, original)


def _stages(data: bytes, *, options: ReadOptions) -> None:
    with stage_times() as (own, calls):
        read_document(data, kind="auto", options=options)
    print("Own CPU s per step (calls):")
    print(
        "  "
        + ", ".join(
            f"{name} {spent:.2f} ({calls[name]})"
            for name, spent in sorted(own.items(), key=lambda item: -item[1])
        )
    )


def _python_side(data: bytes, *, options: ReadOptions, top: int) -> None:
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    read_document(data, kind="auto", options=options)
    profiler.disable()
    stats = pstats.Stats(profiler)
    rows = []
    for (path, line, name), (_, _, _, cumulative, _) in stats.stats.items():  # type: ignore[attr-defined]
        if "bot/documents" in path:
            rows.append((cumulative, f"{path.split('bot/documents/')[-1]}:{line} {name}"))
    rows.sort(reverse=True)
    print(f"cProfile, CPU s cumulative (top {top}; cProfile inflates Python calls ~2x):")
    for cumulative, where in rows[:top]:
        print(f"  {cumulative:6.2f} s  {where}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kind", default="cnpj_card")
    parser.add_argument("--level", default="clean")
    parser.add_argument("--family", default="tuning", choices=sorted(FIXED_SEED))
    parser.add_argument("--seeds", default="", help="comma-separated; default the set's first")
    parser.add_argument("--top", type=int, default=0, help="> 0: the heaviest functions too")
    parser.add_argument("--stages", action="store_true", help="each step's own CPU too")
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(",") if s] or [FIXED_SEED[args.family]]
    options = ReadOptions(today=TODAY)
    # warm up: the model's loading and the reader's caches are paid once per process
    read_document(draw_sample(args.kind, seed=seeds[0], family=args.family, level="clean").data)
    total = [
        profile_one(
            args.kind,
            seed=s,
            family=args.family,
            level=args.level,
            top=args.top,
            options=options,
            stages=args.stages,
        )
        for s in seeds
    ]
    print(f"\nCPU per document: {', '.join(f'{t:.2f}' for t in total)} s")


if __name__ == "__main__":
    main()
