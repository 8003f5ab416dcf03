"""OCR in the process pool keeps the event loop free for other conversations."""

from __future__ import annotations

import asyncio
import time

import pytest

from bench.ocr.synthetic import TODAY, make_sample
from bot.documents import OcrPool, ReadOptions, ReadTimeout


@pytest.mark.tesseract
async def test_other_coroutines_keep_running_while_a_document_is_read() -> None:
    sample = make_sample("rg", "clean", 2)
    ticks: list[float] = []
    stop = asyncio.Event()

    async def other_conversation() -> None:
        while not stop.is_set():
            ticks.append(time.perf_counter())
            await asyncio.sleep(0.01)

    pool = OcrPool(max_workers=1, timeout=120, options=ReadOptions(today=TODAY))
    try:
        task = asyncio.create_task(other_conversation())
        started = time.perf_counter()
        result = await pool.read(sample.data, kind="rg")
        elapsed = time.perf_counter() - started
        stop.set()
        await task
    finally:
        pool.shutdown()
    assert result.kind == "rg" and result.fields.get("cpf") == sample.truth["cpf"]
    gaps = [b - a for a, b in zip(ticks, ticks[1:], strict=False)]
    assert elapsed > 0.5 and len(ticks) > elapsed / 0.05  # the loop ticked all along
    assert max(gaps) < 0.3


async def test_a_document_over_its_time_budget_raises_read_timeout() -> None:
    sample = make_sample("cnh", "pdf", 1)
    pool = OcrPool(max_workers=1, timeout=0.001)
    try:
        with pytest.raises(ReadTimeout):
            await pool.read(sample.data)
    finally:
        pool.shutdown()
