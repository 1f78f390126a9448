"""``eperf card`` end to end (papermill, nbconvert with eperf-rapor, WeasyPrint), the HTML
page and the PDF it writes, and the template as the plain ``jupyter nbconvert`` sees it."""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest

from eperformance import render
from eperformance.render import MAX_CARD_BYTES, TEMPLATE_NAME
from test_cards_support import TinyDb, build_tiny_db

BIN = Path(sys.executable).parent


def eperf(db: TinyDb, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / "eperf"), *args], capture_output=True, text=True,
                          env=db.env(), timeout=300)


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TinyDb]:
    tiny = build_tiny_db(tmp_path_factory.mktemp("render"))
    yield tiny
    tiny.engine.dispose()


@pytest.fixture(scope="module")
def card_run(db: TinyDb) -> subprocess.CompletedProcess[str]:
    """One ``eperf card`` of the best employee, HTML and PDF, in Indonesian."""
    return eperf(db, "card", "--nip", db.strong, "--period", db.period)


@pytest.fixture(scope="module")
def card_page(db: TinyDb, card_run: subprocess.CompletedProcess[str]) -> str:
    assert card_run.returncode == 0, card_run.stderr
    return (db.home / "outputs" / db.period / "single"
            / f"{db.strong}_permenpan-6-2022_id.html").read_text()


class Page(HTMLParser):
    """Tags with their attributes, and the text, of an HTML page."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.fields: dict[str, dict[str, str]] = {}
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.tags.append((tag, a))
        if "data-field" in a:
            self.fields.setdefault(a["data-field"], a)


# --------------------------------------------------------------------------- eperf card
def test_pdf_fonts_are_subset_by_harfbuzz() -> None:
    """WeasyPrint subsets the card's fonts with HarfBuzz when libharfbuzz-subset (>= 4.1)
    is installed (make sysdeps); without it, with fontTools: same PDF content, 1.6x the
    time per card in a batch."""
    from weasyprint.text.ffi import harfbuzz, harfbuzz_subset

    assert harfbuzz_subset is not None, "libharfbuzz-subset0 is missing: run make sysdeps"
    assert harfbuzz.hb_version_atleast(4, 1, 0)


def test_card_command_writes_html_and_pdf(db: TinyDb, card_run: subprocess.CompletedProcess[str]
                                          ) -> None:
    assert card_run.returncode == 0, card_run.stderr
    folder = db.home / "outputs" / db.period / "single"
    name = f"{db.strong}_permenpan-6-2022_id"
    assert sorted(p.name for p in folder.iterdir()) == [f"{name}.html", f"{name}.pdf"]
    assert all(p.stat().st_mode & 0o777 == 0o640 for p in folder.iterdir())
    assert folder.stat().st_mode & 0o777 == 0o750
    assert re.search(r"run \d{8}T\d{6}Z-[0-9a-f]{6}", card_run.stdout)
    assert "Traceback" not in card_run.stderr
    # nothing on stderr: the kernel speaks over IPC sockets (ipykernel has no TCP warning
    # to print) and its client is closed before the process exits
    assert card_run.stderr == ""


def test_card_numbers_equal_eperf_score(db: TinyDb, card_page: str, tmp_path: Path) -> None:
    out = tmp_path / "scores.csv"
    res = eperf(db, "score", "--period", db.period, "--out", str(out),
                "--assignments-out", str(tmp_path / "assignments.csv"))
    assert res.returncode == 0, res.stderr
    with out.open(newline="") as fh:
        row = next(r for r in csv.DictReader(fh) if r["nip"] == db.strong)
    page = Page(card_page)
    for name in ("nilai_skp", "nilai_perilaku", "predikat", "rating_hasil_kerja",
                 "rating_perilaku"):
        assert page.fields[name]["data-value"] == row[name], name
    # the number as shown: Indonesian decimal comma
    shown = row["nilai_skp"].replace(".", ",")
    assert shown in card_page
    with (tmp_path / "assignments.csv").open(newline="") as fh:
        expected = {r["assignment_id"]: r["capaian"] for r in csv.DictReader(fh)
                    if r["nip"] == db.strong}
    shown_capaian = dict(re.findall(
        r'data-assignment="([^"]+)">.*?data-col="capaian" data-value="([^"]*)"', card_page,
        flags=re.S))
    assert shown_capaian == expected


def test_card_page_is_self_contained(card_page: str) -> None:
    page = Page(card_page)
    tags = {t for t, _ in page.tags}
    assert not tags & {"script", "link", "img", "iframe", "object", "embed", "video", "audio"}
    for tag, attrs in page.tags:
        for attr in ("src", "srcset", "data", "poster"):
            assert attr not in attrs, (tag, attr)
        if "href" in attrs and tag != "a":  # SVG internal references only
            assert attrs["href"].startswith("#"), (tag, attrs["href"])
    assert not re.search(r"url\(\s*['\"]?(?!#)", card_page), "no url() in CSS"
    assert "@import" not in card_page and "@font-face" not in card_page
    assert len(card_page.encode()) <= MAX_CARD_BYTES
    assert "<svg" in card_page  # the charts, inline
    assert "In&nbsp;[" not in card_page and "jp-InputArea" not in card_page  # no code/prompts


def test_card_shows_the_required_parts(db: TinyDb, card_page: str) -> None:
    page = Page(card_page)
    assert page.fields["period_label"] is not None and "Januari 2021" in card_page
    assert "Kementerian Sosial Republik Indonesia" in card_page
    assert "Peraturan Menteri PANRB Nomor 6 Tahun 2022" in card_page
    assert re.search(r"\d{8} \d{6} \d \d{3}", card_page)  # NIP printed with spaces
    assert page.fields["rank"]["data-value"].isdigit()
    assert re.search(r'data-field="fingerprint">[0-9a-f]{64}<', card_page)
    assert re.search(r'data-field="run_id">\d{8}T\d{6}Z-[0-9a-f]{6}<', card_page)
    for part in ("Disiplin kehadiran", "Tren enam bulan", "Pejabat penilai", "Jakarta, "):
        assert part in card_page


def test_pdf_has_the_name_and_predikat(db: TinyDb, card_page: str) -> None:
    from pypdf import PdfReader

    pdf = db.home / "outputs" / db.period / "single" / f"{db.strong}_permenpan-6-2022_id.pdf"
    reader = PdfReader(pdf)
    text = " ".join(p.extract_text() for p in reader.pages)
    text = re.sub(r"\s+", " ", text)
    page = Page(card_page)
    name = re.search(r'<dt>Nama</dt><dd>([^<]+)</dd>', card_page).group(1)  # type: ignore[union-attr]
    assert name.split(",")[0] in text
    assert page.fields["predikat"]["data-value"] in text
    box = reader.pages[0].mediabox
    assert (round(float(box.width) * 25.4 / 72), round(float(box.height) * 25.4 / 72)) == (
        210, 297)
    if shutil.which("pdftotext"):
        out = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True)
        assert page.fields["predikat"]["data-value"] in out.stdout


def test_nip_with_dot_dot_is_refused_before_writing(db: TinyDb, tmp_path: Path) -> None:
    env_home = tmp_path / "home"
    shutil.copytree(db.home / "params", env_home / "params")
    res = subprocess.run([str(BIN / "eperf"), "card", "--nip", "../../etc/passwd",
                          "--period", db.period], capture_output=True, text=True,
                         env=db.env(EPERF_HOME=str(env_home)), timeout=120)
    assert res.returncode == 2
    assert res.stderr.startswith("eperf: error: invalid parameter 'nip'")
    assert not (env_home / "outputs").exists()


def test_unknown_nip_and_empty_period_exit_2(db: TinyDb, tmp_path: Path) -> None:
    env_home = tmp_path / "home"
    shutil.copytree(db.home / "params", env_home / "params")
    for args in (["--nip", "196510251988122009", "--period", db.period],
                 ["--nip", db.strong, "--period", "2030-01"],
                 ["--nip", db.strong, "--period", db.period, "--format", "docx"]):
        res = subprocess.run([str(BIN / "eperf"), "card", *args], capture_output=True,
                             text=True, env=db.env(EPERF_HOME=str(env_home)), timeout=120)
        assert res.returncode == 2, res.stderr
        assert "Traceback" not in res.stderr and res.stderr.startswith("eperf: error: ")
    assert not (env_home / "outputs").exists()


# --------------------------------------------------------------------------- template
def test_template_is_installed_for_the_plain_jupyter_command(db: TinyDb, tmp_path: Path) -> None:
    """``jupyter nbconvert --to html --no-input --template eperf-rapor`` works in this
    environment (a wheel installs a copy; an editable install gets a link on import)."""
    installed = render.installed_template_dir()
    assert (installed / "index.html.j2").read_text() == (
        render.template_dir() / "index.html.j2").read_text()
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    nb = new_notebook(cells=[new_code_cell("x", outputs=[new_output(
        "display_data", data={"text/html": "<p class='x'>kartu</p>",
                              "text/plain": "kartu"}, metadata={"eperf": {"title": "T"}})])])
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, path)
    res = subprocess.run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input",
                          "--template", TEMPLATE_NAME, str(path)], capture_output=True,
                         text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    out = (tmp_path / "nb.html").read_text()
    assert '<p class="x">kartu</p>' in out and "<title>T</title>" in out
    assert "<script" not in out
