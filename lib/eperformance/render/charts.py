"""The card's charts as inline SVG text (matplotlib, no pyplot state, text kept as text).

Each function takes a :class:`~eperformance.cards.CardRecord` and returns an ``<svg>``
element (no XML prolog), small and deterministic for the same record, so a card stays one
self-contained file.
"""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING, Any

from matplotlib import rc_context
from matplotlib.figure import Figure

from ..i18n import ASPECT_NAMES, month_label, number, t
from ..scoring.rounding import round_opt

if TYPE_CHECKING:
    from ..cards import CardRecord

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
FONT = ["DejaVu Sans"]  # bundled with matplotlib; the PDF has it through fonts-dejavu-core

_STYLE: Any = {
    "svg.fonttype": "none",
    "svg.hashsalt": "eperf-rapor",
    "font.family": FONT,
    "font.size": 7.5,
    "axes.edgecolor": GRID,
    "axes.labelcolor": INK,
    "xtick.color": MUTED,
    "ytick.color": INK,
}


def _svg(fig: Figure) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None},
                bbox_inches="tight", pad_inches=0.02, transparent=True)
    text = buf.getvalue()
    text = text[text.index("<svg"):]
    text = re.sub(r"\s+", " ", text.replace("\n", " "))
    return text


def behaviour_chart(record: CardRecord, bands: tuple[float, float] | None) -> str:
    """Horizontal bars of the counted aspect scores (0-100) coloured by their band, the
    employee's own rating as a hollow diamond beside them, band edges dashed."""
    aspects = list(record.aspects)
    with rc_context(_STYLE):
        fig = Figure(figsize=(3.5, 0.3 * len(aspects) + 0.55))
        ax = fig.add_subplot()
        names = [ASPECT_NAMES.get(a.aspect, (a.aspect, ""))[0] for a in aspects]
        ys = list(range(len(aspects)))[::-1]
        for y, a in zip(ys, aspects, strict=True):
            value = round_opt(a.score)
            if value is not None:
                colour = BAND_COLOURS.get(a.rating or "", ACCENT)
                ax.barh(y, value, height=0.58, color=colour)
            else:
                ax.text(1, y, t("not_rated", record.lang), va="center", ha="left",
                        color=MUTED, fontsize=6.5, style="italic")
            own = round_opt(a.self_score)
            if own is not None:
                ax.plot([own], [y + 0.36], marker="D", markersize=3.6, color=SELF_COLOUR,
                        markerfacecolor="white", markeredgewidth=1.0, linestyle="none")
        if bands:
            for edge in bands:
                ax.axvline(edge, color=MUTED, linewidth=0.7, linestyle=(0, (3, 2)))
        ax.set_yticks(ys, names)
        ax.set_xlim(0, 100)
        ax.set_ylim(-0.6, len(aspects) - 0.25)
        ax.set_xticks([0, 25, 50, 75, 100])
        ax.tick_params(length=0, pad=3)
        for side in ("top", "right", "left"):
            ax.spines[side].set_visible(False)
        ax.grid(axis="x", color=GRID, linewidth=0.5)
        ax.set_axisbelow(True)
        return _svg(fig)


def trend_chart(record: CardRecord) -> str:
    """The main figure over the trend months; months without a figure are marked."""
    points = list(record.trend)
    with rc_context(_STYLE):
        fig = Figure(figsize=(3.6, 1.55))
        ax = fig.add_subplot()
        xs = list(range(len(points)))
        values = [round_opt(p.main_figure) for p in points]
        known = [(x, v) for x, v in zip(xs, values, strict=True) if v is not None]
        top = max([float(v) for _, v in known] + [100.0])
        if known:
            # a line only between consecutive months that both have a figure
            for (x0, v0), (x1, v1) in zip(known, known[1:], strict=False):
                if x1 == x0 + 1:
                    ax.plot([x0, x1], [v0, v1], color=ACCENT, linewidth=1.4)
            ax.plot([x for x, _ in known], [v for _, v in known], marker="o", markersize=3.5,
                    color=ACCENT, linestyle="none")
            for x, v in known:
                ax.annotate(number(v, record.lang), (x, v), textcoords="offset points",
                            xytext=(0, 5), ha="center", fontsize=6.3, color=INK)
        for x, value in zip(xs, values, strict=True):
            if value is None:
                ax.plot([x], [0], marker="o", markersize=3, color=GRID, linestyle="none",
                        clip_on=False)
                ax.text(x, top * 0.06, t("trend_missing", record.lang), ha="center",
                        fontsize=5.6, color=MUTED, style="italic", va="bottom")
        if known:
            last_x, last_v = known[-1]
            if last_x == xs[-1]:
                ax.plot([last_x], [last_v], marker="o", markersize=6, color=ACCENT,
                        markerfacecolor="white", markeredgewidth=1.3)
        ax.set_xticks(xs, [month_label(p.period, record.lang, short=True).replace(" ", "\n")
                           for p in points])
        ax.set_xlim(-0.5, len(points) - 0.5)
        ax.set_ylim(0, top * 1.18)
        ax.tick_params(length=0, pad=3, labelsize=6.5)
        for side in ("top", "right", "left"):
            ax.spines[side].set_visible(False)
        ax.grid(axis="y", color=GRID, linewidth=0.5)
        ax.set_axisbelow(True)
        return _svg(fig)
