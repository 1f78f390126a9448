"""The explorer's card of a quarter, a semester or a year is the *Dokumen Evaluasi Kinerja*
the batch and ``eperf card`` make (issue 17): the same record and fingerprint, the same
page byte for byte (but the run id and the time it was generated), downloads as HTML and
as a real PDF, in Indonesian and English, with hostile text escaped.

A tiny database (``test_cards_support``: 21 employees, January and February 2021, so the
first quarter and the year 2021 have data in two of their months), where one employee's
name and position and their unit's name are HTML injections.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sqlalchemy import update

from eperformance import i18n
from eperformance.batch import BatchOptions, run_batch
from eperformance.batch.single import make_single_card
from eperformance.card import build_card
from eperformance.db import schema as s
from eperformance.db.engine import open_engine, upgrade
from eperformance.explorer import Explorer, ExplorerData, PeriodKey, views
from eperformance.ingest import run_ingest
from eperformance.nip import format_nip
from eperformance.runparams import RaporParams, validate
from test_cards_support import XSS_DESCRIPTION, TinyDb, build_tiny_db

QUARTER, YEAR = "2021-Q1", "2021"
RUN_ID = "20300101T000000Z-abcdef"
EVIL_NAME = "Budi <script>alert('nama')</script>"
EVIL_POSITION = '"><img src=x onerror=alert(1)>'
EVIL_UNIT = "Unit <b onmouseover=alert(2)>& Co</b>"


def _poison(engine, nip: str) -> str:  # type: ignore[no-untyped-def]
    """Give ``nip`` a hostile name and position, and their unit a hostile name; return
    the unit's code."""
    with engine.begin() as conn:
        unit = conn.execute(s.employees.select().where(s.employees.c.nip == nip)).one().unit_code
        conn.execute(update(s.employees).where(s.employees.c.nip == nip)
                     .values(name=EVIL_NAME, position=EVIL_POSITION))
        conn.execute(update(s.units).where(s.units.c.unit_code == unit).values(name=EVIL_UNIT))
    return str(unit)


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TinyDb]:
    tiny = build_tiny_db(tmp_path_factory.mktemp("explorer-annual"))
    assert tiny.withheld != tiny.strong
    _poison(tiny.engine, tiny.withheld)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("EPERF_HOME", str(tiny.home))
        mp.setenv("DATABASE_URL", tiny.url)
        yield tiny
    tiny.engine.dispose()


@pytest.fixture(scope="module")
def data(db: TinyDb) -> ExplorerData:
    return ExplorerData(engine=db.engine, home=db.home)


@pytest.fixture
def app(data: ExplorerData, tmp_path: Path) -> Explorer:
    return Explorer(data, period=QUARTER, out_root=tmp_path / "outputs")


def _params(nip: str, period: str, lang: str = "id") -> RaporParams:
    return validate(RaporParams, nip=nip, period=period, lang=lang, run_id=RUN_ID)


def _same_time(page: str, lang: str) -> str:
    """``page`` with its generation time (the only text that depends on the clock of the
    moment it was made) replaced."""
    label = re.escape(i18n.t("generated", lang))
    out, n = re.subn(rf"{label}: [^<]*<", f"{i18n.t('generated', lang)}: …<", page)
    assert n == 1
    return out


class _Parsed(HTMLParser):
    """The elements (tag, attribute names), the scripts' text and the visible text of a
    page."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[str]]] = []
        self.scripts: list[str] = []
        self._parts: list[str] = []
        self._in_script = False
        self.feed(page)
        self.close()
        self.text = " ".join("".join(self._parts).split())

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, [name for name, _ in attrs]))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        (self.scripts if self._in_script else self._parts).append(data)


def pdftotext(path: Path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


# --------------------------------------------------------------------------- the record
def test_every_quarter_card_is_the_batch_record(data: ExplorerData, db: TinyDb) -> None:
    """The same record as ``build_card`` (what ``eperf card`` and each batch card make
    from the employee's unit's scores), for every employee: fingerprint and all."""
    key = PeriodKey(QUARTER)
    nips = list(data.period(key).employees["nip"])
    assert {db.strong, db.empty, db.xss} <= set(nips)
    for nip in nips:
        mine = data.card(key, nip, "id", RUN_ID)
        theirs = build_card(db.engine, _params(nip, QUARTER), home=db.home)
        assert mine.fingerprint == theirs.fingerprint, nip
        assert mine.content() == theirs.content()
        assert mine.period == QUARTER and not mine.is_monthly and len(mine.months) == 3
    # the period's context is built once (on the first card), then only assembled
    base = data.period(key)._card_base
    assert base is not None and base.period_run is data.period(key).run
    data.card(key, db.strong, "en")
    assert data.period(key)._card_base is base


def test_a_year_card_is_the_batch_record(data: ExplorerData, db: TinyDb) -> None:
    mine = data.card(PeriodKey(YEAR), db.strong, "en", RUN_ID)
    theirs = build_card(db.engine, _params(db.strong, YEAR, "en"), home=db.home)
    assert mine.fingerprint == theirs.fingerprint and mine.predikat == theirs.predikat
    assert [m.month for m in mine.months] == [f"2021-{m:02d}" for m in range(1, 13)]
    assert mine.predikat  # the year holds January and February


# --------------------------------------------------------------------------- the page
@pytest.mark.slow
@pytest.mark.parametrize(("period", "lang", "title"), [
    (QUARTER, "id", "Dokumen Evaluasi Kinerja"),
    (YEAR, "en", "Performance Evaluation Document"),
])
def test_the_page_is_what_eperf_card_writes(data: ExplorerData, db: TinyDb, tmp_path: Path,
                                            period: str, lang: str, title: str) -> None:
    """``eperf card`` (papermill, the card notebook in a fresh kernel, nbconvert, the PDF
    printer) and the explorer write the same page; both PDFs carry the card's text."""
    single = make_single_card(_params(db.strong, period, lang), db_url=db.url,
                              formats=("html", "pdf"), out_root=tmp_path / "cli")
    app = Explorer(data, period=period, lang=lang, out_root=tmp_path / "explorer")
    app.select_employee(db.strong)
    record = app.card_record
    assert record is not None and record.fingerprint == single.fingerprint
    assert record.lang == lang and record.period == period
    html_path, pdf_path = app.make_html(), app.make_pdf()
    assert html_path is not None and pdf_path is not None
    # the same file names as eperf card's, in the explorer's outputs/<period>/single/
    assert html_path.name == single.paths["html"].name
    assert pdf_path.name == single.paths["pdf"].name
    assert html_path.parent == tmp_path / "explorer" / period / "single"
    page = html_path.read_text(encoding="utf-8")
    theirs = single.paths["html"].read_text(encoding="utf-8")
    assert _same_time(page.replace(record.run_id, RUN_ID), lang) == _same_time(theirs, lang)
    assert title in page and f'data-fingerprint="{record.fingerprint}"' in page
    for path in (pdf_path, single.paths["pdf"]):
        assert path.read_bytes().startswith(b"%PDF-")
        text = pdftotext(path)
        assert title in text and format_nip(db.strong) in text
        assert record.employee.name in text and (record.predikat or "") in text
    assert oct(pdf_path.stat().st_mode & 0o777) == "0o640"
    assert oct(html_path.stat().st_mode & 0o777) == "0o640"


@pytest.mark.slow
def test_the_page_is_what_the_batch_writes(data: ExplorerData, db: TinyDb) -> None:
    """``eperf batch`` for the quarter and the employee's unit: each card the batch
    writes equals the explorer's page of that employee (but the generation time)."""
    unit = str(data.period(PeriodKey(QUARTER)).employees.set_index("nip")
               .loc[db.strong, "unit_code"])
    result = run_batch(BatchOptions(period=QUARTER, unit=unit, formats=("html",),
                                    quiet=True, progress="none"))
    assert result.exit_code == 0 and result.status == "ok"
    cards = sorted((result.folder / "cards").glob("*.html"))
    assert db.strong in [p.stem for p in cards]
    for path in cards:
        record = data.card(PeriodKey(QUARTER), path.stem, "id", result.run_id)
        assert _same_time(views.card_page(record), "id") == \
            _same_time(path.read_text(encoding="utf-8"), "id"), path.stem


# --------------------------------------------------------------------------- the app
def test_the_card_tab_shows_the_annual_card(app: Explorer, db: TinyDb) -> None:
    app.select_employee(db.strong)
    record = app.card_record
    assert record is not None and record.period == QUARTER
    view = app.card_view.value
    assert 'class="eperf eperf-card eperf-annual"' in view and 'data-kind="quarter"' in view
    assert "Dokumen Evaluasi Kinerja" in view and "Triwulan I 2021" in view
    assert f'data-fingerprint="{record.fingerprint}"' in view
    assert all(f'data-month="2021-0{m}"' in view for m in (1, 2, 3))
    assert f'data-predikat="{record.predikat}"' in app.card_summary.value
    assert not app.pdf_button.disabled and not app.html_button.disabled
    assert app.error.value == "" and app.card_busy.value == ""


def test_downloads_in_english(app: Explorer, db: TinyDb, tmp_path: Path) -> None:
    app.select_employee(db.strong)
    app.lang.value = "en"
    record = app.card_record
    assert record is not None and record.lang == "en"
    assert "Performance Evaluation Document" in app.card_view.value
    assert "<h1>Performance Evaluation Document</h1>" in app.card_view.value
    assert "<h1>Dokumen Evaluasi Kinerja</h1>" not in app.card_view.value
    assert app.html_button.description == "Download card (HTML)"
    html_path, pdf_path = app.make_html(), app.make_pdf()
    single = tmp_path / "outputs" / QUARTER / "single"
    assert html_path == single / f"{db.strong}_permenpan-6-2022_en.html"
    assert pdf_path == single / f"{db.strong}_permenpan-6-2022_en.pdf"
    assert html_path.read_text(encoding="utf-8") == views.card_page(record)
    text = pdftotext(pdf_path)
    assert "Performance Evaluation Document" in text and "Q1 2021" in text
    assert format_nip(db.strong) in text
    assert 'href="data:text/html;charset=utf-8;base64,' in app.html_link.value
    assert f'download="{html_path.name}"' in app.html_link.value
    assert 'href="data:application/pdf;base64,' in app.pdf_link.value
    assert f'download="{pdf_path.name}"' in app.pdf_link.value


def test_hostile_text_is_escaped(app: Explorer, db: TinyDb) -> None:
    """A name, a position and a unit name that are HTML injections are shown as text on
    the card, its summary line and the downloaded page. (The entries' descriptions and
    notes, with an injection too, are on the monthly card only.)"""
    app.select_employee(db.withheld)
    record = app.card_record
    assert record is not None and record.employee.name == EVIL_NAME
    assert (record.employee.position, record.employee.unit_name) == (EVIL_POSITION, EVIL_UNIT)
    page = views.card_page(record)
    for shown in (app.card_view.value, app.card_summary.value, page):
        parsed = _Parsed(shown)
        assert not any(tag == "img" or any(a.startswith("on") for a in attrs)
                       for tag, attrs in parsed.tags), "an injected element"
        assert not any("alert" in script for script in parsed.scripts)
        assert EVIL_NAME in parsed.text  # shown as text
    parsed = _Parsed(page)
    assert EVIL_POSITION in parsed.text and EVIL_UNIT in parsed.text
    html_path = app.make_html()
    assert html_path is not None and html_path.read_text(encoding="utf-8") == page
    app.select_employee(db.xss)  # the owner of the injected entry
    assert app.card_record is not None and app.card_record.period == QUARTER
    assert XSS_DESCRIPTION not in app.card_view.value


def test_the_card_follows_the_period(app: Explorer, db: TinyDb) -> None:
    """With an employee chosen, another period (or scheme) shows that period's card."""
    app.select_employee(db.strong)
    for period, kind in ((db.period, None), (YEAR, "year"), ("2021-S1", "semester"),
                         (QUARTER, "quarter")):
        app.period.value = period
        record = app.card_record
        assert app.employee.value == db.strong and record is not None
        assert record.period == period, (period, record.period)
        if kind is None:
            assert record.is_monthly and "eperf-annual" not in app.card_view.value
        else:
            assert f'data-kind="{kind}"' in app.card_view.value
    app.scheme.value = "pp-30-2019"
    assert app.card_record is not None and app.card_record.scheme == "pp-30-2019"
    assert app.card_record.period == QUARTER
    app.scheme.value = "permenpan-6-2022"
    assert app.card_record.scheme == "permenpan-6-2022"


def test_an_employee_without_data_gets_a_card_saying_so(app: Explorer, db: TinyDb) -> None:
    app.select_employee(db.empty)
    record = app.card_record
    assert record is not None and record.predikat is None
    assert "notice_period_no_assignment" in record.notices
    assert 'data-predikat=""' in app.card_summary.value


# --------------------------------------------------------------------------- engines
@pytest.mark.servers
@pytest.mark.parametrize("server", ["pg_url", "mysql_url"])
def test_same_explorer_card_on_every_engine(server: str, request: pytest.FixtureRequest,
                                            data: ExplorerData, db: TinyDb) -> None:
    url = str(request.getfixturevalue(server))
    engine = open_engine(url, create=True)
    try:
        upgrade(engine)
        assert run_ingest(db.home.parent / "demo", engine).exit_code == 0
        _poison(engine, db.withheld)
        other = ExplorerData(engine=engine, home=db.home)
        for period in (QUARTER, YEAR):
            key = PeriodKey(period)
            nips = list(data.period(key).employees["nip"])
            assert list(other.period(key).employees["nip"]) == nips
            for nip in nips:
                assert other.card(key, nip).fingerprint == data.card(key, nip).fingerprint, \
                    (period, nip)
    finally:
        engine.dispose()

