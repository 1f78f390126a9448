"""Per-assignment measures (domain.md §2): counted entries, latest decision, RK, RW, RB."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eperformance.scoring.closing import closing_time_utc
from eperformance.scoring.measures import (
    AGGREGATE_COLUMNS,
    MEASURE_COLUMNS,
    aggregate_entries,
    compute_measures,
    finish_measures,
    measures_records,
)

P = "2024-03"
D = dt.date
DT = dt.datetime
DECIDED = DT(2024, 3, 28, 3, 0, 0)  # naive UTC, well before the closing time


def assignment(aid: str = "a1", **kw: Any) -> dict[str, Any]:
    row = dict(assignment_id=aid, nip="n1", period=P, activity_code="LAP",
               target_quantity=4.0, target_quality=100.0, start_date=D(2024, 3, 1),
               due_date=D(2024, 3, 10), target_cost=None, weight=1.0, is_main=True,
               innovation=False)
    row.update(kw)
    return row


def entry(eid: str, day: int | dt.date, qty: float = 1.0, aid: str | None = "a1",
          cost: float = 0.0) -> dict[str, Any]:
    date = day if isinstance(day, dt.date) else D(2024, 3, day)
    return dict(activity_id=eid, nip="n1", date=date, start_time="08:00", end_time="09:00",
                activity_code="LAP", assignment_id=aid, quantity=qty, cost=cost)


def decision(vid: str, eid: str, status: str = "approved", quality: float | None = None,
             at: dt.datetime = DECIDED) -> dict[str, Any]:
    return dict(verification_id=vid, activity_id=eid, verifier_nip="s1", status=status,
                decided_at=at, quality=np.nan if quality is None else quality)


def frames(asg: list[dict], ent: list[dict], dec: list[dict]) -> tuple[pd.DataFrame, ...]:
    a = pd.DataFrame(asg)
    e = pd.DataFrame(ent, columns=list(entry("x", 1).keys()))
    v = pd.DataFrame(dec, columns=list(decision("x", "x").keys()))
    return a, e, v


def measures(asg: list[dict], ent: list[dict], dec: list[dict], period: str = P) -> pd.DataFrame:
    a, e, v = frames(asg, ent, dec)
    return compute_measures(a, e, v, period)


def one(asg: list[dict], ent: list[dict], dec: list[dict]) -> pd.Series:
    m = measures(asg, ent, dec)
    assert len(m) == 1
    return m.iloc[0]


def test_columns() -> None:
    a, e, v = frames([assignment()], [entry("e1", 2)], [decision("v1", "e1")])
    agg = aggregate_entries(a, e, v, P)
    assert tuple(agg.columns) == AGGREGATE_COLUMNS
    m = finish_measures(a, agg, P)
    assert tuple(m.columns) == MEASURE_COLUMNS
    rec = measures_records(m)[0]
    assert rec.assignment_id == "a1" and rec.tb is None and rec.ro == 1.0


def test_basic_measures() -> None:
    r = one([assignment(target_cost=100.0)],
            [entry("e1", 2, 2, cost=30), entry("e2", 5, 2, cost=20), entry("e3", 8, 1)],
            [decision("v1", "e1", quality=80), decision("v2", "e2"),
             decision("v3", "e3", quality=90)])
    assert r.ro == 5 and r.to == 4
    assert r.rk == pytest.approx((80 * 2 + 90 * 1) / 3)  # e2 has no mark: left out
    assert r.tk == 100
    assert r.tw == 10
    assert r.rw == 5  # the entry of the 5th brings the cumulative quantity to 4
    assert r.rb == 50 and r.tb == 100
    assert r.capaian == 120  # 125 capped
    assert bool(r.has_counted_entry) and r.n_counted == 3


def test_month_assignments_are_those_of_the_period() -> None:
    m = measures([assignment("a1"), assignment("a0", period="2024-02",
                                               start_date=D(2024, 2, 1))], [], [])
    assert list(m["assignment_id"]) == ["a1"]


def test_no_entries() -> None:
    r = one([assignment()], [], [])
    assert r.ro == 0 and r.capaian == 0 and r.rk == r.tk and not r.rk_marked
    assert r.rw == 31  # unfinished: timed at the end of the month
    assert r.rb == 0 and np.isnan(r.tb)
    assert not r.has_counted_entry


def test_not_approved_entries_do_not_count() -> None:
    r = one([assignment()],
            [entry("e1", 2), entry("e2", 3), entry("e3", 4), entry("e4", 5)],
            [decision("v1", "e1", "rejected"), decision("v2", "e2", "revision"),
             decision("v3", "e3")])  # e4 pending
    assert r.ro == 1


def test_entries_before_start_or_after_period_end_not_counted() -> None:
    r = one([assignment(start_date=D(2024, 3, 4))],
            [entry("e1", 3), entry("e2", 4), entry("e3", D(2024, 4, 1)),
             entry("e4", 31)],
            [decision("v1", "e1"), decision("v2", "e2"), decision("v3", "e3"),
             decision("v4", "e4")])
    assert r.ro == 2


def test_entries_before_the_period_but_after_start_count() -> None:
    r = one([assignment(start_date=D(2024, 2, 20), target_quantity=1.0)],
            [entry("e1", D(2024, 2, 25))], [decision("v1", "e1")])
    assert r.ro == 1 and r.rw == 6  # 20..25 February, both counted


def test_entry_of_another_assignment_or_none_not_counted() -> None:
    r = one([assignment()], [entry("e1", 2, aid=None), entry("e2", 2, aid="zz")],
            [decision("v1", "e1"), decision("v2", "e2")])
    assert r.ro == 0


def test_decision_just_before_and_just_after_closing() -> None:
    closing = closing_time_utc(P)
    assert closing == DT(2024, 4, 5, 16, 59, 59)
    before = one([assignment()], [entry("e1", 2)], [decision("v1", "e1", at=closing)])
    assert before.ro == 1
    after = one([assignment()], [entry("e1", 2)],
                [decision("v1", "e1", at=closing + dt.timedelta(seconds=1))])
    assert after.ro == 0


def test_late_decision_does_not_override_in_time_one() -> None:
    closing = closing_time_utc(P)
    r = one([assignment()], [entry("e1", 2)],
            [decision("v1", "e1", quality=70),
             decision("v2", "e1", "rejected", at=closing + dt.timedelta(hours=1))])
    assert r.ro == 1 and r.rk == 70


def test_latest_decision_wins() -> None:
    r = one([assignment()], [entry("e1", 2)],
            [decision("v1", "e1", "approved", at=DT(2024, 3, 3)),
             decision("v2", "e1", "rejected", at=DT(2024, 3, 4))])
    assert r.ro == 0
    r = one([assignment()], [entry("e1", 2)],
            [decision("v2", "e1", "rejected", at=DT(2024, 3, 3)),
             decision("v1", "e1", "approved", at=DT(2024, 3, 4))])
    assert r.ro == 1


def test_same_timestamp_greater_verification_id_as_text_wins() -> None:
    # 'v9' > 'v10' as text: v9 (approved) wins.
    r = one([assignment()], [entry("e1", 2)],
            [decision("v10", "e1", "rejected"), decision("v9", "e1", "approved")])
    assert r.ro == 1
    r = one([assignment()], [entry("e1", 2)],
            [decision("v10", "e1", "approved"), decision("v9", "e1", "rejected")])
    assert r.ro == 0


def test_latest_decision_without_mark_does_not_carry_earlier_mark() -> None:
    r = one([assignment(target_quality=95.0)], [entry("e1", 2), entry("e2", 3)],
            [decision("v1", "e1", quality=60, at=DT(2024, 3, 3)),
             decision("v2", "e1", at=DT(2024, 3, 4)),  # approved again, no mark
             decision("v3", "e2", quality=80)])
    assert r.rk == 80
    r = one([assignment(target_quality=95.0)], [entry("e1", 2)],
            [decision("v1", "e1", quality=60, at=DT(2024, 3, 3)),
             decision("v2", "e1", at=DT(2024, 3, 4))])
    assert r.rk == 95 and not r.rk_marked  # no marks at all: RK = TK


def test_marked_quantity_zero_gives_tk() -> None:
    r = one([assignment(target_quality=90.0)], [entry("e1", 2, qty=0), entry("e2", 3, qty=1)],
            [decision("v1", "e1", quality=50), decision("v2", "e2")])
    assert r.rk == 90


def test_rw_late_delivery_and_ordering_by_date_then_activity_id() -> None:
    # Target 2: reached on the 15th (after the due date of the 10th).
    r = one([assignment(target_quantity=2.0)], [entry("e2", 15), entry("e1", 3)],
            [decision("v1", "e1"), decision("v2", "e2")])
    assert r.rw == 15 and r.tw == 10
    # Same day: 'b' after 'a' by activity_id; target reached by the 'a' entry of the 6th.
    r = one([assignment(target_quantity=1.0)], [entry("b", 6), entry("a", 6), entry("c", 2, 0)],
            [decision("v1", "a"), decision("v2", "b"), decision("v3", "c")])
    assert r.rw == 6


def test_rw_unfinished_is_last_day_of_period() -> None:
    r = one([assignment(target_quantity=10.0)], [entry("e1", 2, 3)], [decision("v1", "e1")])
    assert r.rw == 31


def test_float_quantities_reach_the_target() -> None:
    r = one([assignment(target_quantity=0.3)],
            [entry("e1", 2, 0.1), entry("e2", 3, 0.2)],
            [decision("v1", "e1"), decision("v2", "e2")])
    assert r.rw == 3


def test_rb_without_cost_target_and_blank_cost() -> None:
    a, e, v = frames([assignment()], [entry("e1", 2, cost=12.5), entry("e2", 3)],
                     [decision("v1", "e1"), decision("v2", "e2")])
    e.loc[1, "cost"] = np.nan
    m = compute_measures(a, e, v, P)
    assert m.iloc[0].rb == 12.5 and np.isnan(m.iloc[0].tb)


def test_timestamps_and_integer_ids_accepted() -> None:
    a, e, v = frames([assignment(aid="7", start_date=pd.Timestamp("2024-03-01"))],
                     [entry("e1", 2, aid="7")], [decision("v1", "e1")])
    a["assignment_id"] = [7]
    e["date"] = pd.to_datetime(e["date"])
    e["activity_id"] = [1]
    v["activity_id"] = [1]
    m = compute_measures(a, e, v, P)
    assert m.iloc[0].assignment_id == "7" and m.iloc[0].ro == 1


def test_sql_style_aggregate_frame_gives_same_measures() -> None:
    """An aggregate frame without rows for assignments lacking entries, NaN rk sums and
    python dates, as a SQL query returns it, finishes to the same measures."""
    asg = [assignment("a1", target_cost=10.0), assignment("a2")]
    ent = [entry("e1", 2, 4, cost=3)]
    dec = [decision("v1", "e1")]
    a, e, v = frames(asg, ent, dec)
    expected = compute_measures(a, e, v, P)
    sql = pd.DataFrame({"assignment_id": ["a1"], "nip": ["n1"], "ro": [4.0],
                        "rk_num": [np.nan], "rk_den": [np.nan], "rb": [3.0],
                        "rw_date": [D(2024, 3, 2)], "has_counted_entry": [True]})
    got = finish_measures(a, sql, P)
    cols = [c for c in MEASURE_COLUMNS if c != "n_counted"]
    pd.testing.assert_frame_equal(got[cols], expected[cols])


# ------------------------------------------------------------------ properties
entries_strategy = st.lists(
    st.tuples(st.integers(1, 31), st.floats(0, 5, allow_nan=False).map(lambda x: round(x, 2)),
              st.sampled_from(["approved", "rejected", "revision"]),
              st.one_of(st.none(), st.integers(0, 100))),
    max_size=12,
)


def _build(rows: list[tuple], to: float) -> tuple[pd.DataFrame, ...]:
    ent = [entry(f"e{i}", day, qty) for i, (day, qty, _, _) in enumerate(rows)]
    dec = [decision(f"v{i}", f"e{i}", status, q) for i, (_, _, status, q) in enumerate(rows)]
    return frames([assignment(target_quantity=to)], ent, dec)


@settings(max_examples=60, deadline=None)
@given(entries_strategy, st.floats(0.5, 20, allow_nan=False))
def test_capaian_never_above_120(rows: list[tuple], to: float) -> None:
    a, e, v = _build(rows, to)
    m = compute_measures(a, e, v, P)
    assert 0 <= m.iloc[0].capaian <= 120
    assert 1 <= m.iloc[0].rw <= 31


@settings(max_examples=60, deadline=None)
@given(st.floats(0, 50, allow_nan=False), st.floats(0, 50, allow_nan=False),
       st.floats(0.5, 20, allow_nan=False))
def test_capaian_non_decreasing_in_ro(q1: float, q2: float, to: float) -> None:
    lo, hi = sorted((q1, q2))
    caps = []
    for q in (lo, hi):
        a, e, v = frames([assignment(target_quantity=to)], [entry("e1", 2, q)],
                         [decision("v1", "e1")])
        caps.append(compute_measures(a, e, v, P).iloc[0].capaian)
    assert caps[0] <= caps[1]


@settings(max_examples=40, deadline=None)
@given(entries_strategy, st.randoms(use_true_random=False))
def test_order_of_input_rows_irrelevant(rows: list[tuple], rnd: Any) -> None:
    a, e, v = _build(rows, 3.0)
    # a second, same-timestamp decision per entry to exercise the tie-break
    extra = v.copy()
    extra["verification_id"] = extra["verification_id"] + "x"
    extra["status"] = "rejected"
    v = pd.concat([v, extra], ignore_index=True)
    first = compute_measures(a, e, v, P)
    e2 = e.sample(frac=1, random_state=rnd.randint(0, 10**6)).reset_index(drop=True)
    v2 = v.sample(frac=1, random_state=rnd.randint(0, 10**6)).reset_index(drop=True)
    second = compute_measures(a, e2, v2, P)
    pd.testing.assert_frame_equal(first, second)


# ------------------------------------------------------------------ awaiting verification (§5)
def test_entries_awaiting_verification_counted_per_assignment() -> None:
    """An entry that would count but has no decision up to the closing time is pending;
    a decision made after the closing time leaves it pending; a rejected or revision
    decision is a decision; entries outside the assignment's dates, of another assignment
    or of none are not pending for it."""
    closing = closing_time_utc(P)
    late = closing + dt.timedelta(seconds=1)
    asg = [assignment("a1", start_date=D(2024, 3, 5)), assignment("a2")]
    ent = [
        entry("e1", 6, 2.0),                 # no decision at all: pending
        entry("e2", 7, 3.0),                 # decided only after the closing: pending
        entry("e3", 8, 1.0),                 # rejected: decided
        entry("e4", 9, 1.0),                 # revision: decided
        entry("e5", 10, 1.0),                # approved: counted
        entry("e6", 4, 5.0),                 # before a1's start: neither
        entry("e7", D(2024, 4, 1), 5.0),     # after the period: neither
        entry("e8", 6, 7.0, aid=None),       # no assignment: neither
        entry("e9", 6, 0.5, aid="a2"),       # another assignment: a2's
    ]
    dec = [decision("v2", "e2", at=late), decision("v3", "e3", "rejected"),
           decision("v4", "e4", "revision"), decision("v5", "e5")]
    a, e, v = frames(asg, ent, dec)
    agg = aggregate_entries(a, e, v, P, closing).set_index("assignment_id")
    assert agg.loc["a1", "n_pending"] == 2 and agg.loc["a1", "pending_quantity"] == 5.0
    assert agg.loc["a2", "n_pending"] == 1 and agg.loc["a2", "pending_quantity"] == 0.5
    m = finish_measures(a, agg.reset_index(), P).set_index("assignment_id")
    assert m.loc["a1", "ro"] == 1.0 and m.loc["a1", "n_pending"] == 2  # RO unchanged
    assert m.loc["a1", "pending_quantity"] == 5.0


def test_aggregate_frame_without_pending_columns_means_nothing_pending() -> None:
    a, e, v = frames([assignment()], [entry("e1", 2)], [])
    sql = pd.DataFrame({"assignment_id": ["a1"], "nip": ["n1"], "ro": [0.0],
                        "rk_num": [np.nan], "rk_den": [np.nan], "rb": [0.0],
                        "rw_date": [None], "has_counted_entry": [False]})
    m = finish_measures(a, sql, P)
    assert m.loc[0, "n_pending"] == 0 and m.loc[0, "pending_quantity"] == 0.0
    assert compute_measures(a, e, v, P).loc[0, "n_pending"] == 1
