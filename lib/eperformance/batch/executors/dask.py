"""Scale-out: card jobs on a Dask distributed cluster, each worker with its own warm kernel.

``eperf batch --executor dask --scheduler tcp://HOST:8786`` submits the same card jobs the
local executors run. On the workers, a job starts (once per worker process) a warm kernel
exactly like :mod:`.warm` does (:func:`.warm.start_worker`), and renders the card into
the run folder (:func:`.warm.warm_card_job`), which must be on storage every worker sees
at the same path (an NFS or SMB share mounted as the project home's ``outputs/``), with
the database reachable from every worker. Ledger, manifest, resume and lock stay with the
process that runs the batch.

Without ``--scheduler`` a :class:`distributed.LocalCluster` of ``workers`` processes is
started for the run (useful to try it, and what the tests use).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Iterator
from typing import Any

from ...errors import UsageError
from ..failure import CardFailure
from ..jobs import CardJob
from ..journal import CardOutcome
from . import warm
from .base import CardExecutor, ExecutorSettings

_LOCK = threading.Lock()


def dask_card_job(job: CardJob, env: dict[str, str], settings: warm.WarmSettings
                  ) -> CardOutcome:
    """Run one card in this Dask worker's warm kernel (started on first use)."""
    with _LOCK:  # one kernel per worker process: its cards run one at a time
        if not warm.worker_started():
            warm.start_worker(env, settings)
        return warm.warm_card_job(job)


class DaskExecutor(CardExecutor):
    """Card jobs as Dask futures; outcomes yielded as they complete."""

    name = "dask"
    shares_context = True

    def __init__(self, settings: ExecutorSettings) -> None:
        super().__init__(settings)
        self.kernels = warm.WarmSettings.from_settings(settings.kernels)
        self.env = settings.handoff.to_env()
        try:
            # lazy: distributed takes seconds to import; only this executor needs it
            from distributed import Client, LocalCluster
        except ImportError as exc:  # pragma: no cover - a dependency of the package
            raise UsageError("the dask executor needs the 'distributed' package") from exc
        for name in ("distributed", "distributed.scheduler", "distributed.nanny",
                     "distributed.worker", "distributed.core", "distributed.http.proxy"):
            logging.getLogger(name).setLevel(logging.WARNING)
        self._cluster: Any = None
        scheduler = settings.scheduler
        try:
            if scheduler:
                self._client = Client(scheduler, timeout="20s")
            else:
                self._cluster = LocalCluster(n_workers=max(1, settings.workers),
                                             threads_per_worker=1, processes=True,
                                             dashboard_address=None)
                self._client = Client(self._cluster)
        except OSError as exc:
            raise UsageError(f"cannot reach the Dask scheduler {scheduler}: {exc}",
                             hint="check --scheduler (tcp://HOST:8786)") from exc

    def run(self, jobs: Iterable[CardJob]) -> Iterator[CardOutcome]:
        from distributed import as_completed  # lazy: see __init__

        futures = {self._client.submit(dask_card_job, job, self.env, self.kernels,
                                       pure=False): job
                   for job in jobs}
        for fut in as_completed(futures):
            job = futures[fut]
            try:
                yield fut.result()
            except Exception as exc:  # noqa: BLE001 - the worker failed, not the card
                yield CardOutcome.failed(job.nip, CardFailure.of(exc))

    def close(self) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()
