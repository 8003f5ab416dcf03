"""Is a photo good enough to read? Measured sharpness, letter size and contrast, with a tip.

Sharpness is the variance of the Laplacian of the illumination-corrected grey, measured after
scaling the image so letters have a standard height (otherwise a downscaled blurry photo would
look sharp). A verdict of ``poor`` caps the confidence of what is read; ``unreadable`` skips
OCR and returns the tip instead of a wrong reading.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from PIL import Image
from scipy import ndimage

from bot.documents.imaging import correct_illumination, otsu_threshold, text_height, to_gray

TIP_PT = (
    "Não consegui ler bem esta imagem. Envie como anexo (Documento) ou o PDF, com o documento "
    "plano, bem iluminado, sem reflexos e inteiro na foto."
)
TIP_EN = (
    "I could not read this image well. Please send it as a Documento attachment or the PDF, "
    "with the document flat, in good light, without glare and the whole page in the picture."
)
STANDARD_HEIGHT = 20.0  # letters are scaled to this height (px) before measuring sharpness


@dataclass(frozen=True, slots=True)
class QualityThresholds:
    min_text_height: float = 7.0  # px; smaller letters cannot be read
    poor_text_height: float = 10.0
    min_sharpness: float = 180.0
    poor_sharpness: float = 420.0
    min_contrast: float = 50.0
    poor_contrast: float = 90.0


@dataclass(frozen=True, slots=True)
class ImageQuality:
    """Measurements of one image and the verdict: ``ok``, ``poor`` or ``unreadable``."""

    width: int
    height: int
    text_height: float
    sharpness: float
    contrast: float
    verdict: str
    reasons: tuple[str, ...] = field(default=())

    @property
    def readable(self) -> bool:
        return self.verdict != "unreadable"


def measure_quality(
    image: Image.Image,
    thresholds: QualityThresholds | None = None,
    *,
    flat: np.ndarray | None = None,
) -> ImageQuality:
    """Measure ``image`` (already oriented) and judge whether it can be read.

    ``flat``: its illumination-corrected grey, when the caller already computed it.
    """
    limits = thresholds or QualityThresholds()
    gray = to_gray(image)
    hist = np.cumsum(np.bincount(gray.astype(np.uint8).ravel(), minlength=256))
    lo = float(np.searchsorted(hist, 0.02 * hist[-1]))
    hi = float(np.searchsorted(hist, 0.98 * hist[-1]))
    contrast = hi - lo
    if flat is None:
        flat = correct_illumination(gray)
    ink = flat < otsu_threshold(flat)
    letters = text_height(ink)
    sharpness = 0.0
    if letters > 0:
        factor = STANDARD_HEIGHT / letters
        size = (max(round(image.width * factor), 8), max(round(image.height * factor), 8))
        scaled = np.asarray(Image.fromarray(flat.astype(np.uint8)).resize(
            size, Image.Resampling.BILINEAR), dtype=np.float32)
        lap = ndimage.laplace(scaled)
        text_zone = ndimage.binary_dilation(scaled < otsu_threshold(scaled), iterations=2)
        sharpness = float(lap[text_zone].var()) if text_zone.any() else 0.0
    reasons: list[str] = []
    verdict = "ok"
    checks = (
        ("letters too small", letters, limits.min_text_height, limits.poor_text_height),
        ("blurred", sharpness, limits.min_sharpness, limits.poor_sharpness),
        ("low contrast", contrast, limits.min_contrast, limits.poor_contrast),
    )
    for reason, value, hard, soft in checks:
        if value < hard:
            verdict = "unreadable"
            reasons.append(reason)
        elif value < soft:
            verdict = "poor" if verdict == "ok" else verdict
            reasons.append(reason)
    return ImageQuality(image.width, image.height, round(letters, 1), round(sharpness, 1),
                        round(contrast, 1), verdict, tuple(reasons))
