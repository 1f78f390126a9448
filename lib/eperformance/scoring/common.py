"""Records and vectorised building blocks shared by the schemes (domain.md §2, §4, §5).

Everything here is pure: frames in, frames or records out. Figures are unrounded floats;
missing figures are ``None`` (NaN inside frames), never 0.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, overload

import numpy as np
import pandas as pd

from ..reference import ASPECTS, MANAGERIAL, MANAGERIAL_ONLY_ASPECTS

NO_ASSIGNMENT = "belum ada penugasan"
VERIFICATION_PENDING = "verifikasi belum selesai"
BEHAVIOUR_UNRATED = "perilaku belum dinilai"

# Setting ``pending_at_closing`` (domain.md §5): entries still awaiting verification at the
# closing time withhold the hasil kerja figures, or simply do not count.
WITHHOLD = "withhold"
NOT_DONE = "not_done"
PENDING_MODES: tuple[str, ...] = (WITHHOLD, NOT_DONE)
# The figures an entry awaiting verification withholds (behaviour figures stay).
WITHHELD_FIELDS: tuple[str, ...] = (
    "nilai_skp", "nilai_akhir", "rating_hasil_kerja", "predikat", "main_figure",
)

SELF_ROLE = "diri"
SUPERVISOR_ROLES: frozenset[str] = frozenset({"atasan"})
ALL_RATER_ROLES: frozenset[str] = frozenset({"atasan", "rekan", "bawahan"})


@dataclass(frozen=True)
class AssignmentScore:
    """One assignment of the month with its measures and its scheme results.

    ``rating`` (the capaian band) is filled by permenpan-6-2022 only; ``kuantitas``,
    ``kualitas``, ``waktu``, ``nilai`` by pp-46-2011 only, ``biaya`` there only with a cost
    target. ``tb`` is ``None`` without a cost target.
    """

    assignment_id: str
    nip: str
    weight: float
    is_main: bool
    innovation: bool
    has_counted_entry: bool
    ro: float
    to: float
    rk: float
    tk: float
    rw: int
    tw: int
    rb: float
    tb: float | None
    capaian: float
    rating: str | None = None
    kuantitas: float | None = None
    kualitas: float | None = None
    waktu: float | None = None
    biaya: float | None = None
    nilai: float | None = None


@dataclass(frozen=True)
class EmployeeScore:
    """The scores of one active employee for one month under one scheme.

    * ``nilai_akhir`` is the final figure of pp-30-2019 (nilai kinerja) and pp-46-2011
      (nilai prestasi kerja); ``None`` under permenpan-6-2022.
    * ``rating_hasil_kerja``/``rating_perilaku`` are filled under permenpan-6-2022 only.
    * ``main_figure`` is Nilai SKP under permenpan-6-2022, ``nilai_akhir`` otherwise.
    * ``aspect_scores`` maps every aspect that applies to the employee to the mean of the
      counted rating rows (``None``: unrated); ``aspect_ratings`` (permenpan-6-2022 only) to
      its band; ``self_ratings`` to the mean of the ``diri`` rows, which never enter a score.
    * ``keterangan``: missing-data reasons, ``belum ada penugasan``, ``verifikasi belum
      selesai``, ``perilaku belum dinilai``, in that order (§5).
    * ``pending_entries``/``pending_quantity``: entries (and their output) that would count
      for one of the month's assignments but have no decision up to the closing time, with
      either setting of ``pending_at_closing``; under ``withhold`` any such entry withholds
      Nilai SKP, rating hasil kerja, the final figure and the predikat.
    """

    nip: str
    period: str
    scheme: str
    scheme_version: str
    nilai_skp: float | None
    nilai_perilaku: float | None
    nilai_akhir: float | None
    rating_hasil_kerja: str | None
    rating_perilaku: str | None
    predikat: str | None
    keterangan: list[str]
    main_figure: float | None
    aspect_scores: dict[str, float | None] = field(default_factory=dict)
    aspect_ratings: dict[str, str | None] = field(default_factory=dict)
    self_ratings: dict[str, float | None] = field(default_factory=dict)
    assignments: Sequence[AssignmentScore] = field(default_factory=list)
    unit_code: str | None = None
    use_360: bool = False
    pending_entries: int = 0
    pending_quantity: float = 0.0

    @property
    def withheld(self) -> bool:
        """Hasil kerja withheld because work still awaits verification (§5)."""
        return VERIFICATION_PENDING in self.keterangan


# --------------------------------------------------------------------------- helpers
def opt(x: object) -> float | None:
    """A frame value as ``float`` or ``None`` (for NaN/None/NA)."""
    if x is None or x is pd.NA:
        return None
    f = float(x)  # type: ignore[arg-type]
    return None if np.isnan(f) else f


def more_than_half(part: pd.Series | np.ndarray, total: pd.Series | np.ndarray) -> np.ndarray:
    """``part > total / 2`` strictly (exactly half is not enough), with a relative tolerance
    of 1e-9 so that weights like 0.1 + 0.2 against 0.6 count as exactly half."""
    p = np.asarray(part, dtype=float)
    t = np.asarray(total, dtype=float)
    return np.asarray((2.0 * p - t) > 1e-9 * np.abs(t))


def employees_in_scope(employees: pd.DataFrame) -> pd.DataFrame:
    """Active employees (``active`` missing = true), indexed by nip (text), sorted, with
    columns position_type, managerial (bool) and unit_code (``None`` when absent)."""
    e = employees
    active = (
        e["active"].astype(object).where(e["active"].notna(), True).astype(bool)
        if "active" in e
        else pd.Series(True, index=e.index)
    )
    e = e.loc[active.to_numpy()]
    out = pd.DataFrame(
        {
            "nip": e["nip"].astype(str).to_numpy(),
            "position_type": e["position_type"].astype(object).to_numpy(),
            "unit_code": e["unit_code"].astype(object).to_numpy() if "unit_code" in e else None,
        }
    )
    out["managerial"] = out["position_type"].isin(MANAGERIAL)
    return out.drop_duplicates("nip").set_index("nip").sort_index()


@dataclass(frozen=True)
class AspectTable:
    """Behaviour scores of the employees in scope, one row per nip, one column per aspect
    of the scheme (NaN: unrated or not applicable; see ``applies``)."""

    aspects: tuple[str, ...]
    scores: pd.DataFrame  # mean of the counted rows
    self_scores: pd.DataFrame  # mean of the ``diri`` rows
    applies: pd.DataFrame  # bool: the aspect applies to the employee

    @property
    def all_rated(self) -> pd.Series:
        """Every aspect that applies has a score."""
        return (self.scores.notna() | ~self.applies).all(axis=1)

    @property
    def mean(self) -> pd.Series:
        """Plain mean of the applicable aspects; NaN unless all are rated."""
        applicable = self.scores.where(self.applies)
        return applicable.mean(axis=1, skipna=True).where(self.all_rated)


def positions_in(values: pd.Series, target: pd.Index, *, as_text: bool = False) -> np.ndarray:
    """Each value's position in ``target`` (-1: absent or missing); ``as_text`` compares the
    values as ``str``. A ``category`` column is looked up by its categories only."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        cats = values.cat.categories
        found = target.get_indexer(cats.astype(str) if as_text else cats.astype(object))
        found = np.append(found, -1)  # code -1 (missing): the last slot
        return found[values.cat.codes.to_numpy()]
    return target.get_indexer(values.astype(str) if as_text else values.astype(object))


def aspect_table(
    behaviour: pd.DataFrame,
    employees: pd.DataFrame,
    scheme: str,
    counted_roles: Iterable[str],
    period: str | None = None,
) -> AspectTable:
    """Per employee and aspect, the plain mean over the rating rows the scheme counts
    (§4: not a mean of per-role means), and apart the mean of the self ratings.

    ``employees`` is the frame of :func:`employees_in_scope`. Rows of aspects of other
    schemes are ignored; ``kepemimpinan`` applies to managerial posts only (rows for others
    are ignored). ``behaviour`` rows of another ``period`` are dropped when it has a
    ``period`` column and ``period`` is given.
    """
    aspects = ASPECTS[scheme]
    index = employees.index
    b = behaviour
    if period is not None and "period" in b.columns:
        b = b.loc[b["period"].astype(str) == period]
    # Each rating row's employee and aspect as positions in the table (-1: not in it) and
    # one integer key per row; each mean over its own roles' rows (those rows' scores
    # alone, in their order: the same sums to the last bit as grouping the text columns),
    # so a year's million rows are never copied per column of text.
    n_aspects = len(aspects)
    emp_pos = positions_in(b["nip"], index, as_text=True)
    asp_pos = positions_in(b["aspect"], pd.Index(list(aspects), dtype=object))
    score = pd.to_numeric(b["score"], errors="coerce").astype(float).to_numpy()
    role = b["assessor_role"]
    ok = (emp_pos >= 0) & (asp_pos >= 0) & ~np.isnan(score)
    key = emp_pos * n_aspects + asp_pos
    del emp_pos, asp_pos

    def means_of(rows: np.ndarray) -> pd.Series:
        sel = ok & rows
        return pd.Series(score[sel], copy=False).groupby(key[sel], sort=False).mean()

    means = {"counted": means_of(role.isin(frozenset(counted_roles)).to_numpy()),
             "self": means_of((role == SELF_ROLE).to_numpy())}

    def pivot(column: str) -> pd.DataFrame:
        flat = np.full(len(index) * n_aspects, np.nan)
        flat[means[column].index.to_numpy()] = means[column].to_numpy()
        return pd.DataFrame(flat.reshape(len(index), n_aspects), index=index,
                            columns=pd.Index(list(aspects), name="aspect"))

    applies = pd.DataFrame(True, index=index, columns=list(aspects))
    for aspect in aspects:
        if aspect in MANAGERIAL_ONLY_ASPECTS:
            applies[aspect] = employees["managerial"].to_numpy()
    scores = pivot("counted").where(applies)
    self_scores = pivot("self").where(applies)
    return AspectTable(aspects, scores, self_scores, applies)


def weighted_skp(measures: pd.DataFrame) -> pd.Series:
    """Nilai SKP of §2: the weight-weighted mean of the assignments' capaian, per nip."""
    wc = (measures["weight"] * measures["capaian"]).groupby(measures["nip"]).sum()
    w = measures["weight"].groupby(measures["nip"]).sum()
    return wc / w


def month_measures(measures: pd.DataFrame, employees: pd.DataFrame, period: str) -> pd.DataFrame:
    """The measures frame restricted to the period and the employees in scope."""
    m = measures
    if "period" in m.columns:
        m = m.loc[m["period"].astype(str) == period]
    m = m.loc[m["nip"].astype(str).isin(employees.index)].copy()
    m["nip"] = m["nip"].astype(str)
    m["assignment_id"] = m["assignment_id"].astype(str)
    return m.sort_values(["nip", "assignment_id"], kind="mergesort").reset_index(drop=True)


def keterangan(has_assignment: bool, behaviour_complete: bool,
               verification_pending: bool = False) -> list[str]:
    """The missing-data reasons in their fixed order (§5)."""
    out = []
    if not has_assignment:
        out.append(NO_ASSIGNMENT)
    if verification_pending:
        out.append(VERIFICATION_PENDING)
    if not behaviour_complete:
        out.append(BEHAVIOUR_UNRATED)
    return out


_ASSIGNMENT_FIELDS = ("rating", "kuantitas", "kualitas", "waktu", "biaya", "nilai")
_FLOAT_FIELDS = ("weight", "ro", "to", "rk", "tk", "rb", "tb", "capaian",
                 "kuantitas", "kualitas", "waktu", "biaya", "nilai")


def _column(frame: pd.DataFrame, name: str) -> list[object]:
    """A column as a plain Python list (floats with ``None`` for NaN), fast to iterate."""
    if name not in frame:
        return [None] * len(frame)
    col = frame[name]
    if name in _FLOAT_FIELDS:
        arr = pd.to_numeric(col, errors="coerce").to_numpy(dtype=float)
        return [None if x != x else x for x in arr.tolist()]
    if name in ("rw", "tw"):
        return col.to_numpy(dtype="int64").tolist()  # type: ignore[no-any-return]
    if name in ("is_main", "innovation", "has_counted_entry"):
        return col.to_numpy(dtype=bool).tolist()  # type: ignore[no-any-return]
    return [v if isinstance(v, str) else None for v in col.to_numpy(dtype=object).tolist()]


_RECORD_NAMES = ("assignment_id", "nip", "weight", "is_main", "innovation",
                 "has_counted_entry", "ro", "to", "rk", "tk", "rw", "tw", "rb", "tb",
                 "capaian") + _ASSIGNMENT_FIELDS


def assignment_records(scored: pd.DataFrame) -> dict[str, list[AssignmentScore]]:
    """Scored assignment rows -> :class:`AssignmentScore` records grouped by nip."""
    out: dict[str, list[AssignmentScore]] = {}
    for values in zip(*(_column(scored, n) for n in _RECORD_NAMES), strict=True):
        rec = AssignmentScore(*values)  # type: ignore[arg-type]
        out.setdefault(rec.nip, []).append(rec)
    return out


class AssignmentSource:
    """The scored assignment rows of many employees (sorted by nip), kept as column arrays,
    from which one employee's :class:`AssignmentScore` records are built when asked
    (:class:`LazyAssignments`): a year holds some 230,000 assignments for 5,000 employees,
    and most uses (the scores, the recap, the month table) never read them."""

    def __init__(self, scored: pd.DataFrame) -> None:
        nip = scored["nip"].astype(str).to_numpy(dtype=object) if len(scored) else \
            np.array([], dtype=object)
        if len(nip) > 1 and not (nip[1:] >= nip[:-1]).all():
            raise ValueError("scored assignments must be sorted by nip")
        starts = np.flatnonzero(np.r_[True, nip[1:] != nip[:-1]]) if len(nip) else \
            np.array([], dtype="int64")
        stops = np.r_[starts[1:], len(nip)] if len(nip) else starts
        self._ranges = {str(nip[a]): (int(a), int(b))
                        for a, b in zip(starts.tolist(), stops.tolist(), strict=True)}
        self._frame: pd.DataFrame | None = scored
        self._columns: dict[str, Any] | None = None

    def count(self, nip: str) -> int:
        a, b = self._ranges.get(nip, (0, 0))
        return b - a

    def _arrays(self) -> dict[str, Any]:
        if self._columns is None:
            assert self._frame is not None
            frame = self._frame
            self._columns = {n: _column_array(frame, n) for n in _RECORD_NAMES}
            self._frame = None
        return self._columns

    def records(self, nip: str) -> list[AssignmentScore]:
        """The records of ``nip`` (those :func:`assignment_records` gives)."""
        a, b = self._ranges.get(nip, (0, 0))
        if a == b:
            return []
        cols = [_as_values(name, arr[a:b]) for name, arr in self._arrays().items()]
        return [AssignmentScore(*values) for values in zip(*cols, strict=True)]


def _column_array(frame: pd.DataFrame, name: str) -> Any:
    """A column as the array :func:`_column` lists (float, int64, bool or object)."""
    if name not in frame:
        return np.full(len(frame), None, dtype=object)
    col = frame[name]
    if name in _FLOAT_FIELDS:
        return pd.to_numeric(col, errors="coerce").to_numpy(dtype=float)
    if name in ("rw", "tw"):
        return col.to_numpy(dtype="int64")
    if name in ("is_main", "innovation", "has_counted_entry"):
        return col.to_numpy(dtype=bool)
    return col.to_numpy(dtype=object)


def _as_values(name: str, arr: Any) -> list[Any]:
    """A slice of :func:`_column_array` as the values of :func:`_column`."""
    if name in _FLOAT_FIELDS:
        return [None if x != x else x for x in arr.tolist()]
    if arr.dtype != object:
        return arr.tolist()  # type: ignore[no-any-return]
    return [v if isinstance(v, str) else None for v in arr.tolist()]


class LazyAssignments(Sequence[AssignmentScore]):
    """One employee's assignment records, built from an :class:`AssignmentSource` on first
    use; a read-only sequence equal to the list of the same records."""

    __slots__ = ("_source", "_nip", "_items")

    def __init__(self, source: AssignmentSource, nip: str) -> None:
        self._source = source
        self._nip = nip
        self._items: list[AssignmentScore] | None = None

    def _list(self) -> list[AssignmentScore]:
        if self._items is None:
            self._items = self._source.records(self._nip)
        return self._items

    def __len__(self) -> int:
        return len(self._items) if self._items is not None else self._source.count(self._nip)

    @overload
    def __getitem__(self, i: int) -> AssignmentScore: ...
    @overload
    def __getitem__(self, i: slice) -> list[AssignmentScore]: ...
    def __getitem__(self, i: int | slice) -> AssignmentScore | list[AssignmentScore]:
        return self._list()[i]

    def __iter__(self) -> Iterator[AssignmentScore]:
        return iter(self._list())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, LazyAssignments):
            return self._list() == other._list()
        if isinstance(other, list | tuple):
            return self._list() == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(self._list())

    def __reduce__(self) -> tuple[Any, ...]:
        return (list, (self._list(),))

    def __deepcopy__(self, memo: dict[int, Any]) -> list[AssignmentScore]:
        return list(self._list())


def pending_per_employee(scored: pd.DataFrame, index: pd.Index) -> tuple[np.ndarray,
                                                                         np.ndarray]:
    """Per employee of ``index``: the number of entries awaiting verification and their
    quantity, summed over the month's assignments (0 when the frame has no such columns)."""
    if "n_pending" not in scored or not len(scored):
        return np.zeros(len(index), dtype="int64"), np.zeros(len(index))
    nip = scored["nip"].astype(str)
    n = pd.to_numeric(scored["n_pending"], errors="coerce").fillna(0).groupby(nip).sum()
    qty = (pd.to_numeric(scored["pending_quantity"], errors="coerce").fillna(0.0)
           .groupby(nip).sum() if "pending_quantity" in scored
           else pd.Series(0.0, index=n.index))
    return (n.reindex(index, fill_value=0).to_numpy(dtype="int64"),
            qty.reindex(index, fill_value=0.0).to_numpy(dtype=float))


def _row_dicts(frame: pd.DataFrame, cast: type = float) -> list[dict[str, object]]:
    cols = list(frame.columns)
    arr = frame.to_numpy(dtype=object).tolist()
    return [
        {c: (None if v is None or v != v else cast(v)) for c, v in zip(cols, row, strict=True)}
        for row in arr
    ]


def assemble(
    *,
    employees: pd.DataFrame,
    period: str,
    scheme: str,
    scheme_version: str,
    per_employee: pd.DataFrame,
    aspects: AspectTable,
    scored_assignments: pd.DataFrame,
    aspect_ratings: pd.DataFrame | None = None,
    use_360: bool = False,
    pending_at_closing: str = WITHHOLD,
    lazy_assignments: bool = False,
) -> list[EmployeeScore]:
    """Build one :class:`EmployeeScore` per employee in scope (sorted by nip).

    ``per_employee`` is indexed by nip with columns nilai_skp, nilai_perilaku, nilai_akhir,
    rating_hasil_kerja, rating_perilaku, predikat, main_figure (NaN/None where missing).
    Under ``pending_at_closing`` ``withhold`` (§5), an employee with an entry awaiting
    verification (``n_pending`` of their assignments) loses the :data:`WITHHELD_FIELDS`
    and gets the reason ``verifikasi belum selesai``; under ``not_done`` those entries
    simply do not count (they are not in RO), as before.

    ``lazy_assignments``: each ``assignments`` a :class:`LazyAssignments` (built when read;
    ``scored_assignments`` sorted by nip), for a longer period's many rows.
    """
    if pending_at_closing not in PENDING_MODES:
        raise ValueError(f"pending_at_closing must be one of {PENDING_MODES}, "
                         f"not {pending_at_closing!r}")
    pe = per_employee.reindex(employees.index)
    n_pending, pending_qty = pending_per_employee(scored_assignments, employees.index)
    withheld = (n_pending > 0) & (pending_at_closing == WITHHOLD)
    source = AssignmentSource(scored_assignments) if lazy_assignments else None
    records = assignment_records(scored_assignments) if source is None else {}
    applies = aspects.applies.to_numpy()
    cols = list(aspects.aspects)
    score_rows = _row_dicts(aspects.scores)
    self_rows = _row_dicts(aspects.self_scores)
    rating_rows = _row_dicts(aspect_ratings, str) if aspect_ratings is not None else None
    all_rated = aspects.all_rated.to_numpy()

    def text(v: object) -> str | None:
        return v if isinstance(v, str) else None

    out: list[EmployeeScore] = []
    units = employees["unit_code"].tolist()
    fields = ["nilai_skp", "nilai_perilaku", "nilai_akhir", "rating_hasil_kerja",
              "rating_perilaku", "predikat", "main_figure"]
    values = {f: pe[f].tolist() for f in fields}
    for f in WITHHELD_FIELDS:
        values[f] = [None if w else v for v, w in zip(values[f], withheld, strict=True)]
    n_list, q_list = n_pending.tolist(), pending_qty.tolist()
    for i, nip in enumerate(employees.index):
        app = [c for j, c in enumerate(cols) if applies[i, j]]
        asg: Sequence[AssignmentScore] = (records.get(nip, []) if source is None
                                          else LazyAssignments(source, nip))
        out.append(
            EmployeeScore(
                nip=nip,
                period=period,
                scheme=scheme,
                scheme_version=scheme_version,
                nilai_skp=opt(values["nilai_skp"][i]),
                nilai_perilaku=opt(values["nilai_perilaku"][i]),
                nilai_akhir=opt(values["nilai_akhir"][i]),
                rating_hasil_kerja=text(values["rating_hasil_kerja"][i]),
                rating_perilaku=text(values["rating_perilaku"][i]),
                predikat=text(values["predikat"][i]),
                keterangan=keterangan(bool(asg), bool(all_rated[i]), bool(withheld[i])),
                main_figure=opt(values["main_figure"][i]),
                aspect_scores={c: score_rows[i][c] for c in app},  # type: ignore[misc]
                aspect_ratings=(
                    {c: rating_rows[i][c] for c in app}  # type: ignore[misc]
                    if rating_rows is not None else {}
                ),
                self_ratings={c: self_rows[i][c] for c in app},  # type: ignore[misc]
                assignments=asg,
                unit_code=text(units[i]),
                use_360=use_360,
                pending_entries=int(n_list[i]),
                pending_quantity=float(q_list[i]),
            )
        )
    return out


SCORE_COLUMNS: tuple[str, ...] = (
    "nip", "period", "scheme", "nilai_skp", "nilai_perilaku", "nilai_akhir",
    "rating_hasil_kerja", "rating_perilaku", "predikat", "keterangan",
)
ASSIGNMENT_COLUMNS: tuple[str, ...] = (
    "nip", "assignment_id", "ro", "to", "rk", "tk", "rw", "tw", "rb", "tb", "capaian",
    "kuantitas", "kualitas", "waktu", "biaya", "nilai", "rating",
)


def scores_frame(scores: Iterable[EmployeeScore]) -> pd.DataFrame:
    """The ``eperf score`` rows (data-contract.md, "Output: scores"), UNROUNDED, sorted by
    nip; ``keterangan`` joined by ``;``. Format numbers with :func:`~.rounding.fmt2`."""
    rows = [
        {
            "nip": s.nip, "period": s.period, "scheme": s.scheme, "nilai_skp": s.nilai_skp,
            "nilai_perilaku": s.nilai_perilaku, "nilai_akhir": s.nilai_akhir,
            "rating_hasil_kerja": s.rating_hasil_kerja, "rating_perilaku": s.rating_perilaku,
            "predikat": s.predikat, "keterangan": ";".join(s.keterangan),
        }
        for s in scores
    ]
    frame = pd.DataFrame(rows, columns=list(SCORE_COLUMNS))
    return frame.sort_values("nip", kind="mergesort").reset_index(drop=True)


def assignments_frame(scores: Iterable[EmployeeScore]) -> pd.DataFrame:
    """The ``--assignments-out`` rows, UNROUNDED, sorted by nip then assignment_id."""
    rows = [
        {c: getattr(a, c) for c in ASSIGNMENT_COLUMNS}
        for s in scores
        for a in s.assignments
    ]
    frame = pd.DataFrame(rows, columns=list(ASSIGNMENT_COLUMNS))
    return frame.sort_values(["nip", "assignment_id"], kind="mergesort").reset_index(drop=True)
