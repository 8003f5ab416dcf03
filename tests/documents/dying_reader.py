"""A read function for the pool's tests whose process dies or hangs on the documents a test
marks; every other document is read for real.

It runs in the pool's worker processes, so the pool gets it by name, as
``functools.partial(read_or_die, marks=folder)``. A file in ``folder`` named after a document's
SHA-256 says what happens when that document is read:

- ``die``: the process exits at once (``os._exit``), every time;
- ``die N``: the process exits the next N times, then the document is read;
- ``... after SHA``: before exiting, the process waits until the document ``SHA`` is being
  read too (so that one is certainly in flight when this process dies);
- ``hang``: the process sleeps for an hour (the pool's time budget has to end it);
- ``sleep S`` or ``sleep S N``: the document is read after S seconds (every time, or the next
  N times), to keep it in flight.

Every call appends ``<sha256> <pid>`` to ``folder/calls``, so a test can see how many times a
document was tried and by which process.
"""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

from bot.documents import Extraction, ReadOptions, read_document

__all__ = ["calls", "mark", "read_or_die"]


def mark(marks: Path, data: bytes, what: str, *, after: bytes | None = None) -> None:
    """Says what happens to the process that reads ``data`` (see the module's docstring)."""
    if after is not None:
        what += f" after {_sha(after)}"
    (marks / _sha(data)).write_text(what)


def calls(marks: Path, data: bytes) -> list[int]:
    """The processes that started reading ``data``, in order."""
    sha = _sha(data)
    return [int(pid) for digest, pid in _calls(marks) if digest == sha]


def read_or_die(data: bytes, kind: str, options: ReadOptions, *, marks: Path) -> Extraction:
    sha = _sha(data)
    with (marks / "calls").open("a") as log:
        log.write(f"{sha} {os.getpid()}\n")
    path = marks / sha
    words = path.read_text().split() if path.exists() else []
    if words[:1] == ["hang"]:
        time.sleep(3600)
    elif words[:1] == ["sleep"]:
        if len(words) > 2:
            _count_down(path, words, 2)
        time.sleep(float(words[1]))
    elif words[:1] == ["die"]:
        if len(words) > 1 and words[1].isdigit():
            _count_down(path, words, 1)
        if "after" in words:
            other = words[words.index("after") + 1]
            while not any(digest == other for digest, _pid in _calls(marks)):
                time.sleep(0.01)
        os._exit(70)
    return read_document(data, kind=kind, options=options)


def _count_down(path: Path, words: list[str], at: int) -> None:
    left = int(words[at]) - 1
    if left > 0:
        path.write_text(" ".join([*words[:at], str(left), *words[at + 1 :]]))
    else:
        path.unlink()


def _calls(marks: Path) -> list[tuple[str, str]]:
    log = marks / "calls"
    lines = log.read_text().splitlines() if log.exists() else []
    return [(digest, pid) for digest, pid in (line.split() for line in lines)]


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
