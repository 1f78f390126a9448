"""Rounding rule (domain.md §2) and closing time."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eperformance.errors import UsageError
from eperformance.rounding import fmt2, round_half_away, round_opt
from eperformance.scoring.closing import (
    closing_time,
    closing_time_utc,
    counts_before_closing,
    is_closed,
    next_period,
    parse_period,
    period_last_day,
    previous_period,
)


@pytest.mark.parametrize(
    ("x", "expected", "text"),
    [
        (76.00000000000001, 76.0, "76.00"),
        (89.995, 90.0, "90.00"),
        (-0.0, 0.0, "0.00"),
        (-0.004, 0.0, "0.00"),
        (85.5, 85.5, "85.50"),
        (75.99999999999999, 76.0, "76.00"),
        (1.005, 1.01, "1.01"),  # binary 1.00499999999999989... is 1.0050000000 at 10 places
        (-2.675, -2.68, "-2.68"),  # half away from zero
        (0.125, 0.13, "0.13"),
        (-0.125, -0.13, "-0.13"),
        (89.99499999, 89.99, "89.99"),
        (120, 120.0, "120.00"),
    ],
)
def test_rounding_edges(x: float, expected: float, text: str) -> None:
    assert round_half_away(x) == expected
    assert fmt2(x) == text


def test_negative_zero_is_written_positive() -> None:
    assert str(round_half_away(-0.0)) == "0.0"
    assert fmt2(-0.001) == "0.00"


def test_missing_is_blank() -> None:
    assert fmt2(None) == ""
    assert fmt2(float("nan")) == ""
    assert round_opt(None) is None
    assert round_opt(float("nan")) is None


@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False))
def test_rounding_is_idempotent_and_close(x: float) -> None:
    r = round_half_away(x)
    assert round_half_away(r) == r
    assert abs(r - x) <= 0.005 + 1e-9
    assert fmt2(x) == f"{r:.2f}" or fmt2(x) == f"{r + 0.0:.2f}"


def test_closing_time_is_day_5_of_next_month_jakarta() -> None:
    c = closing_time("2024-03")
    assert c == dt.datetime(2024, 4, 5, 23, 59, 59, tzinfo=ZoneInfo("Asia/Jakarta"))
    assert closing_time_utc("2024-03") == dt.datetime(2024, 4, 5, 16, 59, 59)
    assert closing_time_utc("2024-12", closing_day=10) == dt.datetime(2025, 1, 10, 16, 59, 59)


def test_decisions_just_before_and_after_closing() -> None:
    closing = closing_time_utc("2024-03")
    assert counts_before_closing(dt.datetime(2024, 4, 5, 16, 59, 59), closing)
    assert not counts_before_closing(dt.datetime(2024, 4, 5, 17, 0, 0), closing)


def test_is_closed() -> None:
    assert not is_closed("2024-03", dt.datetime(2024, 4, 5, 16, 59, 59))
    assert is_closed("2024-03", dt.datetime(2024, 4, 5, 17, 0, 0))
    aware = dt.datetime(2024, 4, 6, 0, 0, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
    assert is_closed("2024-03", aware)
    assert not is_closed("2024-03", aware - dt.timedelta(seconds=1))


def test_periods() -> None:
    assert parse_period("2024-03") == (2024, 3)
    assert next_period("2024-12") == "2025-01"
    assert previous_period("2024-01") == "2023-12"
    assert period_last_day("2024-02") == dt.date(2024, 2, 29)
    for bad in ("2024-13", "2024-3", "24-03", "march"):
        with pytest.raises(UsageError):
            parse_period(bad)
