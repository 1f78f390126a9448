"""Rendering: card and recap fragments (Jinja2, autoescaped), the nbconvert template
``eperf-rapor`` and PDF (:mod:`eperformance.pdf`: headless Chromium, else WeasyPrint).

* :func:`card_html` — the card of a :class:`~eperformance.card.CardRecord` as an HTML
  fragment with its own scoped ``<style>`` and inline SVG charts (``card.html.j2`` for a
  month, ``annual.html.j2``, the *Dokumen Evaluasi Kinerja*, for a quarter, semester or
  year; both share ``_card_*.html.j2``); :func:`card_bundle` the
  notebook output it becomes (HTML, text and the ``eperf`` metadata a batch reads back);
  :class:`CardDisplay` what the card notebook displays. :func:`recap_header_html` and
  friends do the same for the unit recap, displayed through :class:`RecapDisplay`.
* :func:`notebook_html` — an executed notebook to a self-contained page through nbconvert's
  ``HTMLExporter`` with our template ``eperf-rapor`` and no input cells (the command line
  equivalent: ``jupyter nbconvert --to html --no-input --template eperf-rapor``).
* :func:`html_to_pdf` — an A4 PDF from that page with WeasyPrint; no browser, and no
  request to any host (every URL fetch is refused). Cards are printed through
  :func:`eperformance.pdf.renderer` (a warm Chromium, this as the fallback).

The template has one source, ``render/nbconvert/eperf-rapor`` (package data), which
:func:`notebook_html` uses directly through ``extra_template_basedirs``. For the plain
``jupyter nbconvert`` command it must sit in ``<prefix>/share/jupyter/nbconvert/templates``:
a wheel install puts a copy there (``[tool.setuptools.data-files]`` in pyproject.toml), but
setuptools' *editable* install skips data files (pypa/setuptools#3399), so importing this
module links it there when it is missing (:func:`install_template`; a no-op when present
or when the prefix is not writable). ``python -m eperformance.render`` does it explicitly.
"""

from __future__ import annotations

import math
import numbers
import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from .. import i18n
from ..card import CardRecord, RecapView
from ..pages import NBCONVERT_DIR, TEMPLATE_NAME, html_exporter, html_to_pdf, notebook_html
from ..params import load_scheme
from ..rounding import fmt2
from ..unit_recap import predikat_labels
from .charts import behaviour_chart, trend_chart

PACKAGE_DIR = Path(__file__).resolve().parent
__all__ = ["NBCONVERT_DIR", "TEMPLATE_NAME", "CardDisplay", "HtmlFragment", "RecapDisplay",
           "card_bundle", "card_html", "html_exporter", "html_to_pdf", "notebook_html"]
MAX_CARD_BYTES = 300 * 1024


def template_dir() -> Path:
    """The folder holding the nbconvert template ``eperf-rapor`` (package data)."""
    return NBCONVERT_DIR / TEMPLATE_NAME


def installed_template_dir() -> Path:
    """Where ``jupyter nbconvert --template eperf-rapor`` looks first in this environment."""
    return Path(sys.prefix) / "share" / "jupyter" / "nbconvert" / "templates" / TEMPLATE_NAME


def install_template() -> Path | None:
    """Make ``eperf-rapor`` visible to the ``jupyter nbconvert`` command of this
    environment: a symbolic link to the package's template folder when nothing is there
    (editable installs); an existing folder (a wheel's copy) is left alone. Returns the
    installed path, or ``None`` when the prefix is not writable."""
    target = installed_template_dir()
    if (target / "index.html.j2").is_file():
        return target
    try:
        if target.is_symlink():  # a dangling link from a moved checkout
            target.unlink()
        target.parent.mkdir(parents=True, exist_ok=True)
        target.symlink_to(template_dir(), target_is_directory=True)
    except OSError:
        return None
    return target


@lru_cache(maxsize=1)
def card_css() -> str:
    return (resources.files(__package__) / "static" / "card.css").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def annual_css() -> str:
    """card.css followed by the rules of the *Dokumen Evaluasi Kinerja* only."""
    extra = (resources.files(__package__) / "static" / "annual.css").read_text(encoding="utf-8")
    return card_css() + extra


def _cell(value: Any, lang: str) -> str:
    """A recap table cell: numbers by the rounding rule, blanks for missing values."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return i18n.t("none", lang)
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        return i18n.number(float(value), lang)
    return str(value)


def _slug(value: str | None) -> str:
    return re.sub(r"[^a-z0-9]+", "-", (value or "").lower()).strip("-") or "none"


@lru_cache(maxsize=2)
def _env(lang: str) -> Environment:
    env = Environment(
        loader=PackageLoader("eperformance.render", "templates"),
        autoescape=select_autoescape(["html", "j2"], default_for_string=True, default=True),
        undefined=StrictUndefined,
        trim_blocks=False,
        lstrip_blocks=False,
    )
    env.filters.update({
        "num": lambda x: i18n.number(x, lang),
        "raw2": lambda x: fmt2(x) if x is not None else "",
        "qty": lambda x: i18n.quantity(x, lang),
        "val": lambda x: i18n.value_label(x, lang),
        "aspect": lambda x: i18n.aspect_label(x, lang),
        "aspect_name": i18n.aspect_name,
        "aspect_gloss": i18n.aspect_gloss,
        "val_short": lambda x: i18n.value_label_short(x, lang),
        "month": lambda p: i18n.month_label(p, lang),
        "period": lambda p: (i18n.month_label(p, lang) if len(str(p)) == 7 and str(p)[4] == "-"
                             and str(p)[5:].isdigit() else i18n.period_label(p, lang)),
        "ldate": lambda d: i18n.date_label(d, lang) if d else "",
        "sdate": lambda d: i18n.short_date(d, lang),
        "slug": _slug,
        "cellv": lambda v: _cell(v, lang),
        "rp": lambda x: i18n.rupiah(x, lang),
        "pct": lambda t: i18n.number(float(t), lang) if t not in (None, "") else "",
        "tcode": lambda c: i18n.tukin_code_label(c, lang),
        "reasons": lambda r: i18n.tukin_reasons(r, lang),
        "plabel": lambda p: i18n.period_label(p, lang),
        "mreasons": lambda r: i18n.reasons_label(";".join(r), lang),
        "level": i18n.functional_level_label,
        "credit": lambda x: i18n.number(x, lang, decimals=3),
    })
    env.globals.update({"L": i18n.labels(lang), "gloss": i18n.GLOSS.get})
    return env


def _bands(card: CardRecord) -> tuple[float, float] | None:
    """The behaviour band edges of the scheme (permenpan-6-2022 only)."""
    if card.scheme != "permenpan-6-2022":
        return None
    try:
        cfg = load_scheme(card.scheme)
        return (cfg.value_bands.sesuai, cfg.value_bands.di_atas)  # type: ignore[union-attr]
    except Exception:  # noqa: BLE001 - the chart falls back to no band lines
        return None


def card_template(card: CardRecord) -> str:
    """The template of the card family for ``card``: ``card.html.j2`` for a month, the
    *Dokumen Evaluasi Kinerja* ``annual.html.j2`` for a quarter, semester or year."""
    return "card.html.j2" if card.is_monthly else "annual.html.j2"


def card_html(card: CardRecord) -> str:
    """The card as an HTML fragment (scoped style, inline SVG charts, escaped data): the
    monthly card, or the *Dokumen Evaluasi Kinerja* of a longer period."""
    env = _env(card.lang)
    tz = card.timezone
    env.filters["when"] = lambda m: i18n.datetime_label(m, card.lang, tz) if m else ""
    bands = _bands(card)
    return env.get_template(card_template(card)).render(
        card=card,
        css=card_css() if card.is_monthly else annual_css(),
        bands=[f"{b:g}" for b in bands] if bands else None,
        behaviour_svg=behaviour_chart(card, bands) if card.aspects else "",
        trend_svg=trend_chart(card, max(6, len(card.months))),
    )


def _recap_render(view: RecapView, part: str) -> str:
    env = _env(view.params.lang)
    tz = view.run.settings.timezone
    env.filters["when"] = lambda m: i18n.datetime_label(m, view.params.lang, tz) if m else ""
    return env.get_template("recap.html.j2").render(
        part=part, view=view, css=card_css(), labels=predikat_labels(view.run.scheme_cfg.name),
        tables=view.tables, run=view.run)


def recap_header_html(view: RecapView) -> str:
    return _recap_render(view, "header")


def recap_units_html(view: RecapView) -> str:
    return _recap_render(view, "units")


def recap_details_html(view: RecapView) -> str:
    return _recap_render(view, "details")


# --------------------------------------------------------------------------- display
def card_bundle(card: CardRecord) -> tuple[dict[str, str], dict[str, Any]]:
    """The card as a notebook output: (data: HTML and text, metadata). The ``eperf``
    metadata is what a batch reads back from the executed notebook
    (:func:`eperformance.pages.card_meta`): predikat, fingerprint, provisional ..."""
    text = (f"{card.employee.name} ({card.employee.nip_display}) {card.period}: "
            f"{card.predikat or ', '.join(card.keterangan)}")
    meta = {"eperf": {"kind": "card", "lang": card.lang, "nip": card.employee.nip,
                      "title": f"{card.employee.name} — {card.period}",
                      "period": card.period, "run_id": card.run_id,
                      "provisional": card.provisional, "predikat": card.predikat,
                      "fingerprint": card.fingerprint}}
    return {"text/html": card_html(card), "text/plain": text}, meta


@dataclass(frozen=True)
class CardDisplay:
    """What the card notebook displays: the record (``.record``), shown as the card."""

    record: CardRecord

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> tuple[
            dict[str, str], dict[str, Any]]:
        return card_bundle(self.record)


class HtmlFragment:
    """A displayable HTML fragment."""

    def __init__(self, html: str) -> None:
        self.html = html

    def _repr_html_(self) -> str:
        return self.html


@dataclass(frozen=True)
class RecapDisplay:
    """What the recap notebook displays, part by part (``.view``: the recap's data)."""

    view: RecapView

    def header(self) -> HtmlFragment:
        return HtmlFragment(recap_header_html(self.view))

    def units(self) -> HtmlFragment:
        return HtmlFragment(recap_units_html(self.view))

    def details(self) -> HtmlFragment:
        return HtmlFragment(recap_details_html(self.view))


install_template()
