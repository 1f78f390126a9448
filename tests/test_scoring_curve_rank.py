"""Distribution curve per unit (domain.md §3.1) and ranking within a unit (§2)."""

from __future__ import annotations

import pytest

from eperformance.params import Permenpan6Config
from eperformance.scoring.curve import curve_breaches, curve_breaches_for_scores
from eperformance.scoring.rank import competition_rank, rank_within_units, unit_median

CFG = Permenpan6Config(version="1.0.0")
SB, B, BP, K, SK = "Sangat Baik", "Baik", "Butuh Perbaikan", "Kurang/Misconduct", "Sangat Kurang"


def unit(code: str, *preds: str | None) -> list[tuple[str, str | None]]:
    return [(code, p) for p in preds]


def test_baik_default_needs_at_least_one_bp_or_kurang_and_at_most_70_baik() -> None:
    rows = unit("U1", B, B, B, SB)  # 75% Baik, no BP/K
    breaches = curve_breaches(rows, {}, CFG)
    assert [b.rule for b in breaches] == [
        "at most 70% Baik", "at least 1 Butuh Perbaikan or Kurang/Misconduct"]
    first, second = breaches
    assert first.org_result == "baik" and first.actual == 75.0 and first.required == 70.0
    assert first.measure == "percent" and first.count == 3 and first.n_employees == 4
    assert second.measure == "count" and second.actual == 0 and second.required == 1


def test_baik_exactly_70_percent_is_fine() -> None:
    rows = unit("U1", *([B] * 7), SB, SB, BP)
    assert curve_breaches(rows, {"U1": "baik"}, CFG) == []


def test_employees_without_predikat_left_out_and_units_checked_apart() -> None:
    rows = unit("U1", B, BP, None, None) + unit("U2", B, B, B, K) + unit("U3", None)
    breaches = curve_breaches(rows, {}, CFG)
    # U1: 50% Baik; U2: 75% Baik -> breach; U3: nobody with a predikat, not checked
    assert [(b.unit_code, b.rule) for b in breaches] == [("U2", "at most 70% Baik")]


def test_istimewa() -> None:
    rows = unit("U1", SB, SB, SB, B)
    [b] = curve_breaches(rows, {"U1": "istimewa"}, CFG)
    assert b.rule == "at most 70% Sangat Baik" and b.actual == 75.0


def test_sangat_kurang_rules() -> None:
    rows = unit("U1", SK, SK, SK, SK, SK, SK, B, B, B, SB)
    breaches = curve_breaches(rows, {"U1": "sangat_kurang"}, CFG)
    assert [b.rule for b in breaches] == [
        "at least 10% Kurang/Misconduct or Butuh Perbaikan", "no Sangat Baik"]
    rows = unit("U1", SK, SK, SK, SK, SK, SK, K, B, B, B)
    assert curve_breaches(rows, {"U1": "sangat_kurang"}, CFG) == []


def test_butuh_perbaikan_and_kurang() -> None:
    rows = unit("U1", BP, BP, B, B, B)  # 40% BP < 60%
    [b] = curve_breaches(rows, {"U1": "butuh_perbaikan"}, CFG)
    assert b.rule == "at least 60% Butuh Perbaikan" and b.actual == 40.0
    rows = unit("U1", K, K, K, K, K, K, BP, B, B, SB)
    assert curve_breaches(rows, {"U1": "kurang"}, CFG) == []
    rows = unit("U1", K, K, K, K, K, K, B, B, SB, SB)
    assert [b.rule for b in curve_breaches(rows, {"U1": "kurang"}, CFG)] == [
        "at least 10% Butuh Perbaikan", "at most 10% Sangat Baik"]


def test_share_is_rounded_before_comparison() -> None:
    # 12000 of 20001 = 59.997...% is written 60.00: "at least 60%" holds
    rows = unit("U1", *([BP] * 12000 + [B] * 8001))
    assert curve_breaches(rows, {"U1": "butuh_perbaikan"}, CFG) == []
    rows = unit("U1", *([BP] * 11999 + [B] * 8002))  # 59.99%
    [b] = curve_breaches(rows, {"U1": "butuh_perbaikan"}, CFG)
    assert b.actual == 59.99


def test_for_scores() -> None:
    class S:
        def __init__(self, u: str, p: str | None) -> None:
            self.unit_code, self.predikat = u, p

    breaches = curve_breaches_for_scores([S("U1", B)], {}, CFG)  # type: ignore[list-item]
    assert [b.rule for b in breaches] == [
        "at most 70% Baik", "at least 1 Butuh Perbaikan or Kurang/Misconduct"]


def test_competition_rank_ties_by_rounded_figure() -> None:
    ranking = competition_rank(
        {"a": 90.0, "b": 85.001, "c": 84.9999999, "d": 80.0, "e": None, "f": 95.0})
    got = [(r.nip, r.rank, r.label) for r in ranking]
    assert got == [("f", 1, "1 of 5"), ("a", 2, "2 of 5"), ("b", 3, "3 of 5"),
                   ("c", 3, "3 of 5"), ("d", 5, "5 of 5"), ("e", None, "")]
    assert ranking[2].rounded == 85.0 and ranking[2].figure == 85.001


def test_rank_1_2_2_4() -> None:
    ranks = [r.rank for r in competition_rank({"w": 10.0, "x": 9.0, "y": 9.0, "z": 8.0})]
    assert ranks == [1, 2, 2, 4]


def test_rank_within_units_and_median() -> None:
    units = rank_within_units([("U1", "a", 80.0), ("U2", "b", 70.0), ("U1", "c", 90.0),
                               ("U1", "d", None)])
    assert [(r.nip, r.rank, r.of) for r in units["U1"]] == [("c", 1, 2), ("a", 2, 2),
                                                             ("d", None, 2)]
    assert [(r.nip, r.rank) for r in units["U2"]] == [("b", 1)]
    assert unit_median([80.0, None, 90.0, 70.5]) == 80.0
    assert unit_median([1.0, 2.0]) == pytest.approx(1.5)
    assert unit_median([None]) is None
