"""The parameterised notebooks: thin templates matching their run-parameter models, run
with the plain papermill command on a tiny database, rendered with the plain nbconvert."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import nbformat
import papermill as pm
import pytest
from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from eperformance import i18n
from eperformance.runparams import BatchParams, RaporParams, RekapUnitParams
from test_cards_support import REPO, XSS_DESCRIPTION, XSS_NOTE, TinyDb, build_tiny_db

BIN = Path(sys.executable).parent
NOTEBOOKS: dict[str, type[BaseModel]] = {
    "10-rapor-personal.ipynb": RaporParams,
    "20-rekap-unit.ipynb": RekapUnitParams,
    "40-batch-bulanan.ipynb": BatchParams,
}


def _existing() -> list[str]:
    return [n for n in NOTEBOOKS if (REPO / "notebooks" / n).is_file()]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TinyDb]:
    tiny = build_tiny_db(tmp_path_factory.mktemp("notebooks"))
    yield tiny
    tiny.engine.dispose()


# --------------------------------------------------------------------------- structure
@pytest.mark.parametrize("name", _existing())
def test_notebook_parameters_equal_the_model_fields(name: str) -> None:
    model = NOTEBOOKS[name]
    found = pm.inspect_notebook(str(REPO / "notebooks" / name))
    assert list(found) == list(model.model_fields)
    for field, info in model.model_fields.items():
        assert found[field]["help"], f"{name}: parameter {field} has no comment"
        if info.default is not PydanticUndefined:
            assert ast.literal_eval(found[field]["default"]) == info.default, field


@pytest.mark.parametrize("name", ["10-rapor-personal.ipynb", "20-rekap-unit.ipynb"])
def test_notebook_is_a_thin_template_without_outputs(name: str) -> None:
    nb = nbformat.read(REPO / "notebooks" / name, as_version=4)
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and tagged[0] is nb.cells[1]
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        assert cell.outputs == [] and cell.execution_count is None
        tree = ast.parse(cell.source)
        for node in ast.walk(tree):
            assert not isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.Lambda, ast.BinOp)), (
                name, cell.source)
        assert not re.search(r"\b(SELECT|INSERT|UPDATE)\b", cell.source)
        for node in ast.walk(tree) if cell is tagged[0] else ():
            if isinstance(node, ast.Assign):
                assert isinstance(node.value, ast.Constant), "parameters are literals"
    calls = [c for c in nb.cells[2:] if c.cell_type == "code"]
    assert "from eperformance" in calls[0].source
    assert all(c.source.startswith("display(") for c in calls[1:])


# --------------------------------------------------------------------------- runs
def _papermill(db: TinyDb, name: str, out: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "papermill"), str(REPO / "notebooks" / name), str(out), *args,
         "--no-progress-bar"],
        capture_output=True, text=True, env=db.env(), timeout=300, cwd=db.home)


def _nbconvert(db: TinyDb, path: Path) -> str:
    res = subprocess.run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input",
                          "--template", "eperf-rapor", str(path)],
                         capture_output=True, text=True, env=db.env(), timeout=120)
    assert res.returncode == 0, res.stderr
    return path.with_suffix(".html").read_text(encoding="utf-8")


def test_card_notebook_runs_with_papermill_and_a_parameter_file(db: TinyDb, tmp_path: Path
                                                                ) -> None:
    out = tmp_path / "card.ipynb"
    res = _papermill(db, "10-rapor-personal.ipynb", out, "-f", str(REPO / "params/rapor.yaml"),
                     "-p", "nip", db.xss, "-p", "period", db.period, "-p", "lang", "en")
    assert res.returncode == 0, res.stderr
    executed = out.read_text(encoding="utf-8")
    assert db.url not in executed  # the database reaches the kernel through its environment
    page = _nbconvert(db, out)
    # English, escaped, self-contained
    assert "Personal Performance Report Card" in page and 'lang="en"' in page
    assert i18n.LABELS["id"]["card_title"] not in page
    assert "<script" not in page and "<img" not in page
    text = re.sub(r"<[^>]+>", "", page)
    import html

    assert XSS_DESCRIPTION in html.unescape(text) and XSS_NOTE in html.unescape(text)
    assert "from eperformance" not in page  # no code


def test_card_notebook_accepts_a_numeric_nip(db: TinyDb, tmp_path: Path) -> None:
    """papermill ``-p nip 1965...`` injects an integer: the card is still made."""
    out = tmp_path / "n.ipynb"
    pm.execute_notebook(str(REPO / "notebooks/10-rapor-personal.ipynb"), str(out),
                        parameters={"nip": int(db.empty), "period": db.period},
                        kernel_name="python3", progress_bar=False, cwd=str(db.home))
    nb = nbformat.read(out, as_version=4)
    shown = json.dumps([o.get("data", {}) for c in nb.cells for o in c.get("outputs", [])])
    assert "Belum ada penugasan bulan ini" in shown


@pytest.fixture(autouse=True)
def _kernel_env(db: TinyDb, monkeypatch: pytest.MonkeyPatch) -> None:
    """Kernels started in-process by papermill inherit this environment."""
    monkeypatch.setenv("EPERF_HOME", str(db.home))
    monkeypatch.setenv("DATABASE_URL", db.url)


def test_wrong_parameter_ends_the_notebook_with_one_line(db: TinyDb, tmp_path: Path) -> None:
    out = tmp_path / "bad.ipynb"
    with pytest.raises(pm.PapermillExecutionError) as exc:
        pm.execute_notebook(str(REPO / "notebooks/10-rapor-personal.ipynb"), str(out),
                            parameters={"nip": "196510251988122009", "period": db.period},
                            kernel_name="python3", progress_bar=False)
    assert exc.value.ename == "UsageError"
    assert exc.value.evalue == "unknown NIP '196510251988122009'"
    assert exc.value.traceback[0] == "UsageError: unknown NIP '196510251988122009'"
    assert len(exc.value.traceback) <= 2  # the line and its hint, no deep traceback
    assert out.is_file()  # papermill leaves the failed notebook behind


def test_recap_notebook_runs(db: TinyDb, tmp_path: Path) -> None:
    out = tmp_path / "recap.ipynb"
    res = _papermill(db, "20-rekap-unit.ipynb", out, "-f",
                     str(REPO / "params/rekap-unit.yaml"), "-p", "period", db.period)
    assert res.returncode == 0, res.stderr
    page = _nbconvert(db, out)
    assert "Rekapitulasi Kinerja Unit" in page and 'data-table="units"' in page
    assert "Januari 2021" in page and "<script" not in page
