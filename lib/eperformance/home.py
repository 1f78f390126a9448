"""Project home and database URL resolution (README.md, "Choosing the database").

* Project home: ``EPERF_HOME`` if set, else the repository root derived from this file.
* Database URL precedence: ``--db`` > ``DATABASE_URL`` in the environment > ``DATABASE_URL``
  in the home's ``.env`` > the default SQLite file ``data/workbook.sqlite``.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

from dotenv import dotenv_values
from sqlalchemy.engine import make_url

from .errors import UsageError

DEFAULT_SQLITE = Path("data") / "workbook.sqlite"
_REPO = Path(__file__).resolve().parents[2]

# the project's notebooks (their names and parameters are fixed: docs/scheduling.md)
CARD_NOTEBOOK = "10-rapor-personal.ipynb"
RECAP_NOTEBOOK = "20-rekap-unit.ipynb"
EXPLORER_NOTEBOOK = "30-explorer.ipynb"
BATCH_NOTEBOOK = "40-batch-bulanan.ipynb"


def project_home() -> Path:
    """The folder holding ``data/``, ``outputs/``, ``params/`` and ``.env``."""
    env = os.environ.get("EPERF_HOME")
    if env:
        return Path(env).expanduser().resolve()
    return _REPO


def data_dir() -> Path:
    return project_home() / "data"


def outputs_dir() -> Path:
    return project_home() / "outputs"


def params_dir() -> Path:
    return project_home() / "params"


def notebook_path(name: str) -> Path:
    """A notebook of the project: under the project home, else beside the package's
    source tree (an ``EPERF_HOME`` outside the repository need not copy them)."""
    for base in (project_home() / "notebooks", _REPO / "notebooks"):
        if (base / name).is_file():
            return base / name
    raise UsageError(f"notebook {name} not found under {project_home() / 'notebooks'}",
                     hint="run from a checkout of the workbook, or copy notebooks/ to the home")


def resolve_db_url(cli_value: str | None = None) -> str:
    """Return the database URL by the fixed precedence of the Interfaces section, with a
    relative SQLite path made absolute against the project home (the kernels and workers
    that get this URL run in other folders)."""
    return absolute_sqlite_url(_given_db_url(cli_value))


def _given_db_url(cli_value: str | None) -> str:
    if cli_value:
        return cli_value
    env = os.environ.get("DATABASE_URL")
    if env:
        return env
    dotenv = project_home() / ".env"
    if dotenv.is_file():
        value = dotenv_values(dotenv).get("DATABASE_URL")
        if value:
            return value
    return f"sqlite:///{project_home() / DEFAULT_SQLITE}"


def absolute_sqlite_url(url: str) -> str:
    """``sqlite:///data/x.sqlite`` -> ``sqlite:////<home>/data/x.sqlite``; every other URL
    (a server, an absolute or in-memory SQLite database, a ``file:`` URI, an unparsable
    value, which ``open_engine`` then reports) is returned unchanged."""
    try:
        parsed = make_url(url)
    except Exception:  # noqa: BLE001 - reported with its form by open_engine
        return url
    if parsed.get_backend_name() != "sqlite":
        return url
    db = parsed.database
    if not db or db == ":memory:" or db.startswith("file:"):
        return url
    path = Path(db).expanduser()
    if str(path) == db and path.is_absolute():
        return url
    return parsed.set(database=str(project_home() / path)).render_as_string(
        hide_password=False)


# the password of ``scheme://user:password@host``, and a query parameter that carries a
# secret (``?password=``, ``?sslpassword=``, ``?sslkey=`` ...): masked when shown
_USERINFO = re.compile(r"(?P<head>^[^:/?#]*://[^:/@?#]*):[^@/?#]*@")
_QUERY_SECRET = re.compile(r"(?P<name>[?&;][^=&;#]*(?:pass|pwd|secret|token|key)[^=&;#]*=)"
                           r"[^&;#]*", re.IGNORECASE)


def masked_url(url: str) -> str:
    """A URL fit to print: the password, and any query parameter that names a password,
    key, token or secret, replaced by ``***``. A value SQLAlchemy cannot parse is masked
    by pattern, so an error can still echo what was given."""
    try:
        shown = make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - unparsable: mask by pattern alone
        shown = _USERINFO.sub(r"\g<head>:***@", url)
    return _QUERY_SECRET.sub(r"\g<name>***", shown)


def clock_now() -> dt.datetime:
    """The reference time of a computation that was given none: the current time, in UTC.
    (A batch hands its kernels one clock for the whole run, ``EPERF_NOW``; the notebook
    entry points, :mod:`eperformance.notebook_entry`, decode it and pass it down.)"""
    return dt.datetime.now(dt.UTC)
