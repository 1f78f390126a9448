"""What the notebooks call, and everything a kernel needs around it.

The one call of each parameterised notebook: :func:`notebook_card`
(``10-rapor-personal.ipynb``), :func:`notebook_recap` (``20-rekap-unit.ipynb``) and
:func:`notebook_batch` (``40-batch-bulanan.ipynb``). Each validates the notebook's
parameters, resolves the database from the environment (never from a parameter), makes the
errors a user can cause end the notebook with one line (:func:`short_tracebacks`) and
returns what the notebook displays.

This module is the kernel side of a batch: the only reader of the hand-off the batch puts
in a kernel's environment (:class:`~eperformance.batch.handoff.KernelHandoff`: the run's
clock, its scope, the folder and secret of its context slices). It also keeps the
kernel's caches: one engine per database URL (:func:`dispose_engines`, called by
:func:`eperformance.kernel_reset` between cards) and, in a warm batch kernel, the run's
period context.
"""

from __future__ import annotations

import os
import warnings
from typing import TYPE_CHECKING, Any

from IPython import get_ipython
from IPython.display import display
from sqlalchemy import Engine

from .batch.handoff import KernelHandoff
from .batch.slices import context_key, load_slice
from .card import (
    CardsContext,
    build_card,
    build_cards_context,
    build_recap_view,
    card_from_context,
    check_card_request,
)
from .db.engine import open_engine
from .errors import EperfError, UsageError
from .home import resolve_db_url
from .render import CardDisplay, RecapDisplay
from .runparams import BatchParams, RaporParams, RekapUnitParams, validate

if TYPE_CHECKING:
    from .batch.summary import BatchSummary

# the batch notebook's parameters that are text (a scheduler's value must be quoted)
TEXT_PARAMETERS = ("period", "unit", "scheme", "lang", "formats")
SCHEDULER_HINT = ("in JupyterLab's scheduler a parameter value is a Python literal: write "
                  "\"2021-05\" (or \"2021\") and \"html,pdf\" in quotes, True or False "
                  "for flags; with papermill give a year as text: -r period 2021")


# --------------------------------------------------------------------------- the kernel
def short_tracebacks() -> None:
    """In an IPython kernel, show our own errors as one line (plus the hint) instead of a
    traceback. The error output keeps the exception's class name, so papermill raises a
    ``PapermillExecutionError`` whose ``ename`` is e.g. ``UsageError`` and whose message is
    that line; ``eperf card`` maps the name back to the exit code. Outside IPython: no-op."""
    shell = get_ipython()  # type: ignore[no-untyped-call]
    if shell is None:
        return

    def handler(shell: Any, etype: type, value: BaseException, tb: Any,
                tb_offset: Any = None) -> list[str]:
        lines = [f"{etype.__name__}: {value}"]
        hint = getattr(value, "hint", None)
        if hint:
            lines.append(f"hint: {hint}")
        shell._showtraceback(etype, value, lines)
        return lines

    shell.set_custom_exc((EperfError,), handler)


def handoff() -> KernelHandoff:
    """What the batch handed to this kernel (empty fields outside a batch)."""
    return KernelHandoff.from_env(os.environ)


_ENGINES: dict[str, Engine] = {}
# The period context of a warm batch kernel: one entry, keyed by the run (see
# batch_context). It holds what every card of the run shows, computed once.
_CONTEXTS: dict[str, CardsContext] = {}


def engine() -> Engine:
    """The kernel's engine for the resolved database URL (one per URL, kept)."""
    url = resolve_db_url()
    if url not in _ENGINES:
        _ENGINES[url] = open_engine(url)
    return _ENGINES[url]


def dispose_engines() -> None:
    """Close pooled connections (a warm kernel calls this between cards)."""
    for cached in _ENGINES.values():
        cached.dispose()


def drop_contexts() -> None:
    """Forget the run's period context (a fresh kernel; tests)."""
    _CONTEXTS.clear()


def batch_context(db: Engine, params: RaporParams, unit_code: str | None,
                  given: KernelHandoff) -> CardsContext | None:
    """In a warm batch kernel (``given.scope``: the run's scope, ``all`` or a unit code),
    the run's context for this card: the slice of the employee's unit that the batch
    wrote (``given.context_dir``, see :mod:`eperformance.batch.slices`), else the period
    context computed here on the first card and reused by the next ones of the same run.
    The key holds the database, the card parameters that change figures, the scope and
    the run's clock, so a card never sees another run's context; outside a batch,
    ``None`` (the card computes its own)."""
    if not given.scope:
        return None
    key = context_key(resolve_db_url(), params.period, params.scheme, params.use_360,
                      given.scope, given.now)
    if given.context_dir:
        part = load_slice(given.context_dir, unit_code, key, params.nip,
                          given.context_secret)
        if part is not None:
            return part
    ctx = _CONTEXTS.get(key)
    if ctx is None:
        _CONTEXTS.clear()
        ctx = build_cards_context(db, params.period, params.scheme, params.use_360,
                                  None if given.scope == "all" else given.scope,
                                  now=given.clock)
        _CONTEXTS[key] = ctx
    return ctx if params.nip in ctx.scores else None


# --------------------------------------------------------------------------- notebooks
def notebook_card(**parameters: Any) -> CardDisplay:
    """The one call of ``10-rapor-personal.ipynb``: validate, build, return the card to
    display (the record is its ``.record``)."""
    short_tracebacks()
    params = validate(RaporParams, **parameters)
    given = handoff()
    db = engine()
    unit = check_card_request(db, params)
    ctx = batch_context(db, params, unit, given)
    if ctx is not None:
        return CardDisplay(card_from_context(ctx, params.nip, params.lang, params.run_id))
    return CardDisplay(build_card(db, params, clock=given.clock))


def notebook_recap(**parameters: Any) -> RecapDisplay:
    """The one call of ``20-rekap-unit.ipynb``: the recap to display, part by part."""
    short_tracebacks()
    params = validate(RekapUnitParams, **parameters)
    return RecapDisplay(build_recap_view(engine(), params, clock=handoff().clock))


def _batch_params(parameters: dict[str, Any]) -> BatchParams:
    try:
        return validate(BatchParams, **parameters)
    except UsageError as exc:
        quoted = [k for k in TEXT_PARAMETERS
                  if k in parameters and not isinstance(parameters[k], str)]
        if quoted:  # e.g. period = 2021-05 typed without quotes (= 2016)
            raise UsageError(exc.message, hint=SCHEDULER_HINT) from None
        raise


def notebook_batch(**parameters: Any) -> BatchSummary:
    """The one call of ``40-batch-bulanan.ipynb``: validate, run the batch, summarise.

    Returns the summary when every card was made (the notebook displays it next); when
    cards failed, displays the summary here and raises
    :class:`~eperformance.batch.summary.CardsFailed`.
    """
    # lazy: a card kernel imports this module; it need not load the batch's orchestrator
    from .batch import orchestrator
    from .batch.options import BatchOptions
    from .batch.summary import summarise

    short_tracebacks()
    params = _batch_params(parameters)
    with warnings.catch_warnings():
        # tqdm.auto without ipywidgets: a text bar instead of a widget, no warning
        warnings.filterwarnings("ignore", message="IProgress not found")
        result = orchestrator.run_batch(BatchOptions.from_notebook(params))
    summary = summarise(params, result)
    if not summary.succeeded:
        display(summary)
        summary.check()
    return summary
