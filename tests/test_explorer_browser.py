"""The explorer in a real browser: ``eperf app`` (Voilà) on a free localhost port against a
tiny database, driven by Playwright with the system Chromium (never a downloaded browser),
opening the URL with the token that ``eperf app`` printed (without it: the login page).

Chooses a unit and an employee and checks that the predikat the page shows equals the one
``eperf score`` writes for that employee; then the quarter: the employee's *Dokumen
Evaluasi Kinerja*, with the quarter's predikat of ``eperf score``, and its HTML and PDF
downloads. A screenshot is saved under the test's tmp dir
(and copied to ``docs/explorer.png`` when ``EPERF_SCREENSHOT_DOCS=1``).

Skips only when ``/usr/bin/chromium`` is missing and ``EPERF_REQUIRE_SERVERS`` is unset
(CI sets it and installs Chromium, so there it fails instead).
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from app_server_support import BIN, START_TIMEOUT, AppServer, app_server, wait_until
from test_cards_support import REPO, TinyDb, build_tiny_db

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]

pytestmark = pytest.mark.slow


def _require_browser() -> None:
    if CHROMIUM.exists():
        return
    msg = f"{CHROMIUM} is missing (apt-get install chromium)"
    if os.environ.get("EPERF_REQUIRE_SERVERS"):
        pytest.fail(msg + " (EPERF_REQUIRE_SERVERS is set)")
    pytest.skip(msg)


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TinyDb]:
    tiny = build_tiny_db(tmp_path_factory.mktemp("explorer-browser"))
    yield tiny
    tiny.engine.dispose()


@pytest.fixture(scope="module")
def server(db: TinyDb, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    """``eperf app`` on a free port; terminated (with its kernels) at the end."""
    _require_browser()
    with app_server(db, tmp_path_factory.mktemp("voila")) as srv:
        yield srv


def _score_predikat(db: TinyDb, nip: str, tmp_path: Path, period: str | None = None) -> str:
    """``nip``'s predikat as ``eperf score`` writes it for ``period`` (default: the tiny
    database's month)."""
    period = period or db.period
    out = tmp_path / f"scores-{period}.csv"
    res = subprocess.run([str(BIN / "eperf"), "score", "--period", period, "--out", str(out),
                          "--db", db.url], capture_output=True, text=True, env=db.env(),
                         timeout=300)
    assert res.returncode == 0, res.stderr
    with out.open(newline="", encoding="utf-8") as fh:
        rows = {r["nip"]: r for r in csv.DictReader(fh)}
    return rows[nip]["predikat"]


def _quarter(month: str) -> str:
    """The quarter holding ``month`` (``2021-01`` -> ``2021-Q1``)."""
    year, number = month.split("-")
    return f"{year}-Q{(int(number) - 1) // 3 + 1}"


def _unit_of(db: TinyDb, nip: str) -> str:
    from sqlalchemy import text

    with db.engine.connect() as conn:
        return str(conn.execute(text("SELECT unit_code FROM employees WHERE nip = :n"),
                                {"n": nip}).scalar_one())


def test_without_the_token_the_browser_gets_the_login_page(server: AppServer) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(server.base, timeout=START_TIMEOUT * 1000)
            assert "/login" in page.url
            assert page.locator("input[type=password]").count() >= 1
            assert page.locator(".eperf-unit").count() == 0
        finally:
            browser.close()
    assert not server.kernel_pids()


def test_choose_unit_and_employee_shows_the_scored_predikat(
        server: AppServer, db: TinyDb, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    url, log = server.url, server.log
    nip = db.strong
    unit = _unit_of(db, nip)
    expected = _score_predikat(db, nip, tmp_path)
    assert expected
    shot = tmp_path / "explorer.png"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(START_TIMEOUT * 1000)
            page.goto(url, timeout=START_TIMEOUT * 1000)
            page.wait_for_selector(".eperf-unit select")
            page.wait_for_selector(".eperf-recap table")
            # no code on the page
            assert page.locator(".jp-CodeMirrorEditor, .jp-InputArea-editor").count() == 0
            assert "explorer_app" not in page.content()

            # the tiny database's month (the explorer opens on the newest one)
            page.select_option(".eperf-period select", value=db.period)
            page.wait_for_function(
                "p => document.querySelector('.eperf-status-line')?.innerText.startsWith(p)",
                arg=db.period)

            # choose the employee's unit: the option whose value starts with the code
            value = page.eval_on_selector(
                ".eperf-unit select",
                "(s, code) => [...s.options].map(o => o.value)"
                ".find(v => v.replace(/^(· )*/, '').startsWith(code + ' — '))", unit)
            assert value, unit
            page.select_option(".eperf-unit select", value=value)
            page.wait_for_function(
                "code => { const t = document.querySelector('.eperf-recap table');"
                " return t && t.innerText.includes(code) && t.rows.length >= 2; }", arg=unit)

            # choose the employee: type part of the NIP, then pick them in the list
            page.fill(".eperf-search input", nip[:8])
            page.wait_for_function(  # the list shows only matches of the whole search
                "part => { const o = [...document.querySelectorAll('.eperf-employee option')];"
                " return o.length > 0 && o.every(x => x.value.includes(part)); }", arg=nip[:8])
            page.get_by_role("tab", name="Kartu").click()
            option = page.eval_on_selector(
                ".eperf-employee select",
                "(s, nip) => [...s.options].map(o => o.value).find(v => v.includes(nip))", nip)
            for _ in range(3):  # a late list update may drop a too-early choice: choose again
                page.select_option(".eperf-employee select", value=option)
                try:
                    page.wait_for_selector(f'.eperf-card-head[data-nip="{nip}"]', timeout=20_000)
                    break
                except Exception:  # noqa: BLE001 - retried, then reported below
                    continue
            try:
                page.wait_for_selector(f'.eperf-card-head[data-nip="{nip}"]')
            except Exception:
                page.screenshot(path=str(shot), full_page=True)
                error = page.locator(".eperf-error").inner_text()
                raise AssertionError(f"no card; error: {error!r}; screenshot {shot}") from None
            shown = page.locator(".eperf-card-head .eperf-predikat").inner_text().strip()
            assert shown == expected
            assert page.locator(".eperf-card-view").inner_text().count(expected) >= 1
            page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 10_000

            # the quarter: the same employee's Dokumen Evaluasi Kinerja, and its downloads
            quarter = _quarter(db.period)
            page.select_option(".eperf-period select", value=quarter)
            page.wait_for_selector(
                f'.eperf-card-view .eperf-annual[data-period="{quarter}"][data-nip="{nip}"]')
            assert "Dokumen Evaluasi Kinerja" in page.locator(".eperf-card-view").inner_text()
            predikat = page.locator('.eperf-annual [data-field="predikat"]').get_attribute(
                "data-value")
            assert predikat == _score_predikat(db, nip, tmp_path, quarter)
            assert page.locator(".eperf-card-head").get_attribute("data-predikat") == predikat
            page.locator(".eperf-html-button").click()
            page.wait_for_selector(".eperf-html-download")
            page.locator(".eperf-pdf-button").click()
            page.wait_for_selector(".eperf-pdf-download", timeout=120_000)
            assert page.locator(".eperf-pdf-download").get_attribute("download") == \
                f"{nip}_permenpan-6-2022_id.pdf"
            page.screenshot(path=str(tmp_path / "explorer-quarter.png"), full_page=True)
        finally:
            browser.close()
    # the page's kernel spoke over IPC sockets: no TCP port, no ipykernel warning in the log
    text = log.read_text()
    assert "Kernel started" in text and "TCP" not in text, text[-3000:]
    if os.environ.get("EPERF_SCREENSHOT_DOCS") == "1":
        shutil.copyfile(shot, REPO / "docs" / "explorer.png")


def test_the_page_asks_no_other_host(server: AppServer, db: TinyDb, tmp_path: Path) -> None:
    """Loading the page and using it (a month, a unit, a search that leaves one employee,
    the English view) requests nothing from any host but 127.0.0.1: no CDN for icons or
    fonts (Voilà's lab page linked Font Awesome from cdn.jsdelivr.net). Requests to other
    hosts are recorded and aborted, so the test never reaches the network. Screenshots of
    the Indonesian and the English view are saved (``explorer-id.png``, ``explorer-en.png``
    under the test's tmp dir)."""
    from urllib.parse import urlsplit

    from playwright.sync_api import Route, sync_playwright

    foreign: list[str] = []

    def guard(route: Route) -> None:
        url = route.request.url
        if url.startswith(("data:", "blob:")) or urlsplit(url).hostname in ("127.0.0.1",
                                                                             "localhost"):
            route.continue_()
        else:
            foreign.append(url)
            route.abort()

    nip = db.strong
    unit = _unit_of(db, nip)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 1100})
            context.route("**/*", guard)
            page = context.new_page()
            page.on("request", lambda r: None if urlsplit(r.url).hostname in (
                "127.0.0.1", "localhost") or r.url.startswith(("data:", "blob:"))
                else foreign.append(r.url))
            page.set_default_timeout(START_TIMEOUT * 1000)
            page.goto(server.url, timeout=START_TIMEOUT * 1000)
            page.wait_for_selector(".eperf-recap table")
            page.select_option(".eperf-period select", value=db.period)
            page.wait_for_function(
                "p => document.querySelector('.eperf-status-line')?.innerText.startsWith(p)",
                arg=db.period)
            value = page.eval_on_selector(
                ".eperf-unit select",
                "(s, code) => [...s.options].map(o => o.value)"
                ".find(v => v.replace(/^(· )*/, '').startsWith(code + ' — '))", unit)
            page.select_option(".eperf-unit select", value=value)
            page.wait_for_function(
                "code => { const t = document.querySelector('.eperf-recap table');"
                " return t && t.innerText.includes(code) && t.rows.length === 2; }", arg=unit)
            # a search that leaves one employee selects them: the card shows, no click
            page.fill(".eperf-search input", nip[:14])
            page.get_by_role("tab", name="Kartu").click()
            page.wait_for_selector(f'.eperf-card-head[data-nip="{nip}"]', timeout=60_000)
            page.get_by_role("tab", name="Distribusi").click()
            page.wait_for_selector(".eperf-distribution svg", timeout=30_000)
            assert "paling banyak" in page.locator(".eperf-distribution-view").inner_text()
            # the icons are drawn with the locally served Font Awesome
            assert page.evaluate("document.fonts.check('900 12px \"Font Awesome 5 Free\"')")
            page.screenshot(path=str(tmp_path / "explorer-id.png"), full_page=True)

            page.select_option(".eperf-lang select", label="English")
            page.get_by_role("tab", name="Card").click(timeout=30_000)
            page.wait_for_function(
                "() => document.querySelector('.eperf-card-view')?.innerText"
                ".includes('Personal Performance Report Card')", timeout=60_000)
            page.get_by_role("tab", name="Distribution").click()
            text = page.locator(".eperf-distribution-view").inner_text()
            assert "at most" in text and "paling banyak" not in text
            page.screenshot(path=str(tmp_path / "explorer-en.png"), full_page=True)
            page.wait_for_timeout(1000)  # late requests (fonts, lazy chunks) would show here
        finally:
            browser.close()
    assert foreign == [], foreign


IDLE_SECONDS = 3


@pytest.fixture(scope="module")
def culling(db: TinyDb, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    """The default culling settings with a short idle timeout (3 s, checked every 1 s)."""
    _require_browser()
    home = tmp_path_factory.mktemp("culling-home")
    shutil.copytree(db.home / "params", home / "params")
    path = home / "params" / "settings.yaml"
    settings = path.read_text(encoding="utf-8")
    path.write_text(settings[:settings.index("\nexplorer:")] + (
        f"\nexplorer:\n  idle_timeout_seconds: {IDLE_SECONDS}\n"
        "  cull_interval_seconds: 1\n"), encoding="utf-8")  # cull_connected: default
    with app_server(db, tmp_path_factory.mktemp("voila-culling"),
                    env_extra={"EPERF_HOME": str(home)}) as srv:
        yield srv


def test_a_closed_tab_leaves_no_kernel_an_open_one_keeps_its_own(culling: AppServer) -> None:
    """Closing a browser tab drops its websocket, so its kernel has no connection and is
    culled once idle (cull_connected false, the default); a tab still open keeps its
    kernel however long it sits idle."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            pages = []
            for _ in range(2):
                page = browser.new_page()
                page.set_default_timeout(START_TIMEOUT * 1000)
                page.goto(culling.url, timeout=START_TIMEOUT * 1000)
                page.wait_for_selector(".eperf-recap table")
                pages.append(page)
            assert len(culling.kernel_pids()) == 2
            pages[0].close()
            wait_until("the closed tab's kernel to stop", lambda: len(culling.kernel_pids()) == 1,
                       timeout=IDLE_SECONDS + 30)
            pages[1].wait_for_timeout((IDLE_SECONDS + 3) * 1000)  # idle, but connected
            assert len(culling.kernel_pids()) == 1
            pages[1].select_option(".eperf-lang select", label="English")
            pages[1].wait_for_selector("text=Unit recap", timeout=30_000)  # still answers
        finally:
            browser.close()
    wait_until("the last kernel to stop", lambda: not culling.kernel_pids(),
               timeout=IDLE_SECONDS + 30)
