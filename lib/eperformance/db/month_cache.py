"""The closed months' cache: each month's scoring input, computed once and reused.

A longer period (domain.md §7) is scored from each of its months' assignments, rating
rows and entry aggregates. A closed month's three frames, read for the whole organisation,
are kept in ``month_cache`` (encoded by :mod:`eperformance.framecodec`), so a quarter, a
semester or a year reads each closed month from the database once, not at every run
(docs/periods.md, "Closed months, computed once").

A cached month is used only while all of these still hold, else it is read afresh:

* ``month_versions.version`` of the month is the one it was computed from: every import
  bumps, in its own transaction, the version of each month whose assignments, rating
  rows, entries or decisions it inserted or changed (:func:`bump`, called by ingest);
* its closing time (``settings.yaml``: ``closing_day``, ``timezone``) is the same;
* the code that computed it is the same (:data:`CODE_KEY`: the source of the queries,
  the decision rule, the codec and this module, and the package version).

Writing the cache is best effort, in its own transaction: a login that may only read
(``Access.REPORT``), a full disk or a concurrent writer simply leaves the month uncached.
A change made to the data tables by anything but ``eperf ingest`` is not seen: turn the
cache off (``month_cache: false`` in settings.yaml, or ``eperf score --no-cache``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, delete, select, update
from sqlalchemy.dialects.mysql import insert as mysql_insert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import SQLAlchemyError

from .. import __version__
from ..framecodec import Unsupported, decode_frames, encode_frames
from . import schema as s

log = logging.getLogger(__name__)

FRAMES = ("assignments", "aggregates", "behaviour")
CHUNK = 500
_SOURCES = ("db/queries.py", "db/schema.py", "db/month_cache.py", "decisions.py",
            "framecodec.py", "scores.py")


@lru_cache(maxsize=1)
def code_key() -> str:
    """SHA-256 of what computes a cached month (see the module's docstring): the source of
    the queries, the schema, the decision rule, the codec, this module and the digests
    (``scores``), the package's version and those of the libraries that make the frames."""
    import numpy
    import sqlalchemy

    h = hashlib.sha256(f"{__version__} pandas {pd.__version__} numpy {numpy.__version__} "
                       f"sqlalchemy {sqlalchemy.__version__}".encode())
    root = Path(__file__).resolve().parent.parent
    for name in _SOURCES:
        h.update(name.encode() + b"\0" + (root / name).read_bytes())
    return h.hexdigest()


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


# --------------------------------------------------------------------------- versions
def bump(conn: Connection, months: Iterable[str]) -> list[str]:
    """Add one to the version of each of ``months`` (inside the caller's transaction; an
    upsert, so two imports touching a month for the first time do not collide); returns
    them sorted."""
    mv = s.month_versions
    done = sorted({m for m in months if m})
    now = _utcnow()
    dialect = conn.dialect.name
    for month in done:
        values = {"period": month, "version": 1, "changed_at": now}
        if dialect in ("mysql", "mariadb"):
            my = mysql_insert(mv).values(**values)
            conn.execute(my.on_duplicate_key_update(version=mv.c.version + 1,
                                                    changed_at=my.inserted.changed_at))
        elif dialect == "postgresql":
            pg = pg_insert(mv).values(**values)
            conn.execute(pg.on_conflict_do_update(
                index_elements=[mv.c.period],
                set_={"version": mv.c.version + 1, "changed_at": pg.excluded.changed_at}))
        elif dialect == "sqlite":
            lite = sqlite_insert(mv).values(**values)
            conn.execute(lite.on_conflict_do_update(
                index_elements=[mv.c.period],
                set_={"version": mv.c.version + 1, "changed_at": lite.excluded.changed_at}))
        else:  # pragma: no cover - the three engines above are the supported ones
            res = conn.execute(update(mv).where(mv.c.period == month)
                               .values(version=mv.c.version + 1, changed_at=now))
            if not res.rowcount:
                conn.execute(mv.insert().values(**values))
    return done


def months_of_assignments(conn: Connection, ids: Iterable[Any]) -> set[str]:
    """The months of the stored assignments ``ids``."""
    g = s.assignments
    wanted = sorted({str(i) for i in ids if i is not None})
    out: set[str] = set()
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start:start + CHUNK]
        out.update(r[0] for r in conn.execute(
            select(g.c.period).where(g.c.assignment_id.in_(chunk)).distinct()))
    return out


def months_of_activities(conn: Connection, ids: Iterable[Any]) -> set[str]:
    """The months of the assignments of the stored entries ``ids``."""
    a, g = s.activities, s.assignments
    wanted = sorted({str(i) for i in ids if i is not None})
    out: set[str] = set()
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start:start + CHUNK]
        out.update(r[0] for r in conn.execute(
            select(g.c.period).join(a, a.c.assignment_id == g.c.assignment_id)
            .where(a.c.activity_id.in_(chunk)).distinct()))
    return out


def versions(conn: Connection, months: Iterable[str]) -> dict[str, int]:
    """Month -> its current version (0: never touched by an import since the cache
    exists)."""
    wanted = list(months)
    if not wanted:
        return {}
    mv = s.month_versions
    found = {str(p): v for p, v in conn.execute(select(mv.c.period, mv.c.version)
                                                .where(mv.c.period.in_(wanted)))}
    return {m: int(found.get(m, 0)) for m in wanted}


# --------------------------------------------------------------------------- cache rows
def load(conn: Connection, closings: Mapping[str, dt.datetime],
         current: Mapping[str, int], only: Mapping[str, Iterable[str]] | None = None,
         coded: Iterable[str] = ()) -> dict[str, tuple[dict[str, Any], str]]:
    """Month -> (its three frames, their digest) for each month of ``closings`` whose cached
    row is still valid (``current``: the versions read *before* anything else); ``only``:
    frame -> the columns wanted of it (the digest is that of the whole frames); ``coded``:
    frames left as :class:`~eperformance.framecodec.CodedFrame` (joined later)."""
    if not closings:
        return {}
    mc = s.month_cache
    rows = conn.execute(select(mc.c.period, mc.c.data_version, mc.c.closing_utc,
                               mc.c.code_key).where(mc.c.period.in_(list(closings))))
    valid = [period for period, version, closing, key in rows
             if version == current.get(period, 0) and key == code_key()
             and _naive(closing) == _naive(closings[period])]
    out: dict[str, tuple[dict[str, Any], str]] = {}
    for period in valid:
        payload = conn.execute(select(mc.c.payload).where(mc.c.period == period)).scalar()
        try:
            if payload is None:
                raise ValueError("no payload")
            frames = decode_frames(bytes(payload), only, coded)
            digest = frames.pop("_digest")["digest"].iloc[0]
        except Exception as exc:  # noqa: BLE001 - whatever is wrong with it, read afresh
            log.warning("the cached month %s cannot be read (%s): reading it afresh",
                        period, exc)
            continue
        if set(frames) != set(FRAMES):
            continue
        out[period] = (frames, str(digest))
    return out


def lookup(engine: Engine, closings: Mapping[str, dt.datetime],
           only: Mapping[str, Iterable[str]] | None = None, coded: Iterable[str] = ()
           ) -> tuple[dict[str, int], dict[str, tuple[dict[str, Any], str]]]:
    """The current versions of ``closings``' months and those of them cached and still
    valid (:func:`versions` then :func:`load`), on a connection of their own and best
    effort: a login that may not read the cache tables (granted before they existed)
    scores from the data tables as before."""
    if not closings:
        return {}, {}
    try:
        code_key()
        with engine.connect() as conn:
            current = versions(conn, closings)
            return current, load(conn, closings, current, only, coded)
    except (SQLAlchemyError, OSError) as exc:
        log.info("the closed months' cache cannot be read: %s", str(exc).splitlines()[0])
        return {m: -1 for m in closings}, {}


def current_version(engine: Engine, month: str) -> int:
    """``month``'s version on a connection of its own; -1 when it cannot be read."""
    try:
        with engine.connect() as conn:
            return versions(conn, [month])[month]
    except SQLAlchemyError as exc:
        log.info("the closed months' cache cannot be read: %s", str(exc).splitlines()[0])
        return -1


def store(engine: Engine, month: str, version: int, closing_utc: dt.datetime,
          frames: Mapping[str, pd.DataFrame], digest: str) -> bool:
    """Keep ``month``'s frames (computed from ``version``), best effort: False when they
    were not kept (a read-only login, a value the codec does not store, a race)."""
    try:
        key = code_key()
        payload = encode_frames({**{k: frames[k] for k in FRAMES},
                                 "_digest": pd.DataFrame({"digest": [digest]})})
    except (Unsupported, OSError) as exc:
        log.info("month %s not cached: %s", month, exc)
        return False
    mc = s.month_cache
    try:
        with engine.begin() as conn:
            # a copy computed from a newer version (a concurrent run) is kept: replacing it
            # fails on the key, and this one is simply not kept
            conn.execute(delete(mc).where(mc.c.period == month, mc.c.data_version <= version))
            conn.execute(mc.insert().values(
                period=month, data_version=version, closing_utc=_naive(closing_utc),
                code_key=key, created_at=_utcnow(), payload=payload))
    except SQLAlchemyError as exc:
        log.info("month %s not cached: %s", month, str(exc).splitlines()[0])
        return False
    return True


def clear(engine: Engine) -> int:
    """Drop every cached month; returns how many there were."""
    with engine.begin() as conn:
        return int(conn.execute(delete(s.month_cache)).rowcount or 0)


def _naive(value: Any) -> Any:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value
