"""A photographed page's four corners found and warped back to a rectangle."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from bot.documents.imaging import Preprocessing, estimate_skew, prepare
from bot.documents.perspective import page_corners, rectify

CORNERS = np.array([[160.0, 90.0], [1020.0, 170.0], [960.0, 760.0], [120.0, 650.0]])


def _photo() -> tuple[Image.Image, np.ndarray]:
    """A white page with text-like bars seen at an angle on a dark table."""
    page = Image.new("L", (900, 600), 240)
    draw = ImageDraw.Draw(page)
    for row in range(40, 560, 40):
        draw.rectangle((40, row, 40 + 400 + (row % 120) * 3, row + 12), fill=30)
    photo = Image.new("L", (1100, 850), 70)
    width, height = page.size
    # where each photo pixel comes from in the page: the inverse of page -> CORNERS
    source = np.array([[0.0, 0.0], [width, 0.0], [width, height], [0.0, height]])
    rows, values = [], []
    for (x, y), (u, v) in zip(CORNERS, source, strict=True):
        rows += [[x, y, 1, 0, 0, 0, -u * x, -u * y], [0, 0, 0, x, y, 1, -v * x, -v * y]]
        values += [u, v]
    coefficients = tuple(np.linalg.solve(np.array(rows), np.array(values)))
    mask = Image.new("L", photo.size, 0)
    ImageDraw.Draw(mask).polygon([tuple(c) for c in CORNERS], fill=255)
    warped = page.transform(
        photo.size, Image.Transform.PERSPECTIVE, coefficients, resample=Image.Resampling.BILINEAR
    )
    photo.paste(warped, (0, 0), mask)
    return photo, CORNERS


def test_the_corners_of_a_page_on_a_table_are_found() -> None:
    photo, truth = _photo()
    found = page_corners(np.asarray(photo, dtype=np.float32))
    assert found is not None
    assert np.abs(found - truth).max() < 12  # pixels, on a 1100 px photo


def test_the_warped_page_has_level_rows_and_no_table() -> None:
    photo, _ = _photo()
    gray = np.asarray(photo, dtype=np.float32)
    corners = page_corners(gray)
    assert corners is not None
    (flat,) = rectify([gray], corners)
    assert abs(estimate_skew(flat < 128)) < 0.5
    assert float(np.percentile(flat, 5)) < 60  # the bars are kept
    assert float(np.median(flat[:, :20])) > 200  # the table's dark edge is gone
    prepared = prepare(photo.convert("RGB"), Preprocessing())
    assert abs(prepared.angle) < 0.5  # nothing left to deskew


def test_a_scan_and_a_page_cut_by_the_frame_are_left_alone() -> None:
    scan = np.full((800, 600), 240.0, dtype=np.float32)
    scan[100:110, 50:500] = 20
    assert page_corners(scan) is None
    photo, _ = _photo()
    cut = np.asarray(photo, dtype=np.float32)[:, 300:]  # the page's left part out of frame
    assert page_corners(cut) is None


def test_a_corner_in_shadow_darker_than_the_lit_table_stays_on_the_page() -> None:
    # the page's bottom-left corner in a shadow that halves the light: the shadowed paper
    # (~120) falls below a threshold set by the lit paper, yet is lighter than the table
    photo, truth = _photo()
    gray = np.asarray(photo, dtype=np.float32).copy()
    gray[gray == 70] = 100
    ys, xs = np.mgrid[0 : gray.shape[0], 0 : gray.shape[1]]
    shade = np.clip((ys - 0.6 * xs - 350) / 150.0, 0.0, 1.0)  # towards the bottom-left
    shaded = gray * (1.0 - 0.5 * shade)
    assert float(shaded[640, 135]) < 0.6 * 240  # the shadowed corner's paper
    found = page_corners(shaded)
    assert found is not None
    assert np.abs(found - truth).max() < 12
