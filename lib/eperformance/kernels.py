"""One-off notebook runs through papermill, in a fresh kernel that speaks over IPC sockets.

papermill's default kernel manager listens on TCP ports of 127.0.0.1: kernels started at
the same moment can pick the same ports (papermill #239, #511), and ipykernel 7 warns on
the terminal that TCP traffic is not encrypted. :func:`execute_notebook` runs the same
papermill call with a kernel whose sockets are files in a private temporary folder
(mode 0700), as the warm batch kernels do: no port, no collision, no warning.

Used by ``eperf card``, the unit-recap notebook of a batch and the ``process`` executor;
the warm kernels (:mod:`eperformance.batch.warm`) manage their own.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any


def ipc_kernel_manager(folder: Path, kernel_name: str = "python3") -> Any:
    """A kernel manager (not started) whose connection file and sockets live in
    ``folder``."""
    from jupyter_client.manager import AsyncKernelManager

    km = AsyncKernelManager(kernel_name=kernel_name)
    km.transport = "ipc"
    km.ip = str(folder / "kernel")
    km.connection_file = str(folder / "kernel.json")
    return km


def execute_notebook(input_path: str | Path, output_path: str | Path,
                     parameters: dict[str, Any], cwd: str | Path,
                     kernel_name: str = "python3") -> Any:
    """``papermill.execute_notebook`` (no progress bar, no output logging) in a fresh IPC
    kernel that is shut down afterwards, whether the notebook failed or not. Raises what
    papermill raises (``PapermillExecutionError`` for a failing cell)."""
    import papermill as pm
    from jupyter_core.utils import run_sync

    with tempfile.TemporaryDirectory(prefix="eperf-kernel-") as sockets:
        km = ipc_kernel_manager(Path(sockets), kernel_name)
        try:
            # nbclient starts a kernel manager it is given, and leaves its shutdown to us
            return pm.execute_notebook(str(input_path), str(output_path),
                                       parameters=parameters, kernel_name=kernel_name,
                                       progress_bar=False, log_output=False, cwd=str(cwd),
                                       km=km)
        finally:
            if km.has_kernel:
                try:
                    run_sync(km.shutdown_kernel)(now=False)
                except Exception:  # noqa: BLE001 - already gone (a dead kernel)
                    pass
