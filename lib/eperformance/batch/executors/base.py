"""The executor interface: card jobs in, outcomes out as they finish.

A batch does not care where a job ran. :class:`CardExecutor` is the base class every
executor derives from (papermill's engines are the model): it is built from one
:class:`ExecutorSettings`, yields outcomes from :meth:`CardExecutor.run` and releases its
workers in :meth:`CardExecutor.close` (or at the end of a ``with`` block).
:func:`run_in_pool` drives a ``concurrent.futures`` pool for the executors that have one.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ..failure import CardFailure
from ..handoff import KernelHandoff
from ..jobs import CardJob
from ..journal import CardOutcome


@dataclass(frozen=True)
class ExecutorSettings:
    """What every executor is built from: ``workers`` at once; ``handoff``: the
    environment its kernels start with (each job brings its own too); ``scheduler``: a
    Dask scheduler's address (``None``: a local cluster); ``kernels``: the warm kernels'
    settings (``params/settings.yaml``'s ``batch_kernels``, ``None``: defaults); ``pdf``:
    the cards include PDFs (warm workers start their browser with their kernel)."""

    workers: int = 1
    handoff: KernelHandoff = field(default_factory=KernelHandoff)
    scheduler: str | None = None
    kernels: Any = None
    pdf: bool = False


class CardExecutor(ABC):
    """Runs card jobs; :meth:`run` yields each outcome as soon as it is known."""

    name: ClassVar[str]
    #: its kernels are warm and share the run's period context (the batch writes the
    #: context slices and gives the jobs the run's scope); else each card computes its own
    shares_context: ClassVar[bool] = False

    def __init__(self, settings: ExecutorSettings) -> None:
        self.settings = settings

    @abstractmethod
    def run(self, jobs: Iterable[CardJob]) -> Iterator[CardOutcome]: ...

    def close(self) -> None:  # noqa: B027 - optional: most executors hold workers
        """Release the workers (nothing to release by default)."""

    def __enter__(self) -> CardExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


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
                outcome = CardOutcome.failed(job.nip, CardFailure.of(exc))
            yield outcome
            submit()
