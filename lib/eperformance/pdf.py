"""PDF of a card page: a warm headless Chromium, or WeasyPrint where no Chromium is installed.

Every PDF the project writes (batch cards, ``eperf card``, the explorer's download) goes
through :func:`renderer`, the one place where the choice is made, once per process:

* :class:`ChromiumRenderer` (the default when ``/usr/bin/chromium`` is installed): the
  system Chromium through Playwright's Python API (``playwright install`` is never run).
  One browser per process, started on first use and reused; one page reused card after
  card (replaced every ``recycle_after`` cards); JavaScript off, every request aborted (the
  page is set with ``set_content``, so the card itself is never a request) and the
  context offline, so a card never fetches anything. A crashed page or browser (or a hung
  one: a timeout) is replaced and the card retried once, as a dead kernel is. The browser
  is closed at process exit (``atexit`` and multiprocessing's finalizers), and dies with
  its parent when the process is killed: Playwright's driver exits when its stdin closes,
  and Chromium when its pipe to the driver closes.
* :class:`WeasyPrintRenderer`: :func:`eperformance.pages.html_to_pdf` (no browser, no
  request to any host).

``EPERF_PDF`` chooses: ``auto`` (default: Chromium when the executable and Playwright are
there and the browser starts, else WeasyPrint, with a warning), ``chromium`` (an error
when it cannot start) or ``weasyprint``. ``EPERF_CHROMIUM`` names the executable (default
``/usr/bin/chromium``). The renderer's :attr:`~PdfRenderer.name` (``chromium 156.0.…``,
``weasyprint 70.0``) goes into each card's outcome, the run log and the manifest.

Both print the page's own ``@page`` rules (A4, margins, the page number in the bottom
margin box) and embed subsets of the fonts; both give the PDF the page's ``<title>`` and
its ``author``, ``description`` (Subject), ``keywords`` and ``generator`` (Creator)
``<meta>`` tags, which the ``eperf-rapor`` template fills with the employee and the run id.
Chromium writes only the title itself: the rest is added by an incremental update with
pypdf (a few milliseconds).

Playwright's synchronous API cannot run inside a running asyncio loop (a Jupyter kernel,
a Dask worker): the browser is driven from a thread of its own, which owns every
Playwright object; :meth:`ChromiumRenderer.pdf` hands it the page and waits.
"""

from __future__ import annotations

import atexit
import hashlib
import io
import logging
import os
import queue
import re
import shutil
import threading
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from html.parser import HTMLParser
from multiprocessing import util as mp_util
from typing import Any, Protocol

from .errors import EperfError
from .pages import html_to_pdf

log = logging.getLogger("eperformance.pdf")

RENDERER_ENV = "EPERF_PDF"  # auto | chromium | weasyprint
CHROMIUM_ENV = "EPERF_CHROMIUM"  # the browser's executable
GROUP_ENV = "EPERF_PDF_GROUP"  # cards a batch prints as one document (1: card by card)
DEFAULT_GROUP = 8
DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHOICES = ("auto", "chromium", "weasyprint")
#: Set in the browser's environment (with a value unique to the renderer), so that its
#: processes can be found in /proc (tests, :meth:`ChromiumRenderer.browser_pids`).
TOKEN_ENV = "EPERF_PDF_BROWSER"
# As root in CI Chromium needs --no-sandbox; no GPU in a batch; /dev/shm may be small in
# a container. Every host name (IP literals included) resolves to nothing: an <iframe> or
# <object> is aborted by the route, but Chromium preconnects to its host before that (a
# TCP connection seen by tests/test_pdf.py's listener without this rule). Playwright
# adds its own defaults (no background networking, no component updates, ...).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-extensions", "--disable-crash-reporter", "--disable-breakpad",
                 "--dns-prefetch-disable", "--no-pings", "--host-resolver-rules=MAP * ~NOTFOUND"]
# Chromium prints CSS page-margin boxes (@bottom-right with counter(page)) from 131 on;
# an older one gets the page number from its own footer template.
MARGIN_BOXES_SINCE = 131
#: Printing lays the page out for print media; the layout for the screen, which Chromium
#: makes first when the page is set, is never seen. Hiding the page on the screen skips it
#: (about a third of a grouped card's browser time): the printed bytes are the same.
SCREEN_CSS = "<style>@media screen { html { display: none !important; } }</style>"
FOOTER = ('<div style="width:100%;font:6.5pt \'DejaVu Sans\',Arial,sans-serif;color:#7b8794;'
          'text-align:right;padding-right:11mm"><span class="pageNumber"></span> / '
          '<span class="totalPages"></span></div>')


class PdfError(EperfError):
    """No PDF renderer could be started, or a card could not be printed."""


class PdfRenderer(Protocol):
    """Prints a self-contained HTML page to PDF bytes."""

    @property
    def name(self) -> str: ...

    def pdf(self, html: str) -> bytes: ...

    def pdf_many(self, pages: Sequence[str]) -> list[bytes]: ...

    def close(self) -> None: ...


def print_only(html: str) -> str:
    """``html`` with :data:`SCREEN_CSS` in its head (or first, where it has none)."""
    if "</head>" in html:
        return html.replace("</head>", SCREEN_CSS + "</head>", 1)
    return SCREEN_CSS + html


# --------------------------------------------------------------------------- metadata
_INFO_KEYS = {"author": "/Author", "description": "/Subject", "keywords": "/Keywords",
              "generator": "/Creator"}


class _HeadMeta(HTMLParser):
    """The ``<meta name=… content=…>`` tags of a page's head (any attribute order)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "meta":
            a = {k: v or "" for k, v in attrs}
            key = _INFO_KEYS.get(a.get("name", "").lower())
            if key and a.get("content"):
                self.found[key] = a["content"]


def page_metadata(html: str) -> dict[str, str]:
    """The PDF document information a page asks for through the ``<meta>`` tags of its
    head: ``/Author``, ``/Subject`` (description), ``/Keywords``, ``/Creator`` (generator)."""
    parser = _HeadMeta()
    parser.feed(html.split("</head>", 1)[0])
    parser.close()
    return parser.found


def with_metadata(pdf: bytes, info: dict[str, str]) -> bytes:
    """``pdf`` with ``info`` added to its document information, as an incremental update
    (the original bytes are kept; only the information dictionary is appended)."""
    if not info:
        return pdf
    from pypdf import PdfWriter  # lazy: only a PDF with document information needs pypdf

    writer = PdfWriter(io.BytesIO(pdf), incremental=True)
    writer.add_metadata(info)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()



# --------------------------------------------------------------------------- groups
#: Marks where each page of a group starts: an empty block with a page break before it,
#: and an invisible link to it, so that Chromium writes a named destination on its page.
MARK_ID = "eperf-page-{k}"
_MARK = ('<div id="eperf-page-{k}" style="break-before:{brk};height:0;margin:0;'
         'padding:0;border:0"></div>')
_LINK = ('<a href="#eperf-page-{k}" style="position:absolute;left:0;top:0;width:1px;'
         'height:1px" aria-hidden="true"></a>')
#: In a group the page numbers would run across the pages: they are laid over each cut
#: document instead (:meth:`ChromiumRenderer._numbers`).
GROUP_CSS = "<style>@page { @bottom-right { content: none; } }</style>"
NUMBERS_CSS = ("<style>html, body, body * { background: transparent !important; }"
               "</style>")
_BODY = re.compile(r"(?is)\A(.*?<body[^>]*>)(.*)(</body>.*)\Z")
_HEAD_VARYING = re.compile(r"(?is)<title>.*?</title>|<meta\b[^>]*\bname=\"(?:author|"
                           r"description|keywords)\"[^>]*>")
_TITLE = re.compile(r"(?is)<title>(.*?)</title>")


def split_page(html: str) -> tuple[str, str, str] | None:
    """``(head through <body…>, body, </body> on)`` of a page, or None."""
    m = _BODY.match(html)
    return (m.group(1), m.group(2), m.group(3)) if m else None


def _head_key(head: str) -> str:
    """The head without what differs from card to card (title, per-card metadata)."""
    return _HEAD_VARYING.sub("", head)


def _title(html: str) -> str:
    import html as html_mod

    m = _TITLE.search(html.split("</head>", 1)[0])
    return html_mod.unescape(m.group(1)).strip() if m else ""


def group_document(parts: Sequence[tuple[str, str, str]]) -> str:
    """One document of pages sharing a head: each page's body after a page break and a
    mark, the first page's head (page numbers off), the first page's tail."""
    head, _, tail = parts[0]
    links = "".join(_LINK.format(k=k) for k in range(len(parts)))
    bodies = "".join(_MARK.format(k=k, brk="page" if k else "auto") + body
                     for k, (_, body, _) in enumerate(parts))
    return head.replace("</head>", GROUP_CSS + "</head>", 1) + links + bodies + tail


def split_group(pdf: bytes | Any, count: int) -> list[list[int]] | None:
    """The page indexes of each of the ``count`` pages printed as one group (bytes or a
    ``PdfReader``), read from the marks' named destinations; None unless every mark is
    found, in order, each on a page of its own start."""
    from pypdf import PdfReader

    reader = pdf if isinstance(pdf, PdfReader) else PdfReader(io.BytesIO(pdf))
    dests = reader.named_destinations
    starts: list[int] = []
    for k in range(count):
        dest = dests.get("/" + MARK_ID.format(k=k)) or dests.get(MARK_ID.format(k=k))
        number = reader.get_destination_page_number(dest) if dest is not None else None
        if number is None:
            return None
        starts.append(number)
    total = len(reader.pages)
    ordered = all(a < b for a, b in zip(starts, starts[1:], strict=False))
    if starts[0] != 0 or not ordered or starts[-1] >= total:
        return None
    ends = [*starts[1:], total]
    return [list(range(a, b)) for a, b in zip(starts, ends, strict=True)]


def document_of(pdf: bytes | Any, indexes: Sequence[int], numbers: bytes | Any, title: str,
                info: dict[str, str]) -> bytes:
    """The pages ``indexes`` of a group's PDF (bytes or a ``PdfReader``) as a document of
    their own: the marks' links dropped, the page numbers of ``numbers`` laid over
    (:func:`stamp`), title and metadata set."""
    from pypdf import PdfReader, PdfWriter

    reader = pdf if isinstance(pdf, PdfReader) else PdfReader(io.BytesIO(pdf))
    overlay = numbers if isinstance(numbers, PdfReader) else PdfReader(io.BytesIO(numbers))
    writer = PdfWriter()
    for i, index in enumerate(indexes):
        page = writer.add_page(reader.pages[index])
        _drop_mark_links(page)
        stamp(writer, page, overlay.pages[i], f"EPN{i}")
    source: dict[str, Any] = dict(reader.metadata or {})
    meta: dict[str, str] = {k: str(source[k]) for k in ("/Producer", "/CreationDate", "/ModDate")
            if k in source}
    meta.update({"/Title": title} if title else {})
    meta.update(info)
    writer.add_metadata(meta)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _drop_mark_links(page: Any) -> None:
    from pypdf.generic import ArrayObject, NameObject

    annots = page.get("/Annots")
    if annots is None:
        return
    kept = [a for a in annots.get_object() if not _is_mark_link(a.get_object())]
    if kept:
        page[NameObject("/Annots")] = ArrayObject(kept)
    else:
        del page[NameObject("/Annots")]


_RESOURCE_KINDS = ("/Font", "/ExtGState", "/XObject", "/ColorSpace", "/Pattern", "/Shading")


def stamp(writer: Any, page: Any, overlay: Any, prefix: str) -> None:
    """Draw ``overlay`` (a small page of another PDF) over ``page`` of ``writer``.

    Cheaper than pypdf's ``merge_page``, which parses and rewrites the page's whole
    content: the page's content is left as it is, wrapped in ``q … Q``, and the
    overlay's content is appended as a stream of its own, its resources copied under
    names with ``prefix`` (renamed in its content too), so nothing can clash."""
    from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject

    stream = overlay.get_contents()
    content = stream.get_data() if stream is not None else b""
    resources = page.get("/Resources")
    resources = resources.get_object() if resources is not None else DictionaryObject()
    page[NameObject("/Resources")] = resources
    o_res = overlay.get("/Resources")
    o_res = o_res.get_object() if o_res is not None else DictionaryObject()
    for kind in _RESOURCE_KINDS:
        if kind not in o_res:
            continue
        target = resources.get(kind)
        target = target.get_object() if target is not None else DictionaryObject()
        resources[NameObject(kind)] = target
        kind_dict: Any = o_res[kind].get_object()
        for name, ref in kind_dict.items():
            new = f"/{prefix}{name[1:]}"
            target[NameObject(new)] = ref.clone(writer) if hasattr(ref, "clone") else ref
            content = re.sub(re.escape(name.encode()) + rb"(?=[\s/\[<(]|$)", new.encode(),
                             content)
    before, after = DecodedStreamObject(), DecodedStreamObject()
    before.set_data(b"q\n")
    after.set_data(b"\nQ\nq\n" + content + b"\nQ\n")
    contents = page.get("/Contents")
    existing = contents.get_object() if contents is not None else ArrayObject()
    refs = list(existing) if isinstance(existing, ArrayObject) else [contents]
    page[NameObject("/Contents")] = ArrayObject(
        [writer._add_object(before), *refs, writer._add_object(after)])  # noqa: SLF001


def _is_mark_link(annot: Any) -> bool:
    action = annot.get("/A")
    dest = annot.get("/Dest")
    if action is not None:
        dest = action.get_object().get("/D")
    return isinstance(dest, str) and dest.lstrip("/").startswith("eperf-page-")

# --------------------------------------------------------------------------- WeasyPrint
class WeasyPrintRenderer:
    """WeasyPrint in this process (no browser; every URL fetch refused)."""

    def __init__(self) -> None:
        import weasyprint  # lazy: WeasyPrint (~1 s) only when it is the printer

        self.name = f"weasyprint {weasyprint.__version__}"

    def pdf(self, html: str) -> bytes:
        return html_to_pdf(html)

    def pdf_many(self, pages: Sequence[str]) -> list[bytes]:
        """Each page printed on its own (WeasyPrint has no per-print overhead to share)."""
        return [self.pdf(html) for html in pages]

    def close(self) -> None:
        pass


# --------------------------------------------------------------------------- Chromium
class ChromiumRenderer:
    """One headless Chromium, driven from a thread of its own; see the module docstring.

    Usable as a context manager; :meth:`close` is idempotent."""

    def __init__(self, executable: str = DEFAULT_CHROMIUM, *, recycle_after: int = 500,
                 timeout_s: float = 60.0, group: int = 8) -> None:
        self.executable = executable
        self.group = max(1, group)  # pages printed as one document by pdf_many
        self.recycle_after = recycle_after  # a fresh page after this many cards
        self.timeout_ms = timeout_s * 1000
        self.token = uuid.uuid4().hex
        self.version = ""
        self.cards = 0  # cards printed
        self.restarts = 0  # browsers or pages replaced after a failure
        self.blocked: list[str] = []  # URLs the page asked for (aborted); the last 20
        self._lock = threading.Lock()
        self._jobs: queue.Queue[tuple[Callable[..., Any], tuple[Any, ...], Future[Any]] | None]
        self._jobs = queue.Queue()
        self._thread: threading.Thread | None = None
        # owned by the renderer's thread only
        self._pw: Any = None
        self._browser: Any = None
        self._page: Any = None
        self._page_cards = 0
        self._number_pages: dict[tuple[str, int], bytes] = {}
        self._local = threading.local()  # per calling thread: parsed overlays

    @property
    def name(self) -> str:
        return f"chromium {self.version}".strip()

    def __enter__(self) -> ChromiumRenderer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ caller side
    def start(self) -> None:
        """Start the thread and the browser (raises :class:`PdfError` when it cannot)."""
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._serve, name="eperf-pdf",
                                                daemon=True)
                self._thread.start()
            self._call(self._ensure)

    def pdf(self, html: str) -> bytes:
        """The page printed to PDF, with its metadata (see :func:`page_metadata`)."""
        if self._thread is None:
            self.start()
        with self._lock:
            data: bytes = self._call(self._render, html)
        return with_metadata(data, page_metadata(html))

    def pdf_many(self, pages: Sequence[str]) -> list[bytes]:
        """Each page's PDF, as :meth:`pdf` makes it, printed ``group`` pages at a time.

        Most of a print is its fixed cost (a new document, layout, fonts, the PDF itself):
        pages that share their head (the batch's cards: one template, one style sheet)
        are printed as one document, a page break between them, and the PDF is cut back
        into one document per page (see :func:`split_group`), each with its own title,
        metadata and page numbers ``1 / n``. A group that cannot be printed or cut
        cleanly is printed page by page instead, so the result never depends on it."""
        if self._thread is None:
            self.start()
        out: list[bytes] = []
        for i in range(0, len(pages), self.group):
            chunk = list(pages[i:i + self.group])
            out.extend(self._print_group(chunk) if len(chunk) > 1 else [self.pdf(chunk[0])])
        return out

    def _print_group(self, pages: list[str]) -> list[bytes]:
        parts = [split_page(html) for html in pages]
        heads = {_head_key(p[0]) for p in parts if p is not None}
        if None in parts or len(heads) != 1 or self._margin_footer():
            return [self.pdf(html) for html in pages]
        try:
            with self._lock:
                data: bytes = self._call(self._render, group_document(parts))  # type: ignore[arg-type]
                self.cards += len(pages) - 1
            # the browser is free for another caller's group while this one is cut here
            # lazy: pypdf is needed only here and for the metadata
            from pypdf import PdfReader

            reader = PdfReader(io.BytesIO(data))  # parsed once for every card
            cut = split_group(reader, len(pages))
            if cut is None:
                raise PdfError("the grouped PDF could not be cut back into its pages")
            numbers = {n: self._overlay(parts[0][0], n)  # type: ignore[index]
                       for n in {len(c) for c in cut}}
        except PdfError as exc:
            log.warning("grouped printing failed (%s); printing page by page", exc)
            return [self.pdf(html) for html in pages]
        return [document_of(reader, pages_, numbers[len(pages_)], _title(html),
                            page_metadata(html))
                for pages_, html in zip(cut, pages, strict=True)]

    def _overlay(self, head: str, n: int) -> Any:
        """The page numbers of an ``n``-page card (:meth:`_numbers`) as a parsed
        ``PdfReader``, kept for the next groups: one per calling thread (a reader reads
        its objects lazily, from one stream position, so threads cannot share it)."""
        from pypdf import PdfReader  # lazy: pypdf is needed only for groups and metadata

        # the head without what differs from card to card: one overlay per page count
        key = (hashlib.sha256(_head_key(head).encode()).hexdigest(), n)
        readers: dict[tuple[str, int], Any] = self._local.__dict__.setdefault("overlays", {})
        if key not in readers:
            readers[key] = PdfReader(io.BytesIO(self._call(self._numbers, key, head, n)))
        return readers[key]

    def _numbers(self, key: tuple[str, int], head: str, n: int) -> bytes:
        """An ``n``-page PDF holding only the page's page numbers (its own ``@page``
        margin box, transparent elsewhere), laid over each page of a cut document;
        printed once per ``key`` (the head without what differs from card to card, and
        ``n``)."""
        if key not in self._number_pages:
            page = (head.replace("</head>", NUMBERS_CSS + "</head>", 1)
                    + '<div style="height:1px"></div>'
                    + '<div style="break-before:page;height:1px"></div>' * (n - 1)
                    + "</body></html>")
            self._number_pages[key] = self._render(page)
            self.cards -= 1  # not a card
        return self._number_pages[key]

    def _margin_footer(self) -> bool:
        """An older Chromium numbers pages from its own footer template: no grouping."""
        major = int(self.version.split(".")[0]) if self.version[:1].isdigit() else 0
        return bool(major and major < MARGIN_BOXES_SINCE)

    def close(self) -> None:
        """Close the browser and its driver, and end the thread."""
        with self._lock:
            thread, self._thread = self._thread, None
            if thread is not None and thread.is_alive():
                self._jobs.put(None)
                thread.join(timeout=30)

    def browser_pids(self) -> list[int]:
        """The processes of this renderer's browser (found by its environment token)."""
        needle = f"{TOKEN_ENV}={self.token}".encode()
        pids = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/environ", "rb") as fh:
                        if needle in fh.read().split(b"\0"):
                            pids.append(int(entry))
                except OSError:
                    continue
        return sorted(pids)

    def _call(self, fn: Callable[..., Any], *args: Any) -> Any:
        fut: Future[Any] = Future()
        self._jobs.put((fn, args, fut))
        return fut.result()

    # ------------------------------------------------------------------ thread side
    def _serve(self) -> None:
        while True:
            item = self._jobs.get()
            if item is None:
                self._stop()
                return
            fn, args, fut = item
            try:
                fut.set_result(fn(*args))
            except BaseException as exc:  # noqa: BLE001 - handed to the caller
                fut.set_exception(exc)

    def _ensure(self) -> Any:
        """The page, starting whatever is missing (driver, browser, page); a driver that
        is gone (its objects still look alive) is replaced by a new one."""
        try:
            return self._ensure_once()
        except PdfError:
            raise
        except Exception as exc:
            if "connection closed" not in str(exc).lower():
                raise
            self._stop()
            return self._ensure_once()

    def _ensure_once(self) -> Any:
        from playwright.sync_api import sync_playwright  # lazy: only when Chromium prints

        if self._pw is None:
            self._pw = sync_playwright().start()
        if self._browser is None or not self._browser.is_connected():
            self._drop_browser()
            try:
                self._browser = self._launch()
            except Exception:  # noqa: BLE001 - the driver may be gone: a new one, once
                self._stop()
                self._pw = sync_playwright().start()
                try:
                    self._browser = self._launch()
                except Exception as exc:  # noqa: BLE001 - reported as ours
                    self._stop()
                    raise PdfError(f"Chromium ({self.executable}) did not start: "
                                   f"{str(exc).splitlines()[0][:300]}") from exc
            self.version = self._browser.version
        if self._page is None or self._page.is_closed():
            context = self._browser.new_context(java_script_enabled=False, offline=True,
                                                service_workers="block")
            context.set_default_timeout(self.timeout_ms)
            context.route("**/*", self._block)
            self._page = context.new_page()
            self._page_cards = 0
        return self._page

    def _launch(self) -> Any:
        env = dict(os.environ)
        env[TOKEN_ENV] = self.token
        return self._pw.chromium.launch(
            executable_path=self.executable, headless=True, args=CHROMIUM_ARGS, env=env,
            handle_sigint=False, handle_sigterm=False, handle_sighup=False,
            timeout=self.timeout_ms)

    def _block(self, route: Any) -> None:
        self.blocked = [*self.blocked[-19:], route.request.url[:200]]
        route.abort("blockedbyclient")

    def _render(self, html: str) -> bytes:
        for attempt in (1, 2):
            try:
                page = self._ensure()
                page.set_content(print_only(html), wait_until="load")
                data: bytes = page.pdf(**self._pdf_options())
            except PdfError:
                raise
            except Exception as exc:  # noqa: BLE001 - a crashed or hung page or browser
                self._recover(exc)
                if attempt == 2:
                    raise PdfError(f"Chromium could not print the page: "
                                   f"{str(exc).splitlines()[0][:300]}") from exc
                log.warning("the PDF browser failed (%s); its card is retried once",
                            type(exc).__name__)
                continue
            self.cards += 1
            self._page_cards += 1
            if self._page_cards >= self.recycle_after:
                self._drop_page()
            return data
        raise AssertionError("unreachable")

    def _pdf_options(self) -> dict[str, Any]:
        options: dict[str, Any] = {"format": "A4", "print_background": True,
                                   "prefer_css_page_size": True}
        major = int(self.version.split(".")[0]) if self.version[:1].isdigit() else 0
        if major and major < MARGIN_BOXES_SINCE:
            options.update(display_header_footer=True, header_template="<span></span>",
                           footer_template=FOOTER)
        return options

    def _recover(self, exc: BaseException) -> None:
        """After a failure: a new page; a new browser too when it is gone or hung; a new
        driver too when Playwright lost its connection to it."""
        from playwright.sync_api import TimeoutError as PlaywrightTimeout  # lazy: as above

        self.restarts += 1
        if "connection closed" in str(exc).lower():  # the driver is gone: start afresh
            self._stop()
            return
        self._drop_page()
        if self._browser is not None and (isinstance(exc, PlaywrightTimeout)
                                          or not self._browser.is_connected()):
            self._drop_browser()

    def _drop_page(self) -> None:
        page, self._page = self._page, None
        if page is not None:
            try:
                page.context.close()
            except Exception:  # noqa: BLE001 - crashed already
                pass

    def _drop_browser(self) -> None:
        self._drop_page()
        browser, self._browser = self._browser, None
        if browser is not None:
            try:
                browser.close()
            except Exception:  # noqa: BLE001 - gone already
                pass

    def _stop(self) -> None:
        self._drop_browser()
        pw, self._pw = self._pw, None
        if pw is not None:
            try:
                pw.stop()
            except Exception:  # noqa: BLE001 - the driver is gone already
                pass


# --------------------------------------------------------------------------- the choice
_RENDERER: PdfRenderer | None = None
_PID = 0
_CHOICE_LOCK = threading.Lock()


def chromium_executable() -> str | None:
    """The Chromium to use: ``EPERF_CHROMIUM``, else /usr/bin/chromium, if executable."""
    path = os.environ.get(CHROMIUM_ENV) or DEFAULT_CHROMIUM
    return shutil.which(path)


def _playwright_available() -> bool:
    try:
        import playwright.sync_api  # noqa: F401  # lazy: the probe is the import itself
    except ImportError:
        return False
    return True


def choice() -> str:
    """``chromium`` or ``weasyprint``: what :func:`renderer` will try (no browser started)."""
    wanted = (os.environ.get(RENDERER_ENV) or "auto").strip().lower()
    if wanted not in CHOICES:
        raise PdfError(f"invalid {RENDERER_ENV}={wanted!r}: use one of {', '.join(CHOICES)}")
    if wanted == "weasyprint":
        return "weasyprint"
    if wanted == "chromium" or (chromium_executable() and _playwright_available()):
        return "chromium"
    return "weasyprint"


def make_renderer() -> PdfRenderer:
    """A started renderer as :func:`choice` says; in ``auto`` mode a Chromium that does not
    start gives way to WeasyPrint, with a warning."""
    if choice() == "weasyprint":
        return WeasyPrintRenderer()
    exe = chromium_executable()
    forced = (os.environ.get(RENDERER_ENV) or "auto").strip().lower() == "chromium"
    if exe is None or not _playwright_available():
        raise PdfError(f"{RENDERER_ENV}=chromium but no Chromium at "
                       f"{os.environ.get(CHROMIUM_ENV) or DEFAULT_CHROMIUM} (or no Playwright)",
                       hint="make sysdeps installs /usr/bin/chromium")
    chromium = ChromiumRenderer(exe)
    try:
        chromium.start()
    except PdfError as exc:
        chromium.close()
        if forced:
            raise
        log.warning("%s; PDF falls back to WeasyPrint", exc)
        return WeasyPrintRenderer()
    return chromium


def renderer() -> PdfRenderer:
    """This process's renderer, made on first use and closed when the process exits."""
    global _RENDERER, _PID
    with _CHOICE_LOCK:
        if _RENDERER is None or _PID != os.getpid():  # none yet, or inherited by a fork
            _RENDERER, _PID = make_renderer(), os.getpid()
            log.debug("PDF renderer: %s", _RENDERER.name)
            atexit.register(close_renderer)
            # a pool worker's exit skips atexit
            mp_util.Finalize(None, close_renderer, exitpriority=20)
        return _RENDERER


def close_renderer() -> None:
    """Close this process's renderer (its browser), if any; the next PDF starts another."""
    global _RENDERER
    with _CHOICE_LOCK:
        current, _RENDERER = _RENDERER, None
        if current is not None and _PID == os.getpid():
            current.close()


def html_pdf(html: str) -> tuple[bytes, str]:
    """``(pdf bytes, renderer name)`` of a page, through this process's renderer."""
    r = renderer()
    return r.pdf(html), r.name


def group_size() -> int:
    """How many cards a batch task prints together: ``EPERF_PDF_GROUP`` (default 8; 1
    prints card by card). Most of a PDF's cost is the print itself, so a group of eight
    costs clearly less per card than cards printed alone (``make bench-batch``)."""
    value = (os.environ.get(GROUP_ENV) or "").strip()
    if not value:
        return DEFAULT_GROUP
    if not value.isdigit() or not 1 <= int(value) <= 64:
        raise PdfError(f"invalid {GROUP_ENV}={value!r}: a whole number from 1 to 64")
    return int(value)


def describe() -> str:
    """What :func:`renderer` will use, without starting it (for the run log):
    ``chromium (/usr/bin/chromium)`` or ``weasyprint 70.0``."""
    if choice() == "chromium":
        exe = chromium_executable() or os.environ.get(CHROMIUM_ENV) or DEFAULT_CHROMIUM
        return f"chromium ({exe})"
    import weasyprint  # lazy: WeasyPrint (~1 s) only when it is the printer

    return f"weasyprint {weasyprint.__version__}"
