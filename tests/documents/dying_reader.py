"""A read function for the pool's tests whose process dies or hangs on the documents a test
marks; every other document is read for real.

It runs in the pool's worker processes, so the pool gets it by name, as
``functools.partial(read_or_die, marks=folder)``. A file in ``folder`` named after a document's
SHA-256 says what happens when that document is read:

- ``die``: the process exits at once (``os._exit``), every time;
- ``die N``: the process exits the next N times, then the document is read;
- ``hang``: the process sleeps for an hour (the pool's time budget has to end it);
- ``sleep S``: the document is read after S seconds (to keep it in flight).

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


def mark(marks: Path, data: bytes, what: str) -> None:
    """Says what happens to the process that reads ``data`` (see the module's docstring)."""
    (marks / hashlib.sha256(data).hexdigest()).write_text(what)


def calls(marks: Path, data: bytes) -> list[int]:
    """The processes that started reading ``data``, in order."""
    log = marks / "calls"
    sha = hashlib.sha256(data).hexdigest()
    lines = log.read_text().splitlines() if log.exists() else []
    return [int(pid) for digest, pid in (line.split() for line in lines) if digest == sha]


def read_or_die(data: bytes, kind: str, options: ReadOptions, *, marks: Path) -> Extraction:
    sha = hashlib.sha256(data).hexdigest()
    with (marks / "calls").open("a") as log:
        log.write(f"{sha} {os.getpid()}\n")
    path = marks / sha
    if path.exists():
        word, _, count = path.read_text().partition(" ")
        if word == "hang":
            time.sleep(3600)
        elif word == "sleep":
            time.sleep(float(count))
        elif word == "die":
            left = int(count) - 1 if count else None
            if left is not None:
                if left > 0:
                    path.write_text(f"die {left}")
                else:
                    path.unlink()
            os._exit(70)
    return read_document(data, kind=kind, options=options)
