"""Glare over text: a blob of clipped light, brighter than the paper around it, where text rows
run (ink beside it, little inside it): the words under it are gone (``quality`` refuses such a
photo; ``glare_field`` names the field it hides).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import ndimage

__all__ = ["Box", "glare_over_text", "washed_out_row"]

Box = tuple[float, float, float, float]  # left, top, right, bottom as fractions of the image
WIDEST = 0.8  # a blob wider than this share of the text's extent is the page lit, not a spot
TABLE_SIDES = 1  # sides of a blob's ring that may be the table: a reflection running off a card
EDGE_RADIUS = 0.25  # a reflection's edge: the paper this share of its radius past it is darker
EDGE_LETTERS = 2.0  # ... and at least two letters past it
GHOST_RUN = 12.0  # letters: a washed-out row this long is text the glare took (a word is 5-8)
GHOST_TEXTURE = 1.6  # the ghost's texture against the blank paper's, in the same photo
GHOST_FLOOR = 0.1  # grey levels: a scan's paper has no noise at all; below this, nothing


def glare_over_text(
    gray: np.ndarray, ink: np.ndarray, *, letters: float
) -> tuple[float, Box | None]:
    """Share of the text area hidden under glare, and the box of the largest such glare.

    Glare is light clipped to near white, brighter than the paper all around it (the paper
    just past its border is darker on every side: a smooth shadow gradient, or a page's
    middle lit by a lamp or the lens's vignetting, is not glare), lying
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
        if small or too_big:
            continue
        if not _brighter_than_around(gray, labels, index=index, sl=sl, edge=_edge(size, letters)):
            continue
        if not _hides_text(ink, sl, blob=blob, density=density, letters=letters):
            continue
        hidden += size
        if size > best_area:
            best_area = size
            best = (sl[1].start / w, sl[0].start / h, sl[1].stop / w, sl[0].stop / h)
    return min(hidden / text_area, 1.0), best


def _edge(size: float, letters: float) -> int:
    """How far past a blob's border its edge is looked for (pixels): a quarter of its radius,
    at least two letters. A reflection ends there; a lamp's falloff does not."""
    return max(round(EDGE_RADIUS * math.sqrt(size / math.pi)), round(EDGE_LETTERS * letters), 3)


def _brighter_than_around(
    gray: np.ndarray, labels: np.ndarray, *, index: int, sl: tuple[slice, slice], edge: int
) -> bool:
    """The paper just outside the blob (within ``edge`` pixels of it) is darker than the blob
    on (nearly) every side, and at most one side is the table: the blob is a spot on the page
    with an edge (a reflection may run off a card's edge; a lit strip along the page's edge has
    the table beside it and no text to hide).

    Only the paper near the border counts: the light of a lamp above the page, or the lens's
    vignetting, falls off from a bright middle gradually, so the middle of a page clipped to
    near white is darker than the paper far around it but not than the paper right beside it
    (fresh family's camera, tuning bills: 4 of 4 good moderate photos were refused as glare
    when the whole ring out to half the blob's size was compared). A reflection ends in a few
    letters: its light is added on top of the page's."""
    pad = edge + 4  # the window holds the ring; its thirds are the blob's sides
    h, w = gray.shape
    y0, y1 = max(sl[0].start - pad, 0), min(sl[0].stop + pad, h)
    x0, x1 = max(sl[1].start - pad, 0), min(sl[1].stop + pad, w)
    window = gray[y0:y1, x0:x1]
    near = _near(labels, index=index, sl=sl, window=(y0, y1, x0, x1))
    # the ring: past the blob's 3 grown pixels, within ``edge`` of it
    outside = _beyond(labels, index=index, window=(y0, y1, x0, x1), edge=edge) | near
    level = float(np.median(gray[sl][labels[sl] == index]))
    quarters = (
        window[: (y1 - y0) // 3],
        window[2 * (y1 - y0) // 3 :],
        window[:, : (x1 - x0) // 3],
        window[:, 2 * (x1 - x0) // 3 :],
    )
    masks = (
        outside[: (y1 - y0) // 3],
        outside[2 * (y1 - y0) // 3 :],
        outside[:, : (x1 - x0) // 3],
        outside[:, 2 * (x1 - x0) // 3 :],
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


def _beyond(
    labels: np.ndarray, *, index: int, window: tuple[int, int, int, int], edge: int
) -> np.ndarray:
    """Over ``window`` (top, bottom, left, right): pixels farther than ``edge`` from blob
    ``index`` (True), measured on a grid of 4 pixels (an edge is tens of pixels)."""
    y0, y1, x0, x1 = window
    step = 4
    coarse = labels[y0:y1:step, x0:x1:step] != index
    far = ndimage.distance_transform_edt(coarse) * step > edge
    grown: np.ndarray = np.repeat(np.repeat(far, step, axis=0), step, axis=1)
    return grown[: y1 - y0, : x1 - x0]


def _near(
    labels: np.ndarray, *, index: int, sl: tuple[slice, slice], window: tuple[int, int, int, int]
) -> np.ndarray:
    """Blob ``index`` grown by 3 pixels, over ``window`` (top, bottom, left, right): grown over the
    blob's box and 3 pixels around it only (the rest of the window cannot be reached)."""
    y0, y1, x0, x1 = window
    near = np.zeros((y1 - y0, x1 - x0), dtype=bool)
    by0, by1 = max(sl[0].start - 3, y0), min(sl[0].stop + 3, y1)
    bx0, bx1 = max(sl[1].start - 3, x0), min(sl[1].stop + 3, x1)
    # grown inside the window alone, as if the window were the whole picture
    near[by0 - y0 : by1 - y0, bx0 - x0 : bx1 - x0] = ndimage.binary_dilation(
        labels[by0:by1, bx0:bx1] == index, iterations=3
    )
    return near


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


def washed_out_row(
    flat: np.ndarray, ink: np.ndarray, *, paper: np.ndarray, letters: float
) -> tuple[float, Box | None]:
    """Glare on white paper: a row of letters washed out to a ghost, and its box.

    On a page already as white as the picture allows, a reflection is no brighter than the
    paper (``glare_over_text`` sees no spot), but the letters under it are not quite gone:
    they leave a faint texture a few levels deep, with no legible ink, where blank paper shows
    only its own noise. A run of such texture along a row, many letters long and with text
    above or below it, is a line of text the glare took. The texture is the step between
    neighbouring pixels across the row (a letter's upright strokes), measured against the
    same step on the photo's blank paper: a brightness edge along the row (a rule, a band of
    another colour) has none. ``paper``: where the document lies (``imaging.paper_mask``).
    Returns the share of the text's extent in the washed-out area, as ``glare_over_text``.
    """
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if rows.size == 0 or letters <= 0:
        return 0.0, None
    text_area = float((rows[-1] + 1 - rows[0]) * (cols[-1] + 1 - cols[0]))
    size = max(round(letters / 2), 3)  # half a letter: a row of letters is two blocks tall
    ghost, blank, strong = _ghost_blocks(flat, ink, paper=paper, size=size, letters=letters)
    run = _longest_ghost_row(
        ghost,
        blank=blank,
        strong=strong,
        min_blocks=GHOST_RUN * letters / size,
        reach=max(round(3 * letters / size), 2),
    )
    if run is None:
        return 0.0, None
    row, start, stop, area = run
    h, w = flat.shape
    box = (
        start * size / w,
        max(row - 1, 0) * size / h,
        stop * size / w,
        min((row + 2) * size, h) / h,
    )
    return min(area * size * size / text_area, 1.0), box


def _blocks(values: np.ndarray, *, size: int, reduce: str) -> np.ndarray:
    """``values`` in square blocks of ``size`` pixels, each reduced to its min/max/mean/all/any."""
    h, w = (values.shape[0] // size) * size, (values.shape[1] // size) * size
    tiles = values[:h, :w].reshape(h // size, size, w // size, size)
    result: np.ndarray = getattr(tiles, reduce)(axis=(1, 3))
    return result


def _ghost_blocks(
    flat: np.ndarray, ink: np.ndarray, *, paper: np.ndarray, size: int, letters: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per block of the page: faint texture and no legible ink (a ghost), blank paper (no
    legible ink near), and legible ink. Legible means deeper than 0.12 of the page's ink."""
    smooth = ndimage.gaussian_filter(flat, max(0.8, letters / 10))
    on_page = _blocks(paper, size=size, reduce="all")
    on_page = ndimage.binary_erosion(on_page, iterations=2)  # away from the page's edge
    if not on_page.any():
        empty = np.zeros_like(on_page)
        return empty, empty, empty
    # the paper's level: every other pixel both ways gives the same median to a tenth of a level
    level = float(np.median(smooth[::2, ::2][paper[::2, ::2]]))
    deepest = level - _blocks(smooth, size=size, reduce="min")
    inked = _blocks(ink, size=size, reduce="any") & on_page
    full = float(np.percentile(deepest[inked], 90)) if inked.any() else 0.0
    strong = deepest >= 0.12 * full
    blank = on_page & ~ndimage.binary_dilation(strong, iterations=1)
    step = np.zeros_like(smooth)
    step[:, 1:] = np.abs(np.diff(smooth, axis=1))
    # a JPEG's 8-pixel blocks step at their borders on a smooth gradient (blurred by the
    # smoothing over a column either side): those columns are not the page's texture
    step[:, (np.arange(step.shape[1]) + 1) % 8 < 3] = 0.0
    texture = _blocks(step, size=size, reduce="mean")
    noise = float(np.median(texture[blank])) if blank.any() else 0.0
    # at the paper's level: a tinted area (a coloured band, a shadow) is not a ghost
    untinted = np.abs(level - _blocks(smooth, size=size, reduce="mean")) < 0.05 * full
    ghost = blank & untinted & (texture >= max(GHOST_TEXTURE * noise, GHOST_FLOOR))
    return ghost, blank, strong


def _longest_ghost_row(
    ghost: np.ndarray,
    *,
    blank: np.ndarray,
    strong: np.ndarray,
    min_blocks: float,
    reach: int,
) -> tuple[int, int, int, int] | None:
    """The longest run of ghost blocks along a row (gaps of one block closed, 0.6 of it ghost)
    at least ``min_blocks`` long with legible text within ``reach`` blocks above or below it:
    (row, first block, end block, ghost blocks in its washed-out area), or None."""
    # a letter is two blocks tall: its ghost spans two rows of blocks (a faint rule, one)
    tall = ghost & (np.roll(ghost, 1, axis=0) | np.roll(ghost, -1, axis=0))
    ghost = tall
    closed = ndimage.binary_closing(ghost, structure=np.ones((1, 3), dtype=bool)) & blank
    runs, count = ndimage.label(closed, structure=np.array([[0, 0, 0], [1, 1, 1], [0, 0, 0]]))
    if count == 0:
        return None
    area, _ = ndimage.label(closed, structure=np.ones((3, 3), dtype=bool))
    best: tuple[int, int, int, int] | None = None
    for sl in ndimage.find_objects(runs):
        if sl is None or sl[1].stop - sl[1].start < min_blocks:
            continue
        row, start, stop = sl[0].start, sl[1].start, sl[1].stop
        if ghost[row, start:stop].mean() < 0.6:
            continue
        near = strong[max(row - reach, 0) : row + reach + 1, start:stop]
        if not near.any():
            continue
        if best is None or stop - start > best[2] - best[1]:
            region = area == area[row, start]
            best = (row, start, stop, int((ghost & region).sum()))
    return best
