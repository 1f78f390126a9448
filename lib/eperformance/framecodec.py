"""Frames to bytes and back, exactly and safely (the closed months' cache, docs/periods.md).

A frame is stored column by column: numbers and booleans as their raw bytes; text columns
and object columns (dates, times, timestamps, decimals) as the codes of their distinct
values plus those values as tagged text; missing values keep their kind (``None``,
``NaT`` or NaN). Decoding rebuilds the same dtypes, the same Python types and the same
missing-value objects, so a decoded frame scores exactly like the one encoded. No pickle:
the bytes come from a database other logins may write, so decoding only ever builds
numbers, strings, dates, times, timestamps and decimals. A value of any other type makes
:func:`encode_frames` raise :class:`Unsupported` (the caller simply does not cache).
"""

from __future__ import annotations

import datetime as dt
import json
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

MAGIC = b"EPFC1\n"
_NUMERIC = {"float64", "int64", "bool", "int32", "float32", "int8", "int16", "uint8"}
# missing-value kinds of object and text columns
_VALUE, _NONE, _NAT, _NAN = 0, 1, 2, 3


class Unsupported(ValueError):
    """A column holds a value the codec does not store (the frame is not cached)."""


def _tag(v: Any) -> list[str]:
    t = type(v)
    if t is str:
        return ["s", v]
    if t is bool or t is np.bool_:
        return ["b", "1" if v else "0"]
    if t is int or isinstance(v, np.integer):
        return ["i", str(int(v))]
    if t is float or isinstance(v, np.floating):
        return ["f", float(v).hex()]
    if t is dt.datetime:
        if v.tzinfo is not None:
            raise Unsupported("aware timestamp")
        return ["dt", v.isoformat()]
    if t is dt.date:
        return ["d", v.isoformat()]
    if t is dt.time:
        if v.tzinfo is not None:
            raise Unsupported("aware time")
        return ["t", v.isoformat()]
    if t is Decimal:
        return ["D", str(v)]
    if t is pd.Timestamp:
        if v.tzinfo is not None:
            raise Unsupported("aware timestamp")
        return ["T", v.isoformat()]
    raise Unsupported(f"a value of type {t.__name__}")


def _untag(tag: str, text: str) -> Any:
    if tag == "s":
        return text
    if tag == "b":
        return text == "1"
    if tag == "i":
        return int(text)
    if tag == "f":
        return float.fromhex(text)
    if tag == "dt":
        return dt.datetime.fromisoformat(text)
    if tag == "d":
        return dt.date.fromisoformat(text)
    if tag == "t":
        return dt.time.fromisoformat(text)
    if tag == "D":
        return Decimal(text)
    if tag == "T":
        return pd.Timestamp(text)
    raise ValueError(f"unknown value tag {tag!r}")


def _missing_kinds(values: np.ndarray, missing: np.ndarray) -> np.ndarray:
    kinds = np.zeros(len(values), np.int8)
    for i in np.flatnonzero(missing):
        v = values[i]
        if v is None:
            kinds[i] = _NONE
        elif v is pd.NaT:
            kinds[i] = _NAT
        elif isinstance(v, float) and v != v:
            kinds[i] = _NAN
        else:
            raise Unsupported(f"a missing value of type {type(v).__name__}")
    return kinds


@dataclass
class CodedColumn:
    """One column as stored: raw values, or codes into tagged distinct values."""

    name: str
    dtype: str
    data: np.ndarray  # the values (raw) or the int32 codes (-1: missing)
    uniques: list[list[str]] | None = None  # tagged distinct values (coded columns)
    kinds: np.ndarray | None = None  # int8 missing-value kinds, when any is missing

    def values(self, uniques: np.ndarray | None = None) -> pd.Series:
        """The column as a Series (``uniques``: the decoded distinct values, if known)."""
        if self.uniques is None:
            return pd.Series(self.data, dtype=self.dtype, copy=False)
        if uniques is None:
            uniques = _decode_uniques(self.uniques)
        values = uniques[self.data]  # code -1: the last slot, None
        if self.kinds is not None:
            values[self.kinds == _NAT] = pd.NaT
            values[self.kinds == _NAN] = np.nan
        if self.dtype == "object":
            return pd.Series(values, dtype=object, copy=False)
        return pd.Series(values, dtype=self.dtype)


@dataclass
class CodedFrame:
    """A frame as stored, not yet built (several are joined by :func:`join_coded`)."""

    rows: int
    columns: list[CodedColumn] = field(default_factory=list)

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame({c.name: c.values() for c in self.columns},
                            index=pd.RangeIndex(self.rows), copy=False)


def _decode_uniques(tagged: list[list[str]]) -> np.ndarray:
    uniques = np.empty(len(tagged) + 1, dtype=object)
    for i, (tag, text) in enumerate(tagged):
        uniques[i] = _untag(tag, text)
    uniques[-1] = None
    return uniques


def _code_column(name: str, series: pd.Series) -> CodedColumn:
    dtype = str(series.dtype)
    if dtype in _NUMERIC:
        return CodedColumn(name, dtype, np.ascontiguousarray(series.to_numpy()))
    if dtype not in ("object", "str", "string"):
        raise Unsupported(f"a column of dtype {dtype}")
    values = series.to_numpy(dtype=object, na_value=None) if dtype == "string" \
        else series.to_numpy(dtype=object)
    missing = np.asarray(pd.isna(series), dtype=bool)
    kinds = _missing_kinds(values, missing) if missing.any() else None
    if dtype == "object":
        # keyed by type and repr: values that compare equal but differ (1, 1.0 and True;
        # Decimal("1.50") and Decimal("1.5")) keep their own type and digits
        keys = np.array([None if miss else f"{type(v).__name__}\x00{v!r}"
                         for v, miss in zip(values, missing, strict=True)], dtype=object)
        codes, _ = pd.factorize(pd.Series(keys, dtype=object), use_na_sentinel=True)
        seen = codes >= 0
        _, first = np.unique(codes[seen], return_index=True)
        uniques = values[np.flatnonzero(seen)[first]]
    else:
        codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
    return CodedColumn(name, dtype, codes.astype(np.int32), [_tag(v) for v in uniques], kinds)


def code_frame(frame: pd.DataFrame) -> CodedFrame:
    """``frame`` (its index ignored) as a :class:`CodedFrame`, exactly as
    :func:`encode_frames` stores it: joined with decoded ones, it gives the same frame."""
    return CodedFrame(len(frame), [_code_column(str(c), frame[c]) for c in frame.columns])


def encode_frames(frames: dict[str, pd.DataFrame]) -> bytes:
    """``frames`` (name -> frame; its index is not kept) as compressed bytes."""
    header: dict[str, Any] = {"frames": []}
    buffers: list[bytes] = []
    for name, frame in frames.items():
        coded = code_frame(frame)
        columns = []
        for col in coded.columns:
            buffers.append(col.data.tobytes())
            spec: dict[str, Any] = {"name": col.name, "dtype": col.dtype,
                                    "kind": "raw" if col.uniques is None else "coded"}
            if col.uniques is not None:
                spec["uniques"] = col.uniques
            if col.kinds is not None:
                buffers.append(col.kinds.tobytes())
                spec["missing"] = True
            columns.append(spec)
        header["frames"].append({"name": name, "rows": coded.rows, "columns": columns})
    header["sizes"] = [len(b) for b in buffers]
    head = json.dumps(header, separators=(",", ":")).encode()
    body = b"".join(buffers)
    return MAGIC + zlib.compress(len(head).to_bytes(8, "big") + head + body, 1)


def _category(col: CodedColumn) -> pd.Categorical:
    """A coded text column as ``category``: the distinct values sorted, missing ones
    (any kind) missing."""
    assert col.uniques is not None
    texts = [text for _, text in col.uniques]
    order = sorted(range(len(texts)), key=texts.__getitem__)
    rank = np.empty(len(texts) + 1, dtype=np.int32)
    rank[order] = np.arange(len(order), dtype=np.int32)
    rank[-1] = -1
    codes = rank[col.data]  # code -1: the last slot, missing
    if col.kinds is not None:
        codes[col.kinds != _VALUE] = -1
    return pd.Categorical.from_codes(
        codes, categories=pd.Index([texts[i] for i in order], dtype=col.dtype))


def join_coded(parts: list[CodedFrame], categorical: Iterable[str] = ()) -> pd.DataFrame:
    """The parts' rows as one frame, in order: what ``pd.concat`` of the built parts (the
    empty ones left out, ``ignore_index``) gives, each column built once for all the parts
    (a year's rating rows are never held as twelve frames and their join at once).

    ``categorical``: text columns built as ``category`` (categories sorted, missing values
    missing) instead: the same values, a small code per row."""
    as_category = set(categorical)
    full = [p for p in parts if p.rows] or parts[:1]
    if not full:
        return pd.DataFrame()
    first = full[0]
    shape = [(c.name, c.dtype, c.uniques is None) for c in first.columns]
    if any([(c.name, c.dtype, c.uniques is None) for c in p.columns] != shape
           for p in full[1:]):
        whole = pd.concat([p.frame() for p in full], ignore_index=True)
        for name in as_category & set(whole.columns):
            if str(whole[name].dtype) in ("str", "string"):
                whole[name] = _category(_code_column(name, whole[name]))
        return whole
    out: dict[str, pd.Series] = {}
    for j, col in enumerate(first.columns):
        cols = [p.columns[j] for p in full]
        if col.uniques is None:
            out[col.name] = pd.Series(np.concatenate([c.data for c in cols]), dtype=col.dtype)
            continue
        index: dict[tuple[str, ...], int] = {}
        remapped = []
        for c in cols:
            assert c.uniques is not None
            mapping = np.empty(len(c.uniques) + 1, dtype=np.int32)
            for i, u in enumerate(c.uniques):
                mapping[i] = index.setdefault(tuple(u), len(index))
            mapping[-1] = -1
            remapped.append(mapping[c.data])
        kinds = None
        if any(c.kinds is not None for c in cols):
            kinds = np.concatenate([c.kinds if c.kinds is not None
                                    else np.zeros(len(c.data), np.int8) for c in cols])
        joined = CodedColumn(col.name, col.dtype, np.concatenate(remapped),
                             [list(k) for k in index], kinds)
        del remapped
        out[col.name] = _category(joined) if col.name in as_category \
            and col.dtype in ("str", "string") and all(tag == "s" for tag, _ in index) \
            else joined.values()
    return pd.DataFrame(out, index=pd.RangeIndex(sum(p.rows for p in full)), copy=False)


def decode_frames(data: bytes, only: Mapping[str, Iterable[str]] | None = None,
                  coded: Iterable[str] = ()) -> dict[str, Any]:
    """The frames of :func:`encode_frames`; ``ValueError`` for bytes it did not write.
    ``only``: frame name -> the columns wanted of it (the others are skipped, not built);
    ``coded``: frames returned as a :class:`CodedFrame` (not built)."""
    wanted = {k: set(v) for k, v in (only or {}).items()}
    as_coded = set(coded)
    if not data.startswith(MAGIC):
        raise ValueError("not an encoded frame set")
    raw = zlib.decompress(data[len(MAGIC):])
    size = int.from_bytes(raw[:8], "big")
    header = json.loads(raw[8:8 + size])
    pos = 8 + size
    sizes = iter(header["sizes"])

    def take() -> bytes:
        nonlocal pos
        n = next(sizes)
        chunk = raw[pos:pos + n]
        pos += n
        return chunk

    out: dict[str, Any] = {}
    for fspec in header["frames"]:
        rows = int(fspec["rows"])
        frame = CodedFrame(rows)
        keep = wanted.get(fspec["name"])
        for spec in fspec["columns"]:
            if keep is not None and spec["name"] not in keep:
                take()
                if spec.get("missing"):
                    take()
                continue
            if spec["kind"] == "raw":
                col = CodedColumn(spec["name"], spec["dtype"],
                                  np.frombuffer(take(), dtype=np.dtype(spec["dtype"])).copy())
            else:
                col = CodedColumn(spec["name"], spec["dtype"],
                                  np.frombuffer(take(), dtype=np.int32), spec["uniques"])
                if spec.get("missing"):
                    col.kinds = np.frombuffer(take(), dtype=np.int8)
            if len(col.data) != rows or (col.kinds is not None and len(col.kinds) != rows):
                raise ValueError("a column's length does not match its frame")
            frame.columns.append(col)
        out[fspec["name"]] = frame if fspec["name"] in as_coded else frame.frame()
    return out
