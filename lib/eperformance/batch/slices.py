"""The batch's period context, scored once and cut per unit for the warm kernels.

The orchestrator scores the period once (it needs every card's fingerprint anyway). Before
the cards run it writes that context, cut per unit (:func:`eperformance.card.split_context`),
into ``<run folder>/.work/context/``: one pickle per unit, named after the unit code. A
warm kernel rendering a card loads the slice of the employee's unit (the card notebook
already looks the unit up) and keeps only that one, so

* no kernel scores the period again (each used to, after every recycle), and
* a kernel's memory is bounded by the largest unit, not by the organisation.

Every slice carries the run's context key (database, period, scheme, 360 mode, scope and
clock); a kernel uses a slice only when the key matches its own card's, and otherwise (no
folder, no file, another run) computes the context itself, as a one-off card does. The
folder is removed when the run ends. The files hold employee data, like the cards: they
are written with the run folder's permissions (0640 in a 0750 folder).

A slice is a pickle, and unpickling runs code: so every file is signed (HMAC-SHA256) with
a secret drawn for the run and handed to the kernels with the job
(:class:`~.handoff.KernelHandoff`, like ``DATABASE_URL``), never written to disk. A kernel
unpickles only a file whose signature checks; a file planted or altered by anyone who can
write into the run folder is ignored (the kernel computes the context itself).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import pickle
import secrets
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..card import CardsContext
from ..export import atomic_write_bytes
from .runinfo import FILE_MODE

MAGIC = b"eperf-context-slice/1\n"
_MAC_SIZE = hashlib.sha256().digest_size


def new_secret() -> str:
    """A run's signing secret."""
    return secrets.token_hex(32)


def _mac(secret: str, body: bytes | memoryview) -> bytes:
    return hmac.new(secret.encode("utf-8"), body, hashlib.sha256).digest()


def context_key(db_url: str, period: str, scheme: str, use_360: bool, scope: str,
                now: str) -> str:
    """What a slice was computed for (the database URL only as a hash)."""
    payload = json.dumps([hashlib.sha256(db_url.encode()).hexdigest(), period, scheme,
                          bool(use_360), scope, now])
    return hashlib.sha256(payload.encode()).hexdigest()


def slice_name(unit_code: str | None) -> str:
    """The file of a unit's slice (units codes are free text: hashed)."""
    return hashlib.sha256((unit_code or "").encode("utf-8")).hexdigest()[:20] + ".pkl"


def unit_groups(ctx: CardsContext) -> dict[str, list[str]]:
    """Unit code ("" for none) -> the NIPs of the context in that unit."""
    groups: dict[str, list[str]] = {}
    employees = ctx.run.employees
    units = dict(zip(employees["nip"].astype(str), employees["unit_code"], strict=True))
    for nip in ctx.nips:
        unit = units.get(nip)
        groups.setdefault(unit if isinstance(unit, str) else "", []).append(nip)
    return groups


def write_slices(folder: Path, key: str, slices: Mapping[str, CardsContext],
                 secret: str) -> int:
    """Write one signed file per unit slice (``unit -> context``); the number of files."""
    if not secret:
        raise ValueError("a context slice needs the run's secret")
    folder.mkdir(parents=True, exist_ok=True)
    for unit, part in slices.items():
        body = pickle.dumps({"key": key, "unit": unit, "context": part},
                            protocol=pickle.HIGHEST_PROTOCOL)
        atomic_write_bytes(folder / slice_name(unit), MAGIC + _mac(secret, body) + body,
                           FILE_MODE)
    return len(slices)


def remove_slices(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


_LOADED: dict[tuple[str, str, str], Any] = {}  # one slice: (file, key, secret hash) -> ctx


def load_slice(folder: str, unit_code: str | None, key: str, nip: str, secret: str
               ) -> CardsContext | None:
    """The slice of ``unit_code`` when it exists, is signed with ``secret``, was written
    for ``key`` and holds ``nip``; else ``None`` (the caller computes the context)."""
    path = Path(folder) / slice_name(unit_code)
    # the secret is part of the cache key: a context is served only to the run it was
    # verified for
    cache_key = (str(path), key, hashlib.sha256(secret.encode("utf-8")).hexdigest())
    ctx = _LOADED.get(cache_key)
    if ctx is None:
        if not secret:
            return None
        try:
            raw = path.read_bytes()
        except OSError:
            return None
        head = len(MAGIC) + _MAC_SIZE
        body = memoryview(raw)[head:]
        if (raw[:len(MAGIC)] != MAGIC
                or not hmac.compare_digest(raw[len(MAGIC):head], _mac(secret, body))):
            return None  # not written by this run (silently: a kernel's log is the card)
        try:
            data = pickle.loads(body)  # noqa: S301 - signed by this run's orchestrator
        except (pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            return None
        if not isinstance(data, dict) or data.get("key") != key:
            return None
        ctx = data["context"]
        _LOADED.clear()
        _LOADED[cache_key] = ctx
    return ctx if nip in ctx.scores else None


def drop_loaded() -> None:
    _LOADED.clear()
