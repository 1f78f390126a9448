"""Working days and office hours of a month (domain.md §1, "Presensi").

A working day is a date of the month whose weekday is in ``settings.working_days``
(default Monday–Friday), that is not one of Indonesia's national public holidays (the
``holidays`` package, ``country_holidays("ID")``, *public* category only) and not one of
``settings.extra_days_off`` (*cuti bersama* and other extra days off).

Office hours: work starts at ``work_hours.start`` (07:30) every day and ends at
``work_hours.end`` (16:00), Fridays at ``work_hours.friday_end`` (16:30). The expected
working time of a month is the number of its working days times ``hours_per_day`` (7.5)
times 60 minutes.

Everything here is pure: no clock, no I/O.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays

from .params import Settings
from .periods import parse_month

FRIDAY = 4
COUNTRY = "ID"


@lru_cache(maxsize=64)
def public_holidays(year: int) -> frozenset[dt.date]:
    """Indonesia's national public holidays of ``year``."""
    return frozenset(holidays.country_holidays(COUNTRY, years=year).keys())


def is_working_day(day: dt.date, settings: Settings) -> bool:
    """Whether ``day`` is a working day (weekday, no public holiday, no extra day off)."""
    return (
        day.weekday() in settings.working_weekdays
        and day not in public_holidays(day.year)
        and day not in settings.extra_days_off
    )


def working_days(period: str, settings: Settings) -> list[dt.date]:
    """The working days of ``period`` (``YYYY-MM``), in date order."""
    month = parse_month(period, what="the working-day calendar")
    first, last = month.first_day, month.last_day
    return [
        first + dt.timedelta(days=i)
        for i in range((last - first).days + 1)
        if is_working_day(first + dt.timedelta(days=i), settings)
    ]


def expected_minutes(period: str, settings: Settings) -> float:
    """Expected working minutes of ``period``: working days × ``hours_per_day`` × 60."""
    return len(working_days(period, settings)) * settings.work_hours.hours_per_day * 60.0


def work_start(day: dt.date, settings: Settings) -> dt.time:
    """When work starts on ``day`` (the same every day)."""
    del day  # one start time for every day; kept for symmetry with work_end
    return settings.work_hours.start


def work_end(day: dt.date, settings: Settings) -> dt.time:
    """When work ends on ``day``: ``friday_end`` on Fridays, ``end`` otherwise."""
    hours = settings.work_hours
    return hours.friday_end if day.weekday() == FRIDAY else hours.end
