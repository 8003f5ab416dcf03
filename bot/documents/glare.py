"""Glare over text: a blob of clipped light, brighter than the paper around it, where text rows
run (ink beside it, little inside it): the words under it are gone (``quality`` refuses such a
photo; ``glare_field`` names the field it hides).
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

__all__ = ["Box", "glare_over_text"]

Box = tuple[float, float, float, float]  # left, top, right, bottom as fractions of the image
WIDEST = 0.8  # a blob wider than this share of the text's extent is the page lit, not a spot
TABLE_SIDES = 1  # sides of a blob's ring that may be the table: a reflection running off a card


def glare_over_text(
    gray: np.ndarray, ink: np.ndarray, *, letters: float
) -> tuple[float, Box | None]:
    """Share of the text area hidden under glare, and the box of the largest such glare.

    Glare is light clipped to near white, brighter than the paper all around it (a ring
    around the blob is darker on every side: a smooth shadow gradient is not glare), lying
    where text rows run (ink beside it, little inside it): the words under it are gone.
    """
    rows = np.flatnonzero(ink.any(axis=1))
    cols = np.flatnonzero(ink.any(axis=0))
    if rows.size == 0:
        return 0.0, None
    top, bottom, left, right = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
    bright = gray >= 240.0
    bright = ndimage.binary_opening(bright, iterations=max(int(letters // 2), 1))
    labels, count = ndimage.label(bright)
    if count == 0:
        return 0.0, None
    text_area = float((bottom - top) * (right - left))
    density = float(ink[top:bottom, left:right].mean())
    hidden, best, best_area = 0.0, None, 0.0
    h, w = gray.shape
    for index, sl in enumerate(ndimage.find_objects(labels), start=1):
        if sl is None:
            continue
        blob = labels[sl] == index
        size = float(blob.sum())
        # a reflection is a spot on the page; the whole page (or a band across it) lit is not
        too_big = (
            size > 0.4 * text_area
            or sl[0].stop - sl[0].start > 0.6 * (bottom - top)
            or sl[1].stop - sl[1].start > WIDEST * (right - left)
        )
        # big enough to hide a word: a letter and a half tall, five letters wide
        small = sl[0].stop - sl[0].start < 1.5 * letters or sl[1].stop - sl[1].start < 5 * letters
        if small or too_big or not _brighter_than_around(gray, labels, index=index, sl=sl):
            continue
        if not _hides_text(ink, sl, blob=blob, density=density, letters=letters):
            continue
        hidden += size
        if size > best_area:
            best_area = size
            best = (sl[1].start / w, sl[0].start / h, sl[1].stop / w, sl[0].stop / h)
    return min(hidden / text_area, 1.0), best


def _brighter_than_around(
    gray: np.ndarray, labels: np.ndarray, *, index: int, sl: tuple[slice, slice]
) -> bool:
    """The paper in a ring around the blob is darker than the blob on (nearly) every side,
    and at most one side is the table: the blob is a spot on the page (a reflection may run
    off a card's edge; a lit strip along the page's edge has the table beside it and no text
    to hide)."""
    bh, bw = sl[0].stop - sl[0].start, sl[1].stop - sl[1].start
    pad = max(bh, bw) // 2 + 2
    h, w = gray.shape
    y0, y1 = max(sl[0].start - pad, 0), min(sl[0].stop + pad, h)
    x0, x1 = max(sl[1].start - pad, 0), min(sl[1].stop + pad, w)
    window = gray[y0:y1, x0:x1]
    near = ndimage.binary_dilation(labels[y0:y1, x0:x1] == index, iterations=3)
    level = float(np.median(gray[sl][labels[sl] == index]))
    quarters = (
        window[: (y1 - y0) // 3],
        window[2 * (y1 - y0) // 3 :],
        window[:, : (x1 - x0) // 3],
        window[:, 2 * (x1 - x0) // 3 :],
    )
    masks = (
        near[: (y1 - y0) // 3],
        near[2 * (y1 - y0) // 3 :],
        near[:, : (x1 - x0) // 3],
        near[:, 2 * (x1 - x0) // 3 :],
    )
    paper_sides = table_sides = 0
    for part, mask in zip(quarters, masks, strict=True):
        ring = part[~mask]
        if not ring.size:
            continue
        # paper, not ink: the upper quarter of the ring's levels. Much darker is the table
        # beside the page: a lit strip of page along its edge, not a reflection on it.
        drop = level - float(np.percentile(ring, 75))
        paper_sides += 12.0 <= drop <= 70.0
        table_sides += drop > 70.0
    return paper_sides >= 3 and table_sides <= TABLE_SIDES


def _hides_text(
    ink: np.ndarray,
    sl: tuple[slice, slice],
    *,
    blob: np.ndarray,
    density: float,
    letters: float,
) -> bool:
    """Text all around this blob (a band a few letters wide holds the page's usual ink) and
    (nearly) none inside it: the blob interrupts the text, it is not a blank margin."""
    reach = max(int(3 * letters), 6)
    h, w = ink.shape
    y0, y1 = max(sl[0].start - reach, 0), min(sl[0].stop + reach, h)
    x0, x1 = max(sl[1].start - reach, 0), min(sl[1].stop + reach, w)
    # the blob with the words it still shows: bright pixels exclude the ink itself
    filled = ndimage.binary_fill_holes(
        ndimage.binary_closing(np.pad(blob, reach), iterations=max(int(letters), 1))
    )[reach:-reach, reach:-reach]
    band = np.ones((y1 - y0, x1 - x0), dtype=bool)
    band[sl[0].start - y0 : sl[0].stop - y0, sl[1].start - x0 : sl[1].stop - x0] = ~filled
    around = float(ink[y0:y1, x0:x1][band].mean()) if band.any() else 0.0
    inside = float(ink[sl][filled].mean()) if filled.any() else 0.0
    return around >= 0.5 * density and inside <= 0.25 * around
