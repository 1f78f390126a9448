"""Evaluation periods (domain.md §7): a month ``YYYY-MM``, a quarter ``YYYY-Qn``, a semester
``YYYY-Sn`` or a year ``YYYY``. A longer period is the union of its months.

:class:`Period` is the one parser of period text in the workbook: ``q``/``s`` are read
case-insensitively and written upper case (``2021-q2`` -> ``2021-Q2``); anything else
raises :class:`~eperformance.errors.UsageError` (a :class:`ValueError` too) naming the
accepted forms. A base module: it imports nothing from the package but ``errors``.

>>> p = Period.parse("2021-q2")
>>> str(p), p.kind, p.months, p.n_months
('2021-Q2', 'quarter', ('2021-04', '2021-05', '2021-06'), 3)
>>> p.label("id"), p.label("en")
('Triwulan II 2021', 'Q2 2021')
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

from .errors import UsageError

PeriodKind = Literal["month", "quarter", "semester", "year"]
KINDS: tuple[PeriodKind, ...] = ("month", "quarter", "semester", "year")
MONTHS_IN: dict[PeriodKind, int] = {"month": 1, "quarter": 3, "semester": 6, "year": 12}

ACCEPTED_FORMS = "YYYY-MM, YYYY-Qn (n 1-4), YYYY-Sn (n 1-2) or YYYY"
EXAMPLES = "e.g. 2021-06, 2021-Q2, 2021-S1 or 2021"

# ASCII digits only (``\d`` would take other scripts' digits too).
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
_LONGER = re.compile(r"([0-9]{4})-([QqSs])([0-9])")
_YEAR = re.compile(r"[0-9]{4}")

# Month names as Babel writes them (``MMMM``/``MMM`` in ``id`` and ``en``): this base
# module does not import Babel; a test checks the two agree.
MONTH_NAMES: dict[str, tuple[str, ...]] = {
    "id": ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
           "September", "Oktober", "November", "Desember"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
}
MONTH_SHORT: dict[str, tuple[str, ...]] = {
    "id": ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov",
           "Des"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sept", "Oct", "Nov",
           "Dec"),
}
_ROMAN = ("I", "II", "III", "IV")
# The kind of period in words, for headings ("Evaluasi Triwulanan"/"Quarterly evaluation").
KIND_NAMES: dict[str, dict[PeriodKind, str]] = {
    "id": {"month": "Bulanan", "quarter": "Triwulanan", "semester": "Semesteran",
           "year": "Tahunan"},
    "en": {"month": "Monthly", "quarter": "Quarterly", "semester": "Half-yearly",
           "year": "Annual"},
}


class PeriodError(UsageError, ValueError):
    """Period text that is not one of the accepted forms, or a longer period where only a
    month works (exit 2 in the CLI; a :class:`ValueError` for plain Python callers)."""


def _lang(lang: str) -> str:
    if lang not in MONTH_NAMES:
        raise ValueError(f"unknown language {lang!r}: 'id' or 'en'")
    return lang


@dataclass(frozen=True)
class Period:
    """One evaluation period. ``number`` is the month (1-12), the quarter (1-4), the
    semester (1-2), or 1 for a year. Build it with :meth:`parse` (or :meth:`month`)."""

    year: int
    kind: PeriodKind
    number: int = 1

    def __post_init__(self) -> None:
        if self.kind not in MONTHS_IN:
            raise ValueError(f"unknown period kind {self.kind!r}; one of {', '.join(KINDS)}")
        if not 1 <= self.year <= 9999:
            raise PeriodError(f"invalid period year {self.year}: 0001 to 9999")
        top = 12 // MONTHS_IN[self.kind]
        if not 1 <= self.number <= top:
            raise PeriodError(f"invalid {self.kind} number {self.number}: 1 to {top}")

    # ------------------------------------------------------------------ parsing
    @classmethod
    def parse(cls, text: str | Period) -> Period:
        """``"2021-06"``, ``"2021-Q2"``/``"2021-q2"``, ``"2021-S1"``, ``"2021"`` -> a
        :class:`Period`; :class:`PeriodError` (a :class:`UsageError` and a
        :class:`ValueError`) naming the accepted forms otherwise. Surrounding spaces are
        not accepted (callers strip)."""
        if isinstance(text, Period):
            return text
        s = str(text)
        m = _MONTH.fullmatch(s)
        if m and 1 <= int(m[2]) <= 12 and int(m[1]) >= 1:
            return cls(int(m[1]), "month", int(m[2]))
        m = _LONGER.fullmatch(s)
        if m and int(m[1]) >= 1:
            kind: PeriodKind = "quarter" if m[2] in "Qq" else "semester"
            if 1 <= int(m[3]) <= 12 // MONTHS_IN[kind]:
                return cls(int(m[1]), kind, int(m[3]))
        if _YEAR.fullmatch(s) and int(s) >= 1:
            return cls(int(s), "year")
        raise PeriodError(f"invalid period {s!r}: expected {ACCEPTED_FORMS}", hint=EXAMPLES)

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        """The month ``year``-``month``."""
        return cls(year, "month", month)

    @classmethod
    def of_date(cls, day: dt.date) -> Period:
        """The month that holds ``day``."""
        return cls(day.year, "month", day.month)

    # ------------------------------------------------------------------ text
    @property
    def code(self) -> str:
        """The canonical text: ``2021-06``, ``2021-Q2``, ``2021-S1``, ``2021``."""
        if self.kind == "month":
            return f"{self.year:04d}-{self.number:02d}"
        if self.kind == "quarter":
            return f"{self.year:04d}-Q{self.number}"
        if self.kind == "semester":
            return f"{self.year:04d}-S{self.number}"
        return f"{self.year:04d}"

    def __str__(self) -> str:
        return self.code

    def label(self, lang: str = "id", short: bool = False) -> str:
        """For display: ``Juni 2021``/``June 2021`` (``Jun 2021`` when short),
        ``Triwulan II 2021``/``Q2 2021``, ``Semester I 2021``/``Semester 1 2021``,
        ``Tahun 2021``/``Year 2021``."""
        lang = _lang(lang)
        y = f"{self.year:04d}"
        if self.kind == "month":
            names = MONTH_SHORT if short else MONTH_NAMES
            return f"{names[lang][self.number - 1]} {y}"
        if self.kind == "quarter":
            return (f"Triwulan {_ROMAN[self.number - 1]} {y}" if lang == "id"
                    else f"Q{self.number} {y}")
        if self.kind == "semester":
            return (f"Semester {_ROMAN[self.number - 1]} {y}" if lang == "id"
                    else f"Semester {self.number} {y}")
        return f"Tahun {y}" if lang == "id" else f"Year {y}"

    def kind_label(self, lang: str = "id") -> str:
        """The kind in words: ``Bulanan``/``Monthly``, ``Triwulanan``/``Quarterly``,
        ``Semesteran``/``Half-yearly``, ``Tahunan``/``Annual``."""
        return KIND_NAMES[_lang(lang)][self.kind]

    # ------------------------------------------------------------------ months and days
    @property
    def is_month(self) -> bool:
        return self.kind == "month"

    @property
    def n_months(self) -> int:
        """1, 3, 6 or 12."""
        return MONTHS_IN[self.kind]

    @property
    def month_numbers(self) -> tuple[int, ...]:
        """The months of the year the period covers, in order (``(4, 5, 6)`` for Q2)."""
        if self.kind == "month":
            return (self.number,)
        n = self.n_months
        first = (self.number - 1) * n + 1
        return tuple(range(first, first + n))

    @property
    def months(self) -> tuple[str, ...]:
        """The months as ``YYYY-MM`` text, in order."""
        return tuple(f"{self.year:04d}-{m:02d}" for m in self.month_numbers)

    @property
    def month_periods(self) -> tuple[Period, ...]:
        """The months as :class:`Period` values, in order."""
        return tuple(Period(self.year, "month", m) for m in self.month_numbers)

    @property
    def first_month(self) -> str:
        return self.months[0]

    @property
    def last_month(self) -> str:
        """The month whose closing time ends the period's provisional state (§7)."""
        return self.months[-1]

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month_numbers[0], 1)

    @property
    def last_day(self) -> dt.date:
        m = self.month_numbers[-1]
        return dt.date(self.year, m, calendar.monthrange(self.year, m)[1])

    def contains(self, other: Period | str) -> bool:
        """Whether every month of ``other`` is a month of this period."""
        return set(Period.parse(other).months) <= set(self.months)

    @property
    def sort_key(self) -> tuple[int, int, int]:
        """Chronological by first month, the shorter period first."""
        return (self.year, self.month_numbers[0], self.n_months)

    def __lt__(self, other: Period) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        return self.sort_key < other.sort_key


def parse_period(text: str | Period) -> Period:
    """:meth:`Period.parse`."""
    return Period.parse(text)


def parse_month(text: str | Period, *, what: str = "this step") -> Period:
    """A month ``YYYY-MM`` only: invalid text raises :class:`PeriodError` ("expected a
    month YYYY-MM"); a quarter, a semester or a year given where only a month works raises
    one saying so (``what`` names the place, e.g. ``eperf tukin``)."""
    try:
        p = Period.parse(text)
    except PeriodError:
        raise PeriodError(f"invalid period {str(text)!r}: expected a month YYYY-MM",
                          hint="e.g. 2021-06") from None
    if not p.is_month:
        raise PeriodError(
            f"{what} takes a month (YYYY-MM), not the {p.kind} {p.code}",
            hint=f"give one month, e.g. {p.last_month}",
        )
    return p


def canonical_period(text: str | Period) -> str:
    """The canonical text of a period (``2021-q2`` -> ``2021-Q2``)."""
    return Period.parse(text).code


__all__ = [
    "ACCEPTED_FORMS", "KINDS", "MONTH_NAMES", "Period", "PeriodError", "PeriodKind",
    "canonical_period", "parse_month", "parse_period",
]
