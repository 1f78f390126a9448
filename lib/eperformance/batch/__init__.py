"""The monthly batch: every card of a period and scope in one run.

* :mod:`.runinfo` — run key, run id, run folders, the ``latest`` link;
* :mod:`.lock` — one batch per period and scope at a time (``flock``: a dead holder,
  even after ``kill -9``, releases it);
* :mod:`.journal` — the per-card journal a crashed run resumes from, and the manifest;
* :mod:`.ledger` — the run ledger in the workbook database (``eperf runs``);
* :mod:`.jobs` — one card job: papermill, nbconvert, PDF, atomic writes, checksums;
* :mod:`.executors` — how card jobs run (in this process, or in worker processes);
* :mod:`.orchestrator` — :func:`run_batch`, the recipe that ties them together.
"""

from typing import Any

__all__ = ["BatchOptions", "BatchResult", "run_batch"]


def __getattr__(name: str) -> Any:
    # imported on first use: a worker process that only runs card jobs (.jobs, .warm)
    # does not load the orchestrator and the data libraries behind it
    if name in __all__:
        from . import orchestrator

        return getattr(orchestrator, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
