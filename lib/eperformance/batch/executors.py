"""How card jobs run: the small interface a batch talks to.

An executor takes card jobs and yields their outcomes as they finish. The batch does not
care where a job ran. Here: :class:`InlineExecutor` (this process, one at a time) and
:class:`ProcessExecutor` (N worker processes, each starting a fresh kernel per card, as
papermill does). Faster executors plug in behind the same two methods.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Protocol

from .jobs import CardJob, render_card_job
from .journal import CardOutcome


class CardExecutor(Protocol):
    """Runs card jobs; ``run`` yields each outcome as soon as it is known."""

    def run(self, jobs: Iterable[CardJob]) -> Iterator[CardOutcome]: ...

    def close(self) -> None: ...


class InlineExecutor:
    """One card after the other, in this process."""

    def run(self, jobs: Iterable[CardJob]) -> Iterator[CardOutcome]:
        for job in jobs:
            yield render_card_job(job)

    def close(self) -> None:
        pass


class ProcessExecutor:
    """``workers`` cards at once, each in a worker process of its own."""

    def __init__(self, workers: int) -> None:
        self.workers = max(1, workers)
        self._pool = ProcessPoolExecutor(max_workers=self.workers)

    def run(self, jobs: Iterable[CardJob]) -> Iterator[CardOutcome]:
        pending: set[Future[CardOutcome]] = set()
        it = iter(jobs)
        for job in it:
            pending.add(self._pool.submit(render_card_job, job))
            if len(pending) >= self.workers * 2:
                break
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                yield fut.result()
                nxt = next(it, None)
                if nxt is not None:
                    pending.add(self._pool.submit(render_card_job, nxt))

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def make_executor(kind: str, workers: int) -> CardExecutor:
    if kind == "inline" or (kind == "process" and workers <= 1):
        return InlineExecutor()
    if kind == "process":
        return ProcessExecutor(workers)
    from ..errors import UsageError

    raise UsageError(f"unknown executor {kind!r}; use process")
