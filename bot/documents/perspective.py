"""A photographed page made flat: find the paper's four corners and warp them to a rectangle.

A phone photo of a card on a table is rotated and seen at an angle: its rows slope by
different amounts on the left and on the right, so one deskew angle cannot make them all
level, and a label's row mixes with its value's on one side of the card. When the page lies
on a darker background (a table, a hand), its outline is the largest bright region of the
photo; the four corners of that outline give a homography that maps the page back to a
rectangle, which also drops the table (fewer pixels for Tesseract). Scans (paper to the
frame's edges) and pages cut by the frame are left as they are.
"""

from __future__ import annotations

import math

import numpy as np
from PIL import Image
from scipy import ndimage

__all__ = ["page_corners", "rectify"]

WORK_SIDE = 480  # the outline is found on the photo shrunk to this longest side
EDGE_STEP = 0.4  # Sobel of the log brightness: the paper's edge scores 1-3, a shadow 0.05
GROWN = 1.04  # the grown page replaces the bright one when it is this much larger
Quad = np.ndarray  # 4 x 2 corners (x, y): top-left, top-right, bottom-right, bottom-left


def page_corners(gray: np.ndarray) -> Quad | None:
    """The page's corners in ``gray`` (full-size coordinates), or None when the photo shows
    no page on a darker background (a scan), the page touches the frame, or its outline is
    not a quadrilateral."""
    h, w = gray.shape
    factor = WORK_SIDE / max(h, w)
    small = np.asarray(
        Image.fromarray(np.clip(gray, 0, 255).astype(np.uint8)).resize(
            (max(round(w * factor), 8), max(round(h * factor), 8)), Image.Resampling.BOX
        ),
        dtype=np.float32,
    )
    smooth = ndimage.uniform_filter(small, size=5)
    bright = float(np.percentile(smooth, 95))
    paper = smooth > 0.6 * bright
    if paper.mean() > 0.92 or paper.mean() < 0.15:
        return None  # a scan, or no page to speak of
    labels, count = ndimage.label(paper)
    if count == 0:
        return None
    sizes = ndimage.sum_labels(paper, labels, index=np.arange(1, count + 1))
    page = ndimage.binary_fill_holes(labels == int(np.argmax(sizes)) + 1)
    page = ndimage.binary_opening(page, iterations=2)
    if page.mean() < 0.15 or _touches_frame(page):
        return None
    page = _through_shadow(small, page)
    ys, xs = np.nonzero(page)
    corners = []
    for dx, dy in ((-1, -1), (1, -1), (1, 1), (-1, 1)):
        best = int(np.argmax(dx * xs + dy * ys))
        corners.append((float(xs[best]) + 0.5, float(ys[best]) + 0.5))
    quad: Quad = np.array(corners) / factor
    if not _plausible(quad, area=float(page.sum()) / factor**2):
        return None
    return quad


def _through_shadow(small: np.ndarray, page: np.ndarray) -> np.ndarray:
    """The page grown into its shadowed parts: everything its outline encloses. A shadow
    darkens paper and table alike, so a shadowed corner of the page can be darker than the
    lit table and falls out of a brightness threshold (the warp then cut the card's left
    third off); the page's edge is a step of the brightness ratio wherever the light is,
    a shadow only a slow slope. Kept as found when the grown region reaches the frame (the
    outline has a gap)."""
    ratio = np.log(ndimage.uniform_filter(small, size=3) + 8.0)
    edges = np.hypot(ndimage.sobel(ratio, 0), ndimage.sobel(ratio, 1)) > EDGE_STEP
    open_ = ~edges
    labels, _ = ndimage.label(open_)
    inside = np.unique(labels[page & open_])
    grown = ndimage.binary_fill_holes(np.isin(labels, inside[inside > 0]) | page)
    grown = ndimage.binary_dilation(grown, iterations=1)
    opened: np.ndarray = ndimage.binary_opening(grown, iterations=2)
    if _touches_frame(opened) or opened.sum() < GROWN * page.sum():
        return page  # no shadow took part of the page: its corners as found
    return opened


def _touches_frame(page: np.ndarray) -> bool:
    """More than a sliver of the page's outline lies on the frame: the page was cut."""
    edge = np.concatenate([page[0], page[-1], page[:, 0], page[:, -1]])
    return float(edge.mean()) > 0.02


def _plausible(quad: Quad, *, area: float) -> bool:
    """The corners enclose about the page's area (its outline is a quadrilateral, not a
    blob) and every angle is within 60 degrees of a right angle."""
    x, y = quad[:, 0], quad[:, 1]
    enclosed = 0.5 * abs(float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))))
    if not 0.9 * area <= enclosed <= 1.1 * area:
        return False
    for i in range(4):
        a, b = quad[i - 1] - quad[i], quad[(i + 1) % 4] - quad[i]
        cos = float(np.dot(a, b) / max(np.linalg.norm(a) * np.linalg.norm(b), 1e-6))
        if abs(cos) > math.cos(math.radians(30)):
            return False
    return True


def _coefficients(quad: Quad, *, width: int, height: int) -> tuple[float, ...]:
    """PIL's PERSPECTIVE coefficients mapping the output rectangle onto ``quad``."""
    target = ((0.0, 0.0), (float(width), 0.0), (float(width), float(height)), (0.0, float(height)))
    rows, values = [], []
    for (x, y), (u, v) in zip(target, quad, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        values += [u, v]
    solved = np.linalg.solve(np.array(rows, dtype=np.float64), np.array(values))
    return tuple(float(c) for c in solved)


def rectify(arrays: list[np.ndarray], quad: Quad, *, fill: float = 235.0) -> list[np.ndarray]:
    """Each grey array (same geometry) warped so ``quad`` becomes an upright rectangle whose
    sides keep the page's measured lengths."""
    top, bottom = np.linalg.norm(quad[1] - quad[0]), np.linalg.norm(quad[2] - quad[3])
    left, right = np.linalg.norm(quad[3] - quad[0]), np.linalg.norm(quad[2] - quad[1])
    width, height = max(round(max(top, bottom)), 8), max(round(max(left, right)), 8)
    coefficients = _coefficients(quad, width=width, height=height)
    warped = []
    for array in arrays:
        image = Image.fromarray(np.clip(array, 0, 255).astype(np.uint8))
        out = image.transform(
            (width, height),
            Image.Transform.PERSPECTIVE,
            coefficients,
            resample=Image.Resampling.BICUBIC,
            fillcolor=int(fill),
        )
        warped.append(np.asarray(out, dtype=np.float32))
    return warped
