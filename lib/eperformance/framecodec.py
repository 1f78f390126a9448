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


def _encode_column(series: pd.Series, buffers: list[bytes]) -> dict[str, Any]:
    dtype = str(series.dtype)
    if dtype in _NUMERIC:
        arr = np.ascontiguousarray(series.to_numpy())
        buffers.append(arr.tobytes())
        return {"kind": "raw", "dtype": dtype}
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
    codes = codes.astype(np.int32)
    buffers.append(codes.tobytes())
    spec: dict[str, Any] = {"kind": "coded", "dtype": dtype,
                            "uniques": [_tag(v) for v in uniques]}
    if kinds is not None:
        buffers.append(kinds.tobytes())
        spec["missing"] = True
    return spec


def encode_frames(frames: dict[str, pd.DataFrame]) -> bytes:
    """``frames`` (name -> frame with a default index) as compressed bytes."""
    header: dict[str, Any] = {"frames": []}
    buffers: list[bytes] = []
    for name, frame in frames.items():
        if not isinstance(frame.index, pd.RangeIndex) or frame.index.start != 0 \
                or frame.index.step != 1:
            frame = frame.reset_index(drop=True)
        columns = []
        for col in frame.columns:
            spec = _encode_column(frame[col], buffers)
            spec["name"] = str(col)
            columns.append(spec)
        header["frames"].append({"name": name, "rows": len(frame), "columns": columns})
    header["sizes"] = [len(b) for b in buffers]
    head = json.dumps(header, separators=(",", ":")).encode()
    body = b"".join(buffers)
    return MAGIC + zlib.compress(len(head).to_bytes(8, "big") + head + body, 1)


def decode_frames(data: bytes) -> dict[str, pd.DataFrame]:
    """The frames of :func:`encode_frames`; ``ValueError`` for bytes it did not write."""
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

    out: dict[str, pd.DataFrame] = {}
    for fspec in header["frames"]:
        rows = int(fspec["rows"])
        data_cols: dict[str, Any] = {}
        for spec in fspec["columns"]:
            if spec["kind"] == "raw":
                arr = np.frombuffer(take(), dtype=np.dtype(spec["dtype"])).copy()
                if len(arr) != rows:
                    raise ValueError("a column's length does not match its frame")
                data_cols[spec["name"]] = pd.Series(arr, dtype=spec["dtype"])
                continue
            codes = np.frombuffer(take(), dtype=np.int32)
            if len(codes) != rows:
                raise ValueError("a column's length does not match its frame")
            uniques = np.empty(len(spec["uniques"]) + 1, dtype=object)
            for i, (tag, text) in enumerate(spec["uniques"]):
                uniques[i] = _untag(tag, text)
            uniques[-1] = None
            values = uniques[codes]  # code -1: the last slot
            if spec.get("missing"):
                kinds = np.frombuffer(take(), dtype=np.int8)
                values[kinds == _NAT] = pd.NaT
                values[kinds == _NAN] = np.nan
            data_cols[spec["name"]] = pd.Series(values, dtype=spec["dtype"]) \
                if spec["dtype"] != "object" else pd.Series(values, dtype=object)
        frame = pd.DataFrame(data_cols, index=pd.RangeIndex(rows))
        out[fspec["name"]] = frame
    return out
