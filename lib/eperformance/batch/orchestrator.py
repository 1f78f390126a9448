"""``run_batch``: every card of a period and scope, resumable, locked, recorded.

The recipe (each step a named function below):

1. resolve the period (``previous`` = the month before the current one in the settings'
   time zone; a month, quarter, semester or year otherwise) and refuse a period whose
   last month is not closed unless ``provisional`` (exit 4);
2. resolve the scope, the scheme and the run key; take the scope's lock (exit 4 if held);
3. score the period once and compute every card's fingerprint in this process;
4. choose the run folder: resume the newest run with the same key that crashed or has
   failed cards, else start a new one (reusing unchanged cards of the newest ended run);
5. render the missing, failed or stale cards through the executor, journalling each;
6. execute the unit-recap notebook, write its HTML and ``recap.xlsx`` (a month; for a
   quarter, semester or year the cards and the manifest only, said in run.log);
7. write ``manifest.json``, close the ledger row, link ``latest``.

Only this module (and the jobs it runs) writes files; every write is atomic.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import gc
import hashlib
import logging
import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import nbformat
from tqdm.auto import tqdm

from .. import __version__
from ..card import build_cards_context, card_from_context, split_context
from ..db import queries as q
from ..db.engine import open_engine, require_current
from ..errors import Refused, UsageError
from ..export import atomic_write_bytes, atomic_write_text, csv_text, write_json
from ..home import (
    CARD_NOTEBOOK,
    RECAP_NOTEBOOK,
    notebook_path,
    outputs_dir,
    project_home,
    resolve_db_url,
)
from ..kernels import execute_notebook
from ..pages import notebook_html
from ..params import load_scheme, load_settings
from ..pdf import describe
from ..periods import Period
from ..runparams import parse_formats
from ..safefs import open_nofollow, owned_by_us, unlink_nofollow
from ..scores import ScoreRun
from ..scoring.closing import period_closing_time, period_is_closed, previous_period
from ..scoring.registry import get_scheme
from ..unit_recap import recap_tables
from ..xlsx import recap_workbook
from . import ledger
from .executors import ExecutorSettings, executor_class
from .failure import CardFailure
from .handoff import KernelHandoff
from .jobs import CardJob, kernel_environment
from .journal import CardOutcome, Journal, sha256_file
from .lock import BatchLock
from .options import CARD_FORMATS, BatchOptions
from .runinfo import (
    FILE_MODE,
    link_latest,
    make_dir,
    new_run_id,
    read_json,
    run_key,
    runs_with_key,
    scope_dir,
)
from .slices import context_key, new_secret, remove_slices, unit_groups, write_slices

log = logging.getLogger("eperformance.batch")
@dataclass
class BatchResult:
    run_id: str
    folder: Path
    period: str
    scope: str
    status: str  # ok | partial | up-to-date
    rendered: int = 0
    reused: int = 0
    failed: list[str] = field(default_factory=list)
    total: int = 0
    seconds: float = 0.0
    provisional: bool = False
    resumed: bool = False

    @property
    def exit_code(self) -> int:
        """3 when a card or the recap failed, else 0."""
        return 3 if self.failed or self.status == "partial" else 0


# --------------------------------------------------------------------------- steps
def resolve_period(period: str, now: dt.datetime, timezone: str) -> str:
    """``previous`` -> the month before ``now``'s month in ``timezone``; else any period,
    checked and written canonically (``2021-q2`` -> ``2021-Q2``)."""
    if period == "previous":
        local = now.astimezone(ZoneInfo(timezone))
        return previous_period(f"{local.year:04d}-{local.month:02d}")
    return Period.parse(period).code


@contextmanager
def run_log(folder: Path, verbose: bool) -> Iterator[None]:
    """Everything the ``eperformance`` loggers say during the run also goes to run.log."""
    fd = open_nofollow(folder / "run.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE)
    handler = logging.StreamHandler(os.fdopen(fd, "a", encoding="utf-8"))
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    handler.setLevel(logging.DEBUG if verbose else logging.INFO)
    root = logging.getLogger("eperformance")
    before = root.level
    root.addHandler(handler)
    if root.level == logging.NOTSET or root.level > logging.INFO:
        root.setLevel(logging.INFO)
    try:
        yield
    finally:
        root.removeHandler(handler)
        root.setLevel(before)
        handler.close()
        handler.stream.close()


def _progress(total: int, opts: BatchOptions) -> Any:
    if opts.quiet or opts.progress == "none" or total == 0:
        return None
    return tqdm(total=total, desc="rapor", unit="kartu", smoothing=0.1)


def _choose_folder(scope_folder: Path, key: str, now: dt.datetime, engine: Any
                   ) -> tuple[str, Path, bool, Path | None]:
    """(run_id, folder, resumed, folder to reuse unchanged cards from).

    Only a run folder of ours is resumed or reused: a real folder owned by this user whose
    run the ledger recorded with this key. Any other folder named for the key (planted in a
    shared outputs/, or another user's) is left alone, with a warning."""
    previous = [p for p in runs_with_key(scope_folder, key) if _genuine(p, key, engine)]
    if previous:
        newest = previous[0]
        manifest = read_json(newest / "manifest.json")
        status = manifest.get("status") if isinstance(manifest, dict) else None
        if status != "ok":  # crashed (no manifest) or ended with failed cards
            return newest.name, newest, True, None
        run_id = new_run_id(key, now)
        return run_id, scope_folder / run_id, False, newest
    run_id = new_run_id(key, now)
    return run_id, scope_folder / run_id, False, None


def _genuine(folder: Path, key: str, engine: Any) -> bool:
    if not owned_by_us(folder):
        log.warning("ignoring run folder %s: it belongs to another user (not resumed, "
                    "nothing in it is used)", folder)
        return False
    if not ledger.recorded(engine, folder.name, key):
        log.warning("ignoring run folder %s: the run ledger has no such run with these "
                    "parameters (not resumed, nothing in it is used)", folder)
        return False
    return True


def _expected_fingerprint(card_from_context: Any, ctx: Any, nip: str, lang: str,
                          now: dt.datetime) -> str:
    """The fingerprint the card will carry; "" when it cannot be computed here (the card
    job then runs and reports the failure in its own notebook)."""
    try:
        return str(card_from_context(ctx, nip, lang, "", now=now).fingerprint)
    except Exception:  # noqa: BLE001 - isolated per card; the job shows the error
        log.debug("fingerprint of a card could not be computed", exc_info=True)
        return ""


def _reusable(journal: Journal, nip: str, expected: str) -> CardOutcome | None:
    outcome = journal.read().get(nip)
    if outcome and outcome.fingerprint == expected and journal.whole(outcome):
        return outcome
    return None


# --------------------------------------------------------------------------- the recipe
@dataclass(frozen=True)
class _Plan:
    """A batch's resolved parameters, fixed before the lock is taken."""

    opts: BatchOptions
    db_url: str
    now: dt.datetime  # the run's clock (EPERF_NOW for every kernel of the run)
    period: str
    scope: str  # "all" or the unit code
    key: str
    formats: tuple[str, ...]
    scheme: str
    scheme_version: str
    provisional: bool

    @property
    def card_formats(self) -> tuple[str, ...]:
        return tuple(f for f in self.formats if f in CARD_FORMATS)

    @property
    def monthly(self) -> bool:
        """A month (tukin, recap and recap.xlsx are made); else a longer period."""
        return Period.parse(self.period).is_month

    @property
    def workers(self) -> int:
        return self.opts.workers or (os.cpu_count() or 1)

    def context_key(self) -> str:
        """The key of the context slices written for this run's kernels."""
        return context_key(self.db_url, self.period, self.opts.scheme, self.opts.use_360,
                           self.scope, self.now.isoformat())

    def handoff(self) -> KernelHandoff:
        """What every kernel of the run is given (a card job adds its scope and slices)."""
        return KernelHandoff(db_url=self.db_url, home=str(project_home()),
                             now=self.now.isoformat())

    def parameters(self) -> dict[str, Any]:
        o = self.opts
        return {"period": self.period, "unit": o.unit or "", "scheme": self.scheme,
                "lang": o.lang, "use_360": o.use_360, "formats": ",".join(self.formats),
                "provisional": o.provisional, "force": o.force, "workers": self.workers,
                "executor": o.executor}


def run_batch(opts: BatchOptions, *, now: dt.datetime | None = None,
              on_outcome: Callable[[CardOutcome], None] | None = None) -> BatchResult:
    """Render every card of ``opts.period`` for the scope; see the module docstring."""
    started = time.perf_counter()
    now = now or dt.datetime.now(dt.UTC)
    formats = parse_formats(opts.formats)
    settings = load_settings()
    period = resolve_period(opts.period, now, settings.timezone)
    scheme_cfg = load_scheme(get_scheme(opts.scheme).name)
    if opts.lang not in ("id", "en"):
        raise UsageError(f"invalid --lang {opts.lang!r}: use id or en")
    if opts.workers < 0:
        raise UsageError("--workers must be at least 1")
    provisional = not period_is_closed(period, now, settings.closing_day, settings.timezone)
    if provisional and not opts.provisional:
        closes = period_closing_time(period, settings.closing_day, settings.timezone)
        last = "" if Period.parse(period).is_month else \
            f" (its last month, {Period.parse(period).last_month})"
        raise Refused(f"{period} is not closed yet{last}: decisions count until "
                      f"{closes:%Y-%m-%d %H:%M:%S %Z}",
                      hint="rerun after the closing time, or with --provisional "
                           "(every card is then marked SEMENTARA)")
    db_url = resolve_db_url(opts.db_url)
    engine = open_engine(db_url)
    try:
        require_current(engine)
        with engine.connect() as conn:
            scope = q.resolve_scope(conn, unit=opts.unit or None).label
        plan = _Plan(opts=opts, db_url=db_url, now=now, period=period, scope=scope,
                     key=run_key(period, scope, scheme_cfg.name, scheme_cfg.version,
                                 opts.use_360, opts.lang, formats),
                     formats=formats, scheme=scheme_cfg.name,
                     scheme_version=scheme_cfg.version, provisional=provisional)
        old_umask = os.umask(0o027)
        try:
            scope_folder = make_dir(scope_dir(outputs_dir(), period, scope))
            with BatchLock(scope_folder, f"{period}/{scope}", wait=opts.wait):
                return _locked_run(plan, engine, scope_folder, started, on_outcome)
        finally:
            os.umask(old_umask)
    finally:
        engine.dispose()


def _locked_run(plan: _Plan, engine: Any, scope_folder: Path, started: float,
                on_outcome: Callable[[CardOutcome], None] | None) -> BatchResult:
    opts = plan.opts
    # 3. score once; cut the context per unit (for the kernels); every card's fingerprint
    ctx = build_cards_context(engine, plan.period, opts.scheme, opts.use_360,
                              opts.unit or None, now=plan.now)
    nips = ctx.nips
    slices = split_context(ctx, unit_groups(ctx))
    part_of = {nip: part for part in slices.values() for nip in part.scores}
    expected = {nip: _expected_fingerprint(card_from_context, part_of[nip], nip, opts.lang,
                                           plan.now)
                for nip in nips}
    tukin_run = ctx.tukin_run  # tukin.csv, tukin_days.csv and the recap's allowance sheet
    assert tukin_run is not None or not plan.monthly  # the allowance is monthly only
    # the run's fingerprint covers the allowance's data and its profile (name, version)
    data_fingerprint = (_run_fingerprint(ctx.run.data_fingerprint, tukin_run)
                        if tukin_run is not None else ctx.run.data_fingerprint)
    run = ctx.run  # the recap needs the scores; the rest of the context can go
    del ctx, part_of
    _release_memory()

    # 4. the run folder
    run_id, folder, resumed, reuse_from = _choose_folder(scope_folder, plan.key, plan.now,
                                                         engine)
    if reuse_from is not None and not opts.force:
        old = read_json(reuse_from / "manifest.json") or {}
        old_journal = Journal(reuse_from)
        if old.get("data_fingerprint") == data_fingerprint and all(
                _reusable(old_journal, nip, fp) for nip, fp in expected.items()):
            log.info("up to date: %s (nothing changed since that run)", reuse_from.name)
            return BatchResult(run_id=reuse_from.name, folder=reuse_from, period=plan.period,
                               scope=plan.scope, status="up-to-date", total=len(nips),
                               reused=len(nips), seconds=time.perf_counter() - started,
                               provisional=plan.provisional)
    parameters = plan.parameters()
    # the ledger row first: a database that refuses it leaves no empty run folder behind
    ledger.start(engine, run_id=run_id, kind="batch", key=plan.key, period=plan.period,
                 scope=plan.scope, scheme=plan.scheme, scheme_version=plan.scheme_version,
                 parameters=parameters, output_dir=str(folder), cards_total=len(nips))
    make_dir(folder)
    for sub in ("cards", "failed"):
        make_dir(folder / sub)
        # a run killed during an atomic write leaves its temporary file: never a card, and
        # the card is rendered again (it is not in the journal); the lock is ours
        for leftover in (folder / sub).glob(".*.tmp"):
            leftover.unlink(missing_ok=True)
    journal = Journal(folder)
    result = BatchResult(run_id=run_id, folder=folder, period=plan.period, scope=plan.scope,
                         status="running", total=len(nips), provisional=plan.provisional,
                         resumed=resumed)
    run_started = dt.datetime.now(dt.UTC)
    with run_log(folder, opts.verbose):
        log.info("run %s %s: %d active employees in scope %s%s", run_id,
                 "resumed" if resumed else "started", len(nips), plan.scope,
                 " (SEMENTARA)" if plan.provisional else "")
        # 5. the cards; 6. the recap
        # recap.xlsx from the scores now, so that they need not stay in memory beside the
        # kernels and the recap notebook's kernel (it is written after the recap notebook)
        xlsx: bytes | None = None
        tukin_meta: dict[str, Any] | None = None
        if tukin_run is not None and isinstance(run, ScoreRun):
            _write_tukin(folder, tukin_run)
            xlsx = _recap_xlsx(plan, engine, run, tukin_run)
            tukin_meta = tukin_run.meta()
        else:
            log.info("%s is a %s: the tunjangan kinerja is monthly, so no tukin.csv and no "
                     "allowance sheet in recap.xlsx", plan.period,
                     Period.parse(plan.period).kind)
            xlsx = _recap_xlsx(plan, engine, run)
        del run, tukin_run
        _release_memory()
        recap = _Recap(plan, engine, xlsx, run_id, folder)
        try:
            outcomes = _render_cards(plan, result, nips, expected, journal, reuse_from,
                                     on_outcome, slices, recap.start)
        finally:
            recap.join()  # a recap started beside the last prints ends before we go on
        recap_files, recap_error = recap.result()
        printers = sorted({o.pdf_renderer for o in outcomes.values() if o.pdf_renderer})
        if printers:
            log.info("PDF cards printed by %s", ", ".join(printers))
        # 7. manifest, ledger, latest
        failed = sorted(n for n, o in outcomes.items() if o.status != "ok")
        result.failed = failed
        result.status = "partial" if failed or recap_error else "ok"
        errors = [{"nip": n if opts.verbose else None, **_failure_record(outcomes[n].error)}
                  for n in failed]
        if recap_error:
            errors.append({"recap": True, **asdict(recap_error)})
        manifest = {
            "run_id": run_id, "run_key": plan.key, "status": result.status,
            "parameters": parameters, "scheme": plan.scheme,
            "scheme_version": plan.scheme_version, "package_version": __version__,
            "data_fingerprint": data_fingerprint, "provisional": plan.provisional,
            "period_kind": Period.parse(plan.period).kind,
            "months": list(Period.parse(plan.period).months),
            "tukin": {k: tukin_meta[k] for k in ("profile", "profile_version",
                                                 "profile_digest", "employees", "paid",
                                                 "total_rupiah")} if tukin_meta else None,
            "started_at": run_started.isoformat(timespec="seconds"),
            "finished_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "resumed": resumed,
            "cards": {n: {k: v for k, v in o.record().items() if k != "nip"}
                      for n, o in sorted(outcomes.items())},
            "recap": recap_files, "recap_error": _failure_record(recap_error) or None,
            "pdf_renderer": ", ".join(printers) or None,
            "counts": {"total": len(nips), "ok": len(nips) - len(failed),
                       "failed": len(failed), "rendered": result.rendered,
                       "reused": result.reused},
        }
        write_json(folder / "manifest.json", manifest, FILE_MODE)
        ledger.finish(engine, run_id, status=result.status, ok=len(nips) - len(failed),
                      failed=len(failed), skipped=result.reused, fingerprint=data_fingerprint,
                      errors=errors)
        link_latest(folder.parent, folder)
        _remove_if_empty(folder / ".work")
        result.seconds = time.perf_counter() - started
        log.info("run %s ended %s: %d cards ok, %d failed, %d rendered, %d reused in %.1f s",
                 run_id, result.status, len(nips) - len(failed), len(failed),
                 result.rendered, result.reused, result.seconds)
    return result


def _failure_record(failure: CardFailure | None) -> dict[str, Any]:
    return asdict(failure) if failure is not None else {}


_NIP_LIKE = re.compile(r"(?<!\d)\d{8} ?\d{6} ?\d ?\d{3}(?!\d)")


def _loggable(message: str, verbose: bool) -> str:
    """A card error's message for run.log: its first line, 300 characters at most, NIPs
    replaced unless ``--verbose`` (the log names no employee by default)."""
    line = message.strip().splitlines()[0] if message.strip() else ""
    if not verbose:
        line = _NIP_LIKE.sub("<NIP>", line)
    return line[:300]


def _remove_if_empty(path: Path) -> None:
    try:
        path.rmdir()
    except OSError:
        pass


def _cards_to_render(plan: _Plan, result: BatchResult, nips: list[str],
                     expected: dict[str, str], journal: Journal, reuse_from: Path | None,
                     outcomes: dict[str, CardOutcome]) -> list[str]:
    """The missing, failed or stale cards; whole unchanged ones are kept (from this run's
    journal, or hard-linked from the newest ended run) and recorded in ``outcomes``."""
    done = journal.read()
    old_journal = Journal(reuse_from) if reuse_from is not None else None
    todo: list[str] = []
    for nip in nips:
        mine = done.get(nip)
        if (not plan.opts.force and mine is not None and mine.fingerprint == expected[nip]
                and journal.whole(mine)):
            outcomes[nip] = mine
            result.reused += 1
            continue
        if not plan.opts.force and old_journal is not None and reuse_from is not None:
            old = _reusable(old_journal, nip, expected[nip])
            if old is not None:
                for rel in old.files:
                    target = journal.path_of(rel)
                    unlink_nofollow(target)
                    os.link(old_journal.path_of(rel), target, follow_symlinks=False)
                journal.append(old)
                outcomes[nip] = old
                result.reused += 1
                continue
        todo.append(nip)
    return todo if plan.card_formats else []


def _render_cards(plan: _Plan, result: BatchResult, nips: list[str],
                  expected: dict[str, str], journal: Journal, reuse_from: Path | None,
                  on_outcome: Callable[[CardOutcome], None] | None,
                  slices: dict[str, Any], workers_done: Callable[[], None] | None = None
                  ) -> dict[str, CardOutcome]:
    """Render the cards to render; ``slices`` (unit -> context slice) are written for the
    warm kernels, then dropped here. ``workers_done``: see
    :attr:`.executors.ExecutorSettings.workers_done`."""
    opts = plan.opts
    executor_type = executor_class(opts.executor)
    outcomes: dict[str, CardOutcome] = {}
    todo = _cards_to_render(plan, result, nips, expected, journal, reuse_from, outcomes)
    log.info("%d cards to render, %d unchanged", len(todo), result.reused)
    if todo and "pdf" in plan.card_formats:
        log.info("PDF renderer: %s", describe())
    notebook = str(notebook_path(CARD_NOTEBOOK))
    context_dir = result.folder / ".work" / "context"
    # unit by unit: a kernel then loads each unit's slice once
    unit_of = {nip: unit for unit, part in slices.items() for nip in part.scores}
    todo.sort(key=lambda nip: (unit_of.get(nip, ""), nip))
    secret = new_secret()  # the slices' signing key: in the jobs, never on disk
    remove_slices(context_dir)  # a killed run's slices (signed with its own secret)
    if todo and executor_type.shares_context:  # fresh kernels compute their own
        wanted = {unit_of for unit_of, part in slices.items()
                  if any(nip in part.scores for nip in todo)}
        written = write_slices(context_dir, plan.context_key(),
                               {u: slices[u] for u in sorted(wanted)}, secret)
        log.info("context written for the kernels: %d unit slices", written)
    slices.clear()
    _release_memory()
    jobs = (CardJob(nip=nip, period=plan.period, scheme=opts.scheme, lang=opts.lang,
                    use_360=opts.use_360, run_id=result.run_id, formats=plan.card_formats,
                    run_folder=str(result.folder), db_url=plan.db_url, notebook=notebook,
                    home=str(project_home()), now=plan.now.isoformat(),
                    # warm kernels share the run's context; a fresh kernel computes its own
                    scope=plan.scope if executor_type.shares_context else "",
                    context_dir=str(context_dir) if context_dir.is_dir() else "",
                    context_secret=secret)
            for nip in todo)
    bar = _progress(len(todo), opts)
    executor = executor_type(ExecutorSettings(
        workers=plan.workers, handoff=plan.handoff(), scheduler=opts.scheduler,
        kernels=load_settings().batch_kernels, pdf="pdf" in plan.card_formats,
        workers_done=workers_done))
    try:
        for outcome in executor.run(jobs):
            if (outcome.status == "ok" and expected[outcome.nip]
                    and outcome.fingerprint != expected[outcome.nip]):
                log.warning("a card's fingerprint differs from the batch's computation")
            journal.append(outcome)
            outcomes[outcome.nip] = outcome
            result.rendered += 1
            if outcome.status != "ok":
                err = outcome.error or CardFailure(None, "?", "")
                who = outcome.nip if opts.verbose else "a card"
                log.error("%s failed in cell %s: %s: %s", who, err.cell, err.ename,
                          _loggable(err.evalue, opts.verbose))
            elif opts.verbose:
                log.info("card %s ok in %.1f s", outcome.nip, outcome.seconds)
            if bar is not None:
                bar.update(1)
            if on_outcome is not None:
                on_outcome(outcome)
    finally:
        executor.close()
        remove_slices(context_dir)
        if bar is not None:
            bar.close()
    return outcomes


def _release_memory() -> None:
    """Collect, and hand freed heap pages back to the system (glibc), so the large
    context computed at the start does not stay in the batch's resident memory."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass


def _run_fingerprint(scores_fingerprint: str, tukin_run: Any) -> str:
    """The run's data fingerprint: the scores' and the allowance's data, and the tukin
    profile with its version and digest (docs/batch.md)."""
    p = tukin_run.profile
    text = (f"{scores_fingerprint}\0{tukin_run.data_fingerprint}\0{p.name}\0{p.version}"
            f"\0{p.digest()}")
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _write_tukin(folder: Path, tukin_run: Any) -> None:
    """``tukin.csv`` (with its ``.meta.json``) and ``tukin_days.csv`` (tukin.md §4)."""
    atomic_write_text(folder / "tukin.csv", csv_text(tukin_run.frame), FILE_MODE)
    atomic_write_text(folder / "tukin_days.csv", csv_text(tukin_run.days_frame), FILE_MODE)
    write_json(folder / "tukin.csv.meta.json", tukin_run.meta())
    os.chmod(folder / "tukin.csv.meta.json", FILE_MODE)


def _recap_xlsx(plan: _Plan, engine: Any, run: Any, tukin_run: Any = None) -> bytes | None:
    """The bytes of ``recap.xlsx`` (``None`` when the run does not write it)."""
    if "xlsx" not in plan.formats:
        return None
    return recap_workbook(run, recap_tables(run, engine), plan.opts.lang, tukin_run)


class _Recap:
    """The run's recap (:func:`_render_recap`): in a thread of its own when
    :meth:`start` is called (a warm batch's workers are done and only the printing of the
    last PDF cards remains: the recap does not read the cards, and its kernel uses the
    CPUs the workers left), else by :meth:`result`, after the cards."""

    def __init__(self, plan: _Plan, engine: Any, xlsx: bytes | None, run_id: str,
                 folder: Path) -> None:
        self._args = (plan, engine, xlsx, run_id, folder)
        self._thread: threading.Thread | None = None
        self._outcome: tuple[dict[str, str], CardFailure | None] | BaseException | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="eperf-recap", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        try:
            self._outcome = _render_recap(*self._args)
        except BaseException as exc:  # noqa: BLE001 - raised again by result()
            self._outcome = exc

    def join(self) -> None:
        if self._thread is not None:
            self._thread.join()

    def result(self) -> tuple[dict[str, str], CardFailure | None]:
        """(files, error), as :func:`_render_recap` returns them (or raises)."""
        if self._thread is None:
            return _render_recap(*self._args)
        self.join()
        if isinstance(self._outcome, BaseException):
            raise self._outcome
        assert self._outcome is not None
        return self._outcome


def _render_recap(plan: _Plan, engine: Any, xlsx: bytes | None, run_id: str, folder: Path
                  ) -> tuple[dict[str, str], CardFailure | None]:
    """The executed recap notebook, its HTML and recap.xlsx; (files, error)."""
    # lazy: papermill takes seconds to import; a run with nothing to do never needs it
    from papermill.exceptions import PapermillExecutionError

    opts = plan.opts
    files: dict[str, str] = {}
    executed = folder / ".work" / "recap.ipynb"
    executed.parent.mkdir(parents=True, exist_ok=True)
    params = {"period": plan.period, "unit": opts.unit or "", "scheme": opts.scheme,
              "lang": opts.lang, "use_360": opts.use_360, "run_id": run_id}
    try:
        with kernel_environment(plan.handoff()):
            execute_notebook(notebook_path(RECAP_NOTEBOOK), executed, params,
                             executed.parent)
        nb = nbformat.read(executed, as_version=4)
        atomic_write_text(folder / "recap.ipynb", nbformat.writes(nb), FILE_MODE)
        files["recap.ipynb"] = sha256_file(folder / "recap.ipynb")
        atomic_write_text(folder / "recap.html", notebook_html(nb), FILE_MODE)
        files["recap.html"] = sha256_file(folder / "recap.html")
        executed.unlink(missing_ok=True)
    except PapermillExecutionError as exc:
        if executed.is_file():
            os.replace(executed, folder / "failed" / "recap.ipynb")
        return files, CardFailure.of(exc)
    if xlsx is not None:
        atomic_write_bytes(folder / "recap.xlsx", xlsx, FILE_MODE)
        files["recap.xlsx"] = sha256_file(folder / "recap.xlsx")
    return files, None
