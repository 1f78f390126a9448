"""The executor interface: card jobs in, outcomes out as they finish.

A batch does not care where a job ran. :class:`CardExecutor` is the base class every
executor derives from (papermill's engines are the model): it is built from one
:class:`ExecutorSettings`, yields outcomes from :meth:`CardExecutor.run` and releases its
workers in :meth:`CardExecutor.close` (or at the end of a ``with`` block).
:func:`run_in_pool` drives a ``concurrent.futures`` pool for the executors that have one.
"""

from __future__ import annotations

import queue
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ...pdf import group_size as group_size_of_pdf
from ..failure import CardFailure
from ..handoff import KernelHandoff
from ..jobs import CardJob
from ..journal import CardOutcome
from ..printing import GroupPrinter


@dataclass(frozen=True)
class ExecutorSettings:
    """What every executor is built from: ``workers`` at once; ``handoff``: the
    environment its kernels start with (each job brings its own too); ``scheduler``: a
    Dask scheduler's address (``None``: a local cluster); ``kernels``: the warm kernels'
    settings (``params/settings.yaml``'s ``batch_kernels``, ``None``: defaults); ``pdf``:
    the cards include PDFs; ``workers_done``: called once, from the executor's loop, when
    every card has run and only the printing of the last PDF cards remains (a warm batch
    printing in its own process: :mod:`..printing`), so that the batch can go on beside
    it (its recap); not called when nothing remains to print."""

    workers: int = 1
    handoff: KernelHandoff = field(default_factory=KernelHandoff)
    scheduler: str | None = None
    kernels: Any = None
    pdf: bool = False
    workers_done: Callable[[], None] | None = None


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


def run_in_pool(pool: Executor, fn: Callable[[list[CardJob]], list[Any]],
                jobs: Iterable[CardJob], workers: int, printer: GroupPrinter | None = None,
                workers_done: Callable[[], None] | None = None) -> Iterator[CardOutcome]:
    """Submit the jobs to ``pool`` in groups (:func:`group_size`; at most two groups per
    worker queued) and yield the outcomes as each group finishes. A group whose task
    raises (a worker that died) is reported as failed cards.

    With a ``printer``, ``fn`` runs and converts a group's cards without printing them
    (:func:`.warm.warm_card_group_unprinted`): this process prints them while the workers
    run the next groups, and a group's outcomes come once it is printed (in the jobs'
    order, as always). New groups wait while the printer is behind (more groups waiting
    for it than it has threads): its browser then gets the workers' share of the CPUs,
    instead of a backlog to print once the workers are done. ``workers_done`` is called
    when every group has run and some are still printing
    (:attr:`ExecutorSettings.workers_done`)."""
    jobs = list(jobs)
    size = group_size(jobs, workers)
    groups = iter([jobs[i:i + size] for i in range(0, len(jobs), size)])
    # what happened, in order: a task ended ("ran") or a group was printed ("printed")
    events: queue.Queue[tuple[str, Any, list[CardJob]]] = queue.Queue()
    queued = max(1, workers) * 2  # tasks in the pool at once
    # groups in the pool or the printer at once: every worker busy, one more queued,
    # and as many printing or waiting to print as the printer has threads
    limit = queued if printer is None else max(1, workers) + printer.threads + 1
    running = printing = 0
    exhausted = False  # every group submitted

    def submit() -> bool:
        nonlocal running, exhausted
        group = next(groups, None)
        if group is None:
            exhausted = True
            return False
        pool.submit(fn, group).add_done_callback(lambda fut: events.put(("ran", fut, group)))
        running += 1
        return True

    def feed() -> None:
        while running < queued and running + printing < limit and submit():
            pass

    feed()
    while running or printing:
        kind, item, group = events.get()
        outcomes: list[CardOutcome] = []
        if kind == "printed":
            printing -= 1
            outcomes = item
        else:
            running -= 1
            try:
                done = item.result()
            except Exception as exc:  # noqa: BLE001 - the worker itself failed
                outcomes = [CardOutcome.failed(job.nip, CardFailure.of(exc)) for job in group]
            else:
                if printer is None:
                    outcomes = done
                else:
                    printing += 1
                    printer.submit(done, lambda printed: events.put(("printed", printed, [])))
        feed()  # the pool kept busy before the outcomes are handled
        if workers_done is not None and exhausted and not running and printing:
            workers_done()
            workers_done = None
        yield from outcomes
