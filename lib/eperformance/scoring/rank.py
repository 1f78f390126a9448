"""Ranking within a unit by the rounded main figure (domain.md §2, "Main figure, rank").

Highest first, competition ranking for ties (1, 2, 2, 4) on the figure rounded to 2
decimals; employees without the figure are listed, not ranked. "k of n" counts only the
ranked employees.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..rounding import round_opt


@dataclass(frozen=True)
class RankEntry:
    """One employee in a unit's ranking; ``rank`` is ``None`` without a figure."""

    nip: str
    figure: float | None  # unrounded
    rounded: float | None
    rank: int | None
    of: int  # number of ranked employees in the unit

    @property
    def label(self) -> str:
        """``"2 of 5"``, or ``""`` when unranked."""
        return "" if self.rank is None else f"{self.rank} of {self.of}"


def competition_rank(figures: Mapping[str, float | None]) -> list[RankEntry]:
    """Rank the employees of one unit (nip -> main figure).

    Ranked employees come first (highest rounded figure first, ties by nip), then the
    unranked ones by nip.
    """
    rounded = {nip: round_opt(f) for nip, f in figures.items()}
    ranked = sorted(
        ((r, nip) for nip, r in rounded.items() if r is not None), key=lambda t: (-t[0], t[1])
    )
    n = len(ranked)
    out: list[RankEntry] = []
    previous: float | None = None
    rank = 0
    for position, (value, nip) in enumerate(ranked, start=1):
        if value != previous:
            rank = position
            previous = value
        out.append(RankEntry(nip, figures[nip], value, rank, n))
    for nip in sorted(n for n, r in rounded.items() if r is None):
        out.append(RankEntry(nip, figures[nip], None, None, n))
    return out


def rank_within_units(
    rows: Iterable[tuple[str | None, str, float | None]],
) -> dict[str | None, list[RankEntry]]:
    """``(unit_code, nip, main_figure)`` rows -> the ranking of each unit."""
    units: dict[str | None, dict[str, float | None]] = {}
    for unit, nip, figure in rows:
        units.setdefault(unit, {})[nip] = figure
    return {unit: competition_rank(figs) for unit, figs in units.items()}


def unit_median(figures: Iterable[float | None]) -> float | None:
    """Median of the (unrounded) figures present; ``None`` when there is none."""
    present = [float(f) for f in figures if f is not None and f == f]
    return statistics.median(present) if present else None
