"""Warm kernels: card notebooks executed in long-lived kernels whose imports are done.

A card still goes through papermill's parameter injection (``parameterize_notebook``) and
nbconvert's rendering, exactly as a one-off ``papermill`` run would, but it executes with
nbclient in a kernel that the caller owns and keeps:

* a kernel starts once per worker, speaks over IPC sockets in a private folder (no TCP
  ports, so many kernels starting at once cannot collide), and imports the library first;
* between cards it clears the user namespace, closes every figure and drops the
  library's caches (:func:`eperformance.kernel_reset`), so a card's bytes do not depend on
  what ran before;
* it is recycled after ``max_cards`` cards or when its memory passes ``max_rss_mb``;
* a kernel that dies is replaced and its card retried once.

:class:`WarmPoolExecutor` runs ``workers`` such kernels, each driven by a worker process
that also renders the HTML and the PDF (one warm headless Chromium per worker, started at
its first PDF: :mod:`eperformance.pdf`). A worker's side is :func:`start_worker` (once per
worker process) and :func:`warm_card_job` (each card); the Dask executor runs the same two
on its workers.
"""

from __future__ import annotations

import copy
import json
import logging
import multiprocessing
import os
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import util
from pathlib import Path
from typing import Any

from jupyter_core.utils import run_sync

from ...kernels import ipc_kernel_manager
from ...pdf import PdfError, choice, renderer
from ..failure import CardFailure
from ..jobs import (
    CardJob,
    Done,
    convert_card,
    failed_outcome,
    in_transit,
    merge_outcomes,
    parameters_of,
)
from ..journal import CardOutcome
from ..printing import GroupPrinter
from .base import CardExecutor, ExecutorSettings, run_in_pool

log = logging.getLogger("eperformance.batch")

WARMUP = """\
import eperformance.notebook_entry, eperformance.render, eperformance.render.charts  # noqa: F401
import eperformance.scores, eperformance.batch.slices, pandas  # noqa: F401
import gc as _gc
_gc.collect()
_gc.freeze()  # the imported modules: later collections (each reset) skip them
del _gc
"""
# The history of a kernel that runs thousands of cards stays in memory, not in a shared
# SQLite file that every kernel would write after every cell.
KERNEL_ARGUMENTS = ["--HistoryManager.hist_file=:memory:"]
# Between cards: the user namespace and history as %reset -f clears them, figures,
# pooled connections (eperformance.kernel_reset); a full collection every FULL_GC cards.
RESET = """\
import eperformance as _e
_e.kernel_reset(get_ipython(), full_collect={full})  # clears _e too
"""
FULL_GC = 50


@dataclass(frozen=True)
class WarmSettings:
    max_cards: int = 250  # recycle the kernel after this many cards
    max_rss_mb: int = 1024  # ... or when its resident memory passes this
    timeout: int = 600  # seconds per cell

    @classmethod
    def from_settings(cls, kernels: Any) -> WarmSettings:
        """From ``params/settings.yaml``'s ``batch_kernels`` (defaults when ``None``)."""
        if kernels is None:
            return cls()
        return cls(max_cards=kernels.max_cards, max_rss_mb=kernels.max_rss_mb,
                   timeout=kernels.cell_timeout_seconds)


class WarmKernel:
    """One caller-owned kernel, reused card after card."""

    def __init__(self, env: dict[str, str], settings: WarmSettings | None = None) -> None:
        self.env = env
        self.settings = settings or WarmSettings()
        self.km: Any = None
        self.kc: Any = None
        self.cards = 0
        self.restarts = 0
        self._env: dict[str, str] = {}  # what the kernel's os.environ was given last
        self._dir = Path(tempfile.mkdtemp(prefix="eperf-kernel-"))

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> None:
        # The asynchronous manager and client are what nbclient drives (it polls the
        # kernel's liveness from its own event loop); synchronous calls go through run_sync.
        km = ipc_kernel_manager(self._dir)
        env = dict(os.environ)
        env.update(self.env)
        run_sync(km.start_kernel)(env=env, cwd=str(self._dir),
                                  extra_arguments=KERNEL_ARGUMENTS)
        kc = km.client()
        kc.start_channels()
        run_sync(kc.wait_for_ready)(timeout=120)
        self.km, self.kc, self.cards, self._env = km, kc, 0, {}
        self._run(WARMUP)

    def shutdown(self) -> None:
        if self.kc is not None:
            self.kc.stop_channels()
        if self.km is not None:
            try:
                run_sync(self.km.shutdown_kernel)(now=True)
            except Exception:  # noqa: BLE001 - already gone
                pass
        self.km = self.kc = None

    def close(self) -> None:
        self.shutdown()
        shutil.rmtree(self._dir, ignore_errors=True)

    def recycle(self) -> None:
        self.shutdown()
        self.restarts += 1
        self.start()

    def alive(self) -> bool:
        return self.km is not None and bool(run_sync(self.km.is_alive)())

    def pid(self) -> int | None:
        """The kernel's process id (``None`` when it is not running)."""
        provisioner = getattr(self.km, "provisioner", None)
        pid = getattr(provisioner, "pid", None) or getattr(
            getattr(provisioner, "process", None), "pid", None)
        return int(pid) if pid else None

    def rss_mb(self) -> float:
        pid = self.pid()
        if pid is None:
            return 0.0
        try:
            with open(f"/proc/{pid}/status", encoding="ascii") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1]) / 1024
        except OSError:
            return 0.0
        return 0.0

    # ------------------------------------------------------------------ execution
    def _run(self, code: str) -> None:
        reply = run_sync(self.kc.execute_interactive)(code, store_history=False, timeout=120,
                                                      output_hook=lambda msg: None)
        if reply["content"].get("status") != "ok":
            raise RuntimeError(f"kernel setup failed: {reply['content'].get('ename')}")

    def execute(self, nb: Any, env: dict[str, str] | None = None) -> Any:
        """Execute a parameterised notebook in this kernel (raises as nbclient does).

        ``env``: environment variables set in the kernel first (the database URL, the
        run's clock), so a long-lived kernel can serve successive runs."""
        from nbclient import NotebookClient  # lazy: seconds to import; only a worker runs it

        if not self.alive():
            self.recycle()
        if env and env != self._env:  # a new run (or a new kernel)
            self._run(f"import os as _os; _os.environ.update({json.dumps(env)}); del _os")
            self._env = dict(env)
        client = NotebookClient(nb, km=self.km, kernel_name="python3",
                                timeout=self.settings.timeout, allow_errors=False,
                                resources={"metadata": {"path": str(self._dir)}})
        client.kc = self.kc
        try:
            client.execute(cleanup_kc=False)
        finally:
            self.cards += 1
            if self.alive():
                try:
                    self._run(RESET.format(full=self.cards % FULL_GC == 0))
                except Exception:  # noqa: BLE001 - a broken kernel is recycled below
                    self.shutdown()
            if not self.alive() or self.cards >= self.settings.max_cards \
                    or self.rss_mb() > self.settings.max_rss_mb:
                self.recycle()
        return nb


# --------------------------------------------------------------------------- worker side
_KERNEL: WarmKernel | None = None
_TEMPLATES: dict[str, Any] = {}


def worker_started() -> bool:
    """This worker process has its kernel (:func:`start_worker` ran)."""
    return _KERNEL is not None


def start_worker(env: dict[str, str], settings: WarmSettings, pdf: bool = False) -> None:
    """Start this worker's kernel (and shut it down when the worker ends); with ``pdf``,
    its PDF renderer (the browser) starts meanwhile, in the background."""
    global _KERNEL
    os.environ.update(env)
    if pdf:
        threading.Thread(target=_start_pdf_renderer, name="eperf-pdf-start",
                         daemon=True).start()
    _KERNEL = WarmKernel(env, settings)
    _KERNEL.start()
    util.Finalize(None, _KERNEL.close, exitpriority=10)
    threading.Thread(target=_watch_parent, args=(os.getppid(),), name="eperf-parent",
                     daemon=True).start()


def stop_worker() -> None:
    """Close this worker's kernel (a worker process does it when it ends)."""
    global _KERNEL
    if _KERNEL is not None:
        _KERNEL.close()
        _KERNEL = None


def _start_pdf_renderer() -> None:
    """The worker's browser, started while its kernel starts (the first card would wait
    for it otherwise); a failure shows again, with its card, at the first PDF."""
    try:
        renderer()
    except Exception:  # noqa: BLE001 - reported by the first card that needs it
        log.debug("the PDF renderer did not start in advance", exc_info=True)


def _watch_parent(parent: int, every: float = 1.0) -> None:
    """End this worker when the batch that started it is gone.

    A batch killed with SIGKILL (alone, not with its process group) leaves its pool's
    workers waiting on a queue that never closes (each holds both ends of it): they would
    live on with their kernels and browsers. The worker kills its kernel and exits; its
    browser then ends too (Playwright's driver sees its stdin close, Chromium its pipe)."""
    while os.getppid() == parent:
        time.sleep(every)
    kernel = _KERNEL
    pid = kernel.pid() if kernel is not None else None
    if pid is not None:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    if kernel is not None:
        shutil.rmtree(kernel._dir, ignore_errors=True)  # noqa: SLF001 - its own folder
    os._exit(1)


def _template(path: str) -> Any:
    from papermill.iorw import load_notebook_node  # lazy: seconds to import; worker only

    if path not in _TEMPLATES:
        _TEMPLATES[path] = load_notebook_node(path)  # as papermill reads it (tags, etc.)
    return copy.deepcopy(_TEMPLATES[path])


def warm_card_job(job: CardJob) -> CardOutcome:
    """The card job of :func:`..jobs.render_card_job`, in this worker's warm kernel."""
    return warm_card_group([job])[0]


def warm_card_group(jobs: list[CardJob]) -> list[CardOutcome]:
    """Several card jobs in this worker's warm kernel, one after the other; their PDFs
    are printed together at the end (:func:`..jobs.finish_cards`)."""
    return merge_outcomes([_warm_executed(job) for job in jobs])


def warm_card_group_unprinted(jobs: list[CardJob]) -> list[Done]:
    """:func:`warm_card_group` without the PDFs: the cards, run and converted (their HTML
    written), handed back for the batch process to print (:mod:`..printing`)."""
    return in_transit([_warm_executed(job) for job in jobs])


def _warm_executed(job: CardJob) -> Done:
    # lazy: seconds to import; only a worker runs cards
    from nbclient.exceptions import CellExecutionError, DeadKernelError
    from papermill.parameterize import parameterize_notebook

    assert _KERNEL is not None, "worker not started"
    started = time.perf_counter()
    env = job.handoff().to_env()
    os.environ.update(env)
    for attempt in (1, 2):
        nb = parameterize_notebook(_template(job.notebook), parameters_of(job),
                                   kernel_name="python3", language="python")
        try:
            _KERNEL.execute(nb, env)
            break
        except CellExecutionError as exc:
            return failed_outcome(job, nb, started, CardFailure.of(exc, nb))
        except (DeadKernelError, RuntimeError) as exc:
            _KERNEL.recycle()
            if attempt == 2:
                return failed_outcome(job, nb, started, CardFailure.of(exc, nb))
            log.warning("a kernel died; its card is retried once")
    return convert_card(job, nb, started)


def prints_here(settings: ExecutorSettings) -> bool:
    """A warm batch's PDF cards are printed by the batch process (:mod:`..printing`)
    when Chromium prints them; not with WeasyPrint, which prints in Python (a single
    process would print the cards one at a time): each worker prints its own then."""
    if not settings.pdf:
        return False
    try:
        return choice() == "chromium"
    except PdfError:  # an invalid EPERF_PDF: each worker's card says so, as before
        return False


def batch_printer(settings: ExecutorSettings) -> GroupPrinter:
    """The batch process's printer: one browser per two workers (started now, in the
    background), two threads each."""
    return GroupPrinter(renderers=max(1, settings.workers // 2))


class WarmPoolExecutor(CardExecutor):
    """``workers`` worker processes, each with one warm kernel; same contract as the
    other executors (jobs in, outcomes out as they finish). PDF cards printed by Chromium
    are printed by this process (:func:`prints_here`, :func:`batch_printer`) while the
    workers run the next cards; printed by WeasyPrint, by the workers."""

    name = "warm"
    shares_context = True

    def __init__(self, settings: ExecutorSettings) -> None:
        super().__init__(settings)
        self.workers = max(1, settings.workers)
        self._prints_here = prints_here(settings)
        self._printer: GroupPrinter | None = None  # made by run(), for cards to render
        # spawned, not forked: a worker starts from a fresh interpreter instead of a copy
        # of the orchestrator, which holds the period's scores (its memory would grow
        # with the organisation in every worker)
        self._pool = ProcessPoolExecutor(
            max_workers=self.workers, initializer=start_worker,
            initargs=(settings.handoff.to_env(), WarmSettings.from_settings(settings.kernels),
                      settings.pdf and not self._prints_here),
            mp_context=multiprocessing.get_context("spawn"))

    def run(self, jobs: Iterable[CardJob]) -> Iterator[CardOutcome]:
        jobs = list(jobs)
        if not self._prints_here or not jobs:
            return run_in_pool(self._pool, warm_card_group, jobs, self.workers)
        if self._printer is None:
            self._printer = batch_printer(self.settings)
        return run_in_pool(self._pool, warm_card_group_unprinted, jobs, self.workers,
                           self._printer, self.settings.workers_done)

    def close(self) -> None:
        try:
            self._pool.shutdown(wait=True, cancel_futures=True)
        finally:
            if self._printer is not None:
                self._printer.close(cancel=True)
