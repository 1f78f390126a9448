"""The unit recap, ranks and trends: frames built from a :class:`ScoreRun` and a rekap.

* :func:`unit_recap` — one row per unit in scope, each unit on its own employees (not its
  sub-units'), as domain.md §3.1 checks the distribution curve: headcount, completeness,
  predikat counts and shares (with a "no predikat" group), mean and median main figure.
* :func:`ranks` — competition rank "k of n" within each employee's own unit by the rounded
  main figure, with the unit median beside it.
* :func:`breaches_frame` — distribution-curve breaches (permenpan-6-2022 only).
* :func:`trend` — the main figure month by month (the last six months by default).
* :func:`missing_data` — employees without a predikat, with the reasons, their supervisor
  and the entries awaiting verification.
* :func:`supervisors_with_withheld` — the leniency view plus, per supervisor, the direct
  reports whose hasil kerja is withheld because entries await their verification.

Every function takes the scores of a month (:class:`~eperformance.scores.ScoreRun`) or of
any period (:class:`~eperformance.scores.PeriodRun`: a quarter, semester or year, domain.md
§7): ranks, medians and curve breaches are then the period's own, the curve with the unit
result given for exactly that period. :func:`score_run` computes the one or the other.

Pure functions of frames and records: no I/O but :func:`score_run`, :func:`recap_tables`
and :func:`trend`, which scores earlier months through
:func:`~eperformance.scores.compute_scores`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine

from .activity_rekap import compute_rekap
from .db import queries as q
from .errors import NoDataError
from .periods import Period
from .scores import PeriodRun, ScoreRequest, ScoreRun, compute_period_scores, compute_scores
from .scoring import curve, rank
from .scoring.closing import previous_period
from .scoring.common import BEHAVIOUR_UNRATED, NO_ASSIGNMENT, VERIFICATION_PENDING
from .scoring.credits import credits_out
from .scoring.registry import get_scheme

NO_PREDIKAT = "Tanpa predikat"

#: The scores of a month (the monthly path) or of any period (domain.md §7).
AnyRun = ScoreRun | PeriodRun


def score_run(engine: Engine, request: ScoreRequest, *, home: Path | None = None,
              now: dt.datetime | None = None) -> AnyRun:
    """The scores of ``request.period``: a month through
    :func:`~eperformance.scores.compute_scores` (exactly today's monthly run), a quarter,
    semester or year (``2021-Q2``, ``2021-S1``, ``2021``; ``q``/``s`` in any case) through
    :func:`~eperformance.scores.compute_period_scores`. An invalid period names the
    accepted forms (exit 2)."""
    if Period.parse(request.period).is_month:
        return compute_scores(engine, request, home=home, now=now)
    return compute_period_scores(engine, request, home=home, now=now)


def credits_frame(run: AnyRun) -> pd.DataFrame:
    """The angka kredit rows of the run as ``--credits-out`` writes them (data-contract.md:
    text, formatted; header only under pp-30-2019 and pp-46-2011), for a month as for a
    longer period (``months`` 1, 3, 6 or 12)."""
    if isinstance(run, PeriodRun):
        return run.credits_frame
    return credits_out(run.scores, run.employees, run.request.period, run.scheme_cfg)


def period_code(run: AnyRun) -> str:
    """The run's period in its canonical text (``2021-06``, ``2021-Q2``, ``2021``)."""
    return run.period.code if isinstance(run, PeriodRun) else run.request.period


def predikat_labels(scheme: str) -> tuple[str, ...]:
    """The scheme's predikat labels, best first (domain.md §3)."""
    module = get_scheme(scheme).module
    return tuple(getattr(module, "PREDIKAT", None) or module.SEBUTAN)


def scores_with_units(run: AnyRun) -> pd.DataFrame:
    """The scores frame with each employee's unit and main figure."""
    frame = run.scores_frame
    extra = pd.DataFrame(
        {"nip": [s.nip for s in run.scores], "main_figure": [s.main_figure for s in run.scores]}
    )
    units = run.employees[["nip", "unit_code", "supervisor_nip"]]
    return frame.merge(extra, on="nip", how="left").merge(units, on="nip", how="left")


def unit_recap(run: AnyRun, rekap_employees: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """One row per unit that has active employees in scope (sorted by unit code).

    Columns: ``unit_code, unit_name, headcount, with_assignments, with_behaviour,
    verification_pending, with_entries, entries, entries_verified, entries_verified_share,
    <predikat label>..., <NO_PREDIKAT>, share_<label>..., main_mean, main_median``. Shares
    are percentages of the headcount; ``verification_pending`` counts the employees whose
    hasil kerja is withheld (*verifikasi belum selesai*, domain.md §5);
    ``entries_verified`` counts entries with a decision up to the closing time (approved,
    rejected or revision).
    """
    s = scores_with_units(run)
    has_assign = ~s["keterangan"].str.contains(NO_ASSIGNMENT, regex=False)
    rated = ~s["keterangan"].str.contains(BEHAVIOUR_UNRATED, regex=False)
    withheld = s["keterangan"].str.contains(VERIFICATION_PENDING, regex=False)
    rk = rekap_employees.set_index("nip")
    entries = s["nip"].map(rk["entries"]).fillna(0)
    pending = s["nip"].map(rk["pending"]).fillna(0)
    s = s.assign(
        _assign=has_assign, _rated=rated, _withheld=withheld, _entries=entries,
        _verified=entries - pending, _with_entries=entries > 0,
    )
    labels = predikat_labels(run.scheme_cfg.name)
    s["_pred"] = s["predikat"].fillna(NO_PREDIKAT)
    g = s.groupby("unit_code", sort=True)
    out = pd.DataFrame({
        "headcount": g.size(),
        "with_assignments": g["_assign"].sum(),
        "with_behaviour": g["_rated"].sum(),
        "verification_pending": g["_withheld"].sum(),
        "with_entries": g["_with_entries"].sum(),
        "entries": g["_entries"].sum(),
        "entries_verified": g["_verified"].sum(),
    })
    out["entries_verified_share"] = (100.0 * out["entries_verified"]
                                     / out["entries"].where(out["entries"] > 0))
    counts = pd.crosstab(s["unit_code"], s["_pred"]).reindex(
        columns=[*labels, NO_PREDIKAT], fill_value=0)
    out = out.join(counts)
    for label in [*labels, NO_PREDIKAT]:
        out[f"share_{label}"] = 100.0 * out[label] / out["headcount"]
    figures = pd.to_numeric(s["main_figure"], errors="coerce")
    out["main_mean"] = figures.groupby(s["unit_code"]).mean()
    out["main_median"] = figures.groupby(s["unit_code"]).median()
    names = units.set_index("unit_code")["name"]
    out.insert(0, "unit_name", out.index.map(names))
    out = out.rename_axis("unit_code").reset_index()
    int_cols = ["headcount", "with_assignments", "with_behaviour", "verification_pending",
                "with_entries", "entries",
                "entries_verified", *labels, NO_PREDIKAT]
    out[int_cols] = out[int_cols].astype(int)
    return out


@dataclass(frozen=True)
class RankInfo:
    """An employee's place in their own unit."""

    nip: str
    unit_code: str | None
    rank: int | None
    of: int
    unit_median: float | None
    last: int | None = None  # the last place of a tie (3 for "2–3 of 9"); rank when alone

    @property
    def label(self) -> str:
        return "" if self.rank is None else f"{self.rank} / {self.of}"


def ranks(run: AnyRun) -> dict[str, RankInfo]:
    """nip -> rank within the employee's own unit and that unit's median main figure."""
    rows = [(s.unit_code, s.nip, s.main_figure) for s in run.scores]
    out: dict[str, RankInfo] = {}
    for unit, entries in rank.rank_within_units(rows).items():
        median = rank.unit_median(e.figure for e in entries)
        tied: dict[int, int] = {}
        for e in entries:
            if e.rank is not None:
                tied[e.rank] = tied.get(e.rank, 0) + 1
        for e in entries:
            last = None if e.rank is None else e.rank + tied[e.rank] - 1
            out[e.nip] = RankInfo(e.nip, unit, e.rank, e.of, median, last)
    return out


RANK_COLUMNS = ("nip", "unit_code", "rank", "of", "rank_label", "unit_median")


def ranks_frame(run: AnyRun) -> pd.DataFrame:
    """One row per employee scored (sorted by NIP): the competition rank "k / n" within
    their own unit by the period's rounded main figure (blank without one), and the unit's
    median main figure of the period (``peringkat.csv`` of ``eperf rekap``)."""
    info = ranks(run)
    frame = pd.DataFrame(
        [{"nip": r.nip, "unit_code": r.unit_code, "rank": r.rank, "of": r.of,
          "rank_label": r.label, "unit_median": r.unit_median}
         for r in sorted(info.values(), key=lambda r: r.nip)],
        columns=list(RANK_COLUMNS),
    )
    frame["rank"] = frame["rank"].astype("Int64")
    frame["of"] = frame["of"].astype("int64")
    frame["unit_median"] = frame["unit_median"].astype("float64")
    return frame


BREACH_COLUMNS = ("unit_code", "org_result", "rule", "bound", "measure", "required", "actual",
                  "count", "n_employees")


def breaches_frame(run: AnyRun) -> pd.DataFrame:
    """Distribution-curve breaches of permenpan-6-2022 (empty for the other schemes), each
    unit checked with its organisational result given for exactly the run's period (a
    year's result is not a month's: domain.md §7; default Baik)."""
    if run.scheme_cfg.name != "permenpan-6-2022":
        return pd.DataFrame(columns=list(BREACH_COLUMNS))
    if isinstance(run, PeriodRun):
        found = run.result.breaches
    else:
        org = dict(zip(run.unit_results["unit_code"], run.unit_results["org_result"],
                       strict=True)) if len(run.unit_results) else {}
        found = curve.curve_breaches_for_scores(run.scores, org, run.scheme_cfg)  # type: ignore[arg-type]
    return pd.DataFrame([{c: getattr(b, c) for c in BREACH_COLUMNS} for b in found],
                        columns=list(BREACH_COLUMNS))


MISSING_COLUMNS = ("nip", "unit_code", "supervisor_nip", "keterangan", "pending_entries",
                   "pending_quantity")


def pending_frame(run: AnyRun) -> pd.DataFrame:
    """Per employee scored: ``nip, pending_entries, pending_quantity`` (entries for the
    month's assignments awaiting verification at the closing time, domain.md §5)."""
    return pd.DataFrame(
        {"nip": [s.nip for s in run.scores],
         "pending_entries": [s.pending_entries for s in run.scores],
         "pending_quantity": [float(s.pending_quantity) for s in run.scores]},
        columns=["nip", "pending_entries", "pending_quantity"],
    ).astype({"pending_entries": "int64", "pending_quantity": "float64"})


def missing_data(run: AnyRun) -> pd.DataFrame:
    """Employees without a predikat for a missing fact (:data:`MISSING_COLUMNS`): their
    unit, their supervisor (who owes the decisions when the reason is *verifikasi belum
    selesai*), the reasons, and the entries and output awaiting verification."""
    s = scores_with_units(run).merge(pending_frame(run), on="nip", how="left")
    s = s[s["keterangan"] != ""]
    return s[list(MISSING_COLUMNS)].reset_index(drop=True)


def supervisors_with_withheld(supervisors: pd.DataFrame, run: AnyRun) -> pd.DataFrame:
    """The leniency view (``rekap.supervisor_view``) plus ``withheld_reports`` (direct
    reports in scope whose hasil kerja is withheld, *verifikasi belum selesai*),
    ``withheld_entries`` and ``withheld_quantity`` (their entries and output awaiting
    verification at the closing time)."""
    s = scores_with_units(run).merge(pending_frame(run), on="nip", how="left")
    s = s[s["keterangan"].str.contains(VERIFICATION_PENDING, regex=False)]
    g = s.groupby("supervisor_nip")
    out = supervisors.copy()
    sup = out["supervisor_nip"]
    out["withheld_reports"] = sup.map(g.size()).fillna(0).astype("int64")
    out["withheld_entries"] = sup.map(g["pending_entries"].sum()).fillna(0).astype("int64")
    out["withheld_quantity"] = sup.map(g["pending_quantity"].sum()).fillna(0.0).astype(float)
    return out


def trend_periods(period: str, months: int = 6) -> list[str]:
    """``months`` periods ending with ``period``, oldest first."""
    out = [period]
    for _ in range(months - 1):
        out.append(previous_period(out[-1]))
    return out[::-1]


def trend(engine: Engine, request: ScoreRequest, months: int = 6,
          home: Path | None = None, current: ScoreRun | None = None) -> pd.DataFrame:
    """The main figure per employee in scope and month: ``nip, period, main_figure,
    predikat`` for the ``months`` months ending with ``request.period`` (a month with no
    data at all contributes no rows)."""
    frames = []
    for period in trend_periods(request.period, months):
        if current is not None and period == current.request.period:
            run = current
        else:
            try:
                run = compute_scores(engine, ScoreRequest(
                    period=period, scheme=request.scheme, unit=request.unit, nip=request.nip,
                    use_360=request.use_360), home=home)
            except NoDataError:
                continue
        frames.append(pd.DataFrame({
            "nip": [s.nip for s in run.scores],
            "period": period,
            "main_figure": [s.main_figure for s in run.scores],
            "predikat": [s.predikat for s in run.scores],
        }))
    if not frames:
        return pd.DataFrame(columns=["nip", "period", "main_figure", "predikat"])
    return pd.concat(frames, ignore_index=True)


@dataclass
class RecapTables:
    """Everything ``eperf rekap`` writes, and what the recap notebook and XLSX show."""

    employees: pd.DataFrame  # rekap capaian per employee, with unit and scores
    units: pd.DataFrame  # unit_recap
    supervisors: pd.DataFrame  # leniency view
    breaches: pd.DataFrame
    rejected_and_revision: pd.DataFrame
    late_decisions: pd.DataFrame
    entry_flags: pd.DataFrame
    missing: pd.DataFrame
    ranks: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=list(RANK_COLUMNS)))  # ranks_frame: "k / n" in the own unit, its median

    def as_dict(self) -> dict[str, pd.DataFrame]:
        return {
            "rekap_pegawai": self.employees,
            "rekap_unit": self.units,
            "atasan": self.supervisors,
            "pelanggaran_kurva": self.breaches,
            "entri_ditolak_revisi": self.rejected_and_revision,
            "keputusan_terlambat": self.late_decisions,
            "tanda_entri": self.entry_flags,
            "data_belum_lengkap": self.missing,
            "peringkat": self.ranks,
        }


def recap_tables(run: AnyRun, engine: Engine) -> RecapTables:
    """Compute the rekap of ``run``'s period and scope and assemble every recap frame.

    ``run``: a month's :class:`~eperformance.scores.ScoreRun` or any period's
    :class:`~eperformance.scores.PeriodRun` (:func:`score_run` gives either): for a
    longer period the activity rekap counts every month's entries, each judged at its own
    month's closing time, and the unit recap, ranks and curve are the period's."""
    nips = list(run.employees["nip"])
    rk = compute_rekap(engine, period_code(run), nips, run.settings)
    with engine.connect() as conn:
        units = q.load_units(conn)
    scores = scores_with_units(run)[["nip", "unit_code", "nilai_skp", "nilai_perilaku",
                                     "nilai_akhir", "predikat", "keterangan"]]
    employees = scores[["nip", "unit_code"]].merge(rk.employees, on="nip", how="left")
    employees = employees.merge(scores.drop(columns=["unit_code"]), on="nip", how="left")
    return RecapTables(
        employees=employees,
        units=unit_recap(run, rk.employees, units),
        supervisors=supervisors_with_withheld(rk.supervisors, run),
        breaches=breaches_frame(run),
        rejected_and_revision=rk.rejected_and_revision,
        late_decisions=rk.late_decisions,
        entry_flags=rk.entry_flags,
        missing=missing_data(run),
        ranks=ranks_frame(run),
    )
