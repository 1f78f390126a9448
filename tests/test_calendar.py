"""Working days and office hours (eperformance.calendar)."""

from __future__ import annotations

import datetime as dt

from eperformance.calendar import (
    expected_minutes,
    is_working_day,
    work_end,
    work_start,
    working_days,
)
from eperformance.params import Settings

D = dt.date


def test_public_holiday_is_not_a_working_day() -> None:
    days = working_days("2021-05", Settings())
    assert D(2021, 5, 13) not in days  # Ascension Day (and Idul Fitri)
    assert D(2021, 5, 14) not in days  # Idul Fitri, second day
    assert D(2021, 5, 26) not in days  # Waisak
    assert D(2021, 5, 12) in days
    assert D(2021, 5, 1) not in days  # Saturday (and Labour Day)
    assert len(days) == 21 - 3
    assert days == sorted(days)


def test_expected_minutes() -> None:
    assert expected_minutes("2021-05", Settings()) == 18 * 7.5 * 60


def test_extra_days_off_honoured() -> None:
    settings = Settings(extra_days_off=(D(2021, 5, 12), D(2021, 5, 15)))
    days = working_days("2021-05", settings)
    assert D(2021, 5, 12) not in days
    assert len(days) == 17  # 15 May is a Saturday anyway
    assert not is_working_day(D(2021, 5, 12), settings)
    assert expected_minutes("2021-05", settings) == 17 * 7.5 * 60


def test_working_weekdays_setting() -> None:
    settings = Settings(working_days=("mon", "tue", "wed", "thu", "fri", "sat"))
    days = working_days("2021-06", settings)
    assert D(2021, 6, 5) in days  # a Saturday
    assert D(2021, 6, 6) not in days  # a Sunday
    assert D(2021, 6, 1) not in days  # Pancasila Day


def test_work_end_friday() -> None:
    s = Settings()
    assert work_end(D(2021, 5, 7), s) == dt.time(16, 30)  # Friday
    assert work_end(D(2021, 5, 6), s) == dt.time(16, 0)
    assert work_start(D(2021, 5, 7), s) == dt.time(7, 30)
