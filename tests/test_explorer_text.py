"""Text from the data in the explorer's views is text: a unit name with ``$`` signs is
neither matplotlib mathtext (which crashed the distribution chart) nor markup."""

from __future__ import annotations

import re

import pytest

from eperformance.explorer.views import distribution_svg

LABELS = ["Sangat Baik", "Baik", "Butuh Perbaikan"]


@pytest.mark.parametrize("name", ["Biro $Umum$ $x^2$", "Unit $a$ & $b_$", r"Biro $\frac$ $",
                                  "Bagian <b>$Keuangan</b>"])
def test_a_unit_name_with_dollar_signs_is_drawn_literally(name: str) -> None:
    svg = distribution_svg({"Baik": 3, "Sangat Baik": 1}, LABELS,
                           [("Baik", "at_most", 70.0, "at most 70% Baik")],
                           f"Distribusi predikat — {name} (n = 4)")
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    escaped = name.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    assert any(escaped in t for t in texts), texts
    assert "<b>" not in svg
