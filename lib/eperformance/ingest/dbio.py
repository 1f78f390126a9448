"""Database side of an import: fetch stored rows, compare, insert and update in bulk.

Portable across SQLite, PostgreSQL and MariaDB: plain ``SELECT … WHERE key IN (…)`` in
chunks (or the whole table when that is cheaper), ``INSERT`` and ``UPDATE … WHERE key =
:key`` as executemany. Everything runs on the caller's connection, inside its transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Table, and_, bindparam, func, select, tuple_, update

from .. import contract as c

CHUNK = 1000
WHOLE_TABLE_ROWS = 200_000  # below this (or below FACTOR × the keys wanted) read it whole
WHOLE_TABLE_FACTOR = 4


def fetch_rows(
    conn: Connection,
    table: Table,
    keycols: Sequence[str],
    keys: list[tuple[Any, ...]] | None,
    columns: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Stored rows whose key is among ``keys`` (``None``: every row), as an object frame.

    Values are normalised to the types ingest produces (``time`` for times, ``float`` for
    numbers, ``bool`` for booleans, naive ``datetime`` for timestamps).
    """
    names = list(columns) if columns is not None else [col.name for col in table.columns]
    cols = [table.c[n] for n in names]
    if keys is not None and not keys:
        return pd.DataFrame({n: pd.Series([], dtype=object) for n in names})
    rows: list[Any] = []
    if keys is None:
        rows = list(conn.execute(select(*cols)))
    else:
        total = conn.execute(select(func.count()).select_from(table)).scalar_one()
        if total == 0:
            rows = []
        elif total <= max(WHOLE_TABLE_ROWS, WHOLE_TABLE_FACTOR * len(keys)):
            wanted = set(keys)
            kidx = [names.index(k) for k in keycols] if all(k in names for k in keycols) \
                else None
            extra = [table.c[k] for k in keycols] if kidx is None else []
            for row in conn.execute(select(*cols, *extra)):
                key = tuple(row[i] for i in kidx) if kidx is not None \
                    else tuple(row[len(names):])
                if _keytuple(key) in wanted:
                    rows.append(row[: len(names)])
        else:
            kcols = [table.c[k] for k in keycols]
            for start in range(0, len(keys), CHUNK):
                chunk = keys[start:start + CHUNK]
                if len(kcols) == 1:
                    cond = kcols[0].in_([k[0] for k in chunk])
                else:
                    cond = tuple_(*kcols).in_(chunk)
                rows.extend(conn.execute(select(*cols).where(cond)))
    frame = pd.DataFrame(
        {n: pd.Series([r[j] for r in rows], dtype=object) for j, n in enumerate(names)}
    )
    for n in names:
        frame[n] = pd.Series(_normalise(frame[n].to_numpy(object)), dtype=object)
    return frame


def _keytuple(key: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(_norm_value(k) for k in key)


def _normalise(values: np.ndarray) -> list[Any]:
    return [_norm_value(x) for x in values]


def _norm_value(x: Any) -> Any:
    if x is None or isinstance(x, (str, float, bool)):
        return x
    if isinstance(x, datetime):
        return x.replace(tzinfo=None)
    if isinstance(x, (date, time)):
        return x
    if isinstance(x, timedelta):  # MySQL TIME through some drivers
        secs = int(x.total_seconds())
        return time(secs // 3600 % 24, secs % 3600 // 60, secs % 60)
    if isinstance(x, (int, Decimal, np.floating, np.integer)):
        return float(x)
    return x


def compare(
    spec: c.TableSpec, new: pd.DataFrame, stored: pd.DataFrame, key_text: Any
) -> tuple[np.ndarray, np.ndarray]:
    """Which of ``new``'s rows are stored already, and which of those differ.

    ``new`` is indexed by key text; ``stored`` is turned into the same index with
    ``key_text``. Returns boolean arrays ``(exists, changed)`` aligned with ``new``.
    """
    n = len(new)
    if not len(stored):
        return np.zeros(n, bool), np.zeros(n, bool)
    stored = stored.copy()
    stored.index = pd.Index(key_text(stored, spec), dtype=object)
    exists = new.index.isin(stored.index)
    changed = np.zeros(n, bool)
    if exists.any():
        pos = np.flatnonzero(exists)
        old = stored.reindex(new.index[pos])
        diff = np.zeros(len(pos), bool)
        for col in spec.column_names:
            if col in spec.key:
                continue
            a = new[col].to_numpy(object)[pos]
            b = old[col].to_numpy(object)
            diff |= ~_equal(a, b)
        changed[pos] = diff
    return exists, changed


def _equal(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.fromiter(
        (x == y if (x is not None and y is not None) else (x is None and y is None)
         for x, y in zip(a, b, strict=False)),
        dtype=bool, count=len(a),
    )


def insert_rows(conn: Connection, table: Table, records: list[dict[str, Any]]) -> None:
    for start in range(0, len(records), 50_000):
        conn.execute(table.insert(), records[start:start + 50_000])


def update_rows(
    conn: Connection, table: Table, spec: c.TableSpec, records: list[dict[str, Any]]
) -> None:
    """``UPDATE … SET every column WHERE key = :key`` for each record (executemany)."""
    if not records:
        return
    others = [n for n in spec.column_names if n not in spec.key]
    stmt = (
        update(table)
        .where(and_(*[table.c[k] == bindparam(f"k_{k}") for k in spec.key]))
        .values({n: bindparam(f"v_{n}") for n in others})
    )
    params = [
        {**{f"k_{k}": r[k] for k in spec.key}, **{f"v_{n}": r[n] for n in others}}
        for r in records
    ]
    for start in range(0, len(params), 50_000):
        conn.execute(stmt, params[start:start + 50_000])
