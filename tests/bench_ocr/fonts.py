"""Whether the fresh drawing family's fonts are installed, and a mark that skips without them on
a laptop (in CI, ``.ci/run`` installs them and a missing font fails the test)."""

from __future__ import annotations

import pytest

from bench.ocr.families import FRESH
from bench.ocr.render import FontMissing, check_fonts
from tests.conftest import IN_CI


def fresh_fonts_installed() -> bool:
    """True when every weight of every font the fresh family draws with is on this machine."""
    try:
        check_fonts(FRESH.sans + FRESH.serif + FRESH.mono)
    except FontMissing:
        return False
    return True


needs_fresh_fonts = pytest.mark.skipif(
    not fresh_fonts_installed() and not IN_CI,
    reason="the fresh family's fonts are not installed (apt line in bench/ocr/README.md)",
)
