"""The explorer's views as HTML text: tables, the predikat chart (inline SVG) and the card
page (a month's card or a longer period's *Dokumen Evaluasi Kinerja*, as the batch writes
it) with its PDF. Pure functions of frames and records: no widgets, no database, no files; text from
the data is escaped.
"""

from __future__ import annotations

import html
import io
import math
import re
from collections.abc import Sequence
from typing import Any

import pandas as pd
from matplotlib import rc_context
from matplotlib.figure import Figure

from ..card import CardRecord
from ..i18n import curve_rule_text, number, quantity, reasons_label, t
from ..nip import format_nip
from ..params import CurveRule, SchemeConfig
from ..render import card_bundle, notebook_html
from ..unit_recap import NO_PREDIKAT
from .data import Selection

MAX_ROWS = 200  # rows shown in a table (the rest counted below it)

# Columns: (column, label key of :mod:`eperformance.i18n`) — headings follow the language;
# predikat columns (regulatory labels, the same in every language) are added per scheme.
RECAP_HEAD = (("unit_code", "x_col_code"), ("unit_name", "x_col_unit"),
              ("headcount", "x_col_headcount"))
RECAP_TAIL = ((NO_PREDIKAT, "x_no_predikat"), ("entries_verified_share", "x_col_verified"),
              ("main_mean", "x_col_mean"), ("main_median", "x_col_median"),
              ("breaches", "x_col_breaches"))
SUPERVISOR_COLUMNS = (("supervisor_nip", "x_col_supervisor_nip"), ("name", "x_col_name"),
                      ("direct_reports", "x_col_reports"),
                      ("pending_backlog", "x_col_pending"),
                      ("withheld_reports", "x_col_withheld"),
                      ("decisions", "x_col_decisions"),
                      ("decision_delay_median_days", "x_col_delay"))
MISSING_COLUMNS = (("nip", "nip"), ("name", "x_col_name"), ("unit_code", "x_col_unit"),
                   ("keterangan", "x_col_reason"), ("supervisor_nip", "x_col_supervisor_nip"))
EMPLOYEE_COLUMNS = (("nip", "nip"), ("name", "x_col_name"), ("unit_code", "x_col_unit"),
                    ("position_type", "x_col_position_type"), ("grade", "x_col_grade"),
                    ("main_figure", "x_col_score"), ("predikat", "x_col_predikat"))
BREACH_COLUMNS = (("unit_code", "x_col_unit"), ("org_result", "x_col_org_result"),
                  ("rule", "x_col_rule"), ("actual", "x_col_actual"), ("count", "x_col_count"),
                  ("n_employees", "x_col_rated"))


def headings(columns: Sequence[tuple[str, str]], lang: str) -> list[tuple[str, str]]:
    """(column, heading in ``lang``) for (column, label key) pairs."""
    return [(c, t(key, lang)) for c, key in columns]


STYLE = """<style>
.eperf-x table{border-collapse:collapse;font:12px/1.35 "DejaVu Sans",Arial,sans-serif}
.eperf-x th{background:#1d4f73;color:#fff;text-align:left;padding:3px 6px;
  position:sticky;top:0;white-space:nowrap}
.eperf-x td{padding:2px 6px;border-bottom:1px solid #d9e2ec}
.eperf-x td.n{text-align:right;font-variant-numeric:tabular-nums}
.eperf-x tr.bad td{background:#fdecea}
.eperf-x .note{color:#52606d;font-size:11px;margin:4px 0}
.eperf-x th.sorted{background:#0f3552}
</style>"""


# --------------------------------------------------------------------------- tables
def _cell(value: Any, lang: str = "id") -> tuple[str, bool]:
    """(escaped text, is a number): figures with the language's separators (``85,50`` /
    ``85.50``, ``1.234`` / ``1,234``)."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return "", False
    if isinstance(value, bool):
        return (t("x_yes", lang) if value else ""), False
    if isinstance(value, int) or (hasattr(value, "dtype") and "int" in str(value.dtype)):
        return number(int(value), lang, 0), True
    if isinstance(value, float):
        return number(value, lang), True
    return html.escape(str(value)), False


def table_html(frame: pd.DataFrame, columns: Sequence[tuple[str, str]], *, css: str,
               empty: str, sorted_by: str | None = None, bad: pd.Series | None = None,
               nip_columns: Sequence[str] = (), lang: str = "id") -> str:
    """``frame`` as an HTML table (at most :data:`MAX_ROWS` rows); ``columns``: (column,
    heading) pairs."""
    cols = [(c, h) for c, h in columns if c in frame.columns]
    if frame.empty:
        return f'<div class="eperf-x {css}"><p class="note">{html.escape(empty)}</p></div>'
    head = "".join(
        f'<th data-col="{html.escape(c)}"{" class=sorted" if c == sorted_by else ""}>'
        f"{html.escape(h)}</th>" for c, h in cols)
    rows = []
    shown = frame.head(MAX_ROWS)
    flags = bad.reindex(shown.index).fillna(False) if bad is not None else None
    for idx, rec in zip(shown.index, shown[[c for c, _ in cols]].itertuples(index=False),
                        strict=True):
        cells = []
        for (col, _), value in zip(cols, rec, strict=True):
            if col in nip_columns and isinstance(value, str) and value:
                cells.append(f"<td><code>{html.escape(format_nip(value))}</code></td>")
                continue
            text, numeric = _cell(value, lang)
            cells.append(f'<td class="n">{text}</td>' if numeric else f"<td>{text}</td>")
        cls = ' class="bad"' if flags is not None and bool(flags.loc[idx]) else ""
        rows.append(f"<tr{cls}>{''.join(cells)}</tr>")
    rest = t("x_more_rows", lang).format(n=number(len(frame) - MAX_ROWS, lang, 0))
    more = f'<p class="note">{html.escape(rest)}</p>' if len(frame) > MAX_ROWS else ""
    return (f'<div class="eperf-x {css}" data-rows="{len(frame)}"><table><thead><tr>{head}'
            f"</tr></thead><tbody>{''.join(rows)}</tbody></table>{more}</div>")


def recap_columns(labels: Sequence[str], lang: str = "id") -> list[tuple[str, str]]:
    """The unit recap's columns and headings for a scheme's predikat labels."""
    return [*headings(RECAP_HEAD, lang), *((label, label) for label in labels),
            *headings(RECAP_TAIL, lang)]


def sort_frame(frame: pd.DataFrame, column: str, descending: bool) -> pd.DataFrame:
    """``frame`` sorted by ``column`` (missing values last), ties by unit code."""
    if column not in frame.columns:
        return frame
    keys = [column] + (["unit_code"] if column != "unit_code" and "unit_code" in frame else [])
    return frame.sort_values(keys, ascending=[not descending] + [True] * (len(keys) - 1),
                             na_position="last", kind="stable")


def recap_html(sel: Selection, labels: Sequence[str], sort_by: str, descending: bool,
               lang: str = "id") -> str:
    frame = sort_frame(sel.units, sort_by, descending)
    return STYLE + table_html(frame, recap_columns(labels, lang), css="eperf-recap-table",
                              empty=t("x_empty_recap", lang), sorted_by=sort_by,
                              bad=frame["breaches"] > 0 if "breaches" in frame else None,
                              lang=lang)


def backlog_html(sel: Selection, lang: str = "id") -> str:
    return STYLE + table_html(sel.supervisors, headings(SUPERVISOR_COLUMNS, lang),
                              css="eperf-backlog-table", empty=t("x_empty_backlog", lang),
                              bad=(sel.supervisors["pending_backlog"] > 0)
                              | (sel.supervisors.get("withheld_reports", 0) > 0),
                              nip_columns=("supervisor_nip",), lang=lang)


def missing_html(sel: Selection, lang: str = "id") -> str:
    frame = sel.missing.assign(keterangan=sel.missing["keterangan"].map(
        lambda text: reasons_label(text, lang))) if len(sel.missing) else sel.missing
    return STYLE + table_html(frame, headings(MISSING_COLUMNS, lang),
                              css="eperf-missing-table", empty=t("x_empty_missing", lang),
                              nip_columns=("nip", "supervisor_nip"), lang=lang)


def employees_html(sel: Selection, lang: str = "id") -> str:
    return STYLE + table_html(sel.employees, headings(EMPLOYEE_COLUMNS, lang),
                              css="eperf-employees-table", empty=t("x_empty_employees", lang),
                              nip_columns=("nip", "supervisor_nip"), lang=lang)


def rule_text(rule: CurveRule, lang: str) -> str:
    """A curve rule in words in ``lang`` (``paling banyak 70 % Sangat Baik``)."""
    return curve_rule_text(rule.predikat, rule.bound, lang, percent_value=rule.percent,
                           count=rule.count)


def breaches_html(sel: Selection, lang: str = "id", cfg: SchemeConfig | None = None) -> str:
    """The breaches table; the rule column in ``lang`` (from the scheme's curve rules)."""
    frame = sel.breaches
    curve = getattr(cfg, "curve", None) or {}
    rules = {r.text: r for rs in curve.values() for r in rs}
    if len(frame) and rules:
        frame = frame.assign(rule=frame["rule"].map(
            lambda text: rule_text(rules[text], lang) if text in rules else text))
    return STYLE + table_html(frame, headings(BREACH_COLUMNS, lang),
                              css="eperf-breaches-table", empty=t("no_breaches", lang),
                              lang=lang)
TUKIN_UNIT_COLUMNS = (("unit_code", "Kode"), ("unit_name", "Unit"), ("employees", "Pegawai"),
                      ("paid", "Dibayar"), ("total", "Jumlah (Rp)"),
                      ("mean_deduction", "Rata-rata potongan %"),
                      ("no_class", "Tanpa kelas jabatan"), ("no_attendance", "Tanpa presensi"))
TUKIN_EMPLOYEE_COLUMNS = (("nip", "NIP"), ("name", "Nama"), ("unit_code", "Unit"),
                          ("job_class", "Kelas"), ("base", "Dasar (Rp)"),
                          ("kinerja_percent", "Kinerja %"), ("deduction_percent", "Potongan %"),
                          ("tukin", "Tukin (Rp)"), ("keterangan", "Keterangan"))


def tukin_html(sel: Selection, error: str | None = None) -> str:
    """The allowance of the selection: totals per unit, the largest deductions, and the
    employees without a class or attendance (whose allowance cannot be computed)."""
    if sel.tukin_units is None:
        why = error or "Tunjangan kinerja tidak dihitung untuk periode ini."
        return (STYLE + '<div class="eperf-x eperf-tukin">'
                f'<p class="note">{html.escape(why)}</p></div>')
    units = sel.tukin_units
    total = int(units["total"].sum()) if len(units) else 0
    head = (f'<div class="eperf-x"><p class="note">Jumlah tunjangan kinerja dalam pilihan ini: '
            f"<b>Rp {total:,}</b> untuk {int(units['paid'].sum()) if len(units) else 0:,} "
            f"pegawai.</p></div>").replace(",", ".")
    return (STYLE + head
            + "<h4>Per unit</h4>"
            + table_html(units, TUKIN_UNIT_COLUMNS, css="eperf-tukin-units",
                         empty="Tidak ada unit dalam pilihan ini.")
            + "<h4>Potongan terbesar</h4>"
            + table_html(sel.tukin_largest if sel.tukin_largest is not None else units.iloc[0:0],
                         TUKIN_EMPLOYEE_COLUMNS, css="eperf-tukin-largest",
                         empty="Tidak ada potongan.", nip_columns=("nip",))
            + "<h4>Tanpa kelas jabatan atau presensi</h4>"
            + table_html(sel.tukin_missing if sel.tukin_missing is not None else units.iloc[0:0],
                         TUKIN_EMPLOYEE_COLUMNS, css="eperf-tukin-missing",
                         empty="Semua pegawai memiliki kelas jabatan dan presensi.",
                         nip_columns=("nip",)))


# --------------------------------------------------------------------------- chart
# text.parse_math off: a unit name's "$" is a dollar sign, never matplotlib mathtext
_STYLE: Any = {"svg.fonttype": "none", "svg.hashsalt": "eperf-explorer", "text.parse_math": False,
               "font.family": ["DejaVu Sans"], "font.size": 8,
               "axes.edgecolor": "#d9e2ec", "xtick.color": "#52606d", "ytick.color": "#1f2933"}
BAR = "#2d6f9c"
LIMIT = "#c0392b"


def curve_limits(cfg: SchemeConfig, org_result: str | None) -> list[tuple[str, str, float, str]]:
    """(predikat, bound, percent, rule text) of the percent rules on one predikat for a
    unit's organisational result; rules on several predikat or counts are listed apart."""
    curve = getattr(cfg, "curve", None)
    if curve is None or org_result is None or org_result not in curve:
        return []
    out = []
    for rule in curve[org_result]:
        if rule.percent is not None and len(rule.predikat) == 1:
            out.append((rule.predikat[0], rule.bound, float(rule.percent), rule.text))
    return out


def distribution_svg(counts: dict[str, int], labels: Sequence[str],
                     limits: Sequence[tuple[str, str, float, str]], title: str,
                     lang: str = "id") -> str:
    """A bar chart of the predikat shares (percent of those with a predikat), with the
    distribution curve's percent limits as red ticks; inline SVG text."""
    total = sum(counts.values())
    shares = [100.0 * counts.get(label, 0) / total if total else 0.0 for label in labels]
    with rc_context(_STYLE):
        fig = Figure(figsize=(6.2, 2.6))
        ax = fig.add_subplot()
        xs = range(len(labels))
        bars = ax.bar(xs, shares, color=BAR, width=0.6)
        for bar, label in zip(bars, labels, strict=True):
            n = counts.get(label, 0)
            ax.annotate(f"{n} ({number(bar.get_height(), lang)}%)" if total else "0",
                        (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                        ha="center", va="bottom", fontsize=7, xytext=(0, 2),
                        textcoords="offset points")
        for predikat, bound, percent, _ in limits:
            if predikat in labels:
                i = list(labels).index(predikat)
                if (shares[i] > percent) if bound == "at_most" else (shares[i] < percent):
                    bars[i].set_color(LIMIT)  # this bar breaks the limit
                ax.hlines(percent, i - 0.42, i + 0.42, colors=LIMIT, linewidth=2)
                ax.annotate(("≤ " if bound == "at_most" else "≥ ") + f"{quantity(percent, lang)}%",
                            (i + 0.42, percent), color=LIMIT, fontsize=7, va="center",
                            xytext=(2, 0), textcoords="offset points")
        ax.set_xticks(list(xs), [label.replace("/", "/\n") for label in labels])
        ax.set_ylim(0, max(100.0, *(s + 8 for s in shares)))
        ax.set_ylabel(t("x_chart_ylabel", lang))
        ax.set_title(title, fontsize=8.5, loc="left")
        ax.spines[["top", "right"]].set_visible(False)
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None},
                    bbox_inches="tight", pad_inches=0.05)
    text = buf.getvalue()
    return re.sub(r"\s+", " ", text[text.index("<svg"):])


def distribution_html(sel: Selection, labels: Sequence[str], cfg: SchemeConfig,
                      unit_label: str, lang: str = "id") -> str:
    """The chart, the rules that apply and the breaches in the selection."""
    scheme = cfg.name
    limits = curve_limits(cfg, sel.org_result)
    who = (t("x_who_unit", lang).format(unit=sel.own_unit) if sel.own_unit
           else t("x_who_all", lang))
    n = sum(sel.own_counts.values())
    title = t("x_chart_title", lang).format(unit=unit_label, who=who, n=n)
    svg = distribution_svg(sel.own_counts, labels, limits, title, lang)
    notes = []
    if scheme != "permenpan-6-2022":
        notes.append(t("x_curve_other_scheme", lang).format(scheme=html.escape(scheme)))
    elif sel.own_unit is None:
        notes.append(t("x_curve_choose_unit", lang))
    else:
        curve = getattr(cfg, "curve", {})
        rules = [rule_text(r, lang) for r in curve.get(sel.org_result, ())] \
            if sel.org_result else []
        notes.append(t("x_curve_rules", lang).format(
            result=html.escape(str(sel.org_result)),
            rules=html.escape("; ".join(rules)) or "—"))
    body = "".join(f'<p class="note">{n}</p>' for n in notes)
    breaches = breaches_html(sel, lang, cfg) if scheme == "permenpan-6-2022" else ""
    return (f'{STYLE}<div class="eperf-x eperf-distribution" data-n="{n}">{svg}{body}</div>'
            f"{breaches}")


# --------------------------------------------------------------------------- card page
def card_page(record: CardRecord) -> str:
    """The card as the batch writes ``cards/<nip>.html`` (and ``eperf card`` its
    ``single/`` page): its notebook output converted with the template ``eperf-rapor``
    (one display output, no input). The monthly card, or the *Dokumen Evaluasi Kinerja*
    of a quarter, semester or year."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    data, meta = card_bundle(record)
    cell = new_code_cell(source="display(card)",
                         outputs=[new_output("display_data", data=data, metadata=meta)])
    nb: nbformat.NotebookNode = new_notebook(cells=[cell])
    return notebook_html(nb)


def card_pdf(record: CardRecord) -> bytes:
    """The card's A4 PDF (:func:`card_page` through :func:`eperformance.pdf.renderer`: the
    kernel's warm Chromium, or WeasyPrint), as the batch prints it."""
    from ..pdf import html_pdf

    return html_pdf(card_page(record))[0]
