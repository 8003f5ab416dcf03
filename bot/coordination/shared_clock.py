"""A clock several processes share through a file, for tests that move time across processes.

``ONBOARD_CLOCK_FILE`` (refused in production) holds one ISO-8601 instant; every ``now()``
reads it (re-parsed only when the file changed), so a test can make days pass for an
``onboard serve`` and two ``onboard worker`` processes at once.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

__all__ = ["FileClock"]


class FileClock:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._stamp: tuple[int, int] | None = None
        self._now: datetime | None = None

    def now(self) -> datetime:
        stat = os.stat(self.path)
        stamp = (stat.st_mtime_ns, stat.st_size)
        if stamp != self._stamp or self._now is None:
            value = datetime.fromisoformat(self.path.read_text(encoding="utf-8").strip())
            if value.tzinfo is None:
                raise ValueError(f"{self.path} must hold a timezone-aware instant")
            self._now, self._stamp = value, stamp
        return self._now

    @staticmethod
    def write(path: Path, at: datetime) -> None:
        """Moves the shared time (atomically: readers never see half a file)."""
        partial = path.with_suffix(".tmp")
        partial.write_text(at.isoformat(), encoding="utf-8")
        os.replace(partial, path)
