"""The explorer as an ipywidgets application (JupyterLab, or Voilà through ``eperf app``).

:class:`Explorer` wires selectors to views; every view is an ``ipywidgets.HTML`` whose
value is built by :mod:`.views` from the frames of :mod:`.data`, so the whole application
can be driven from Python (set a selector's ``value``, read a view's ``value``) — which is
how the tests drive it. Each widget carries a stable CSS class (``eperf-…``) for browser
tests and styling.

Responsiveness: the first selection of a period computes the whole organisation once
(cached per period, scheme and 360° mode); a unit, a filter or a search only slices cached
frames. A card takes up to a second (the employee's rekap and six-month trend), with a
visible busy state. For a quarter, a semester or a year the card is the *Dokumen Evaluasi
Kinerja* the batch makes; either card downloads as the batch's HTML page and as its PDF.
"""

from __future__ import annotations

import base64
import html
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ipywidgets as w

from ..batch.single import single_card_name, single_folder
from ..card import CardRecord
from ..errors import EperfError
from ..export import atomic_write_bytes
from ..i18n import LABELS, number, quantity, t
from ..notebook_entry import short_tracebacks
from ..render import card_html
from ..safefs import FILE_MODE
from ..unit_recap import NO_PREDIKAT
from . import views
from .data import ALL, ExplorerData, Filters, PeriodData, PeriodKey, Selection

# label keys (eperformance.i18n) of the tabs, in order
TAB_TITLES = ("x_tab_recap", "x_tab_distribution", "x_tab_backlog", "x_tab_missing",
              "x_tab_employees", "x_tab_card", "x_tab_batch", "x_tab_tukin")
MAX_PICKER = 300  # employees listed in the picker (narrow with the search and filters)
FORMAT_CHOICES = (("HTML", ("html",)), ("HTML + PDF", ("html", "pdf")),
                  ("HTML + PDF + XLSX", ("html", "pdf", "xlsx")))
BUSY = ('<div class="eperf-busy-note" style="color:#1d4f73;font-weight:bold">'
        "⏳ {}</div>")


def _classed(widget: Any, *classes: str) -> Any:
    for c in classes:
        widget.add_class(c)
    return widget


def _dropdown(description: str, options: list[Any], css: str, width: str = "auto") -> Any:
    return _classed(w.Dropdown(description=description, options=options,
                               style={"description_width": "initial"},
                               layout=w.Layout(width=width)), css)


class Explorer:
    """The explorer: selectors (period, scheme, 360°, unit, search, filters), views (unit
    recap, predikat distribution, verification backlog, missing data, employees, card) and
    actions (card PDF, batch for the unit).

    ``data``: an :class:`ExplorerData` (default: one on the resolved database).
    ``period``: the first period shown (default: the newest with data). ``lang``: the
    card language. The application is :attr:`widget` (also shown by displaying the
    explorer itself)."""

    def __init__(self, data: ExplorerData | None = None, *, period: str | None = None,
                 scheme: str = "permenpan-6-2022", use_360: bool = False, lang: str = "id",
                 unit: str = ALL, out_root: Path | None = None) -> None:
        self.data = data if data is not None else ExplorerData()
        self.out_root = out_root
        self.timings: dict[str, float] = {}
        self.card_record: CardRecord | None = None
        self._card_shown: tuple[PeriodKey, str] | None = None  # the card_record's key, nip
        self._selection: Selection | None = None
        self._quiet = True  # no refresh while the widgets are being built
        periods = self.data.periods or ([period] if period else [])
        self._build(periods, period or (periods[0] if periods else None), scheme, use_360,
                    lang, unit)
        self._quiet = False
        self.refresh()

    # ------------------------------------------------------------------ widgets
    def _build(self, periods: list[str], period: str | None, scheme: str, use_360: bool,
               lang: str, unit: str) -> None:
        self.period = _dropdown("", periods, "eperf-period", "170px")
        self.period.value = period
        self.scheme = _dropdown("", list(self.data.schemes()), "eperf-scheme", "250px")
        self.scheme.value = scheme
        self.use_360 = _classed(w.Checkbox(value=use_360, description="360°", indent=False,
                                           layout=w.Layout(width="70px")), "eperf-use360")
        self.lang = _dropdown("", [("Indonesia", "id"), ("English", "en")],
                              "eperf-lang", "180px")
        self.lang.value = lang
        self.unit = _dropdown("", self.data.unit_options(lang), "eperf-unit", "520px")
        self.unit.value = unit
        self.search = _classed(w.Text(description="", placeholder="",
                                      continuous_update=True,
                                      style={"description_width": "initial"},
                                      layout=w.Layout(width="330px")), "eperf-search")
        self.position_type = _dropdown("", [("", ALL)],
                                       "eperf-position-type", "220px")
        self.grade = _dropdown("", [("", ALL)], "eperf-grade", "170px")
        self.predikat = _dropdown("", [("", ALL)], "eperf-predikat-filter",
                                  "260px")
        self.sort_by = _dropdown("", [], "eperf-sort", "260px")
        self.descending = _classed(w.ToggleButton(value=False, description="",
                                                  icon="sort-amount-desc",
                                                  layout=w.Layout(width="130px")),
                                   "eperf-descending")
        self.employee = _classed(w.Select(options=[], rows=10, description="",
                                          style={"description_width": "initial"},
                                          layout=w.Layout(width="680px")), "eperf-employee")
        self.intro = _classed(w.HTML(), "eperf-intro")
        self.status = _classed(w.HTML(), "eperf-status")
        self.error = _classed(w.HTML(), "eperf-error")
        self.recap_view = _classed(w.HTML(), "eperf-recap")
        self.distribution_view = _classed(w.HTML(), "eperf-distribution-view")
        self.backlog_view = _classed(w.HTML(), "eperf-backlog")
        self.missing_view = _classed(w.HTML(), "eperf-missing")
        self.employees_view = _classed(w.HTML(), "eperf-employees")
        self.tukin_view = _classed(w.HTML(), "eperf-tukin")
        self.card_busy = _classed(w.HTML(), "eperf-card-busy")
        self.card_summary = _classed(w.HTML(), "eperf-card-summary")
        self.card_view = _classed(w.HTML(), "eperf-card-view")
        self.pdf_button = _classed(w.Button(description="", icon="download",
                                            disabled=True, layout=w.Layout(width="220px")),
                                   "eperf-pdf-button")
        self.pdf_link = _classed(w.HTML(), "eperf-pdf-link")
        self.html_button = _classed(w.Button(description="", icon="download",
                                             disabled=True, layout=w.Layout(width="220px")),
                                    "eperf-html-button")
        self.html_link = _classed(w.HTML(), "eperf-html-link")
        self.batch_formats = _dropdown("", list(FORMAT_CHOICES), "eperf-batch-formats",
                                       "230px")
        self.batch_provisional = _classed(
            w.Checkbox(value=False, description="",
                       indent=False, layout=w.Layout(width="340px")), "eperf-batch-provisional")
        self.batch_button = _classed(w.Button(description="",
                                              icon="play", button_style="primary",
                                              layout=w.Layout(width="220px")),
                                     "eperf-batch-button")
        self.progress = _classed(w.IntProgress(value=0, min=0, max=1, description="",
                                               bar_style="info",
                                               layout=w.Layout(width="420px",
                                                               visibility="hidden")),
                                 "eperf-batch-progress")
        self.batch_result = _classed(w.HTML(), "eperf-batch-result")

        for widget in (self.period, self.scheme, self.use_360):
            widget.observe(self._on_period, names="value")
        for widget in (self.unit, self.search, self.position_type, self.grade, self.predikat):
            widget.observe(self._on_selection, names="value")
        for widget in (self.sort_by, self.descending):
            widget.observe(self._on_sort, names="value")
        self.employee.observe(self._on_employee, names="value")
        self.lang.observe(self._on_language, names="value")
        self.pdf_button.on_click(lambda _: self.make_pdf())
        self.html_button.on_click(lambda _: self.make_html())
        self.batch_button.on_click(lambda _: self.run_batch())

        self.tabs = _classed(w.Tab(children=[
            w.VBox([w.HBox([self.sort_by, self.descending]), self.recap_view]),
            self.distribution_view,
            self.backlog_view,
            self.missing_view,
            self.employees_view,
            w.VBox([self.card_busy, self.card_summary,
                    w.HBox([self.html_button, self.html_link]),
                    w.HBox([self.pdf_button, self.pdf_link]), self.card_view]),
            w.VBox([w.HBox([self.batch_formats, self.batch_provisional]),
                    w.HBox([self.batch_button, self.progress]), self.batch_result]),
            self.tukin_view,
        ]), "eperf-tabs")
        self.widget = _classed(w.VBox([
            self.intro,
            w.HBox([self.period, self.scheme, self.use_360, self.lang]),
            self.unit,
            w.HBox([self.search, self.position_type, self.grade, self.predikat]),
            self.employee,
            self.status, self.error, self.tabs,
        ]), "eperf-explorer")
        self._apply_language()

    # ------------------------------------------------------------------ language
    @property
    def language(self) -> str:
        """The explorer's language (``id``/``en``): every label, and the card."""
        return str(self.lang.value or "id")

    def _t(self, key: str) -> str:
        return t(key, self.language)

    def _apply_language(self) -> None:
        """Every widget label in :attr:`language` (values stay as they are)."""
        for widget, key in ((self.period, "x_period"), (self.scheme, "x_scheme"),
                            (self.lang, "x_language"), (self.unit, "x_unit"),
                            (self.search, "x_search"), (self.position_type, "x_position_type"),
                            (self.grade, "x_grade"), (self.predikat, "x_predikat"),
                            (self.sort_by, "x_sort"), (self.descending, "x_descending"),
                            (self.employee, "x_employee"), (self.pdf_button, "x_pdf_button"),
                            (self.html_button, "x_html_button"),
                            (self.batch_formats, "x_formats"),
                            (self.batch_provisional, "x_allow_provisional"),
                            (self.batch_button, "x_batch_button"),
                            (self.progress, "x_progress")):
            widget.description = self._t(key)
        self.search.placeholder = self._t("x_search_hint")
        self.intro.value = f"<p>{html.escape(self._t('x_intro'))}</p>"
        for i, key in enumerate(TAB_TITLES):
            self.tabs.set_title(i, self._t(key))
        quiet, self._quiet = self._quiet, True
        try:
            _relabel(self.unit, self.data.unit_options(self.language))
            for widget in (self.position_type, self.grade, self.predikat):
                _relabel(widget, [(self._label_of(v, label), v) for label, v in
                                  widget.options])
        finally:
            self._quiet = quiet

    def _label_of(self, value: str, label: str) -> str:
        if value == ALL:
            return self._t("x_all")
        if value == NO_PREDIKAT:
            return self._t("x_no_predikat")
        return label

    def _on_language(self, _: Any) -> None:
        if self._quiet:
            return
        self._apply_language()
        if self.period.value:
            self._guard(self._relabel_views)
        self._guard(self.show_card)

    def _relabel_views(self) -> None:
        data = self.data.period(self.key)
        self._quiet = True
        try:
            self._set_filter_options(data)
        finally:
            self._quiet = False
        self._update_views()

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)

    # ------------------------------------------------------------------ state
    @property
    def key(self) -> PeriodKey:
        return PeriodKey(period=str(self.period.value), scheme=str(self.scheme.value),
                         use_360=bool(self.use_360.value))

    @property
    def filters(self) -> Filters:
        return Filters(unit=self.unit.value or ALL, search=self.search.value or "",
                       position_type=self.position_type.value or ALL,
                       grade=self.grade.value or ALL, predikat=self.predikat.value or ALL)

    @property
    def selection(self) -> Selection | None:
        return self._selection

    def _guard(self, action: Callable[[], None]) -> None:
        """Run ``action``; an error a user can cause is shown as one line."""
        self.error.value = ""
        try:
            action()
        except EperfError as exc:
            hint = f" — {html.escape(exc.hint)}" if exc.hint else ""
            self.error.value = (f'<div style="color:#b3261e"><b>{html.escape(exc.message)}'
                                f"</b>{hint}</div>")

    # ------------------------------------------------------------------ handlers
    def _on_period(self, _: Any) -> None:
        if not self._quiet:
            self.refresh()

    def _on_selection(self, _: Any) -> None:
        if not self._quiet:
            self._guard(self._update_views)

    def _on_sort(self, _: Any) -> None:
        if not self._quiet and self._selection is not None:
            self._render_recap()

    def _on_employee(self, _: Any) -> None:
        if not self._quiet:
            self._guard(self.show_card)

    def refresh(self) -> None:
        """Load (or reuse) the period, reset the filter choices, update every view."""
        self._guard(self._refresh)

    def _refresh(self) -> None:
        if not self.period.value:
            self.status.value = f"<i>{html.escape(self._t('x_no_data'))}</i>"
            return
        cold = not self.data.cached(self.key)
        if cold:
            self.status.value = BUSY.format(html.escape(
                self._t("x_computing").format(period=self.period.value)))
        started = time.perf_counter()
        data = self.data.period(self.key)
        if cold:
            self.timings["period"] = time.perf_counter() - started
        self._quiet = True
        try:
            self._set_filter_options(data)
        finally:
            self._quiet = False
        self._update_views()

    def _set_filter_options(self, data: PeriodData) -> None:
        e = data.employees

        def choices(column: str) -> list[tuple[str, str]]:
            values = sorted({str(v) for v in e[column].dropna()})
            return [(self._t("x_all"), ALL), *((v, v) for v in values)]

        for widget, options in (
                (self.position_type, choices("position_type")),
                (self.grade, choices("grade")),
                (self.predikat, [(self._t("x_all"), ALL), *((x, x) for x in data.labels),
                                 (self._t("x_no_predikat"), NO_PREDIKAT)])):
            keep = widget.value
            widget.options = options
            widget.value = keep if keep in dict(options).values() else ALL
        sort_options = [(h, c) for c, h in views.recap_columns(data.labels, self.language)]
        keep = self.sort_by.value
        self.sort_by.options = sort_options
        self.sort_by.value = keep if keep in dict(sort_options).values() else "unit_code"

    def _update_views(self) -> None:
        started = time.perf_counter()
        data = self.data.period(self.key)
        sel = self.data.select(self.key, self.filters)
        self._selection = sel
        self._render_recap()
        unit, lang = self.unit.value, self.language
        unit_label = f"{unit} {self.data.unit_names.get(unit, '')}" if unit else \
            self._t("x_whole_org")
        self.distribution_view.value = views.distribution_html(
            sel, data.labels, data.run.scheme_cfg, unit_label, lang)
        self.backlog_view.value = views.backlog_html(sel, lang)
        self.missing_view.value = views.missing_html(sel, lang)
        self.employees_view.value = views.employees_html(sel, lang)
        self.tukin_view.value = views.tukin_html(sel, data.tukin_error)
        self._set_employee_options(sel)
        note = (f" · <b>SEMENTARA</b> {html.escape(self._t('x_provisional'))}"
                if data.provisional else "")
        matching = self._t("x_matching").format(matching=number(len(sel.employees), lang, 0),
                                                total=number(len(data.employees), lang, 0))
        self.status.value = (
            f'<span class="eperf-status-line">{html.escape(self.key.period)} · '
            f"{html.escape(self.key.scheme)} · {html.escape(matching)}{note}</span>")
        self.timings["selection"] = time.perf_counter() - started

    def _render_recap(self) -> None:
        if self._selection is None:
            return
        data = self.data.period(self.key)
        self.recap_view.value = views.recap_html(self._selection, data.labels,
                                                 str(self.sort_by.value or "unit_code"),
                                                 bool(self.descending.value), self.language)

    def _set_employee_options(self, sel: Selection) -> None:
        e = sel.employees.head(MAX_PICKER)
        options = [(f"{name} · {nip} · {pred if isinstance(pred, str) else '—'}", nip)
                   for name, nip, pred in zip(e["name"], e["nip"], e["predikat"],
                                              strict=True)]
        keep = self.employee.value
        listed = set(e["nip"])
        if keep not in listed and self.search.value.strip() and len(sel.employees) == 1:
            keep = sel.employees["nip"].iloc[0]  # a search that leaves one: that one
        self._quiet = True
        try:
            self.employee.options = options
            self.employee.value = keep if keep in listed else None
        finally:
            self._quiet = False
        shown = (self.key, self.employee.value) if self.employee.value else None
        if shown != self._card_shown:  # another employee, or another period or scheme
            self._guard(self.show_card)

    # ------------------------------------------------------------------ card
    def select_employee(self, nip: str) -> None:
        """Show ``nip``'s card (searching for it first if the picker does not list it)."""
        if nip not in dict(self.employee.options).values():
            self.search.value = nip
        self.employee.value = nip

    def show_card(self) -> None:
        """The selected employee's card, as the batch renders it: the monthly card, or
        the *Dokumen Evaluasi Kinerja* of a quarter, a semester or a year."""
        nip = self.employee.value
        self.pdf_link.value = ""
        self.html_link.value = ""
        self.card_record = None
        self._card_shown = None
        self.pdf_button.disabled = self.html_button.disabled = True
        if not nip:
            self.card_view.value = ""
            self.card_summary.value = ""
            self.card_busy.value = ""
            return
        self.card_busy.value = BUSY.format(html.escape(self._t("x_loading_card")))
        self.card_view.layout.opacity = "0.4"
        started = time.perf_counter()
        try:
            key = self.key
            record = self.data.card(key, nip, self.language)
            self.card_record = record
            self._card_shown = (key, nip)
            self.card_view.value = card_html(record)
            self.card_summary.value = _summary(record, self.language)
            self.pdf_button.disabled = self.html_button.disabled = False
        except EperfError:
            self.card_view.value = ""
            self.card_summary.value = ""
            raise
        finally:
            self.card_busy.value = ""
            self.card_view.layout.opacity = "1"
            self.timings["card"] = time.perf_counter() - started

    def _card_path(self, record: CardRecord, suffix: str) -> Path:
        """``outputs/<period>/single/<nip>_<scheme>_<lang>[_360]<suffix>``: where
        ``eperf card`` writes the same card."""
        name = single_card_name(record.employee.nip, record.scheme, record.lang,
                                record.use_360)
        return single_folder(record.period, self.out_root) / f"{name}{suffix}"

    def _offer(self, link: Any, path: Path, content: bytes, mime: str) -> None:
        """Save ``content`` at ``path`` (mode 0640) and offer it as a download link (a
        ``data:`` URI, so it works in Voilà too)."""
        atomic_write_bytes(path, content, FILE_MODE)
        uri = f"data:{mime};base64," + base64.b64encode(content).decode("ascii")
        css = "eperf-pdf-download" if path.suffix == ".pdf" else "eperf-html-download"
        link.value = (
            f'<a class="{css}" download="{html.escape(path.name)}" '
            f'href="{uri}">⬇ {html.escape(path.name)}</a> '
            f'<span style="color:#52606d">'
            f"({quantity(round(len(content) / 1024), self.language)} KB, "
            f"{html.escape(self._t('x_pdf_saved'))} <code>{html.escape(str(path))}</code>)"
            "</span>")

    def make_pdf(self) -> Path | None:
        """Write the card's PDF to ``outputs/<period>/single/<nip>_<scheme>_<lang>.pdf`` and
        offer it as a download link; the batch's printer (:func:`views.card_pdf`)."""
        record = self.card_record
        if record is None:
            return None
        self.pdf_link.value = BUSY.format(html.escape(self._t("x_making_pdf")))
        path = self._card_path(record, ".pdf")
        self._offer(self.pdf_link, path, views.card_pdf(record), "application/pdf")
        return path

    def make_html(self) -> Path | None:
        """Write the card's page (:func:`views.card_page`: what ``eperf card`` and the
        batch write) to ``outputs/<period>/single/<nip>_<scheme>_<lang>.html`` and offer it
        as a download link."""
        record = self.card_record
        if record is None:
            return None
        path = self._card_path(record, ".html")
        self._offer(self.html_link, path, views.card_page(record).encode("utf-8"),
                    "text/html;charset=utf-8")
        return path

    # ------------------------------------------------------------------ batch
    def run_batch(self) -> Any:
        """Run the monthly batch for the selected unit (or everyone) with a progress bar;
        returns the :class:`~eperformance.batch.BatchResult` (``None`` after an error)."""
        from ..batch import BatchOptions
        from ..batch import run_batch as batch

        result: list[Any] = [None]

        def go() -> None:
            sel = self._selection
            total = len(self.data.select(self.key, Filters(unit=self.unit.value or ALL))
                        .employees) if sel is not None else 0
            self.progress.max = max(total, 1)
            self.progress.value = 0
            self.progress.bar_style = "info"
            self.progress.layout.visibility = "visible"
            self.batch_button.disabled = True
            self.batch_result.value = BUSY.format(html.escape(self._t("x_batch_running")))
            opts = BatchOptions(period=self.key.period, unit=self.unit.value or None,
                                scheme=self.key.scheme, use_360=self.key.use_360,
                                lang=self.language, formats=self.batch_formats.value,
                                provisional=bool(self.batch_provisional.value),
                                progress="none", quiet=True,
                                db_url=self.data.engine.url.render_as_string(
                                    hide_password=False))
            try:
                res = batch(opts, on_outcome=lambda _: self._tick())
            finally:
                self.batch_button.disabled = False
            self.progress.value = self.progress.max
            self.progress.bar_style = "success" if res.status != "partial" else "danger"
            result[0] = res
            ok, lang = res.total - len(res.failed), self.language
            status = t(f"x_batch_status_{res.status}", lang) \
                if f"x_batch_status_{res.status}" in LABELS[lang] else res.status
            summary = t("x_batch_summary", lang).format(
                ok=ok, total=res.total, failed=len(res.failed), rendered=res.rendered,
                reused=res.reused, seconds=number(res.seconds, lang, 1))
            self.batch_result.value = (
                f'<div class="eperf-batch-summary" data-status="{html.escape(res.status)}">'
                f"<b>{html.escape(status)}</b>: {html.escape(summary)} — "
                f"<code>{html.escape(str(res.folder))}</code></div>")

        self._guard(go)
        if result[0] is None and self.error.value:
            self.batch_result.value = self.error.value
            self.progress.bar_style = "danger"
        return result[0]

    def _tick(self) -> None:
        self.progress.value = min(self.progress.value + 1, self.progress.max)


def _relabel(widget: Any, options: list[tuple[str, Any]]) -> None:
    """New labels for a selector's options, its value kept."""
    keep = widget.value
    widget.options = options
    widget.value = keep


def _summary(record: CardRecord, lang: str = "id") -> str:
    e = html.escape
    pred = record.predikat or "—"
    note = " · SEMENTARA" if record.provisional else ""
    return (f'<div class="eperf-card-head" data-nip="{e(record.employee.nip)}" '
            f'data-predikat="{e(record.predikat or "")}"><b class="eperf-name">'
            f"{e(record.employee.name)}</b> · <code>{e(record.employee.nip_display)}</code> · "
            f'{e(t("x_card_predikat", lang))}: <b class="eperf-predikat">{e(pred)}</b>{note}'
            "</div>")


def explorer_app(period: str | None = None, **options: Any) -> Explorer:
    """The one call of ``notebooks/30-explorer.ipynb``: the explorer on the database of
    ``DATABASE_URL`` (or the project home), newest period first."""
    short_tracebacks()
    return Explorer(period=period, **options)


__all__ = ["Explorer", "explorer_app"]
