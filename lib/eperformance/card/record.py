"""The personal report card (*rapor personal*) as a typed record, and its fingerprint.

A :class:`CardRecord` holds everything one card shows, language included, as unrounded
figures (``None`` where missing, never 0); rounding and language happen in
:mod:`eperformance.render`. The same record serves the monthly card and, for a quarter, a
semester or a year, the *Dokumen Evaluasi Kinerja* (:attr:`CardRecord.is_monthly` false):
the period's figures, its month-by-month table (``months``) and, for a functional
employee under permenpan-6-2022, the angka kredit (``credit``, on both kinds). Its
``fingerprint`` (:func:`card_fingerprint`) hashes what the card shows and what shapes it
(:mod:`.shape`), so a batch knows when a card is stale.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..nip import format_nip
from ..periods import Period
from ..reference import PANGKAT
from ..rounding import round_half_away
from ..scoring.credits import CreditRow
from ..scoring.period import MonthResult
from ..tukin.card import TukinSummary
from . import shape


@dataclass(frozen=True)
class Person:
    """An employee as the card names them (the assessed employee or the assessing one)."""

    nip: str
    name: str
    position: str | None = None
    position_type: str | None = None
    grade: str | None = None
    unit_code: str | None = None
    unit_name: str | None = None

    @property
    def nip_display(self) -> str:
        """The NIP with its customary spaces: ``19660801 198803 1 001``."""
        return format_nip(self.nip)

    @property
    def pangkat(self) -> str | None:
        """The pangkat of a PNS grade (``III/a`` -> ``Penata Muda``); ``None`` for PPPK."""
        return PANGKAT.get(self.grade or "")

    @property
    def grade_label(self) -> str:
        """``Penata Muda, III/a`` (or just the grade when it has no pangkat)."""
        if not self.grade:
            return ""
        return f"{self.pangkat}, {self.grade}" if self.pangkat else self.grade


@dataclass(frozen=True)
class AssignmentLine:
    """One assignment of the month: targets, what was realised and the scheme's results.

    ``target_days``/``realised_days`` are TW/RW, ``target_cost`` is ``None`` without a
    cost target. ``rating`` is filled under permenpan-6-2022; ``kuantitas`` … ``nilai``
    under pp-46-2011 (``biaya`` only with a cost target)."""

    assignment_id: str
    title: str
    activity_code: str | None
    output_unit: str | None
    is_main: bool
    innovation: bool
    weight: float
    target_quantity: float
    realised_quantity: float
    target_quality: float
    realised_quality: float
    target_days: int
    realised_days: int
    target_cost: float | None
    realised_cost: float
    capaian: float
    rating: str | None = None
    capped: bool = False  # 100 x RO / TO is above the scheme's cap, so capaian shows the cap
    kuantitas: float | None = None
    kualitas: float | None = None
    waktu: float | None = None
    biaya: float | None = None
    nilai: float | None = None


@dataclass(frozen=True)
class AspectLine:
    """A behaviour aspect: the counted score, its band (permenpan-6-2022) and, apart, the
    employee's own rating (never counted). ``None``: not rated."""

    aspect: str
    score: float | None
    rating: str | None
    self_score: float | None


@dataclass(frozen=True)
class VerificationSummary:
    """Entries of the month by the status of their latest decision up to the closing time."""

    entries: int
    approved: int
    rejected: int
    revision: int
    pending: int
    approved_quantity: float
    pending_quantity: float


@dataclass(frozen=True)
class PendingVerification:
    """Work withheld at the closing time (domain.md §5, *verifikasi belum selesai*): the
    entries for the month's assignments that nobody decided by then, their output, and the
    supervisor who owes the decisions (``None`` when none is recorded)."""

    supervisor: Person | None
    entries: int
    quantity: float


@dataclass(frozen=True)
class EntryDecision:
    """A decision on one of the employee's entries (``decided_at`` aware UTC)."""

    activity_id: str
    date: dt.date | None
    activity_code: str | None
    description: str | None
    status: str
    decided_at: dt.datetime | None
    quality: float | None
    note: str | None


@dataclass(frozen=True)
class EntryFlag:
    """An entry the rekap flags (outside office hours, overlapping, no check-in, too long
    or too short against the standard minutes)."""

    date: dt.date | None
    activity_id: str
    flag: str


@dataclass(frozen=True)
class AttendanceSummary:
    """Attendance discipline on the month's working days (see
    :mod:`eperformance.activity_rekap`)."""

    working_days: int
    days_present: int
    working_days_absent: int
    late_arrivals: int
    late_minutes: float
    early_departures: int
    early_minutes: float


@dataclass(frozen=True)
class TrendPoint:
    """The main figure of one month (``None``: no figure or no data that month)."""

    period: str
    main_figure: float | None
    predikat: str | None


@dataclass(frozen=True)
class Standing:
    """The employee's place in their own unit by the rounded main figure."""

    unit_code: str | None
    rank: int | None
    of: int
    unit_median: float | None
    rank_last: int | None = None  # the last place of a tie ("3–4 of 9"), rank when alone


@dataclass(frozen=True)
class CardRecord:
    """Everything one personal report card shows, language included.

    ``notices`` are label keys of :mod:`eperformance.i18n` (``notice_*``), in order;
    ``notice_verification_pending`` is filled from ``pending_verification`` (set only when
    the hasil kerja is withheld for *verifikasi belum selesai*).
    ``fingerprint`` is the SHA-256 of every field but ``run_id``, ``generated_at``,
    ``signature_date`` and itself (see :func:`card_fingerprint`).

    For a longer period (the *Dokumen Evaluasi Kinerja*) the figures, ratings, aspects,
    standing and notices are the period's (domain.md §7), ``months`` holds each month as
    it scores alone (every month of the period, in order), ``trend`` the same months'
    main figures (the card's chart), and the monthly detail is absent: no assignments,
    entries, decisions, flags, attendance, verification summary or allowance (each month's
    own card has them). ``credit``: the angka kredit of a functional employee
    (permenpan-6-2022) for the period, months = the period's months."""

    lang: str
    period: str
    scheme: str
    scheme_version: str
    scheme_digest: str
    settings_digest: str
    regulation: str
    use_360: bool
    provisional: bool
    closing_time: dt.datetime
    timezone: str
    ministry: str
    signature_place: str
    employee: Person
    assessor: Person | None
    nilai_skp: float | None
    nilai_perilaku: float | None
    nilai_akhir: float | None
    main_figure: float | None
    rating_hasil_kerja: str | None
    rating_perilaku: str | None
    predikat: str | None
    keterangan: tuple[str, ...]
    assignments: tuple[AssignmentLine, ...]
    aspects: tuple[AspectLine, ...]
    verification: VerificationSummary | None  # None on a longer period's card
    rejected: tuple[EntryDecision, ...]
    late: tuple[EntryDecision, ...]
    flags: tuple[EntryFlag, ...]
    capaian_cap: float
    attendance: AttendanceSummary | None
    trend: tuple[TrendPoint, ...]
    standing: Standing
    notices: tuple[str, ...]
    pending_verification: PendingVerification | None = None
    tukin: TukinSummary | None = None  # the month's allowance (tukin.md), profile included
    months: tuple[MonthResult, ...] = ()  # a longer period's month-by-month table
    credit: CreditRow | None = None  # angka kredit of a functional employee
    run_id: str = ""
    generated_at: dt.datetime = field(
        default_factory=lambda: dt.datetime.now(dt.UTC))
    signature_date: dt.date | None = None
    fingerprint: str = ""

    @property
    def has_assignments(self) -> bool:
        return bool(self.assignments)

    @property
    def period_value(self) -> Period:
        return Period.parse(self.period)

    @property
    def is_monthly(self) -> bool:
        """A month's card (else the *Dokumen Evaluasi Kinerja* of a longer period)."""
        return self.period_value.is_month

    def content(self) -> dict[str, Any]:
        """The fields the fingerprint covers, as plain JSON-able values (the fields a
        monthly card of a non-functional employee leaves at their defaults are left out,
        so its content is what it was before they existed)."""
        data = dataclasses.asdict(self)
        for key in _NOT_FINGERPRINTED:
            data.pop(key, None)
        for key, empty in _OMITTED_WHEN_EMPTY:
            if data.get(key) == empty:
                data.pop(key)
        return _plain(data)  # type: ignore[no-any-return]


_NOT_FINGERPRINTED = ("run_id", "generated_at", "signature_date", "fingerprint")
_OMITTED_WHEN_EMPTY: tuple[tuple[str, Any], ...] = (("months", ()), ("credit", None))


def _plain(value: Any) -> Any:
    """JSON-able form: floats rounded to 10 decimals, dates ISO, tuples as lists."""
    if isinstance(value, float):
        return None if math.isnan(value) else round_half_away(value, 10)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def card_fingerprint(record: CardRecord) -> str:
    """SHA-256 of what the card shows (the employee's figures and rows for the period and
    the trend months, the unit figures used, the scheme, its settings and the language)
    and of what shapes it (the notebook, the templates, the CSS: :mod:`.shape`)."""
    payload = json.dumps({"content": record.content(), "shape": shape.card_shape_digest()},
                         sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def text_or_none(v: Any) -> str | None:
    """A frame's cell as text; ``None`` for a missing value (``None``, NaN, ``pd.NA``)."""
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
        return None
    return str(v)
