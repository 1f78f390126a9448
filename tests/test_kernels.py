"""One-off papermill runs in a fresh IPC kernel (eperformance.kernels)."""

from __future__ import annotations

import logging
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from papermill.exceptions import PapermillExecutionError

from eperformance.kernels import execute_notebook, relay_kernel_stderr


def _notebook(path: Path, *cells: str) -> Path:
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("who = 'nobody'")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, *(nbformat.v4.new_code_cell(c) for c in cells)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, path)
    return path


def _stream(nb: nbformat.NotebookNode, index: int) -> str:
    return "".join(o.get("text", "") for o in nb.cells[index].outputs if o.output_type == "stream")


def _gone(pid: int, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not Path(f"/proc/{pid}").exists():
            return True
        status = Path(f"/proc/{pid}/status").read_text()
        if "\nState:\tZ" in status:  # exited, not yet reaped by its parent
            return True
        time.sleep(0.1)
    return False


def test_parameters_injected_over_ipc_and_kernel_shut_down(tmp_path: Path) -> None:
    source = _notebook(
        tmp_path / "in.ipynb",
        "import json, os, ipykernel\n"
        "info = json.loads(ipykernel.get_connection_info())\n"
        "print(who, info['transport'], os.getpid())")
    out = tmp_path / "out.ipynb"
    execute_notebook(source, out, {"who": "199001012020121001"}, tmp_path)
    nb = nbformat.read(out, as_version=4)
    who, transport, pid = _stream(nb, 2).split()
    assert who == "199001012020121001"
    assert transport == "ipc"  # no TCP port to collide with another kernel starting
    assert _gone(int(pid)), "the kernel is still running after the notebook ended"


def test_a_failing_cell_raises_and_the_kernel_is_shut_down(tmp_path: Path) -> None:
    source = _notebook(tmp_path / "in.ipynb",
                       "import os\nprint(os.getpid())",
                       "raise ValueError('boom')")
    out = tmp_path / "out.ipynb"
    with pytest.raises(PapermillExecutionError) as err:
        execute_notebook(source, out, {}, tmp_path)
    assert err.value.ename == "ValueError"
    nb = nbformat.read(out, as_version=4)
    assert _gone(int(_stream(nb, 2).split()[0]))


def test_nothing_is_left_to_say_on_stderr(tmp_path: Path) -> None:
    """A process that ran a notebook exits silently: no TCP warning from ipykernel, no
    'Could not destroy zmq context' from a kernel client left open at exit."""
    source = _notebook(tmp_path / "in.ipynb", "print(who)")
    code = ("import logging, sys; logging.basicConfig(level=logging.WARNING); "
            "from eperformance.kernels import execute_notebook; "
            "execute_notebook(sys.argv[1], sys.argv[2], {'who': 'x'}, sys.argv[3])")
    res = subprocess.run([sys.executable, "-c", code, str(source), str(tmp_path / "o.ipynb"),
                          str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert res.stderr == ""


# What ipykernel 7.4.0 printed on a CI run, from the kernel process, as a batch ended.
SHUTDOWN_RACE = """\
ERROR:tornado.general:Uncaught exception in ZMQStream callback
Traceback (most recent call last):
  File "/venv/lib/python3.11/site-packages/zmq/eventloop/zmqstream.py", line 585, in _log_error
    f.result()
  File "/venv/lib/python3.11/site-packages/ipykernel/kernelbase.py", line 372, in dispatch_control
    await self.process_control(msg)
  File "/venv/lib/python3.11/site-packages/ipykernel/kernelbase.py", line 408, in process_control
    sys.stderr.flush()
  File "/venv/lib/python3.11/site-packages/ipykernel/iostream.py", line 694, in flush
    self.pub_thread.schedule(self._flush)
  File "/venv/lib/python3.11/site-packages/ipykernel/iostream.py", line 343, in schedule
    self._event_pipe.send(b"")
  File "/venv/lib/python3.11/site-packages/zmq/sugar/socket.py", line 713, in send
    return super().send(data, flags=flags, copy=copy, track=track)
           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
  File "zmq/backend/cython/_zmq.py", line 1152, in zmq.backend.cython._zmq.Socket.send
  File "zmq/backend/cython/_zmq.py", line 1200, in zmq.backend.cython._zmq.Socket.send
  File "zmq/backend/cython/_zmq.py", line 1473, in zmq.backend.cython._zmq._send_copy
  File "zmq/backend/cython/_zmq.py", line 1468, in zmq.backend.cython._zmq._send_copy
  File "zmq/backend/cython/_zmq.py", line 190, in zmq.backend.cython._zmq._check_rc
zmq.error.ZMQError: Socket operation on non-socket
"""


def test_kernel_stderr_is_relayed_after_the_kernel_ended(tmp_path: Path, capfd, caplog) -> None:  # type: ignore[no-untyped-def]
    """What the kernel process itself writes on stderr (here from an exit handler, after
    ipykernel gave the real stderr back) does not land on our terminal as it is written:
    it is logged once the kernel has ended, as a WARNING; ipykernel's shutdown race
    traceback is recognised and only logged at DEBUG."""
    source = _notebook(
        tmp_path / "in.ipynb",
        "import atexit, os\n"
        f"race = {SHUTDOWN_RACE!r}\n"
        "atexit.register(lambda: os.write(2, (race + 'kernel says: disk full\\n').encode()))")
    caplog.set_level(logging.DEBUG, logger="eperformance.kernels")
    execute_notebook(source, tmp_path / "out.ipynb", {}, tmp_path)
    assert capfd.readouterr().err == ""
    records = [(r.levelno, r.getMessage()) for r in caplog.records
               if r.name == "eperformance.kernels"]
    warnings = [m for level, m in records if level == logging.WARNING]
    assert warnings == ["kernel wrote on stderr:\nkernel says: disk full"]
    assert any(level == logging.DEBUG and "shutdown race" in m for level, m in records)


def test_shutdown_race_is_told_apart_from_other_tracebacks(caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG, logger="eperformance.kernels")
    other = SHUTDOWN_RACE.replace("Socket operation on non-socket",
                                  "Resource temporarily unavailable")
    relay_kernel_stderr(SHUTDOWN_RACE + SHUTDOWN_RACE)
    relay_kernel_stderr(other)
    relay_kernel_stderr("")
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == ["kernel wrote on stderr:\n" + other.strip()]
    assert "2 traceback(s)" in caplog.records[0].getMessage()


def test_libzmq_shutdown_assertion_is_the_race_and_the_kernels_own_words_stay(caplog) -> None:  # type: ignore[no-untyped-def]
    """libzmq's signaler assertion at kernel shutdown (seen in CI after an exit handler's
    line) goes to DEBUG with the race; the kernel's own line is still a WARNING, and an
    assertion of another kind is not swallowed."""
    caplog.set_level(logging.DEBUG, logger="eperformance.kernels")
    zmq_assert = "Assertion failed: pfd.revents & POLLIN (src/signaler.cpp:238)\n"
    relay_kernel_stderr("kernel says: disk full\n" + zmq_assert)
    relay_kernel_stderr("Assertion failed: x > 0 (mine.c:1)\n")
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == ["kernel wrote on stderr:\nkernel says: disk full",
                        "kernel wrote on stderr:\nAssertion failed: x > 0 (mine.c:1)"]
    assert any(r.levelno == logging.DEBUG and "1 traceback(s)" in r.getMessage()
               for r in caplog.records)
