"""Periods and the closing time of a month (domain.md §2, "Closing time"; §7).

A month ``P`` (``YYYY-MM``) is scored from the decisions made up to the end (23:59:59, in the
settings' time zone, default Asia/Jakarta) of day ``closing_day`` of the following month.
The database stores timestamps as *naive UTC* datetimes to the whole second, so the scoring
code compares ``decided_at`` with :func:`closing_time_utc`.

A decision counts when ``decided_at <= closing_time_utc(P)``; fractions of a second (which
the contract drops on import) are treated the same way: the closing second is counted as a
whole, i.e. ``decided_at < closing_time_utc(P) + 1 second``. A month is closed once that
instant has passed (:func:`is_closed`).
"""

from __future__ import annotations

import calendar
import datetime as dt
from zoneinfo import ZoneInfo

from ..errors import UsageError
from ..periods import Period, parse_month

DEFAULT_TIMEZONE = "Asia/Jakarta"
DEFAULT_CLOSING_DAY = 5
ONE_SECOND = dt.timedelta(seconds=1)


def parse_period(period: str | Period) -> tuple[int, int]:
    """``"2024-03"`` -> ``(2024, 3)``. Parsed by :func:`eperformance.periods.parse_month`:
    invalid text, or a quarter, semester or year (the functions of this module that take a
    ``period`` are month-only), raises :class:`~eperformance.periods.PeriodError` (a
    :class:`UsageError`)."""
    p = parse_month(period)
    return p.year, p.number


def period_first_day(period: str) -> dt.date:
    """The first day of the month."""
    y, m = parse_period(period)
    return dt.date(y, m, 1)


def period_last_day(period: str) -> dt.date:
    """The last day of the month."""
    y, m = parse_period(period)
    return dt.date(y, m, calendar.monthrange(y, m)[1])


def next_period(period: str) -> str:
    """The following month, ``"2024-12"`` -> ``"2025-01"``."""
    y, m = parse_period(period)
    return f"{y + 1}-01" if m == 12 else f"{y}-{m + 1:02d}"


def previous_period(period: str) -> str:
    """The month before, ``"2024-01"`` -> ``"2023-12"``."""
    y, m = parse_period(period)
    return f"{y - 1}-12" if m == 1 else f"{y}-{m - 1:02d}"


def closing_time(
    period: str, closing_day: int = DEFAULT_CLOSING_DAY, timezone: str = DEFAULT_TIMEZONE
) -> dt.datetime:
    """The closing time of ``period`` as an aware datetime in ``timezone``:
    23:59:59 of day ``closing_day`` of the following month."""
    if not 1 <= closing_day <= 28:
        raise UsageError(f"closing_day must be between 1 and 28, not {closing_day}")
    y, m = parse_period(next_period(period))
    return dt.datetime(y, m, closing_day, 23, 59, 59, tzinfo=ZoneInfo(timezone))


def to_naive_utc(moment: dt.datetime) -> dt.datetime:
    """An aware datetime as the naive UTC datetime the database stores; a naive one is
    taken to be UTC already and returned unchanged."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(dt.UTC).replace(tzinfo=None)


def closing_time_utc(
    period: str, closing_day: int = DEFAULT_CLOSING_DAY, timezone: str = DEFAULT_TIMEZONE
) -> dt.datetime:
    """:func:`closing_time` as a naive UTC datetime (e.g. ``2024-04-05 16:59:59`` for
    ``2024-03`` in Asia/Jakarta)."""
    return to_naive_utc(closing_time(period, closing_day, timezone))


def counts_before_closing(decided_at_utc: dt.datetime, closing_utc: dt.datetime) -> bool:
    """Whether a decision (naive UTC) is within the month closing at ``closing_utc``."""
    return to_naive_utc(decided_at_utc) < closing_utc + ONE_SECOND


def is_closed(
    period: str,
    now_utc: dt.datetime,
    closing_day: int = DEFAULT_CLOSING_DAY,
    timezone: str = DEFAULT_TIMEZONE,
) -> bool:
    """Whether the closing time of ``period`` has passed at ``now_utc`` (naive UTC, or
    aware in any zone). Before that, everything computed for the month is provisional."""
    return to_naive_utc(now_utc) >= closing_time_utc(period, closing_day, timezone) + ONE_SECOND


def period_closing_time(
    period: str | Period, closing_day: int = DEFAULT_CLOSING_DAY,
    timezone: str = DEFAULT_TIMEZONE,
) -> dt.datetime:
    """The closing time of any period (a month, quarter, semester or year): that of its
    last month (domain.md §7), aware in ``timezone``."""
    return closing_time(Period.parse(period).last_month, closing_day, timezone)


def period_is_closed(
    period: str | Period,
    now_utc: dt.datetime,
    closing_day: int = DEFAULT_CLOSING_DAY,
    timezone: str = DEFAULT_TIMEZONE,
) -> bool:
    """Whether any period is closed: its last month's closing time has passed at
    ``now_utc``; before that, everything computed for the period is provisional (§7)."""
    return is_closed(Period.parse(period).last_month, now_utc, closing_day, timezone)


def month_closing_times_utc(
    period: str | Period, closing_day: int = DEFAULT_CLOSING_DAY,
    timezone: str = DEFAULT_TIMEZONE,
) -> dict[str, dt.datetime]:
    """Each month of ``period`` -> its own closing time as naive UTC (§7: every assignment
    is measured with its own month's closing time)."""
    return {m: closing_time_utc(m, closing_day, timezone) for m in Period.parse(period).months}
