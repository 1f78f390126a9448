"""How card jobs run: the small interface a batch talks to.

An executor takes card jobs and yields their outcomes as they finish. The batch does not
care where a job ran. Here: :class:`InlineExecutor` (this process, one at a time) and
:class:`ProcessExecutor` (N worker processes, each starting a fresh kernel per card, as
papermill does); :class:`.warm.WarmPoolExecutor` (warm kernels, the default) and
:class:`.distributed.DaskExecutor` (warm kernels on a Dask cluster) plug in behind the
same two methods.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from typing import Any, Protocol

from .jobs import CardJob, render_card_job
from .journal import CardOutcome


def run_in_pool(pool: Executor, fn: Callable[[CardJob], CardOutcome],
                jobs: Iterable[CardJob], workers: int) -> Iterator[CardOutcome]:
    """Submit jobs to ``pool`` (at most two per worker queued) and yield outcomes as they
    finish. A job that raises (a worker that died) is reported as a failed card."""
    pending: dict[Future[CardOutcome], CardJob] = {}
    it = iter(jobs)

    def submit() -> None:
        job = next(it, None)
        if job is not None:
            pending[pool.submit(fn, job)] = job

    for _ in range(max(1, workers) * 2):
        submit()
    while pending:
        done, _ = wait(list(pending), return_when=FIRST_COMPLETED)
        for fut in done:
            job = pending.pop(fut)
            try:
                outcome = fut.result()
            except Exception as exc:  # noqa: BLE001 - the worker itself failed
                outcome = CardOutcome(nip=job.nip, status="failed", error={
                    "cell": None, "ename": type(exc).__name__, "evalue": str(exc)[:2000]})
            yield outcome
            submit()


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
        return run_in_pool(self._pool, render_card_job, jobs, self.workers)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


EXECUTORS = ("warm", "process", "dask")


def make_executor(kind: str, workers: int, env: dict[str, str] | None = None,
                  scheduler: str | None = None, kernels: Any = None,
                  pdf: bool = False) -> CardExecutor:
    """``warm`` (default: warm kernels in worker processes), ``process`` (a fresh kernel
    per card, as papermill does), ``dask`` (warm kernels on a Dask cluster). ``pdf``: the
    cards include PDFs (warm workers start their browser with their kernel)."""
    if kind == "warm":
        from .warm import WarmPoolExecutor, WarmSettings

        return WarmPoolExecutor(workers, env or {}, WarmSettings.from_settings(kernels),
                                pdf=pdf)
    if kind == "process":
        return InlineExecutor() if workers <= 1 else ProcessExecutor(workers)
    if kind == "dask":
        from .distributed import DaskExecutor

        return DaskExecutor(scheduler, env or {}, workers, kernels)
    from ..errors import UsageError

    raise UsageError(f"unknown executor {kind!r}; use one of {', '.join(EXECUTORS)}")
