"""Run keys, run ids and run folders (design.md, Interfaces, "Outputs")."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from ..runparams import RUN_ID

DIR_MODE = 0o750
FILE_MODE = 0o640


def run_key(period: str, scope: str, scheme: str, scheme_version: str, use_360: bool,
            lang: str, formats: tuple[str, ...]) -> str:
    """The JSON (sorted keys) of what makes two runs the same run."""
    return json.dumps({"period": period, "scope": scope, "scheme": scheme,
                       "scheme_version": scheme_version, "use_360": use_360, "lang": lang,
                       "formats": list(formats)}, sort_keys=True)


def key_hash(key: str) -> str:
    """The first 6 hex digits of the SHA-256 of the run key."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:6]


def new_run_id(key: str, now: dt.datetime) -> str:
    """``YYYYMMDDTHHMMSSZ-<6 hex of the run key>``."""
    return f"{now.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}-{key_hash(key)}"


def scope_dir(outputs: Path, period: str, scope: str) -> Path:
    return outputs / period / scope


def runs_with_key(scope_folder: Path, key: str) -> list[Path]:
    """Run folders of ``key`` under the scope folder, newest first."""
    if not scope_folder.is_dir():
        return []
    suffix = "-" + key_hash(key)
    found = [p for p in scope_folder.iterdir()
             if p.is_dir() and not p.is_symlink() and RUN_ID.match(p.name)
             and p.name.endswith(suffix)]
    return sorted(found, key=lambda p: p.name, reverse=True)


def make_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, DIR_MODE)
    return path


def link_latest(scope_folder: Path, run_folder: Path) -> None:
    """Point ``<scope>/latest`` at ``run_folder`` (relative link, replaced atomically)."""
    tmp = scope_folder / f".latest.{os.getpid()}"
    tmp.unlink(missing_ok=True)
    os.symlink(run_folder.name, tmp)
    os.replace(tmp, scope_folder / "latest")


def read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
