"""Image preparation for Tesseract: orientation, grey, illumination, skew, scale, binarization.

Each step is a small function on numpy arrays (scipy.ndimage for the morphology) so the
benchmark can switch steps on and off (``Preprocessing``) and measure what each one buys.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps
from scipy import ndimage

from bot.documents.perspective import page_corners, rectify

MAX_SIDE = 3200  # larger photos are shrunk first: Tesseract time grows with pixels


@dataclass(frozen=True, slots=True)
class Preprocessing:
    """Which preparation steps run; the defaults are the pipeline the benchmark chose."""

    illumination: bool = True
    deskew: bool = True
    rescale: bool = True
    binarize: str = "otsu"  # none | otsu | sauvola
    remove_rules: bool = True
    target_height: float = 30.0  # wanted median height (px) of letters after rescaling
    max_scale: float = 2.5
    off_paper: bool = True  # blank what lies around a photographed document
    flatten: bool = True  # warp a photographed page's four corners to a rectangle


@dataclass(frozen=True, slots=True)
class Prepared:
    """The image handed to Tesseract and what was measured on the way."""

    image: Image.Image
    gray: np.ndarray  # illumination-corrected grey at the same geometry, for re-reads
    angle: float
    scale: float
    text_height: float


def heif_available() -> bool:
    """Register pillow-heif's opener with Pillow when the optional package is installed."""
    try:
        import pillow_heif
    except ImportError:
        return False
    pillow_heif.register_heif_opener()  # idempotent and cheap (microseconds)
    return True


def load_image(data: bytes) -> Image.Image:
    """Decode, apply the EXIF orientation, drop alpha; shrink very large photos."""
    with Image.open(io.BytesIO(data)) as opened:
        image = ImageOps.exif_transpose(opened)
        image = image.convert("RGB") if image.mode != "L" else image.copy()
    longest = max(image.size)
    if longest > MAX_SIDE:
        factor = MAX_SIDE / longest
        size = (round(image.width * factor), round(image.height * factor))
        image = image.resize(size, Image.Resampling.LANCZOS)
    return image


def to_gray(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("L"), dtype=np.float32)


def correct_illumination(gray: np.ndarray) -> np.ndarray:
    """Divide by a background estimate (a grey closing at 1/4 scale) to flatten shadows."""
    h, w = gray.shape
    small = np.asarray(
        Image.fromarray(gray.astype(np.uint8)).resize(
            (max(w // 4, 8), max(h // 4, 8)), Image.Resampling.BILINEAR
        ),
        dtype=np.float32,
    )
    size = max(7, round(min(small.shape) / 40) | 1)
    background = ndimage.grey_closing(small, size=(size, size))
    background = ndimage.uniform_filter(background, size=size)
    full = np.asarray(
        Image.fromarray(background.astype(np.uint8)).resize((w, h), Image.Resampling.BILINEAR),
        dtype=np.float32,
    )
    return np.clip(gray / np.maximum(full, 1.0) * 235.0, 0, 255)


def otsu_threshold(gray: np.ndarray) -> float:
    # every other pixel of a large image: the same histogram's shape at a quarter of the cost
    sample = gray[::2, ::2] if gray.size > 1_000_000 else gray
    hist = np.bincount(np.clip(sample, 0, 255).astype(np.uint8).ravel(), minlength=256)
    hist = hist.astype(np.float64)
    total = hist.sum()
    weights = np.cumsum(hist)
    means = np.cumsum(hist * np.arange(256))
    denominator = weights * (total - weights)
    numerator = (means[-1] * weights / total - means) ** 2
    between = np.divide(numerator, denominator, out=np.zeros(256), where=denominator > 0)
    return float(np.argmax(between))


def sauvola(gray: np.ndarray, *, window: int, k: float = 0.2) -> np.ndarray:
    mean = ndimage.uniform_filter(gray, size=window)
    sq = ndimage.uniform_filter(gray * gray, size=window)
    std = np.sqrt(np.maximum(sq - mean * mean, 0))
    light: np.ndarray = gray > mean * (1 + k * (std / 128.0 - 1))
    return light


def paper_mask(gray: np.ndarray) -> np.ndarray:
    """Where the document lies: neighbourhoods bright like paper (True). A photo's table,
    hand or shadowed background is darker; its texture and JPEG noise would otherwise pass
    for thousands of tiny letters."""
    size = max(9, int(0.03 * max(gray.shape)))
    smooth = ndimage.uniform_filter(gray.astype(np.float32), size=size)
    mask: np.ndarray = smooth > 0.6 * np.percentile(smooth, 95)
    return mask


def text_height(ink: np.ndarray, *, gray: np.ndarray | None = None) -> float:
    """Median height of letter-sized connected components of ``ink`` (True = dark); with
    ``gray`` (the photo's grey before illumination correction), only those on the paper."""
    labels, count = ndimage.label(ink)
    if count == 0:
        return 0.0
    top, bottom, left, right = _boxes(labels, count)
    heights, widths = bottom - top, right - left
    ratio = widths / np.maximum(heights, 1)
    letter = (heights >= 4) & (heights <= 200) & (ratio >= 0.15) & (ratio <= 1.6)
    if gray is not None:
        letter &= paper_mask(gray)[(top + bottom) // 2, (left + right) // 2]
    kept = heights[letter]
    return float(np.median(kept)) if kept.size >= 10 else 0.0


def _boxes(labels: np.ndarray, count: int) -> tuple[np.ndarray, ...]:
    """Each label's box (top, bottom, left, right; bottom and right exclusive, as
    ``ndimage.find_objects``' slices), label 1 first. Computed on the arrays at once: a
    scan's nearly blank page binarizes its paper's noise into ~90 000 specks, whose slices
    ``find_objects`` builds one Python object at a time (0.25 s of a 0.36 s measure)."""
    h, w = labels.shape
    flat = labels.ravel()
    at = np.flatnonzero(flat)
    ids = flat[at]
    rows, cols = np.divmod(at, w)
    top = np.full(count + 1, h, dtype=np.int64)
    bottom = np.full(count + 1, -1, dtype=np.int64)
    left = np.full(count + 1, w, dtype=np.int64)
    right = np.full(count + 1, -1, dtype=np.int64)
    np.minimum.at(top, ids, rows)
    np.maximum.at(bottom, ids, rows)
    np.minimum.at(left, ids, cols)
    np.maximum.at(right, ids, cols)
    return top[1:], bottom[1:] + 1, left[1:], right[1:] + 1


def estimate_skew(ink: np.ndarray, *, limit: float = 15.0) -> float:
    """The rotation (degrees) that makes text rows horizontal."""
    return line_fit(ink, limit=limit)[0]


def line_fit(ink: np.ndarray, *, limit: float = 15.0) -> tuple[float, float]:
    """The skew (degrees) that makes text rows horizontal, and how row-like the ink is then.

    Projection profiles of the ink pixels sheared by each candidate angle: the right angle
    gives the spikiest profile (largest sum of squared differences between adjacent rows).
    The score is divided by the squared number of sampled pixels, so the scores of one image
    and of its transpose compare (rows against columns).
    """
    h, w = ink.shape
    step = max(1, round(max(h, w) / 800))
    ys, xs = np.nonzero(ink[::step, ::step])
    if len(xs) < 50:
        return 0.0, 0.0
    xs = xs.astype(np.float64) - xs.mean()
    ys = ys.astype(np.float64)
    span = int(ys.max() + abs(xs).max() * math.tan(math.radians(limit)) * 2 + 4)
    offset = span // 2

    def score(angle: float) -> float:
        rows = np.round(ys - xs * math.tan(math.radians(angle))).astype(np.int64) + offset
        profile = np.bincount(np.clip(rows, 0, 2 * span), minlength=2 * span + 1)
        return float(np.sum(np.diff(profile.astype(np.float64)) ** 2))

    coarse = max(np.arange(-limit, limit + 0.01, 0.5), key=score)
    fine = max(np.arange(coarse - 0.5, coarse + 0.51, 0.1), key=score)
    return float(fine), score(fine) / float(len(xs)) ** 2


THIN = 0.45  # a rule's thickness stays under this share of a letter; an x-height does not
THIN_SHARE = 0.7  # share of a run's ink that must be thin for the run to be a rule
LONG = 25.0  # letter heights: no word is this long without a gap


def rules_mask(ink: np.ndarray, *, letter: float) -> np.ndarray:
    """Long horizontal and vertical strokes (form boxes), which confuse Tesseract.

    A run of ink 4 letter heights long is a rule only when it is thin: most of its ink has
    paper on both sides within ``THIN`` of a letter's height (a box line is a few pixels
    thick). A blurred word's body is also a long run (a 120-dpi scan's "sociedade" is solid
    ink along its x-height), but as thick as the x-height and broken at the next word's gap:
    painted white, the word would read "====". Runs longer than any word (``LONG`` letter
    heights: a photo's document edge) go however thick they are.
    """
    span = max(int(letter * 4), 25)
    across = max(math.ceil(letter * THIN) | 1, 3)  # odd: the opening below is symmetric
    mask = np.zeros_like(ink)
    for axis in (0, 1):
        # thicken across the stroke first, so slightly slanted rules still form one run
        thick = ndimage.maximum_filter1d(ink, size=3, axis=1 - axis).astype(np.float32)
        full = ndimage.uniform_filter1d(thick, size=span, axis=axis) > 0.999
        runs = ndimage.uniform_filter1d(full.astype(np.float32), size=span, axis=axis) > 0
        if runs.any():
            mask |= _strokes(runs, ink, axis=axis, across=across, long=LONG * letter)
    rules: np.ndarray = ndimage.binary_dilation(mask, iterations=1) & ink
    return rules


def _strokes(
    runs: np.ndarray, ink: np.ndarray, *, axis: int, across: int, long: float
) -> np.ndarray:
    """The runs (connected regions of ``runs``, strokes along ``axis``) that are rules: thin
    (mostly ink shorter than ``across`` pixels across the stroke) or ``long`` pixels long."""
    labels, count = ndimage.label(runs)
    body = ndimage.minimum_filter1d(ink, size=across, axis=1 - axis)
    body = ndimage.maximum_filter1d(body, size=across, axis=1 - axis)  # ink >= across thick
    inked = np.bincount(labels[ink], minlength=count + 1)
    thin = np.bincount(labels[ink & ~body], minlength=count + 1)
    rule = thin >= THIN_SHARE * np.maximum(inked, 1)
    for index, box in enumerate(ndimage.find_objects(labels), start=1):
        if box is not None and box[axis].stop - box[axis].start >= long:
            rule[index] = True
    rule[0] = False
    strokes: np.ndarray = rule[labels]
    return strokes


def prepare(
    image: Image.Image,
    options: Preprocessing,
    *,
    flat: np.ndarray | None = None,
    fit: tuple[float, float] | None = None,
    letters: float | None = None,
) -> Prepared:
    """Run the chosen steps; returns the image for Tesseract plus measurements.

    What the caller already measured on the same image, so it is not measured twice:
    ``flat``, the illumination-corrected grey; with it, ``fit``, the ``line_fit`` of its ink
    (``flat < otsu_threshold(flat)``), and ``letters``, that ink's ``text_height`` on the
    paper of ``image`` (used when the page is neither flattened nor turned).
    """
    raw = gray = to_gray(image)
    measured = options.illumination and flat is not None
    if options.illumination:
        gray = flat if flat is not None else correct_illumination(gray)
    ink = gray < otsu_threshold(gray)
    angle, level = (0.0, 0.0)
    if options.deskew:
        angle, level = fit if measured and fit is not None else line_fit(ink)
    flattened = _flattened(raw, gray, level=level) if options.flatten else None
    if flattened is not None:
        raw, gray, ink, angle = flattened
        letters = None
    if abs(angle) >= 0.3:
        letters = None
        raw, gray, ink = _rotated(raw, gray, angle=angle)
    height = letters if measured and letters is not None else text_height(ink, gray=raw)
    if options.remove_rules and height > 0:
        gray = np.where(rules_mask(ink, letter=height), 235.0, gray).astype(np.float32)
    if options.off_paper and height > 0 and flattened is None:  # rectified: no table left
        gray = _blank_off_paper(gray, raw, letter=height)
    scale = 1.0
    if options.rescale and height > 0:
        scale = min(max(options.target_height / height, 0.5), options.max_scale)
        if abs(scale - 1.0) > 0.1:
            size = (round(gray.shape[1] * scale), round(gray.shape[0] * scale))
            gray = np.asarray(
                Image.fromarray(gray.astype(np.uint8)).resize(size, Image.Resampling.BICUBIC),
                dtype=np.float32,
            )
        else:
            scale = 1.0
    if options.binarize == "none":
        out = gray.astype(np.uint8)
    elif options.binarize == "sauvola":
        out = np.where(sauvola(gray, window=max(int(height * scale * 2) | 1, 15)), 255, 0)
    else:
        out = np.where(gray < otsu_threshold(gray), 0, 255)
    return Prepared(Image.fromarray(out.astype(np.uint8)), gray, angle, scale, height * scale)


def _rotated(
    raw: np.ndarray, gray: np.ndarray, *, angle: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The photo as taken and the corrected grey turned level, and the grey's ink: rows
    sloping down to the right (positive angle) need a counter-clockwise turn."""
    turned = Image.fromarray(gray.astype(np.uint8)).rotate(
        angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=235
    )
    level = np.asarray(turned, dtype=np.float32)
    photo = np.asarray(
        Image.fromarray(raw.astype(np.uint8)).rotate(
            angle, resample=Image.Resampling.BILINEAR, expand=True, fillcolor=235
        ),
        dtype=np.float32,
    )
    return photo, level, level < otsu_threshold(level)


def _flattened(
    raw: np.ndarray, gray: np.ndarray, *, level: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float] | None:
    """The photographed page warped to a rectangle (raw, grey, ink, remaining skew), or
    None when no page outline was found or the warp did not level the rows: a shadow
    across a corner can pass for the page's edge, and then the warp tilts the text."""
    corners = page_corners(raw)
    if corners is None:
        return None
    flat_raw, flat_gray = rectify([raw, gray], corners)
    ink = flat_gray < otsu_threshold(flat_gray)
    angle, flat_level = line_fit(ink)
    if abs(angle) > 1.0 or flat_level < level:
        return None
    return flat_raw, flat_gray, ink, angle


def _blank_off_paper(gray: np.ndarray, raw: np.ndarray, *, letter: float) -> np.ndarray:
    """The table, hand or floor around a photographed document made paper-white: their
    texture binarizes into thousands of specks that Tesseract's sparse mode reads one by one
    (a heavy photo took 15 s of CPU instead of 1) and that pass for words."""
    size = max(9, int(0.03 * max(raw.shape)))
    smooth = ndimage.uniform_filter(raw.astype(np.float32), size=size)
    dark = smooth < 0.45 * np.percentile(smooth, 95)  # darker than any shadow on paper
    if dark.mean() < 0.03:
        return gray  # a scan: paper everywhere
    # only what surrounds the document: dark regions reaching the frame's edge
    labels, _ = ndimage.label(dark)
    edge = np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))
    around = np.isin(labels, edge[edge > 0])
    around = ndimage.binary_erosion(around, iterations=max(int(letter), 2))
    return np.where(around, 235.0, gray).astype(np.float32)


def crop(gray: np.ndarray, box: tuple[float, float, float, float], *, pad: float) -> np.ndarray:
    left, top, right, bottom = box
    h, w = gray.shape
    x0, y0 = max(int(left - pad), 0), max(int(top - pad), 0)
    x1, y1 = min(int(math.ceil(right + pad)), w), min(int(math.ceil(bottom + pad)), h)
    return gray[y0:y1, x0:x1]
