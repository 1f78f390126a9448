"""Periods longer than a month (domain.md §7): the union rule over per-month measures."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import pytest

from eperformance.params import Permenpan6Config, Pp30Config, Pp46Config
from eperformance.reference import ASPECTS
from eperformance.rounding import fmt2
from eperformance.scoring import get_scheme, scores_frame
from eperformance.scoring.common import (
    BEHAVIOUR_UNRATED,
    NO_ASSIGNMENT,
    VERIFICATION_PENDING,
    employees_in_scope,
)
from eperformance.scoring.period import (
    MonthResult,
    measures_by_month,
    org_results_for,
    score_period,
    union_measures,
)

PERMENPAN = Permenpan6Config(version="1.0.0")
PP30 = Pp30Config(version="1.0.0")
PP46 = Pp46Config(version="1.0.0")
CONFIGS = (PERMENPAN, PP30, PP46)
BERAKHLAK = ASPECTS["permenpan-6-2022"]
PP46_ASPECTS = ASPECTS["pp-46-2011"]


# ------------------------------------------------------------------ tiny raw rows
def asg(aid: str, nip: str, month: str, target: float = 4, *, weight: float = 1,
        is_main: bool = True, innovation: bool = False, start: str | None = None,
        due: str | None = None, target_quality: float = 100,
        target_cost: float | None = None) -> dict[str, Any]:
    y, m = int(month[:4]), int(month[5:])
    return dict(assignment_id=aid, nip=nip, period=month, activity_code="LAP",
                target_quantity=target, target_quality=target_quality,
                start_date=dt.date.fromisoformat(start) if start else dt.date(y, m, 1),
                due_date=dt.date.fromisoformat(due) if due else dt.date(y, m, 20),
                target_cost=target_cost, weight=weight, is_main=is_main,
                innovation=innovation)


def act(eid: str, nip: str, day: str, aid: str, qty: float = 1,
        cost: float = 0.0) -> dict[str, Any]:
    return dict(activity_id=eid, nip=nip, date=dt.date.fromisoformat(day),
                start_time="08:00", end_time="09:00", activity_code="LAP",
                assignment_id=aid, quantity=qty, cost=cost)


def ver(vid: str, eid: str, decided: str, status: str = "approved",
        quality: float | None = None) -> dict[str, Any]:
    # naive UTC; 03:00 UTC is 10:00 in Jakarta
    return dict(verification_id=vid, activity_id=eid, verifier_nip="s1", status=status,
                decided_at=dt.datetime.fromisoformat(decided), quality=quality)


def frames(a: list[dict[str, Any]], e: list[dict[str, Any]],
           v: list[dict[str, Any]]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    return (pd.DataFrame(a),
            pd.DataFrame(e, columns=["activity_id", "nip", "date", "start_time", "end_time",
                                     "activity_code", "assignment_id", "quantity", "cost"]),
            pd.DataFrame(v, columns=["verification_id", "activity_id", "verifier_nip",
                                     "status", "decided_at", "quality"]))


def rating(nip: str, month: str, aspect: str, score: float, role: str = "atasan",
           assessor: str = "s1") -> dict[str, Any]:
    return dict(nip=nip, period=month, assessor_nip=assessor, assessor_role=role,
                aspect=aspect, score=score)


def all_aspects(nip: str, month: str, score: float,
                aspects: tuple[str, ...] = BERAKHLAK) -> list[dict[str, Any]]:
    return [rating(nip, month, a, score) for a in aspects]


def bframe(rows: list[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["nip", "period", "assessor_nip", "assessor_role",
                                       "aspect", "score"])


def employees(*specs: tuple[str, str], unit: str = "U1") -> pd.DataFrame:
    return pd.DataFrame([dict(nip=n, position_type=t, active=True, unit_code=unit)
                         for n, t in specs])


# ------------------------------------------------------------------ a quarter, §7
def quarter_data() -> tuple[dict[str, pd.DataFrame], pd.DataFrame, pd.DataFrame]:
    """2021-Q2.

    n1: April a1 (weight 1, 4 of 4 -> capaian 100, Sesuai), May a2 (weight 3, 2 of 4 ->
    capaian 50, Di Bawah); nothing in June. Kolaboratif rated in May only; akuntabel 80 in
    April, 100 and 90 (a peer) in May; the other five values 85 in April and May.
    n2: April a3 with one entry decided only on 20 May (after April's closing time, 5 May:
    pending for April though the quarter closes on 5 July), June a4 complete; rated 80
    everywhere in April.
    n3: no assignment in the quarter, rated in June.
    """
    a, e, v = frames(
        [asg("a1", "n1", "2021-04", 4, weight=1), asg("a2", "n1", "2021-05", 4, weight=3),
         asg("a3", "n2", "2021-04", 1), asg("a4", "n2", "2021-06", 1)],
        [act("e1", "n1", "2021-04-05", "a1", 2), act("e2", "n1", "2021-04-06", "a1", 2),
         act("e3", "n1", "2021-05-07", "a2", 2),
         act("e4", "n2", "2021-04-08", "a3", 1), act("e5", "n2", "2021-06-08", "a4", 1)],
        [ver("v1", "e1", "2021-04-07T03:00:00"), ver("v2", "e2", "2021-04-07T03:00:00"),
         ver("v3", "e3", "2021-05-08T03:00:00"), ver("v4", "e4", "2021-05-20T03:00:00"),
         ver("v5", "e5", "2021-06-09T03:00:00")],
    )
    others = [x for x in BERAKHLAK if x not in ("kolaboratif", "akuntabel")]
    rows = ([rating("n1", m, x, 85) for m in ("2021-04", "2021-05") for x in others]
            + [rating("n1", "2021-05", "kolaboratif", 95),
               rating("n1", "2021-04", "akuntabel", 80),
               rating("n1", "2021-05", "akuntabel", 100),
               rating("n1", "2021-05", "akuntabel", 90, role="rekan", assessor="p1"),
               rating("n1", "2021-05", "akuntabel", 20, role="diri", assessor="n1")]
            + all_aspects("n2", "2021-04", 80) + all_aspects("n3", "2021-06", 75)
            # a month outside the quarter never counts
            + all_aspects("n1", "2021-07", 10))
    return (measures_by_month(a, e, v, "2021-Q2"), bframe(rows),
            employees(("n1", "pelaksana"), ("n2", "pelaksana"), ("n3", "pelaksana")))


def test_quarter_union_rule_permenpan() -> None:
    mbm, b, e = quarter_data()
    result = score_period("2021-q2", mbm, b, e, PERMENPAN)
    assert str(result.period) == "2021-Q2"
    s = result.by_nip
    n1 = s["n1"]
    assert n1.period == "2021-Q2"
    # weights across months: (1*100 + 3*50) / 4, not the mean of the monthly figures (75)
    assert fmt2(n1.nilai_skp) == "62.50"
    assert sorted(x.assignment_id for x in n1.assignments) == ["a1", "a2"]
    # the May assignment (Di Bawah) carries 3 of 4 weights: more than half
    assert n1.rating_hasil_kerja == "Di Bawah Ekspektasi"
    # akuntabel: plain mean of all rows of the quarter (80, 100, 90) = 90, Di Atas; the
    # mean of the monthly means (80 and 95) would be 87.5, Sesuai
    assert n1.aspect_scores["akuntabel"] == pytest.approx(90.0)
    assert n1.aspect_ratings["akuntabel"] == "Di Atas Ekspektasi"
    assert n1.self_ratings["akuntabel"] == pytest.approx(20.0)
    # rated in May only: rated for the quarter
    assert n1.aspect_scores["kolaboratif"] == pytest.approx(95.0)
    assert n1.rating_perilaku == "Sesuai Ekspektasi"
    assert n1.predikat == "Butuh Perbaikan"
    assert n1.keterangan == []
    # an entry pending in April withholds the quarter, the supervisor owes it
    n2 = s["n2"]
    assert n2.keterangan == [VERIFICATION_PENDING]
    assert n2.nilai_skp is None and n2.predikat is None and n2.rating_hasil_kerja is None
    assert n2.pending_entries == 1 and n2.pending_quantity == 1.0
    assert n2.nilai_perilaku == pytest.approx(80.0)
    # no assignment anywhere in the quarter
    assert s["n3"].keterangan == [NO_ASSIGNMENT]
    assert s["n3"].nilai_perilaku == pytest.approx(75.0)


def test_quarter_month_by_month() -> None:
    mbm, b, e = quarter_data()
    result = score_period("2021-Q2", mbm, b, e, PERMENPAN)
    rows = result.month_results("n1")
    assert [r.month for r in rows] == ["2021-04", "2021-05", "2021-06"]
    april, may, june = rows
    # April alone: kolaboratif unrated that month
    assert april.keterangan == (BEHAVIOUR_UNRATED,) and april.predikat is None
    assert fmt2(april.main_figure) == "100.00" and april.n_assignments == 1
    assert may.keterangan == () and fmt2(may.main_figure) == "50.00"
    assert may.predikat == "Butuh Perbaikan" and may.complete
    assert june.keterangan == (NO_ASSIGNMENT, BEHAVIOUR_UNRATED)
    n2 = result.month_results("n2")
    assert [r.keterangan for r in n2] == [(VERIFICATION_PENDING,),
                                          (NO_ASSIGNMENT, BEHAVIOUR_UNRATED),
                                          (BEHAVIOUR_UNRATED,)]
    assert n2[0].pending_entries == 1 and n2[0].nilai_skp is None
    assert n2[0].nilai_perilaku == pytest.approx(80.0)
    assert result.month_results("nobody") == []
    assert score_period("2021-Q2", mbm, b, e, PERMENPAN, with_months=False).months == {}


@pytest.mark.parametrize("cfg", CONFIGS, ids=lambda c: c.name)
def test_months_equal_the_monthly_scores(cfg: Any) -> None:
    """Each month's row of a longer period is exactly the monthly result, and a one-month
    period scores exactly as the monthly entry point."""
    mbm, b, e = quarter_data()
    scheme = get_scheme(cfg.name)
    result = score_period("2021-Q2", mbm, b, e, cfg)
    for k, (month, frame) in enumerate(mbm.items()):
        monthly = scheme.score_period(frame, e, b, cfg, False, month)
        assert [result.months[s.nip][k] for s in monthly] == [
            MonthResult.of(month, s) for s in monthly]
        one = score_period(month, {month: frame}, b, e, cfg)
        assert one.scores == monthly
        assert one.months == {s.nip: [MonthResult.of(month, s)] for s in monthly}
        assert scores_frame(one.scores).equals(scores_frame(monthly))


def test_not_done_counts_nothing_pending() -> None:
    mbm, b, e = quarter_data()
    n2 = score_period("2021-Q2", mbm, b, e, PERMENPAN, pending_at_closing="not_done").by_nip["n2"]
    assert n2.keterangan == []
    # April's a3 (its entry was decided after April's closing) is not done: 0; June's a4 100
    assert fmt2(n2.nilai_skp) == "50.00"


def test_each_month_uses_its_own_closing_time() -> None:
    mbm, _, _ = quarter_data()
    april = mbm["2021-04"].set_index("assignment_id")
    assert april.loc["a3", "n_pending"] == 1 and april.loc["a3", "ro"] == 0
    # a custom closing day moves every month's closing time: on day 25 April's closes on
    # 25 May, after the decision of 20 May
    a, e, v = frames([asg("a3", "n2", "2021-04", 1)],
                     [act("e4", "n2", "2021-04-08", "a3", 1)],
                     [ver("v4", "e4", "2021-05-20T03:00:00")])
    late = measures_by_month(a, e, v, "2021-Q2", closing_day=25)["2021-04"]
    assert late.loc[0, "ro"] == 1 and late.loc[0, "n_pending"] == 0


def test_months_outside_the_period_are_refused() -> None:
    mbm, b, e = quarter_data()
    with pytest.raises(ValueError, match="outside period 2021-Q2"):
        score_period("2021-Q2", {**mbm, "2021-07": mbm["2021-06"]}, b, e, PERMENPAN)
    # a month of the period absent from the mapping simply has no assignments
    partial = {"2021-04": mbm["2021-04"]}
    n1 = score_period("2021-Q2", partial, b, e, PERMENPAN).by_nip["n1"]
    assert fmt2(n1.nilai_skp) == "100.00"


def test_a_period_without_any_assignment() -> None:
    _, b, e = quarter_data()
    result = score_period("2021-S1", {}, b, e, PERMENPAN)
    assert all(NO_ASSIGNMENT in s.keterangan for s in result.scores)
    assert all(len(rows) == 6 for rows in result.months.values())
    assert union_measures({}, e.set_index("nip"), ()).empty


def test_pp30_innovation_and_360_over_the_union() -> None:
    aspects = ASPECTS["pp-30-2019"][:4]
    a, e, v = frames(
        [asg("a1", "n1", "2021-01", 1, innovation=True), asg("a2", "n1", "2021-02", 1)],
        [act("e1", "n1", "2021-01-04", "a1", 2), act("e2", "n1", "2021-02-03", "a2", 2)],
        [ver("v1", "e1", "2021-01-05T03:00:00"), ver("v2", "e2", "2021-02-04T03:00:00")])
    b = bframe([rating("n1", "2021-03", x, 100) for x in aspects])
    s = score_period("2021-Q1", measures_by_month(a, e, v, "2021-Q1"), b,
                     employees(("n1", "pelaksana")), PP30).by_nip["n1"]
    # SKP 120 (capped), perilaku 100: 70% + 30% = 114; the January innovation counts
    assert fmt2(s.nilai_akhir) == "114.00" and s.predikat == "Sangat Baik"


# ------------------------------------------------------------------ a year, pp-46-2011
def test_year_pp46() -> None:
    """Three assignments in three months of 2021, ratings in January and December.

    * March m1: 1 of 1 on its due date, quality 100: 100, 100, 76 -> 92;
    * July m2: nothing approved (RO = 0) -> 0;
    * December m3: 1 of 1 on its due date, quality 90: 100, 90, 76 -> 88.666…;
    Nilai SKP = the plain mean over the year's union = 60.2222…; each aspect the mean of
    its January (80) and December (90) rows = 85; NPK = 0.6 * 60.2222 + 0.4 * 85 =
    70.1333 -> Cukup. The mean of the three monthly figures would differ (behaviour
    unrated in six months, SKP per month).
    """
    five = PP46_ASPECTS[:5]
    a, e, v = frames(
        [asg("m1", "n1", "2021-03", 1, due="2021-03-10"),
         asg("m2", "n1", "2021-07", 1),
         asg("m3", "n1", "2021-12", 1, due="2021-12-10")],
        [act("x1", "n1", "2021-03-10", "m1"), act("x2", "n1", "2021-07-02", "m2"),
         act("x3", "n1", "2021-12-10", "m3")],
        [ver("w1", "x1", "2021-03-11T03:00:00", quality=100),
         ver("w2", "x2", "2021-07-03T03:00:00", status="rejected"),
         ver("w3", "x3", "2022-01-04T03:00:00", quality=90)])
    b = bframe(all_aspects("n1", "2021-01", 80, five) + all_aspects("n1", "2021-12", 90, five)
               + [rating("n1", "2021-06", "integritas", 10, role="rekan", assessor="p1")])
    result = score_period("2021", measures_by_month(a, e, v, "2021"), b,
                          employees(("n1", "pelaksana")), PP46)
    [s] = result.scores
    assert s.period == "2021"
    nilai = {x.assignment_id: x.nilai for x in s.assignments}
    assert fmt2(nilai["m1"]) == "92.00" and nilai["m2"] == 0.0
    assert fmt2(nilai["m3"]) == "88.67"
    assert fmt2(s.nilai_skp) == "60.22"
    assert s.aspect_scores["integritas"] == pytest.approx(85.0)  # a peer's row: not counted
    assert fmt2(s.nilai_perilaku) == "85.00"
    assert fmt2(s.nilai_akhir) == "70.13" and s.predikat == "Cukup"
    assert s.main_figure == s.nilai_akhir
    months = result.month_results("n1")
    assert len(months) == 12
    assert [m.month for m in months if m.n_assignments] == ["2021-03", "2021-07", "2021-12"]
    dec = months[-1]
    assert fmt2(dec.main_figure) == fmt2(0.6 * (100 + 90 + 76) / 3 + 0.4 * 90)
    assert months[2].keterangan == (BEHAVIOUR_UNRATED,)  # March: no rating that month


# ------------------------------------------------------------------ unit results, §7
def curve_case() -> tuple[dict[str, pd.DataFrame], pd.DataFrame, pd.DataFrame]:
    """Two employees of U1, both Baik for every period of 2021 (capaian 100, values 80)."""
    months = [f"2021-{m:02d}" for m in range(1, 13)]
    a, e, v = frames(
        [asg(f"a{n}{m}", n, m, 1) for n in ("n1", "n2") for m in months],
        [act(f"e{n}{m}", n, f"{m}-02", f"a{n}{m}") for n in ("n1", "n2") for m in months],
        [ver(f"v{n}{m}", f"e{n}{m}", f"{m}-03T03:00:00") for n in ("n1", "n2")
         for m in months])
    b = bframe([r for n in ("n1", "n2") for m in months for r in all_aspects(n, m, 80)])
    return (measures_by_month(a, e, v, "2021"), b,
            employees(("n1", "pelaksana"), ("n2", "pelaksana")))


def test_unit_result_for_the_year_not_the_months() -> None:
    mbm, b, e = curve_case()
    results = pd.DataFrame([
        dict(unit_code="U1", period="2021", org_result="istimewa"),
        dict(unit_code="U1", period="2021-03", org_result="kurang"),
    ])
    year = score_period("2021", mbm, b, e, PERMENPAN, unit_results=results)
    assert [s.predikat for s in year.scores] == ["Baik", "Baik"]
    assert year.org_results == {"U1": "istimewa"}
    # Istimewa: at most 70% Sangat Baik; two Baik break nothing
    assert year.breaches == []
    # the quarter has no result of its own: the default, Baik (at most 70% Baik, at least
    # one Butuh Perbaikan or Kurang/Misconduct) -- not the year's, not March's
    q1 = {m: mbm[m] for m in ("2021-01", "2021-02", "2021-03")}
    quarter = score_period("2021-Q1", q1, b, e, PERMENPAN, unit_results=results)
    assert quarter.org_results == {}
    assert {x.org_result for x in quarter.breaches} == {"baik"}
    assert len(quarter.breaches) == 2
    # the month has its own
    march = score_period("2021-03", {"2021-03": mbm["2021-03"]}, b, e, PERMENPAN,
                         unit_results=results)
    assert march.org_results == {"U1": "kurang"}


def test_org_results_for_reads_the_exact_period() -> None:
    rows = pd.DataFrame([dict(unit_code="U1", period="2021-q2", org_result="baik"),
                         dict(unit_code="U2", period="2021-S1", org_result="kurang"),
                         dict(unit_code="U3", period="2021-04", org_result="istimewa")])
    assert org_results_for(rows, "2021-Q2") == {"U1": "baik"}
    assert org_results_for(rows, "2021-s1") == {"U2": "kurang"}
    assert org_results_for(rows, "2021") == {}
    assert org_results_for(None, "2021") == {}


def test_ranks_and_median_per_period() -> None:
    mbm, b, e = quarter_data()
    result = score_period("2021-Q2", mbm, b, e, PERMENPAN)
    [ranking] = result.ranks().values()
    assert [(r.nip, r.rank) for r in ranking] == [("n1", 1), ("n2", None), ("n3", None)]
    assert result.unit_medians() == {"U1": pytest.approx(62.5)}


@pytest.mark.parametrize("cfg", CONFIGS, ids=lambda c: c.name)
def test_lazy_assignment_records_equal_the_eager_ones(cfg: Any) -> None:
    """A longer period's assignment records are built when read, and equal those of the
    eager path (the union of the months scored by the scheme's own records)."""
    import copy
    import pickle

    from eperformance.scoring.common import LazyAssignments, assignment_records

    mbm, b, e = quarter_data()
    result = score_period("2021-Q2", mbm, b, e, cfg)
    scheme = get_scheme(cfg.name)
    emp = employees_in_scope(e)
    eager = assignment_records(scheme.score_assignments(union_measures(mbm, emp,
                                                                       mbm.keys()), cfg))
    for s in result.scores:
        assert isinstance(s.assignments, LazyAssignments)
        want = eager.get(s.nip, [])
        assert len(s.assignments) == len(want) and bool(s.assignments) == bool(want)
        assert s.assignments == want and want == s.assignments
        assert list(s.assignments) == want and s.assignments[:] == want
        assert pickle.loads(pickle.dumps(s.assignments)) == want
        assert copy.deepcopy(s.assignments) == want


def test_aspect_means_equal_the_role_rows_mean_to_the_last_bit() -> None:
    """A mean over one role's rows is those rows' scores alone (a blanked-out grouping
    differs in the last bits under pandas 3); a period with a missing month name or an
    all-missing category column still scores."""
    from eperformance.scoring.common import aspect_table, employees_in_scope
    from eperformance.scoring.period import _positions_by_month

    emp = employees_in_scope(pd.DataFrame({"nip": ["1"], "position_type": ["pelaksana"]}))
    b = pd.DataFrame({"nip": ["1"] * 4, "aspect": ["akuntabel"] * 4,
                      "assessor_role": ["atasan", "rekan", "bawahan", "diri"],
                      "score": [80.0, 99.9, 0.3, 50.0]})
    table = aspect_table(b, emp, "permenpan-6-2022", ["atasan", "rekan", "bawahan"])
    # the grouped mean of exactly those three rows (what every earlier version gave)
    assert table.scores.loc["1", "akuntabel"] == 60.06666666666666 == \
        pd.Series([80.0, 99.9, 0.3]).groupby([0, 0, 0]).mean().iloc[0]
    assert table.self_scores.loc["1", "akuntabel"] == 50.0
    b2 = pd.DataFrame({"nip": ["1"], "aspect": pd.Categorical([None]),
                       "assessor_role": ["atasan"], "score": [80.0]})
    assert aspect_table(b2, emp, "permenpan-6-2022", ["atasan"]).scores.isna().all().all()
    pos = _positions_by_month(pd.DataFrame(
        {"period": pd.array(["2023-01", pd.NA, "2023-02"], dtype="string")}))
    assert pos is not None
    assert {k: list(v) for k, v in pos.items()} == {"2023-01": [0], "2023-02": [2]}
