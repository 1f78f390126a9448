"""Periods (domain.md §7): parsing, months, days, labels; the month-only places."""

from __future__ import annotations

import datetime as dt

import pytest

from eperformance import i18n
from eperformance.errors import UsageError
from eperformance.ingest.values import parse_any_period, parse_period, period_last_day
from eperformance.periods import (
    MONTH_NAMES,
    MONTH_SHORT,
    Period,
    PeriodError,
    canonical_period,
    parse_month,
)
from eperformance.scoring import closing


@pytest.mark.parametrize(("text", "code", "kind", "months", "first", "last"), [
    ("2021-06", "2021-06", "month", ("2021-06",), "2021-06-01", "2021-06-30"),
    ("2024-02", "2024-02", "month", ("2024-02",), "2024-02-01", "2024-02-29"),
    ("2021-Q1", "2021-Q1", "quarter", ("2021-01", "2021-02", "2021-03"), "2021-01-01",
     "2021-03-31"),
    ("2021-q2", "2021-Q2", "quarter", ("2021-04", "2021-05", "2021-06"), "2021-04-01",
     "2021-06-30"),
    ("2021-Q4", "2021-Q4", "quarter", ("2021-10", "2021-11", "2021-12"), "2021-10-01",
     "2021-12-31"),
    ("2021-s1", "2021-S1", "semester", tuple(f"2021-{m:02d}" for m in range(1, 7)),
     "2021-01-01", "2021-06-30"),
    ("2021-S2", "2021-S2", "semester", tuple(f"2021-{m:02d}" for m in range(7, 13)),
     "2021-07-01", "2021-12-31"),
    ("2021", "2021", "year", tuple(f"2021-{m:02d}" for m in range(1, 13)), "2021-01-01",
     "2021-12-31"),
])
def test_parse(text: str, code: str, kind: str, months: tuple[str, ...], first: str,
               last: str) -> None:
    p = Period.parse(text)
    assert (str(p), p.code, p.kind, p.months) == (code, code, kind, months)
    assert p.n_months == len(months) and p.last_month == months[-1]
    assert p.first_month == months[0]
    assert p.first_day == dt.date.fromisoformat(first)
    assert p.last_day == dt.date.fromisoformat(last)
    assert [m.code for m in p.month_periods] == list(months)
    assert Period.parse(p) is p and Period.parse(code) == p
    assert canonical_period(text) == code
    assert p.is_month == (kind == "month")


@pytest.mark.parametrize("bad", [
    "2021-13", "2021-00", "2021-3", "21-03", "2021-Q0", "2021-Q5", "2021-S0", "2021-S3",
    "2021-H1", "2021-Q", "0000", "0000-01", "21", "20211", " 2021", "2021 ", "2021\n",
    "2021-06-01", "march", "", "２０２１", "2021-q10",
])
def test_parse_refuses_with_the_accepted_forms(bad: str) -> None:
    with pytest.raises(PeriodError) as err:
        Period.parse(bad)
    assert "YYYY-MM, YYYY-Qn (n 1-4), YYYY-Sn (n 1-2) or YYYY" in str(err.value)
    assert err.value.hint and "2021-Q2" in err.value.hint
    # a project error (exit 2 in the CLI) and a ValueError for plain Python callers
    assert isinstance(err.value, UsageError) and isinstance(err.value, ValueError)
    assert err.value.exit_code == 2


def test_labels() -> None:
    cases = {
        "2021-06": ("Juni 2021", "June 2021"),
        "2021-Q2": ("Triwulan II 2021", "Q2 2021"),
        "2021-Q4": ("Triwulan IV 2021", "Q4 2021"),
        "2021-S1": ("Semester I 2021", "Semester 1 2021"),
        "2021-S2": ("Semester II 2021", "Semester 2 2021"),
        "2021": ("Tahun 2021", "Year 2021"),
    }
    for code, (id_, en) in cases.items():
        p = Period.parse(code)
        assert (p.label("id"), p.label("en")) == (id_, en)
    assert Period.parse("2021-08").label("id", short=True) == "Agu 2021"
    assert Period.parse("2021").kind_label("id") == "Tahunan"
    assert Period.parse("2021-Q3").kind_label("en") == "Quarterly"
    with pytest.raises(ValueError, match="unknown language"):
        Period.parse("2021").label("fr")


def test_month_names_agree_with_babel() -> None:
    for lang in ("id", "en"):
        for m in range(1, 13):
            code = f"2021-{m:02d}"
            assert f"{MONTH_NAMES[lang][m - 1]} 2021" == i18n.month_label(code, lang)
            assert f"{MONTH_SHORT[lang][m - 1]} 2021" == i18n.month_label(code, lang, True)
            assert Period.parse(code).label(lang) == i18n.month_label(code, lang)


def test_order_and_containment() -> None:
    assert Period.parse("2021").contains("2021-Q3")
    assert Period.parse("2021-S1").contains("2021-Q2")
    assert not Period.parse("2021-S1").contains("2021-Q3")
    assert Period.parse("2021-Q2").contains("2021-05")
    assert Period.of_date(dt.date(2021, 5, 9)) == Period.month(2021, 5)
    with pytest.raises(PeriodError):
        Period(2021, "quarter", 5)
    with pytest.raises(ValueError, match="unknown period kind"):
        Period(2021, "week", 1)  # type: ignore[arg-type]


def test_sort_key_is_chronological() -> None:
    texts = ["2021-S2", "2021-07", "2021-Q3", "2021", "2020", "2021-01"]
    ordered = [str(p) for p in sorted(Period.parse(t) for t in texts)]
    assert ordered == ["2020", "2021-01", "2021", "2021-07", "2021-Q3", "2021-S2"]


def test_parse_month_for_month_only_places() -> None:
    assert parse_month("2021-06") == Period.month(2021, 6)
    with pytest.raises(PeriodError, match="eperf tukin takes a month \\(YYYY-MM\\), not the "
                                          "quarter 2021-Q2") as err:
        parse_month("2021-q2", what="eperf tukin")
    assert err.value.hint == "give one month, e.g. 2021-06"
    with pytest.raises(PeriodError, match="invalid period '2021-13': expected a month YYYY-MM"):
        parse_month("2021-13")


def test_closing_functions_stay_month_only() -> None:
    assert closing.parse_period("2024-03") == (2024, 3)
    for longer in ("2024-Q1", "2024-S1", "2024"):
        with pytest.raises(UsageError, match="takes a month"):
            closing.parse_period(longer)
        with pytest.raises(UsageError, match="takes a month"):
            closing.closing_time(longer)
    with pytest.raises(UsageError, match="invalid period"):
        closing.parse_period("2024-13")


def test_closing_time_of_a_period_is_its_last_months() -> None:
    assert closing.period_closing_time("2021-Q2") == closing.closing_time("2021-06")
    assert closing.period_closing_time("2021") == closing.closing_time("2021-12")
    # 5 January 2022, 23:59:59 Jakarta = 16:59:59 UTC
    assert not closing.period_is_closed("2021", dt.datetime(2022, 1, 5, 16, 59, 59))
    assert closing.period_is_closed("2021", dt.datetime(2022, 1, 5, 17, 0, 0))
    # the quarter is provisional while its last month is open, whatever its first months
    assert closing.is_closed("2021-04", dt.datetime(2021, 6, 10))
    assert not closing.period_is_closed("2021-Q2", dt.datetime(2021, 6, 10))
    times = closing.month_closing_times_utc("2021-Q2", closing_day=10)
    assert times == {
        "2021-04": dt.datetime(2021, 5, 10, 16, 59, 59),
        "2021-05": dt.datetime(2021, 6, 10, 16, 59, 59),
        "2021-06": dt.datetime(2021, 7, 10, 16, 59, 59),
    }


def test_ingest_parsers() -> None:
    # every table but unit_results: months only, the old message kept
    assert parse_period("2024-05") == ("2024-05", None)
    assert parse_period("2024-13") == (None, "is not a period (YYYY-MM)")
    value, problem = parse_period("2024-Q2")
    assert value is None and problem is not None
    assert problem.startswith("is not a period (YYYY-MM)") and "unit_results only" in problem
    # unit_results: every form, canonical spelling
    assert parse_any_period("2024-q2") == ("2024-Q2", None)
    assert parse_any_period("2024-s1") == ("2024-S1", None)
    assert parse_any_period("2024") == ("2024", None)
    assert parse_any_period("2024-05") == ("2024-05", None)
    for bad in ("2024-Q5", "24", "2024-Q", "0000"):
        assert parse_any_period(bad) == (
            None, "is not a period (YYYY-MM, YYYY-Qn, YYYY-Sn or YYYY)")
    assert period_last_day("2024-02") == dt.date(2024, 2, 29)
