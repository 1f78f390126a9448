"""One-off papermill runs in a fresh IPC kernel (eperformance.kernels)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from papermill.exceptions import PapermillExecutionError

from eperformance.kernels import execute_notebook


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
