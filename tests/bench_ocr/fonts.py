"""Whether the fresh and wide drawing families' fonts are installed, and marks that skip without
them on a laptop (in CI, ``.ci/run`` installs them and a missing font fails the test)."""

from __future__ import annotations

import pytest

from bench.ocr.families import FRESH, WIDE, Family
from bench.ocr.render import FontMissing, check_fonts
from tests.conftest import IN_CI


def fonts_installed(fam: Family) -> bool:
    """True when every weight of every font ``fam`` draws with is on this machine."""
    try:
        check_fonts(fam.sans + fam.serif + fam.mono)
    except FontMissing:
        return False
    return True


def fresh_fonts_installed() -> bool:
    """True when every weight of every font the fresh family draws with is on this machine."""
    return fonts_installed(FRESH)


needs_fresh_fonts = pytest.mark.skipif(
    not fresh_fonts_installed() and not IN_CI,
    reason="the fresh family's fonts are not installed (apt line in bench/ocr/README.md)",
)
needs_wide_fonts = pytest.mark.skipif(
    not fonts_installed(WIDE) and not IN_CI,
    reason="the wide family's fonts are not installed (apt line in bench/ocr/README.md)",
)
