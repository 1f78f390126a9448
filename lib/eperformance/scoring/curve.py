"""Distribution-curve breaches per unit for ``permenpan-6-2022`` (domain.md §3.1).

A unit's organisational result for the month (default from the scheme settings, ``baik``)
limits the spread of predikat among the unit's *own* employees (not its sub-units') that
have one. Each limit is a share in percent of those employees (the percentage rounded by
the rounding rule before it is compared) or a count. The workbook reports breaches; it
never changes a predikat. A unit none of whose employees has a predikat is not checked.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..params import Permenpan6Config
from ..rounding import round_half_away
from .common import EmployeeScore


@dataclass(frozen=True)
class CurveBreach:
    """One broken limit of one unit.

    ``required`` and ``actual`` are percentages when ``measure`` is ``"percent"`` (actual
    rounded to 2 decimals) and numbers of employees when it is ``"count"``.
    """

    unit_code: str
    org_result: str
    rule: str
    predikat: tuple[str, ...]
    bound: str
    measure: str
    required: float
    actual: float
    count: int
    n_employees: int


def curve_breaches(
    predikat_by_unit: Iterable[tuple[str | None, str | None]],
    org_results: Mapping[str, str],
    cfg: Permenpan6Config,
) -> list[CurveBreach]:
    """Breaches for ``(unit_code, predikat)`` pairs, one per employee in scope.

    Employees without a predikat (``None``) or a unit are left out. ``org_results`` maps a
    unit code to its result for the month; a unit missing from it gets
    ``cfg.default_org_result``. Breaches come sorted by unit code, then in rule order.
    """
    by_unit: dict[str, list[str]] = {}
    for unit, pred in predikat_by_unit:
        if unit is None or pred is None:
            continue
        by_unit.setdefault(unit, []).append(pred)

    breaches: list[CurveBreach] = []
    for unit in sorted(by_unit):
        preds = by_unit[unit]
        n = len(preds)
        result = org_results.get(unit) or cfg.default_org_result
        for rule in cfg.curve[result]:  # type: ignore[index]
            count = sum(1 for p in preds if p in rule.predikat)
            if rule.count is not None:
                measure, required, actual = "count", float(rule.count), float(count)
            else:
                measure = "percent"
                required = float(rule.percent)  # type: ignore[arg-type]
                actual = round_half_away(100.0 * count / n)
            broken = actual > required if rule.bound == "at_most" else actual < required
            if broken:
                breaches.append(
                    CurveBreach(
                        unit_code=unit, org_result=result, rule=rule.text,
                        predikat=tuple(rule.predikat), bound=rule.bound, measure=measure,
                        required=required, actual=actual, count=count, n_employees=n,
                    )
                )
    return breaches


def curve_breaches_for_scores(
    scores: Iterable[EmployeeScore],
    org_results: Mapping[str, str],
    cfg: Permenpan6Config,
) -> list[CurveBreach]:
    """:func:`curve_breaches` over scored employees (their ``unit_code`` and predikat)."""
    return curve_breaches(((s.unit_code, s.predikat) for s in scores), org_results, cfg)
