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
from .batch.options import BatchOptions
from .errors import EXIT_OK, EperfError, UsageError

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


# The commands in the order of an HR office's month (the rest, if any, after them), each
# with a one-line example shown by ``eperf --help``.
WORKFLOW: tuple[tuple[str, str], ...] = (
    ("demo", "eperf demo --out data/demo"),
    ("ingest", "eperf ingest exports/2021-06/ --check"),
    ("find", "eperf find \"siti rahma\""),
    ("score", "eperf score --period 2021-06 --out nilai-2021-06.csv"),
    ("rekap", "eperf rekap --period 2021-Q2 --out rekap-2021-Q2/"),
    ("tukin", "eperf tukin --period 2021-06 --out tukin-2021-06.csv"),
    ("card", "eperf card --nip 196503061989122001 --period 2021-06"),
    ("batch", "eperf batch --period previous"),
    ("runs", "eperf runs --period 2021-06"),
    ("app", "eperf app"),
    ("db", "eperf db upgrade"),
)


class WorkflowGroup(click.Group):
    """``eperf --help`` lists the commands in workflow order, each summary whole, with an
    example under it."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        known = [name for name, _ in WORKFLOW if name in self.commands]
        return known + sorted(set(self.commands) - set(known))

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        examples = dict(WORKFLOW)
        rows: list[tuple[str, str]] = []
        for name in self.list_commands(ctx):
            cmd = self.get_command(ctx, name)
            if cmd is None or cmd.hidden:
                continue
            rows.append((name, cmd.get_short_help_str(limit=1000)))
            if name in examples:
                rows.append(("", f"e.g. {examples[name]}"))
        with formatter.section("Commands (in the order of a month's work)"):
            formatter.write_dl(rows, col_spacing=2)


@click.group(cls=WorkflowGroup, context_settings={"help_option_names": ["-h", "--help"]},
             epilog="Each command's own --help gives its options. Exit codes: 0 success, "
                    "2 usage error or no data, 3 partial (rows rejected, cards failed), "
                    "4 refused (lock held, period not closed), 5 database unreachable.")
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
@click.option("--scheme", default="all", show_default=True,
              help="Scheme whose behaviour aspects the demo rates; 'all' rates every "
                   "scheme's, so a card under any scheme is complete.")
@reports_errors
def demo(out_dir: Path, employees: int, start: str, months: int, seed: int, scheme: str) -> None:
    """Write a deterministic synthetic organisation in the data-contract format."""
    # lazy: a command loads only what it needs (eperf starts fast)
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
    # lazy: a command loads only what it needs (eperf starts fast)
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
def _no_cache_option(func: F) -> F:
    return click.option(
        "--no-cache", "no_cache", is_flag=True,
        help="Read every month from the data tables, not the closed months' cache (and keep "
             "nothing in it): for data changed by anything but eperf ingest.")(func)


def _scheme_option(func: F) -> F:
    return click.option("--scheme", default="permenpan-6-2022", show_default=True,
                        help="Scoring scheme: permenpan-6-2022, pp-30-2019 or pp-46-2011.")(func)


def _use_360_option(func: F) -> F:
    return click.option("--use-360", "use_360", is_flag=True,
                        help="360-degree mode (pp-30-2019: peers and subordinates too).")(func)


PERIOD_HELP = ("a month YYYY-MM, a quarter YYYY-Qn, a semester YYYY-Sn or a year YYYY "
               "(e.g. 2021-06, 2021-Q2, 2021-S1, 2021)")


def _period_note(provisional: bool, period: str) -> str:
    """The provisional note of a summary line (a month, or a longer period)."""
    # lazy: a tiny base module, but eperf --help needs none of it
    from .periods import Period

    if not provisional:
        return ""
    what = "month" if Period.parse(period).is_month else "period's last month"
    return f" (SEMENTARA: the {what} is not closed yet)"


@main.command()
@click.option("--period", required=True, help=f"Period to score: {PERIOD_HELP}.")
@_scheme_option
@click.option("--unit", default=None, help="A unit code: that unit and its sub-units.")
@_use_360_option
@_no_cache_option
@db_option
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Scores CSV (data contract); a sidecar OUT.meta.json is written beside it.")
@click.option("--assignments-out", "assignments_out", default=None,
              type=click.Path(dir_okay=False, path_type=Path),
              help="Also write one row per assignment of the period (every month's "
                   "assignments of a quarter, semester or year).")
@click.option("--credits-out", "credits_out", default=None,
              type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the angka kredit of functional employees (permenpan-6-2022; "
                   "the header only under the other schemes).")
@reports_errors
def score(period: str, scheme: str, unit: str | None, use_360: bool, no_cache: bool,
          db_url: str | None, out: Path, assignments_out: Path | None,
          credits_out: Path | None) -> None:
    """Compute every active employee's scores for a period and write them as CSV.

    The period is a month, a quarter, a semester or a year (domain.md §7): each
    assignment keeps its own month's measures and the period's figures aggregate them.
    """
    # lazy: a command loads only what it needs (eperf starts fast)
    from .db.engine import open_engine
    from .export import (
        NUMBER_COLUMNS_ASSIGNMENTS,
        NUMBER_COLUMNS_SCORES,
        atomic_write_text,
        check_output_path,
        csv_text,
        write_csv,
        write_json,
    )
    from .home import resolve_db_url
    from .scores import ScoreRequest
    from .unit_recap import credits_frame, period_code, score_run

    for path in (out, out.with_name(out.name + ".meta.json"), assignments_out, credits_out):
        if path is not None:
            check_output_path(path)
    engine = open_engine(resolve_db_url(db_url))
    try:
        run = score_run(engine, ScoreRequest(period=period, scheme=scheme, unit=unit,
                                             use_360=use_360, use_cache=not no_cache))
    finally:
        engine.dispose()
    write_csv(out, run.scores_frame, NUMBER_COLUMNS_SCORES)
    write_json(out.with_name(out.name + ".meta.json"), run.meta())
    if assignments_out is not None:
        write_csv(assignments_out, run.assignments_frame, NUMBER_COLUMNS_ASSIGNMENTS)
    if credits_out is not None:  # already formatted as the contract writes it
        atomic_write_text(credits_out, csv_text(credits_frame(run)))
    frame = run.scores_frame
    counts = frame["predikat"].fillna("(tanpa predikat)").value_counts()
    code = period_code(run)
    click.echo(f"{len(frame)} employees scored for {code} under {run.scheme_cfg.name} "
               f"v{run.scheme_cfg.version}{_period_note(run.provisional, code)} -> {out}")
    for label, n in counts.items():
        click.echo(f"  {label:<22} {n:>6}")
    _cache_note(run)


def _cache_note(run: Any) -> None:
    """One line naming the closed months a longer period read from the cache."""
    cached = run.extra.get("months_from_cache") or []
    if cached:
        click.echo(f"  ({len(cached)} closed month(s) read from the cache: {cached[0]}"
                   f"{'' if len(cached) == 1 else ' .. ' + cached[-1]}; --no-cache reads "
                   "them afresh)")


@main.command()
@click.option("--period", required=True, help=f"Period: {PERIOD_HELP}.")
@click.option("--unit", default=None, help="A unit code: that unit and its sub-units.")
@_scheme_option
@_use_360_option
@_no_cache_option
@db_option
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              required=True, help="Folder for the recap CSV files.")
@reports_errors
def rekap(period: str, unit: str | None, scheme: str, use_360: bool, no_cache: bool,
          db_url: str | None, out_dir: Path) -> None:
    """Write the rekap capaian, unit recap, ranks, supervisor view and curve breaches as
    CSV for a month, a quarter, a semester or a year."""
    # lazy: a command loads only what it needs (eperf starts fast)
    from .db.engine import open_engine
    from .export import check_output_path, write_csv, write_json
    from .home import resolve_db_url
    from .scores import ScoreRequest
    from .unit_recap import period_code, recap_tables, score_run

    check_output_path(out_dir, folder=True)
    engine = open_engine(resolve_db_url(db_url))
    try:
        run = score_run(engine, ScoreRequest(period=period, scheme=scheme, unit=unit,
                                             use_360=use_360, use_cache=not no_cache))
        tables = recap_tables(run, engine)
    finally:
        engine.dispose()
    for name, frame in tables.as_dict().items():
        frame = frame.copy()
        frame["provisional"] = run.provisional
        decimals = [c for c in frame.columns if frame[c].dtype.kind == "f"]
        write_csv(out_dir / f"{name}.csv", frame, decimals, for_people=True)
    write_json(out_dir / "meta.json", run.meta())
    code = period_code(run)
    click.echo(f"recap of {code} ({len(run.scores)} employees, "
               f"{len(tables.units)} units){_period_note(run.provisional, code)} "
               f"written to {out_dir}")
    click.echo(f"  distribution-curve breaches: {len(tables.breaches)}; "
               f"employees with missing data: {len(tables.missing)}")


# --------------------------------------------------------------------------- tukin
@main.command()
@click.option("--period", required=True,
              help="Month, YYYY-MM (the allowance is monthly: a quarter, semester or year "
                   "is refused).")
@click.option("--profile", default=None,
              help="Tukin profile, params/tukin/<profile>.yaml (default: tukin_profile of "
                   "params/settings.yaml).")
@_scheme_option
@_use_360_option
@click.option("--unit", default=None, help="A unit code: that unit and its sub-units.")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Allowance CSV, one row per active employee; a sidecar OUT.meta.json "
                   "is written beside it.")
@click.option("--days-out", "days_out", default=None,
              type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the attendance ledger (one row per deduction and day).")
@db_option
@reports_errors
def tukin(period: str, profile: str | None, scheme: str, use_360: bool, unit: str | None,
          out: Path, days_out: Path | None, db_url: str | None) -> None:
    """Compute the month's tunjangan kinerja (performance allowance) and its attendance
    ledger under a tukin profile (tukin.md).

    Exit 0: written; 2: bad parameters, an invalid profile, an attendance status the
    profile does not price, or no data for the month; 5: database unreachable.
    """
    # lazy: a command loads only what it needs (eperf starts fast)
    from .db.engine import open_engine
    from .export import atomic_write_text, csv_text, write_json
    from .home import resolve_db_url
    from .periods import parse_month
    from .tukin import TukinRequest, compute_tukin

    parse_month(period, what="eperf tukin")  # a longer period: one clear line, exit 2
    engine = open_engine(resolve_db_url(db_url))
    try:
        run = compute_tukin(engine, TukinRequest(period=period, profile=profile, scheme=scheme,
                                                 unit=unit, use_360=use_360))
    finally:
        engine.dispose()
    atomic_write_text(out, csv_text(run.frame))
    write_json(out.with_name(out.name + ".meta.json"), run.meta())
    if days_out is not None:
        atomic_write_text(days_out, csv_text(run.days_frame))
    meta = run.meta()
    note = " (SEMENTARA: the month is not closed yet)" if run.provisional else ""
    click.echo(f"tukin of {period} for {meta['employees']} employees under profile "
               f"{run.profile.name} v{run.profile.version} ({run.scheme_cfg.name} "
               f"v{run.scheme_cfg.version}){note} -> {out}")
    click.echo(f"  paid: {meta['paid']} employees, Rp {meta['total_rupiah']:,}")
    reasons: dict[str, int] = {}
    for row in run.rows:
        for reason in row.keterangan:
            reasons[reason] = reasons.get(reason, 0) + 1
    for reason, n in sorted(reasons.items()):
        click.echo(f"  {reason:<30} {n:>6}")


# --------------------------------------------------------------------------- card
@main.command(short_help="Render one employee's report card (HTML, PDF) into "
                         "outputs/<period>/single/.")
@click.option("--nip", required=True, help="The employee's NIP (18 digits; spaces allowed).")
@click.option("--period", required=True,
              help="Period: a month YYYY-MM, or YYYY-Qn, YYYY-Sn, YYYY (the Dokumen "
                   "Evaluasi Kinerja).")
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
    For a quarter, semester or year (2021-Q2, 2021-S1, 2021) the card is the Dokumen
    Evaluasi Kinerja: the period's figures and a month-by-month table.

    The PDF is printed by headless Chromium (/usr/bin/chromium), else WeasyPrint;
    EPERF_PDF=chromium|weasyprint chooses."""
    # lazy: a command loads only what it needs (eperf starts fast)
    from .batch.single import make_single_card
    from .home import resolve_db_url
    from .periods import Period
    from .reference import CARD_FORMATS
    from .runparams import RaporParams, parse_formats, validate

    params = validate(RaporParams, nip=nip, period=period, scheme=scheme, lang=lang,
                      use_360=use_360)
    result = make_single_card(params, db_url=resolve_db_url(db_url),
                              formats=parse_formats(formats, CARD_FORMATS))
    what = "month" if Period.parse(params.period).is_month else "period"
    note = f" (SEMENTARA: the {what} is not closed yet)" if result.provisional else ""
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
    # lazy: a command loads only what it needs (eperf starts fast)
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
    # lazy: a command loads only what it needs (eperf starts fast)
    from .db.engine import current_revision, head_revision, open_engine
    from .home import masked_url, resolve_db_url

    url = resolve_db_url(db_url)
    engine = open_engine(url)
    current = current_revision(engine)
    state = "current" if current == head_revision() else "behind: run eperf db upgrade"
    click.echo(f"{masked_url(url)}: schema {current or 'empty'} ({state})")


# --------------------------------------------------------------------------- batch
def _batch_flags(func: F) -> F:
    """The options of ``eperf batch``, each as :class:`~eperformance.batch.options.BatchOptions`
    declares it (flag, help, choices, default)."""
    for f, how in reversed(BatchOptions.declared()):
        if how.flag is None:
            continue
        default = f.default
        extra: dict[str, Any] = {}
        if isinstance(default, bool):
            extra["is_flag"] = True
        elif how.choices:
            extra.update(type=click.Choice(list(how.choices)), show_default=True)
        elif isinstance(default, int):
            extra["type"] = click.IntRange(0, how.max_value)
        elif isinstance(default, tuple):
            default = ",".join(default)
            extra["show_default"] = True
        elif default is not None:
            extra["show_default"] = True
        func = click.option(how.flag, f.name, default=default, help=how.help,
                            metavar=how.metavar, **extra)(func)
    return func


@main.command()
@_batch_flags
@db_option
@reports_errors
def batch(formats: str, **options: Any) -> None:
    """Render every active employee's card of a month, the unit recap and recap.xlsx;
    for a quarter, semester or year (--period 2021-Q2, 2021-S1, 2021) every Dokumen
    Evaluasi Kinerja (cards and manifest; no allowance, which is monthly).

    Exit 0: every card made; 3: some cards failed (see the summary and failed/);
    4: refused (another batch runs, or the period's last month is not closed); 2: bad
    parameters or no data for the period; 5: database unreachable.
    """
    # lazy: eperf's other commands need no batch machinery (nor pydantic)
    from .batch import run_batch
    from .runparams import parse_formats

    opts = BatchOptions(formats=parse_formats(formats), **options)
    if opts.quiet:  # the terminal gets the summary, warnings and errors; run.log gets it all
        for handler in logging.getLogger().handlers:
            handler.addFilter(_warnings_and_up)
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
    # lazy: a command loads only what it needs (eperf starts fast)
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


# --------------------------------------------------------------------------- find
@main.command()
@click.argument("text")
@click.option("--all", "include_inactive", is_flag=True, help="Include inactive employees.")
@db_option
@reports_errors
def find(text: str, include_inactive: bool, db_url: str | None) -> None:
    """Find employees by part of their name or NIP: NIP, name, unit and position."""
    # lazy: a command loads only what it needs (eperf starts fast)
    from .db.engine import open_engine, require_current
    from .home import resolve_db_url
    from .people import find_people

    engine = open_engine(resolve_db_url(db_url))
    try:
        require_current(engine)
        people = find_people(engine, text, include_inactive=include_inactive)
    finally:
        engine.dispose()
    if not people:
        raise UsageError(f"no {'' if include_inactive else 'active '}employee matches "
                         f"{text!r}", hint="try part of the name, or --all for inactive ones")
    for p in people:
        status = "" if p.active else "  (nonaktif)"
        click.echo(f"{p.nip}  {p.name}  |  {p.unit_code} {p.unit_name}  |  {p.position}"
                   f"{status}")
    click.echo(f"{len(people)} employee(s)", err=True)


# --------------------------------------------------------------------------- app
@main.command(short_help="Serve the explorer as a web app on localhost, behind a token.")
@click.option("--port", default=8866, show_default=True, type=click.IntRange(1, 65535),
              help="Port on 127.0.0.1 (localhost only).")
@click.option("--allow-host", "allow_hosts", metavar="NAME", multiple=True,
              help="Also answer to this host name (a reverse proxy's; repeatable; besides "
                   "localhost and explorer.allow_hosts in params/settings.yaml).")
@db_option
@reports_errors
def app(port: int, allow_hosts: tuple[str, ...], db_url: str | None) -> None:
    """Serve the explorer (notebooks/30-explorer.ipynb) with Voila on localhost, no code
    shown; the database reaches the kernel through DATABASE_URL. Prints the URL to open,
    with its token (EPERF_APP_TOKEN, else a new one per start)."""
    # lazy: a command loads only what it needs (eperf starts fast)
    from .explorer.serve import serve_app

    serve_app(port=port, db_url=db_url, allow_hosts=allow_hosts)


def run() -> None:  # pragma: no cover - console entry
    main()
    sys.exit(EXIT_OK)


if __name__ == "__main__":  # pragma: no cover
    main()
