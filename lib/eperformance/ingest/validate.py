"""Check every contract rule on a raw table (data-contract.md, "Rules every import enforces").

The steps, in order, for one table:

1. ``parse``: each column's values (blank → default; kinds, ranges, lengths); a column
   absent from the header is *not given*: a row whose key is stored takes the stored
   value of every absent column (new rows take the default), so every later step sees
   the effective row;
2. row rules (``end_time > start_time``, ``due_date ≥ start_date``, the employees' NIP in
   full, ...);
3. duplicates: the first row of a key counts, later ones are rejected;
4. references to other tables, resolved against the rows accepted so far in this import
   and then the database; a reference to a row rejected in this import is a cascade;
5. the hierarchies (supervisors, parent units): no self-reference, no cycle.

A row keeps every problem found by the step that rejected it; later steps only look at
rows still valid.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection

from .. import contract as c
from ..db.schema import CONTRACT_TABLES
from ..nip import nip_problem
from . import values as v
from .dbio import fetch_rows
from .readers import RawTable

NOUNS = {
    "units": "unit",
    "employees": "employee",
    "activity_types": "activity type",
    "assignments": "assignment",
    "activities": "activity",
}
HIERARCHY = {
    "units": ("parent_code", "unit parent cycle", "parent_code is the unit's own code"),
    "employees": ("supervisor_nip", "supervision cycle",
                  "supervisor_nip is the employee's own NIP: nobody supervises themself"),
}


@dataclass
class Checked:
    """A table after the checks: canonical values, keys and the reasons of rejected rows."""

    raw: RawTable
    frame: pd.DataFrame  # spec columns, canonical values (object dtype), one row per record
    keys: np.ndarray  # object: the key as text (parts joined by '|'), None if unparseable
    reasons: np.ndarray  # object: None (valid so far) or the reason in plain words
    first: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))  # first row of key

    @property
    def spec(self) -> c.TableSpec:
        return self.raw.spec

    @property
    def ok(self) -> np.ndarray:
        return ~given(self.reasons)

    def reject(self, i: int | np.integer, reason: str) -> None:
        old = self.reasons[i]
        self.reasons[i] = reason if old is None else f"{old}; {reason}"


class Context:
    """What the import knows so far: accepted and rejected keys per table, and the database."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.accepted: dict[str, pd.DataFrame] = {}  # table -> accepted rows, index = key
        self.rejected: dict[str, dict[str, tuple[int, str]]] = {}  # key -> (line, file)
        self._db: dict[str, dict[str, dict[str, Any]]] = {}  # table -> key -> stored row
        self._absent: dict[str, set[str]] = {}

    # ----------------------------------------------------------------- database rows
    def stored(self, table: str, keys: np.ndarray | list[str]) -> dict[str, dict[str, Any]]:
        """Stored rows of single-key ``table`` among ``keys`` (fetched once, then cached)."""
        cache = self._db.setdefault(table, {})
        absent = self._absent.setdefault(table, set())
        wanted = [k for k in pd.unique(np.asarray(keys, dtype=object))
                  if k not in cache and k not in absent]
        if wanted:
            spec = c.BY_NAME[table]
            rows = fetch_rows(self.conn, CONTRACT_TABLES[table], spec.key,
                              [(k,) for k in wanted])
            keycol = spec.key[0]
            for row in rows.to_dict("records"):
                cache[row[keycol]] = row
            absent.update(k for k in wanted if k not in cache)
        return {k: cache[k] for k in keys if k in cache}

    def lookup(self, table: str, column: str, keys: np.ndarray) -> dict[str, Any]:
        """``column`` of each key that resolves: accepted in this import, else stored."""
        out: dict[str, Any] = {}
        acc = self.accepted.get(table)
        uniq = pd.unique(np.asarray(keys, dtype=object))
        rest = uniq
        if acc is not None and len(acc):
            present = pd.Index(uniq).isin(acc.index)
            hit = uniq[present]
            out.update(zip(hit, acc.loc[hit, column].to_numpy(object), strict=False))
            rest = uniq[~present]
        if len(rest):
            for k, row in self.stored(table, rest).items():
                out[k] = row[column]
        return out

    def register(self, checked: Checked) -> None:
        ok = checked.ok
        spec = checked.spec
        frame = checked.frame.loc[ok].copy()
        frame.index = pd.Index(checked.keys[ok], dtype=object)
        self.accepted[spec.name] = frame
        rej = self.rejected.setdefault(spec.name, {})
        lines = checked.raw.lines
        for i in np.flatnonzero(~ok & checked.first):
            rej.setdefault(checked.keys[i], (int(lines[i]), checked.raw.file))
        if len(spec.key) == 1:  # a malformed row still names its key (for cascades)
            keycol = spec.key[0]
            nip = spec.column(keycol).kind == "nip"
            for m in checked.raw.malformed:
                text = m.values.get(keycol, "")
                key = "".join(text.split()) if nip else text.strip()
                if key and key not in frame.index:
                    rej.setdefault(key, (m.line, checked.raw.file))


def given(values: np.ndarray) -> np.ndarray:
    """Elementwise ``value is not None`` of an object array."""
    return np.fromiter((x is not None for x in values), dtype=bool, count=len(values))


def check_table(raw: RawTable, ctx: Context) -> Checked:
    """Run every rule on ``raw``; the result says which rows are valid and why not."""
    checked = parse(raw)
    _merge_stored(checked, ctx)
    _row_rules(checked)
    _duplicates(checked)
    _references(checked, ctx)
    if checked.spec.name in HIERARCHY:
        _hierarchy(checked, ctx)
    return checked


# --------------------------------------------------------------------------- 1. parse


def parse(raw: RawTable) -> Checked:
    spec = raw.spec
    n = raw.rows
    reasons = np.full(n, None, dtype=object)
    cols: dict[str, np.ndarray] = {}
    for col in spec.columns:
        values, problems = v.parse_column(spec, col, raw.data.get(col.name), n)
        cols[col.name] = values
        for i, reason in problems:
            reasons[i] = reason if reasons[i] is None else f"{reasons[i]}; {reason}"
    frame = pd.DataFrame(cols, dtype=object)
    frame.index = pd.RangeIndex(n)
    keys = _key_text(frame, spec)
    return Checked(raw, frame, keys, reasons)


def _key_text(frame: pd.DataFrame, spec: c.TableSpec) -> np.ndarray:
    parts = [frame[k].to_numpy(object) for k in spec.key]
    if len(parts) == 1:
        return parts[0].copy()
    out = np.empty(len(frame), dtype=object)
    for i, vals in enumerate(zip(*parts, strict=False)):
        out[i] = None if any(p is None for p in vals) else "|".join(map(key_part, vals))
    return out


def _merge_stored(ck: Checked, ctx: Context) -> None:
    """Absent columns keep the stored values of the rows that update a stored key."""
    spec = ck.spec
    absent = [col.name for col in spec.columns if col.name not in ck.raw.data]
    idx = np.flatnonzero(given(ck.keys))
    if not absent or not len(idx):
        return
    f = ck.frame
    wanted = list(zip(*(f[k].to_numpy(object)[idx] for k in spec.key), strict=True))
    stored = fetch_rows(ctx.conn, CONTRACT_TABLES[spec.name], spec.key, wanted)
    if not len(stored):
        return
    pos = pd.Index(_key_text(stored, spec), dtype=object).get_indexer(
        pd.Index(ck.keys[idx], dtype=object))
    hit = pos >= 0
    rows, src = idx[hit], pos[hit]
    for name in absent:
        merged = f[name].to_numpy(object).copy()
        merged[rows] = stored[name].to_numpy(object)[src]
        f[name] = pd.Series(merged, index=f.index, dtype=object)


def key_part(value: Any) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


# --------------------------------------------------------------------------- 2. row rules


def _row_rules(ck: Checked) -> None:
    name = ck.spec.name
    f = ck.frame
    if name == "employees":
        _employee_nips(ck)
        _functional_level(ck)
    elif name == "assignments":
        start, due, period = (f[k].to_numpy(object) for k in ("start_date", "due_date", "period"))
        last: dict[str, Any] = {}
        for i in range(len(f)):
            s, d, p = start[i], due[i], period[i]
            if s is not None and d is not None and d < s:
                ck.reject(i, f"due_date {d.isoformat()} is before start_date {s.isoformat()}")
            if s is not None and p is not None:
                end = last.get(p) or last.setdefault(p, v.period_last_day(p))
                if s > end:
                    ck.reject(i, f"start_date {s.isoformat()} is after the last day of "
                                 f"period {p} ({end.isoformat()})")
    elif name == "activities":
        _ordered(ck, "start_time", "end_time", strict=True,
                 words="end_time {b} is not after start_time {a}")
    elif name == "attendance":
        _ordered(ck, "check_in", "check_out", strict=False,
                 words="check_out {b} is before check_in {a}")


def _ordered(ck: Checked, first: str, second: str, *, strict: bool, words: str) -> None:
    a = ck.frame[first].to_numpy(object)
    b = ck.frame[second].to_numpy(object)
    both = given(a) & given(b)
    idx = np.flatnonzero(both)
    if not len(idx):
        return
    bad = (b[idx] <= a[idx]) if strict else (b[idx] < a[idx])
    for i in idx[bad.astype(bool)]:
        ck.reject(i, words.format(a=_t(a[i]), b=_t(b[i])))


def _t(value: Any) -> str:
    return value.strftime("%H:%M:%S") if value.second else value.strftime("%H:%M")


def _employee_nips(ck: Checked) -> None:
    """The employees key: the full NIP rules for the row's employment (``nip.py``)."""
    nips = ck.frame["nip"].to_numpy(object)
    emp = ck.frame["employment"].to_numpy(object)
    cache: dict[tuple[str, str], str | None] = {}
    for i in np.flatnonzero(given(nips)):
        pair = (nips[i], "pns" if emp[i] in (None, "cpns") else emp[i])  # cpns: pns rules
        if pair not in cache:
            cache[pair] = nip_problem(*pair)
        problem = cache[pair]
        if problem:
            text = v._strip_nip_prefix(problem, nips[i])
            ck.reject(i, f"nip {v.show(nips[i])} {text}")


def _functional_level(ck: Checked) -> None:
    """A functional_level is only given for a ``fungsional`` post."""
    level = ck.frame["functional_level"].to_numpy(object)
    post = ck.frame["position_type"].to_numpy(object)
    stored = "functional_level" not in ck.raw.data
    for i in np.flatnonzero(given(level) & given(post)):
        if post[i] != c.FUNCTIONAL_POST:
            where = " (the stored value: the file has no functional_level column)" \
                if stored else ""
            ck.reject(i, f"functional_level {level[i]}{where} is only for "
                         f"{c.FUNCTIONAL_POST} posts, not {post[i]}")


# --------------------------------------------------------------------------- 3. duplicates


def _duplicates(ck: Checked) -> None:
    keys = pd.Series(ck.keys, dtype=object)
    has = keys.notna().to_numpy()
    dup = keys.duplicated(keep="first").to_numpy() & has
    ck.first = has & ~dup
    if not dup.any():
        return
    lines = ck.raw.lines
    firsts: dict[str, int] = {}
    for i in np.flatnonzero(ck.first):
        firsts[ck.keys[i]] = int(lines[i])
    label = "|".join(ck.spec.key)
    for i in np.flatnonzero(dup):
        # a duplicate is rejected for that alone
        ck.reasons[i] = (f"duplicate {label} {v.show(ck.keys[i])}: the first row "
                         f"(line {firsts[ck.keys[i]]}) counts")


# --------------------------------------------------------------------------- 4. references


def _references(ck: Checked, ctx: Context) -> None:
    spec = ck.spec
    for column, target, _tcol in spec.references:
        if target == spec.name:
            continue  # a hierarchy: checked in step 5
        _resolve(ck, ctx, column, target)
    if spec.name == "activities":
        _same_nip(ck, ctx)
    elif spec.name == "verifications":
        _decided_after_entry(ck, ctx)


def _resolve(ck: Checked, ctx: Context, column: str, target: str) -> None:
    vals = ck.frame[column].to_numpy(object)
    idx = np.flatnonzero(ck.ok & given(vals))
    if not len(idx):
        return
    wanted = vals[idx]
    acc = ctx.accepted.get(target)
    known = pd.Index(wanted).isin(acc.index) if acc is not None else np.zeros(len(idx), bool)
    rest = idx[~known]
    if not len(rest):
        return
    stored = ctx.stored(target, vals[rest])
    rejected = ctx.rejected.get(target, {})
    noun = NOUNS.get(target, target)
    for i in rest:
        value = vals[i]
        if value in stored:
            continue
        if value in rejected:
            line, file = rejected[value]
            ck.reject(i, f"{column} {value} was rejected (line {line} of {file})")
        else:
            ck.reject(i, f"{column} {value} is not a known {noun} "
                         f"(neither in this import nor in the database)")


def _same_nip(ck: Checked, ctx: Context) -> None:
    """``activities.assignment_id`` must be an assignment of the activity's own NIP."""
    aid = ck.frame["assignment_id"].to_numpy(object)
    nip = ck.frame["nip"].to_numpy(object)
    idx = np.flatnonzero(ck.ok & given(aid))
    if not len(idx):
        return
    owner = ctx.lookup("assignments", "nip", aid[idx])
    owners = np.array([owner.get(a) for a in aid[idx]], dtype=object)
    for i in idx[np.not_equal(owners, nip[idx])]:
        ck.reject(i, f"assignment_id {aid[i]} is an assignment of NIP {owner.get(aid[i])}, "
                     f"not of this entry's NIP {nip[i]}")


def _decided_after_entry(ck: Checked, ctx: Context) -> None:
    """A decision dated (Asia/Jakarta) before its entry's date is rejected."""
    act = ck.frame["activity_id"].to_numpy(object)
    at = ck.frame["decided_at"].to_numpy(object)
    idx = np.flatnonzero(ck.ok)
    if not len(idx):
        return
    entry = ctx.lookup("activities", "date", act[idx])
    local: dict[Any, Any] = {}
    for i in idx:
        day = entry.get(act[i])
        if day is None:
            continue
        ts = at[i]
        d = local.get(ts) or local.setdefault(ts, v.jakarta_date(ts))
        if d < day:
            ck.reject(i, f"decided_at {d.isoformat()} (Asia/Jakarta) is before the entry's "
                         f"date {day.isoformat()} (activity_id {act[i]})")


# --------------------------------------------------------------------------- 5. hierarchy


def _hierarchy(ck: Checked, ctx: Context) -> None:
    """No self-reference and no cycle, over the stored rows and this import's rows."""
    name = ck.spec.name
    column, cycle_label, self_words = HIERARCHY[name]
    keycol = ck.spec.key[0]
    keys = ck.keys
    parent = ck.frame[column].to_numpy(object)
    lines = ck.raw.lines
    for i in np.flatnonzero(ck.ok & given(parent) & np.equal(parent, keys)):
        ck.reject(i, self_words)

    stored_rows = fetch_rows(ctx.conn, CONTRACT_TABLES[name], (keycol,), None,
                             columns=(keycol, column))
    stored: dict[str, Any] = dict(
        zip(stored_rows[keycol], stored_rows[column], strict=True)
    )
    noun = NOUNS[name]
    while True:
        ok = ck.ok & ck.first
        cand = np.flatnonzero(ok)
        mine = {keys[i]: parent[i] for i in cand}
        rejected = {keys[i]: int(lines[i]) for i in np.flatnonzero(~ok & ck.first)}
        changed = False
        for i in cand:
            p = parent[i]
            if p is None or p in mine or p in stored:
                continue
            if p in rejected:
                ck.reject(i, f"{column} {p} was rejected (line {rejected[p]} of {ck.raw.file})")
            else:
                ck.reject(i, f"{column} {p} is not a known {noun} "
                             f"(neither in this import nor in the database)")
            changed = True
        if changed:
            continue
        graph = dict(stored)
        graph.update(mine)
        cycles = _cycles(graph, mine)
        if not cycles:
            break
        where = {keys[i]: i for i in cand}
        for cycle in cycles:
            shown = cycle + [cycle[0]]
            if len(shown) > 7:
                shown = shown[:3] + ["…"] + shown[-3:]
            words = f"{cycle_label}: {' → '.join(map(str, shown))}"
            for node in cycle:
                if node in where:
                    ck.reject(where[node], words)


def _cycles(graph: dict[str, str | None], starts: dict[str, Any]) -> list[list[str]]:
    """The cycles reachable from ``starts`` in a graph of node → parent (one parent each)."""
    done: set[str] = set()
    cycles: list[list[str]] = []
    for start in starts:
        if start in done:
            continue
        path: list[str] = []
        pos: dict[str, int] = {}
        node: str | None = start
        while node is not None and node in graph and node not in done and node not in pos:
            pos[node] = len(path)
            path.append(node)
            node = graph[node]
        if node is not None and node in pos:
            cycles.append(path[pos[node]:])
        done.update(path)
    return cycles
