"""The three schemes (domain.md §3), raters (§4) and missing data (§5)."""

from __future__ import annotations

import datetime as dt
import math
import time
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eperformance.errors import UsageError
from eperformance.params import Permenpan6Config, Pp30Config, Pp46Config
from eperformance.reference import ASPECTS
from eperformance.rounding import fmt2
from eperformance.scoring import (
    EmployeeScore,
    assignments_frame,
    compute_measures,
    get_scheme,
    score_period,
    scores_frame,
)
from eperformance.scoring.measures import MEASURE_COLUMNS

P = "2024-03"
PERMENPAN = Permenpan6Config(version="1.0.0")
PP30 = Pp30Config(version="1.0.0")
PP46 = Pp46Config(version="1.0.0")
BERAKHLAK = ASPECTS["permenpan-6-2022"]
PP30_ASPECTS = ASPECTS["pp-30-2019"]
PP46_ASPECTS = ASPECTS["pp-46-2011"]


# ------------------------------------------------------------------ tiny builders
def mrow(aid: str, nip: str = "n1", *, capaian: float | None = None, ro: float = 1.0,
         to: float = 1.0, rk: float = 100.0, tk: float = 100.0, rw: int = 10, tw: int = 10,
         rb: float = 0.0, tb: float | None = None, weight: float = 1.0, is_main: bool = True,
         innovation: bool = False, has_counted_entry: bool | None = None,
         n_pending: int = 0, pending_quantity: float = 0.0) -> dict[str, Any]:
    """One row of the measures frame; ``capaian`` sets RO against TO = 100."""
    if capaian is not None:
        ro, to = float(capaian), 100.0
    return dict(
        assignment_id=aid, nip=nip, period=P, activity_code="LAP", weight=weight,
        is_main=is_main, innovation=innovation, start_date=pd.Timestamp("2024-03-01"),
        due_date=pd.Timestamp("2024-03-10"), ro=ro, to=to, rk=rk, tk=tk, rw=rw, tw=tw, rb=rb,
        tb=np.nan if tb is None else tb, capaian=min(100.0 * ro / to, 120.0),
        rk_marked=True, rw_date=pd.NaT,
        has_counted_entry=ro > 0 if has_counted_entry is None else has_counted_entry,
        n_counted=1, n_pending=n_pending, pending_quantity=pending_quantity,
    )


def mframe(*rows: dict[str, Any]) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=list(MEASURE_COLUMNS))


def emp(*specs: tuple[str, str] | tuple[str, str, bool], unit: str = "U1") -> pd.DataFrame:
    rows = [dict(nip=s[0], position_type=s[1], active=s[2] if len(s) > 2 else True,
                 unit_code=unit) for s in specs]
    return pd.DataFrame(rows)


def beh(nip: str, scores: dict[str, float] | float, role: str = "atasan",
        assessor: str = "s1", aspects: tuple[str, ...] = BERAKHLAK) -> list[dict[str, Any]]:
    if not isinstance(scores, dict):
        scores = {a: scores for a in aspects}
    return [dict(nip=nip, period=P, assessor_nip=assessor, assessor_role=role, aspect=a,
                 score=s) for a, s in scores.items()]


def bframe(*parts: list[dict[str, Any]]) -> pd.DataFrame:
    rows = [r for p in parts for r in p]
    return pd.DataFrame(rows, columns=["nip", "period", "assessor_nip", "assessor_role",
                                       "aspect", "score"])


def score(cfg: Any, m: pd.DataFrame, e: pd.DataFrame, b: pd.DataFrame,
          use_360: bool = False) -> dict[str, EmployeeScore]:
    return {s.nip: s for s in score_period(m, e, b, cfg, use_360, P)}


def one(cfg: Any, m: pd.DataFrame, b: pd.DataFrame, position: str = "pelaksana",
        use_360: bool = False) -> EmployeeScore:
    return score(cfg, m, emp(("n1", position)), b, use_360)["n1"]


# ------------------------------------------------------------------ pp-46 worked example
def test_worked_example_pp46_end_to_end() -> None:
    """§3.3: 1 report, quality 100, 12 months, cost 170,395,000; realised 1 report,
    quality 90, on the due date, same cost -> 100, 90, 76, 76 -> Nilai SKP 85.50 (Baik)."""
    a = pd.DataFrame([dict(assignment_id="skp1", nip="n1", period="2024-12",
                           activity_code="LAP", target_quantity=1, target_quality=100,
                           start_date=dt.date(2024, 1, 1), due_date=dt.date(2024, 12, 31),
                           target_cost=170_395_000.0, weight=1, is_main=True,
                           innovation=False)])
    e = pd.DataFrame([dict(activity_id="e1", nip="n1", date=dt.date(2024, 12, 31),
                           start_time="08:00", end_time="10:00", activity_code="LAP",
                           assignment_id="skp1", quantity=1, cost=170_395_000.0)])
    v = pd.DataFrame([dict(verification_id="v1", activity_id="e1", verifier_nip="s1",
                           status="approved", decided_at=dt.datetime(2025, 1, 3, 2, 0),
                           quality=90.0)])
    m = compute_measures(a, e, v, "2024-12")
    b = bframe(beh("n1", 80, aspects=PP46_ASPECTS[:5])).assign(period="2024-12")
    [s] = score_period(m, emp(("n1", "pelaksana")), b, PP46, False, "2024-12")
    [asg] = s.assignments
    assert (fmt2(asg.kuantitas), fmt2(asg.kualitas), fmt2(asg.waktu), fmt2(asg.biaya)) == (
        "100.00", "90.00", "76.00", "76.00")
    assert fmt2(s.nilai_skp) == "85.50"
    from eperformance.scoring.pp_46_2011 import sebutan
    assert sebutan(pd.Series([s.nilai_skp]), PP46).iloc[0] == "Baik"
    # nilai prestasi kerja = 60% of 85.5 + 40% of 80
    assert s.nilai_akhir == pytest.approx(0.6 * 85.5 + 0.4 * 80)
    assert s.predikat == "Baik" and s.main_figure == s.nilai_akhir
    assert s.rating_hasil_kerja is None and s.rating_perilaku is None


# ------------------------------------------------------------------ permenpan-6-2022
HK = {"Di Atas Ekspektasi": 115.0, "Sesuai Ekspektasi": 100.0, "Di Bawah Ekspektasi": 50.0}
PR = {"Di Atas Ekspektasi": 95.0, "Sesuai Ekspektasi": 80.0, "Di Bawah Ekspektasi": 50.0}


@pytest.mark.parametrize(
    ("hasil", "perilaku", "expected"),
    [
        ("Di Atas Ekspektasi", "Di Bawah Ekspektasi", "Kurang/Misconduct"),
        ("Di Atas Ekspektasi", "Sesuai Ekspektasi", "Baik"),
        ("Di Atas Ekspektasi", "Di Atas Ekspektasi", "Sangat Baik"),
        ("Sesuai Ekspektasi", "Di Bawah Ekspektasi", "Kurang/Misconduct"),
        ("Sesuai Ekspektasi", "Sesuai Ekspektasi", "Baik"),
        ("Sesuai Ekspektasi", "Di Atas Ekspektasi", "Baik"),
        ("Di Bawah Ekspektasi", "Di Bawah Ekspektasi", "Sangat Kurang"),
        ("Di Bawah Ekspektasi", "Sesuai Ekspektasi", "Butuh Perbaikan"),
        ("Di Bawah Ekspektasi", "Di Atas Ekspektasi", "Butuh Perbaikan"),
    ],
)
def test_predikat_matrix(hasil: str, perilaku: str, expected: str) -> None:
    s = one(PERMENPAN, mframe(mrow("a1", capaian=HK[hasil])), bframe(beh("n1", PR[perilaku])))
    assert s.rating_hasil_kerja == hasil
    assert s.rating_perilaku == perilaku
    assert s.predikat == expected
    assert s.keterangan == []
    assert s.nilai_akhir is None
    assert s.main_figure == s.nilai_skp == HK[hasil]
    assert s.nilai_perilaku == PR[perilaku]


@pytest.mark.parametrize(
    ("capaian", "rating"),
    [
        (110.0, "Di Atas Ekspektasi"),
        (109.995, "Di Atas Ekspektasi"),  # rounds to 110.00
        (109.99, "Sesuai Ekspektasi"),
        (90.0, "Sesuai Ekspektasi"),
        (89.995, "Sesuai Ekspektasi"),  # rounds to 90.00
        (89.99, "Di Bawah Ekspektasi"),
        (89.9949, "Di Bawah Ekspektasi"),
        (0.0, "Di Bawah Ekspektasi"),
    ],
)
def test_capaian_band_edges(capaian: float, rating: str) -> None:
    s = one(PERMENPAN, mframe(mrow("a1", capaian=capaian)), bframe(beh("n1", 80)))
    assert s.assignments[0].rating == rating
    assert s.rating_hasil_kerja == rating


@pytest.mark.parametrize(
    ("value", "rating"),
    [(90.0, "Di Atas Ekspektasi"), (89.99, "Sesuai Ekspektasi"),
     (89.995, "Di Atas Ekspektasi"), (70.0, "Sesuai Ekspektasi"),
     (69.99, "Di Bawah Ekspektasi"), (69.995, "Sesuai Ekspektasi")],
)
def test_value_band_edges(value: float, rating: str) -> None:
    s = one(PERMENPAN, mframe(mrow("a1", capaian=100)), bframe(beh("n1", value)))
    assert set(s.aspect_ratings.values()) == {rating}


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        ([95, 95, 95, 95, 80, 80, 80], "Di Atas Ekspektasi"),  # 4 Di Atas, none Di Bawah
        ([95, 95, 95, 80, 80, 80, 80], "Sesuai Ekspektasi"),  # only 3 Di Atas
        ([95, 95, 95, 95, 95, 95, 50], "Sesuai Ekspektasi"),  # one Di Bawah blocks Di Atas
        ([95, 95, 95, 95, 95, 50, 50], "Di Bawah Ekspektasi"),  # 2 Di Bawah
        ([80, 80, 80, 80, 80, 80, 50], "Sesuai Ekspektasi"),  # 1 Di Bawah only
    ],
)
def test_rating_perilaku_counts(scores: list[float], expected: str) -> None:
    b = bframe(beh("n1", dict(zip(BERAKHLAK, scores, strict=True))))
    s = one(PERMENPAN, mframe(mrow("a1", capaian=100)), b)
    assert s.rating_perilaku == expected
    assert s.nilai_perilaku == pytest.approx(sum(scores) / 7)


def test_unequal_weights_nilai_skp_and_rating() -> None:
    m = mframe(mrow("a1", capaian=120, weight=3), mrow("a2", capaian=60, weight=1,
                                                         is_main=False))
    s = one(PERMENPAN, m, bframe(beh("n1", 80)))
    assert s.nilai_skp == pytest.approx((3 * 120 + 60) / 4)
    assert s.rating_hasil_kerja == "Di Atas Ekspektasi"  # 3/4 of the weight is Di Atas
    m = mframe(mrow("a1", capaian=120, weight=1), mrow("a2", capaian=60, weight=3,
                                                         is_main=False))
    assert one(PERMENPAN, m, bframe(beh("n1", 80))).rating_hasil_kerja == "Di Bawah Ekspektasi"


def test_main_assignment_below_expectation_blocks_di_atas() -> None:
    m = mframe(mrow("a1", capaian=120, weight=3, is_main=False),
               mrow("a2", capaian=60, weight=1, is_main=True))
    s = one(PERMENPAN, m, bframe(beh("n1", 80)))
    assert s.rating_hasil_kerja == "Sesuai Ekspektasi"
    # ... but an additional assignment below expectation does not block
    m = mframe(mrow("a1", capaian=120, weight=3, is_main=True),
               mrow("a2", capaian=60, weight=1, is_main=False))
    assert one(PERMENPAN, m, bframe(beh("n1", 80))).rating_hasil_kerja == "Di Atas Ekspektasi"


def test_exactly_half_weight_di_atas_is_not_enough() -> None:
    m = mframe(mrow("a1", capaian=115, weight=2), mrow("a2", capaian=100, weight=2))
    assert one(PERMENPAN, m, bframe(beh("n1", 80))).rating_hasil_kerja == "Sesuai Ekspektasi"
    m = mframe(mrow("a1", capaian=115, weight=0.3), mrow("a2", capaian=100, weight=0.1),
               mrow("a3", capaian=100, weight=0.2))  # 0.3 of 0.6, float noise included
    assert one(PERMENPAN, m, bframe(beh("n1", 80))).rating_hasil_kerja == "Sesuai Ekspektasi"
    m = mframe(mrow("a1", capaian=50, weight=2), mrow("a2", capaian=100, weight=2))
    assert one(PERMENPAN, m, bframe(beh("n1", 80))).rating_hasil_kerja == "Sesuai Ekspektasi"


def test_permenpan_counts_atasan_rekan_bawahan_not_self() -> None:
    b = bframe(beh("n1", 90, "atasan", "s1"), beh("n1", 60, "rekan", "p1"),
               beh("n1", 60, "bawahan", "b1"), beh("n1", 10, "diri", "n1"))
    s = one(PERMENPAN, mframe(mrow("a1", capaian=100)), b)
    assert set(s.aspect_scores.values()) == {70.0}  # (90 + 60 + 60) / 3, not the self 10
    assert set(s.self_ratings.values()) == {10.0}
    # use_360 changes nothing for permenpan
    assert one(PERMENPAN, mframe(mrow("a1", capaian=100)), b, use_360=True).aspect_scores == \
        s.aspect_scores


def test_plain_mean_not_mean_of_role_means() -> None:
    b = bframe(beh("n1", 90, "atasan", "s1"), beh("n1", 60, "rekan", "p1"),
               beh("n1", 60, "rekan", "p2"))
    s = one(PERMENPAN, mframe(mrow("a1", capaian=100)), b)
    assert set(s.aspect_scores.values()) == {70.0}  # not (90 + 60) / 2


# ------------------------------------------------------------------ pp-30-2019
def pp30_beh(nip: str, value: float, role: str = "atasan", assessor: str = "s1",
             managerial: bool = False) -> list[dict[str, Any]]:
    aspects = PP30_ASPECTS if managerial else PP30_ASPECTS[:4]
    return beh(nip, value, role, assessor, aspects)


def test_pp30_nilai_kinerja_70_30() -> None:
    s = one(PP30, mframe(mrow("a1", capaian=100)), bframe(pp30_beh("n1", 80)))
    assert s.nilai_skp == 100 and s.nilai_perilaku == 80
    assert s.nilai_akhir == pytest.approx(0.7 * 100 + 0.3 * 80)
    assert s.predikat == "Baik" and s.main_figure == s.nilai_akhir
    assert s.rating_hasil_kerja is None and s.rating_perilaku is None


def test_pp30_360_mode_60_40_counts_rekan_bawahan() -> None:
    b = bframe(pp30_beh("n1", 90), pp30_beh("n1", 60, "rekan", "p1"),
               pp30_beh("n1", 60, "bawahan", "b1"), pp30_beh("n1", 0, "diri", "n1"))
    m = mframe(mrow("a1", capaian=100))
    normal = one(PP30, m, b)
    assert normal.nilai_perilaku == 90
    assert normal.nilai_akhir == pytest.approx(0.7 * 100 + 0.3 * 90)
    s360 = one(PP30, m, b, use_360=True)
    assert s360.nilai_perilaku == 70
    assert s360.nilai_akhir == pytest.approx(0.6 * 100 + 0.4 * 70)
    assert s360.use_360


def test_pp30_peer_only_leaves_aspect_unrated_outside_360() -> None:
    b = bframe(pp30_beh("n1", 90), beh("n1", {"komitmen": 80}, "rekan", "p1"))
    b = b.loc[~((b["assessor_role"] == "atasan") & (b["aspect"] == "komitmen"))]
    s = one(PP30, mframe(mrow("a1", capaian=100)), b)
    assert s.aspect_scores["komitmen"] is None
    assert s.nilai_perilaku is None and s.nilai_akhir is None and s.predikat is None
    assert s.keterangan == ["perilaku belum dinilai"]
    assert s.nilai_skp == 100  # hasil kerja figures still shown
    assert one(PP30, mframe(mrow("a1", capaian=100)), b, use_360=True).aspect_scores[
        "komitmen"] == 80


@pytest.mark.parametrize(
    ("skp", "perilaku", "innovation", "expected"),
    [
        (120, 90, True, "Sangat Baik"),  # 111
        (120, 90, False, "Baik"),  # no innovation assignment
        # 110 exactly: 0.7*x + 0.3*110 = 110 for x = 110
        (110, 110, True, "Sangat Baik"),
        (90, 90, False, "Baik"),
        (70, 70, False, "Cukup"),
        (50, 50, False, "Kurang"),
        (49.99, 49.99, False, "Sangat Kurang"),
        (69.99, 69.99, False, "Kurang"),
        (89.99, 89.99, False, "Cukup"),
    ],
)
def test_pp30_predikat_bands(skp: float, perilaku: float, innovation: bool,
                             expected: str) -> None:
    m = mframe(mrow("a1", capaian=skp, innovation=innovation))
    s = one(PP30, m, bframe(pp30_beh("n1", perilaku)))
    assert s.predikat == expected


def test_pp30_innovation_needs_a_counted_entry() -> None:
    m = mframe(mrow("a1", capaian=120, weight=10),
               mrow("a2", ro=0.0, to=1.0, innovation=True, is_main=False, weight=0.01,
                    has_counted_entry=False))
    s = one(PP30, m, bframe(pp30_beh("n1", 100)))
    assert s.nilai_akhir is not None and round(s.nilai_akhir, 2) >= 110
    assert s.predikat == "Baik"
    # a counted entry with quantity 0 is still a counted entry
    m = mframe(mrow("a1", capaian=120, weight=10),
               mrow("a2", ro=0.0, to=1.0, innovation=True, is_main=False, weight=0.01,
                    has_counted_entry=True))
    assert one(PP30, m, bframe(pp30_beh("n1", 100))).predikat == "Sangat Baik"


def test_kepemimpinan_managerial_and_not() -> None:
    m = mframe(mrow("a1", capaian=100))
    # managerial without kepemimpinan: unrated
    s = one(PP30, m, bframe(pp30_beh("n1", 80)), position="pengawas")
    assert "kepemimpinan" in s.aspect_scores and s.aspect_scores["kepemimpinan"] is None
    assert s.nilai_perilaku is None and s.predikat is None
    assert s.keterangan == ["perilaku belum dinilai"]
    # managerial with it: mean over 5
    b = bframe(pp30_beh("n1", 80), beh("n1", {"kepemimpinan": 100}, aspects=()))
    s = one(PP30, m, b, position="administrator")
    assert s.nilai_perilaku == pytest.approx((4 * 80 + 100) / 5)
    # non-managerial: the kepemimpinan row is ignored
    s = one(PP30, m, b, position="fungsional")
    assert "kepemimpinan" not in s.aspect_scores
    assert s.nilai_perilaku == 80
    # pp-46: over 6 for managerial, 5 otherwise
    b46 = bframe(beh("n1", 80, aspects=PP46_ASPECTS[:5]), beh("n1", {"kepemimpinan": 50},
                                                                 aspects=()))
    assert one(PP46, m, b46, position="jpt").nilai_perilaku == pytest.approx((5 * 80 + 50) / 6)
    assert one(PP46, m, b46, position="pelaksana").nilai_perilaku == 80


def test_acting_supervisor_second_atasan_row_joins_mean() -> None:
    b = bframe(pp30_beh("n1", 80, "atasan", "s1"), pp30_beh("n1", 90, "atasan", "s2"),
               pp30_beh("n1", 10, "rekan", "p1"))
    s = one(PP30, mframe(mrow("a1", capaian=100)), b)
    assert s.nilai_perilaku == 85


def test_self_ratings_never_enter_a_score() -> None:
    b = bframe(pp30_beh("n1", 80), pp30_beh("n1", 100, "diri", "n1"))
    s = one(PP30, mframe(mrow("a1", capaian=100)), b)
    assert s.nilai_perilaku == 80
    assert s.self_ratings == {a: 100.0 for a in PP30_ASPECTS[:4]}
    # self only: unrated
    s = one(PP30, mframe(mrow("a1", capaian=100)), bframe(pp30_beh("n1", 100, "diri", "n1")),
            use_360=True)
    assert s.nilai_perilaku is None and s.keterangan == ["perilaku belum dinilai"]


def test_aspects_of_other_schemes_ignored() -> None:
    b = bframe(pp30_beh("n1", 80), beh("n1", {"integritas": 0, "akuntabel": 0}, aspects=()))
    s = one(PP30, mframe(mrow("a1", capaian=100)), b)
    assert s.nilai_perilaku == 80 and set(s.aspect_scores) == set(PP30_ASPECTS[:4])


def test_behaviour_rows_of_other_periods_ignored() -> None:
    b = bframe(pp30_beh("n1", 80))
    other = b.copy()
    other["period"] = "2024-02"
    other["score"] = 0.0
    s = one(PP30, mframe(mrow("a1", capaian=100)), pd.concat([b, other]))
    assert s.nilai_perilaku == 80


# ------------------------------------------------------------------ pp-46-2011
def pp46(m: pd.DataFrame, value: float = 80) -> EmployeeScore:
    return one(PP46, m, bframe(beh("n1", value, aspects=PP46_ASPECTS[:5])))


def test_pp46_time_efficiency_exactly_24_and_just_above() -> None:
    # TW 25, RW 19: e = 100 - 76 = 24 -> first formula: 100*(44 - 19)/25 = 100
    s = pp46(mframe(mrow("a1", rw=19, tw=25)))
    assert s.assignments[0].waktu == pytest.approx(100)
    # RW 18: e = 28 > 24 -> 76 - (100*(44 - 18)/25 - 100) = 72 (finishing earlier scores less)
    s = pp46(mframe(mrow("a1", rw=18, tw=25)))
    assert s.assignments[0].waktu == pytest.approx(72)
    # on time: 76
    assert pp46(mframe(mrow("a1", rw=10, tw=10))).assignments[0].waktu == pytest.approx(76)


def test_pp46_late_delivery() -> None:
    # TW 10, RW 15: e = -50 <= 24 -> 100*(17.6 - 15)/10 = 26
    a = pp46(mframe(mrow("a1", rw=15, tw=10))).assignments[0]
    assert a.waktu == pytest.approx(26)
    # very late: negative, not floored
    assert pp46(mframe(mrow("a1", rw=31, tw=10))).assignments[0].waktu == pytest.approx(-134)


def test_pp46_ro_zero_scores_zero_but_aspects_shown() -> None:
    s = pp46(mframe(mrow("a1", ro=0.0, to=4.0, rk=100, rw=31, tw=10)))
    a = s.assignments[0]
    assert a.nilai == 0
    assert a.kuantitas == 0 and a.kualitas == 100 and a.waktu == pytest.approx(100 * (17.6 - 31)
                                                                                 / 10)
    assert s.nilai_skp == 0


def test_pp46_no_cost_target_mean_of_three() -> None:
    s = pp46(mframe(mrow("a1", ro=1, to=1, rk=90, rw=10, tw=10, rb=50.0)))
    a = s.assignments[0]
    assert a.biaya is None and a.tb is None and a.rb == 50
    assert a.nilai == pytest.approx((100 + 90 + 76) / 3)


def test_pp46_biaya_spending_nothing_scores_zero() -> None:
    a = pp46(mframe(mrow("a1", rb=0.0, tb=100.0))).assignments[0]
    # e = 100 > 24 -> 76 - (100*1.76 - 100) = 0
    assert a.biaya == pytest.approx(0)


def test_pp46_nilai_skp_is_unweighted_mean() -> None:
    m = mframe(mrow("a1", ro=1, to=1, rw=10, tw=10, weight=5),
               mrow("a2", ro=0, to=1, weight=1))
    s = pp46(m)
    assert s.nilai_skp == pytest.approx(((100 + 100 + 76) / 3 + 0) / 2)


def test_pp46_no_marks_rk_equals_tk_kualitas_100() -> None:
    a = pp46(mframe(mrow("a1", rk=95, tk=95))).assignments[0]
    assert a.kualitas == 100


@pytest.mark.parametrize(
    ("figure", "expected"),
    [(90.0, "Baik"), (90.01, "Sangat Baik"), (90.004, "Baik"), (90.005, "Sangat Baik"),
     (75.0, "Cukup"), (75.01, "Baik"), (60.0, "Kurang"), (60.01, "Cukup"),
     (50.0, "Buruk"), (50.01, "Kurang"), (0.0, "Buruk")],
)
def test_pp46_sebutan_strict(figure: float, expected: str) -> None:
    from eperformance.scoring.pp_46_2011 import sebutan
    assert sebutan(pd.Series([figure]), PP46).iloc[0] == expected


def test_pp46_supervisor_only_even_in_360() -> None:
    b = bframe(beh("n1", 80, aspects=PP46_ASPECTS[:5]),
               beh("n1", 0, "rekan", "p1", aspects=PP46_ASPECTS[:5]))
    m = mframe(mrow("a1"))
    assert one(PP46, m, b, use_360=True).nilai_perilaku == 80


# ------------------------------------------------------------------ missing data (§5)
@pytest.mark.parametrize("cfg", [PERMENPAN, PP30, PP46], ids=lambda c: c.name)
def test_missing_assignments_and_aspects_give_none(cfg: Any) -> None:
    e = emp(("n1", "pelaksana"), ("n2", "pelaksana"), ("n3", "pelaksana"), ("n4", "pelaksana"))
    aspects = ASPECTS[cfg.name]
    full = [a for a in aspects if a != "kepemimpinan"]
    b = bframe(beh("n1", 80, aspects=tuple(full)), beh("n3", 80, aspects=tuple(full)),
               beh("n4", 80, aspects=tuple(full[:-1])))
    m = mframe(mrow("a1", "n1", capaian=100), mrow("a2", "n2", capaian=100),
               mrow("a4", "n4", capaian=100))
    s = score(cfg, m, e, b)
    assert s["n1"].keterangan == [] and s["n1"].predikat is not None
    # n2: assignments, no behaviour
    assert s["n2"].keterangan == ["perilaku belum dinilai"]
    assert s["n2"].nilai_skp is not None and s["n2"].nilai_skp > 0
    assert s["n2"].nilai_perilaku is None and s["n2"].predikat is None
    assert s["n2"].nilai_akhir is None and s["n2"].rating_perilaku is None
    # n3: behaviour, no assignment
    assert s["n3"].keterangan == ["belum ada penugasan"]
    assert s["n3"].nilai_skp is None and s["n3"].main_figure is None
    assert s["n3"].rating_hasil_kerja is None and s["n3"].predikat is None
    assert s["n3"].nilai_perilaku == 80  # behaviour figures still shown
    # n4: one aspect missing
    assert s["n4"].keterangan == ["perilaku belum dinilai"]
    assert s["n4"].aspect_scores[full[-1]] is None
    # neither
    none = score(cfg, mframe(), emp(("n9", "pelaksana")), bframe())["n9"]
    assert none.keterangan == ["belum ada penugasan", "perilaku belum dinilai"]
    for field in ("nilai_skp", "nilai_perilaku", "nilai_akhir", "rating_hasil_kerja",
                  "rating_perilaku", "predikat", "main_figure"):
        assert getattr(none, field) is None
    out = scores_frame(s.values())
    assert list(out["keterangan"]) == ["", "perilaku belum dinilai", "belum ada penugasan",
                                       "perilaku belum dinilai"]


@pytest.mark.parametrize("cfg", [PERMENPAN, PP30, PP46], ids=lambda c: c.name)
def test_work_awaiting_verification_withholds_hasil_kerja(cfg: Any) -> None:
    """§5: one entry awaiting verification on any of the month's assignments withholds
    Nilai SKP, rating hasil kerja, the final figure and the predikat (behaviour figures
    stay; the assignment rows still show what was approved); ``not_done`` scores as if
    those entries did not exist."""
    full = tuple(a for a in ASPECTS[cfg.name] if a != "kepemimpinan")
    e = emp(("n1", "pelaksana"), ("n2", "pelaksana"))
    b = bframe(beh("n1", 80, aspects=full), beh("n2", 80, aspects=full))
    m = mframe(mrow("a1", "n1", capaian=100), mrow("a2", "n1", capaian=50, n_pending=3,
                                                      pending_quantity=4.5),
               mrow("a3", "n2", capaian=100))
    s = {x.nip: x for x in score_period(m, e, b, cfg, False, P)}
    w = s["n1"]
    assert w.keterangan == ["verifikasi belum selesai"] and w.withheld
    for field in ("nilai_skp", "nilai_akhir", "rating_hasil_kerja", "predikat",
                  "main_figure"):
        assert getattr(w, field) is None, field
    assert w.nilai_perilaku == 80
    assert w.pending_entries == 3 and w.pending_quantity == 4.5
    assert [a.capaian for a in w.assignments] == [100.0, 50.0]  # still shown
    assert s["n2"].keterangan == [] and s["n2"].predikat is not None
    assert s["n2"].pending_entries == 0 and not s["n2"].withheld
    row = scores_frame([w]).iloc[0]
    assert row["keterangan"] == "verifikasi belum selesai" and row["nilai_skp"] is None

    counted = {x.nip: x for x in score_period(m, e, b, cfg, False, P, "not_done")}["n1"]
    assert counted.keterangan == [] and counted.predikat is not None
    assert counted.nilai_skp is not None and counted.main_figure is not None
    if cfg is not PP46:  # the weighted mean of capaian 100 and 50
        assert counted.nilai_skp == pytest.approx(75.0)
    assert counted.pending_entries == 3  # still reported, never withholding


def test_reasons_in_order_when_all_three_apply() -> None:
    """§5: belum ada penugasan, verifikasi belum selesai, perilaku belum dinilai, joined by
    ``;`` without spaces. (An employee without an assignment of the month cannot have an
    entry awaiting verification for one: the first two exclude each other per month, so
    the order is checked on the two pairs that can occur and on the reason function.)"""
    from eperformance.scoring.common import keterangan

    assert keterangan(False, False, True) == [
        "belum ada penugasan", "verifikasi belum selesai", "perilaku belum dinilai"]
    m = mframe(mrow("a1", "n1", capaian=100, n_pending=1, pending_quantity=1.0))
    s = score_period(m, emp(("n1", "pelaksana"), ("n2", "pelaksana")), bframe(),
                     PERMENPAN, False, P)
    assert list(scores_frame(s)["keterangan"]) == [
        "verifikasi belum selesai;perilaku belum dinilai",
        "belum ada penugasan;perilaku belum dinilai"]


def test_unknown_pending_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="pending_at_closing"):
        score_period(mframe(mrow("a1")), emp(("n1", "pelaksana")), bframe(), PERMENPAN,
                     False, P, "maybe")


def test_only_active_employees_scored_but_their_ratings_count() -> None:
    e = emp(("n1", "pelaksana"), ("s1", "pengawas", False))
    b = bframe(beh("n1", 80, assessor="s1"), beh("s1", 80, assessor="n1", role="bawahan"))
    m = mframe(mrow("a1", "n1", capaian=100), mrow("a2", "s1", capaian=100))
    s = score(PERMENPAN, m, e, b)
    assert list(s) == ["n1"]
    assert s["n1"].nilai_perilaku == 80


def test_frames_and_records() -> None:
    e = emp(("n2", "pelaksana"), ("n1", "pelaksana"))
    m = mframe(mrow("b", "n1", ro=1, to=1, tb=10.0, rb=10.0), mrow("a", "n1"),
               mrow("c", "n2"))
    b = bframe(beh("n1", 80, aspects=PP46_ASPECTS[:5]))
    scores = score_period(m, e, b, PP46, False, P)
    assert [s.nip for s in scores] == ["n1", "n2"]
    af = assignments_frame(scores)
    assert list(af["assignment_id"]) == ["a", "b", "c"]
    assert af.loc[0, "biaya"] is None or math.isnan(af.loc[0, "biaya"])
    assert af.loc[1, "biaya"] == pytest.approx(76)
    assert af["rating"].isna().all()
    sf = scores_frame(scores)
    assert list(sf.columns) == ["nip", "period", "scheme", "nilai_skp", "nilai_perilaku",
                                "nilai_akhir", "rating_hasil_kerja", "rating_perilaku",
                                "predikat", "keterangan"]
    assert scores[0].scheme_version == "1.0.0" and scores[0].unit_code == "U1"


def test_registry() -> None:
    assert get_scheme("pp-30-2019").counted_roles(True) == {"atasan", "rekan", "bawahan"}
    assert get_scheme("pp-30-2019").counted_roles(False) == {"atasan"}
    assert get_scheme("pp-46-2011").counted_roles(True) == {"atasan"}
    assert get_scheme("permenpan-6-2022").counted_roles(False) == {"atasan", "rekan", "bawahan"}
    with pytest.raises(UsageError, match="known schemes: permenpan-6-2022"):
        get_scheme("nope")


# ------------------------------------------------------------------ properties and scale
@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["n1", "n2", "n3"]),
                          st.floats(0, 130, allow_nan=False),
                          st.floats(0.1, 5, allow_nan=False), st.booleans()),
                max_size=8),
       st.lists(st.tuples(st.sampled_from(["n1", "n2", "n3"]),
                          st.sampled_from(["atasan", "rekan", "bawahan", "diri"]),
                          st.sampled_from(BERAKHLAK + PP30_ASPECTS),
                          st.integers(0, 100)), max_size=30),
       st.randoms(use_true_random=False))
def test_order_of_input_rows_irrelevant(asg: list, ratings: list, rnd: Any) -> None:
    m = mframe(*[mrow(f"a{i}", nip, capaian=c, weight=w, is_main=main)
                 for i, (nip, c, w, main) in enumerate(asg)])
    b = pd.DataFrame([dict(nip=n, period=P, assessor_nip=f"x{i}", assessor_role=r, aspect=a,
                           score=float(s)) for i, (n, r, a, s) in enumerate(ratings)],
                     columns=["nip", "period", "assessor_nip", "assessor_role", "aspect",
                              "score"])
    e = emp(("n1", "pelaksana"), ("n2", "pengawas"), ("n3", "fungsional"))
    for cfg in (PERMENPAN, PP30, PP46):
        first = score_period(m, e, b, cfg, True, P)
        seed = rnd.randint(0, 10**6)
        second = score_period(m.sample(frac=1, random_state=seed),
                              e.sample(frac=1, random_state=seed),
                              b.sample(frac=1, random_state=seed), cfg, True, P)
        assert scores_frame(first).equals(scores_frame(second)) or \
            scores_frame(first).fillna(-1).eq(scores_frame(second).fillna(-1)).all().all()
        for x, y in zip(first, second, strict=True):
            assert x.aspect_scores.keys() == y.aspect_scores.keys()
            for k in x.aspect_scores:
                assert x.aspect_scores[k] == pytest.approx(y.aspect_scores[k])


def test_ten_thousand_employees_score_quickly() -> None:
    rng = np.random.default_rng(7)
    n = 10_000
    nips = [f"{i:018d}" for i in range(n)]
    e = pd.DataFrame(dict(nip=nips, position_type=rng.choice(
        ["jpt", "pengawas", "pelaksana", "fungsional"], n), active=True,
        unit_code=[f"U{i % 50}" for i in range(n)]))
    k = 5
    m = mframe(*[mrow(f"a{i}-{j}", nips[i], capaian=float(rng.uniform(40, 125)),
                      weight=float(rng.integers(1, 4))) for i in range(n) for j in range(k)])
    aspects = sorted(set(BERAKHLAK + PP30_ASPECTS + PP46_ASPECTS))
    b = pd.DataFrame(dict(
        nip=np.repeat(nips, len(aspects)), period=P, assessor_nip="s",
        assessor_role="atasan", aspect=aspects * n,
        score=rng.integers(50, 100, n * len(aspects)).astype(float)))
    for cfg in (PERMENPAN, PP30, PP46):
        t0 = time.perf_counter()
        out = score_period(m, e, b, cfg, False, P)
        elapsed = time.perf_counter() - t0
        assert len(out) == n
        assert elapsed < 10, f"{cfg.name}: {elapsed:.2f}s"
