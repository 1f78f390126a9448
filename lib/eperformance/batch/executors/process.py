"""The process executor: ``workers`` cards at once, each in a worker process of its own
that starts a fresh kernel per card, as papermill does (one worker: in this process)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor

from ..jobs import CardJob, render_card_group, render_card_job
from ..journal import CardOutcome
from .base import CardExecutor, ExecutorSettings, run_in_pool


class ProcessExecutor(CardExecutor):
    """``workers`` cards at once, each in a worker process of its own."""

    name = "process"

    def __init__(self, settings: ExecutorSettings) -> None:
        super().__init__(settings)
        self.workers = max(1, settings.workers)
        self._pool = ProcessPoolExecutor(max_workers=self.workers) if self.workers > 1 \
            else None

    def run(self, jobs: Iterable[CardJob]) -> Iterator[CardOutcome]:
        if self._pool is None:
            return (render_card_job(job) for job in jobs)
        return run_in_pool(self._pool, render_card_group, jobs, self.workers)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
