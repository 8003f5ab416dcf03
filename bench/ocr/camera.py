"""Phone photos of a flat page: table or hand, perspective, shadow, glare, folds, blur, JPEG.

``photograph`` is the original camera of the legacy sets (kept byte-for-byte). ``shoot`` is the
camera of the drawing families: the page lies on a table or is held in a hand (a skin-coloured
thumb over an edge), may carry a fold and a soft glare patch, and is photographed at a level of
``moderate`` or ``heavy``; everything stays readable. ``spoil`` makes the photos a reader must
refuse: ``blurred`` (shaken), ``cropped`` (the frame cuts a part of the document), ``glare`` (a
reflection that washes out a named field), ``small`` (too far or too few pixels), ``dark``.
"""

from __future__ import annotations

import io
import math
import random
from dataclasses import dataclass, field

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in pixels of the flat page
DEFECTS = ("blurred", "cropped", "glare", "small", "dark")


@dataclass
class Shot:
    """A photo as sent (JPEG bytes), its numeric parameters and its notes (scene, defect...)."""

    data: bytes
    params: dict[str, float] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)


def _homography(src: list[tuple[float, float]], dst: list[tuple[float, float]]) -> np.ndarray:
    a, b = [], []
    for (x, y), (u, v) in zip(src, dst, strict=True):
        a.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        a.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        b += [u, v]
    h = np.linalg.solve(np.array(a, dtype=float), np.array(b, dtype=float))
    return np.append(h, 1.0).reshape(3, 3)


def _warp(
    img: Image.Image, rng: random.Random, *, tilt: float, angle: float, fill: tuple[int, int, int]
) -> tuple[Image.Image, np.ndarray]:
    """Perspective and rotation in one resampling; also the matrix from old to new pixels."""
    w, h = img.size
    corners = [(0.0, 0.0), (w, 0.0), (w, h), (0.0, h)]
    moved = [
        (x + rng.uniform(-tilt, tilt) * w, y + rng.uniform(-tilt, tilt) * w) for x, y in corners
    ]
    rad = math.radians(angle)
    rot = np.array(
        [[math.cos(rad), math.sin(rad), 0], [-math.sin(rad), math.cos(rad), 0], [0, 0, 1]]
    )
    forward = rot @ _homography(corners, moved)
    pts = forward @ np.array([[x, y, 1.0] for x, y in corners]).T
    xs, ys = pts[0] / pts[2], pts[1] / pts[2]
    shift = np.array([[1, 0, -xs.min()], [0, 1, -ys.min()], [0, 0, 1]])
    inverse = np.linalg.inv(shift @ forward)
    inverse /= inverse[2, 2]
    size = (math.ceil(xs.max() - xs.min()), math.ceil(ys.max() - ys.min()))
    out = img.transform(
        size,
        Image.Transform.PERSPECTIVE,
        tuple(inverse.flatten()[:8].tolist()),
        Image.Resampling.BILINEAR,
        fillcolor=fill,
    )
    return out, shift @ forward


def _camera(img: Image.Image, rng: random.Random, *, tilt: float, angle: float) -> Image.Image:
    return _warp(img, rng, tilt=tilt, angle=angle, fill=(90, 75, 60))[0]


def _shade(
    img: Image.Image, rng: random.Random, *, depths: tuple[float, float], vignette: bool = False
) -> tuple[Image.Image, float]:
    """A shadow (the phone or a hand) falling off from a random point, and a side gradient.

    ``vignette``: instead, the light falls off from an off-centre bright spot towards every
    edge (a lamp above the page and the lens's own vignetting).
    """
    ww, hh = img.size
    sw, sh = max(ww // 16, 2), max(hh // 16, 2)
    yy, xx = np.mgrid[0:sh, 0:sw].astype(np.float32)
    cx, cy = rng.uniform(0, sw), rng.uniform(0, sh)
    depth = rng.uniform(*depths)
    if vignette:
        cx, cy = (cx + sw / 2) / 2, (cy + sh / 2) / 2  # the bright spot near the middle
        dist = np.sqrt(((xx - cx) / sw) ** 2 + ((yy - cy) / sh) ** 2)
        light = 1.0 - depth * np.clip(dist * 1.6, 0, 1) ** 2
    else:
        dist = np.sqrt((xx - cx) ** 2 + (yy - cy) ** 2) / max(sw, sh)
        light = (1.0 - depth * np.clip(1.2 - dist * 1.8, 0, 1)) * (
            1.0 - rng.uniform(0, 0.2) * xx / sw
        )
    light_img = Image.fromarray((light * 255).astype(np.uint8)).resize(
        (ww, hh), Image.Resampling.BILINEAR
    )
    arr = np.asarray(img).astype(np.float32) * (np.asarray(light_img, np.float32) / 255)[..., None]
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8)), depth


def _noise_jpeg(img: Image.Image, rng: random.Random, *, sigma: float, quality: int) -> bytes:
    nrng = np.random.default_rng(rng.randrange(2**32))
    noisy = np.asarray(img).astype(np.float32) + nrng.normal(0, sigma, (img.height, img.width, 1))
    buf = io.BytesIO()
    Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8)).save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def photograph(
    img: Image.Image, *, rng: random.Random, level: str, quarter_turns: int = 0
) -> tuple[bytes, dict[str, float]]:
    """The legacy sets' camera: a page on a table, sent through WhatsApp (JPEG).

    ``quarter_turns``: the phone held sideways or upside down (counter-clockwise turns of 90
    degrees), with no EXIF orientation to undo it.
    """
    heavy = level == "heavy"
    margin = rng.uniform(0.02, 0.08 if not heavy else 0.12)
    w, h = img.size
    table = Image.new(
        "RGB",
        (round(w * (1 + 2 * margin)), round(h * (1 + 2 * margin))),
        (rng.randrange(70, 140), rng.randrange(55, 110), rng.randrange(40, 90)),
    )
    table.paste(img, (round(w * margin), round(h * margin)))
    angle = rng.uniform(-15, 15) if heavy else rng.uniform(-7, 7)
    img = _camera(table, rng, tilt=0.03 if heavy else 0.012, angle=angle)
    img, depth = _shade(img, rng, depths=(0.35, 0.55) if heavy else (0.1, 0.3))
    blur = rng.uniform(1.2, 2.2) if heavy else rng.uniform(0.3, 1.0)
    img = img.filter(ImageFilter.GaussianBlur(blur))
    target = rng.randrange(700, 1100) if heavy else rng.randrange(1200, 1600)
    img = img.resize((target, round(img.height * target / img.width)), Image.Resampling.LANCZOS)
    nrng = np.random.default_rng(rng.randrange(2**32))
    sigma = rng.uniform(6, 12) if heavy else rng.uniform(2, 6)
    noisy = np.asarray(img).astype(np.float32) + nrng.normal(0, sigma, (img.height, img.width, 1))
    img = Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8))
    quality = rng.randrange(35, 50) if heavy else rng.randrange(50, 76)
    if quarter_turns % 4:
        img = img.rotate(90 * quarter_turns, expand=True)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality)
    params = {
        "angle": round(angle, 2),
        "blur": round(blur, 2),
        "width": float(target),
        "jpeg": float(quality),
        "shadow": round(depth, 2),
        "noise": round(sigma, 1),
        "turn": float(90 * (quarter_turns % 4)),
    }
    return buf.getvalue(), params


# --- effects on the flat page, before the camera -------------------------------------------


def _overlap(a: Box, b: Box) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return max(w, 0) * max(h, 0)


def add_thumb(
    page: Image.Image, rng: random.Random, *, avoid: list[Box], protect: list[Box]
) -> str:
    """A thumb over one edge of the page, where it hides the least text; returns the edge.

    It never covers a ``protect`` box (the values a reader must return): when every place
    tried would, the hand holds the page out of sight and "" is returned.
    """
    w, h = page.size
    size = 0.1 * min(w, h) + 0.06 * max(w, h)
    best: tuple[float, Box, str] | None = None
    for _ in range(16):
        edge = rng.choice(("left", "right", "top", "bottom"))
        along = rng.uniform(0.15, 0.85)
        tw, th = (size * 1.6, size) if edge in ("left", "right") else (size, size * 1.6)
        cx = {"left": 0.0, "right": float(w)}.get(edge, along * w)
        cy = {"top": 0.0, "bottom": float(h)}.get(edge, along * h)
        box = (cx - tw / 2, cy - th / 2, cx + tw / 2, cy + th / 2)
        if any(_overlap(box, p) > 0 for p in protect):
            continue
        hidden = sum(_overlap(box, a) for a in avoid)
        if best is None or hidden < best[0]:
            best = (hidden, box, edge)
    if best is None:
        return ""
    _, box, edge = best
    skin = rng.choice(((224, 172, 140), (198, 134, 98), (141, 85, 56), (236, 196, 170)))
    layer = Image.new("L", page.size, 0)
    ImageDraw.Draw(layer).ellipse(box, fill=255)
    layer = layer.filter(ImageFilter.GaussianBlur(max(w, h) / 300))
    shade = Image.new("RGB", page.size, skin)
    nail = ImageDraw.Draw(shade)
    nx0, ny0, nx1, ny1 = box
    nail.ellipse(
        (
            nx0 + (nx1 - nx0) * 0.3,
            ny0 + (ny1 - ny0) * 0.3,
            nx0 + (nx1 - nx0) * 0.6,
            ny0 + (ny1 - ny0) * 0.6,
        ),
        fill=tuple(min(c + 25, 255) for c in skin),
    )
    page.paste(shade, (0, 0), layer)
    return edge


def add_glare(
    page: Image.Image, rng: random.Random, *, strength: float, box: Box | None = None
) -> None:
    """A reflection: a white elliptical patch, ``strength`` 0..1 at its centre."""
    w, h = page.size
    if box is None:
        cx, cy = rng.uniform(0.2, 0.8) * w, rng.uniform(0.2, 0.8) * h
        rx, ry = rng.uniform(0.08, 0.18) * w, rng.uniform(0.06, 0.14) * h
    else:
        cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
        rx, ry = max((box[2] - box[0]) * 0.58, 0.08 * w), max((box[3] - box[1]) * 1.2, 0.05 * h)
    k = 8  # the patch is smooth: work out its strength on a coarse grid, then enlarge it
    yy, xx = np.mgrid[0:h:k, 0:w:k].astype(np.float32)
    d = ((xx - cx) / rx) ** 2 + ((yy - cy) / ry) ** 2
    coarse = (255 * strength * np.clip((1.6 - d) / 0.6, 0, 1)).astype(np.uint8)  # flat top
    alpha = (
        np.asarray(Image.fromarray(coarse).resize((w, h), Image.Resampling.BILINEAR), np.float32)
        / 255
    )
    arr = np.asarray(page).astype(np.float32)
    lit = arr * (1 - alpha[..., None]) + 255 * alpha[..., None]
    page.paste(Image.fromarray(np.clip(lit, 0, 255).astype(np.uint8)))


def add_fold(page: Image.Image, rng: random.Random, *, depth: float) -> str:
    """A crease at a third or a half of the page: a light line and a shaded side."""
    w, h = page.size
    vertical = rng.random() < 0.5
    at = rng.choice((1 / 3, 1 / 2, 2 / 3)) * (w if vertical else h)
    dist = np.arange(w if vertical else h, dtype=np.float32) - at
    span = 0.08 * (w if vertical else h)
    shade = 1 - depth * np.clip(1 - np.abs(dist) / span, 0, 1) * (dist > 0)
    profile = shade * (1 + 0.25 * np.exp(-((dist / max(w, h) * 400) ** 2)))
    factor = profile[None, :, None] if vertical else profile[:, None, None]
    arr = np.asarray(page).astype(np.float32) * factor
    page.paste(Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8)))
    return "vertical" if vertical else "horizontal"


def _corner(img: Image.Image) -> tuple[int, int, int]:
    r, g, b = img.convert("RGB").getpixel((0, 0))  # type: ignore[misc]
    return int(r), int(g), int(b)


def _scene(
    page: Image.Image, rng: random.Random, *, margin: float, hand: bool
) -> tuple[Image.Image, Box]:
    """The page on a table (wood tones) or held before a room (dim, blotchy), and where it is."""
    w, h = page.size
    size = (round(w * (1 + 2 * margin)), round(h * (1 + 2 * margin)))
    if hand:
        base = np.array([rng.randrange(40, 120), rng.randrange(40, 110), rng.randrange(40, 110)])
    else:
        base = np.array([rng.randrange(70, 140), rng.randrange(55, 110), rng.randrange(40, 90)])
    small = np.random.default_rng(rng.randrange(2**32)).normal(0, 18, (6, 6, 1)) + base
    back = Image.fromarray(np.clip(small, 0, 255).astype(np.uint8)).resize(
        size, Image.Resampling.BICUBIC
    )
    x0, y0 = round(w * margin), round(h * margin)
    back.paste(page, (x0, y0))
    return back, (x0, y0, x0 + w, y0 + h)


@dataclass(frozen=True)
class Level:
    angle: float
    tilt: float
    shadow: tuple[float, float]
    blur: tuple[float, float]
    width: tuple[int, int]
    noise: tuple[float, float]
    jpeg: tuple[int, int]
    glare: float  # strength of the soft glare, when there is one
    fold: float
    vignette: bool = False  # light falling off to the edges, not a shadow from one side


LEVELS = {
    "moderate": Level(7, 0.012, (0.1, 0.3), (0.3, 1.0), (1200, 1600), (2, 6), (50, 76), 0.35, 0.12),
    "heavy": Level(15, 0.03, (0.3, 0.5), (1.0, 1.8), (850, 1150), (5, 10), (38, 52), 0.5, 0.22),
}
# the fresh family's phone: lower JPEG qualities and sizes that overlap the others' in part,
# and vignetting instead of a cast shadow
FRESH_LEVELS = {
    "moderate": Level(
        7, 0.012, (0.15, 0.35), (0.3, 1.0), (1100, 1500), (2, 6), (42, 68), 0.35, 0.12, True
    ),
    "heavy": Level(
        15, 0.03, (0.3, 0.5), (1.0, 1.8), (800, 1100), (5, 10), (32, 47), 0.5, 0.22, True
    ),
}


def shoot(
    page: Image.Image,
    *,
    rng: random.Random,
    level: str,
    avoid: list[Box],
    protect: list[Box],
    family: str = "",
) -> Shot:
    """A readable phone photo of ``page`` at ``level`` (moderate | heavy).

    ``avoid``: text boxes of the page, in its pixels, that the thumb should cover least;
    ``protect``: the boxes of the values to read, which it never covers; ``family``: "fresh"
    takes the photo with ``FRESH_LEVELS``.
    """
    lv = (FRESH_LEVELS if family == "fresh" else LEVELS)[level]
    page = page.copy()
    notes: dict[str, str] = {}
    if rng.random() < (0.3 if level == "moderate" else 0.5):
        notes["fold"] = add_fold(page, rng, depth=lv.fold)
    if rng.random() < (0.35 if level == "moderate" else 0.5):
        add_glare(page, rng, strength=lv.glare)
        notes["glare"] = "soft"
    hand = rng.random() < 0.4
    if hand:
        notes["thumb"] = add_thumb(page, rng, avoid=avoid, protect=protect) or "none"
    notes["scene"] = "hand" if hand else "table"
    scene, _ = _scene(page, rng, margin=rng.uniform(0.03, 0.1), hand=hand)
    angle = rng.uniform(-lv.angle, lv.angle)
    img, _ = _warp(scene, rng, tilt=lv.tilt, angle=angle, fill=_corner(scene))
    img, depth = _shade(img, rng, depths=lv.shadow, vignette=lv.vignette)
    blur = rng.uniform(*lv.blur)
    img = img.filter(ImageFilter.GaussianBlur(blur))
    target = rng.randrange(*lv.width)
    img = img.resize((target, round(img.height * target / img.width)), Image.Resampling.LANCZOS)
    sigma, quality = rng.uniform(*lv.noise), rng.randrange(*lv.jpeg)
    params = {
        "angle": round(angle, 2),
        "blur": round(blur, 2),
        "width": float(target),
        "jpeg": float(quality),
        "shadow": round(depth, 2),
        "noise": round(sigma, 1),
    }
    return Shot(_noise_jpeg(img, rng, sigma=sigma, quality=quality), params, notes)


# --- photos to refuse --------------------------------------------------------------------


def _shake(img: Image.Image, rng: random.Random, *, length: int) -> Image.Image:
    """Motion blur: the mean of the image shifted along one direction (a shaken phone)."""
    arr = np.asarray(img).astype(np.float32)
    angle = rng.uniform(0, math.pi)
    acc = np.zeros_like(arr)
    for k in range(length):
        dx = round((k - length / 2) * math.cos(angle))
        dy = round((k - length / 2) * math.sin(angle))
        acc += np.roll(np.roll(arr, dy, axis=0), dx, axis=1)
    return Image.fromarray(np.clip(acc / length, 0, 255).astype(np.uint8))


def _corners(matrix: np.ndarray, box: Box) -> tuple[np.ndarray, np.ndarray]:
    x0, y0, x1, y1 = box
    pts = matrix @ np.array([[x0, y0, 1.0], [x1, y0, 1.0], [x1, y1, 1.0], [x0, y1, 1.0]]).T
    return pts[0] / pts[2], pts[1] / pts[2]


def spoil(
    page: Image.Image, *, rng: random.Random, defect: str, region: Box | None, region_name: str
) -> Shot:
    """A photo of ``page`` the reader must refuse, for ``defect`` (one of ``DEFECTS``).

    ``region``: the box of the field the glare should wash out (named ``region_name``).
    """
    page = page.copy()
    notes = {"defect": defect}
    if defect == "glare":
        add_glare(page, rng, strength=rng.uniform(0.95, 1.0), box=region)
        notes["region"] = region_name if region is not None else "texto"
    far = defect == "small" and rng.random() < 0.5
    margin = rng.uniform(1.0, 1.4) if far else rng.uniform(0.03, 0.08)
    scene, doc = _scene(page, rng, margin=margin, hand=rng.random() < 0.3)
    angle = rng.uniform(-5, 5)
    img, matrix = _warp(scene, rng, tilt=0.01, angle=angle, fill=_corner(scene))
    img = img.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 0.8)))
    if defect == "cropped":
        xs, ys = _corners(matrix, doc)
        side, cut = rng.choice(("left", "right", "top", "bottom")), rng.uniform(0.18, 0.35)
        left, top, right, bottom = 0.0, 0.0, float(img.width), float(img.height)
        if side == "left":
            left = xs.min() + cut * (xs.max() - xs.min())
        elif side == "right":
            right = xs.max() - cut * (xs.max() - xs.min())
        elif side == "top":
            top = ys.min() + cut * (ys.max() - ys.min())
        else:
            bottom = ys.max() - cut * (ys.max() - ys.min())
        img = img.crop((round(left), round(top), round(right), round(bottom)))
        notes["side"] = side
    if defect == "small" and not far:
        target = rng.randrange(300, 430)
    else:
        target = rng.randrange(1200, 1600)
    img = img.resize(
        (target, max(round(img.height * target / img.width), 1)), Image.Resampling.LANCZOS
    )
    if defect == "blurred":
        img = _shake(img, rng, length=rng.randrange(14, 24))
    sigma = 3.0
    if defect == "dark":
        arr = np.asarray(img).astype(np.float32) * rng.uniform(0.08, 0.16)
        img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
        sigma = 2.0
    quality = rng.randrange(55, 80)
    return Shot(
        _noise_jpeg(img, rng, sigma=sigma, quality=quality),
        {"width": float(target), "jpeg": float(quality)},
        notes,
    )
