"""Geometry of the inline SVG charts, computed at build time.

The templates draw ``<rect>`` and ``<text>`` from these numbers; no chart
library, nothing fetched by the browser.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class Bar:
    x: float
    y: float
    w: float
    h: float
    label: str
    value: str          # the number as shown
    tone: str = ""      # a CSS modifier (e.g. the stage or the bucket)


@dataclass(slots=True)
class Chart:
    width: int
    height: int
    bars: list[Bar] = field(default_factory=list)
    baseline: float = 0.0
    title: str = ""


def column_chart(points: list[tuple[str, float, str]], title: str, width: int = 640, height: int = 200) -> Chart:
    """Vertical bars, one per (label, value, shown value); room for labels below and values above."""
    chart = Chart(width, height, title=title)
    if not points:
        return chart
    top, bottom, gap = 18.0, 22.0, 4.0
    plot = height - top - bottom
    step = width / len(points)
    peak = max((v for _, v, _ in points), default=0) or 1
    chart.baseline = top + plot
    for i, (label, value, shown) in enumerate(points):
        h = plot * (value / peak) if value > 0 else 0.0
        chart.bars.append(Bar(round(i * step + gap / 2, 1), round(top + plot - h, 1), round(step - gap, 1),
                              round(h, 1), label, shown))
    return chart


def funnel_chart(stages: list[tuple[str, int, str]], title: str, width: int = 640, row: int = 34) -> Chart:
    """Centered horizontal bars, widest at the top: (stage label, customers, text beside the bar)."""
    chart = Chart(width, row * max(len(stages), 1) + 4, title=title)
    peak = max((n for _, n, _ in stages), default=0) or 1
    label_w = 110.0
    plot = width - label_w - 10
    for i, (label, n, shown) in enumerate(stages):
        w = max(plot * n / peak, 2.0 if n else 0.0)
        chart.bars.append(Bar(round(label_w + (plot - w) / 2, 1), float(i * row + 2), round(w, 1), float(row - 6),
                              label, shown, tone=f"s{i}"))
    return chart
