"""The latest-decision rule, once: an entry's decision at a month's closing time.

An entry's status at the closing time (domain.md §2 and §5; the rekap's "Status") is that of
its **latest decision up to the closing time**:

* *up to the closing time*: ``decided_at < closing_utc + 1 second`` (naive UTC): the closing
  second counts as a whole (the database keeps whole seconds, the contract drops fractions
  on import) — :func:`up_to_closing`; a decision after it is *late* (:func:`after_closing`),
  listed and counted nowhere;
* *latest*: the greatest ``decided_at``; a tie goes to the greater ``verification_id``
  compared as text by Unicode code point, on every engine (:func:`text_order`);
* an entry without a decision up to the closing time is *pending*.

Two forms side by side, tested equal on SQLite, PostgreSQL and MariaDB
(``tests/test_chain_engines.py``, ``tests/test_scores_db.py``, ``tests/test_rekap.py``):

* pandas — :func:`latest_decisions`: one row per decided activity, vectorised (only the ties
  on ``decided_at`` are sorted as text, so a million decisions need no string sort);
* SQL — :func:`ranked_decisions`: the decisions up to the closing time with ``rn``, their
  ``ROW_NUMBER() OVER (PARTITION BY activity_id ORDER BY decided_at DESC, verification_id
  DESC)``, made a subquery or a CTE by the caller and joined with :func:`is_latest`; or
  :func:`latest_decision_id`, the same rule as a correlated scalar subquery per entry (one
  index seek per entry on ``verifications(activity_id)``: on SQLite cheaper than ranking a
  time slice of the whole table).

A base module (no import from the package): the database queries and the pure scoring and
rekap both use it. The column lists of the two decision lists of the rekap, which the SQL
and the pandas paths both build, are here too (:data:`REJECTED_COLUMNS`,
:data:`LATE_COLUMNS`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import ColumnElement, FromClause, Select, Table, and_, func, select

#: The closing second counts as a whole: ``decided_at < closing_utc + CLOSING_SECOND``.
CLOSING_SECOND = dt.timedelta(seconds=1)

#: The statuses of an entry: the three decisions of the data contract, and ``pending``.
STATUSES: tuple[str, ...] = ("approved", "rejected", "revision", "pending")

#: Entries whose latest decision is ``rejected`` or ``revision``, with that decision.
REJECTED_COLUMNS: tuple[str, ...] = (
    "nip", "activity_id", "date", "activity_code", "description", "status", "decided_at",
    "quality", "note",
)
#: Decisions made after the closing time on entries of the month.
LATE_COLUMNS: tuple[str, ...] = (
    "nip", "activity_id", "date", "activity_code", "description", "verification_id",
    "verifier_nip", "status", "decided_at", "quality", "note",
)

#: The columns :func:`latest_decisions` carries by default besides the two keys.
DECISION_COLUMNS: tuple[str, ...] = ("status", "quality", "decided_at")


# --------------------------------------------------------------------------- both forms
def up_to_closing(decided_at: Any, closing_utc: dt.datetime) -> Any:
    """``decided_at`` (a SQL column, or a pandas Series of naive UTC datetimes) is up to the
    closing time ``closing_utc`` (naive UTC)."""
    return decided_at < _limit(decided_at, closing_utc)


def after_closing(decided_at: Any, closing_utc: dt.datetime) -> Any:
    """The complement of :func:`up_to_closing`: a late decision."""
    return decided_at >= _limit(decided_at, closing_utc)


def _limit(decided_at: Any, closing_utc: dt.datetime) -> Any:
    limit = closing_utc + CLOSING_SECOND
    return pd.Timestamp(limit) if isinstance(decided_at, pd.Series) else limit


# --------------------------------------------------------------------------- pandas
def naive_utc(values: pd.Series) -> pd.Series:
    """Datetimes (or ISO text) as naive UTC ``datetime64[ns]``; aware ones are converted."""
    s = pd.to_datetime(values)
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        s = s.dt.tz_convert("UTC").dt.tz_localize(None)
    return s.astype("datetime64[ns]")


def as_text(values: pd.Series) -> pd.Series:
    """Keys as text (object dtype of ``str``); missing stays missing."""
    if pd.api.types.is_string_dtype(values.dtype) and values.dtype != object:
        return values.astype(object)
    return values.map(lambda v: v if isinstance(v, str) or pd.isna(v) else str(v)).astype(object)


def latest_positions(activity_id: np.ndarray, verification_id: np.ndarray,
                     decided_ns: np.ndarray) -> np.ndarray:
    """Row positions (ascending) of the latest decision of each activity among the rows
    given, all up to the closing time: ``activity_id`` and ``verification_id`` as text
    (object arrays), ``decided_ns`` as int64 nanoseconds."""
    codes, uniques = pd.factorize(activity_id)
    latest_t = np.full(len(uniques), np.iinfo(np.int64).min, dtype="int64")
    np.maximum.at(latest_t, codes, decided_ns)
    cand = np.flatnonzero(decided_ns == latest_t[codes])
    per_code = np.bincount(codes[cand], minlength=len(uniques))
    tie = per_code[codes[cand]] > 1
    chosen = cand[~tie]
    if tie.any():  # same timestamp: the greater verification_id (as text) wins
        ties = pd.DataFrame({"code": codes[cand[tie]], "vid": verification_id[cand[tie]],
                             "pos": cand[tie]})
        ties = ties.sort_values(["code", "vid"], kind="mergesort")
        chosen = np.concatenate([chosen, ties.drop_duplicates("code", keep="last")["pos"]])
    return np.sort(chosen)


def latest_decisions(verifications: pd.DataFrame, closing_utc: dt.datetime,
                     columns: Sequence[str] = DECISION_COLUMNS) -> pd.DataFrame:
    """The latest decision per activity made up to ``closing_utc`` (naive UTC).

    ``verifications`` has the data contract's columns (at least ``verification_id,
    activity_id, decided_at`` and ``columns``; ``decided_at`` naive UTC, or aware). Returns
    ``activity_id, verification_id`` (text) and ``columns`` (``quality`` as float,
    ``decided_at`` as naive UTC ``datetime64[ns]``, others as given), one row per decided
    activity, in the order of ``verifications``. Decisions of no activity are ignored.
    """
    cols = ["activity_id", "verification_id", *columns]
    decided = naive_utc(verifications["decided_at"])
    keep = (up_to_closing(decided, closing_utc) & verifications["activity_id"].notna()
            ).to_numpy()
    if not keep.any():
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    v = verifications.loc[keep]
    decided = decided.loc[keep]
    act = as_text(v["activity_id"]).to_numpy()
    vid = as_text(v["verification_id"]).to_numpy()
    chosen = latest_positions(act, vid, decided.to_numpy(dtype="datetime64[ns]").view("int64"))
    out: dict[str, Any] = {"activity_id": act[chosen], "verification_id": vid[chosen]}
    for col in columns:
        if col == "decided_at":
            out[col] = decided.to_numpy()[chosen]
        elif col == "quality":
            out[col] = pd.to_numeric(v[col], errors="coerce").to_numpy(dtype=float)[chosen]
        else:
            out[col] = v[col].to_numpy(dtype=object)[chosen]
    return pd.DataFrame(out, columns=cols)


# --------------------------------------------------------------------------- SQL
def text_order(dialect: str, column: Any) -> Any:
    """``column`` ordered by Unicode code point on the SQL dialect named ``dialect``:
    ``COLLATE "C"`` on PostgreSQL, whose default collation is linguistic; SQLite compares
    text as binary already, and MariaDB's key columns are ``utf8mb4_bin``."""
    return column.collate("C") if dialect == "postgresql" else column


def ranked_decisions(verifications: Table, dialect: str, closing_utc: dt.datetime,
                     columns: Iterable[str] = ("status",), *,
                     where: Iterable[ColumnElement[bool]] = (),
                     select_from: FromClause | None = None) -> Select:
    """The decisions up to ``closing_utc`` with ``activity_id``, ``columns`` and their rank
    ``rn`` within the activity (1 = the latest), for the SQL dialect named ``dialect``.

    ``where`` narrows the decisions (a month's entries, a time slice; a join given by
    ``select_from``). Make it a subquery or a CTE and keep ``rn = 1`` with
    :func:`is_latest`.
    """
    v = verifications
    rn = func.row_number().over(
        partition_by=v.c.activity_id,
        order_by=(v.c.decided_at.desc(), text_order(dialect, v.c.verification_id).desc()),
    )
    stmt = select(v.c.activity_id, *(v.c[c] for c in columns), rn.label("rn"))
    if select_from is not None:
        stmt = stmt.select_from(select_from)
    return stmt.where(up_to_closing(v.c.decided_at, closing_utc), *where)


def latest_decision_id(verifications: Table, dialect: str, closing_utc: dt.datetime,
                       activity_id: ColumnElement[Any]) -> Any:
    """The ``verification_id`` of the latest decision on ``activity_id`` (a column of the
    enclosing query) up to ``closing_utc`` (naive UTC), as a correlated scalar subquery;
    NULL when the entry is pending. Same order as :func:`ranked_decisions`: the greatest
    ``decided_at``, a tie to the greater ``verification_id`` by code point."""
    v = verifications.alias("latest_v")
    return (
        select(v.c.verification_id)
        .where(v.c.activity_id == activity_id, up_to_closing(v.c.decided_at, closing_utc))
        .order_by(v.c.decided_at.desc(), text_order(dialect, v.c.verification_id).desc())
        .limit(1)
        .scalar_subquery()
    )


def is_latest(ranked: FromClause, activity_id: ColumnElement[Any]) -> ColumnElement[bool]:
    """Join condition: the row of ``ranked`` (from :func:`ranked_decisions`) that is the
    latest decision on ``activity_id``."""
    return and_(ranked.c.activity_id == activity_id, ranked.c.rn == 1)
