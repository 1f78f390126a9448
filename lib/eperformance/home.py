"""Project home and database URL resolution (design.md, Interfaces).

* Project home: ``EPERF_HOME`` if set, else the repository root derived from this file.
* Database URL precedence: ``--db`` > ``DATABASE_URL`` in the environment > ``DATABASE_URL``
  in the home's ``.env`` > the default SQLite file ``data/workbook.sqlite``.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from dotenv import dotenv_values
from sqlalchemy.engine import make_url

DEFAULT_SQLITE = Path("data") / "workbook.sqlite"


def project_home() -> Path:
    """The folder holding ``data/``, ``outputs/``, ``params/`` and ``.env``."""
    env = os.environ.get("EPERF_HOME")
    if env:
        return Path(env).expanduser().resolve()
    return Path(__file__).resolve().parents[2]


def data_dir() -> Path:
    return project_home() / "data"


def outputs_dir() -> Path:
    return project_home() / "outputs"


def params_dir() -> Path:
    return project_home() / "params"


def resolve_db_url(cli_value: str | None = None) -> str:
    """Return the database URL by the fixed precedence of the Interfaces section."""
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


def masked_url(url: str) -> str:
    """A URL fit to print: the password replaced by ``***``."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL: print nothing secret
        return "<invalid database URL>"


def clock_now() -> dt.datetime:
    """The reference time of a computation: ``EPERF_NOW`` (ISO 8601, set by a batch for
    every card it renders, so that a whole run shares one clock and a month cannot turn
    from provisional to closed half-way) or else the current time, in UTC."""

    value = os.environ.get("EPERF_NOW")
    if value:
        moment = dt.datetime.fromisoformat(value)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
        return moment.astimezone(dt.UTC)
    return dt.datetime.now(dt.UTC)
