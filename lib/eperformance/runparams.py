"""Run parameters of the notebooks, validated before anything is read or written.

One frozen pydantic model per parameterised notebook (README.md, "The personal report card"):
:class:`RaporParams` (``notebooks/10-rapor-personal.ipynb``), :class:`RekapUnitParams`
(``notebooks/20-rekap-unit.ipynb``) and :class:`BatchParams`
(``notebooks/40-batch-bulanan.ipynb``). A test checks that each notebook's ``parameters``
cell declares exactly the fields of its model, with the same defaults.

:func:`validate` turns a ``ValidationError`` into one :class:`~eperformance.errors.UsageError`
line naming the parameter, e.g. ``invalid parameter 'nip': a NIP has digits and spaces
only``, so a bad value ends a notebook or a command with one clear message (exit 2). Values
that could reach a file name are checked here: a NIP is digits only (``../`` is refused),
a unit code is a plain code, a run id has the fixed shape. A period is any form of
domain.md §7 (``YYYY-MM``, ``YYYY-Qn``, ``YYYY-Sn``, ``YYYY``), returned in its canonical
text (``2021-q2`` -> ``2021-Q2``); in the card and recap notebooks a year may come as a
whole number from papermill's ``-p``, never in the batch notebook (a scheduler's unquoted
``2021-01`` is the number 2020).

The database URL is never a parameter: kernels get it through ``DATABASE_URL``.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Iterable
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Strict,
    ValidationError,
)

from .errors import UsageError
from .nip import NIP_LENGTH, normalize_nip
from .periods import ACCEPTED_FORMS, EXAMPLES, PeriodError
from .periods import Period as _PeriodValue
from .reference import DEFAULT_SCHEME, FORMATS, RESERVED_UNIT_CODES, SCHEMES

_UNIT = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
RUN_ID = re.compile(r"^\d{8}T\d{6}Z-[0-9a-f]{6}$")


# --------------------------------------------------------------------------- validators
def _nip(value: Any) -> str:
    """A NIP given as text (spaces allowed) or as an integer (papermill ``-p``)."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ValueError("a NIP is text or a whole number")
    text = str(value)
    if not text.strip():
        raise ValueError("a NIP is required (18 digits), e.g. -p nip 196601081988031001")
    if not re.fullmatch(r"[0-9 ]+", text):
        raise ValueError("a NIP has digits and spaces only")
    code = normalize_nip(text)
    if len(code) != NIP_LENGTH:
        raise ValueError(f"a NIP has {NIP_LENGTH} digits, not {len(code)}")
    return code


def _period_text(value: Any) -> Any:
    """A year given as a whole number (papermill's ``-p period 2021`` makes it an int)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:04d}" if 1 <= value <= 9999 else str(value)
    return value


def _period(value: str) -> str:
    """Any period of domain.md §7, written canonically (``2021-q2`` -> ``2021-Q2``)."""
    if not value.strip():
        raise ValueError(f"a period is required ({ACCEPTED_FORMS}), "
                         "e.g. -p period 2021-05")
    try:
        return _PeriodValue.parse(value.strip()).code
    except PeriodError:
        raise ValueError(f"a period is {ACCEPTED_FORMS}, {EXAMPLES}") from None


def _batch_period(value: str) -> str:
    """``previous`` (the month before the current one) or any period."""
    return value if value == "previous" else _period(value)


def _scheme(value: str) -> str:
    if value not in SCHEMES:
        raise ValueError(f"unknown scheme; use one of {', '.join(SCHEMES)}")
    return value


def _unit(value: str) -> str:
    value = value.strip()
    if value and (not _UNIT.match(value) or value in (".", "..")):
        raise ValueError("a unit code has 1-64 letters, digits, '-', '_' or '.'")
    if value in RESERVED_UNIT_CODES:
        raise ValueError(f"'{value}' is a reserved name, not a unit code")
    return value


def _run_id(value: str) -> str:
    if value and not RUN_ID.match(value):
        raise ValueError("a run id looks like 20210510T140500Z-a1b2c3 (or is empty)")
    return value


def parse_formats(value: str | Iterable[str], allowed: tuple[str, ...] = FORMATS
                  ) -> tuple[str, ...]:
    """The one check of output formats: ``"PDF, html"`` (or a sequence of names) ->
    ``("pdf", "html")``, duplicates dropped; none, or one not in ``allowed``, is a
    :class:`UsageError` naming them (``eperf batch`` and ``eperf card``'s ``--format``,
    the batch notebook's ``formats``, the explorer's batch)."""
    items = value.split(",") if isinstance(value, str) else list(value)
    parts = tuple(dict.fromkeys(p.strip().lower() for p in items if p.strip()))
    if not parts or any(p not in allowed for p in parts):
        given = value if isinstance(value, str) else ",".join(value)
        raise UsageError(f"invalid --format {given!r}: use any of {','.join(allowed)}")
    return parts


def _formats(value: str) -> str:
    try:
        return ",".join(parse_formats(value))
    except UsageError:
        raise ValueError(f"formats is a comma-separated list of {', '.join(FORMATS)}") \
            from None


Nip = Annotated[str, BeforeValidator(_nip)]
Period = Annotated[str, BeforeValidator(_period_text), Strict(), AfterValidator(_period)]
Scheme = Annotated[str, Strict(), AfterValidator(_scheme)]
Unit = Annotated[str, Strict(), AfterValidator(_unit)]
RunId = Annotated[str, Strict(), AfterValidator(_run_id)]
Flag = Annotated[bool, Strict()]
Language = Literal["id", "en"]


class _Params(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True)


class RaporParams(_Params):
    """``notebooks/10-rapor-personal.ipynb``: one employee's card for one period
    (a month, or a quarter, semester or year: the *Dokumen Evaluasi Kinerja*)."""

    nip: Nip
    period: Period
    scheme: Scheme = DEFAULT_SCHEME
    lang: Language = "id"
    use_360: Flag = False
    run_id: RunId = ""


class RekapUnitParams(_Params):
    """``notebooks/20-rekap-unit.ipynb``: the recap of a unit (``''``: all) for a period."""

    period: Period
    unit: Unit = ""
    scheme: Scheme = DEFAULT_SCHEME
    lang: Language = "id"
    use_360: Flag = False
    run_id: RunId = ""


class BatchParams(_Params):
    """``notebooks/40-batch-bulanan.ipynb``: the batch of a period (``period``
    ``previous``: the month before the current one; a quarter, semester or year too)."""

    # no whole number here: a scheduler's unquoted 2021-01 is the int 2020, a wrong year
    # (notebook_entry answers with the quoting hint; papermill: -r period 2021)
    period: Annotated[str, Strict(), AfterValidator(_batch_period)] = "previous"
    unit: Unit = ""
    scheme: Scheme = DEFAULT_SCHEME
    lang: Language = "id"
    use_360: Flag = False
    formats: Annotated[str, Strict(), AfterValidator(_formats)] = "html,pdf,xlsx"
    provisional: Flag = False
    force: Flag = False

    @property
    def format_list(self) -> tuple[str, ...]:
        return tuple(self.formats.split(","))


P = TypeVar("P", bound=_Params)


def _describe(err: Any) -> str:
    name = ".".join(str(p) for p in err["loc"] if not str(p).startswith("function-")) \
        or "(parameters)"
    kind = err["type"]
    if kind == "extra_forbidden":
        return f"unknown parameter '{name}'"
    if kind == "missing":
        return f"missing parameter '{name}'"
    msg = str(err["msg"])
    for prefix in ("Value error, ", "Assertion failed, "):
        msg = msg.removeprefix(prefix)
    if kind.endswith("_type") or kind == "literal_error":
        msg = f"{msg[:1].lower()}{msg[1:]} (got {err.get('input')!r})"
    return f"invalid parameter '{name}': {msg[:1].lower()}{msg[1:]}"


def validate(model: type[P], **values: Any) -> P:
    """``model(**values)``, or one :class:`UsageError` line naming the first bad parameter."""
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        errors = exc.errors()
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise UsageError(_describe(errors[0]) + more,
                         hint="check the notebook parameters or the command options") from None


def new_run_id(now: dt.datetime | None = None) -> str:
    """A fresh single-run id ``YYYYMMDDTHHMMSSZ-<6 hex>`` (random suffix)."""
    now = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    return f"{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


def run_id_time(run_id: str) -> dt.datetime | None:
    """The UTC time encoded in a run id, or ``None`` when it has none."""
    if not RUN_ID.match(run_id):
        return None
    return dt.datetime.strptime(run_id[:16], "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
