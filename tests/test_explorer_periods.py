"""The explorer's period selector offers quarters, semesters and years beside the months
(domain.md §7): a longer period's views are the period's scores, ranks and curve, its
employee's card the Dokumen Evaluasi Kinerja with each month's figures (compared with the
batch's in tests/test_explorer_annual.py); the allowance stays monthly."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from eperformance.explorer import Explorer, ExplorerData, PeriodKey
from eperformance.explorer.data import Filters, period_choices
from eperformance.scores import ScoreRequest, compute_period_scores
from eperformance.unit_recap import scores_with_units
from test_cards_support import TinyDb, build_tiny_db

QUARTER = "2021-Q1"


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TinyDb]:
    tiny = build_tiny_db(tmp_path_factory.mktemp("explorer-periods"))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("EPERF_HOME", str(tiny.home))
        mp.setenv("DATABASE_URL", tiny.url)
        yield tiny
    tiny.engine.dispose()


@pytest.fixture(scope="module")
def data(db: TinyDb) -> ExplorerData:
    return ExplorerData(engine=db.engine, home=db.home)


def test_period_choices() -> None:
    assert period_choices(["2021-01", "2021-02", "2020-12", "junk"]) == [
        "2021-02", "2021-01", "2020-12",
        "2021-Q1", "2021-S1", "2021", "2020-Q4", "2020-S2", "2020"]
    assert period_choices([]) == []


def test_selector_offers_longer_periods(data: ExplorerData, db: TinyDb,
                                        tmp_path: Path) -> None:
    assert data.periods[:2] == ["2021-02", "2021-01"]
    assert {QUARTER, "2021-S1", "2021"} <= set(data.periods)
    app = Explorer(data, period=db.period, out_root=tmp_path)
    assert app.period.value == db.period  # a month still opens
    assert QUARTER in list(app.period.options)


def test_a_quarter_is_scored_as_a_period(data: ExplorerData, db: TinyDb) -> None:
    key = PeriodKey(QUARTER)
    period = data.period(key)
    run = compute_period_scores(db.engine, ScoreRequest(period=QUARTER), home=db.home)
    expected = scores_with_units(run).set_index("nip")
    shown = period.employees.set_index("nip")
    assert set(shown.index) == set(expected.index)
    for nip, row in shown.iterrows():
        want = expected.loc[nip]
        assert (row["predikat"] == want["predikat"]) or (row["predikat"] != row["predikat"]
                                                         and want["predikat"] != want["predikat"])
        assert row["keterangan"] == want["keterangan"]
    sel = data.select(key, Filters())
    medians = run.result.unit_medians()
    for r in sel.units.itertuples():
        m = medians.get(r.unit_code)
        assert (m is None and r.main_median != r.main_median) or \
            r.main_median == pytest.approx(m)
    assert len(sel.breaches) == len(run.result.breaches)
    assert sel.tukin_units is None and period.tukin_error  # the allowance is monthly
    assert set(period.tables.employees["period"]) == {QUARTER}


def test_employee_rows_of_a_quarter(data: ExplorerData, db: TinyDb) -> None:
    rows = data.period_rows(PeriodKey(QUARTER), db.strong)
    assert list(rows["period"]) == ["2021-01", "2021-02", "2021-03", QUARTER]
    assert rows.iloc[-1]["predikat"]  # the period has a predikat
    assert rows.iloc[2]["keterangan"].startswith("belum ada penugasan")  # no March data
    month_rows = data.period_rows(PeriodKey(db.period), db.strong)
    assert list(month_rows["period"]) == [db.period]


def test_employee_view_of_a_quarter_is_the_annual_card(data: ExplorerData, db: TinyDb,
                                                       tmp_path: Path) -> None:
    """The card tab of a quarter shows the Dokumen Evaluasi Kinerja (tests/
    test_explorer_annual.py checks it equals the batch's), with each month's row."""
    rows = data.period_rows(PeriodKey(QUARTER), db.strong)
    app = Explorer(data, period=QUARTER, out_root=tmp_path)
    app.select_employee(db.strong)
    view = app.card_view.value
    record = app.card_record
    assert record is not None and record.period == QUARTER and not record.is_monthly
    assert "Dokumen Evaluasi Kinerja" in view and "Triwulan I 2021" in view
    assert [m.month for m in record.months] == list(rows["period"][:-1])
    assert [m.predikat for m in record.months] == [
        p if isinstance(p, str) else None for p in rows["predikat"][:-1]]
    assert record.predikat == rows.iloc[-1]["predikat"]
    assert not app.pdf_button.disabled and not app.html_button.disabled
    app.lang.value = "en"
    assert "Q1 2021" in app.card_view.value
    assert "Performance Evaluation Document" in app.card_view.value
