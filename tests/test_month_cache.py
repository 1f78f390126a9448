"""The closed months' cache (db/month_cache.py, docs/periods.md): a longer period scored
from cached months equals the same period read afresh, on every engine; every import
that touches a month's scoring input makes that month (and only it) be read afresh; the
cache is skipped for open months, a changed closing time, a scope, and when turned off;
its bytes decode exactly and never run code."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from sqlalchemy import select, update

from eperformance.db import month_cache
from eperformance.db import schema as s
from eperformance.db.engine import open_engine, upgrade
from eperformance.demo import generate_demo
from eperformance.framecodec import Unsupported, decode_frames, encode_frames
from eperformance.ingest import run_ingest
from eperformance.scores import PeriodRun, ScoreRequest, compute_period_scores, compute_scores

LATER = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
QUARTER = "2021-Q1"


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    generate_demo(out, employees=24, months=2, seed=5)
    return out


def _loaded(url: str, demo_dir: Path):  # type: ignore[no-untyped-def]
    engine = open_engine(url, create=True)
    upgrade(engine)
    assert run_ingest(demo_dir, engine).exit_code == 0
    return engine


def _run(engine, period: str = QUARTER, *, cache: bool = True, unit: str | None = None,
         home: Path | None = None, now: dt.datetime = LATER,
         scheme: str = "permenpan-6-2022") -> PeriodRun:  # type: ignore[no-untyped-def]
    return compute_period_scores(
        engine, ScoreRequest(period=period, scheme=scheme, unit=unit, use_cache=cache),
        home=home, now=now)


def _same(a: PeriodRun, b: PeriodRun) -> None:
    """Everything a user sees of the period is the same."""
    pd.testing.assert_frame_equal(a.scores_frame, b.scores_frame, check_exact=True)
    pd.testing.assert_frame_equal(a.assignments_frame, b.assignments_frame, check_exact=True)
    pd.testing.assert_frame_equal(a.credits_frame, b.credits_frame, check_exact=True)
    assert a.result.months == b.result.months
    assert a.result.breaches == b.result.breaches
    assert a.data_fingerprint == b.data_fingerprint
    for month in a.measures_by_month:
        pd.testing.assert_frame_equal(a.measures_by_month[month], b.measures_by_month[month],
                                      check_exact=True)
    pd.testing.assert_frame_equal(a.behaviour, b.behaviour, check_exact=True)


def _cached_months(engine) -> list[str]:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        return sorted(r[0] for r in conn.execute(select(s.month_cache.c.period)))


def _reimport(src: Path, dest: Path, table: str, change) -> None:  # type: ignore[no-untyped-def]
    """A folder holding only ``table``'s file, its rows passed through ``change``."""
    dest.mkdir()
    with (src / f"{table}.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    rows = change(rows)
    with (dest / f"{table}.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


@pytest.mark.parametrize("scheme", ["permenpan-6-2022", "pp-46-2011"])
def test_cached_months_score_the_same(any_db_url: str, demo_dir: Path, scheme: str) -> None:
    engine = _loaded(any_db_url, demo_dir)
    try:
        fresh = _run(engine, cache=False, scheme=scheme)
        assert _cached_months(engine) == []  # --no-cache keeps nothing either
        first = _run(engine, scheme=scheme)
        assert first.extra["months_from_cache"] == []
        # the quarter's three months are closed: all kept, the empty March too
        assert _cached_months(engine) == ["2021-01", "2021-02", "2021-03"]
        second = _run(engine, scheme=scheme)
        assert second.extra["months_from_cache"] == ["2021-01", "2021-02", "2021-03"]
        _same(fresh, first)
        _same(fresh, second)
        # the year reuses the quarter's months and reads the other nine afresh
        year = _run(engine, "2021", scheme=scheme)
        assert year.extra["months_from_cache"] == ["2021-01", "2021-02", "2021-03"]
        _same(year, _run(engine, "2021", cache=False, scheme=scheme))
    finally:
        engine.dispose()


def test_a_monthly_run_keeps_its_closed_month(tmp_path: Path, demo_dir: Path) -> None:
    engine = _loaded(f"sqlite:///{tmp_path / 'm.sqlite'}", demo_dir)
    compute_scores(engine, ScoreRequest(period="2021-01", unit="KEMENSOS"), now=LATER)
    assert _cached_months(engine) == []  # a unit's month is not the organisation's
    compute_scores(engine, ScoreRequest(period="2021-01"),
                   now=dt.datetime(2021, 2, 1, tzinfo=dt.UTC))
    assert _cached_months(engine) == []  # not closed yet
    compute_scores(engine, ScoreRequest(period="2021-01"), now=LATER)
    assert _cached_months(engine) == ["2021-01"]
    run = _run(engine)
    assert run.extra["months_from_cache"] == ["2021-01"]
    _same(run, _run(engine, cache=False))


def test_each_import_forgets_exactly_the_months_it_touches(any_db_url: str, tmp_path: Path,
                                                          demo_dir: Path) -> None:
    engine = _loaded(any_db_url, demo_dir)
    _run(engine)
    assert _run(engine).extra["months_from_cache"] == ["2021-01", "2021-02", "2021-03"]

    # the same files again: nothing changes, nothing is forgotten
    again = run_ingest(demo_dir, engine)
    assert again.months_changed == []
    assert _run(engine).extra["months_from_cache"] == ["2021-01", "2021-02", "2021-03"]

    def reject_first_january_approval(rows):  # type: ignore[no-untyped-def]
        for row in rows:
            if row["activity_id"].startswith("E2021-01") and row["status"] == "approved":
                row["status"] = "rejected"
                row["quality"] = ""
                return [row]
        raise AssertionError("no approved January decision")

    before = _run(engine)
    _reimport(demo_dir, tmp_path / "v", "verifications", reject_first_january_approval)
    report = run_ingest(tmp_path / "v", engine)
    assert report.exit_code == 0 and report.months_changed == ["2021-01"]
    after = _run(engine)
    assert after.extra["months_from_cache"] == ["2021-02", "2021-03"]
    _same(after, _run(engine, cache=False))
    assert after.data_fingerprint != before.data_fingerprint

    # an entry moved to another month's assignment: both months are forgotten
    with (demo_dir / "assignments.csv").open(encoding="utf-8") as fh:
        feb = next(r for r in csv.DictReader(fh) if r["period"] == "2021-02")

    def move_one_entry(rows):  # type: ignore[no-untyped-def]
        row = next(r for r in rows if r["activity_id"].startswith("E2021-01"))
        row["assignment_id"] = feb["assignment_id"]
        row["nip"] = feb["nip"]
        return [row]

    _run(engine)
    _reimport(demo_dir, tmp_path / "a", "activities", move_one_entry)
    report = run_ingest(tmp_path / "a", engine)
    assert report.exit_code == 0, report.rejects
    assert report.months_changed == ["2021-01", "2021-02"]
    assert _run(engine).extra["months_from_cache"] == ["2021-03"]

    # a rating and an assignment: their own months
    def lower_a_february_rating(rows):  # type: ignore[no-untyped-def]
        row = next(r for r in rows if r["period"] == "2021-02")
        row["score"] = "51"
        return [row]

    _run(engine)
    _reimport(demo_dir, tmp_path / "b", "behaviour", lower_a_february_rating)
    assert run_ingest(tmp_path / "b", engine).months_changed == ["2021-02"]
    changed = _run(engine)
    assert changed.extra["months_from_cache"] == ["2021-01", "2021-03"]
    _same(changed, _run(engine, cache=False))

    def raise_a_january_target(rows):  # type: ignore[no-untyped-def]
        row = next(r for r in rows if r["period"] == "2021-01")
        row["target_quantity"] = str(int(row["target_quantity"]) + 7)
        return [row]

    _reimport(demo_dir, tmp_path / "g", "assignments", raise_a_january_target)
    assert run_ingest(tmp_path / "g", engine).months_changed == ["2021-01"]
    changed = _run(engine)
    assert changed.extra["months_from_cache"] == ["2021-02", "2021-03"]
    _same(changed, _run(engine, cache=False))

    # a new entry and its decision in one import: the entry's month only
    _run(engine)
    (tmp_path / "n").mkdir()
    for table, key, new_id in (("activities", "activity_id", "E2021-01-9999999"),
                               ("verifications", "verification_id", "V2021-01-9999999")):
        with (demo_dir / f"{table}.csv").open(newline="", encoding="utf-8") as fh:
            row = next(r for r in csv.DictReader(fh) if r[key].startswith(new_id[:8]))
        row[key] = new_id
        if table == "verifications":
            row["activity_id"] = "E2021-01-9999999"
        with (tmp_path / "n" / f"{table}.csv").open("w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(row))
            writer.writeheader()
            writer.writerow(row)
    report = run_ingest(tmp_path / "n", engine)
    assert report.exit_code == 0, report.rejects
    assert report.months_changed == ["2021-01"]
    fresh = _run(engine)
    assert fresh.extra["months_from_cache"] == ["2021-02", "2021-03"]
    _same(fresh, _run(engine, cache=False))

    # --check loads nothing and forgets nothing
    _reimport(demo_dir, tmp_path / "c", "behaviour", lower_a_february_rating)
    (tmp_path / "c" / "behaviour.csv").write_text(
        (tmp_path / "c" / "behaviour.csv").read_text().replace(",51", ",52"))
    assert run_ingest(tmp_path / "c", engine, check=True).months_changed == []
    assert _run(engine).extra["months_from_cache"] == ["2021-01", "2021-02", "2021-03"]


def test_the_cache_is_used_only_when_it_still_applies(tmp_path: Path, demo_dir: Path,
                                                      home: Path) -> None:
    engine = _loaded(f"sqlite:///{tmp_path / 'u.sqlite'}", demo_dir)
    _run(engine, home=home)
    # a unit reads its own rows afresh (the cache is the organisation's) and keeps nothing
    with engine.connect() as conn:
        unit = conn.execute(select(s.employees.c.unit_code)).first()[0]
    with engine.begin() as conn:
        conn.execute(s.month_cache.delete())
    scoped = _run(engine, unit=unit, home=home)
    assert scoped.extra["months_from_cache"] == []
    assert _cached_months(engine) == []
    _run(engine, home=home)
    again = _run(engine, unit=unit, home=home)
    assert again.extra["months_from_cache"] == []
    _same(scoped, again)
    assert 0 < len(scoped.scores) < len(_run(engine, home=home).scores)

    # a month still open is never cached: the quarter as of mid-February
    with engine.begin() as conn:
        conn.execute(s.month_cache.delete())
    feb = dt.datetime(2021, 2, 15, tzinfo=dt.UTC)
    _run(engine, now=feb, home=home)
    assert _cached_months(engine) == ["2021-01"]

    # another closing day: the kept months no longer apply
    settings = home / "params" / "settings.yaml"
    data = yaml.safe_load(settings.read_text()) if settings.exists() else {}
    data["closing_day"] = 9
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text(yaml.safe_dump(data))
    moved = _run(engine, home=home)
    assert moved.extra["months_from_cache"] == []
    _same(moved, _run(engine, cache=False, home=home))

    # turned off in the settings: neither read nor kept
    data["month_cache"] = False
    settings.write_text(yaml.safe_dump(data))
    with engine.begin() as conn:
        conn.execute(s.month_cache.delete())
    assert _run(engine, home=home).extra["months_from_cache"] == []
    assert _cached_months(engine) == []


def test_a_cached_month_from_other_code_or_damaged_is_read_afresh(tmp_path: Path,
                                                                 demo_dir: Path) -> None:
    engine = _loaded(f"sqlite:///{tmp_path / 'k.sqlite'}", demo_dir)
    fresh = _run(engine)
    with engine.begin() as conn:
        conn.execute(update(s.month_cache).where(s.month_cache.c.period == "2021-01")
                     .values(code_key="0" * 64))
        conn.execute(update(s.month_cache).where(s.month_cache.c.period == "2021-02")
                     .values(payload=b"\x80\x04not a frame"))
        conn.execute(update(s.month_cache).where(s.month_cache.c.period == "2021-03")
                     .values(payload=b"EPFC1\ngarbage that zlib refuses"))
    run = _run(engine)
    assert run.extra["months_from_cache"] == []
    _same(run, fresh)
    # read afresh, kept again
    assert _run(engine).extra["months_from_cache"] == ["2021-01", "2021-02", "2021-03"]


def test_codec_round_trips_exactly() -> None:
    frame = pd.DataFrame({
        "text": pd.Series(["Siti", None, "Ā ‮ <b>", "Siti"], dtype="str"),
        "obj": pd.Series(["a", None, "b", "a"], dtype=object),
        "day": pd.Series([dt.date(2021, 1, 4), pd.NaT, None, dt.date(2021, 1, 4)],
                         dtype=object),
        "when": pd.Series([dt.datetime(2021, 1, 4, 7, 5, 1), None, None, None], dtype=object),
        "clock": pd.Series([dt.time(7, 54), dt.time(23, 59, 59), None, np.nan], dtype=object),
        "dec": pd.Series([Decimal("1.10"), Decimal("-0"), None, Decimal("3")], dtype=object),
        "f": [1.5, np.nan, -0.0, 1e-300],
        "i": np.array([1, -2, 3, 2**40], dtype="int64"),
        "b": [True, False, True, False],
    })
    frame["mixed"] = pd.Series([1, 1.0, True, Decimal("1.50")], dtype=object)
    frame["digits"] = pd.Series([Decimal("1.5"), Decimal("1.50"), Decimal("-0"),
                                 Decimal("0")], dtype=object)
    empty = frame.iloc[:0]
    back = decode_frames(encode_frames({"x": frame, "empty": empty}))
    for name, original in (("x", frame), ("empty", empty.reset_index(drop=True))):
        pd.testing.assert_frame_equal(back[name], original, check_exact=True)
        for col in original.columns:
            assert [repr(v) for v in back[name][col]] == [repr(v) for v in original[col]]
            assert [type(v) for v in back[name][col]] == [type(v) for v in original[col]]


def test_codec_refuses_what_it_does_not_store() -> None:
    with pytest.raises(Unsupported):
        encode_frames({"x": pd.DataFrame({"o": pd.Series([object()], dtype=object)})})
    with pytest.raises(Unsupported):
        encode_frames({"x": pd.DataFrame(
            {"t": [dt.datetime(2021, 1, 1, tzinfo=dt.UTC)]}, dtype=object)})
    import pickle
    for junk in (b"", b"EPFC1\n", pickle.dumps(pd.DataFrame({"a": [1]})), b"EPFC1\nxx"):
        with pytest.raises(Exception) as err:
            decode_frames(junk)
        assert isinstance(err.value, ValueError) or "zlib" in type(err.value).__module__


def test_store_is_best_effort(tmp_path: Path, demo_dir: Path) -> None:
    """A database that refuses the write leaves the month uncached; the run goes on."""
    engine = _loaded(f"sqlite:///{tmp_path / 'r.sqlite'}", demo_dir)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE month_cache")
    fresh = _run(engine)
    assert fresh.extra["months_from_cache"] == []
    frames = {k: pd.DataFrame({"nip": ["199001012020011001"]}) for k in month_cache.FRAMES}
    assert month_cache.store(engine, "2021-01", 0, dt.datetime(2021, 2, 5), frames,
                             "x") is False


def test_eperf_score_says_what_came_from_the_cache(tmp_path: Path, demo_dir: Path,
                                                   home: Path) -> None:
    import json

    from click.testing import CliRunner

    from eperformance.cli import main

    url = f"sqlite:///{tmp_path / 'c.sqlite'}"
    _loaded(url, demo_dir).dispose()
    runner = CliRunner()
    outputs = {}
    for name, extra in (("first", []), ("second", []), ("fresh", ["--no-cache"])):
        out = tmp_path / f"{name}.csv"
        res = runner.invoke(main, ["score", "--period", "2021-q1", "--db", url,
                                   "--out", str(out), *extra])
        assert res.exit_code == 0, res.output
        outputs[name] = (res.output, out.read_bytes(),
                         json.loads(out.with_name(out.name + ".meta.json").read_text()))
    assert "from the cache" not in outputs["first"][0]
    assert "3 closed month(s) read from the cache: 2021-01 .. 2021-03" in outputs["second"][0]
    assert "from the cache" not in outputs["fresh"][0]
    assert outputs["second"][2]["months_from_cache"] == ["2021-01", "2021-02", "2021-03"]
    assert outputs["fresh"][2]["months_from_cache"] == []
    # the very same scores file, and the same data fingerprint
    assert outputs["first"][1] == outputs["second"][1] == outputs["fresh"][1]
    assert len({o[2]["data_fingerprint"] for o in outputs.values()}) == 1


def test_joined_codes_equal_the_joined_frames() -> None:
    """A period's rating rows joined from the months' codes (cached or read afresh) are
    exactly the months' frames concatenated; as categories, the same values."""
    from eperformance.framecodec import code_frame, join_coded

    def month(period: str, nips: list[str], scores: list[float | None]) -> pd.DataFrame:
        return pd.DataFrame({
            "nip": pd.Series(nips, dtype="str"),
            "period": pd.Series([period] * len(nips), dtype="str"),
            "aspect": pd.Series(["adaptif", None, "loyal"][:len(nips)], dtype="str"),
            "score": pd.Series(scores, dtype="float64"),
        })

    jan = month("2021-01", ["199001012020011001", "199001012020011002"], [80.0, None])
    feb = month("2021-02", [], [])
    mar = month("2021-03", ["199001012020011003", "199001012020011001", "1"],
                [1.5, -0.0, 100.0])
    expected = pd.concat([jan, mar], ignore_index=True)
    stored = decode_frames(encode_frames({"b": jan}), coded=("b",))["b"]
    parts = [stored, code_frame(feb), code_frame(mar)]
    pd.testing.assert_frame_equal(join_coded(parts), expected, check_exact=True)
    as_cat = join_coded(parts, categorical=("nip", "period", "aspect"))
    assert isinstance(as_cat["nip"].dtype, pd.CategoricalDtype)
    assert list(as_cat["nip"].cat.categories) == sorted(set(expected["nip"]))
    for col in expected.columns:
        assert [None if pd.isna(v) else v for v in as_cat[col].astype(object)] == \
            [None if pd.isna(v) else v for v in expected[col].astype(object)]


def test_an_older_copy_never_replaces_a_newer_one(tmp_path: Path, demo_dir: Path) -> None:
    engine = _loaded(f"sqlite:///{tmp_path / 'o.sqlite'}", demo_dir)
    run = _run(engine)
    frames = {"assignments": pd.DataFrame({"nip": ["1"]}), "aggregates": pd.DataFrame(),
              "behaviour": pd.DataFrame()}
    closing = dt.datetime(2021, 2, 5, 16, 59, 59)
    with engine.begin() as conn:
        conn.execute(update(s.month_cache).where(s.month_cache.c.period == "2021-01")
                     .values(data_version=5))
    assert month_cache.store(engine, "2021-01", 4, closing, frames, "old") is False
    with engine.connect() as conn:
        kept = conn.execute(select(s.month_cache.c.data_version)
                            .where(s.month_cache.c.period == "2021-01")).scalar()
    assert kept == 5
    assert run.extra["months_from_cache"] == []
