"""The inline executor: one card after the other, in this process, each in a fresh kernel
(papermill's way). ``eperf card`` runs its card through it, a batch of one
(:mod:`eperformance.batch.single`)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from ..jobs import CardJob, render_card_job
from ..journal import CardOutcome
from .base import CardExecutor


class InlineExecutor(CardExecutor):
    """One card after the other, in this process."""

    name = "inline"

    def run(self, jobs: Iterable[CardJob]) -> Iterator[CardOutcome]:
        for job in jobs:
            yield render_card_job(job)
