"""One employee's card assembled from the period context (:mod:`.context`).

:func:`card_from_context` makes one :class:`~.record.CardRecord` in a language, with a run
id, and its fingerprint; :func:`build_card` does context and card for one employee (the
card notebook outside a batch), after :func:`check_card_request` refused an unknown or
inactive NIP or a period without data before anything heavy runs.

For a quarter, a semester or a year the same call makes the *Dokumen Evaluasi Kinerja*:
the period's figures and predikat, each month as it scores alone, the behaviour aspects
over the period, the ranks of the period, the angka kredit of a functional employee, the
provisional mark until the last month's closing time and the signature date of that
closing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import Engine, select

from ..db import queries as q
from ..db import schema as s
from ..db.engine import require_current
from ..errors import NoDataError, UsageError
from ..periods import Period
from ..reference import REGULATION
from ..rounding import round_half_away
from ..runparams import RaporParams, new_run_id
from ..scoring.closing import period_first_day, period_last_day
from ..scoring.common import BEHAVIOUR_UNRATED, NO_ASSIGNMENT, VERIFICATION_PENDING, EmployeeScore
from .context import CardsContext, build_cards_context
from .record import (
    AspectLine,
    AssignmentLine,
    AttendanceSummary,
    CardRecord,
    EntryDecision,
    EntryFlag,
    PendingVerification,
    Person,
    Standing,
    TrendPoint,
    VerificationSummary,
    card_fingerprint,
    text_or_none,
)


def card_from_context(ctx: CardsContext, nip: str, lang: str = "id", run_id: str = "", *,
                      now: dt.datetime | None = None) -> CardRecord:
    """The card of ``nip`` (an active employee in the context's scope) in ``lang``."""
    score = ctx.scores.get(nip)
    if score is None:
        raise UsageError(f"no card for NIP {nip!r}: not an active employee in this scope",
                         hint="check the NIP and the unit")
    run = ctx.run
    settings = run.settings
    monthly = ctx.period_run is None
    now = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    employee = ctx.people.get(nip) or Person(nip=nip, name=nip)
    emp_rows = ctx.rows("employees", nip)
    sup_nip = text_or_none(emp_rows[0]["supervisor_nip"]) if emp_rows else None
    assessor = (ctx.people.get(sup_nip) or Person(nip=sup_nip, name=sup_nip)) if sup_nip \
        else None

    cap = float(run.scheme_cfg.capaian_cap)
    assignments = tuple(_assignment_line(a, ctx.assignment_info.get(a.assignment_id, {}), cap)
                        for a in score.assignments) if monthly else ()
    aspects = tuple(
        AspectLine(aspect=k, score=v, rating=score.aspect_ratings.get(k),
                   self_score=score.self_ratings.get(k))
        for k, v in score.aspect_scores.items()
    )
    verification: VerificationSummary | None
    verification, attendance = _rekap_parts(ctx.rows("rekap", nip)) if monthly \
        else (None, None)
    rank = ctx.ranks.get(nip)
    standing = Standing(unit_code=rank.unit_code if rank else score.unit_code,
                        rank=rank.rank if rank else None, of=rank.of if rank else 0,
                        unit_median=rank.unit_median if rank else None,
                        rank_last=rank.last if rank else None)
    months = tuple(ctx.period_run.result.month_results(nip)) if ctx.period_run else ()
    trend_points = _trend_points(ctx, nip) if monthly else tuple(
        TrendPoint(period=m.month, main_figure=m.main_figure, predikat=m.predikat)
        for m in months)
    pending = (PendingVerification(supervisor=assessor, entries=score.pending_entries,
                                   quantity=score.pending_quantity)
               if VERIFICATION_PENDING in score.keterangan else None)
    notices = (_notices(score, aspects, verification, attendance, assessor, standing,
                        trend_points) if verification is not None
               else _period_notices(score, aspects, assessor, standing))
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
        rejected=_decisions(ctx.rows("rejected", nip)) if monthly else (),
        late=_decisions(ctx.rows("late", nip)) if monthly else (),
        flags=_flags(ctx.rows("flags", nip)) if monthly else (),
        capaian_cap=cap,
        attendance=attendance,
        trend=trend_points,
        standing=standing,
        notices=notices,
        pending_verification=pending,
        tukin=ctx.tukin.get(nip) if monthly else None,
        months=months,
        credit=ctx.credits.get(nip),
        run_id=run_id or new_run_id(now),
        generated_at=now,
        # signed for the period, on its closing date (not the day the card is printed)
        signature_date=run.closing_time.astimezone(ZoneInfo(settings.timezone)).date(),
    )
    return dataclasses.replace(record, fingerprint=card_fingerprint(record))


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
            activity_code=text_or_none(r.get("activity_code")),
            description=text_or_none(r.get("description")), status=str(r["status"]),
            decided_at=_as_utc(r.get("decided_at")),
            quality=None if quality is None or pd.isna(quality) else float(quality),
            note=text_or_none(r.get("note")),
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
                              predikat=text_or_none(r["predikat"]) if r is not None else None))
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


def _period_notices(score: EmployeeScore, aspects: tuple[AspectLine, ...],
                    assessor: Person | None, standing: Standing) -> tuple[str, ...]:
    """The notices of a longer period's card (the period's missing-data reasons)."""
    out = []
    if NO_ASSIGNMENT in score.keterangan:
        out.append("notice_period_no_assignment")
    if VERIFICATION_PENDING in score.keterangan:
        out.append("notice_period_verification_pending")
    if aspects and all(a.score is None for a in aspects):
        out.append("notice_period_no_behaviour")
    if BEHAVIOUR_UNRATED in score.keterangan:
        out.append("notice_period_behaviour_unrated")
    if assessor is None:
        out.append("notice_no_supervisor")
    if standing.rank is None:
        out.append("notice_not_ranked")
    return tuple(out)


def check_card_request(engine: Engine, params: RaporParams) -> str | None:
    """Refuse an unknown or inactive NIP and a period without any data (exit 2) before
    anything heavy runs; return the employee's unit code."""
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
        p = Period.parse(params.period)
        if p.is_month:
            first, last = period_first_day(params.period), period_last_day(params.period)
            has_data = q.period_has_data(conn, params.period, q.Scope("all"), first, last)
        else:
            has_data = q.months_have_data(conn, p.months, q.Scope("all"), p.first_day,
                                          p.last_day)
        if not has_data:
            what = "that month" if p.is_month else "that period"
            raise NoDataError(
                f"no data for {params.period}: nobody has an assignment, an entry or a "
                f"rating in {what}", hint=f"check the period, or import {what} first")
    return text_or_none(row.unit_code)


def build_card(engine: Engine, params: RaporParams, *, run_id: str | None = None,
               now: dt.datetime | None = None, home: Path | None = None,
               clock: dt.datetime | None = None) -> CardRecord:
    """One employee's card: the context of their own unit (for the rank), then the card.

    ``now`` stamps the card (``generated_at``, a new run id) and is the scoring's
    reference time unless ``clock`` is given (a batch's shared clock)."""
    unit = check_card_request(engine, params)
    scored_at = clock or now
    try:
        ctx = build_cards_context(engine, params.period, params.scheme, params.use_360,
                                  unit, nips=[params.nip], home=home, now=scored_at)
    except NoDataError:  # nobody in the unit has data, but someone elsewhere does
        ctx = build_cards_context(engine, params.period, params.scheme, params.use_360,
                                  None, nips=[params.nip], home=home, now=scored_at)
    return card_from_context(ctx, params.nip, params.lang, run_id or params.run_id, now=now)
