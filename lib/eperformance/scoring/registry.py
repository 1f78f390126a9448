"""The schemes by name, and the one-call batch entry point :func:`score_period`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType

import pandas as pd

from ..errors import UsageError
from ..params import SchemeConfig
from ..reference import ASPECTS
from . import permenpan_6_2022, pp_30_2019, pp_46_2011
from .common import WITHHOLD, EmployeeScore


@dataclass(frozen=True)
class Scheme:
    """A scoring scheme: its name, its aspects and its functions."""

    name: str
    module: ModuleType

    @property
    def aspects(self) -> tuple[str, ...]:
        """The behaviour aspects of the scheme (domain.md §3)."""
        return ASPECTS[self.name]

    @property
    def score_period(self) -> Callable[..., list[EmployeeScore]]:
        """``score_period(measures, employees, behaviour, cfg, use_360, period,
        pending_at_closing="withhold")``."""
        return self.module.score_period  # type: ignore[no-any-return]

    @property
    def assemble_scores(self) -> Callable[..., list[EmployeeScore]]:
        """``assemble_scores(scored, emp, aspects, cfg, use_360, period,
        pending_at_closing="withhold")``: the records from scored assignments and the
        aspect table (a month, or the union of a longer period's months)."""
        return self.module.assemble_scores  # type: ignore[no-any-return]

    @property
    def employee_figures(self) -> Callable[..., pd.DataFrame]:
        """``employee_figures(scored, emp, aspects, cfg, use_360)``: the per-employee
        figures frame (nilai_skp … main_figure, indexed by nip), before §5's withholding."""
        return self.module.employee_figures  # type: ignore[no-any-return]

    @property
    def score_assignments(self) -> Callable[..., pd.DataFrame]:
        """``score_assignments(measures, cfg)``: the measures frame plus scheme columns."""
        return self.module.score_assignments  # type: ignore[no-any-return]

    def counted_roles(self, use_360: bool = False) -> frozenset[str]:
        """The rater roles whose rows enter an aspect score."""
        return self.module.counted_roles(use_360)  # type: ignore[no-any-return]


SCHEME_REGISTRY: dict[str, Scheme] = {
    m.NAME: Scheme(m.NAME, m) for m in (permenpan_6_2022, pp_30_2019, pp_46_2011)
}


def get_scheme(name: str) -> Scheme:
    """The scheme called ``name``; :class:`UsageError` listing the known ones otherwise."""
    try:
        return SCHEME_REGISTRY[name]
    except KeyError:
        raise UsageError(
            f"unknown scheme {name!r}; known schemes: {', '.join(SCHEME_REGISTRY)}",
            hint="use one of the known schemes",
        ) from None


def score_period(
    measures: pd.DataFrame,
    employees: pd.DataFrame,
    behaviour: pd.DataFrame,
    scheme_cfg: SchemeConfig,
    use_360: bool,
    period: str,
    pending_at_closing: str = WITHHOLD,
) -> list[EmployeeScore]:
    """Score every active employee of ``employees`` for ``period`` under the scheme of
    ``scheme_cfg`` (one :class:`EmployeeScore` per employee, sorted by nip).

    * ``measures``: the measures frame of :mod:`.measures` (``finish_measures``);
    * ``employees``: nip, position_type, active (default true), unit_code (optional);
    * ``behaviour``: nip, assessor_nip, assessor_role, aspect, score (and ``period``,
      filtered when present);
    * ``use_360``: 360° mode (changes pp-30-2019 only);
    * ``pending_at_closing``: ``withhold`` or ``not_done`` (the setting, domain.md §5).
    """
    return get_scheme(scheme_cfg.name).score_period(
        measures, employees, behaviour, scheme_cfg, use_360, period, pending_at_closing
    )
