"""The Dokumen Evaluasi Kinerja (a quarter, semester or year: domain.md §7) and the angka
kredit line (issue 17): the card's numbers equal ``compute_period_scores``, each month's
row equals that month scored alone, both languages, escaping, SEMENTARA until the last
month's closing, on paper (a quarter's and a semester's card on one A4 page, a year's on
two at most with the signatures never alone: Chromium and WeasyPrint), ``eperf
card``/``eperf batch`` end to end (papermill, real files), a provisional period refused by
the batch (exit 4), the same record on every engine, and the functional employee's line
on the monthly card.

A tiny demo: 16 employees over April-June 2021 (a whole quarter), with functional levels.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader

from eperformance import pdf
from eperformance.batch import BatchOptions, run_batch
from eperformance.card import build_cards_context, card_from_context
from eperformance.db.engine import open_engine, upgrade
from eperformance.demo import generate_demo
from eperformance.errors import Refused
from eperformance.explorer.views import card_page
from eperformance.i18n import aspect_name, labels
from eperformance.ingest import run_ingest
from eperformance.params import load_scheme
from eperformance.render import card_html
from eperformance.scores import ScoreRequest, compute_period_scores, compute_scores
from eperformance.scoring.credits import credit_rows

REPO = Path(__file__).resolve().parents[1]
QUARTER = "2021-Q2"
MONTHS = ("2021-04", "2021-05", "2021-06")
LATER = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
BEFORE_JUNE_CLOSES = dt.datetime(2021, 7, 2, tzinfo=dt.UTC)  # June closes 5 July
RUN_ID = "20300101T000000Z-abcdef"


def _load(url: str, demo: Path) -> None:
    engine = open_engine(url, create=True)
    upgrade(engine)
    assert run_ingest(demo, engine).exit_code == 0
    engine.dispose()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("annual-demo")
    generate_demo(out, employees=16, start="2021-04", months=3, seed=5)
    return out


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory, demo: Path):  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("annual")
    home = root / "home"
    shutil.copytree(REPO / "params", home / "params")
    url = f"sqlite:///{home / 'data' / 'workbook.sqlite'}"
    (home / "data").mkdir()
    _load(url, demo)
    engine = open_engine(url)
    yield home, url, engine
    engine.dispose()


def _ctx(engine, home, period=QUARTER, now=LATER):  # type: ignore[no-untyped-def]
    return build_cards_context(engine, period, home=home, now=now)


def _functional(ctx) -> str:  # type: ignore[no-untyped-def]
    return sorted(ctx.credits)[0]


# --------------------------------------------------------------------------- the numbers
def test_quarter_card_equals_compute_period_scores(tiny) -> None:  # type: ignore[no-untyped-def]
    home, _, engine = tiny
    ctx = _ctx(engine, home)
    run = compute_period_scores(engine, ScoreRequest(period=QUARTER), home=home, now=LATER)
    by_nip = run.result.by_nip
    ranks = run.result.ranks()
    assert ctx.nips == sorted(by_nip)
    for nip in ctx.nips:
        card = card_from_context(ctx, nip, "id", RUN_ID, now=LATER)
        s = by_nip[nip]
        assert card.period == QUARTER and not card.is_monthly
        assert (card.nilai_skp, card.nilai_perilaku, card.nilai_akhir, card.main_figure,
                card.rating_hasil_kerja, card.rating_perilaku, card.predikat,
                card.keterangan) == (s.nilai_skp, s.nilai_perilaku, s.nilai_akhir,
                                     s.main_figure, s.rating_hasil_kerja, s.rating_perilaku,
                                     s.predikat, tuple(s.keterangan))
        assert {a.aspect: a.score for a in card.aspects} == s.aspect_scores
        entry = next(e for e in ranks[s.unit_code] if e.nip == nip)
        assert (card.standing.rank, card.standing.of) == (entry.rank, entry.of)
        assert card.months == tuple(run.result.month_results(nip))
        # no monthly detail on the period's card
        assert (card.assignments, card.tukin, card.verification, card.attendance) == (
            (), None, None, None)
        # signed on the closing date of the period's last month (5 July 2021)
        assert card.signature_date == dt.date(2021, 7, 5) and not card.provisional
    assert sum(c.predikat is not None for c in (
        card_from_context(ctx, n, "id", RUN_ID, now=LATER) for n in ctx.nips)) > 0


def test_month_rows_equal_each_month_scored_alone(tiny) -> None:  # type: ignore[no-untyped-def]
    home, _, engine = tiny
    ctx = _ctx(engine, home)
    cards = {n: card_from_context(ctx, n, "en", RUN_ID, now=LATER) for n in ctx.nips}
    for i, month in enumerate(MONTHS):
        alone = {s.nip: s for s in compute_scores(engine, ScoreRequest(period=month),
                                                  home=home, now=LATER).scores}
        for nip, card in cards.items():
            row, s = card.months[i], alone[nip]
            assert row.month == month
            assert (row.predikat, row.main_figure, row.nilai_skp, row.nilai_perilaku,
                    row.nilai_akhir, row.keterangan, row.n_assignments,
                    row.pending_entries) == (
                s.predikat, s.main_figure, s.nilai_skp, s.nilai_perilaku, s.nilai_akhir,
                tuple(s.keterangan), len(s.assignments), s.pending_entries), (nip, month)
            assert card.trend[i].main_figure == s.main_figure


def test_angka_kredit_of_the_period_and_of_a_month(tiny) -> None:  # type: ignore[no-untyped-def]
    home, _, engine = tiny
    quarter = _ctx(engine, home)
    nip = _functional(quarter)
    card = card_from_context(quarter, nip, "id", RUN_ID, now=LATER)
    run = compute_period_scores(engine, ScoreRequest(period=QUARTER), home=home, now=LATER)
    expected = {r.nip: r for r in credit_rows(run.scores, run.employees, QUARTER,
                                              load_scheme("permenpan-6-2022", home))}
    assert card.credit == expected[nip] and card.credit is not None
    assert card.credit.months == 3 and card.credit.period == QUARTER
    # the monthly card of the same functional employee: one line, months = 1
    may = _ctx(engine, home, "2021-05")
    monthly = card_from_context(may, nip, "id", RUN_ID, now=LATER)
    assert monthly.is_monthly and monthly.credit is not None
    assert (monthly.credit.months, monthly.credit.period) == (1, "2021-05")
    assert monthly.credit.predikat == monthly.predikat
    html = card_html(monthly)
    assert html.count('data-field="angka_kredit"') == 1
    assert f'data-value="{monthly.credit.written}"' in html
    assert "Angka kredit" in html and 'data-months="1"' in html
    # a non-functional employee's monthly card has no such line, and its content (the
    # fingerprint's input) has no credit or months key
    other = next(n for n in may.nips if n not in may.credits)
    plain = card_from_context(may, other, "id", RUN_ID, now=LATER)
    assert plain.credit is None and "angka_kredit" not in card_html(plain)
    assert "credit" not in plain.content() and "months" not in plain.content()


# --------------------------------------------------------------------------- the page
@pytest.mark.parametrize(("lang", "title", "label", "kind"), [
    ("id", "Dokumen Evaluasi Kinerja", "Triwulan II 2021", "Evaluasi kinerja triwulanan"),
    ("en", "Performance Evaluation Document", "Q2 2021", "Quarterly performance evaluation"),
])
def test_quarter_card_in_both_languages(tiny, lang: str, title: str, label: str,  # type: ignore[no-untyped-def]
                                        kind: str) -> None:
    home, _, engine = tiny
    ctx = _ctx(engine, home)
    nip = _functional(ctx)
    card = card_from_context(ctx, nip, lang, RUN_ID, now=LATER)
    html = card_html(card)
    assert title in html and label in html and kind in html
    assert 'data-kind="quarter"' in html and f'data-fingerprint="{card.fingerprint}"' in html
    assert [m for m in MONTHS if f'data-month="{m}"' in html] == list(MONTHS)
    assert f'data-field="predikat" data-value="{card.predikat or ""}"' in html
    assert 'data-table="aspects"' in html and 'data-field="angka_kredit"' in html
    assert 'data-months="3"' in html
    assert "SEMENTARA" not in html and 'data-table="assignments"' not in html
    assert "Rapor Personal" not in html and "Personal Performance Report" not in html
    if card.predikat and lang == "en":
        assert card.predikat in html  # predikat labels stay Indonesian


def test_employee_text_is_escaped_and_fingerprinted(tiny) -> None:  # type: ignore[no-untyped-def]
    home, _, engine = tiny
    ctx = _ctx(engine, home)
    nip = ctx.nips[0]
    ctx.people[nip] = dataclasses.replace(ctx.people[nip], name="<script>alert(1)</script>",
                                          position='"><img src=x onerror=alert(1)>')
    card = card_from_context(ctx, nip, "id", RUN_ID, now=LATER)
    html = card_html(card)
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    # the fingerprint covers every month's row: a changed row changes it
    assert card.months
    changed = dataclasses.replace(card, months=(dataclasses.replace(
        card.months[0], predikat="Sangat Kurang"), *card.months[1:]))
    from eperformance.card import card_fingerprint
    assert card_fingerprint(changed) != card.fingerprint
    assert card_fingerprint(card) == card.fingerprint


def test_provisional_until_the_last_months_closing(tiny) -> None:  # type: ignore[no-untyped-def]
    home, _, engine = tiny
    ctx = _ctx(engine, home, now=BEFORE_JUNE_CLOSES)
    card = card_from_context(ctx, ctx.nips[0], "id", RUN_ID, now=BEFORE_JUNE_CLOSES)
    assert card.provisional and card.closing_time.date() == dt.date(2021, 7, 5)
    html = card_html(card)
    assert 'data-field="provisional"' in html and "SEMENTARA" in html
    assert "bulan terakhirnya" in html


# --------------------------------------------------------------------------- on paper
@pytest.fixture(scope="module")
def chromium() -> Iterator[pdf.ChromiumRenderer]:
    """The batch's printer: one headless Chromium for the module (skipped only when
    /usr/bin/chromium is missing and EPERF_REQUIRE_SERVERS is unset)."""
    if not Path(pdf.DEFAULT_CHROMIUM).exists():
        msg = f"{pdf.DEFAULT_CHROMIUM} is missing (apt-get install chromium)"
        if os.environ.get("EPERF_REQUIRE_SERVERS"):
            pytest.fail(msg + " (EPERF_REQUIRE_SERVERS is set)")
        pytest.skip(msg)
    with pdf.ChromiumRenderer(pdf.DEFAULT_CHROMIUM) as renderer:
        yield renderer


def _printer(name: str, chromium_fixture: str, request: pytest.FixtureRequest) -> pdf.PdfRenderer:
    if name == "chromium":
        return request.getfixturevalue(chromium_fixture)  # type: ignore[no-any-return]
    return pdf.WeasyPrintRenderer()


def _pages(data: bytes, tmp_path: Path) -> list[str]:
    """Each page's text, its white space collapsed (pdftotext ends each page with a form
    feed); as many as the PDF has pages."""
    path = tmp_path / "card.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    pages = [" ".join(page.split()) for page in text.split("\f")]
    if pages and not pages[-1]:
        pages.pop()
    assert len(pages) == len(PdfReader(io.BytesIO(data)).pages)
    return pages


def test_every_quarter_card_prints_on_one_page(tiny, chromium, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Every employee's quarter card, both languages, printed as the batch prints them
    (Chromium, eight cards a document, cut back): one A4 page, signatures included."""
    home, _, engine = tiny
    ctx = _ctx(engine, home)
    for lang in ("id", "en"):
        L = labels(lang)
        cards = [card_from_context(ctx, nip, lang, RUN_ID, now=LATER) for nip in ctx.nips]
        printed = chromium.pdf_many([card_page(card) for card in cards])
        for card, data in zip(cards, printed, strict=True):
            pages = _pages(data, tmp_path)
            assert len(pages) == 1, (card.employee.nip, lang, len(pages))
            assert f"{L['signature_assessor']}," in pages[0]
            assert card.employee.nip_display in pages[0]


@pytest.mark.parametrize("printer", ["chromium", "weasyprint"])
@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("period", [QUARTER, "2021-S1"])
def test_a_quarter_or_semester_card_is_one_page(tiny, request: pytest.FixtureRequest,  # type: ignore[no-untyped-def]
                                                 tmp_path: Path, period: str, lang: str,
                                                 printer: str) -> None:
    """The functional employee's card (the longest: an angka kredit line), on either
    printer: one page holding the figures, the months, the behaviour and the signatures."""
    home, _, engine = tiny
    ctx = _ctx(engine, home, period=period)
    card = card_from_context(ctx, _functional(ctx), lang, RUN_ID, now=LATER)
    assert card.credit is not None and len(card.months) == (3 if period == QUARTER else 6)
    L = labels(lang)
    pages = _pages(_printer(printer, "chromium", request).pdf(card_page(card)), tmp_path)
    assert len(pages) == 1, (period, lang, printer, len(pages))
    for text in (L["period_result"].upper(), L["period_months"].upper(),
                 L["behaviour_period"].upper(), f"{L['signature_employee']},",
                 f"{L['signature_assessor']},", L["fingerprint"]):
        assert text in pages[0], text


@pytest.mark.parametrize("printer", ["chromium", "weasyprint"])
@pytest.mark.parametrize("lang", ["id", "en"])
def test_a_year_card_keeps_the_signatures_with_the_last_section(  # type: ignore[no-untyped-def]
        tiny, request: pytest.FixtureRequest, tmp_path: Path, lang: str,
        printer: str) -> None:
    """A year (twelve rows and the chart below them) takes two pages at most; the
    behaviour section, the note and the signatures break as one block, so the page with
    the signatures also holds the behaviour section, whole, and no other page has them."""
    home, _, engine = tiny
    ctx = _ctx(engine, home, period="2021")
    card = card_from_context(ctx, _functional(ctx), lang, RUN_ID, now=LATER)
    assert len(card.months) == 12 and card.aspects
    L = labels(lang)
    pages = _pages(_printer(printer, "chromium", request).pdf(card_page(card)), tmp_path)
    assert 1 <= len(pages) <= 2, (lang, printer, len(pages))
    signed = [i for i, text in enumerate(pages) if f"{L['signature_assessor']}," in text]
    assert signed == [len(pages) - 1]
    last = pages[-1]
    assert f"{L['signature_employee']}," in last and L["fingerprint"] in last
    # the section before the signatures, from its heading to its last row, on that page
    assert L["behaviour_period"].upper() in last and L["monthly_detail_note"][:40] in last
    assert all(aspect_name(a.aspect) in last for a in card.aspects)
    assert all(L["behaviour_period"].upper() not in text for text in pages[:-1])
    # and never alone: the first page is the header, the figures and the months
    assert L["period_result"].upper() in pages[0] and L["period_months"].upper() in pages[0]


@pytest.mark.parametrize("period", [QUARTER, "2021"])
def test_the_signatures_are_never_alone_on_a_page(tiny, chromium, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                   period: str) -> None:
    """Wherever the page breaks before them (a blank block of 0 to 250 mm pushed in
    before the last section, 10 mm at a time), the signatures share their page with the
    whole behaviour section: the two move to the next page together."""
    home, _, engine = tiny
    ctx = _ctx(engine, home, period=period)
    for lang in ("id", "en"):
        L = labels(lang)
        card = card_from_context(ctx, _functional(ctx), lang, RUN_ID, now=LATER)
        page = card_page(card)
        closing = '<div class="closing">'
        assert page.count(closing) == 1
        printed = chromium.pdf_many([
            page.replace(closing, f'<div style="height:{mm}mm"></div>{closing}')
            for mm in range(0, 260, 10)])
        for mm, data in zip(range(0, 260, 10), printed, strict=True):
            pages = _pages(data, tmp_path)
            signed = [i for i, text in enumerate(pages)
                      if f"{L['signature_assessor']}," in text]
            assert signed == [len(pages) - 1], (period, lang, mm)
            last = pages[-1]
            assert L["behaviour_period"].upper() in last, (period, lang, mm)
            assert all(aspect_name(a.aspect) in last for a in card.aspects), (period, lang, mm)


# --------------------------------------------------------------------------- end to end
def _environ(home: Path, url: str) -> dict[str, str]:
    env = dict(os.environ, EPERF_HOME=str(home), DATABASE_URL=url)
    return env


def _eperf(environ: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "eperformance.cli", *args],
                          capture_output=True, text=True, env=environ, timeout=600)


def test_eperf_card_for_a_quarter(tiny) -> None:  # type: ignore[no-untyped-def]
    home, url, engine = tiny
    nip = _functional(_ctx(engine, home))
    res = _eperf(_environ(home, url), "card", "--nip", nip, "--period", "2021-q2",
                 "--format", "html", "--lang", "en")
    assert res.returncode == 0, res.stderr
    path = home / "outputs" / QUARTER / "single" / f"{nip}_permenpan-6-2022_en.html"
    page = path.read_text(encoding="utf-8")
    assert "Performance Evaluation Document" in page and "Q2 2021" in page
    assert all(f'data-month="{m}"' in page for m in MONTHS)
    assert oct(path.stat().st_mode & 0o777) == "0o640"


def test_eperf_batch_for_a_quarter(tiny) -> None:  # type: ignore[no-untyped-def]
    home, url, engine = tiny
    environ = _environ(home, url)
    res = _eperf(environ, "batch", "--period", QUARTER, "--unit", "REHSOS", "--format",
                 "html,xlsx", "--quiet")
    assert res.returncode == 0, res.stderr + res.stdout
    run = (home / "outputs" / QUARTER / "REHSOS" / "latest").resolve()
    manifest = json.loads((run / "manifest.json").read_text())
    cards = sorted(p.stem for p in (run / "cards").glob("*.html"))
    assert cards and cards == sorted(manifest["cards"])
    assert manifest["status"] == "ok" and manifest["period_kind"] == "quarter"
    assert manifest["months"] == list(MONTHS) and manifest["tukin"] is None
    assert not (run / "tukin.csv").exists()
    assert "tunjangan kinerja is monthly" in (run / "run.log").read_text()
    # the quarter's unit recap and workbook, from the quarter's scores
    assert set(manifest["recap"]) == {"recap.ipynb", "recap.html", "recap.xlsx"}
    recap = (run / "recap.html").read_text(encoding="utf-8")
    assert "Triwulan II 2021" in recap and "Rekapitulasi Kinerja Unit" in recap
    from openpyxl import load_workbook

    book = load_workbook(run / "recap.xlsx", read_only=True)
    assert "Tunjangan kinerja" not in book.sheetnames  # the allowance is monthly only
    page = (run / "cards" / f"{cards[0]}.html").read_text(encoding="utf-8")
    assert "Dokumen Evaluasi Kinerja" in page and "Triwulan II 2021" in page
    ctx = build_cards_context(engine, QUARTER, unit="REHSOS", home=home, now=LATER)
    assert cards == ctx.nips
    # the cards' fingerprints are those computed in-process: a rerun has nothing to do
    again = _eperf(environ, "batch", "--period", QUARTER, "--unit", "REHSOS", "--format",
                   "html,xlsx", "--quiet")
    assert again.returncode == 0 and "up to date" in again.stdout


def test_batch_refuses_an_open_period_unless_provisional(tiny, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    home, url, _ = tiny
    monkeypatch.setenv("EPERF_HOME", str(home))
    monkeypatch.setenv("DATABASE_URL", url)
    with pytest.raises(Refused, match=r"2021-Q2 is not closed yet \(its last month, "
                                      r"2021-06\)") as exc:
        run_batch(BatchOptions(period=QUARTER, unit="REHSOS", formats=("html",), quiet=True),
                  now=BEFORE_JUNE_CLOSES)
    assert exc.value.exit_code == 4
    result = run_batch(BatchOptions(period="2021-q2", unit="REHSOS", formats=("html",),
                                    quiet=True, provisional=True), now=BEFORE_JUNE_CLOSES)
    assert result.period == QUARTER and result.provisional and result.exit_code == 0
    card = next((result.folder / "cards").glob("*.html")).read_text()
    assert "SEMENTARA" in card


# --------------------------------------------------------------------------- engines
def test_same_annual_card_on_every_engine(any_db_url: str, demo: Path, tiny) -> None:  # type: ignore[no-untyped-def]
    home, _, sqlite_engine = tiny
    _load(any_db_url, demo)
    engine = open_engine(any_db_url)
    try:
        ctx = _ctx(engine, home)
        reference = _ctx(sqlite_engine, home)
        assert ctx.nips == reference.nips
        for nip in ctx.nips:
            mine = card_from_context(ctx, nip, "id", RUN_ID, now=LATER)
            theirs = card_from_context(reference, nip, "id", RUN_ID, now=LATER)
            assert mine.fingerprint == theirs.fingerprint, nip
            assert mine.months == theirs.months and mine.credit == theirs.credit
    finally:
        engine.dispose()
