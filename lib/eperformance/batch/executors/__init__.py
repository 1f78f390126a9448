"""How card jobs run: executors behind one interface, chosen by name from a registry.

* :mod:`.base` — :class:`CardExecutor` (the base class), :class:`ExecutorSettings`,
  :func:`run_in_pool`;
* :mod:`.inline` — ``inline``: this process, one card at a time, a fresh kernel each
  (``eperf card``: a batch of one);
* :mod:`.process` — ``process``: worker processes, a fresh kernel per card (papermill's way);
* :mod:`.warm` — ``warm`` (the default): worker processes with long-lived kernels;
* :mod:`.dask` — ``dask``: warm kernels on a Dask cluster.

:func:`make_executor` builds one by name; :func:`register_executor` adds one.
"""

from __future__ import annotations

from ...errors import UsageError
from .base import CardExecutor, ExecutorSettings, run_in_pool
from .dask import DaskExecutor
from .inline import InlineExecutor
from .process import ProcessExecutor
from .warm import WarmPoolExecutor

EXECUTORS: dict[str, type[CardExecutor]] = {}


def register_executor(executor: type[CardExecutor]) -> None:
    """Make ``executor`` available under its ``name``."""
    EXECUTORS[executor.name] = executor


for _executor in (WarmPoolExecutor, ProcessExecutor, DaskExecutor, InlineExecutor):
    register_executor(_executor)


def executor_class(kind: str) -> type[CardExecutor]:
    """The executor registered as ``kind`` (a usage error when there is none)."""
    try:
        return EXECUTORS[kind]
    except KeyError:
        raise UsageError(f"unknown executor {kind!r}; use one of "
                         f"{', '.join(sorted(EXECUTORS))}") from None


def make_executor(kind: str, settings: ExecutorSettings) -> CardExecutor:
    """A started executor of ``kind`` (``warm``, ``process``, ``dask``, ``inline``)."""
    return executor_class(kind)(settings)


__all__ = ["EXECUTORS", "CardExecutor", "DaskExecutor", "ExecutorSettings", "InlineExecutor",
           "ProcessExecutor", "WarmPoolExecutor", "executor_class", "make_executor",
           "register_executor", "run_in_pool"]
