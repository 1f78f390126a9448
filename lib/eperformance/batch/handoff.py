"""What a batch hands to the kernels that render its cards: one typed object, passed
through the kernels' environment (never as a notebook parameter, so an executed notebook
holds neither the database URL nor the slices' secret).

The batch side builds a :class:`KernelHandoff` and sets :meth:`KernelHandoff.to_env` in the
worker or kernel; on the kernel side, :mod:`eperformance.notebook_entry` (the only reader
of these variables) decodes them with :meth:`KernelHandoff.from_env`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

DB_URL_ENV = "DATABASE_URL"  # the resolved database URL (docs/database.md)
HOME_ENV = "EPERF_HOME"  # the project home
NOW_ENV = "EPERF_NOW"  # ISO 8601: the run's clock, shared by every card of the run
SCOPE_ENV = "EPERF_BATCH_SCOPE"  # a warm kernel's run scope (all or a unit); "" none
CONTEXT_ENV = "EPERF_BATCH_CONTEXT"  # the folder of the run's context slices; "" none
SECRET_ENV = "EPERF_BATCH_CONTEXT_SECRET"  # the run's signing secret of the slices


@dataclass(frozen=True)
class KernelHandoff:
    """The environment of a kernel rendering a batch's card or recap.

    ``scope`` is set only for warm kernels (they reuse the run's period context, from the
    slices in ``context_dir`` signed with ``context_secret``); a fresh kernel per card
    computes its employee's own context. The URL and the secret stay out of the repr."""

    db_url: str = field(default="", repr=False)
    home: str = ""
    now: str = ""
    scope: str = ""
    context_dir: str = ""
    context_secret: str = field(default="", repr=False)

    def to_env(self) -> dict[str, str]:
        """Every variable, empty ones included: a long-lived kernel serving successive
        runs must not keep the previous run's scope or folder."""
        return {DB_URL_ENV: self.db_url, HOME_ENV: self.home, NOW_ENV: self.now,
                SCOPE_ENV: self.scope, CONTEXT_ENV: self.context_dir,
                SECRET_ENV: self.context_secret}

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> KernelHandoff:
        """Decode ``environ`` (the caller passes ``os.environ``); missing variables are
        empty."""
        return cls(db_url=environ.get(DB_URL_ENV, ""), home=environ.get(HOME_ENV, ""),
                   now=environ.get(NOW_ENV, ""), scope=environ.get(SCOPE_ENV, ""),
                   context_dir=environ.get(CONTEXT_ENV, ""),
                   context_secret=environ.get(SECRET_ENV, ""))

    @property
    def clock(self) -> dt.datetime | None:
        """The run's clock as an aware UTC time (``None``: not in a batch)."""
        if not self.now:
            return None
        moment = dt.datetime.fromisoformat(self.now)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
        return moment.astimezone(dt.UTC)
