"""The explorer driven from Python (no browser): selectors change the views, the card is
the batch's card, the PDF and the batch actions work; the notebook is thin; ``eperf app``
refuses a missing database."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest

from eperformance.card import build_card
from eperformance.explorer import ALL, Explorer, ExplorerData, PeriodKey
from eperformance.explorer.serve import HOST, voila_command
from eperformance.runparams import RaporParams, validate
from eperformance.unit_recap import NO_PREDIKAT
from test_cards_support import REPO, TinyDb, build_tiny_db


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TinyDb]:
    tiny = build_tiny_db(tmp_path_factory.mktemp("explorer"))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("EPERF_HOME", str(tiny.home))
        mp.setenv("DATABASE_URL", tiny.url)
        yield tiny
    tiny.engine.dispose()


@pytest.fixture(scope="module")
def data(db: TinyDb) -> ExplorerData:
    return ExplorerData(engine=db.engine, home=db.home)


@pytest.fixture
def app(data: ExplorerData, db: TinyDb, tmp_path: Path) -> Explorer:
    return Explorer(data, period=db.period, out_root=tmp_path / "outputs")


def _rows(view_html: str, css: str) -> int:
    m = re.search(rf'class="eperf-x {css}" data-rows="(\d+)"', view_html)
    return int(m.group(1)) if m else 0


def _first_column(view_html: str) -> list[str]:
    return re.findall(r"<tr(?: class=\"bad\")?><td>([^<]*)</td>", view_html)


def _leaf_unit_with_staff(app: Explorer) -> str:
    """A unit with employees and without sub-units."""
    sel = app.selection
    assert sel is not None
    for code in sel.units["unit_code"]:
        if app.data.subtree(code) == (code,) and (sel.employees["unit_code"] == code).sum() >= 2:
            return str(code)
    raise AssertionError("the tiny database has no staffed leaf unit")


# --------------------------------------------------------------------------- selectors
def test_opens_on_the_whole_organisation(app: Explorer, db: TinyDb) -> None:
    assert app.period.value == db.period and app.unit.value == ALL
    sel = app.selection
    assert sel is not None and len(sel.employees) == len(app.data.period(app.key).employees)
    assert _rows(app.recap_view.value, "eperf-recap-table") == len(sel.units) > 1
    assert "<svg" in app.distribution_view.value
    assert app.error.value == ""


def test_choosing_a_unit_narrows_every_view(app: Explorer) -> None:
    all_units = _rows(app.recap_view.value, "eperf-recap-table")
    all_backlog = _rows(app.backlog_view.value, "eperf-backlog-table")
    all_people = len(app.employee.options)
    leaf = _leaf_unit_with_staff(app)
    app.unit.value = leaf
    assert _first_column(app.recap_view.value) == [leaf]
    assert _rows(app.recap_view.value, "eperf-recap-table") == 1 < all_units
    assert 0 < _rows(app.backlog_view.value, "eperf-backlog-table") <= all_backlog
    sel = app.selection
    assert sel is not None and set(sel.employees["unit_code"]) == {leaf}
    assert 0 < len(app.employee.options) < all_people
    assert f"unit {leaf} sendiri" in app.distribution_view.value
    app.unit.value = ALL
    assert _rows(app.recap_view.value, "eperf-recap-table") == all_units


def test_a_unit_holds_its_sub_units(app: Explorer) -> None:
    parent = next(c for _, c in app.data.unit_options()
                  if c and len(app.data.subtree(c)) > 1)
    app.unit.value = parent
    sel = app.selection
    assert sel is not None
    assert set(sel.units["unit_code"]) <= set(app.data.subtree(parent))
    assert set(sel.employees["unit_code"]) <= set(app.data.subtree(parent))


def test_filters_and_search(app: Explorer, db: TinyDb) -> None:
    app.predikat.value = "Baik"
    assert app.employee.options and all(label.endswith("· Baik")
                                        for label, _ in app.employee.options)
    app.predikat.value = NO_PREDIKAT
    nips = [nip for _, nip in app.employee.options]
    assert db.empty in nips
    assert _rows(app.missing_view.value, "eperf-missing-table") == len(nips)
    app.predikat.value = ALL
    grade = next(g for g in app.grade.options if g[1])[1]
    app.grade.value = grade
    sel = app.selection
    assert sel is not None and set(sel.employees["grade"]) == {grade}
    app.grade.value = ALL
    app.search.value = db.strong[:8] + " " + db.strong[8:14]  # NIP typed with a space
    assert [nip for _, nip in app.employee.options] == [db.strong]
    name = app.data.period(app.key).employees.set_index("nip").loc[db.strong, "name"]
    app.search.value = str(name).split()[0].lower()
    assert db.strong in [nip for _, nip in app.employee.options]


def test_recap_sorts_by_a_column(app: Explorer) -> None:
    app.sort_by.value = "headcount"
    app.descending.value = True
    sel = app.selection
    assert sel is not None
    biggest = sel.units.sort_values(["headcount", "unit_code"], ascending=[False, True])
    assert _first_column(app.recap_view.value)[0] == biggest["unit_code"].iloc[0]
    assert 'data-col="headcount" class=sorted' in app.recap_view.value
    app.descending.value = False
    assert _first_column(app.recap_view.value)[0] != biggest["unit_code"].iloc[0] or \
        biggest["headcount"].nunique() == 1


def test_supervisor_view_and_missing_list_carry_the_withheld(data: ExplorerData,
                                                             db: TinyDb) -> None:
    """§5: the employee whose entry awaits verification is in the missing list with the
    supervisor who owes the decision, and that supervisor's row counts them."""
    from eperformance.explorer import views
    from eperformance.explorer.data import Filters

    sel = data.select(PeriodKey(db.period), Filters())
    row = sel.missing.set_index("nip").loc[db.withheld]
    assert "verifikasi belum selesai" in row["keterangan"]
    sup = row["supervisor_nip"]
    backlog = sel.supervisors.set_index("supervisor_nip")
    assert backlog.loc[sup, "withheld_reports"] >= 1
    assert backlog["withheld_reports"].sum() == sel.employees["keterangan"].str.contains(
        "verifikasi belum selesai").sum()
    page = views.backlog_html(sel)
    assert "Pegawai tertahan (verifikasi belum selesai)" in page
    assert "NIP atasan" in views.missing_html(sel)


def test_period_is_computed_once_and_cached(app: Explorer, db: TinyDb) -> None:
    first = app.data.period(app.key)
    app.unit.value = _leaf_unit_with_staff(app)
    app.search.value = "a"
    assert app.data.period(app.key) is first
    assert app.data.cached(PeriodKey(db.period)) and app.timings["selection"] < 5


def test_other_scheme_has_its_own_labels_and_no_curve(app: Explorer) -> None:
    app.scheme.value = "pp-30-2019"
    assert "Kurva distribusi hanya berlaku untuk permenpan-6-2022" in \
        app.distribution_view.value
    assert [c for _, c in app.sort_by.options if c in ("Sangat Baik", "Baik")]
    app.scheme.value = "permenpan-6-2022"


# --------------------------------------------------------------------------- card
def test_card_is_the_batch_card(app: Explorer, db: TinyDb) -> None:
    app.select_employee(db.strong)
    record = app.card_record
    assert record is not None and record.employee.nip == db.strong
    single = build_card(db.engine, validate(RaporParams, nip=db.strong, period=db.period),
                        home=db.home)
    assert record.fingerprint == single.fingerprint
    assert record.predikat == single.predikat and record.predikat
    assert record.employee.name.split(",")[0] in app.card_view.value
    assert record.predikat in app.card_view.value
    assert f'data-predikat="{record.predikat}"' in app.card_summary.value
    assert "<svg" in app.card_view.value  # the trend chart
    assert app.card_busy.value == "" and app.timings["card"] < 30
    other = next(nip for _, nip in app.employee.options if nip != db.strong)
    app.employee.value = other
    assert app.card_record is not None and app.card_record.employee.nip == other
    assert app.card_record.fingerprint == build_card(
        db.engine, validate(RaporParams, nip=other, period=db.period),
        home=db.home).fingerprint


def test_employee_without_data_gets_a_card_saying_so(app: Explorer, db: TinyDb) -> None:
    app.select_employee(db.empty)
    assert app.card_record is not None and app.card_record.predikat is None
    assert 'data-predikat=""' in app.card_summary.value


def test_card_language(app: Explorer, db: TinyDb) -> None:
    app.select_employee(db.strong)
    app.lang.value = "en"
    assert app.card_record is not None and app.card_record.lang == "en"
    app.lang.value = "id"


def test_pdf_download(app: Explorer, db: TinyDb, tmp_path: Path) -> None:
    app.select_employee(db.strong)
    path = app.make_pdf()
    assert path == (tmp_path / "outputs" / db.period / "single"
                    / f"{db.strong}_permenpan-6-2022_id.pdf")
    assert path.stat().st_mode & 0o777 == 0o640 and path.parent.stat().st_mode & 0o777 == 0o750
    assert path.read_bytes().startswith(b"%PDF")
    assert 'href="data:application/pdf;base64,' in app.pdf_link.value
    assert f'download="{db.strong}_permenpan-6-2022_id.pdf"' in app.pdf_link.value


def test_html_download(app: Explorer, db: TinyDb, tmp_path: Path) -> None:
    """The card's page as the batch writes it, where ``eperf card`` writes it."""
    from eperformance.explorer import views

    app.select_employee(db.strong)
    assert not app.html_button.disabled
    path = app.make_html()
    assert path == (tmp_path / "outputs" / db.period / "single"
                    / f"{db.strong}_permenpan-6-2022_id.html")
    assert path.stat().st_mode & 0o777 == 0o640
    assert app.card_record is not None
    assert path.read_text(encoding="utf-8") == views.card_page(app.card_record)
    assert 'href="data:text/html;charset=utf-8;base64,' in app.html_link.value
    assert f'download="{path.name}"' in app.html_link.value
    app.employee.value = next(nip for _, nip in app.employee.options if nip != db.strong)
    assert app.html_link.value == "" and app.pdf_link.value == ""  # not another's card


def test_card_of_someone_outside_the_unit_is_cleared(app: Explorer, db: TinyDb) -> None:
    app.select_employee(db.strong)
    unit = app.data.period(app.key).employees.set_index("nip").loc[db.strong, "unit_code"]
    other = next(c for _, c in app.data.unit_options()
                 if c and unit not in app.data.subtree(c))
    app.unit.value = other
    assert app.employee.value is None and app.card_view.value == ""
    assert app.pdf_button.disabled


# --------------------------------------------------------------------------- batch
@pytest.mark.slow
def test_batch_for_the_unit_fills_the_progress_bar(app: Explorer, db: TinyDb) -> None:
    leaf = _leaf_unit_with_staff(app)
    app.unit.value = leaf
    result = app.run_batch()
    assert app.error.value == "", app.error.value
    assert result is not None and result.status == "ok", app.batch_result.value
    staff = int((app.data.period(app.key).employees["unit_code"] == leaf).sum())
    assert result.total == staff == app.progress.max == app.progress.value
    assert (result.folder / "cards").is_dir()
    assert sorted(p.stem for p in (result.folder / "cards").glob("*.html")) == sorted(
        app.data.period(app.key).employees.query("unit_code == @leaf")["nip"])
    assert 'data-status="ok"' in app.batch_result.value
    assert not app.batch_button.disabled


def test_errors_are_one_line(app: Explorer, db: TinyDb) -> None:
    app.period.options = [*app.period.options, "2030-01"]
    app.period.value = "2030-01"
    assert "no data for 2030-01" in app.error.value
    app.period.value = db.period
    assert app.error.value == ""


# --------------------------------------------------------------------------- notebook, CLI
def test_notebook_is_thin_without_parameters() -> None:
    nb = nbformat.read(REPO / "notebooks" / "30-explorer.ipynb", as_version=4)
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert not any("parameters" in c.metadata.get("tags", []) for c in nb.cells)
    for cell in code:
        assert cell.outputs == [] and cell.execution_count is None
        for node in ast.walk(ast.parse(cell.source)):
            assert not isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.Lambda,
                                         ast.BinOp))
    assert "from eperformance.explorer import" in code[0].source
    assert all(c.source.startswith("display(") for c in code[1:])


def test_notebook_runs_with_papermill(db: TinyDb, tmp_path: Path) -> None:
    out = tmp_path / "explorer.ipynb"
    res = subprocess.run([str(Path(sys.executable).parent / "papermill"),
                          str(REPO / "notebooks" / "30-explorer.ipynb"), str(out),
                          "--no-progress-bar"], capture_output=True, text=True, env=db.env(),
                         timeout=300, cwd=db.home)
    assert res.returncode == 0, res.stderr[-2000:]
    nb = nbformat.read(out, as_version=4)
    shown = [o for o in nb.cells[-1].outputs if o.output_type == "display_data"]
    assert shown and "application/vnd.jupyter.widget-view+json" in shown[0].data
    assert db.url not in out.read_text()


def test_voila_command_is_localhost_without_code() -> None:
    argv = voila_command(REPO / "notebooks" / "30-explorer.ipynb", 9999)
    assert f"--Voila.ip={HOST}" in argv and HOST == "127.0.0.1"
    assert "--strip_sources=True" in argv and "--port=9999" in argv
    assert "--KernelManager.transport=ipc" in argv  # kernels on sockets, not TCP ports


def test_app_refuses_a_missing_database(home: Path) -> None:
    res = subprocess.run([sys.executable, "-m", "eperformance.cli", "app", "--db",
                          f"sqlite:///{home / 'nope.sqlite'}"], capture_output=True, text=True,
                         timeout=60)
    assert res.returncode == 5, res.stderr
    assert "Traceback" not in res.stderr


# --------------------------------------------------------------------------- papercuts
def test_a_search_leaving_one_employee_selects_them(app: Explorer, db: TinyDb) -> None:
    app.search.value = db.strong[:14]
    assert [nip for _, nip in app.employee.options] == [db.strong]
    assert app.employee.value == db.strong
    assert app.card_record is not None and app.card_record.employee.nip == db.strong
    assert f'data-nip="{db.strong}"' in app.card_summary.value
    app.search.value = ""  # more than one listed again: the choice stays
    assert app.employee.value == db.strong


def test_the_chosen_employee_survives_a_unit_change(app: Explorer, db: TinyDb) -> None:
    app.employee.value = db.strong
    record = app.card_record
    assert record is not None
    unit = app.data.period(app.key).employees.set_index("nip").loc[db.strong, "unit_code"]
    parent = next((c for _, c in app.data.unit_options() if c and c != unit
                   and unit in app.data.subtree(c)), None)
    for code in (unit, parent, ALL):
        if code is None:
            continue
        app.unit.value = code
        assert app.employee.value == db.strong, code
        assert app.card_record is record  # not reloaded either
        assert f'data-nip="{db.strong}"' in app.card_summary.value


def _visible_text(html_text: str) -> str:
    """The text of a view (tags, styles and the chart's markup out)."""
    text = re.sub(r"<style>.*?</style>", " ", html_text, flags=re.S)
    return re.sub(r"<[^>]+>", " ", text)


def _labels_shown(app: Explorer) -> str:
    parts = [w.description for w in (app.period, app.scheme, app.lang, app.unit, app.search,
                                     app.position_type, app.grade, app.predikat, app.sort_by,
                                     app.descending, app.employee, app.pdf_button,
                                     app.batch_formats, app.batch_provisional,
                                     app.batch_button, app.progress)]
    parts += [app.search.placeholder, app.unit.options[0][0], app.grade.options[0][0],
              _visible_text(app.intro.value)]
    parts += [app.tabs.get_title(i) for i in range(len(app.tabs.children))]
    parts += [label for label, _ in app.sort_by.options]
    parts += [_visible_text(v.value) for v in (app.status, app.recap_view,
                                               app.distribution_view, app.backlog_view,
                                               app.missing_view, app.employees_view,
                                               app.card_summary)]
    return "\n".join(parts)


INDONESIAN = ("Periode", "Cari pegawai", "nama atau NIP", "semua", "Urutkan", "menurun",
              "Rekap unit", "Kartu", "pegawai cocok", "Pelanggaran", "Rata-rata", "Bawahan",
              "Keterangan", "Nama", "paling banyak", "pegawai berpredikat", "seluruh",
              "Tanpa predikat", "belum ada penugasan", "verifikasi belum selesai", "Unduh",
              "dengan sub-unitnya")
ENGLISH = ("Period", "Find employee", "name or NIP", "all", "Sort by", "descending",
           "Unit recap", "Card", "employees match", "breaches", "Mean", "Direct reports",
           "Reason", "Name", "at most", "at least", "rated employees", "whole organisation",
           "No overall rating", "no assignment", "not finished", "Download")


def test_every_label_follows_the_language(app: Explorer, db: TinyDb) -> None:
    leaf = app.data.period(app.key).employees.set_index("nip").loc[db.withheld, "unit_code"]
    app.unit.value = leaf
    app.employee.value = db.withheld
    shown_id = _labels_shown(app)
    assert "paling banyak" in shown_id and "at most" not in shown_id
    assert not [w for w in ENGLISH if re.search(rf"\b{re.escape(w)}\b", shown_id)], shown_id
    assert re.search(r">\s*\d+,\d\d\s*<", app.recap_view.value)  # 85,50
    assert not re.search(r">\s*\d+\.\d\d\s*<", app.recap_view.value)

    app.lang.value = "en"
    shown_en = _labels_shown(app)
    assert app.unit.value == leaf and app.employee.value == db.withheld
    assert app.card_record is not None and app.card_record.lang == "en"
    assert "at most" in shown_en and "paling banyak" not in shown_en
    assert not [w for w in INDONESIAN if re.search(rf"\b{re.escape(w)}\b", shown_en)], \
        shown_en
    assert re.search(r">\s*\d+\.\d\d\s*<", app.recap_view.value)  # 85.50
    assert not re.search(r">\s*\d+,\d\d\s*<", app.recap_view.value)
    # regulatory values keep their Indonesian labels
    assert "Sangat Baik" in app.distribution_view.value and "Baik" in shown_en

    app.lang.value = "id"
    assert _labels_shown(app) == shown_id
