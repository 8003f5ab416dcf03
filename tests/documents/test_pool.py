"""OCR in the process pool keeps the event loop free for other conversations, and outlives
its processes: a reading process that dies or hangs (for real: ``dying_reader`` makes the
pool's own child exit or sleep) is replaced, and only its own document is blamed."""

from __future__ import annotations

import asyncio
import functools
import os
import time
from pathlib import Path

import pytest

from bench.ocr.synthetic import TODAY, make_sample
from bot.documents import OcrPool, ReaderCrashed, ReadOptions, ReadTimeout
from tests.documents.dying_reader import calls, mark, read_or_die


@pytest.mark.tesseract
async def test_other_coroutines_keep_running_while_a_document_is_read() -> None:
    sample = make_sample("rg", "clean", seed=2)
    ticks: list[float] = []
    stop = asyncio.Event()

    async def other_conversation() -> None:
        while not stop.is_set():
            ticks.append(time.perf_counter())
            await asyncio.sleep(0.01)

    pool = OcrPool(max_workers=1, timeout=120, options=ReadOptions(today=TODAY))
    try:
        task = asyncio.create_task(other_conversation())
        result = await pool.read(sample.data, kind="rg")
        ticks_while_reading = len(ticks)
        stop.set()
        await task
    finally:
        pool.shutdown()
    assert result.kind == "rg" and result.fields.get("cpf") == sample.truth["cpf"]
    # A read that held the event loop would let the other coroutine tick once at most; the
    # read runs in another process, so the loop kept turning while it waited.
    assert ticks_while_reading >= 3


async def test_a_document_over_its_time_budget_raises_read_timeout() -> None:
    sample = make_sample("cnh", "pdf", seed=1)
    pool = OcrPool(max_workers=1, timeout=0.001)
    try:
        with pytest.raises(ReadTimeout):
            await pool.read(sample.data)
    finally:
        pool.shutdown()


# ---------------------------------------------------------------- processes that die or hang
@pytest.fixture
def marks(tmp_path: Path) -> Path:
    folder = tmp_path / "marks"
    folder.mkdir()
    return folder


def _pool(marks: Path, *, max_workers: int = 1, timeout: float = 60.0) -> OcrPool:
    return OcrPool(
        max_workers=max_workers,
        timeout=timeout,
        options=ReadOptions(today=TODAY),
        read=functools.partial(read_or_die, marks=marks),
    )


async def _gone(pid: int, *, within: float = 10.0) -> bool:
    """Whether process ``pid`` has ended (and was reaped) within ``within`` seconds."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        await asyncio.sleep(0.05)
    return False


async def test_a_killed_reading_process_is_replaced_and_the_next_document_is_read(
    marks: Path,
) -> None:
    dying, following = make_sample("cnpj_card", "pdf", seed=1), make_sample("cnh", "pdf", seed=2)
    mark(marks, dying.data, "die")
    pool = _pool(marks)
    try:
        with pytest.raises(ReaderCrashed):
            await pool.read(dying.data)
        result = await pool.read(following.data)
    finally:
        pool.shutdown()
    assert result.kind == "cnh" and result.fields.get("cpf") == following.truth["cpf"]
    [dead] = calls(marks, dying.data)
    [reader] = calls(marks, following.data)
    assert reader != dead and await _gone(dead)


async def test_two_documents_in_flight_when_a_process_dies_are_both_read(marks: Path) -> None:
    """One process dies while the other is reading: the pool cannot tell whose fault it was,
    so both documents are read again, each alone."""
    dying_once, beside = make_sample("cnpj_card", "pdf", seed=1), make_sample("cnh", "pdf", seed=2)
    mark(marks, beside.data, "sleep 1 1")  # reading when the other process dies (once)
    mark(marks, dying_once.data, "die 1", after=beside.data)
    pool = _pool(marks, max_workers=2)
    try:
        card, cnh = await asyncio.gather(pool.read(dying_once.data), pool.read(beside.data))
    finally:
        pool.shutdown()
    assert card.kind == "cnpj_card" and card.fields.get("cnpj") == dying_once.truth["cnpj"]
    assert cnh.kind == "cnh" and cnh.fields.get("cpf") == beside.truth["cpf"]
    assert len(calls(marks, dying_once.data)) == 2 and len(calls(marks, beside.data)) == 2


async def test_a_read_over_its_budget_has_its_process_killed_and_the_next_is_read(
    marks: Path,
) -> None:
    stuck, following = make_sample("cnpj_card", "pdf", seed=1), make_sample("cnh", "pdf", seed=2)
    mark(marks, stuck.data, "hang")
    pool = _pool(marks, timeout=1.0)
    try:
        with pytest.raises(ReadTimeout):
            await pool.read(stuck.data)
        [hung] = calls(marks, stuck.data)
        assert await _gone(hung)  # killed, not left sleeping for an hour
        result = await pool.read(following.data)  # a new process, its own budget
    finally:
        pool.shutdown()
    assert result.kind == "cnh" and result.fields.get("cpf") == following.truth["cpf"]


async def test_a_read_beside_one_over_its_budget_is_read_again_alone(marks: Path) -> None:
    """Killing the hung read's process takes the other process down too (the executor breaks):
    the other document is read again, and only the hung one times out."""
    stuck, beside = make_sample("cnpj_card", "pdf", seed=1), make_sample("cnh", "pdf", seed=2)
    mark(marks, stuck.data, "hang")
    mark(marks, beside.data, "sleep 3 1")  # the first time only
    pool = _pool(marks, max_workers=2, timeout=4.0)
    try:
        hung = asyncio.create_task(pool.read(stuck.data))
        while not calls(marks, stuck.data):
            await asyncio.sleep(0.01)
        await asyncio.sleep(2)  # the second read runs from 2 s to 5 s: the first ends at 4 s
        cnh = await pool.read(beside.data)
        with pytest.raises(ReadTimeout):
            await hung
    finally:
        pool.shutdown()
    assert cnh.kind == "cnh" and cnh.fields.get("cpf") == beside.truth["cpf"]
    assert len(calls(marks, beside.data)) == 2 and len(calls(marks, stuck.data)) == 1
