"""Run keys, run ids and run folders (docs/outputs.md)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..home import outputs_dir
from ..runparams import RUN_ID
from ..safefs import DIR_MODE, FILE_MODE, read_nofollow, safe_makedirs

__all__ = ["DIR_MODE", "FILE_MODE", "key_hash", "link_latest", "make_dir", "new_run_id",
           "read_json", "run_key", "runs_with_key", "scope_dir"]


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


def make_dir(path: Path, base: Path | None = None) -> Path:
    """Create ``path`` under ``base`` (default: the home's ``outputs/``) without following
    a link on the way (``safefs.safe_makedirs``); a new folder gets mode 0750."""
    return safe_makedirs(path, outputs_dir() if base is None else base, DIR_MODE)


def link_latest(scope_folder: Path, run_folder: Path) -> None:
    """Point ``<scope>/latest`` at ``run_folder`` (relative link, replaced atomically)."""
    tmp = scope_folder / f".latest.{os.getpid()}"
    tmp.unlink(missing_ok=True)
    os.symlink(run_folder.name, tmp)
    os.replace(tmp, scope_folder / "latest")


def read_json(path: Path) -> Any:
    """A JSON file of ours, or ``None`` (missing, unreadable, a link, not JSON)."""
    try:
        data = read_nofollow(path)
        return None if data is None else json.loads(data.decode("utf-8"))
    except (OSError, ValueError):
        return None
    except UsageError:  # a planted link or hard link: not a file of ours
        return None
