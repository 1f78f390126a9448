"""The personal report card (*rapor personal*) as a typed record, and the unit recap view.

Recipe (one scoring run per period, however many cards):

1. :func:`build_cards_context` scores the period once for a scope
   (:func:`~eperformance.scores.compute_scores`), computes the rekap capaian of the
   employees wanted (:func:`~eperformance.db.rekap_queries.compute_rekap`), the ranks in
   each employee's own unit (:func:`~eperformance.recap.ranks`) and the six-month trend
   (:func:`~eperformance.recap.trend`), and loads the names of people, units, assignments.
2. :func:`card_from_context` assembles one employee's :class:`CardRecord` from it, in a
   language, with a run id; its ``fingerprint`` hashes everything the card shows.

:func:`build_card` does both for one employee (the ``eperf card`` command and
``notebooks/10-rapor-personal.ipynb``); the monthly batch calls the two steps itself.
:func:`notebook_card` and :func:`notebook_recap` are the one call of the notebooks: they
validate the parameters, resolve the database from the environment and make errors a
user can cause end the notebook with one line (see :func:`short_tracebacks`).

Records hold unrounded figures (``None`` where missing, never 0); rounding and language
happen in :mod:`eperformance.render`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Engine, select

from .activity_rekap import RekapResult, compute_rekap
from .db import queries as q
from .db import schema as s
from .errors import EperfError, NoDataError, UsageError
from .nip import format_nip
from .reference import PANGKAT, REGULATION
from .rounding import round_half_away
from .runparams import RaporParams, RekapUnitParams, new_run_id, validate
from .scores import ScoreRequest, ScoreRun, compute_scores
from .scoring.closing import period_first_day, period_last_day
from .scoring.common import BEHAVIOUR_UNRATED, NO_ASSIGNMENT, VERIFICATION_PENDING, EmployeeScore
from .tukin import TukinRequest, TukinRun, compute_tukin
from .tukin.card import TukinSummary, card_summaries
from .unit_recap import RankInfo, RecapTables, ranks, recap_tables, trend, trend_periods

TREND_MONTHS = 6


# --------------------------------------------------------------------------- records
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
    """Attendance discipline on the month's working days (see :mod:`eperformance.rekap`)."""

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
    ``signature_date`` and itself (see :func:`card_fingerprint`)."""

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
    verification: VerificationSummary
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
    run_id: str = ""
    generated_at: dt.datetime = field(
        default_factory=lambda: dt.datetime.now(dt.UTC))
    signature_date: dt.date | None = None
    fingerprint: str = ""

    @property
    def has_assignments(self) -> bool:
        return bool(self.assignments)

    def content(self) -> dict[str, Any]:
        """The fields the fingerprint covers, as plain JSON-able values."""
        data = dataclasses.asdict(self)
        for key in _NOT_FINGERPRINTED:
            data.pop(key, None)
        return _plain(data)  # type: ignore[no-any-return]

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> tuple[
            dict[str, str], dict[str, Any]]:
        from .render import card_html

        html = card_html(self)
        text = (f"{self.employee.name} ({self.employee.nip_display}) {self.period}: "
                f"{self.predikat or ', '.join(self.keterangan)}")
        meta = {"eperf": {"kind": "card", "lang": self.lang, "nip": self.employee.nip,
                          "title": f"{self.employee.name} — {self.period}",
                          "period": self.period, "run_id": self.run_id,
                          "provisional": self.provisional, "predikat": self.predikat,
                          "fingerprint": self.fingerprint}}
        return {"text/html": html, "text/plain": text}, meta


_NOT_FINGERPRINTED = ("run_id", "generated_at", "signature_date", "fingerprint")


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
    and of what shapes it (the notebook, the templates, the CSS: ``render.shape``)."""
    from .render.shape import card_shape_digest

    payload = json.dumps({"content": record.content(), "shape": card_shape_digest()},
                         sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------- context
@dataclass
class CardsContext:
    """What every card of one period and scope needs, computed once."""

    run: ScoreRun
    rekap: RekapResult
    ranks: dict[str, RankInfo]
    trend: pd.DataFrame
    people: dict[str, Person]
    assignment_info: dict[str, dict[str, Any]]
    trend_months: tuple[str, ...]
    tukin: dict[str, TukinSummary] = field(default_factory=dict)
    # the whole run (ledger and amounts): the batch writes tukin.csv from it; never sliced
    tukin_run: TukinRun | None = field(default=None, repr=False, compare=False)
    scores: dict[str, EmployeeScore] = field(init=False)
    # frame name -> nip -> that employee's rows as dicts (built on first use)
    _rows: dict[str, dict[str, list[dict[str, Any]]]] = field(
        init=False, default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.scores = {sc.nip: sc for sc in self.run.scores}

    def rows(self, name: str, nip: str) -> list[dict[str, Any]]:
        """``nip``'s rows of one of the context's frames (``employees``, ``rekap``,
        ``rejected``, ``late``, ``trend``), as dicts, in frame order. Each frame is
        grouped once, so a card reads its rows without scanning the frames."""
        groups = self._rows.get(name)
        if groups is None:
            frame = {"employees": self.run.employees, "rekap": self.rekap.employees,
                     "rejected": self.rekap.rejected_and_revision,
                     "late": self.rekap.late_decisions, "trend": self.trend,
                     "flags": self.rekap.entry_flags}[name]
            groups = {}
            if len(frame) and "nip" in frame.columns:
                for record in frame.to_dict("records"):
                    groups.setdefault(str(record["nip"]), []).append(record)
            self._rows[name] = groups
        return groups.get(nip, [])

    @property
    def nips(self) -> list[str]:
        """The employees a card can be made for (active, in scope), sorted."""
        return sorted(self.scores)


def build_cards_context(
    engine: Engine,
    period: str,
    scheme: str = "permenpan-6-2022",
    use_360: bool = False,
    unit: str | None = None,
    *,
    nips: Iterable[str] | None = None,
    home: Path | None = None,
    now: dt.datetime | None = None,
    trend_months: int = TREND_MONTHS,
) -> CardsContext:
    """Score ``period`` once for ``unit`` (``None``/``''``: everyone) and gather the rekap,
    ranks and trend for ``nips`` (default: every active employee in scope).

    Ranks are within each employee's own unit, so a scope must hold whole units (a unit
    scope holds its sub-units too). Raises :class:`~eperformance.errors.NoDataError` when
    nobody in scope has data in the period."""
    request = ScoreRequest(period=period, scheme=scheme, unit=unit or None, use_360=use_360)
    run = compute_scores(engine, request, home=home, now=now)
    return _context_from_run(engine, run, nips, home, trend_months)


def _context_from_run(engine: Engine, run: ScoreRun, nips: Iterable[str] | None,
                      home: Path | None, trend_months: int) -> CardsContext:
    wanted = sorted(nips) if nips is not None else sorted(sc.nip for sc in run.scores)
    rekap = compute_rekap(engine, run.request.period, wanted, run.settings)
    # The trend of one employee is scored on that employee alone (a main figure does not
    # depend on the scope); for many, on the run's scope.
    trend_request = run.request if len(wanted) != 1 else dataclasses.replace(
        run.request, unit=None, nip=wanted[0])
    trend_frame = trend(engine, trend_request, trend_months, home, current=run)
    with engine.connect() as conn:
        people = _people(conn)
        info = _assignment_info(conn, run)
    tukin_run = compute_tukin(engine, TukinRequest(
        period=run.request.period, scheme=run.request.scheme, unit=run.request.unit,
        nip=run.request.nip, use_360=run.request.use_360), home=home,
        now=run.computed_at, scores=run)
    return CardsContext(
        run=run, rekap=rekap, ranks=ranks(run), trend=trend_frame, people=people,
        assignment_info=info,
        trend_months=tuple(trend_periods(run.request.period, trend_months)),
        tukin=card_summaries(tukin_run, wanted), tukin_run=tukin_run,
    )


def split_context(ctx: CardsContext, groups: Mapping[str, Iterable[str]]
                  ) -> dict[str, CardsContext]:
    """``ctx`` cut into one smaller context per group of NIPs (``group -> nips``).

    A slice holds only what the cards of its NIPs read (their scores, rows, trend, ranks,
    people and assignment titles, the run's settings); every card made from a slice equals
    the card made from the whole context. The batch writes one slice per unit, so a warm
    kernel holds one unit's data at a time, however large the organisation."""
    run, rekap = ctx.run, ctx.rekap
    positions = {
        "employees": _positions(run.employees),
        "rekap": _positions(rekap.employees),
        "rejected": _positions(rekap.rejected_and_revision),
        "late": _positions(rekap.late_decisions),
        "flags": _positions(rekap.entry_flags),
        "trend": _positions(ctx.trend),
    }
    supervisor = {str(n): _text(v) for n, v in zip(run.employees["nip"],
                                                    run.employees["supervisor_nip"],
                                                    strict=True)}

    def cut(frame: pd.DataFrame, name: str, nips: list[str]) -> pd.DataFrame:
        rows = [i for n in nips for i in positions[name].get(n, ())]
        return frame.iloc[sorted(rows)]

    out: dict[str, CardsContext] = {}
    for group, members in groups.items():
        nips = sorted(n for n in members if n in ctx.scores)
        scores = [ctx.scores[n] for n in nips]
        part_run = dataclasses.replace(
            run, employees=cut(run.employees, "employees", nips),
            measures=run.measures.iloc[0:0], behaviour=run.behaviour.iloc[0:0],
            unit_results=run.unit_results.iloc[0:0], scores=scores, extra={})
        part_rekap = dataclasses.replace(
            rekap, employees=cut(rekap.employees, "rekap", nips),
            rejected_and_revision=cut(rekap.rejected_and_revision, "rejected", nips),
            late_decisions=cut(rekap.late_decisions, "late", nips),
            entry_flags=cut(rekap.entry_flags, "flags", nips),
            supervisors=rekap.supervisors.iloc[0:0])
        people_wanted = set(nips) | {sup for n in nips if (sup := supervisor.get(n))}
        assignment_ids = {a.assignment_id for sc in scores for a in sc.assignments}
        out[group] = CardsContext(
            run=part_run, rekap=part_rekap,
            ranks={n: ctx.ranks[n] for n in nips if n in ctx.ranks},
            trend=cut(ctx.trend, "trend", nips) if len(ctx.trend) else ctx.trend,
            people={n: p for n in sorted(people_wanted) if (p := ctx.people.get(n))},
            assignment_info={k: info for k in sorted(assignment_ids)
                             if (info := ctx.assignment_info.get(k)) is not None},
            trend_months=ctx.trend_months,
            tukin={n: ctx.tukin[n] for n in nips if n in ctx.tukin},
        )
    return out


def _positions(frame: pd.DataFrame) -> dict[str, list[int]]:
    """NIP -> row positions of ``frame`` (empty when it has no rows or no ``nip``)."""
    if not len(frame) or "nip" not in frame.columns:
        return {}
    out: dict[str, list[int]] = {}
    for i, nip in enumerate(frame["nip"].astype(str)):
        out.setdefault(nip, []).append(i)
    return out


def _text(v: Any) -> str | None:
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
        return None
    return str(v)


def _people(conn: Any) -> dict[str, Person]:
    units = q.load_units(conn)
    names = dict(zip(units["unit_code"], units["name"], strict=True))
    e = q.load_employees(conn, q.Scope("all"))
    out: dict[str, Person] = {}
    for row in e.itertuples(index=False):
        unit = _text(row.unit_code)
        out[str(row.nip)] = Person(
            nip=str(row.nip), name=str(row.name), position=_text(row.position),
            position_type=_text(row.position_type), grade=_text(row.grade),
            unit_code=unit, unit_name=names.get(unit) if unit else None,
        )
    return out


def _assignment_info(conn: Any, run: ScoreRun) -> dict[str, dict[str, Any]]:
    a = q.load_assignments(conn, run.request.period, run.scope)
    types = conn.execute(select(s.activity_types.c.activity_code,
                                s.activity_types.c.output_unit)).all()
    units = {r.activity_code: r.output_unit for r in types}
    return {
        str(r.assignment_id): {"title": str(r.title), "activity_code": _text(r.activity_code),
                               "output_unit": units.get(r.activity_code)}
        for r in a.itertuples(index=False)
    }


# --------------------------------------------------------------------------- one card
def card_from_context(ctx: CardsContext, nip: str, lang: str = "id", run_id: str = "", *,
                      now: dt.datetime | None = None) -> CardRecord:
    """The card of ``nip`` (an active employee in the context's scope) in ``lang``."""
    score = ctx.scores.get(nip)
    if score is None:
        raise UsageError(f"no card for NIP {nip!r}: not an active employee in this scope",
                         hint="check the NIP and the unit")
    run = ctx.run
    settings = run.settings
    now = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    employee = ctx.people.get(nip) or Person(nip=nip, name=nip)
    emp_rows = ctx.rows("employees", nip)
    sup_nip = _text(emp_rows[0]["supervisor_nip"]) if emp_rows else None
    assessor = (ctx.people.get(sup_nip) or Person(nip=sup_nip, name=sup_nip)) if sup_nip \
        else None

    cap = float(run.scheme_cfg.capaian_cap)
    assignments = tuple(_assignment_line(a, ctx.assignment_info.get(a.assignment_id, {}), cap)
                        for a in score.assignments)
    aspects = tuple(
        AspectLine(aspect=k, score=v, rating=score.aspect_ratings.get(k),
                   self_score=score.self_ratings.get(k))
        for k, v in score.aspect_scores.items()
    )
    verification, attendance = _rekap_parts(ctx.rows("rekap", nip))
    rank = ctx.ranks.get(nip)
    standing = Standing(unit_code=rank.unit_code if rank else score.unit_code,
                        rank=rank.rank if rank else None, of=rank.of if rank else 0,
                        unit_median=rank.unit_median if rank else None,
                        rank_last=rank.last if rank else None)
    trend_points = _trend_points(ctx, nip)
    pending = (PendingVerification(supervisor=assessor, entries=score.pending_entries,
                                   quantity=score.pending_quantity)
               if VERIFICATION_PENDING in score.keterangan else None)
    record = CardRecord(
        lang=lang,
        period=run.request.period,
        scheme=run.scheme_cfg.name,
        scheme_version=run.scheme_cfg.version,
        scheme_digest=run.scheme_cfg.digest(),
        settings_digest=settings.digest(),
        regulation=REGULATION[run.scheme_cfg.name],
        use_360=run.request.use_360,
        provisional=run.provisional,
        closing_time=run.closing_time,
        timezone=settings.timezone,
        ministry=settings.ministry_name,
        signature_place=settings.signature_place,
        employee=employee,
        assessor=assessor,
        nilai_skp=score.nilai_skp,
        nilai_perilaku=score.nilai_perilaku,
        nilai_akhir=score.nilai_akhir,
        main_figure=score.main_figure,
        rating_hasil_kerja=score.rating_hasil_kerja,
        rating_perilaku=score.rating_perilaku,
        predikat=score.predikat,
        keterangan=tuple(score.keterangan),
        assignments=assignments,
        aspects=aspects,
        verification=verification,
        rejected=_decisions(ctx.rows("rejected", nip)),
        late=_decisions(ctx.rows("late", nip)),
        flags=_flags(ctx.rows("flags", nip)),
        capaian_cap=cap,
        attendance=attendance,
        trend=trend_points,
        standing=standing,
        notices=_notices(score, aspects, verification, attendance, assessor, standing,
                         trend_points),
        pending_verification=pending,
        tukin=ctx.tukin.get(nip),
        run_id=run_id or new_run_id(now),
        generated_at=now,
        # signed for the period, on its closing date (not the day the card is printed)
        signature_date=run.closing_time.astimezone(_zone(settings.timezone)).date(),
    )
    return dataclasses.replace(record, fingerprint=card_fingerprint(record))


def _zone(name: str) -> dt.tzinfo:
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


def _assignment_line(a: Any, info: Mapping[str, Any], cap: float) -> AssignmentLine:
    capped = bool(a.to) and round_half_away(100.0 * a.ro / a.to, 10) > cap
    return AssignmentLine(
        assignment_id=a.assignment_id, title=info.get("title") or a.assignment_id,
        activity_code=info.get("activity_code"), output_unit=info.get("output_unit"),
        is_main=a.is_main, innovation=a.innovation, weight=a.weight,
        target_quantity=a.to, realised_quantity=a.ro, target_quality=a.tk,
        realised_quality=a.rk, target_days=a.tw, realised_days=a.rw, target_cost=a.tb,
        realised_cost=a.rb, capaian=a.capaian, rating=a.rating, capped=capped,
        kuantitas=a.kuantitas,
        kualitas=a.kualitas, waktu=a.waktu, biaya=a.biaya, nilai=a.nilai,
    )


def _num(v: Any) -> float:
    f = float(v) if v is not None and not pd.isna(v) else 0.0
    return f


def _rekap_parts(rows: list[dict[str, Any]]) -> tuple[VerificationSummary,
                                                       AttendanceSummary | None]:
    if not rows:
        return VerificationSummary(0, 0, 0, 0, 0, 0.0, 0.0), None
    r = rows[0]
    verification = VerificationSummary(
        entries=int(_num(r["entries"])), approved=int(_num(r["approved"])),
        rejected=int(_num(r["rejected"])), revision=int(_num(r["revision"])),
        pending=int(_num(r["pending"])), approved_quantity=_num(r["approved_quantity"]),
        pending_quantity=_num(r["pending_quantity"]),
    )
    attendance = AttendanceSummary(
        working_days=int(_num(r["working_days"])), days_present=int(_num(r["days_present"])),
        working_days_absent=int(_num(r["working_days_absent"])),
        late_arrivals=int(_num(r["late_arrivals"])), late_minutes=_num(r["late_minutes"]),
        early_departures=int(_num(r["early_departures"])),
        early_minutes=_num(r["early_minutes"]),
    )
    return verification, attendance


def _as_date(v: Any) -> dt.date | None:
    if v is None or pd.isna(v):
        return None
    return pd.Timestamp(v).date()


def _as_utc(v: Any) -> dt.datetime | None:
    if v is None or pd.isna(v):
        return None
    ts = pd.Timestamp(v)
    ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
    return ts.to_pydatetime()


def _decisions(rows: list[dict[str, Any]]) -> tuple[EntryDecision, ...]:
    out = []
    for r in rows:
        quality = r.get("quality")
        out.append(EntryDecision(
            activity_id=str(r["activity_id"]), date=_as_date(r.get("date")),
            activity_code=_text(r.get("activity_code")),
            description=_text(r.get("description")), status=str(r["status"]),
            decided_at=_as_utc(r.get("decided_at")),
            quality=None if quality is None or pd.isna(quality) else float(quality),
            note=_text(r.get("note")),
        ))
    return tuple(out)


def _flags(rows: list[dict[str, Any]]) -> tuple[EntryFlag, ...]:
    """The rekap's entry flags of one employee, by date then entry then kind."""
    flags = [EntryFlag(date=_as_date(r.get("date")), activity_id=str(r["activity_id"]),
                       flag=str(r["flag"])) for r in rows]
    return tuple(sorted(flags, key=lambda f: (f.date or dt.date.min, f.activity_id, f.flag)))


def _trend_points(ctx: CardsContext, nip: str) -> tuple[TrendPoint, ...]:
    by_period = {str(r["period"]): r for r in ctx.rows("trend", nip)}
    out = []
    for period in ctx.trend_months:
        r = by_period.get(period)
        fig = None if r is None or r["main_figure"] is None or pd.isna(r["main_figure"]) \
            else float(r["main_figure"])
        out.append(TrendPoint(period=period, main_figure=fig,
                              predikat=_text(r["predikat"]) if r is not None else None))
    return tuple(out)


def _notices(score: EmployeeScore, aspects: tuple[AspectLine, ...],
             verification: VerificationSummary, attendance: AttendanceSummary | None,
             assessor: Person | None, standing: Standing,
             trend_points: tuple[TrendPoint, ...]) -> tuple[str, ...]:
    out = []
    if NO_ASSIGNMENT in score.keterangan:
        out.append("notice_no_assignment")
    if VERIFICATION_PENDING in score.keterangan:
        out.append("notice_verification_pending")
    if aspects and all(a.score is None for a in aspects):
        out.append("notice_no_behaviour")
    if BEHAVIOUR_UNRATED in score.keterangan:
        out.append("notice_behaviour_unrated")
    if verification.entries == 0:
        out.append("notice_no_entries")
    if attendance is None or attendance.days_present == 0:
        out.append("notice_no_attendance")
    if assessor is None:
        out.append("notice_no_supervisor")
    if standing.rank is None:
        out.append("notice_not_ranked")
    if sum(p.main_figure is not None for p in trend_points[:-1]) == 0:
        out.append("notice_no_trend")
    return tuple(out)


def check_card_request(engine: Engine, params: RaporParams) -> str | None:
    """Refuse an unknown or inactive NIP and a period without any data (exit 2) before
    anything heavy runs; return the employee's unit code."""
    from .db.engine import require_current

    require_current(engine)
    with engine.connect() as conn:
        q.resolve_scope(conn, nip=params.nip)
        row = conn.execute(select(s.employees.c.unit_code, s.employees.c.active)
                           .where(s.employees.c.nip == params.nip)).one()
        if row.active is False:
            raise UsageError(f"employee {params.nip} is not active: only active employees "
                             "are scored", hint="check the NIP")
        unit = conn.execute(select(s.units.c.unit_code)
                            .where(s.units.c.unit_code == row.unit_code)).first()
        if unit is None:
            raise UsageError(f"the unit {row.unit_code!r} of employee {params.nip} is not in "
                             "the database", hint="import units.csv with that unit")
        first, last = period_first_day(params.period), period_last_day(params.period)
        if not q.period_has_data(conn, params.period, q.Scope("all"), first, last):
            raise NoDataError(
                f"no data for {params.period}: nobody has an assignment, an entry or a "
                "rating in that month", hint="check the period, or import that month first")
    return _text(row.unit_code)


def build_card(engine: Engine, params: RaporParams, *, run_id: str | None = None,
               now: dt.datetime | None = None, home: Path | None = None) -> CardRecord:
    """One employee's card: the context of their own unit (for the rank), then the card."""
    unit = check_card_request(engine, params)
    try:
        ctx = build_cards_context(engine, params.period, params.scheme, params.use_360,
                                  unit, nips=[params.nip], home=home, now=now)
    except NoDataError:  # nobody in the unit has data, but someone elsewhere does
        ctx = build_cards_context(engine, params.period, params.scheme, params.use_360,
                                  None, nips=[params.nip], home=home, now=now)
    return card_from_context(ctx, params.nip, params.lang, run_id or params.run_id, now=now)


# --------------------------------------------------------------------------- recap view
@dataclass
class RecapView:
    """The unit recap as the recap notebook shows it (tables with translated headings)."""

    params: RekapUnitParams
    run: ScoreRun
    tables: RecapTables
    unit_name: str | None
    run_id: str
    generated_at: dt.datetime

    def header(self) -> Any:
        from .render import recap_header_html

        return _Html(recap_header_html(self))

    def units(self) -> Any:
        from .render import recap_units_html

        return _Html(recap_units_html(self))

    def details(self) -> Any:
        from .render import recap_details_html

        return _Html(recap_details_html(self))


class _Html:
    """A displayable HTML fragment."""

    def __init__(self, html: str) -> None:
        self.html = html

    def _repr_html_(self) -> str:
        return self.html


def build_recap_view(engine: Engine, params: RekapUnitParams, *, run_id: str | None = None,
                     now: dt.datetime | None = None, home: Path | None = None) -> RecapView:
    """Score the period for the unit (or everyone) and build every recap table."""
    run = compute_scores(engine, ScoreRequest(period=params.period, scheme=params.scheme,
                                              unit=params.unit or None,
                                              use_360=params.use_360), home=home, now=now)
    tables = recap_tables(run, engine)
    unit_name = None
    if params.unit:
        with engine.connect() as conn:
            units = q.load_units(conn)
        match = units.loc[units["unit_code"] == params.unit, "name"]
        unit_name = str(match.iloc[0]) if len(match) else None
    now = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    return RecapView(params=params, run=run, tables=tables, unit_name=unit_name,
                     run_id=run_id or params.run_id or new_run_id(now), generated_at=now)


# --------------------------------------------------------------------------- notebooks
def short_tracebacks() -> None:
    """In an IPython kernel, show our own errors as one line (plus the hint) instead of a
    traceback. The error output keeps the exception's class name, so papermill raises a
    ``PapermillExecutionError`` whose ``ename`` is e.g. ``UsageError`` and whose message is
    that line; ``eperf card`` maps the name back to the exit code. Outside IPython: no-op."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython always present with ipykernel
        return
    shell = get_ipython()  # type: ignore[no-untyped-call]
    if shell is None:
        return

    def handler(shell: Any, etype: type, value: BaseException, tb: Any,
                tb_offset: Any = None) -> list[str]:
        lines = [f"{etype.__name__}: {value}"]
        hint = getattr(value, "hint", None)
        if hint:
            lines.append(f"hint: {hint}")
        shell._showtraceback(etype, value, lines)
        return lines

    shell.set_custom_exc((EperfError,), handler)


_ENGINES: dict[str, Engine] = {}
# The period context of a warm batch kernel: one entry, keyed by the run (see
# _batch_context). It holds what every card of the run shows, computed once.
_CONTEXTS: dict[str, CardsContext] = {}


def _engine() -> Engine:
    from .db.engine import open_engine
    from .home import resolve_db_url

    url = resolve_db_url()
    if url not in _ENGINES:
        _ENGINES[url] = open_engine(url)
    return _ENGINES[url]


def dispose_engines() -> None:
    """Close pooled connections (a warm kernel calls this between cards)."""
    for engine in _ENGINES.values():
        engine.dispose()


def _batch_context(engine: Engine, params: RaporParams, unit_code: str | None
                   ) -> CardsContext | None:
    """In a warm batch kernel (``EPERF_BATCH_SCOPE`` set to the run's scope: ``all`` or a
    unit code), the run's context for this card: the slice of the employee's unit that the
    batch wrote (``EPERF_BATCH_CONTEXT``, see :mod:`eperformance.batch.slices`), else the
    period context computed here on the first card and reused by the next ones of the same
    run. The key holds the database, the card parameters that change figures, the scope
    and the run's clock (``EPERF_NOW``), so a card never sees another run's context;
    outside a batch, ``None`` (the card computes its own)."""
    import os

    from .batch.slices import CONTEXT_ENV, SCOPE_ENV, SECRET_ENV, context_key, load_slice
    from .home import clock_now, resolve_db_url

    scope = os.environ.get(SCOPE_ENV)
    if not scope:
        return None
    now = os.environ.get("EPERF_NOW") or ""
    key = context_key(resolve_db_url(), params.period, params.scheme, params.use_360, scope,
                      now)
    folder = os.environ.get(CONTEXT_ENV)
    if folder:
        part = load_slice(folder, unit_code, key, params.nip,
                          os.environ.get(SECRET_ENV, ""))
        if part is not None:
            return part
    ctx = _CONTEXTS.get(key)
    if ctx is None:
        _CONTEXTS.clear()
        ctx = build_cards_context(engine, params.period, params.scheme, params.use_360,
                                  None if scope == "all" else scope, now=clock_now())
        _CONTEXTS[key] = ctx
    return ctx if params.nip in ctx.scores else None


def notebook_card(**parameters: Any) -> CardRecord:
    """The one call of ``10-rapor-personal.ipynb``: validate, build, return the card (the
    database comes from ``DATABASE_URL`` / the project home, never from a parameter)."""
    short_tracebacks()
    params = validate(RaporParams, **parameters)
    engine = _engine()
    unit = check_card_request(engine, params)
    ctx = _batch_context(engine, params, unit)
    if ctx is not None:
        return card_from_context(ctx, params.nip, params.lang, params.run_id)
    return build_card(engine, params)


def notebook_recap(**parameters: Any) -> RecapView:
    """The one call of ``20-rekap-unit.ipynb``."""
    short_tracebacks()
    params = validate(RekapUnitParams, **parameters)
    return build_recap_view(_engine(), params)
