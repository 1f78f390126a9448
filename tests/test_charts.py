"""The card's two charts as hand-written SVG: well-formed, the data drawn where a reader
expects it (bar lengths, missing months, band edges), text escaped and kept as text."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from types import SimpleNamespace
from typing import TYPE_CHECKING, cast

import pytest

from eperformance.card import AspectLine, TrendPoint
from eperformance.i18n import ASPECT_NAMES, month_label, number, t
from eperformance.render import charts
from eperformance.render.charts import behaviour_chart, trend_chart

if TYPE_CHECKING:
    from eperformance.card import CardRecord

NS = {"s": "http://www.w3.org/2000/svg"}
PERIODS = ["2021-01", "2021-02", "2021-03", "2021-04", "2021-05", "2021-06"]


def record(lang: str = "id", aspects: list[AspectLine] | None = None,
           trend: list[float | None] | None = None) -> CardRecord:
    """What the charts read of a card: its language, aspects and trend months."""
    if aspects is None:
        aspects = [
            AspectLine("berorientasi_pelayanan", 100.0, "Di Atas Ekspektasi", 90.0),
            AspectLine("akuntabel", 50.0, "Sesuai Ekspektasi", None),
            AspectLine("kompeten", None, None, 70.0),
            AspectLine("harmonis", 25.0, "Di Bawah Ekspektasi", None),
        ]
    if trend is None:
        trend = [80.0, 85.5, 90.25, 95.0, 101.5, 110.0]
    points = tuple(TrendPoint(p, v, None) for p, v in zip(PERIODS, trend, strict=True))
    return cast("CardRecord", SimpleNamespace(lang=lang, aspects=tuple(aspects),
                                              trend=points))


def parse(svg: str) -> ET.Element:
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    root = ET.fromstring(svg)  # well-formed, one element
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    return root


def texts(root: ET.Element) -> list[str]:
    return ["".join(el.itertext()) for el in root.iter("{http://www.w3.org/2000/svg}text")]


def dashed(root: ET.Element) -> list[ET.Element]:
    return [el for el in root.iter() if el.get("stroke-dasharray")]


def coords(path: ET.Element) -> list[tuple[str, float, float]]:
    """The commands of a path of M/L segments: (command, x, y)."""
    return [(c, float(x), float(y))
            for c, x, y in re.findall(r"([ML])\s*([-\d.]+)[ ,]([-\d.]+)", path.get("d", ""))]


def test_sizes_in_points_with_a_viewbox() -> None:
    for svg in (behaviour_chart(record(), None), trend_chart(record())):
        root = parse(svg)
        width, height = root.get("width", ""), root.get("height", "")
        assert width.endswith("pt") and height.endswith("pt")
        assert root.get("viewBox") == f"0 0 {width[:-2]} {height[:-2]}"
        assert "DejaVu Sans" in root.get("font-family", "")
    root = parse(behaviour_chart(record(), None))
    # about as big as the matplotlib figure was: 3.5 in wide, 0.3 in a row + 0.55 in
    assert 230 < float(root.get("width", "")[:-2]) < 330
    assert float(root.get("height", "")[:-2]) < (0.3 * 4 + 0.55) * 72
    root = parse(trend_chart(record()))
    assert 200 < float(root.get("width", "")[:-2]) < 270
    assert 90 < float(root.get("height", "")[:-2]) < 115


def test_behaviour_names_and_axis() -> None:
    root = parse(behaviour_chart(record(), None))
    shown = texts(root)
    for key in ("berorientasi_pelayanan", "akuntabel", "kompeten", "harmonis"):
        assert ASPECT_NAMES[key][0] in shown
    assert [s for s in shown if s.isdigit()] == ["0", "25", "50", "75", "100"]
    names = [el for el in root.iter("{http://www.w3.org/2000/svg}text")
             if el.get("text-anchor") == "end"]
    assert len(names) == 4  # right-aligned against the axes
    assert len({el.get("x") for el in names}) == 1
    # every name starts inside the drawing (the margin fits the longest)
    longest = max(names, key=lambda el: len(el.text or ""))
    assert float(longest.get("x", "")) - charts.text_width(longest.text or "", 7.5) > 0
    # the first aspect on top
    ys = [float(el.get("y", "")) for el in names]
    assert ys == sorted(ys)


def test_bar_length_is_proportional_to_the_score() -> None:
    root = parse(behaviour_chart(record(), None))
    ticks = {el.text: float(el.get("x", "")) for el in root.iter("{http://www.w3.org/2000/svg}text")
             if (el.text or "").isdigit()}
    axis = ticks["100"] - ticks["0"]
    bars = {r.get("fill"): r for r in root.iter("{http://www.w3.org/2000/svg}rect")}
    assert len(bars) == 3  # kompeten is not rated: no bar
    full = bars[charts.BAND_COLOURS["Di Atas Ekspektasi"]]
    half = bars[charts.BAND_COLOURS["Sesuai Ekspektasi"]]
    quarter = bars[charts.BAND_COLOURS["Di Bawah Ekspektasi"]]
    for bar in (full, half, quarter):
        assert float(bar.get("x", "")) == pytest.approx(ticks["0"], abs=0.01)
    assert float(full.get("width", "")) == pytest.approx(axis, abs=0.02)
    assert float(half.get("width", "")) == pytest.approx(axis / 2, abs=0.02)
    assert float(quarter.get("width", "")) == pytest.approx(axis / 4, abs=0.02)


def test_unknown_rating_is_accent_and_scores_are_rounded() -> None:
    root = parse(behaviour_chart(record(aspects=[AspectLine("loyal", 49.996, None, None)]),
                                 None))
    (bar,) = root.iter("{http://www.w3.org/2000/svg}rect")
    assert bar.get("fill") == charts.ACCENT
    ticks = {el.text: float(el.get("x", "")) for el in root.iter("{http://www.w3.org/2000/svg}text")
             if (el.text or "").isdigit()}
    assert float(bar.get("width", "")) == pytest.approx((ticks["100"] - ticks["0"]) / 2,
                                                        abs=0.02)


@pytest.mark.parametrize("lang", ["id", "en"])
def test_not_rated_text(lang: str) -> None:
    root = parse(behaviour_chart(record(lang), None))
    notes = [el for el in root.iter("{http://www.w3.org/2000/svg}text")
             if el.text == t("not_rated", lang)]
    assert len(notes) == 1
    assert notes[0].get("font-style") == "italic" and notes[0].get("fill") == charts.MUTED


def test_self_rating_diamonds() -> None:
    root = parse(behaviour_chart(record(), None))
    diamonds = [el for el in root.iter("{http://www.w3.org/2000/svg}path")
                if el.get("stroke") == charts.SELF_COLOUR]
    assert len(diamonds) == 2  # two aspects carry an own rating
    assert all(el.get("fill") == "#fff" for el in diamonds)


def test_band_edges_only_with_bands() -> None:
    assert dashed(parse(behaviour_chart(record(), None))) == []
    root = parse(behaviour_chart(record(), (70.0, 90.0)))
    edges = dashed(root)
    assert len(edges) == 2
    ticks = {el.text: float(el.get("x", "")) for el in root.iter("{http://www.w3.org/2000/svg}text")
             if (el.text or "").isdigit()}
    axis = ticks["100"] - ticks["0"]
    xs = sorted(coords(el)[0][1] for el in edges)
    assert xs == pytest.approx([ticks["0"] + 0.7 * axis, ticks["0"] + 0.9 * axis], abs=0.02)
    for el in edges:
        (_, x0, _), (_, x1, _) = coords(el)
        assert x0 == x1  # vertical


def test_escaping() -> None:
    name = 'Kerja <&> "sama"'
    svg = behaviour_chart(record(aspects=[AspectLine(name, 60.0, None, None)]), (60.0, 80.0))
    assert "&lt;&amp;&gt;" in svg and "<&>" not in svg
    assert name in texts(parse(svg))


def test_no_aspects() -> None:
    root = parse(behaviour_chart(record(aspects=[]), None))
    assert list(root.iter("{http://www.w3.org/2000/svg}rect")) == []


def test_trend_values_labels_and_line() -> None:
    rec = record("en")
    root = parse(trend_chart(rec))
    shown = texts(root)
    for v in (80.0, 85.5, 90.25, 95.0, 101.5, 110.0):
        assert number(v, "en") in shown
    for p in PERIODS:  # month labels on two lines
        assert month_label(p, "en", short=True).replace(" ", "") in shown
    tspans = list(root.iter("{http://www.w3.org/2000/svg}tspan"))
    assert len(tspans) == 12
    lines = [el for el in root.iter("{http://www.w3.org/2000/svg}path")
             if el.get("stroke") == charts.ACCENT]
    assert len(lines) == 1
    commands = [c for c, _, _ in coords(lines[0])]
    assert commands == ["M", "L", "L", "L", "L", "L"]
    # y ticks every 25 up to the top figure x 1.18 (110 -> 129.8)
    assert [s for s in shown if s.isdigit()] == ["0", "25", "50", "75", "100", "125"]
    # the last month ringed
    rings = [el for el in root.iter("{http://www.w3.org/2000/svg}circle")
             if el.get("fill") == "#fff"]
    assert len(rings) == 1
    last = coords(lines[0])[-1]
    assert (float(rings[0].get("cx", "")), float(rings[0].get("cy", ""))) == pytest.approx(
        last[1:])
    assert t("trend_missing", "en") not in shown


def test_trend_values_in_the_language() -> None:
    shown = texts(parse(trend_chart(record("id"))))
    assert "85,50" in shown and "90,25" in shown


def test_trend_missing_month_breaks_the_line() -> None:
    rec = record("id", trend=[80.0, 85.0, None, 95.0, 101.0, None])
    root = parse(trend_chart(rec))
    shown = texts(root)
    assert shown.count(t("trend_missing", "id")) == 2
    (line,) = [el for el in root.iter("{http://www.w3.org/2000/svg}path")
               if el.get("stroke") == charts.ACCENT]
    points = coords(line)
    assert [c for c, _, _ in points] == ["M", "L", "M", "L"]
    xs = [x for _, x, _ in points]
    # no segment across March: the second run starts at April, right of where March is
    marks = [el for el in root.iter("{http://www.w3.org/2000/svg}circle")
             if el.get("fill") == charts.GRID]
    assert len(marks) == 2
    march = float(marks[0].get("cx", ""))
    assert xs[1] < march < xs[2]
    # the last month has no figure: nothing ringed
    assert not [el for el in root.iter("{http://www.w3.org/2000/svg}circle")
                if el.get("fill") == "#fff"]
    assert len([s for s in shown if s in {number(v, "id") for v in (80, 85, 95, 101)}]) == 4


def test_trend_without_any_figure() -> None:
    root = parse(trend_chart(record(trend=[None] * 6)))
    assert texts(root).count(t("trend_missing", "id")) == 6
    assert not [el for el in root.iter("{http://www.w3.org/2000/svg}path")
                if el.get("stroke") == charts.ACCENT]


def test_trend_high_figures_take_a_wider_step() -> None:
    shown = texts(parse(trend_chart(record(trend=[150.0, 220.0, None, 90.0, 100.0, 120.0]))))
    assert [s for s in shown if s.isdigit()] == ["0", "50", "100", "150", "200", "250"]


def test_deterministic() -> None:
    rec = record(trend=[80.0, None, 90.0, 95.0, 101.5, 110.0])
    assert behaviour_chart(rec, (60.0, 80.0)) == behaviour_chart(rec, (60.0, 80.0))
    assert trend_chart(rec) == trend_chart(rec)
    same = record(trend=[80.0, None, 90.0, 95.0, 101.5, 110.0])
    assert trend_chart(same) == trend_chart(rec)
    assert behaviour_chart(same, None) == behaviour_chart(rec, None)


def test_text_width_estimate() -> None:
    assert charts.text_width("", 10) == 0
    assert charts.text_width("0000", 10) == pytest.approx(4 * 6.36, abs=0.01)
    assert charts.text_width("é", 10) == charts.text_width("e", 10)
    assert charts.text_width("漢", 10) == 10  # wide: a full em
