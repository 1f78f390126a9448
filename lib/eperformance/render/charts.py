"""The card's charts as inline SVG text, written by hand (text kept as text).

Each function takes a :class:`~eperformance.card.CardRecord` and returns an ``<svg>``
element (no XML prolog), small and deterministic for the same record, so a card stays one
self-contained file. The drawing follows what matplotlib drew before (same figure sizes,
axes placement, colours, markers and fonts) at a fraction of the cost: a chart is a few
dozen elements of string formatting, no figure, no renderer.

Lengths are in points (1/72 in): ``width``/``height`` carry ``pt`` and the ``viewBox``
uses the same numbers, so a font size of 7.5 is 7.5 pt at the natural size (the card's CSS
scales the chart to its column).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from ..i18n import ASPECT_NAMES, month_label, number, t
from ..rounding import round_opt

if TYPE_CHECKING:
    from collections.abc import Iterable

    from ..card import CardRecord

INK = "#1f2933"
MUTED = "#7b8794"
GRID = "#d9e2ec"
ACCENT = "#1d4f73"
BAND_COLOURS = {
    "Di Atas Ekspektasi": "#2f8a4c",
    "Sesuai Ekspektasi": "#2d6f9c",
    "Di Bawah Ekspektasi": "#c0662b",
}
SELF_COLOUR = "#8a5cb8"
FONT = ["DejaVu Sans"]  # the PDF has it through fonts-dejavu-core
FONT_FAMILY = "'DejaVu Sans', sans-serif"

_PAD = 1.44  # the margin around the drawing (matplotlib's pad_inches=0.02)
_TICK_PAD = 3.0  # between a tick label and the axes
_ASCENT = 0.76  # of a digit/capital above the baseline, in em
_DESCENT = 0.24  # below the baseline, in em
_CENTRE = 0.38  # baseline below the middle of a line of text, in em

# DejaVu Sans advance widths of " " .. "~" in 1/2048 em (from the font's hmtx table);
# the oblique face has the same advances.
_ASCII_ADVANCES = (
    651, 821, 942, 1716, 1303, 1946, 1597, 563, 799, 799, 1024, 1716, 651, 739, 651, 690,
    1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 690, 690, 1716, 1716, 1716,
    1087, 2048, 1401, 1405, 1430, 1577, 1294, 1178, 1587, 1540, 604, 604, 1343, 1141, 1767,
    1532, 1612, 1235, 1612, 1423, 1300, 1251, 1499, 1401, 2025, 1403, 1251, 1403, 799, 690,
    799, 1716, 1024, 1024, 1255, 1300, 1126, 1300, 1260, 721, 1300, 1298, 569, 569, 1186,
    569, 1995, 1298, 1253, 1300, 1300, 842, 1067, 803, 1298, 1212, 1675, 1212, 1212, 1075,
    1303, 690, 1303, 1716,
)
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@lru_cache(maxsize=4096)
def _advance(char: str) -> float:
    """The advance width of ``char`` in em (over-estimated for a letter not in the table)."""
    code = ord(char)
    if 32 <= code < 127:
        return _ASCII_ADVANCES[code - 32] / 2048
    base = unicodedata.normalize("NFD", char)[:1]  # é -> e: accents do not widen
    if base and 32 <= ord(base) < 127:
        return _ASCII_ADVANCES[ord(base) - 32] / 2048
    if unicodedata.combining(char):
        return 0.0
    return 1.0 if unicodedata.east_asian_width(char) in "WF" else 0.72


def text_width(text: str, size: float) -> float:
    """The estimated width of ``text`` set in DejaVu Sans at ``size`` (same unit)."""
    return sum(_advance(c) for c in text) * size


def _x(text: str) -> str:
    """``text`` as XML character data (escaped, characters XML cannot hold dropped)."""
    return escape(_INVALID_XML.sub("", text))


def _n(value: float) -> str:
    """A coordinate: two decimals at most, no trailing zeros (deterministic)."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _svg(width: float, height: float, body: Iterable[str]) -> str:
    w, h = _n(width), _n(height)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{w}pt" '
            f'height="{h}pt" viewBox="0 0 {w} {h}" font-family="{FONT_FAMILY}">'
            + "".join(body) + "</svg>")


def _text(x: float, y: float, text: str, size: float, fill: str, anchor: str = "middle",
          italic: bool = False) -> str:
    style = ' font-style="italic"' if italic else ""
    return (f'<text x="{_n(x)}" y="{_n(y)}" font-size="{_n(size)}" fill="{fill}" '
            f'text-anchor="{anchor}"{style}>{_x(text)}</text>')


def _line(x0: float, y0: float, x1: float, y1: float, stroke: str, width: float,
          dash: str = "") -> str:
    extra = f' stroke-dasharray="{dash}"' if dash else ""
    return (f'<path d="M{_n(x0)} {_n(y0)}L{_n(x1)} {_n(y1)}" stroke="{stroke}" '
            f'stroke-width="{_n(width)}"{extra}/>')


# behaviour chart: the figure is 3.5 in wide and 0.3 in a row + 0.55 in tall; the axes
# take matplotlib's default share of it (0.775 of the width, 0.77 of the height) and the
# aspect names stand left of them.
_B_WIDTH = 0.775 * 3.5 * 72
_B_SIZE = 7.5  # aspect names and x tick labels
_B_NOTE = 6.5  # "not rated"
_B_BAR = 0.58  # bar height, in rows
_B_DIAMOND = 3.6 * 0.5 ** 0.5  # centre to corner of matplotlib's "D" at markersize 3.6


def behaviour_chart(record: CardRecord, bands: tuple[float, float] | None) -> str:
    """Horizontal bars of the counted aspect scores (0-100) coloured by their band, the
    employee's own rating as a hollow diamond beside them, band edges dashed."""
    aspects = list(record.aspects)
    n = len(aspects)
    names = [ASPECT_NAMES.get(a.aspect, (a.aspect, ""))[0] for a in aspects]
    ticks = (0, 25, 50, 75, 100)
    height_axes = 0.77 * (0.3 * n + 0.55) * 72
    label_w = max((text_width(s, _B_SIZE) for s in names), default=0.0)
    left = max(_PAD + label_w + _TICK_PAD, _PAD + text_width("0", _B_SIZE) / 2)
    right = left + _B_WIDTH
    top = _PAD
    bottom = top + height_axes
    width = right + text_width(str(ticks[-1]), _B_SIZE) / 2 + _PAD
    tick_base = bottom + _TICK_PAD + _ASCENT * _B_SIZE
    height = tick_base + _DESCENT * _B_SIZE + _PAD
    y_lo, y_hi = -0.6, n - 0.25
    y_scale = height_axes / (y_hi - y_lo)

    def px(v: float) -> float:
        return left + min(max(v, 0.0), 100.0) / 100 * _B_WIDTH

    def py(row: float) -> float:
        return top + (y_hi - row) * y_scale

    grid = [_line(px(x), top, px(x), bottom, GRID, 0.5) for x in ticks]
    marks: list[str] = []
    texts: list[str] = []
    diamonds: list[str] = []
    for row, a, name in zip(range(n - 1, -1, -1), aspects, names, strict=True):
        mid = py(row)
        texts.append(_text(left - _TICK_PAD, mid + _CENTRE * _B_SIZE, name, _B_SIZE, INK,
                           "end"))
        value = round_opt(a.score)
        if value is not None:
            colour = BAND_COLOURS.get(a.rating or "", ACCENT)
            marks.append(f'<rect x="{_n(left)}" y="{_n(py(row + _B_BAR / 2))}" '
                         f'width="{_n(px(float(value)) - left)}" '
                         f'height="{_n(_B_BAR * y_scale)}" fill="{colour}"/>')
        else:
            marks.append(_text(px(1), mid + 0.26 * _B_NOTE, t("not_rated", record.lang),
                               _B_NOTE, MUTED, "start", italic=True))
        own = round_opt(a.self_score)
        if own is not None:
            cx, cy, r = px(float(own)), py(row + 0.36), _B_DIAMOND
            diamonds.append(
                f'<path d="M{_n(cx)} {_n(cy - r)}L{_n(cx + r)} {_n(cy)}L{_n(cx)} '
                f'{_n(cy + r)}L{_n(cx - r)} {_n(cy)}Z" fill="#fff" stroke="{SELF_COLOUR}" '
                f'stroke-width="1"/>')
    edges = [_line(px(e), top, px(e), bottom, MUTED, 0.7, "2.1 1.4") for e in bands or ()]
    axis = [_line(left, bottom, right, bottom, GRID, 0.8)]
    labels = [_text(px(x), tick_base, str(x), _B_SIZE, MUTED) for x in ticks]
    return _svg(width, height, [*grid, *marks, *edges, *diamonds, *axis, *texts, *labels])


# trend chart: a 3.6 x 1.55 in figure, axes as above, month labels on two lines below.
_T_WIDTH = 0.775 * 3.6 * 72
_T_HEIGHT = 0.77 * 1.55 * 72
_T_SIZE = 6.5  # tick labels
_T_VALUE = 6.3  # value labels
_T_NOTE = 5.6  # "no data"
_T_LINE = 1.2 * _T_SIZE  # between the two lines of a month label


def _y_ticks(span: float) -> list[int]:
    """Ticks from 0 to ``span`` at a round step giving at most 7 of them (25 up to 150,
    then 50, 100, 250, 500, ...: what matplotlib's locator chose for this axis)."""
    step, k = 25, 0
    while span / step > 6:
        k += 1
        step = (25, 50, 100)[k % 3] * 10 ** (k // 3)
    return list(range(0, int(span) + 1, step))


@lru_cache(maxsize=512)
def _month_lines(period: str, lang: str) -> tuple[str, ...]:
    """The short month label on its lines: ``("Jan", "2021")``."""
    return tuple(month_label(period, lang, short=True).split(" "))


def trend_chart(record: CardRecord, slots: int = 6) -> str:
    """The main figure over the trend months; months without a figure are marked. The
    plot is as wide as ``slots`` months of the monthly card's six (a year's twelve months
    on the *Dokumen Evaluasi Kinerja* get twice the width, so labels keep their size)."""
    points = list(record.trend)
    plot_width = _T_WIDTH * max(slots, 1) / 6
    lang = record.lang
    count = max(len(points), 1)
    values = [round_opt(p.main_figure) for p in points]
    known = [(i, float(v)) for i, v in enumerate(values) if v is not None]
    top_value = max([v for _, v in known] + [100.0])
    span = top_value * 1.18
    ticks = _y_ticks(span)
    tick_labels = [str(v) for v in ticks]
    left = _PAD + max(text_width(s, _T_SIZE) for s in tick_labels) + _TICK_PAD
    top = _PAD
    bottom = top + _T_HEIGHT
    right = left + plot_width

    def px(i: int) -> float:
        return left + (i + 0.5) / count * plot_width

    def py(v: float) -> float:
        return top + (span - v) / span * _T_HEIGHT

    out = [_line(left, py(v), right, py(v), GRID, 0.5) for v in ticks]
    out.append(_line(left, bottom, right, bottom, GRID, 0.8))
    out += [_text(left - _TICK_PAD, py(v) + _CENTRE * _T_SIZE, s, _T_SIZE, INK, "end")
            for v, s in zip(ticks, tick_labels, strict=True)]
    extent = right + _PAD  # how far right anything reaches
    # a line only between consecutive months that both have a figure
    path = []
    for j, (i, v) in enumerate(known):
        joined = j > 0 and known[j - 1][0] == i - 1
        path.append(f"{'L' if joined else 'M'}{_n(px(i))} {_n(py(v))}")
    if len(path) > 1:
        out.append(f'<path d="{"".join(path)}" fill="none" stroke="{ACCENT}" '
                   f'stroke-width="1.4" stroke-linejoin="round" stroke-linecap="round"/>')
    for i, v in known:
        out.append(f'<circle cx="{_n(px(i))}" cy="{_n(py(v))}" r="2.25" fill="{ACCENT}"/>')
    for i, v in known:
        label = number(v, lang)
        out.append(_text(px(i), py(v) - 5, label, _T_VALUE, INK))
        extent = max(extent, px(i) + text_width(label, _T_VALUE) / 2 + _PAD)
    missing = t("trend_missing", lang)
    for i, value in enumerate(values):
        if value is None:
            out.append(f'<circle cx="{_n(px(i))}" cy="{_n(bottom)}" r="2" fill="{GRID}"/>')
            out.append(_text(px(i), py(top_value * 0.06) - _DESCENT * _T_NOTE, missing,
                             _T_NOTE, MUTED, italic=True))
    if known and known[-1][0] == len(points) - 1:
        i, v = known[-1]
        out.append(f'<circle cx="{_n(px(i))}" cy="{_n(py(v))}" r="3" fill="#fff" '
                   f'stroke="{ACCENT}" stroke-width="1.3"/>')
    first = bottom + _TICK_PAD + _ASCENT * _T_SIZE + 1
    dy = f' dy="{_n(_T_LINE)}"'
    rows = 1
    for i, p in enumerate(points):
        lines = _month_lines(p.period, lang)
        rows = max(rows, len(lines))
        x = _n(px(i))
        spans = "".join(f'<tspan x="{x}"{dy if k else ""}>{_x(s)}</tspan>'
                        for k, s in enumerate(lines))
        out.append(f'<text x="{x}" y="{_n(first)}" font-size="{_n(_T_SIZE)}" '
                   f'fill="{MUTED}" text-anchor="middle">{spans}</text>')
        widest = max(text_width(s, _T_SIZE) for s in lines)
        extent = max(extent, px(i) + widest / 2 + _PAD)
    height = first + (rows - 1) * _T_LINE + _DESCENT * _T_SIZE + _PAD
    return _svg(extent, height, out)
