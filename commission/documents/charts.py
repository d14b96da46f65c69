"""The two panels side by side, per criterion, readable without colour.

Horizontal bars, one pair per criterion: the community panel's mean as a solid dark bar, the
officer panel's mean as a white bar with diagonal hatching. Each bar carries its value as text, and
a legend names both patterns in words, so the chart reads in greyscale and to a screen reader
(the same numbers are in the table above it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from ..scoring import display
from .fonts import SANS, SANS_BOLD


@dataclass(frozen=True)
class Bar:
    label: str
    community: Fraction | None
    officer: Fraction | None


def panel_chart(bars: Sequence[Bar], scale_max: int, width: float = 500) -> Any:
    """A flowable of both panels' means per criterion: a reportlab Drawing, with the criterion
    names drawn as one-line paragraphs (any script, emoji) over it."""
    from reportlab.graphics.shapes import Drawing, Line, Rect, String
    from reportlab.lib import colors

    label_w = 150.0
    plot_w = width - label_w - 40
    bar_h = 11.0
    gap = 12.0
    legend_h = 30.0
    axis_h = 16.0
    height = legend_h + axis_h + len(bars) * (2 * bar_h + gap) + 4
    drawing = Drawing(width, height)
    # The renderer's starting font (else Helvetica, a base-14 font the PDF would reference).
    drawing.initialFontName = SANS
    drawing.initialFontSize = 9
    top = height - legend_h

    # Legend, in words and patterns.
    drawing.add(
        Rect(
            0,
            height - 16,
            18,
            10,
            fillColor=colors.Color(0.2, 0.2, 0.2),
            strokeColor=colors.black,
            strokeWidth=0.6,
        )
    )
    drawing.add(String(24, height - 15, "Community panel mean (solid)", fontName=SANS, fontSize=9))
    drawing.add(
        Rect(
            200,
            height - 16,
            18,
            10,
            fillColor=colors.white,
            strokeColor=colors.black,
            strokeWidth=0.6,
        )
    )
    _hatch(drawing, 200, height - 16, 18, 10)
    drawing.add(String(224, height - 15, "Officer panel mean (hatched)", fontName=SANS, fontSize=9))

    def x_of(value: Fraction) -> float:
        return label_w + plot_w * float(value) / scale_max

    y = top
    labels: list[tuple[str, float]] = []
    for bar in bars:
        y -= 2 * bar_h + gap
        labels.append((bar.label, y + bar_h - 0.5))  # the middle of the pair of bars
        for offset, value, solid in ((bar_h, bar.community, True), (0.0, bar.officer, False)):
            yy = y + offset
            if value is None:
                drawing.add(String(label_w + 2, yy + 2, "not scored", fontName=SANS, fontSize=8))
                continue
            w = max(x_of(value) - label_w, 0.5)
            drawing.add(
                Rect(
                    label_w,
                    yy,
                    w,
                    bar_h - 1,
                    fillColor=colors.Color(0.2, 0.2, 0.2) if solid else colors.white,
                    strokeColor=colors.black,
                    strokeWidth=0.6,
                )
            )
            if not solid:
                _hatch(drawing, label_w, yy, w, bar_h - 1)
            drawing.add(
                String(label_w + w + 3, yy + 2, display(value), fontName=SANS_BOLD, fontSize=8)
            )
    # Axis with the scale's points.
    base = y - 4
    drawing.add(Line(label_w, base, label_w + plot_w, base, strokeWidth=0.6))
    for point in range(0, scale_max + 1):
        x = label_w + plot_w * point / scale_max
        drawing.add(Line(x, base, x, base - 3, strokeWidth=0.6))
        drawing.add(String(x - 2.5, base - 12, str(point), fontName=SANS, fontSize=8))
    return _labelled(drawing, labels, label_w - 6)


def _labelled(drawing: Any, labels: list[tuple[str, float]], room: float) -> Any:
    from reportlab.graphics import renderPDF
    from reportlab.platypus import Flowable

    from .layout import one_line

    class LabelledChart(Flowable):  # type: ignore[misc]
        def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
            return drawing.width, drawing.height

        def draw(self) -> None:
            renderPDF.draw(drawing, self.canv, 0, 0)
            for text, middle in labels:
                label = one_line(text, room, "label")
                _, height = label.wrapOn(self.canv, room, 40)
                label.drawOn(self.canv, 0, middle - height / 2)

    made = LabelledChart()
    made.drawing = drawing
    return made


def _hatch(drawing: Any, x: float, y: float, w: float, h: float, step: float = 4.0) -> None:
    from reportlab.graphics.shapes import Line

    # Diagonal lines clipped by hand to the rectangle.
    start = -h
    while start < w:
        x0, y0 = x + max(start, 0), y + max(-start, 0)
        x1 = x + min(start + h, w)
        y1 = y + (x1 - (x + start))
        if x1 > x0:
            drawing.add(Line(x0, y0, x1, y1, strokeWidth=0.5))
        start += step
