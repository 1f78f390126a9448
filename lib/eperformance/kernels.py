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


def ipc_kernel_manager_class(folder: Path) -> type:
    """An ``AsyncKernelManager`` class whose kernels' connection file and sockets live in
    ``folder`` (one kernel per folder)."""
    from jupyter_client.manager import AsyncKernelManager

    class IpcKernelManager(AsyncKernelManager):  # type: ignore[misc]
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.transport = "ipc"
            self.ip = str(folder / "kernel")
            self.connection_file = str(folder / "kernel.json")

    return IpcKernelManager


def execute_notebook(input_path: str | Path, output_path: str | Path,
                     parameters: dict[str, Any], cwd: str | Path,
                     kernel_name: str = "python3") -> Any:
    """``papermill.execute_notebook`` (no progress bar, no output logging) in a fresh IPC
    kernel. nbclient owns the kernel as in a plain papermill run: it shuts it down and
    closes the client's channels, whether the notebook failed or not. Raises what
    papermill raises (``PapermillExecutionError`` for a failing cell)."""
    import papermill as pm

    with tempfile.TemporaryDirectory(prefix="eperf-kernel-") as sockets:
        return pm.execute_notebook(str(input_path), str(output_path), parameters=parameters,
                                   kernel_name=kernel_name, progress_bar=False,
                                   log_output=False, cwd=str(cwd),
                                   kernel_manager_class=ipc_kernel_manager_class(
                                       Path(sockets)))
