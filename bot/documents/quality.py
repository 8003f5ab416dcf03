"""Is a photo good enough to read? Measured sharpness, letter size, light, cut edges and glare.

Sharpness is the variance of the Laplacian of the illumination-corrected grey, measured after
scaling the image so letters have a standard height (otherwise a downscaled blurry photo would
look sharp). A verdict of ``poor`` caps the confidence of what is read; ``unreadable`` skips
OCR: the client is told the reason at once (``bot.documents.intake.photo_refusal``), not a
wrong reading after a wait.

Every measurement is physical, none is tuned to one drawing of a document:

- *cut*: letters touching the frame — the document's edge went past the picture and took
  text with it (a scan whose page fills the frame keeps its margins and is not cut);
- *glare*: a blob of clipped, near-white light brighter than the paper around it, lying
  across text rows (ink left and right of it, little inside it): the words under it are gone;
  on white paper, where no spot can be brighter, a long row of letters washed out to a ghost
  (``glare.washed_out_row``, only with ``QualityThresholds.ghost_glare``: off, see there);
- *dark*: the paper itself is dark grey (an unlit room), or paper and ink are too close.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from PIL import Image
from scipy import ndimage

from bot.documents.glare import Box, glare_over_text, washed_out_row
from bot.documents.imaging import (
    correct_illumination,
    otsu_threshold,
    paper_mask,
    text_height,
    to_gray,
)

TIP_PT = (
    "Não consegui ler bem esta imagem. Envie como anexo (Documento) ou o PDF, com o documento "
    "plano, bem iluminado, sem reflexos e inteiro na foto."
)
TIP_EN = (
    "I could not read this image well. Please send it as a Documento attachment or the PDF, "
    "with the document flat, in good light, without glare and the whole page in the picture."
)
STANDARD_HEIGHT = 20.0  # letters are scaled to this height (px) before measuring sharpness
MAX_SCALED = 9_000_000  # pixels of text scaled for the sharpness measure, at most
WHITE_PAPER = 245.0  # paper this bright leaves a reflection no room to be brighter

# Reason codes, most useful first when several apply: what the client should change first.
TOO_SMALL = "letters too small"
BLURRED = "blurred"
CUT = "cropped"
GLARE = "glare"
DARK = "too dark"
LOW_CONTRAST = "low contrast"
REASON_ORDER = (CUT, GLARE, DARK, TOO_SMALL, BLURRED, LOW_CONTRAST)


@dataclass(frozen=True, slots=True)
class QualityThresholds:
    min_text_height: float = 7.0  # px; smaller letters cannot be read
    poor_text_height: float = 10.0
    min_sharpness: float = 180.0
    poor_sharpness: float = 420.0
    min_steadiness: float = 200.0  # the weakest direction's step energy: a shaken photo
    min_contrast: float = 50.0
    poor_contrast: float = 90.0
    min_paper: float = 70.0  # grey level of the paper (90th percentile); below: too dark
    poor_paper: float = 110.0
    cut_letters: int = 4  # letters cut by one edge of the frame before the photo is "cropped"
    # share of the text's extent under glare that hides words (a word-sized blob is ~0.003 of
    # a card's text): refused
    glare_share: float = 0.002
    poor_glare_share: float = 0.002  # no "poor" for glare: it hides words or it does not
    # Glare on white paper as a row of letters washed out to a ghost (``glare.washed_out_row``):
    # off. It caught 8 of 8 tuning and 7 of 8 held-out glare photos with no good photo of
    # either refused, but refused a good photo of a bill in the fresh family, drawn by no one
    # who tuned it (bench/ocr/README, seventh round): a good photo refused is worse than a
    # glare let through, which the reader then reads as uncertain.
    ghost_glare: bool = False


# A PDF's scanned page: its softness is the scanner's resolution, not a shaken hand, and a
# PDF cannot be retaken by holding still; it is read (as poor) unless hopelessly smeared.
SCAN_THRESHOLDS = QualityThresholds(min_sharpness=90.0, min_steadiness=100.0)


@dataclass(frozen=True, slots=True)
class ImageQuality:
    """Measurements of one image and the verdict: ``ok``, ``poor`` or ``unreadable``.

    ``reasons`` holds the codes above (most useful first); ``cut_edges`` the sides of the
    frame that cut text; ``glare_box`` where the largest glare over text is.
    """

    width: int
    height: int
    text_height: float
    sharpness: float
    contrast: float
    verdict: str
    reasons: tuple[str, ...] = field(default=())
    paper: float = 255.0
    glare: float = 0.0
    glare_box: Box | None = None
    cut_edges: tuple[str, ...] = ()

    @property
    def readable(self) -> bool:
        return self.verdict != "unreadable"

    @property
    def main_reason(self) -> str:
        """The reason to tell the client first ("" when nothing is wrong)."""
        return self.reasons[0] if self.reasons else ""


def measure_quality(
    image: Image.Image,
    thresholds: QualityThresholds | None = None,
    *,
    flat: np.ndarray | None = None,
    glare: bool = True,
) -> ImageQuality:
    """Measure ``image`` (already oriented) and judge whether it can be read.

    ``flat``: its illumination-corrected grey, when the caller already computed it.
    ``glare``: measure glare (the intake does; the reader need not: ``_glare``).
    """
    limits = thresholds or QualityThresholds()
    gray = to_gray(image)
    contrast, paper = _levels(gray)
    if flat is None:
        flat = correct_illumination(gray)
    ink = flat < otsu_threshold(flat)
    letters = text_height(ink, gray=gray)  # GEO: letters on the paper only
    sharpness, steadiness = _sharpness(flat, letters, size=image.size)
    area = _text_area(gray, ink)
    if area is not None:
        # paper and contrast where the text is: a small card on a dark table is not a dark
        # photo, and a page with one line of text is not a faded one
        low, paper, high = (float(v) for v in np.percentile(area, [2, 90, 98]))
        contrast = high - low
    edges = cut_edges(ink, letters, gray=gray, paper=paper) if letters > 0 else []
    edges += [(side, limits.cut_letters) for side in page_past_frame(gray, paper=paper)]
    # a shaken photo's smeared letters leave faint streaks like a washed-out row's ghost
    sharp = sharpness >= limits.min_sharpness and steadiness >= limits.min_steadiness
    white = limits.ghost_glare and paper >= WHITE_PAPER and sharp
    found = _glare(gray, ink, flat=flat, letters=letters, white=white) if glare else None
    glare_share, box = found or (0.0, None)
    checks = (
        (TOO_SMALL, letters, limits.min_text_height, limits.poor_text_height),
        (BLURRED, sharpness, limits.min_sharpness, limits.poor_sharpness),
        (BLURRED, steadiness, limits.min_steadiness, limits.min_steadiness),
        (DARK, paper, limits.min_paper, limits.poor_paper),
        (LOW_CONTRAST, contrast, limits.min_contrast, limits.poor_contrast),
        (GLARE, -glare_share, -limits.glare_share, -limits.poor_glare_share),
    )
    cut_sides = tuple(dict.fromkeys(side for side, count in edges if count >= limits.cut_letters))
    hard, soft = _reasons(
        checks, cut=bool(cut_sides), smeared=steadiness < limits.min_steadiness / 4
    )
    verdict = "unreadable" if hard else "poor" if soft else "ok"
    reasons = sorted(hard, key=REASON_ORDER.index) + sorted(soft, key=REASON_ORDER.index)
    return ImageQuality(
        image.width,
        image.height,
        round(letters, 1),
        round(sharpness, 1),
        round(contrast, 1),
        verdict,
        tuple(reasons),
        paper=paper,
        glare=round(glare_share, 4),
        glare_box=box,
        cut_edges=cut_sides,
    )


def _levels(gray: np.ndarray) -> tuple[float, float]:
    """The picture's contrast (2nd to 98th percentile of grey) and its paper's level (90th)."""
    hist = np.cumsum(np.bincount(gray.astype(np.uint8).ravel(), minlength=256))
    lo = float(np.searchsorted(hist, 0.02 * hist[-1]))
    hi = float(np.searchsorted(hist, 0.98 * hist[-1]))
    return hi - lo, float(np.searchsorted(hist, 0.90 * hist[-1]))


def _glare(
    gray: np.ndarray, ink: np.ndarray, *, flat: np.ndarray, letters: float, white: bool
) -> tuple[float, Box | None]:
    """Glare over text: a spot brighter than the paper, or, on a page already as white as
    the picture allows (``white``: no spot can be brighter), a row of letters washed out to
    a ghost.
    Only the intake needs it: glare refuses a photo there or changes nothing, and the reader
    reads photos the intake let through (0.4 s of CPU saved on a scan's 2.5 M pixels)."""
    if letters <= 0:
        return 0.0, None
    share, box = glare_over_text(gray, ink, letters=letters)
    if box is None and white:
        share, box = washed_out_row(flat, ink, paper=paper_mask(gray), letters=letters)
    return share, box


def _reasons(
    checks: tuple[tuple[str, float, float, float], ...], *, cut: bool, smeared: bool
) -> tuple[list[str], list[str]]:
    """The reasons that make a photo unreadable (hard) or poor (soft), each named once."""
    hard: list[str] = []
    soft: list[str] = []
    for reason, value, unusable, weak in checks:
        if value < unusable:
            hard.append(reason)
        elif value < weak:
            soft.append(reason)
    if cut:
        hard.append(CUT)
    if DARK in hard + soft and LOW_CONTRAST in hard + soft:
        soft = [r for r in soft if r != LOW_CONTRAST]  # one cause: the light
        hard = [r for r in hard if r != LOW_CONTRAST]
    if BLURRED in hard and smeared:
        hard = [r for r in hard if r != TOO_SMALL]  # smeared letters measure small
    if BLURRED in hard:
        # a shaken photo's ink smeared thin leaves the paper between rows as bright blobs with
        # edges: glare cannot be told on it, and holding still is what to change first (tuning
        # shaken photos 1000-1009: 5 of 40 cartões told "glare" once a reflection's edge was
        # looked for near its border)
        hard = [r for r in hard if r != GLARE]
        soft = [r for r in soft if r != GLARE]
    return list(dict.fromkeys(hard)), [r for r in dict.fromkeys(soft) if r not in hard]


def _sharpness(flat: np.ndarray, letters: float, *, size: tuple[int, int]) -> tuple[float, float]:
    """Over the text, letters scaled to ``STANDARD_HEIGHT``: the variance of the Laplacian
    (focus), and the weakest of the mean squared steps along four directions (a shaken
    phone smears along one direction, leaving the others sharp: the Laplacian misses it)."""
    if letters <= 0:
        return 0.0, 0.0
    factor = STANDARD_HEIGHT / letters
    flat = _text_window(flat, factor=factor)
    size = (flat.shape[1], flat.shape[0])
    scaled_size = (max(round(size[0] * factor), 8), max(round(size[1] * factor), 8))
    scaled = np.asarray(
        Image.fromarray(flat.astype(np.uint8)).resize(scaled_size, Image.Resampling.BILINEAR),
        dtype=np.float32,
    )
    text_zone = ndimage.binary_dilation(scaled < otsu_threshold(scaled), iterations=2)
    if not text_zone.any():
        return 0.0, 0.0
    lap = ndimage.laplace(scaled)
    steps = []
    for shift in ((0, 1), (1, 0), (1, 1), (1, -1)):
        step = np.roll(scaled, shift, axis=(0, 1)) - scaled
        steps.append(float(np.mean(step[text_zone] ** 2)))
    return float(lap[text_zone].var()), min(steps)


def _text_window(flat: np.ndarray, *, factor: float) -> np.ndarray:
    """A window of the text that is at most ``MAX_SCALED`` pixels once scaled by ``factor``,
    centred on the ink: focus is the same all over a page, and the Laplacian of a whole
    page scaled up (a scan's nearly blank last page: 40 M pixels) cost seconds."""
    h, w = flat.shape
    keep = min(1.0, math.sqrt(MAX_SCALED / max(h * w * factor * factor, 1.0)))
    if keep >= 1.0:
        return flat
    rows, cols = np.nonzero(flat[::4, ::4] < otsu_threshold(flat))
    cy, cx = (
        (4 * float(np.median(rows)), 4 * float(np.median(cols))) if rows.size else (h / 2, w / 2)
    )
    wh, ww = max(int(h * keep), 8), max(int(w * keep), 8)
    y0 = int(min(max(cy - wh / 2, 0), h - wh))
    x0 = int(min(max(cx - ww / 2, 0), w - ww))
    return flat[y0 : y0 + wh, x0 : x0 + ww]


def _text_area(gray: np.ndarray, ink: np.ndarray) -> np.ndarray | None:
    """The grey over the text's extent (5th to 95th percentile of the ink's rows and columns:
    the text's ink is dense, a table's specks sparse), or None without enough ink."""
    rows, cols = np.nonzero(ink[::2, ::2])
    if rows.size < 50:
        return None
    lo_r, hi_r = (2 * np.percentile(rows, [5, 95])).astype(int)
    lo_c, hi_c = (2 * np.percentile(cols, [5, 95])).astype(int)
    area = gray[lo_r : hi_r + 1, lo_c : hi_c + 1]
    return area if area.size >= 100 else None


def cut_edges(
    ink: np.ndarray, letters: float, *, gray: np.ndarray, paper: float
) -> list[tuple[str, int]]:
    """Per side of the frame, how many letter-sized ink shapes it cuts.

    A shape touching the frame is a cut letter when it is about a letter tall or less and not
    much wider than a few letters (rules, shadows and a table's edge are long or large, noise
    specks are tiny) and it sits on paper: the frame's edge around it is about as bright as
    the page (``paper``, the picture's bright level), not a dark table.
    """
    h, w = ink.shape
    # Only shapes touching the frame count, and a cut letter reaches at most 1.6 letters
    # into the picture: label a band that deep along each side, not the whole ink. A shape
    # reaching the band's inner edge is deeper than a letter (a rule, a table's edge) and is
    # refused as in the whole picture; any other is whole inside the band.
    depth = min(int(1.6 * letters) + 2, h, w)
    bands = {
        "top": ink[:depth, :],
        "bottom": ink[h - depth :, :][::-1, :],
        "left": ink[:, :depth].T,
        "right": ink[:, w - depth :][:, ::-1].T,
    }
    result = []
    for side, band in bands.items():
        result.append((side, _cut_letters(band, letters, gray=gray, paper=paper, side=side)))
    return result


def _cut_letters(
    band: np.ndarray, letters: float, *, gray: np.ndarray, paper: float, side: str
) -> int:
    """Letter-sized shapes of ``band`` (the frame's edge is its row 0, along its columns)
    touching the frame and sitting on paper (``cut_edges``)."""
    labels, count = ndimage.label(band)
    ids = np.unique(labels[0])
    ids = ids[ids > 0]
    if count == 0 or ids.size == 0:
        return 0
    slices = ndimage.find_objects(labels)
    sizes = ndimage.sum_labels(band, labels, index=ids)
    h, w = gray.shape
    cut = 0
    for index, ink_size in zip(ids, sizes, strict=True):
        sl = slices[int(index) - 1]
        if sl is None:
            continue
        across, along = sl[0].stop - sl[0].start, sl[1].stop - sl[1].start
        # a letter cut by the frame: part of a letter across the edge, a letter or so along,
        # with a stroke's worth of ink (photo noise gives specks of a few pixels)
        if not (
            0.4 * letters <= across <= 1.6 * letters
            and sl[0].stop < band.shape[0]
            and 0.3 * letters <= along <= 3 * letters
            and ink_size >= 0.15 * letters * letters
        ):
            continue
        # back to the picture's rows and columns, as the whole picture's labelling gave them
        start, stop = sl[1].start, sl[1].stop
        if side in ("top", "bottom"):
            rows = slice(0, across) if side == "top" else slice(h - across, h)
            box = (rows, slice(start, stop))
        else:
            cols = slice(0, across) if side == "left" else slice(w - across, w)
            box = (slice(start, stop), cols)
        cut += _on_paper(gray, box, side=side, letters=letters, paper=paper)
    return cut


def page_past_frame(gray: np.ndarray, *, paper: float) -> list[str]:
    """Sides where the page runs past the frame, in a photo that shows what is around it.

    Along each side, the share of the frame's edge that is page-bright. When two sides show
    the background (a table, a hand: almost no page) and another is mostly page, the page
    was cut there. A scan, all page, and a photo with the whole page inside, none."""
    small = np.asarray(
        Image.fromarray(gray.astype(np.uint8)).resize(
            (max(gray.shape[1] // 4, 8), max(gray.shape[0] // 4, 8)), Image.Resampling.BOX
        ),
        dtype=np.float32,
    )
    page = small >= 0.75 * paper
    depth = 2
    shares = {
        "top": float(page[:depth].mean()),
        "bottom": float(page[-depth:].mean()),
        "left": float(page[:, :depth].mean()),
        "right": float(page[:, -depth:].mean()),
    }
    if sum(share <= 0.1 for share in shares.values()) < 2:
        return []  # not a page framed by its background: a scan (a coloured band at one edge)
    return [side for side, share in shares.items() if share >= 0.4]


def _on_paper(
    gray: np.ndarray, sl: tuple[slice, slice], *, side: str, letters: float, paper: float
) -> bool:
    """The strip of frame edge around a shape is page-bright (its upper half, over ink)."""
    reach = max(int(2 * letters), 4)
    depth = max(int(letters), 2)
    if side in ("top", "bottom"):
        cols = slice(max(sl[1].start - reach, 0), sl[1].stop + reach)
        rows = slice(0, depth) if side == "top" else slice(gray.shape[0] - depth, None)
    else:
        rows = slice(max(sl[0].start - reach, 0), sl[0].stop + reach)
        cols = slice(0, depth) if side == "left" else slice(gray.shape[1] - depth, None)
    strip = gray[rows, cols]
    return strip.size > 0 and float(np.percentile(strip, 75)) >= 0.75 * paper
