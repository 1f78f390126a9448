"""The run ledger in the workbook database (table ``runs``)."""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
import os
import socket
from typing import Any

import pandas as pd
from sqlalchemy import Engine, insert, select, update

from ..db import schema as s


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def stored_key(key: str) -> str:
    """What ``runs.run_key`` holds: the SHA-256 (64 hex digits) of the run key's JSON text
    (the text itself, ~180 characters, is in the run's manifest.json and ``parameters``)."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def start(engine: Engine, *, run_id: str, kind: str, key: str, period: str, scope: str,
          scheme: str, scheme_version: str, parameters: dict[str, Any], output_dir: str,
          cards_total: int) -> None:
    """Record a run as ``running`` (or mark a resumed one running again)."""
    values = dict(kind=kind, run_key=stored_key(key), period=period, scope=scope,
                  scheme=scheme, scheme_version=scheme_version,
                  parameters=json.dumps(parameters, sort_keys=True),
                  username=getpass.getuser()[:128], hostname=socket.gethostname()[:255],
                  pid=os.getpid(),
                  started_at=_now(), finished_at=None, status="running",
                  cards_total=cards_total, output_dir=output_dir)
    with engine.begin() as conn:
        exists = conn.execute(select(s.runs.c.run_id).where(s.runs.c.run_id == run_id)).first()
        if exists:
            conn.execute(update(s.runs).where(s.runs.c.run_id == run_id).values(**values))
        else:
            conn.execute(insert(s.runs).values(run_id=run_id, cards_ok=0, cards_failed=0,
                                               cards_skipped=0, **values))


def finish(engine: Engine, run_id: str, *, status: str, ok: int, failed: int, skipped: int,
           fingerprint: str, errors: list[dict[str, Any]]) -> None:
    with engine.begin() as conn:
        conn.execute(update(s.runs).where(s.runs.c.run_id == run_id).values(
            status=status, finished_at=_now(), cards_ok=ok, cards_failed=failed,
            cards_skipped=skipped, data_fingerprint=fingerprint,
            errors=json.dumps(errors, ensure_ascii=False) if errors else None))


def status_of(engine: Engine, run_id: str) -> str | None:
    with engine.connect() as conn:
        return conn.execute(select(s.runs.c.status).where(s.runs.c.run_id == run_id)).scalar()


def list_runs(engine: Engine, limit: int = 20, period: str | None = None) -> pd.DataFrame:
    r = s.runs
    stmt = select(r.c.run_id, r.c.kind, r.c.period, r.c.scope, r.c.scheme, r.c.status,
                  r.c.cards_total, r.c.cards_ok, r.c.cards_failed, r.c.cards_skipped,
                  r.c.username, r.c.started_at, r.c.finished_at)
    if period:
        stmt = stmt.where(r.c.period == period)
    stmt = stmt.order_by(r.c.started_at.desc(), r.c.run_id.desc()).limit(limit)
    with engine.connect() as conn:
        result = conn.execute(stmt)
        return pd.DataFrame.from_records([tuple(x) for x in result], columns=list(result.keys()))
