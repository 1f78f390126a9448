"""One-off notebook runs through papermill, in a fresh kernel that speaks over IPC sockets.

papermill's default kernel manager listens on TCP ports of 127.0.0.1: kernels started at
the same moment can pick the same ports (papermill #239, #511), and ipykernel 7 warns on
the terminal that TCP traffic is not encrypted. :func:`execute_notebook` runs the same
papermill call with a kernel whose sockets are files in a private temporary folder
(mode 0700), as the warm batch kernels do: no port, no collision, no warning.

The kernel process's own stderr is kept aside and logged once the kernel has ended
(:meth:`QuietKernelManager.relay_stderr`): a kernel that crashed still says why, as a
WARNING of ``eperformance.kernels``, while ipykernel's harmless shutdown traceback no
longer lands in cron mail.

Used by ``eperf card``, the unit-recap notebook of a batch and the ``process`` executor;
the warm kernels (:mod:`eperformance.batch.executors.warm`) keep theirs, from
:func:`ipc_kernel_manager`.
"""

from __future__ import annotations

import logging
import re
import tempfile
import uuid
from pathlib import Path
from typing import IO, Any

from jupyter_client.manager import AsyncKernelManager

log = logging.getLogger("eperformance.kernels")

#: A traceback ipykernel 7 (up to 7.4.0 at least) prints when its control thread flushes
#: stderr after the main thread has closed the IOPub event pipes at shutdown; the kernel has
#: answered the shutdown request by then, so nothing is lost (ipykernel #1518 fixed the same
#: race in one other place).
_SHUTDOWN_RACE = re.compile(
    r"^(?:ERROR:tornado\.[\w.]+:[^\n]*\n|Exception in callback[^\n]*\n(?:handle:[^\n]*\n)?)?"
    r"Traceback \(most recent call last\):\n(?:[ \t][^\n]*\n)+"
    r"zmq\.error\.ZMQError: Socket operation on non-socket[ \t]*(?:\n|\Z)",
    re.MULTILINE)

#: The same race seen from libzmq: its signaler asserts (and the exiting kernel aborts) when
#: the IOPub thread polls a socket the main thread has just closed; the kernel has answered
#: the shutdown request and its process is ending (seen once in a CI run, after the
#: notebook's own exit handler had written its line).
_ZMQ_SHUTDOWN_ASSERT = re.compile(
    r"^Assertion failed: pfd\.revents & POLLIN \(src/signaler\.cpp:\d+\)[ \t]*(?:\n|\Z)",
    re.MULTILINE)


def relay_kernel_stderr(text: str) -> None:
    """Log what a kernel wrote on its own stderr, after it ended.

    ipykernel's shutdown race (:data:`_SHUTDOWN_RACE`, and libzmq's assertion in the same
    race, :data:`_ZMQ_SHUTDOWN_ASSERT`) goes to DEBUG; anything else is a
    WARNING with the text, so that a kernel that crashed still says why."""
    rest, races = _SHUTDOWN_RACE.subn("", text)
    rest, asserts = _ZMQ_SHUTDOWN_ASSERT.subn("", rest)
    races += asserts
    if races:
        log.debug("kernel: ipykernel shutdown race on stderr (harmless), %d traceback(s)",
                  races)
    rest = rest.strip()
    if rest:
        log.warning("kernel wrote on stderr:\n%s", rest)


class QuietKernelManager(AsyncKernelManager):  # type: ignore[misc]
    """``AsyncKernelManager`` that shuts its kernel down without interrupting it first.

    jupyter_client sends SIGINT before every shutdown (to stop a running cell); when it
    lands as the kernel goes idle, ipykernel logs ``KeyboardInterrupt caught in kernel`` on
    the stderr it shares with us, i.e. on the analyst's terminal or in cron mail. A busy
    kernel is stopped anyway: the shutdown request travels on the control channel, which
    ipykernel serves while a cell runs, and the kernel is killed after
    ``shutdown_wait_time`` if it does not exit (at once with ``now=True``)."""

    _stderr: IO[bytes] | None = None

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
        """The kernel's own stderr (not a cell's output, which goes to the notebook) is kept
        in a temporary file and relayed through :func:`relay_kernel_stderr` once the kernel
        has ended, instead of landing on the analyst's terminal as it is written."""
        if kw.get("stderr") is None:
            self._stderr = tempfile.TemporaryFile(prefix="eperf-kernel-stderr-")
            kw["stderr"] = self._stderr
        await super()._async_launch_kernel(kernel_cmd, **kw)

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        self.relay_stderr()

    def relay_stderr(self) -> None:
        """Relay (once) what the ended kernel wrote on stderr."""
        file, self._stderr = self._stderr, None
        if file is None:
            return
        with file:
            file.seek(0)
            text = file.read().decode("utf-8", "replace")
        relay_kernel_stderr(text)

    async def _async_interrupt_kernel(self) -> None:
        if self.shutting_down:
            return
        await super()._async_interrupt_kernel()

    def use_ipc(self, folder: Path) -> None:
        """Connection file and sockets in ``folder`` (names unique to this kernel)."""
        name = uuid.uuid4().hex[:8]
        self.transport = "ipc"
        self.ip = str(folder / f"k{name}")
        self.connection_file = str(folder / f"{name}.json")


def ipc_kernel_manager_class(folder: Path) -> type[QuietKernelManager]:
    """A :class:`QuietKernelManager` class whose kernels' sockets live in ``folder``, for
    nbclient (which creates, and then owns, the manager itself)."""

    class IpcKernelManager(QuietKernelManager):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.use_ipc(folder)

    return IpcKernelManager


def ipc_kernel_manager(folder: Path, kernel_name: str = "python3") -> QuietKernelManager:
    """A kernel manager (not started) whose kernel's sockets live in ``folder``."""
    return ipc_kernel_manager_class(folder)(kernel_name=kernel_name)


def execute_notebook(input_path: str | Path, output_path: str | Path,
                     parameters: dict[str, Any], cwd: str | Path,
                     kernel_name: str = "python3") -> Any:
    """``papermill.execute_notebook`` (no progress bar, no output logging) in a fresh IPC
    kernel. nbclient owns the kernel as in a plain papermill run: it shuts it down and
    closes the client's channels, whether the notebook failed or not. Raises what
    papermill raises (``PapermillExecutionError`` for a failing cell)."""
    import papermill as pm  # lazy: ~1 s to import; only a notebook run needs it

    with tempfile.TemporaryDirectory(prefix="eperf-kernel-") as sockets:
        return pm.execute_notebook(str(input_path), str(output_path), parameters=parameters,
                                   kernel_name=kernel_name, progress_bar=False,
                                   log_output=False, cwd=str(cwd),
                                   kernel_manager_class=ipc_kernel_manager_class(
                                       Path(sockets)))
