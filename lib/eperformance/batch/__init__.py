"""The monthly batch: every card of a period and scope in one run.

* :mod:`.runinfo` — run key, run id, run folders, the ``latest`` link;
* :mod:`.lock` — one batch per period and scope at a time (``flock``: a dead holder,
  even after ``kill -9``, releases it);
* :mod:`.journal` — the per-card journal a crashed run resumes from, and the manifest;
* :mod:`.ledger` — the run ledger in the workbook database (``eperf runs``);
* :mod:`.options` — :class:`BatchOptions`, every option declared once with its help;
* :mod:`.handoff` — :class:`~.handoff.KernelHandoff`, what a kernel is given;
* :mod:`.slices` — the period context cut per unit for the warm kernels;
* :mod:`.failure` — :class:`~.failure.CardFailure`, a failed card as one typed record;
* :mod:`.jobs` — one card job: papermill, nbconvert, PDF, atomic writes, checksums;
* :mod:`.executors` — how card jobs run, by name (``warm``, ``process``, ``dask``,
  ``inline``);
* :mod:`.orchestrator` — :func:`run_batch`, the recipe that ties them together;
* :mod:`.single` — ``eperf card``: one card, a batch of one;
* :mod:`.summary` — a run as the batch notebook shows it.
"""

from typing import Any

from .options import BatchOptions

__all__ = ["BatchOptions", "BatchResult", "run_batch"]


def __getattr__(name: str) -> Any:
    # imported on first use: a worker process that only runs card jobs (.jobs,
    # .executors.warm) does not load the orchestrator and the data libraries behind it
    if name in ("BatchResult", "run_batch"):
        from . import orchestrator  # lazy: see above

        return getattr(orchestrator, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
