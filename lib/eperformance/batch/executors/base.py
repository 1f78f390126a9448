"""The executor interface: card jobs in, outcomes out as they finish.

A batch does not care where a job ran. :class:`CardExecutor` is the base class every
executor derives from (papermill's engines are the model): it is built from one
:class:`ExecutorSettings`, yields outcomes from :meth:`CardExecutor.run` and releases its
workers in :meth:`CardExecutor.close` (or at the end of a ``with`` block).
:func:`run_in_pool` drives a ``concurrent.futures`` pool for the executors that have one.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ...pdf import group_size as group_size_of_pdf
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


def group_size(jobs: Sequence[CardJob], workers: int) -> int:
    """Cards per task: one without PDF; with PDF up to :func:`eperformance.pdf.group_size`
    (cards printed together: one Chromium document cut back into cards, see
    :meth:`eperformance.pdf.ChromiumRenderer.pdf_many`), fewer when the batch is small,
    so that every worker still gets at least two tasks."""
    if not any("pdf" in job.formats for job in jobs):
        return 1
    return max(1, min(group_size_of_pdf(), len(jobs) // (2 * max(1, workers))))


def run_in_pool(pool: Executor, fn: Callable[[list[CardJob]], list[CardOutcome]],
                jobs: Iterable[CardJob], workers: int) -> Iterator[CardOutcome]:
    """Submit the jobs to ``pool`` in groups (:func:`group_size`; at most two groups per
    worker queued) and yield the outcomes as each group finishes. A group whose task
    raises (a worker that died) is reported as failed cards."""
    jobs = list(jobs)
    size = group_size(jobs, workers)
    groups = iter([jobs[i:i + size] for i in range(0, len(jobs), size)])
    pending: dict[Future[list[CardOutcome]], list[CardJob]] = {}

    def submit() -> None:
        group = next(groups, None)
        if group is not None:
            pending[pool.submit(fn, group)] = group

    for _ in range(max(1, workers) * 2):
        submit()
    while pending:
        done, _ = wait(list(pending), return_when=FIRST_COMPLETED)
        for fut in done:
            group = pending.pop(fut)
            try:
                outcomes = fut.result()
            except Exception as exc:  # noqa: BLE001 - the worker itself failed
                outcomes = [CardOutcome.failed(job.nip, CardFailure.of(exc)) for job in group]
            yield from outcomes
            submit()
