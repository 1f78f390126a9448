"""The card core: the personal report card as a record, the period context it is made
from, its assembly, and the unit recap view. Imports only downward (analysis, scoring,
database, base modules); rendering is :mod:`eperformance.render`, the notebooks' entry
points :mod:`eperformance.notebook_entry`.

* :mod:`.record` — :class:`CardRecord` and its parts, :func:`card_fingerprint`;
* :mod:`.shape` — the files that shape a card (part of its fingerprint);
* :mod:`.context` — :class:`CardsContext`: a period scored once, cut per unit;
* :mod:`.assemble` — :func:`card_from_context`, :func:`build_card`, :func:`check_card_request`;
* :mod:`.recap_view` — :class:`RecapView`, :func:`build_recap_view`.
"""

from .assemble import build_card, card_from_context, check_card_request
from .context import (
    TREND_MONTHS,
    CardsContext,
    build_cards_context,
    context_from_run,
    split_context,
)
from .recap_view import RecapView, build_recap_view
from .record import (
    AspectLine,
    AssignmentLine,
    AttendanceSummary,
    CardRecord,
    EntryDecision,
    EntryFlag,
    PendingVerification,
    Person,
    Standing,
    TrendPoint,
    VerificationSummary,
    card_fingerprint,
)

__all__ = [
    "TREND_MONTHS", "AspectLine", "AssignmentLine", "AttendanceSummary", "CardRecord",
    "CardsContext", "EntryDecision", "EntryFlag", "PendingVerification", "Person",
    "RecapView", "Standing", "TrendPoint", "VerificationSummary", "build_card",
    "build_cards_context", "build_recap_view", "card_fingerprint", "card_from_context",
    "check_card_request", "context_from_run", "split_context",
]
