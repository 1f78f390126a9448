"""The explorer's views as HTML text: tables, the predikat chart (inline SVG) and the card
page. Pure functions of frames and records: no widgets, no database, no files; text from
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

from ..cards import CardRecord
from ..nip import format_nip
from ..params import SchemeConfig
from ..recap import NO_PREDIKAT
from ..scoring.rounding import fmt2
from .data import Selection

MAX_ROWS = 200  # rows shown in a table (the rest counted below it)

# Unit recap columns: (column, heading) — predikat columns are added per scheme.
RECAP_HEAD = (("unit_code", "Kode"), ("unit_name", "Unit"), ("headcount", "Pegawai"))
RECAP_TAIL = ((NO_PREDIKAT, NO_PREDIKAT), ("entries_verified_share", "% entri diverifikasi"),
              ("main_mean", "Rata-rata"), ("main_median", "Median"),
              ("breaches", "Pelanggaran kurva"))
SUPERVISOR_COLUMNS = (("supervisor_nip", "NIP atasan"), ("name", "Nama"),
                      ("direct_reports", "Bawahan"),
                      ("pending_backlog", "Entri belum diverifikasi"),
                      ("withheld_reports", "Pegawai tertahan (verifikasi belum selesai)"),
                      ("decisions", "Keputusan"),
                      ("decision_delay_median_days", "Median hari sampai keputusan"))
MISSING_COLUMNS = (("nip", "NIP"), ("name", "Nama"), ("unit_code", "Unit"),
                   ("keterangan", "Keterangan"), ("supervisor_nip", "NIP atasan"))
EMPLOYEE_COLUMNS = (("nip", "NIP"), ("name", "Nama"), ("unit_code", "Unit"),
                    ("position_type", "Jenis jabatan"), ("grade", "Golongan"),
                    ("main_figure", "Nilai"), ("predikat", "Predikat"))
BREACH_COLUMNS = (("unit_code", "Unit"), ("org_result", "Hasil organisasi"), ("rule", "Batas"),
                  ("actual", "Aktual"), ("count", "Jumlah"), ("n_employees", "Berpredikat"))

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
def _cell(value: Any) -> tuple[str, bool]:
    """(escaped text, is a number)."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return "", False
    if isinstance(value, bool):
        return ("ya" if value else ""), False
    if isinstance(value, int) or (hasattr(value, "dtype") and "int" in str(value.dtype)):
        return f"{int(value):,}".replace(",", "."), True
    if isinstance(value, float):
        return fmt2(value), True
    return html.escape(str(value)), False


def table_html(frame: pd.DataFrame, columns: Sequence[tuple[str, str]], *, css: str,
               empty: str, sorted_by: str | None = None, bad: pd.Series | None = None,
               nip_columns: Sequence[str] = ()) -> str:
    """``frame`` as an HTML table (at most :data:`MAX_ROWS` rows) with headings."""
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
            text, numeric = _cell(value)
            cells.append(f'<td class="n">{text}</td>' if numeric else f"<td>{text}</td>")
        cls = ' class="bad"' if flags is not None and bool(flags.loc[idx]) else ""
        rows.append(f"<tr{cls}>{''.join(cells)}</tr>")
    more = (f'<p class="note">… {len(frame) - MAX_ROWS:,} baris lagi (persempit pilihan)</p>'
            if len(frame) > MAX_ROWS else "")
    return (f'<div class="eperf-x {css}" data-rows="{len(frame)}"><table><thead><tr>{head}'
            f"</tr></thead><tbody>{''.join(rows)}</tbody></table>{more}</div>")


def recap_columns(labels: Sequence[str]) -> list[tuple[str, str]]:
    """The unit recap's columns and headings for a scheme's predikat labels."""
    return [*RECAP_HEAD, *((label, label) for label in labels), *RECAP_TAIL]


def sort_frame(frame: pd.DataFrame, column: str, descending: bool) -> pd.DataFrame:
    """``frame`` sorted by ``column`` (missing values last), ties by unit code."""
    if column not in frame.columns:
        return frame
    keys = [column] + (["unit_code"] if column != "unit_code" and "unit_code" in frame else [])
    return frame.sort_values(keys, ascending=[not descending] + [True] * (len(keys) - 1),
                             na_position="last", kind="stable")


def recap_html(sel: Selection, labels: Sequence[str], sort_by: str, descending: bool) -> str:
    frame = sort_frame(sel.units, sort_by, descending)
    return STYLE + table_html(frame, recap_columns(labels), css="eperf-recap-table",
                              empty="Tidak ada pegawai aktif di unit ini.", sorted_by=sort_by,
                              bad=frame["breaches"] > 0 if "breaches" in frame else None)


def backlog_html(sel: Selection) -> str:
    return STYLE + table_html(sel.supervisors, SUPERVISOR_COLUMNS, css="eperf-backlog-table",
                              empty="Tidak ada atasan untuk pilihan ini.",
                              bad=(sel.supervisors["pending_backlog"] > 0)
                              | (sel.supervisors.get("withheld_reports", 0) > 0),
                              nip_columns=("supervisor_nip",))


def missing_html(sel: Selection) -> str:
    return STYLE + table_html(sel.missing, MISSING_COLUMNS, css="eperf-missing-table",
                              empty="Semua pegawai dalam pilihan ini memiliki predikat.",
                              nip_columns=("nip", "supervisor_nip"))


def employees_html(sel: Selection) -> str:
    return STYLE + table_html(sel.employees, EMPLOYEE_COLUMNS, css="eperf-employees-table",
                              empty="Tidak ada pegawai yang cocok dengan filter.",
                              nip_columns=("nip", "supervisor_nip"))


def breaches_html(sel: Selection) -> str:
    return STYLE + table_html(sel.breaches, BREACH_COLUMNS, css="eperf-breaches-table",
                              empty="Tidak ada pelanggaran kurva distribusi.")


# --------------------------------------------------------------------------- chart
_STYLE: Any = {"svg.fonttype": "none", "svg.hashsalt": "eperf-explorer",
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
                     limits: Sequence[tuple[str, str, float, str]], title: str) -> str:
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
            ax.annotate(f"{n} ({fmt2(bar.get_height())}%)" if total else "0",
                        (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                        ha="center", va="bottom", fontsize=7, xytext=(0, 2),
                        textcoords="offset points")
        for predikat, bound, percent, _ in limits:
            if predikat in labels:
                i = list(labels).index(predikat)
                if (shares[i] > percent) if bound == "at_most" else (shares[i] < percent):
                    bars[i].set_color(LIMIT)  # this bar breaks the limit
                ax.hlines(percent, i - 0.42, i + 0.42, colors=LIMIT, linewidth=2)
                ax.annotate(("≤ " if bound == "at_most" else "≥ ") + f"{percent:g}%",
                            (i + 0.42, percent), color=LIMIT, fontsize=7, va="center",
                            xytext=(2, 0), textcoords="offset points")
        ax.set_xticks(list(xs), [label.replace("/", "/\n") for label in labels])
        ax.set_ylim(0, max(100.0, *(s + 8 for s in shares)))
        ax.set_ylabel("% pegawai berpredikat")
        ax.set_title(title, fontsize=8.5, loc="left")
        ax.spines[["top", "right"]].set_visible(False)
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None},
                    bbox_inches="tight", pad_inches=0.05)
    text = buf.getvalue()
    return re.sub(r"\s+", " ", text[text.index("<svg"):])


def distribution_html(sel: Selection, labels: Sequence[str], cfg: SchemeConfig,
                      unit_label: str) -> str:
    """The chart, the rules that apply and the breaches in the selection."""
    scheme = cfg.name
    limits = curve_limits(cfg, sel.org_result)
    who = (f"pegawai unit {sel.own_unit} sendiri" if sel.own_unit
           else "seluruh pegawai dalam pilihan")
    n = sum(sel.own_counts.values())
    title = f"Distribusi predikat — {unit_label} ({who}, n = {n})"
    svg = distribution_svg(sel.own_counts, labels, limits, title)
    notes = []
    if scheme != "permenpan-6-2022":
        notes.append(f"Kurva distribusi hanya berlaku untuk permenpan-6-2022 (skema: "
                     f"{html.escape(scheme)}).")
    elif sel.own_unit is None:
        notes.append("Kurva distribusi diperiksa per unit: pilih sebuah unit untuk melihat "
                     "batasnya. Pelanggaran seluruh unit dalam pilihan:")
    else:
        curve = getattr(cfg, "curve", {})
        rules = [r.text for r in curve.get(sel.org_result, ())] if sel.org_result else []
        notes.append(f"Hasil kerja organisasi: <b>{html.escape(str(sel.org_result))}</b>; "
                     f"batas: {html.escape('; '.join(rules)) or '—'}. "
                     "Pelanggaran di unit ini dan sub-unitnya:")
    body = "".join(f'<p class="note">{n}</p>' for n in notes)
    breaches = breaches_html(sel) if scheme == "permenpan-6-2022" else ""
    return (f'{STYLE}<div class="eperf-x eperf-distribution" data-n="{n}">{svg}{body}</div>'
            f"{breaches}")


# --------------------------------------------------------------------------- card page
def card_page(record: CardRecord) -> str:
    """The card as the batch writes ``cards/<nip>.html``: its notebook output converted
    with the template ``eperf-rapor`` (one display output, no input)."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    from ..render import notebook_html

    data, meta = record._repr_mimebundle_()
    cell = new_code_cell(source="display(card)",
                         outputs=[new_output("display_data", data=data, metadata=meta)])
    nb: nbformat.NotebookNode = new_notebook(cells=[cell])
    return notebook_html(nb)


def card_pdf(record: CardRecord) -> bytes:
    """The card's A4 PDF (:func:`card_page` through :func:`eperformance.pdf.renderer`: the
    kernel's warm Chromium, or WeasyPrint), as the batch prints it."""
    from ..pdf import html_pdf

    return html_pdf(card_page(record))[0]
