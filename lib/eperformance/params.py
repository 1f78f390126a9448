"""Run parameters: load and validate ``params/*.yaml`` into frozen pydantic models.

Two kinds of files live under ``<home>/params`` (README, "Scoring"):

* ``params/settings.yaml`` -> :class:`Settings`: closing day, time zone, working days and
  hours, extra days off (*cuti bersama*), entry flag thresholds, signature place, ministry.
* ``params/schemes/<scheme>.yaml`` -> one of :class:`Permenpan6Config`,
  :class:`Pp30Config`, :class:`Pp46Config` (together :data:`SchemeConfig`): every threshold
  and weight of domain.md §3 for that scheme, with a ``version``.

Every model is frozen and refuses unknown keys. A file that does not validate raises
:class:`~eperformance.errors.SettingsError` with one line naming the file and the key, e.g.
``params/schemes/pp-46-2011.yaml: key 'weights.skp': value must be between 0 and 100``.

:func:`settings_digest` gives a stable SHA-256 of any of these models, for fingerprints.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import hashlib
import json
import os
import re
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    Strict,
    StringConstraints,
    ValidationError,
    model_validator,
)

from .contract import FUNCTIONAL_LEVELS
from .errors import SettingsError, UsageError
from .reference import ORG_RESULTS, SCHEMES

SETTINGS_FILE = Path("params") / "settings.yaml"
SCHEMES_DIR = Path("params") / "schemes"
TUKIN_DIR = Path("params") / "tukin"
DEFAULT_TUKIN_PROFILE = "kemensos-2023"
PROFILE_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,31}")

# Predikat labels of permenpan-6-2022 (domain.md §3.1), used by the distribution curve.
PERMENPAN_PREDIKAT: tuple[str, ...] = (
    "Sangat Baik", "Baik", "Butuh Perbaikan", "Kurang/Misconduct", "Sangat Kurang",
)
WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


# --------------------------------------------------------------------------- validators
def _percent(value: float) -> float:
    if not 0 <= value <= 100:
        raise ValueError("value must be between 0 and 100")
    return value


def _positive(value: float) -> float:
    if not value > 0:
        raise ValueError("value must be greater than 0")
    return value


def _closing_day(value: int) -> int:
    if not 1 <= value <= 28:
        raise ValueError("value must be a day between 1 and 28 (valid in every month)")
    return value


def _timezone(value: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {value!r}") from exc
    return value


def _non_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("value must not be blank")
    return value


def _profile_name(value: str) -> str:
    if not PROFILE_NAME.fullmatch(value):
        raise ValueError("a profile name is lower-case letters, digits and '-' or '_' "
                         "(the file params/tukin/<name>.yaml)")
    return value


# Numbers are strict: YAML ``true`` or ``"70"`` is a wrong type, not a number.
Number = Annotated[float, Strict()]
Percent = Annotated[float, Strict(), AfterValidator(_percent)]
Positive = Annotated[float, Strict(), AfterValidator(_positive)]
Text = Annotated[str, Strict(), AfterValidator(_non_blank)]
# a scheme's version is recorded in the run ledger's ``scheme_version VARCHAR(32)``
Version = Annotated[str, Strict(), StringConstraints(max_length=32), AfterValidator(_non_blank)]


class _Frozen(BaseModel):
    """Base of every parameter model: immutable, unknown keys refused, strict-ish types."""

    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True)

    def digest(self) -> str:
        """Stable SHA-256 (hex) of the model's JSON dump with sorted keys."""
        return settings_digest(self)


# --------------------------------------------------------------------------- settings.yaml
class WorkHours(_Frozen):
    """Office hours (domain.md §1, Presensi)."""

    start: dt.time = dt.time(7, 30)
    end: dt.time = dt.time(16, 0)
    friday_end: dt.time = dt.time(16, 30)
    hours_per_day: Positive = 7.5

    @model_validator(mode="after")
    def _ordered(self) -> WorkHours:
        if not self.start < self.end:
            raise ValueError("'end' must be after 'start'")
        if not self.start < self.friday_end:
            raise ValueError("'friday_end' must be after 'start'")
        return self


class EntryFlags(_Frozen):
    """An entry is flagged when its duration is far from the activity's standard duration:
    longer than ``too_long_factor`` times, or shorter than ``too_short_factor`` times, the
    standard minutes times the quantity."""

    too_long_factor: Positive = 3.0
    too_short_factor: Positive = 1 / 3

    @model_validator(mode="after")
    def _ordered(self) -> EntryFlags:
        if not self.too_short_factor < self.too_long_factor:
            raise ValueError("'too_short_factor' must be below 'too_long_factor'")
        return self


class BatchKernels(_Frozen):
    """Warm kernels of ``eperf batch``: a kernel is replaced after ``max_cards`` cards or
    when its resident memory passes ``max_rss_mb``."""

    max_cards: Annotated[int, Strict(), Field(ge=1, le=100_000)] = 250
    max_rss_mb: Annotated[int, Strict(), Field(ge=128, le=1_000_000)] = 1024
    cell_timeout_seconds: Annotated[int, Strict(), Field(ge=10, le=86_400)] = 600


def _host_name(value: str) -> str:
    name = value.strip().lower()
    if not re.fullmatch(r"[a-z0-9]([a-z0-9.-]*[a-z0-9])?|\[[0-9a-f:.]+\]", name):
        raise ValueError(f"{value!r} is not a host name (no scheme, port or path: "
                         "e.g. kinerja.example.go.id)")
    return name


HostName = Annotated[str, Strict(), AfterValidator(_host_name)]


class ExplorerApp(_Frozen):
    """``eperf app`` (the explorer served by Voila): the host names it answers to besides
    localhost (a reverse proxy's name), and its kernels: at most ``max_kernels`` at once;
    one without activity for ``idle_timeout_seconds`` is stopped (checked every
    ``cull_interval_seconds``), even with a page still open when ``cull_connected``."""

    allow_hosts: tuple[HostName, ...] = ()
    max_kernels: Annotated[int, Strict(), Field(ge=1, le=1000)] = 8
    idle_timeout_seconds: Annotated[int, Strict(), Field(ge=1, le=7 * 86_400)] = 900
    cull_interval_seconds: Annotated[int, Strict(), Field(ge=1, le=86_400)] = 60
    cull_connected: Annotated[bool, Strict()] = False


class Settings(_Frozen):
    """``params/settings.yaml``: everything that is not a scheme threshold."""

    closing_day: Annotated[int, Strict(), AfterValidator(_closing_day)] = 5
    timezone: Annotated[str, Strict(), AfterValidator(_timezone)] = "Asia/Jakarta"
    working_days: tuple[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"], ...] = (
        "mon", "tue", "wed", "thu", "fri",
    )
    extra_days_off: tuple[dt.date, ...] = ()
    work_hours: WorkHours = WorkHours()
    entry_flags: EntryFlags = EntryFlags()
    batch_kernels: BatchKernels = BatchKernels()
    # domain.md §5: an entry still awaiting verification at the closing time withholds the
    # hasil kerja figures (``withhold``) or simply does not count (``not_done``).
    pending_at_closing: Literal["withhold", "not_done"] = "withhold"
    signature_place: Text = "Jakarta"
    ministry_name: Text = "Kementerian Sosial Republik Indonesia"
    explorer: ExplorerApp = ExplorerApp()
    # tukin.md §1: the default tukin profile, ``params/tukin/<name>.yaml``
    tukin_profile: Annotated[str, Strict(), AfterValidator(_profile_name)] = DEFAULT_TUKIN_PROFILE
    # docs/periods.md: keep each closed month's scoring input once read (``month_cache``);
    # false when anything but ``eperf ingest`` writes the data tables
    month_cache: Annotated[bool, Strict()] = True

    @property
    def working_weekdays(self) -> frozenset[int]:
        """Working days as ``date.weekday()`` numbers (Monday = 0)."""
        return frozenset(WEEKDAYS.index(d) for d in self.working_days)


# --------------------------------------------------------------------------- schemes
class TwoBands(_Frozen):
    """Lower edges (inclusive, ``>=``) of the Di Atas and Sesuai bands."""

    di_atas: Number
    sesuai: Number

    @model_validator(mode="after")
    def _ordered(self) -> TwoBands:
        if not self.sesuai <= self.di_atas:
            raise ValueError("'sesuai' must not be above 'di_atas'")
        return self


class RatingPerilakuCounts(_Frozen):
    """Rating perilaku (§3.1): Di Bawah when at least ``di_bawah_min`` values are Di Bawah;
    Di Atas when at least ``di_atas_min`` values are Di Atas and none is Di Bawah."""

    di_bawah_min: Annotated[int, Strict(), Field(ge=1, le=7)] = 2
    di_atas_min: Annotated[int, Strict(), Field(ge=1, le=7)] = 4


class CurveRule(_Frozen):
    """One limit of the distribution curve: the share (percent) or the count of a unit's
    employees whose predikat is one of ``predikat`` is ``at_most``/``at_least`` a bound."""

    predikat: tuple[Literal[PERMENPAN_PREDIKAT], ...] = Field(min_length=1)  # type: ignore[valid-type]
    bound: Literal["at_most", "at_least"]
    percent: Percent | None = None
    count: Annotated[int, Strict(), Field(ge=0)] | None = None

    @model_validator(mode="after")
    def _one_limit(self) -> CurveRule:
        if (self.percent is None) == (self.count is None):
            raise ValueError("give exactly one of 'percent' and 'count'")
        return self

    @property
    def text(self) -> str:
        """The rule as one readable line, e.g. ``at most 70% Sangat Baik``."""
        what = " or ".join(self.predikat)
        if self.count is not None:
            if self.bound == "at_most" and self.count == 0:
                return f"no {what}"
            return f"{self.bound.replace('_', ' ')} {self.count} {what}"
        return f"{self.bound.replace('_', ' ')} {self.percent:g}% {what}"


def _default_curve() -> dict[str, tuple[CurveRule, ...]]:
    r = CurveRule
    return {
        "istimewa": (r(predikat=("Sangat Baik",), bound="at_most", percent=70),),
        "baik": (
            r(predikat=("Baik",), bound="at_most", percent=70),
            r(predikat=("Butuh Perbaikan", "Kurang/Misconduct"), bound="at_least", count=1),
        ),
        "butuh_perbaikan": (
            r(predikat=("Butuh Perbaikan",), bound="at_least", percent=60),
            r(predikat=("Sangat Baik",), bound="at_most", percent=10),
        ),
        "kurang": (
            r(predikat=("Kurang/Misconduct",), bound="at_least", percent=60),
            r(predikat=("Butuh Perbaikan",), bound="at_least", percent=10),
            r(predikat=("Sangat Baik",), bound="at_most", percent=10),
        ),
        "sangat_kurang": (
            r(predikat=("Sangat Kurang",), bound="at_least", percent=60),
            r(predikat=("Kurang/Misconduct", "Butuh Perbaikan"), bound="at_least", percent=10),
            r(predikat=("Sangat Baik",), bound="at_most", count=0),
        ),
    }


class CreditSource(_Frozen):
    """Where a block of the angka kredit settings comes from: the regulation and, when
    known, its article or annex."""

    block: Literal["predikat_percent", "coefficients"]
    regulation: Text
    article: Text | None = None


NonNegative = Annotated[float, Strict(), Field(ge=0)]


class AngkaKredit(_Frozen):
    """Angka kredit of functional posts (domain.md §7): the percent of the level's annual
    coefficient earned by each predikat, and the annual coefficient of each level. Every
    number comes from the scheme's YAML (there is no default in code), with its sources."""

    sources: tuple[CreditSource, ...] = Field(min_length=1)
    predikat_percent: dict[Literal[PERMENPAN_PREDIKAT], NonNegative]  # type: ignore[valid-type]
    coefficients: dict[Literal[FUNCTIONAL_LEVELS], Positive]  # type: ignore[valid-type]

    @model_validator(mode="after")
    def _complete(self) -> AngkaKredit:
        missing = [p for p in PERMENPAN_PREDIKAT if p not in self.predikat_percent]
        if missing:
            raise ValueError(f"'predikat_percent' lacks the predikat {', '.join(missing)}")
        lacking = [lv for lv in FUNCTIONAL_LEVELS if lv not in self.coefficients]
        if lacking:
            raise ValueError(f"'coefficients' lacks the level(s) {', '.join(lacking)}")
        blocks = {src.block for src in self.sources}
        unsourced = [b for b in ("predikat_percent", "coefficients") if b not in blocks]
        if unsourced:
            raise ValueError(f"'sources' names no regulation for {', '.join(unsourced)}")
        return self


class _SchemeBase(_Frozen):
    version: Version
    capaian_cap: Positive = 120.0


class Permenpan6Config(_SchemeBase):
    """``params/schemes/permenpan-6-2022.yaml`` (domain.md §3.1)."""

    name: Literal["permenpan-6-2022"] = "permenpan-6-2022"
    assignment_bands: TwoBands = TwoBands(di_atas=110, sesuai=90)
    value_bands: TwoBands = TwoBands(di_atas=90, sesuai=70)
    rating_perilaku: RatingPerilakuCounts = RatingPerilakuCounts()
    default_org_result: Literal[ORG_RESULTS] = "baik"  # type: ignore[valid-type]
    curve: dict[Literal[ORG_RESULTS], tuple[CurveRule, ...]] = Field(  # type: ignore[valid-type]
        default_factory=_default_curve
    )
    # domain.md §7: only from the YAML (None: the file gives none, no angka kredit)
    angka_kredit: AngkaKredit | None = None

    @model_validator(mode="after")
    def _all_results(self) -> Permenpan6Config:
        missing = [r for r in ORG_RESULTS if r not in self.curve]
        if missing:
            raise ValueError(f"'curve' lacks the organisational result(s) {', '.join(missing)}")
        return self


class Weights(_Frozen):
    """Weights (percent) of Nilai SKP and nilai perilaku in the final figure; sum 100."""

    skp: Percent
    perilaku: Percent

    @model_validator(mode="after")
    def _sum_100(self) -> Weights:
        if abs(self.skp + self.perilaku - 100) > 1e-9:
            raise ValueError("'skp' and 'perilaku' must add up to 100")
        return self


class Pp30Bands(_Frozen):
    """Lower edges (inclusive, ``>=``) of the pp-30-2019 predikat bands."""

    sangat_baik: Number = 110
    baik: Number = 90
    cukup: Number = 70
    kurang: Number = 50

    @model_validator(mode="after")
    def _ordered(self) -> Pp30Bands:
        if not self.kurang <= self.cukup <= self.baik <= self.sangat_baik:
            raise ValueError("band edges must not decrease from 'kurang' to 'sangat_baik'")
        return self


class Pp30Config(_SchemeBase):
    """``params/schemes/pp-30-2019.yaml`` (domain.md §3.2)."""

    name: Literal["pp-30-2019"] = "pp-30-2019"
    weights: Weights = Weights(skp=70, perilaku=30)
    weights_360: Weights = Weights(skp=60, perilaku=40)
    predikat_bands: Pp30Bands = Pp30Bands()


class Pp46Bands(_Frozen):
    """Edges of the pp-46-2011 sebutan; a figure must be strictly above an edge."""

    sangat_baik: Number = 90
    baik: Number = 75
    cukup: Number = 60
    kurang: Number = 50

    @model_validator(mode="after")
    def _ordered(self) -> Pp46Bands:
        if not self.kurang <= self.cukup <= self.baik <= self.sangat_baik:
            raise ValueError("band edges must not decrease from 'kurang' to 'sangat_baik'")
        return self


class Efficiency(_Frozen):
    """Constants of the waktu/biaya formulas (domain.md §3.3)."""

    threshold: Number = 24  # efficiency e <= threshold: first formula
    factor: Positive = 1.76
    base: Number = 76


class Pp46Config(_SchemeBase):
    """``params/schemes/pp-46-2011.yaml`` (domain.md §3.3)."""

    name: Literal["pp-46-2011"] = "pp-46-2011"
    weights: Weights = Weights(skp=60, perilaku=40)
    sebutan_bands: Pp46Bands = Pp46Bands()
    efficiency: Efficiency = Efficiency()


SchemeConfig = Permenpan6Config | Pp30Config | Pp46Config
SCHEME_MODELS: dict[str, type[_SchemeBase]] = {
    "permenpan-6-2022": Permenpan6Config,
    "pp-30-2019": Pp30Config,
    "pp-46-2011": Pp46Config,
}
assert tuple(SCHEME_MODELS) == SCHEMES

# --------------------------------------------------------------------------- tukin profiles
# tukin.md §1. Attendance statuses a profile prices as leave: every status of the data
# contract but ``hadir`` (present) and ``tanpa_keterangan`` (TK, priced by absent_per_day).
LEAVE_STATUSES: tuple[str, ...] = (
    "dinas_luar", "cuti_tahunan", "cuti_sakit", "cuti_besar", "cuti_melahirkan",
    "cuti_alasan_penting", "cltn", "izin", "tugas_belajar",
)
JOB_CLASSES: tuple[int, ...] = tuple(range(1, 18))
Rupiah = Annotated[float, Strict(), Field(ge=0)]


class TukinSource(_Frozen):
    """Where a block of the profile comes from: the regulation and its article."""

    block: Literal["amounts", "employment_percent", "weights", "kinerja", "deductions",
                   "rounding"]
    regulation: Text
    article: Text | None = None


class TukinWeights(_Frozen):
    """Percent of the base paid for performance (kinerja) and discipline; sum 100."""

    kinerja: Percent
    disiplin: Percent

    @model_validator(mode="after")
    def _sum_100(self) -> TukinWeights:
        if abs(self.kinerja + self.disiplin - 100) > 1e-9:
            raise ValueError("'kinerja' and 'disiplin' must add up to 100")
        return self


class TukinKinerja(_Frozen):
    """How the kinerja part is paid: by predikat, or by verified effective minutes."""

    basis: Literal["predikat", "menit"]
    predikat_percent: dict[Annotated[str, Strict(), AfterValidator(_non_blank)], Percent] = {}
    required_minutes_per_day: Positive | None = None
    floor_percent: Percent = 0.0

    @model_validator(mode="after")
    def _basis_keys(self) -> TukinKinerja:
        if self.basis == "predikat" and not self.predikat_percent:
            raise ValueError("basis 'predikat' needs 'predikat_percent'")
        if self.basis == "menit" and self.required_minutes_per_day is None:
            raise ValueError("basis 'menit' needs 'required_minutes_per_day'")
        return self


class TukinBand(_Frozen):
    """A lateness or early-departure band: up to ``up_to_minutes`` (inclusive; ``null``:
    no upper bound), ``percent`` deducted."""

    up_to_minutes: Annotated[int, Strict(), Field(ge=1)] | None
    percent: Percent


def _bands(value: tuple[TukinBand, ...]) -> tuple[TukinBand, ...]:
    if not value:
        raise ValueError("give at least one band")
    if value[-1].up_to_minutes is not None:
        raise ValueError("the last band must have 'up_to_minutes: null' (no upper bound)")
    edges = [b.up_to_minutes for b in value[:-1]]
    if any(e is None for e in edges):
        raise ValueError("only the last band may have 'up_to_minutes: null'")
    if any(b <= a for a, b in zip(edges, edges[1:], strict=False)):  # type: ignore[operator]
        raise ValueError("'up_to_minutes' must increase from band to band")
    return value


Bands = Annotated[tuple[TukinBand, ...], AfterValidator(_bands)]


class TukinLeave(_Frozen):
    """The percent deducted per day of a leave status; the first ``free_days`` days of that
    status in the month carry 0."""

    percent: Percent
    free_days: Annotated[int, Strict(), Field(ge=0, le=31)] = 0


def _cap(value: float) -> float:
    if value > 100:
        raise ValueError("value must not be above 100")
    return value


class TukinDeductions(_Frozen):
    """Deductions of the attendance ledger (tukin.md §2)."""

    applies_to: Literal["total", "disiplin"]
    late: Bands
    early: Bands
    no_check_in: Percent
    no_check_out: Percent
    absent_per_day: Percent
    leave: dict[Literal[LEAVE_STATUSES], TukinLeave] = {}  # type: ignore[valid-type]
    cap_percent: Annotated[float, Strict(), AfterValidator(_percent), AfterValidator(_cap)] = 100.0


class TukinRounding(_Frozen):
    """The paid amount is rounded half up to a multiple of ``to`` rupiah."""

    to: Annotated[int, Strict(), Field(ge=1, le=1_000_000)] = 1


class TukinProfile(_Frozen):
    """``params/tukin/<profile>.yaml``: every number of the allowance (tukin.md §1)."""

    name: Annotated[str, Strict(), AfterValidator(_profile_name)]
    version: Version
    title: Text | None = None
    sources: tuple[TukinSource, ...] = Field(min_length=1)
    amounts: dict[Annotated[int, Strict(), Field(ge=1, le=17)], Rupiah]
    employment_percent: dict[Literal["cpns", "pns", "pppk"], Percent]
    weights: TukinWeights
    kinerja: TukinKinerja
    deductions: TukinDeductions
    rounding: TukinRounding = TukinRounding()

    @model_validator(mode="after")
    def _complete(self) -> TukinProfile:
        missing = [str(k) for k in JOB_CLASSES if k not in self.amounts]
        if missing:
            raise ValueError(f"'amounts' lacks kelas jabatan {', '.join(missing)}")
        lacking = [k for k in ("cpns", "pns", "pppk") if k not in self.employment_percent]
        if lacking:
            raise ValueError(f"'employment_percent' lacks {', '.join(lacking)}")
        return self

    def check_predikat(self, labels: tuple[str, ...], scheme: str) -> None:
        """Basis ``predikat``: every predikat label of ``scheme`` must have a percent;
        :class:`SettingsError` (exit 2) naming the first missing label otherwise."""
        if self.kinerja.basis != "predikat":
            return
        missing = [x for x in labels if x not in self.kinerja.predikat_percent]
        if missing:
            raise SettingsError(
                f"{TUKIN_DIR / (self.name + '.yaml')}: key 'kinerja.predikat_percent': "
                f"lacks the predikat {missing[0]!r} of scheme {scheme}"
                + (f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""),
                hint="give every predikat label of the scheme a percent",
            )


M = TypeVar("M", bound=BaseModel)


# --------------------------------------------------------------------------- loading
def _default_home() -> Path:
    try:
        from eperformance.home import project_home
    except ImportError:  # pragma: no cover - home module not available
        env = os.environ.get("EPERF_HOME")
        return Path(env).expanduser().resolve() if env else Path(__file__).resolve().parents[2]
    return project_home()


def _key(loc: tuple[int | str, ...]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        elif item.startswith(("function-after", "literal[", "union[")) or "[" in item:
            continue  # pydantic's internal validator names, not keys of the file
        else:
            parts.append(("." if parts else "") + item)
    return "".join(parts) or "(top level)"


def _message(err: Any) -> str:
    kind = err["type"]
    if kind == "extra_forbidden":
        return "unknown key"
    if kind == "missing":
        return "required key missing"
    msg = str(err["msg"])
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            msg = msg[len(prefix):]
    return msg[:1].lower() + msg[1:]


def _validate(model: type[M], data: Any, label: str) -> M:
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise SettingsError(f"{label}: the file must hold a mapping of keys to values")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        first = errors[0]
        more = f" (and {len(errors) - 1} more problem(s))" if len(errors) > 1 else ""
        raise SettingsError(
            f"{label}: key '{_key(tuple(first['loc']))}': {_message(first)}{more}",
            hint=f"fix {label} and run again",
        ) from None


def _read_yaml(path: Path, label: str) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SettingsError(f"{label}: cannot read the file ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise SettingsError(f"{label}: the file is not UTF-8") from None
    try:
        return copy.deepcopy(_parse_yaml(text))
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        at = f" at line {where.line + 1}" if where is not None else ""
        raise SettingsError(f"{label}: not valid YAML{at}") from None


@functools.lru_cache(maxsize=32)
def _parse_yaml(text: str) -> Any:
    """Parsed once per distinct file content (a warm kernel reads the scheme per card;
    the file is still read every time, so an edit is seen at once)."""
    return yaml.safe_load(text)


def parse_settings(data: Any, label: str = str(SETTINGS_FILE)) -> Settings:
    """Validate an already parsed mapping as settings; ``label`` names it in errors."""
    return _validate(Settings, data, label)


def parse_scheme(name: str, data: Any, label: str | None = None) -> SchemeConfig:
    """Validate an already parsed mapping as the configuration of scheme ``name``."""
    model = SCHEME_MODELS.get(name)
    if model is None:
        raise UsageError(
            f"unknown scheme {name!r}; known schemes: {', '.join(SCHEMES)}",
            hint="use one of the known schemes",
        )
    label = label or str(SCHEMES_DIR / f"{name}.yaml")
    if isinstance(data, dict) and "name" in data and data["name"] != name:
        raise SettingsError(f"{label}: key 'name': must be {name!r} (the file's name)")
    return _validate(model, data, label)  # type: ignore[return-value]


def load_settings(home: Path | None = None) -> Settings:
    """Load ``<home>/params/settings.yaml``; the defaults of :class:`Settings` when absent."""
    home = Path(home) if home is not None else _default_home()
    path = home / SETTINGS_FILE
    if not path.exists():
        return Settings()
    return parse_settings(_read_yaml(path, str(SETTINGS_FILE)), str(SETTINGS_FILE))


def load_scheme(name: str, home: Path | None = None) -> SchemeConfig:
    """Load ``<home>/params/schemes/<name>.yaml``.

    Raises :class:`UsageError` for an unknown scheme (listing the known ones) and
    :class:`SettingsError` for a missing or invalid file.
    """
    if name not in SCHEME_MODELS:
        raise UsageError(
            f"unknown scheme {name!r}; known schemes: {', '.join(SCHEMES)}",
            hint="use one of the known schemes",
        )
    home = Path(home) if home is not None else _default_home()
    rel = SCHEMES_DIR / f"{name}.yaml"
    path = home / rel
    if not path.exists():
        raise SettingsError(f"{rel}: file not found under {home}")
    return parse_scheme(name, _read_yaml(path, str(rel)), str(rel))


def tukin_profiles(home: Path | None = None) -> list[str]:
    """The names of the profiles under ``<home>/params/tukin``, sorted."""
    home = Path(home) if home is not None else _default_home()
    folder = home / TUKIN_DIR
    if not folder.is_dir():
        return []
    return sorted(p.stem for p in folder.glob("*.yaml") if PROFILE_NAME.fullmatch(p.stem))


def parse_tukin_profile(name: str, data: Any, label: str | None = None) -> TukinProfile:
    """Validate an already parsed mapping as the tukin profile ``name``."""
    label = label or str(TUKIN_DIR / f"{name}.yaml")
    if isinstance(data, dict):
        if "name" in data and data["name"] != name:
            raise SettingsError(f"{label}: key 'name': must be {name!r} (the file's name)")
        data = {"name": name, **data}
    return _validate(TukinProfile, data, label)


def load_tukin_profile(name: str | None = None, home: Path | None = None) -> TukinProfile:
    """Load ``<home>/params/tukin/<name>.yaml`` (``None``: the settings' ``tukin_profile``).

    Raises :class:`UsageError` for an unknown profile (listing the known ones) and
    :class:`SettingsError` for an invalid file.
    """
    home = Path(home) if home is not None else _default_home()
    if name is None:
        name = load_settings(home).tukin_profile
    known = tukin_profiles(home)
    if not PROFILE_NAME.fullmatch(name) or name not in known:
        raise UsageError(
            f"unknown tukin profile {name!r}; known profiles: {', '.join(known) or '(none)'}",
            hint=f"use one of the profiles under {TUKIN_DIR}",
        )
    rel = TUKIN_DIR / f"{name}.yaml"
    return parse_tukin_profile(name, _read_yaml(home / rel, str(rel)), str(rel))


def settings_digest(model: BaseModel) -> str:
    """Stable SHA-256 (hex) of a parameter model, for fingerprints."""
    payload = json.dumps(model.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()
