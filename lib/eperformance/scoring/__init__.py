"""Pure scoring: no I/O, no clock, no randomness (docs/architecture.md, "Scoring").

* :mod:`.closing` — periods and the closing time of a month;
* :mod:`.measures` — per-assignment measures (``aggregate_entries`` + ``finish_measures``);
* :mod:`.permenpan_6_2022`, :mod:`.pp_30_2019`, :mod:`.pp_46_2011` — one module per scheme;
* :mod:`.registry` — ``get_scheme`` and the batch entry point ``score_period``;
* :mod:`.curve` — distribution-curve breaches per unit (permenpan-6-2022);
* :mod:`.rank` — competition ranking within a unit, unit median.

The rounding rule is the base module :mod:`eperformance.rounding`; the latest-decision rule
is :mod:`eperformance.decisions`.
"""

from .closing import closing_time, closing_time_utc, is_closed
from .common import AssignmentScore, EmployeeScore, assignments_frame, scores_frame
from .measures import aggregate_entries, compute_measures, finish_measures
from .registry import Scheme, get_scheme, score_period

__all__ = [
    "AssignmentScore",
    "EmployeeScore",
    "Scheme",
    "aggregate_entries",
    "assignments_frame",
    "closing_time",
    "closing_time_utc",
    "compute_measures",
    "finish_measures",
    "get_scheme",
    "is_closed",
    "score_period",
    "scores_frame",
]
