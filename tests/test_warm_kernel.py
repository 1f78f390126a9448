"""Warm kernels: namespace cleared between notebooks, recycled by count, a dead kernel
replaced and its card retried once (real kernels, tiny notebooks)."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from eperformance.batch.executors import warm
from eperformance.batch.jobs import CardJob


def notebook(*sources: str, parameters: str = "nip = ''") -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(parameters)
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell] + [nbformat.v4.new_code_cell(s) for s in sources]
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python",
                                 "display_name": "Python 3"}
    return nb


def kernel_pid(k: warm.WarmKernel) -> int:
    nb = k.execute(notebook("import os; print(os.getpid())"))
    return int(nb.cells[1].outputs[0]["text"].strip())


@pytest.fixture
def kernel() -> warm.WarmKernel:
    k = warm.WarmKernel({}, warm.WarmSettings(max_cards=3, max_rss_mb=4096, timeout=60))
    k.start()
    yield k
    k.close()


def test_namespace_is_cleared_between_notebooks(kernel: warm.WarmKernel) -> None:
    kernel.execute(notebook("secret_rows = ['198001012005011001']", "secret_rows"))
    nb = kernel.execute(notebook(
        "needle = '19' + '80'\n"  # not the literal: this cell's own input is in In
        "print('secret_rows' in dir(), needle in str(Out), needle in str(globals().get('_')),"
        " needle in str(In))"))
    # neither the name, nor the output history (Out, _), nor the input history keeps it
    assert nb.cells[1].outputs[0]["text"].strip() == "False False False False"


def test_kernel_is_recycled_after_max_cards(kernel: warm.WarmKernel) -> None:
    first = kernel_pid(kernel)
    assert kernel_pid(kernel) == first
    third = kernel_pid(kernel)  # the third card is still executed by the same kernel...
    assert third == first and kernel.restarts == 1  # ...which is then replaced
    assert kernel_pid(kernel) != first


def test_kernel_past_its_memory_bound_is_recycled() -> None:
    k = warm.WarmKernel({}, warm.WarmSettings(max_cards=100, max_rss_mb=128, timeout=60))
    k.start()
    try:
        before = k.restarts
        k.execute(notebook("ballast = bytearray(200 * 1024 * 1024)"))
        assert k.restarts == before + 1
    finally:
        k.close()


def test_dead_kernel_is_replaced_and_its_card_retried_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DATABASE_URL", "EPERF_HOME", "EPERF_NOW", "EPERF_BATCH_SCOPE"):
        monkeypatch.setenv(name, "")  # a job sets them in this process: restored after
    marker = tmp_path / "died-once"
    source = (f"import os, signal, pathlib\nm = pathlib.Path({str(marker)!r})\n"
              "if not m.exists():\n    m.touch()\n    os.kill(os.getpid(), signal.SIGKILL)\n"
              "print('card body')")
    path = tmp_path / "card.ipynb"
    nbformat.write(notebook(source), path)
    (tmp_path / "run" / "cards").mkdir(parents=True)
    job = CardJob(nip="198001012005011001", period="2021-01", scheme="permenpan-6-2022",
                  lang="id", use_360=False, run_id="", formats=("html",),
                  run_folder=str(tmp_path / "run"), db_url="sqlite://", notebook=str(path),
                  home=str(tmp_path), now="2021-03-01T00:00:00+00:00")
    warm.start_worker({}, warm.WarmSettings(timeout=60))
    try:
        outcome = warm.warm_card_job(job)
        assert outcome.status == "ok", outcome.error
        assert marker.exists()
        assert (tmp_path / "run" / "cards" / f"{job.nip}.html").is_file()
        # a card that kills its kernel every time fails after one retry, cleanly
        nbformat.write(notebook("import os, signal; os.kill(os.getpid(), signal.SIGKILL)"),
                       path)
        warm._TEMPLATES.clear()  # noqa: SLF001
        outcome = warm.warm_card_job(job)
        assert outcome.status == "failed"
        assert (tmp_path / "run" / "failed" / f"{job.nip}.ipynb").is_file()
    finally:
        assert warm.worker_started()
        warm.stop_worker()
