"""The latest-decision rule (eperformance.decisions): the pandas form on tiny explicit
frames, and the SQL builder's statement per dialect. The two forms are compared on every
engine by test_rekap, test_scores_db and test_chain_engines."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import select
from sqlalchemy.dialects import mysql, postgresql, sqlite

from eperformance.db import schema as s
from eperformance.decisions import (
    is_latest,
    latest_decisions,
    ranked_decisions,
    text_order,
    up_to_closing,
)

CLOSING = dt.datetime(2024, 4, 5, 16, 59, 59)  # 2024-03 in Asia/Jakarta, naive UTC
T = dt.datetime(2024, 3, 20, 3, 0, 0)


def _v(rows: list[tuple[str, str, dt.datetime, str, float | None]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["verification_id", "activity_id", "decided_at",
                                       "status", "quality"])


def test_latest_by_time_then_verification_id_by_code_point() -> None:
    v = _v([
        ("v1", "a1", T, "revision", None),
        ("v2", "a1", T + dt.timedelta(hours=1), "approved", 80.0),  # later wins
        ("B", "a2", T, "rejected", None),
        ("a", "a2", T, "approved", 90.0),  # tie: "a" (97) > "B" (66) by code point
        ("V-10", "a3", T, "rejected", None),
        ("V-9", "a3", T, "approved", 70.0),  # tie: "V-9" > "V-10" as text
    ])
    got = latest_decisions(v, CLOSING).set_index("activity_id")
    assert got.loc["a1", "verification_id"] == "v2"
    assert got.loc["a2", "verification_id"] == "a"
    assert got.loc["a3", "verification_id"] == "V-9"
    assert got.loc["a2", "quality"] == 90.0
    assert list(got.columns) == ["verification_id", "status", "quality", "decided_at"]


def test_the_closing_second_counts_and_a_later_decision_does_not() -> None:
    v = _v([
        ("v1", "a1", CLOSING, "approved", None),
        ("v2", "a2", T, "revision", None),
        ("v3", "a2", CLOSING + dt.timedelta(seconds=1), "approved", None),  # late
        ("v4", "a3", CLOSING + dt.timedelta(days=1), "approved", None),  # only late
    ])
    got = latest_decisions(v, CLOSING).set_index("activity_id")
    assert got.loc["a1", "status"] == "approved"
    assert got.loc["a2", "status"] == "revision"
    assert "a3" not in got.index
    decided = pd.Series(pd.to_datetime([CLOSING, CLOSING + dt.timedelta(seconds=1)]))
    assert list(up_to_closing(decided, CLOSING)) == [True, False]


def test_aware_times_are_compared_in_utc_and_extra_columns_are_carried() -> None:
    jakarta = dt.timezone(dt.timedelta(hours=7))
    v = _v([("v1", "a1", (CLOSING + dt.timedelta(hours=7)).replace(tzinfo=jakarta),
             "approved", None)]).assign(note=["ok"])
    got = latest_decisions(v, CLOSING, ("status", "note", "decided_at"))
    assert list(got["note"]) == ["ok"]
    assert got["decided_at"].iloc[0] == pd.Timestamp(CLOSING)


def test_no_decision_gives_an_empty_frame_with_the_columns() -> None:
    got = latest_decisions(_v([("v1", "a1", CLOSING + dt.timedelta(days=2), "approved",
                                None)]), CLOSING)
    assert got.empty
    assert list(got.columns) == ["activity_id", "verification_id", "status", "quality",
                                 "decided_at"]


def test_sql_orders_verification_id_by_code_point_on_postgresql_only() -> None:
    v = s.verifications
    for dialect, collated in ((postgresql.dialect(), True), (sqlite.dialect(), False),
                              (mysql.dialect(), False)):
        ranked = ranked_decisions(v, dialect.name, CLOSING, ("status",)).subquery("latest")
        sql = str(select(s.activities.c.activity_id)
                  .join_from(s.activities, ranked, is_latest(ranked, s.activities.c.activity_id))
                  .compile(dialect=dialect))
        assert ("COLLATE" in sql) is collated, dialect.name
        assert "row_number() OVER (PARTITION BY verifications.activity_id" in sql.replace(
            "ROW_NUMBER", "row_number")
        assert "verifications.decided_at <" in sql
    assert 'COLLATE "C"' in str(text_order("postgresql", v.c.verification_id).compile(
        dialect=postgresql.dialect()))


def test_both_sql_forms_pick_the_pandas_latest_on_every_engine(any_db_url: str) -> None:
    """ranked_decisions + is_latest and the correlated latest_decision_id give the decision
    latest_decisions gives: ties by code point, the closing second counted, late ignored."""
    from sqlalchemy import create_engine, insert

    from eperformance.decisions import latest_decision_id

    rows = [
        ("v1", "a1", T, "revision", None),
        ("v2", "a1", T + dt.timedelta(hours=1), "approved", 80.0),
        ("B", "a2", T, "rejected", None),
        ("a", "a2", T, "approved", 90.0),
        ("V-10", "a3", T, "rejected", None),
        ("V-9", "a3", T, "approved", 70.0),
        ("w1", "a4", CLOSING, "approved", None),  # the closing second counts
        ("w2", "a5", T, "revision", None),
        ("w3", "a5", CLOSING + dt.timedelta(seconds=1), "approved", None),  # late
        ("w4", "a6", CLOSING + dt.timedelta(days=1), "approved", None),  # only late
    ]
    expected = latest_decisions(_v(rows), CLOSING).set_index("activity_id")["verification_id"]
    engine = create_engine(any_db_url)
    v = s.verifications
    try:
        s.verifications.create(engine)
        with engine.begin() as conn:
            conn.execute(insert(v), [
                {"verification_id": r[0], "activity_id": r[1], "verifier_nip": "1" * 18,
                 "status": r[3], "decided_at": r[2], "quality": r[4]} for r in rows])
        dialect = engine.dialect.name
        acts = select(v.c.activity_id).distinct().subquery("acts")
        with engine.connect() as conn:
            seek_ids = {
                r.activity_id: r.verification_id for r in conn.execute(
                    select(acts.c.activity_id,
                           latest_decision_id(v, dialect, CLOSING, acts.c.activity_id)
                           .label("verification_id")))
                if r.verification_id is not None}
            ranked = ranked_decisions(v, dialect, CLOSING, ("status",)).subquery("ranked")
            rank_status = dict(conn.execute(
                select(ranked.c.activity_id, ranked.c.status).where(ranked.c.rn == 1)).all())
    finally:
        s.verifications.drop(engine, checkfirst=True)
        engine.dispose()
    assert seek_ids == expected.to_dict()
    assert seek_ids == {"a1": "v2", "a2": "a", "a3": "V-9", "a4": "w1", "a5": "w2"}
    want_status = latest_decisions(_v(rows), CLOSING).set_index("activity_id")["status"]
    assert rank_status == want_status.to_dict()
