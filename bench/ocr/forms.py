"""A pen for form-like documents: labels above or beside values, boxed or not, in a family.

Every specimen (cartão CNPJ, CNH, RG, CIN, utility bill) is written with a ``Pen``: it keeps
the family's fonts, inks and spacing for one document, so a layout function only says where
each field goes and what it says.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from bench.ocr.families import Family
from bench.ocr.layouts import Block, Layout, Rule, Text
from bench.ocr.render import PT_TO_MM, _font

MmBox = tuple[float, float, float, float]


def text_width(text: str, *, font: str, size: float, bold: bool = False) -> float:
    """Width in millimetres of ``text`` at ``size`` points (as both renderers draw it)."""
    return _font(font, bold=bold, px=100).getlength(text) / 100 * size * PT_TO_MM * 1.35


def text_box(t: Text, lay: Layout) -> MmBox:
    """Where a run of text sits on the page, in millimetres."""
    width = text_width(t.text, font=t.font or lay.font, size=t.size, bold=t.bold)
    if not t.center_in:  # the renderers shrink a run to its room
        width = min(width, t.max_width or lay.width - t.x - 3)
    x = t.x + (t.center_in - width) / 2 if t.center_in else t.x
    return (x, t.y, x + width, t.y + t.size * PT_TO_MM * 1.35)


@dataclass
class Pen:
    """Draws fields on ``lay`` in the style of ``fam``, fixed per document from ``rng``."""

    lay: Layout
    fam: Family
    rng: random.Random
    label_font: str = ""
    value_font: str = ""
    label_pt: float = 5.5
    value_pt: float = 8.0
    gap: float = 1.0
    label_ink: tuple[int, int, int] = (60, 60, 60)
    value_ink: tuple[int, int, int] = (20, 20, 20)
    rule_width: float = 0.2
    value_bold: bool = True
    boxes: dict[str, MmBox] = field(default_factory=dict)  # where named values were drawn

    @classmethod
    def start(
        cls,
        lay: Layout,
        fam: Family,
        *,
        rng: random.Random,
        fonts: tuple[str, ...],
        label_ink: tuple[int, int, int] | None = None,
    ) -> Pen:
        font = rng.choice(fonts)
        lay.font = font
        pen = cls(
            lay,
            fam,
            rng,
            label_font=font,
            value_font=font,
            label_pt=fam.pick(rng, fam.label_pt),
            value_pt=fam.pick(rng, fam.value_pt),
            gap=fam.pick(rng, fam.gap),
            label_ink=label_ink or rng.choice(fam.label_inks),
            value_ink=rng.choice(fam.value_inks),
            rule_width=rng.uniform(*fam.rule_width),
        )
        if fam.split:  # the ends of two ranges may meet: a label never outgrows its value
            pen.label_pt = min(pen.label_pt, pen.value_pt * 0.8)
        return pen

    def fit(self, *, label_pt: float, value_pt: float, gap: float) -> None:
        """Cap sizes and spacing where fields sit on a fixed grid (cards), so none overlap."""
        self.label_pt = min(self.label_pt, label_pt)
        self.value_pt = min(self.value_pt, value_pt)
        self.gap = min(self.gap, gap)

    def field_height(self, lines: int = 1) -> float:
        """Millimetres a label-above field of ``lines`` value lines takes."""
        k = PT_TO_MM * 1.35
        return self.label_pt * k * self.gap + 0.6 + lines * self.value_pt * k * 1.15 + 0.6

    def text(
        self,
        x: float,
        y: float,
        *,
        text: str,
        size: float,
        bold: bool = False,
        center_in: float = 0.0,
        ink: tuple[int, int, int] | None = None,
        max_width: float = 0.0,
        font: str = "",
    ) -> None:
        self.lay.texts.append(
            Text(
                x,
                y,
                text,
                size,
                bold=bold,
                color=ink or self.value_ink,
                center_in=center_in,
                max_width=max_width,
                font=font or self.value_font,
            )
        )

    def box(self, x: float, y: float, *, w: float, h: float) -> None:
        rw, ink = self.rule_width, (60, 60, 60)
        self.lay.rules += [
            Rule(x, y, x + w, y, rw, ink),
            Rule(x, y + h, x + w, y + h, rw, ink),
            Rule(x, y, x, y + h, rw, ink),
            Rule(x + w, y, x + w, y + h, rw, ink),
        ]

    def field(
        self,
        x: float,
        y: float,
        *,
        label: str,
        value: str,
        name: str = "",
        beside: bool = False,
        extra: tuple[str, ...] = (),
        max_width: float = 0.0,
        colon: bool = False,
    ) -> float:
        """A label and its value (above it, or beside it); returns the y below the field."""
        lab = f"{label}:" if colon and beside else label
        self.lay.texts.append(
            Text(x, y, lab, self.label_pt, color=self.label_ink, font=self.label_font)
        )
        value_pt = self.value_pt
        if beside:
            vx = x + text_width(lab, font=self.label_font, size=self.label_pt) + 1.5 * self.gap
            vy = y - (value_pt - self.label_pt) * PT_TO_MM * 1.35 * 0.75
            if max_width:
                max_width = max(max_width - (vx - x), 10.0)
        else:
            vx, vy = x, y + self.label_pt * PT_TO_MM * 1.35 * self.gap + 0.6
        pitch = value_pt * PT_TO_MM * 1.35 * 1.15
        for i, line in enumerate((value, *extra)):
            t = Text(
                vx,
                vy + i * pitch,
                line,
                value_pt,
                bold=self.value_bold,
                color=self.value_ink,
                max_width=max_width,
                font=self.value_font,
            )
            self.lay.texts.append(t)
            if i == 0 and name:
                self.boxes[name] = text_box(t, self.lay)
        return vy + (1 + len(extra)) * pitch + 0.6

    def bars(self, x: float, y: float, *, w: float, h: float) -> None:
        """A bar code (an interleaved-2-of-5-looking run of bars)."""
        at = x
        while at < x + w:
            bar = self.rng.choice((0.25, 0.25, 0.5, 0.75))
            self.lay.blocks.append(Block(at, y, bar, h))
            at += bar + self.rng.choice((0.25, 0.5))

    def qr(self, x: float, y: float, *, side: float) -> None:
        """QR-code-looking modules (noise for the reader, as on the CNH-e and bills)."""
        n = 25
        cell = side / n
        for i in range(n):
            for j in range(n):
                corner = (i < 7 and j < 7) or (i < 7 and j >= n - 7) or (i >= n - 7 and j < 7)
                if corner or self.rng.random() < 0.45:
                    self.lay.blocks.append(Block(x + i * cell, y + j * cell, cell, cell))
