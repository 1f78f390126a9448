"""The options of a batch (a month, a quarter, a semester or a year), declared once:
:class:`BatchOptions`.

Each field carries its help text and, where it has one, its ``eperf batch`` flag
(:class:`Option`). The others derive from this declaration: the command's click options
(:func:`eperformance.cli.batch`), the mapping from the batch notebook's parameters
(:meth:`BatchOptions.from_notebook`; the notebook's parameter model is
:class:`~eperformance.runparams.BatchParams`, whose fields are the options marked
``notebook``), the explorer's batch button. Output formats are checked in one place,
:func:`~eperformance.runparams.parse_formats`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..reference import CARD_FORMATS, DEFAULT_SCHEME, FORMATS, SCHEMES

if TYPE_CHECKING:
    from ..runparams import BatchParams

__all__ = ["CARD_FORMATS", "EXECUTOR_CHOICES", "FORMATS", "BatchOptions", "Option"]

# the executors a batch offers (eperformance.batch.executors registers them by these
# names, and an "inline" one for a single card)
EXECUTOR_CHOICES: tuple[str, ...] = ("warm", "process", "dask")


@dataclass(frozen=True)
class Option:
    """How an option is offered: its help text, its flag (``None``: not on the command
    line), the choices of its value, whether the batch notebook has it as a parameter."""

    help: str
    flag: str | None = None
    choices: tuple[str, ...] = ()
    notebook: bool = False
    metavar: str | None = None
    max_value: int | None = None


def _option(default: Any, help: str, **how: Any) -> Any:  # noqa: A002 - click's word
    return field(default=default, metadata={"option": Option(help=help, **how)})


@dataclass(frozen=True)
class BatchOptions:
    """The parameters of ``eperf batch`` (and of ``notebooks/40-batch-bulanan.ipynb``)."""

    period: str = _option(
        "previous", "Period: a month YYYY-MM, a quarter YYYY-Qn, a semester YYYY-Sn, a year "
                    "YYYY, or 'previous' (the month before the current one).",
        flag="--period", notebook=True)
    unit: str | None = _option(None, "A unit code: that unit and its sub-units.",
                               flag="--unit", notebook=True)
    scheme: str = _option(DEFAULT_SCHEME, "Scoring scheme: " + ", ".join(SCHEMES[:-1])
                          + f" or {SCHEMES[-1]}.",
                          flag="--scheme", notebook=True)
    use_360: bool = _option(False, "360-degree mode (pp-30-2019: peers and subordinates "
                                   "too).", flag="--use-360", notebook=True)
    lang: str = _option("id", "Language of the labels (Bahasa Indonesia or English).",
                        flag="--lang", choices=("id", "en"), notebook=True)
    formats: tuple[str, ...] = _option(
        FORMATS, "Card formats (html, pdf) and the recap workbook (xlsx).", flag="--format",
        notebook=True)
    workers: int = _option(0, "Cards rendered at once, one kernel each (default: the "
                              "number of CPUs).", flag="--workers", max_value=256)
    executor: str = _option(
        "warm", "warm: long-lived kernels; process: a fresh kernel per card (papermill's "
                "way); dask: warm kernels on a Dask cluster (--scheduler).",
        flag="--executor", choices=EXECUTOR_CHOICES)
    scheduler: str | None = _option(
        None, "Dask scheduler address, e.g. tcp://10.0.0.5:8786 (with --executor dask).",
        flag="--scheduler", metavar="ADDRESS")
    provisional: bool = _option(
        False, "Allow a period that is not closed yet (its last month); everything is "
               "marked SEMENTARA.",
        flag="--provisional", notebook=True)
    force: bool = _option(False, "Re-render every card, changed or not.", flag="--force",
                          notebook=True)
    wait: bool = _option(False, "Wait for a running batch of the same scope.", flag="--wait")
    quiet: bool = _option(False, "No progress bar, only the summary.", flag="--quiet")
    verbose: bool = _option(False, "Name the employees in the log (run.log).",
                            flag="--verbose")
    db_url: str | None = _option(None, "SQLAlchemy database URL (default: DATABASE_URL, "
                                       "then .env, then data/workbook.sqlite).")
    progress: str = _option("auto", "auto: a tqdm bar, notebook-aware; none: no bar.")

    @staticmethod
    def declared() -> list[tuple[dataclasses.Field[Any], Option]]:
        """Every option with how it is offered, in declaration order."""
        return [(f, f.metadata["option"]) for f in dataclasses.fields(BatchOptions)]

    @classmethod
    def from_notebook(cls, params: BatchParams) -> BatchOptions:
        """The options of the notebook's parameters (the others keep their defaults: the
        number of CPUs, no waiting for a held lock; the database from the environment)."""
        values: dict[str, Any] = {}
        for f, how in cls.declared():
            if how.notebook:
                values[f.name] = getattr(params, f.name)
        values["unit"] = values["unit"] or None
        values["formats"] = params.format_list
        return cls(**values)

