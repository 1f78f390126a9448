"""A batch run as a notebook shows it: :class:`BatchSummary`, whose rich HTML repr shows
the counts, the folders and the failures.

:func:`eperformance.notebook_entry.notebook_batch` (the one call of
``notebooks/40-batch-bulanan.ipynb``) validates the notebook's parameters, runs
:func:`~.orchestrator.run_batch` with a progress bar fit for a notebook (``tqdm.auto``: a
widget when ipywidgets is installed, else a text bar) and returns the summary.

How the notebook ends, so that a scheduled job (JupyterLab's scheduler, papermill) shows
the right state:

* every card made, or nothing changed: the summary, no error;
* cards failed (or the recap did): the summary is displayed first, then
  :class:`CardsFailed` ends the notebook with one line (the batch's exit code 3);
* refused (period not closed, lock held: ``Refused``), bad parameters or no data
  (``UsageError``), database unreachable: one line and its hint, no traceback
  (:func:`~eperformance.notebook_entry.short_tracebacks`).

The database URL reaches the kernel through ``DATABASE_URL`` (or the project home's
``.env``), never as a parameter, so an executed notebook never contains it.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import EXIT_PARTIAL, EperfError
from ..runparams import BatchParams
from .orchestrator import BatchResult
from .runinfo import read_json

MAX_FAILURES_SHOWN = 50


class CardsFailed(EperfError):
    """The batch ended but some cards (or the recap) failed: exit code 3, like
    ``eperf batch``. Raised after the summary is displayed."""

    exit_code = EXIT_PARTIAL


@dataclass(frozen=True)
class FailedCard:
    """One failed card as the manifest records it (the NIP names the failed notebook)."""

    nip: str
    cell: int | None
    ename: str
    evalue: str


@dataclass
class BatchSummary:
    """What a notebook shows of a batch run: counts, folders, failures."""

    params: BatchParams
    result: BatchResult
    failures: list[FailedCard] = field(default_factory=list)
    recap_error: dict[str, Any] | None = None

    # ------------------------------------------------------------------ facts
    @property
    def ok(self) -> int:
        return self.result.total - len(self.result.failed)

    @property
    def succeeded(self) -> bool:
        return not self.result.failed and self.recap_error is None

    @property
    def exit_code(self) -> int:
        """The exit code ``eperf batch`` gives the same run (3 also when only the recap
        failed)."""
        return 0 if self.succeeded else EXIT_PARTIAL

    @property
    def latest(self) -> Path:
        """``outputs/<period>/<scope>/latest``, the link to the newest ended run."""
        return self.result.folder.parent / "latest"

    def paths(self) -> dict[str, Path]:
        """The files and folders of the run worth opening (those that exist)."""
        folder = self.result.folder
        wanted = {"run folder": folder, "latest": self.latest, "cards": folder / "cards",
                  "recap.html": folder / "recap.html", "recap.xlsx": folder / "recap.xlsx",
                  "manifest.json": folder / "manifest.json", "run.log": folder / "run.log"}
        if not self.succeeded:
            wanted["failed notebooks"] = folder / "failed"
        return {k: v for k, v in wanted.items() if v.exists() or v.is_symlink()}

    def headline(self) -> str:
        r = self.result
        note = " (SEMENTARA: period not closed)" if r.provisional else ""
        if r.status == "up-to-date":
            return f"{r.period}/{r.scope}: up to date, nothing re-rendered{note}"
        resumed = " (resumed)" if r.resumed else ""
        return (f"{r.period}/{r.scope} run {r.run_id}{resumed}{note}: {self.ok}/{r.total} "
                f"cards ok, {len(r.failed)} failed, {r.rendered} rendered, {r.reused} "
                f"unchanged, {r.seconds:.1f} s")

    def error_line(self) -> str:
        r = self.result
        parts = []
        if r.failed:
            parts.append(f"{len(r.failed)} of {r.total} cards failed")
        if self.recap_error is not None:
            parts.append(f"the unit recap failed ({self.recap_error.get('ename')})")
        return (f"{' and '.join(parts)} in run {r.run_id}: notebooks kept in "
                f"{r.folder / 'failed'}, details in manifest.json and run.log")

    def check(self) -> BatchSummary:
        """Raise :class:`CardsFailed` when cards or the recap failed; else return self."""
        if not self.succeeded:
            raise CardsFailed(self.error_line(),
                              hint="run the notebook again with the same parameters (or "
                                   "eperf batch): only failed and missing cards are redone")
        return self

    # ------------------------------------------------------------------ display
    def __str__(self) -> str:
        lines = [self.headline()]
        lines += [f"  {name}: {path}" for name, path in self.paths().items()]
        lines += [f"  failed: {f.nip} (cell {f.cell}: {f.ename}: {f.evalue})"
                  for f in self.failures[:MAX_FAILURES_SHOWN]]
        if self.recap_error is not None:
            lines.append(f"  recap failed: {self.recap_error.get('ename')}: "
                         f"{self.recap_error.get('evalue')}")
        return "\n".join(lines)

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        p.text(str(self))

    def _repr_html_(self) -> str:
        r, e = self.result, html.escape
        colour = {"ok": "#1b7f3b", "up-to-date": "#1b5e9f"}.get(r.status, "#b3261e")
        badge = (f'<span style="background:{colour};color:#fff;padding:1px 8px;'
                 f'border-radius:8px">{e(r.status)}</span>')
        sementara = (' <span style="background:#f3c623;padding:1px 8px;border-radius:8px">'
                     'SEMENTARA</span>' if r.provisional else "")
        counts = [("cards in scope", r.total), ("ok", self.ok), ("failed", len(r.failed)),
                  ("rendered now", r.rendered), ("unchanged (reused)", r.reused),
                  ("seconds", f"{r.seconds:.1f}")]
        p = self.params
        settings = (f"scheme {e(p.scheme)}, lang {e(p.lang)}, 360° {'on' if p.use_360 else 'off'}"
                    f", formats {e(p.formats)}{', forced' if p.force else ''}"
                    f"{', resumed' if r.resumed else ''}")
        out = [f'<div class="eperf-batch-summary" data-status="{e(r.status)}">',
               f"<h3>Batch bulanan {e(r.period)} / {e(r.scope)} {badge}{sementara}</h3>",
               f"<p>run <code>{e(r.run_id)}</code> &middot; {settings}</p>",
               '<table class="eperf-batch-counts">']
        out += [f"<tr><th style='text-align:left'>{e(k)}</th><td>{e(str(v))}</td></tr>"
                for k, v in counts]
        out.append("</table><h4>Files</h4><ul>")
        out += [f"<li>{e(name)}: <code>{e(str(path))}</code></li>"
                for name, path in self.paths().items()]
        out.append("</ul>")
        if self.failures or self.recap_error is not None:
            out.append(f'<h4 style="color:#b3261e">Failures</h4><p>{e(self.error_line())}</p>')
        if self.failures:
            out.append('<table class="eperf-batch-failures"><tr><th>NIP</th><th>cell</th>'
                       "<th>error</th><th>message</th></tr>")
            out += [f"<tr><td><code>{e(f.nip)}</code></td><td>{e(str(f.cell))}</td>"
                    f"<td>{e(f.ename)}</td><td>{e(f.evalue)}</td></tr>"
                    for f in self.failures[:MAX_FAILURES_SHOWN]]
            out.append("</table>")
            if len(self.failures) > MAX_FAILURES_SHOWN:
                out.append(f"<p>… and {len(self.failures) - MAX_FAILURES_SHOWN} more "
                           "(see manifest.json)</p>")
        if self.recap_error is not None:
            out.append(f"<p>recap: {e(str(self.recap_error.get('ename')))}: "
                       f"{e(str(self.recap_error.get('evalue')))}</p>")
        out.append("</div>")
        return "\n".join(out)


# --------------------------------------------------------------------------- steps
def summarise(params: BatchParams, result: BatchResult) -> BatchSummary:
    """Read the run's manifest for the failures (cell, error) of the failed cards."""
    manifest = read_json(result.folder / "manifest.json")
    manifest = manifest if isinstance(manifest, dict) else {}
    cards = manifest.get("cards") or {}
    failures = []
    for nip in result.failed:
        error = (cards.get(nip) or {}).get("error") or {}
        failures.append(FailedCard(nip=nip, cell=error.get("cell"),
                                   ename=str(error.get("ename") or "?"),
                                   evalue=str(error.get("evalue") or "")))
    recap_error = manifest.get("recap_error") if result.status != "up-to-date" else None
    return BatchSummary(params=params, result=result, failures=failures,
                        recap_error=recap_error or None)
