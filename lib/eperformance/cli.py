"""The ``eperf`` command: parse, call the library, report. No logic of its own.

Every error a user can cause is an ``EperfError`` and ends as one clear line (plus a hint)
with the exit code of the README's table; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from . import __version__
from .errors import EXIT_OK, EperfError

log = logging.getLogger("eperformance")
F = TypeVar("F", bound=Callable[..., Any])


def _fail(exc: EperfError) -> None:
    click.echo(f"eperf: error: {exc.message}", err=True)
    if exc.hint:
        click.echo(f"eperf: hint: {exc.hint}", err=True)
    sys.exit(exc.exit_code)


def reports_errors(func: F) -> F:
    """Turn our own exceptions into one line on stderr and the table's exit code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except EperfError as exc:
            _fail(exc)

    return wrapper  # type: ignore[return-value]


db_option = click.option(
    "--db",
    "db_url",
    metavar="URL",
    default=None,
    help="SQLAlchemy database URL (default: DATABASE_URL, then .env, then data/workbook.sqlite).",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="eperf")
@click.option("-v", "--verbose", is_flag=True, help="More detail in the log.")
@click.option("-q", "--quiet", is_flag=True, help="Only errors.")
def main(verbose: bool, quiet: bool) -> None:
    """e-Performance Workbook: import activity data, compute scores, render report cards."""
    level = logging.DEBUG if verbose else logging.ERROR if quiet else logging.INFO
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    log.setLevel(level)
    # psycopg warns "error ignored terminating <Pipeline>" when a connection refused by the
    # server is collected: after our own one-line error it is noise (unless --verbose)
    logging.getLogger("psycopg").setLevel(logging.WARNING if verbose else logging.ERROR)


# --------------------------------------------------------------------------- demo
@main.command()
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              required=True, help="Folder to write the contract CSV files into.")
@click.option("--employees", default=300, show_default=True, type=click.IntRange(1, 200_000))
@click.option("--start", default="2021-01", show_default=True, help="First month, YYYY-MM.")
@click.option("--months", default=6, show_default=True, type=click.IntRange(1, 120))
@click.option("--seed", default=7, show_default=True, type=int)
@click.option("--scheme", default="permenpan-6-2022", show_default=True,
              help="Scheme whose behaviour aspects the demo rates.")
@reports_errors
def demo(out_dir: Path, employees: int, start: str, months: int, seed: int, scheme: str) -> None:
    """Write a deterministic synthetic organisation in the data-contract format."""
    from .demo import generate_demo

    summary = generate_demo(out_dir, employees=employees, start=start, months=months,
                            seed=seed, scheme=scheme)
    click.echo(f"demo data written to {out_dir}")
    for name, count in summary.rows.items():
        click.echo(f"  {name + '.csv':<22} {count:>10,} rows")


# --------------------------------------------------------------------------- ingest
@main.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--rejects", "rejects_path", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Where to write rejected rows (default: beside the input).")
@click.option("--check", is_flag=True,
              help="Validate and report exactly as an import would (counts, rejects file), "
                   "but load nothing and leave the schema as it is.")
@db_option
@reports_errors
def ingest(path: Path, rejects_path: Path | None, check: bool, db_url: str | None) -> None:
    """Import a folder of contract CSV files, or one XLSX workbook, into the database.

    Exit 0: everything loaded; 3: some rows rejected (see the rejects file), the rest
    loaded; 2: the import failed as a whole (nothing loaded); 5: database unreachable.
    With --check the same codes say what an import would do; nothing is loaded.
    """
    from .db.engine import open_engine, upgrade
    from .home import resolve_db_url
    from .ingest import check_target, run_ingest

    url = resolve_db_url(db_url)
    note = None
    if check:
        engine, note = check_target(url)
    else:
        engine = open_engine(url, create=True)
        upgrade(engine)
    try:
        report = run_ingest(path, engine, rejects_path, check=check)
    finally:
        engine.dispose()
    for warning in report.warnings:  # e.g. a misspelt column: never silent, even without -v
        click.echo(f"warning: {warning}", err=True)
    if note:
        click.echo(f"note: {note}", err=True)
    click.echo(report.table())
    click.echo(report.summary_line())
    sys.exit(report.exit_code)


# --------------------------------------------------------------------------- score
def _scheme_option(func: F) -> F:
    return click.option("--scheme", default="permenpan-6-2022", show_default=True,
                        help="Scoring scheme: permenpan-6-2022, pp-30-2019 or pp-46-2011.")(func)


def _use_360_option(func: F) -> F:
    return click.option("--use-360", "use_360", is_flag=True,
                        help="360-degree mode (pp-30-2019: peers and subordinates too).")(func)


@main.command()
@click.option("--period", required=True, help="Month to score, YYYY-MM.")
@_scheme_option
@click.option("--unit", default=None, help="A unit code: that unit and its sub-units.")
@_use_360_option
@db_option
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Scores CSV (data contract); a sidecar OUT.meta.json is written beside it.")
@click.option("--assignments-out", "assignments_out", default=None,
              type=click.Path(dir_okay=False, path_type=Path),
              help="Also write one row per assignment of the month.")
@reports_errors
def score(period: str, scheme: str, unit: str | None, use_360: bool, db_url: str | None,
          out: Path, assignments_out: Path | None) -> None:
    """Compute every active employee's scores for a month and write them as CSV."""
    from .db.engine import open_engine
    from .export import (
        NUMBER_COLUMNS_ASSIGNMENTS,
        NUMBER_COLUMNS_SCORES,
        write_csv,
        write_json,
    )
    from .home import resolve_db_url
    from .scores import ScoreRequest, compute_scores

    engine = open_engine(resolve_db_url(db_url))
    run = compute_scores(engine, ScoreRequest(period=period, scheme=scheme, unit=unit,
                                              use_360=use_360))
    write_csv(out, run.scores_frame, NUMBER_COLUMNS_SCORES)
    write_json(out.with_name(out.name + ".meta.json"), run.meta())
    if assignments_out is not None:
        write_csv(assignments_out, run.assignments_frame, NUMBER_COLUMNS_ASSIGNMENTS)
    frame = run.scores_frame
    counts = frame["predikat"].fillna("(tanpa predikat)").value_counts()
    note = " (SEMENTARA: the month is not closed yet)" if run.provisional else ""
    click.echo(f"{len(frame)} employees scored for {period} under {run.scheme_cfg.name} "
               f"v{run.scheme_cfg.version}{note} -> {out}")
    for label, n in counts.items():
        click.echo(f"  {label:<22} {n:>6}")


@main.command()
@click.option("--period", required=True, help="Month, YYYY-MM.")
@click.option("--unit", default=None, help="A unit code: that unit and its sub-units.")
@_scheme_option
@_use_360_option
@db_option
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              required=True, help="Folder for the recap CSV files.")
@reports_errors
def rekap(period: str, unit: str | None, scheme: str, use_360: bool, db_url: str | None,
          out_dir: Path) -> None:
    """Write the rekap capaian, unit recap, supervisor view and curve breaches as CSV."""
    from .db.engine import open_engine
    from .export import write_csv, write_json
    from .home import resolve_db_url
    from .recap import recap_tables
    from .scores import ScoreRequest, compute_scores

    engine = open_engine(resolve_db_url(db_url))
    run = compute_scores(engine, ScoreRequest(period=period, scheme=scheme, unit=unit,
                                              use_360=use_360))
    tables = recap_tables(run, engine)
    for name, frame in tables.as_dict().items():
        frame = frame.copy()
        frame["provisional"] = run.provisional
        decimals = [c for c in frame.columns if frame[c].dtype.kind == "f"]
        write_csv(out_dir / f"{name}.csv", frame, decimals)
    write_json(out_dir / "meta.json", run.meta())
    note = " (SEMENTARA: the month is not closed yet)" if run.provisional else ""
    click.echo(f"recap of {period} ({len(run.scores)} employees, "
               f"{len(tables.units)} units){note} written to {out_dir}")
    click.echo(f"  distribution-curve breaches: {len(tables.breaches)}; "
               f"employees with missing data: {len(tables.missing)}")


# --------------------------------------------------------------------------- card
@main.command()
@click.option("--nip", required=True, help="The employee's NIP (18 digits; spaces allowed).")
@click.option("--period", required=True, help="Month, YYYY-MM.")
@_scheme_option
@_use_360_option
@click.option("--lang", default="id", show_default=True, type=click.Choice(["id", "en"]),
              help="Language of the labels (Bahasa Indonesia or English).")
@click.option("--format", "formats", default="html,pdf", show_default=True,
              help="Comma-separated output formats: html, pdf.")
@db_option
@reports_errors
def card(nip: str, period: str, scheme: str, use_360: bool, lang: str, formats: str,
         db_url: str | None) -> None:
    """Render one employee's personal report card through the notebook (papermill, then
    nbconvert with the eperf-rapor template) into outputs/<period>/single/<nip>.html/.pdf.

    The PDF is printed by headless Chromium (/usr/bin/chromium), else WeasyPrint;
    EPERF_PDF=chromium|weasyprint chooses."""
    from .home import resolve_db_url
    from .render.single import make_single_card, parse_formats
    from .runparams import RaporParams, validate

    params = validate(RaporParams, nip=nip, period=period, scheme=scheme, lang=lang,
                      use_360=use_360)
    result = make_single_card(params, db_url=resolve_db_url(db_url),
                              formats=parse_formats(formats))
    note = " (SEMENTARA: the month is not closed yet)" if result.provisional else ""
    click.echo(f"card of {params.nip} for {params.period}: "
               f"{result.predikat or 'no predikat'}{note}; run {result.run_id}")
    for kind, path in result.paths.items():
        printer = f", {result.pdf_renderer}" if kind == "pdf" and result.pdf_renderer else ""
        click.echo(f"  {kind:<5} {path} ({result.sizes[kind] / 1024:.0f} KB{printer})")


# --------------------------------------------------------------------------- db
@main.group()
def db() -> None:
    """Database maintenance."""


@db.command("upgrade")
@db_option
@reports_errors
def db_upgrade(db_url: str | None) -> None:
    """Apply the schema migrations (creates the SQLite file if needed)."""
    from .db.engine import current_revision, open_engine, upgrade
    from .home import masked_url, resolve_db_url

    url = resolve_db_url(db_url)
    engine = open_engine(url, create=True)
    before = current_revision(engine)
    upgrade(engine)
    after = current_revision(engine)
    click.echo(f"{masked_url(url)}: schema {before or 'empty'} -> {after}")


@db.command("status")
@db_option
@reports_errors
def db_status(db_url: str | None) -> None:
    """Show the database URL (password masked) and its schema revision."""
    from .db.engine import current_revision, head_revision, open_engine
    from .home import masked_url, resolve_db_url

    url = resolve_db_url(db_url)
    engine = open_engine(url)
    current = current_revision(engine)
    state = "current" if current == head_revision() else "behind: run eperf db upgrade"
    click.echo(f"{masked_url(url)}: schema {current or 'empty'} ({state})")


# --------------------------------------------------------------------------- batch
@main.command()
@click.option("--period", default="previous", show_default=True,
              help="Month, YYYY-MM, or 'previous' (the month before the current one).")
@click.option("--unit", default=None, help="A unit code: that unit and its sub-units.")
@_scheme_option
@_use_360_option
@click.option("--lang", type=click.Choice(["id", "en"]), default="id", show_default=True)
@click.option("--format", "formats", default="html,pdf,xlsx", show_default=True,
              help="Card formats (html, pdf) and the recap workbook (xlsx).")
@click.option("--workers", default=0, type=click.IntRange(0, 256),
              help="Cards rendered at once, one kernel each (default: the number of CPUs).")
@click.option("--executor", type=click.Choice(["warm", "process", "dask"]), default="warm",
              show_default=True,
              help="warm: long-lived kernels; process: a fresh kernel per card (papermill's "
                   "way); dask: warm kernels on a Dask cluster (--scheduler).")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="Dask scheduler address, e.g. tcp://10.0.0.5:8786 (with --executor dask).")
@click.option("--provisional", is_flag=True,
              help="Allow a month that is not closed yet; everything is marked SEMENTARA.")
@click.option("--force", is_flag=True, help="Re-render every card, changed or not.")
@click.option("--wait", is_flag=True, help="Wait for a running batch of the same scope.")
@click.option("--quiet", "quiet_run", is_flag=True, help="No progress bar, only the summary.")
@click.option("--verbose", "verbose_run", is_flag=True,
              help="Name the employees in the log (run.log).")
@db_option
@reports_errors
def batch(period: str, unit: str | None, scheme: str, use_360: bool, lang: str, formats: str,
          workers: int, executor: str, scheduler: str | None, provisional: bool,
          force: bool, wait: bool, quiet_run: bool, verbose_run: bool,
          db_url: str | None) -> None:
    """Render every active employee's card of a month, the unit recap and recap.xlsx.

    Exit 0: every card made; 3: some cards failed (see the summary and failed/);
    4: refused (another batch runs, or the month is not closed); 2: bad parameters or
    no data for the month; 5: database unreachable.
    """
    from .batch import BatchOptions, run_batch

    if quiet_run:  # the terminal gets the summary, warnings and errors; run.log gets it all
        for handler in logging.getLogger().handlers:
            handler.addFilter(_warnings_and_up)
    opts = BatchOptions(
        period=period, unit=unit, scheme=scheme, use_360=use_360, lang=lang,
        formats=tuple(f.strip().lower() for f in formats.split(",") if f.strip()),
        workers=workers, executor=executor, scheduler=scheduler, provisional=provisional,
        force=force, wait=wait, quiet=quiet_run, verbose=verbose_run, db_url=db_url)
    try:
        result = run_batch(opts)
    finally:
        for handler in logging.getLogger().handlers:
            handler.removeFilter(_warnings_and_up)
    note = " (SEMENTARA)" if result.provisional else ""
    if result.status == "up-to-date":
        click.echo(f"{result.period}/{result.scope}: up to date, nothing re-rendered{note}")
    else:
        ok = result.total - len(result.failed)
        resumed = " (resumed)" if result.resumed else ""
        click.echo(f"{result.period}/{result.scope} run {result.run_id}{resumed}{note}: "
                   f"{ok}/{result.total} cards ok, {len(result.failed)} failed, "
                   f"{result.rendered} rendered, {result.reused} unchanged, "
                   f"{result.seconds:.1f} s")
    click.echo(f"  cards:  {result.folder / 'cards'}")
    recap = [p for p in (result.folder / "recap.html", result.folder / "recap.xlsx")
             if p.exists()]  # recap.xlsx only with --format ...xlsx
    if recap:
        click.echo(f"  recap:  {'  '.join(str(p) for p in recap)}")
    if result.failed:
        click.echo(f"  failed: {len(result.failed)} card(s), notebooks kept in "
                   f"{result.folder / 'failed'}; details in manifest.json and run.log")
    elif result.status == "partial":
        click.echo(f"  failed: the unit recap, notebook kept in {result.folder / 'failed'}; "
                   "details in manifest.json and run.log")
    sys.exit(result.exit_code)


def _warnings_and_up(record: logging.LogRecord) -> bool:
    """A handler filter: warnings and errors only (``eperf batch --quiet``)."""
    return record.levelno >= logging.WARNING


@main.command()
@click.option("--period", default=None, help="Only runs of this month.")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 10_000))
@db_option
@reports_errors
def runs(period: str | None, limit: int, db_url: str | None) -> None:
    """List the run ledger, newest first."""
    from .batch.ledger import list_runs
    from .db.engine import open_engine, require_current
    from .home import resolve_db_url

    engine = open_engine(resolve_db_url(db_url))
    require_current(engine)
    frame = list_runs(engine, limit, period)
    if frame.empty:
        click.echo("no runs recorded yet")
        return
    click.echo(frame.to_string(index=False))


# --------------------------------------------------------------------------- app
@main.command()
@click.option("--port", default=8866, show_default=True, type=click.IntRange(1, 65535),
              help="Port on 127.0.0.1 (localhost only).")
@db_option
@reports_errors
def app(port: int, db_url: str | None) -> None:
    """Serve the explorer (notebooks/30-explorer.ipynb) with Voila on localhost, no code
    shown; the database reaches the kernel through DATABASE_URL."""
    from .explorer.serve import serve_app

    serve_app(port=port, db_url=db_url)


def run() -> None:  # pragma: no cover - console entry
    main()
    sys.exit(EXIT_OK)


if __name__ == "__main__":  # pragma: no cover
    main()
