"""The PDF renderer (:mod:`eperformance.pdf`): a warm headless Chromium, WeasyPrint as the
fallback. Real browsers, real crashes (SIGKILL of a page's and of the browser's process),
a real listener that must never be called, real process exits and kills.

Skips the Chromium tests only when ``/usr/bin/chromium`` is missing and
``EPERF_REQUIRE_SERVERS`` is unset (CI sets it and fails instead). No assertion depends
on timing: waits are polls with a generous deadline.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest

from eperformance import pdf
from test_cards_support import TinyDb, build_tiny_db

BIN = Path(sys.executable).parent
CHROMIUM = Path(pdf.DEFAULT_CHROMIUM)
MARK = "EPERF_TEST_PDF_MARK"  # set in a child's environment; its browser inherits it


def _require_browser() -> None:
    if CHROMIUM.exists():
        return
    msg = f"{CHROMIUM} is missing (apt-get install chromium)"
    if os.environ.get("EPERF_REQUIRE_SERVERS"):
        pytest.fail(msg + " (EPERF_REQUIRE_SERVERS is set)")
    pytest.skip(msg)


def marked_pids(value: str) -> list[int]:
    """Live processes whose environment has ``MARK=value`` (zombies left out)."""
    needle = f"{MARK}={value}".encode()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as fh:
                if needle not in fh.read().split(b"\0"):
                    continue
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as fh:
                if fh.read().rsplit(")", 1)[1].split()[0] == "Z":
                    continue
        except OSError:
            continue
        found.append(int(entry))
    return found


def chromium_pids(pids: list[int]) -> list[int]:
    out = []
    for pid in pids:
        try:
            exe = os.readlink(f"/proc/{pid}/exe")
        except OSError:
            continue
        if "chrom" in Path(exe).name:
            out.append(pid)
    return out


def wait_until(check, seconds: float = 30.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return bool(check())


def cmdline(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
    except OSError:
        return []


def descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
                children.setdefault(int(stat.rsplit(")", 1)[1].split()[1]), []).append(
                    int(entry))
            except (OSError, ValueError, IndexError):
                pass
    out, stack = [], list(children.get(pid, []))
    while stack:
        p = stack.pop()
        out.append(p)
        stack.extend(children.get(p, []))
    return out


def browser_main_pid(r: pdf.ChromiumRenderer) -> int:
    """The browser's own process (not a crash handler, not a --type= child)."""
    mains = [p for p in r.browser_pids()
             if Path(cmdline(p)[0]).name in ("chromium", "chrome", "chromium-browser")
             and "--type=" not in " ".join(cmdline(p))]
    assert len(mains) == 1, mains
    return mains[0]


# --------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TinyDb]:
    tiny = build_tiny_db(tmp_path_factory.mktemp("pdf"))
    yield tiny
    tiny.engine.dispose()


@pytest.fixture(scope="module")
def card_page(db: TinyDb) -> str:
    """The card page ``eperf card`` writes (HTML only)."""
    res = subprocess.run([str(BIN / "eperf"), "card", "--nip", db.strong, "--period",
                          db.period, "--format", "html"], capture_output=True, text=True,
                         env=db.env(), timeout=300)
    assert res.returncode == 0, res.stderr
    return (db.home / "outputs" / db.period / "single"
            / f"{db.strong}_permenpan-6-2022_id.html").read_text()


@pytest.fixture(scope="module")
def chromium() -> Iterator[pdf.ChromiumRenderer]:
    _require_browser()
    with pdf.ChromiumRenderer(str(CHROMIUM)) as r:
        yield r


@pytest.fixture(params=["chromium", "weasyprint"])
def printer(request: pytest.FixtureRequest) -> pdf.PdfRenderer:
    if request.param == "chromium":
        return request.getfixturevalue("chromium")  # type: ignore[no-any-return]
    return pdf.WeasyPrintRenderer()


class Text(HTMLParser):
    """The text a reader sees on a page: no <head>, <style> or <script>."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("head", "style", "script", "title"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("head", "style", "script", "title"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def words(text: str) -> Counter[str]:
    """Words, case aside (headings are upper case through CSS)."""
    return Counter(text.replace("\u00a0", " ").casefold().split())


def pdftotext(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "card.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


# --------------------------------------------------------------------------- the choice
def test_weasyprint_is_chosen_and_named_when_chromium_is_absent(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(pdf.RENDERER_ENV, raising=False)
    monkeypatch.setenv(pdf.CHROMIUM_ENV, str(tmp_path / "no-chromium"))
    assert pdf.choice() == "weasyprint"
    r = pdf.make_renderer()
    assert isinstance(r, pdf.WeasyPrintRenderer)
    assert re.fullmatch(r"weasyprint \d+(\.\d+)*", r.name)
    assert pdf.describe() == r.name
    assert r.pdf("<title>x</title><p>kartu</p>").startswith(b"%PDF")
    # asked for by name, Chromium must be there
    monkeypatch.setenv(pdf.RENDERER_ENV, "chromium")
    with pytest.raises(pdf.PdfError, match="no Chromium"):
        pdf.make_renderer()
    monkeypatch.setenv(pdf.RENDERER_ENV, "prince")
    with pytest.raises(pdf.PdfError, match="invalid EPERF_PDF"):
        pdf.choice()
    monkeypatch.setenv(pdf.RENDERER_ENV, "weasyprint")
    monkeypatch.delenv(pdf.CHROMIUM_ENV)
    assert pdf.choice() == "weasyprint"


def test_chromium_is_chosen_when_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    _require_browser()
    monkeypatch.delenv(pdf.RENDERER_ENV, raising=False)
    monkeypatch.delenv(pdf.CHROMIUM_ENV, raising=False)
    assert pdf.choice() == "chromium"
    assert pdf.describe() == f"chromium ({CHROMIUM})"


def test_a_chromium_that_does_not_start_gives_way_to_weasyprint(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _require_browser()
    fake = tmp_path / "chromium"
    fake.write_text("#!/bin/sh\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.delenv(pdf.RENDERER_ENV, raising=False)
    monkeypatch.setenv(pdf.CHROMIUM_ENV, str(fake))
    assert pdf.choice() == "chromium"
    assert pdf.make_renderer().name.startswith("weasyprint ")
    monkeypatch.setenv(pdf.RENDERER_ENV, "chromium")
    with pytest.raises(pdf.PdfError, match="did not start"):
        pdf.make_renderer()


# --------------------------------------------------------------------------- content
def test_pdf_has_the_text_of_the_html_card(printer: pdf.PdfRenderer, card_page: str,
                                          tmp_path: Path) -> None:
    """The same words as the HTML card (whitespace aside), plus the page numbers."""
    data = printer.pdf(card_page)
    text = pdftotext(data, tmp_path)
    pages = text.count("\f")
    assert 1 <= pages <= 2, "a typical month fits on two pages"
    # the page numbers, "n / pages" in the bottom margin box (on a line of their own)
    footer = re.compile(rf"(?m)^\s*(\d+)\s*/\s*{pages}\s*$")
    assert sorted(int(n) for n in footer.findall(text)) == list(range(1, pages + 1))
    printed = words(footer.sub(" ", text))
    del printed["•"]  # a list item's marker (WeasyPrint writes it as text)
    shown = words(" ".join(Text(card_page).parts))
    assert printed == shown, {"only in the PDF": printed - shown,
                              "only in the HTML": shown - printed}


def test_pdf_is_a4_with_fonts_and_metadata(printer: pdf.PdfRenderer, card_page: str,
                                          db: TinyDb, tmp_path: Path) -> None:
    from io import BytesIO

    from pypdf import PdfReader

    reader = PdfReader(BytesIO(printer.pdf(card_page)))
    for page in reader.pages:
        box = page.mediabox
        assert (round(float(box.width) * 25.4 / 72), round(float(box.height) * 25.4 / 72)) \
            == (210, 297)
        for font in page["/Resources"]["/Font"].values():  # every font embedded
            font = font.get_object()
            desc = (font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font
                    else font)["/FontDescriptor"].get_object()
            assert any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3")), font
    info = reader.metadata
    assert info is not None
    run_id = re.search(r'data-field="run_id">([^<]+)<', card_page).group(1)  # type: ignore[union-attr]
    name = re.search(r"<dt>Nama</dt><dd>([^<]+)</dd>", card_page).group(1)  # type: ignore[union-attr]
    assert info.title == f"{name} — {db.period}"
    assert db.strong in (info.subject or "") and run_id in (info.subject or "")
    assert db.strong in (info.keywords or "") and run_id in (info.keywords or "")
    assert info.creator == "e-Performance Workbook (nbconvert template eperf-rapor)"


# --------------------------------------------------------------------------- no network
class Listener:
    """A TCP listener on 127.0.0.1 that records whether anyone connected."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.setblocking(False)
        self.port = self.sock.getsockname()[1]

    def connections(self) -> int:
        n = 0
        while True:
            try:
                conn, _ = self.sock.accept()
            except BlockingIOError:
                return n
            conn.close()
            n += 1

    def close(self) -> None:
        self.sock.close()


def test_a_card_never_fetches_a_remote_resource(printer: pdf.PdfRenderer, card_page: str,
                                                tmp_path: Path) -> None:
    listener = Listener()
    try:
        url = f"http://127.0.0.1:{listener.port}"
        evil = (f'<img src="{url}/x.png" alt="">'
                f'<link rel="stylesheet" href="{url}/s.css">'
                f'<iframe src="{url}/frame"></iframe>'
                f'<div style="background-image:url({url}/bg.png)">bg</div>'
                f'<style>@import url("{url}/i.css"); @font-face {{ font-family: X; '
                f'src: url({url}/f.woff2); }} p {{ font-family: X; }}</style>'
                f'<object data="{url}/o"></object><video src="{url}/v.mp4"></video>'
                f'<script src="{url}/s.js"></script>')
        page = card_page.replace("</body>", f'<div class="description">{evil}</div></body>')
        assert card_page != page
        data = printer.pdf(page)
        assert data.startswith(b"%PDF")
        # the control: the listener does see a plain connection
        assert listener.connections() == 0, "the renderer connected to the listener"
        with socket.create_connection(("127.0.0.1", listener.port)):
            pass
        assert wait_until(lambda: listener.connections() == 1, 10)
    finally:
        listener.close()
    if isinstance(printer, pdf.ChromiumRenderer):
        assert any(f"{url}/x.png" in u for u in printer.blocked), printer.blocked


# --------------------------------------------------------------------------- crashes
def test_a_crashed_page_is_replaced_and_its_card_retried(card_page: str, tmp_path: Path
                                                         ) -> None:
    _require_browser()
    with pdf.ChromiumRenderer(str(CHROMIUM)) as r:
        first = words(pdftotext(r.pdf(card_page), tmp_path))
        main = browser_main_pid(r)
        renderers = [p for p in descendants(main) if "--type=renderer" in " ".join(cmdline(p))]
        assert renderers
        for pid in renderers:
            os.kill(pid, signal.SIGKILL)
        data = r.pdf(card_page)  # the card in flight when the page died: retried
        assert r.restarts == 1
        assert browser_main_pid(r) == main, "the browser itself was kept"
        assert words(pdftotext(data, tmp_path)) == first
        assert r.pdf(card_page).startswith(b"%PDF") and r.restarts == 1


def test_chrome_crash_url_is_survived(card_page: str) -> None:
    _require_browser()
    with pdf.ChromiumRenderer(str(CHROMIUM)) as r:
        r.pdf(card_page)

        def crash() -> None:
            try:
                r._page.goto("chrome://crash")  # noqa: SLF001 - on the renderer's thread
            except Exception:  # noqa: BLE001 - the navigation dies with the page
                pass

        r._call(crash)  # noqa: SLF001
        assert r.pdf(card_page).startswith(b"%PDF")
        assert r.restarts == 1


def test_a_dead_browser_is_replaced_and_its_card_retried(card_page: str) -> None:
    _require_browser()
    with pdf.ChromiumRenderer(str(CHROMIUM)) as r:
        r.pdf(card_page)
        old = browser_main_pid(r)
        os.kill(old, signal.SIGKILL)
        assert wait_until(lambda: old not in r.browser_pids())
        assert r.pdf(card_page).startswith(b"%PDF")
        assert r.restarts == 1
        assert browser_main_pid(r) != old


def test_a_dead_driver_is_replaced_and_its_card_retried(card_page: str) -> None:
    """Playwright's driver (node) killed: a new driver, a new browser, the card retried."""
    _require_browser()
    with pdf.ChromiumRenderer(str(CHROMIUM)) as r:
        r.pdf(card_page)
        main = browser_main_pid(r)
        stat = Path(f"/proc/{main}/stat").read_text()
        driver = int(stat.rsplit(")", 1)[1].split()[1])  # the browser's parent
        assert "run-driver" in " ".join(cmdline(driver)), cmdline(driver)
        os.kill(driver, signal.SIGKILL)
        assert wait_until(lambda: main not in r.browser_pids(), 60), "the browser outlived it"
        assert r.pdf(card_page).startswith(b"%PDF")
        assert r.restarts == 1
        assert browser_main_pid(r) != main


def test_a_card_that_crashes_twice_fails(card_page: str) -> None:
    """Retried once, not forever: the error names Chromium."""
    _require_browser()
    with pdf.ChromiumRenderer(str(CHROMIUM)) as r:
        r.pdf(card_page)
        calls = {"n": 0}
        original = r._ensure  # noqa: SLF001

        def crashing() -> object:
            page = original()
            calls["n"] += 1
            try:
                page.goto("chrome://crash")
            except Exception:  # noqa: BLE001
                pass
            return page

        r._ensure = crashing  # type: ignore[method-assign]  # noqa: SLF001
        with pytest.raises(pdf.PdfError, match="Chromium could not print"):
            r.pdf(card_page)
        assert calls["n"] == 2
        r._ensure = original  # type: ignore[method-assign]  # noqa: SLF001
        assert r.pdf(card_page).startswith(b"%PDF")


# --------------------------------------------------------------------------- clean-up
def test_close_ends_every_browser_process(card_page: str) -> None:
    _require_browser()
    r = pdf.ChromiumRenderer(str(CHROMIUM))
    r.pdf(card_page)
    pids = r.browser_pids()
    assert chromium_pids(pids)
    r.close()
    r.close()  # idempotent
    assert wait_until(lambda: not any(os.path.exists(f"/proc/{p}") and p in r.browser_pids()
                                      for p in pids))


CHILD = """
import sys, time
from eperformance import pdf
r = pdf.renderer()
assert r.name.startswith("chromium "), r.name
r.pdf("<title>t</title><p>kartu</p>")
print("printed", flush=True)
if sys.argv[1] == "wait":
    time.sleep(600)
"""


@pytest.mark.parametrize("end", ["exit", "sigkill"])
def test_no_chromium_outlives_its_process(end: str, tmp_path: Path) -> None:
    """Closed at exit (atexit); and gone with its parent when that is SIGKILLed."""
    _require_browser()
    mark = uuid.uuid4().hex
    env = dict(os.environ, **{MARK: mark})
    env.pop(pdf.RENDERER_ENV, None)
    env.pop(pdf.CHROMIUM_ENV, None)
    proc = subprocess.Popen([sys.executable, "-c", CHILD, "wait" if end == "sigkill" else ""],
                            env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "printed"
        assert chromium_pids(marked_pids(mark)), "no browser was started"
        if end == "sigkill":
            os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(timeout=120) == (-signal.SIGKILL if end == "sigkill" else 0)
        assert wait_until(lambda: not marked_pids(mark), 60), [
            cmdline(p)[:1] for p in marked_pids(mark)]
    finally:
        if proc.poll() is None:
            proc.kill()


def test_prints_inside_a_running_asyncio_loop(chromium: pdf.ChromiumRenderer) -> None:
    """A Jupyter kernel (the explorer's download) or a Dask worker calls from inside a
    running event loop, where Playwright's synchronous API refuses to run: the renderer's
    own thread drives the browser."""
    import asyncio

    async def inside() -> bytes:
        return chromium.pdf("<title>t</title><p>kartu</p>")

    assert asyncio.run(inside()).startswith(b"%PDF")


# --------------------------------------------------------------------------- groups
def _variants(card_page: str) -> list[str]:
    """Three cards sharing the template: different names, one long enough for a third
    page (a description of many paragraphs), one with a hostile description."""
    name = re.search(r"<dt>Nama</dt><dd>([^<]+)</dd>", card_page).group(1)  # type: ignore[union-attr]
    out = []
    for k, extra in enumerate(("", "<p>Uraian panjang kegiatan lapangan.</p>" * 120,
                               "<p>&lt;/body&gt;&lt;style&gt;p{display:none}&lt;/style&gt;</p>")):
        other = f"Pegawai Uji Kelompok{k}"
        page = card_page.replace(name, other)
        out.append(page.replace("</body>", f"<div>{extra}</div></body>", 1))
    return out


def test_cards_printed_as_a_group_equal_cards_printed_alone(
        chromium: pdf.ChromiumRenderer, card_page: str, tmp_path: Path) -> None:
    """pdf_many prints several cards as one document and cuts it: each card's PDF has its
    own pages only, the same text and page numbers ("1 / n") as when printed alone, and
    its own title and metadata."""
    from io import BytesIO

    from pypdf import PdfReader

    pages = _variants(card_page)
    alone = [chromium.pdf(p) for p in pages]
    grouped = chromium.pdf_many(pages)
    assert len(grouped) == len(pages)
    counts = []
    for k, (a, g) in enumerate(zip(alone, grouped, strict=True)):
        ta, tg = pdftotext(a, tmp_path), pdftotext(g, tmp_path)
        assert tg == ta, f"card {k}: grouped text differs from the card printed alone"
        assert f"Kelompok{k}" in tg
        assert not any(f"Kelompok{j}" in tg for j in range(len(pages)) if j != k)
        ra, rg = PdfReader(BytesIO(a)), PdfReader(BytesIO(g))
        counts.append(len(rg.pages))
        assert len(rg.pages) == len(ra.pages)
        n = len(rg.pages)
        footer = re.compile(rf"(?m)^\s*(\d+)\s*/\s*{n}\s*$")
        assert sorted(int(x) for x in footer.findall(tg)) == list(range(1, n + 1))
        for key in ("/Title", "/Subject", "/Keywords", "/Author", "/Creator"):
            assert rg.metadata.get(key) == ra.metadata.get(key), key  # type: ignore[union-attr]
        for page in rg.pages:  # the marks' links are gone
            for annot in page.get("/Annots") or []:
                assert "eperf-page" not in str(annot.get_object())
    assert counts[1] > counts[0], "the long card has more pages"


def test_a_group_with_another_head_is_printed_card_by_card(
        chromium: pdf.ChromiumRenderer, card_page: str, tmp_path: Path) -> None:
    other = card_page.replace("</style>", "h1 { letter-spacing: 1px; }</style>", 1)
    assert other != card_page
    pages = [card_page, other]
    assert pdf.split_page(card_page) is not None
    grouped = chromium.pdf_many(pages)
    for page, data in zip(pages, grouped, strict=True):
        assert pdftotext(data, tmp_path) == pdftotext(chromium.pdf(page), tmp_path)


def test_weasyprint_prints_a_group_card_by_card(card_page: str, tmp_path: Path) -> None:
    w = pdf.WeasyPrintRenderer()
    a, b = w.pdf_many([card_page, card_page])
    assert pdftotext(a, tmp_path) == pdftotext(b, tmp_path) == pdftotext(w.pdf(card_page),
                                                                         tmp_path)


def test_a_group_never_fetches_a_remote_resource(chromium: pdf.ChromiumRenderer,
                                                 card_page: str) -> None:
    listener = Listener()
    try:
        url = f"http://127.0.0.1:{listener.port}"
        evil = f'<img src="{url}/x.png" alt=""><iframe src="{url}/frame"></iframe>'
        page = card_page.replace("</body>", f"<div>{evil}</div></body>")
        out = chromium.pdf_many([card_page, page, card_page])
        assert all(d.startswith(b"%PDF") for d in out)
        assert listener.connections() == 0, "the renderer connected to the listener"
    finally:
        listener.close()
