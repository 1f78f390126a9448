"""The data contract's input tables, as data (data-contract.md, "Input tables").

One ``TableSpec`` per file. Ingest validates against these specs, the demo generator writes
their columns in this order, and the database schema mirrors them. Changing a spec is a
breaking change of the public interface.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from . import reference as ref

Kind = Literal[
    "code",  # 1-64 letters, digits, '.', '_', '-'; case-sensitive
    "nip",  # 18 digits, spaces removed
    "text",  # up to 10,000 characters
    "enum",  # one of ``choices``, case-insensitive, stored canonical
    "bool",  # true/false, 1/0, ya/tidak (case-insensitive)
    "date",  # YYYY-MM-DD
    "time",  # HH:MM or HH:MM:SS
    "timestamp",  # ISO 8601; no offset = Asia/Jakarta; stored naive UTC, whole seconds
    "number",  # plain decimal notation
    "period",  # YYYY-MM (with ``long_periods``: also YYYY-Qn, YYYY-Sn, YYYY)
    "grade",  # one of the 17 PNS codes or a PPPK grade I..XVII
]


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    required: bool = True  # must be in the header and not blank
    default: Any = None  # used when blank or absent (implies not required)
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    minimum_exclusive: bool = False
    maximum: float | None = None
    strip: bool = True  # surrounding spaces removed (all but description and note)
    integer: bool = False  # a number that must be whole (stored as an integer)
    long_periods: bool = False  # a period may also be a quarter, a semester or a year

    @property
    def optional(self) -> bool:
        """May be blank or absent."""
        return not self.required


def _req(name: str, kind: Kind, **kw: Any) -> Column:
    return Column(name, kind, required=True, **kw)


def _opt(name: str, kind: Kind, default: Any = None, **kw: Any) -> Column:
    return Column(name, kind, required=False, default=default, **kw)


@dataclass(frozen=True)
class TableSpec:
    name: str  # file stem and database table name
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    # (column, target table, target column) references, checked in dependency order
    references: tuple[tuple[str, str, str], ...] = field(default=())

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def filename(self) -> str:
        return f"{self.name}.csv"


MAX_TEXT = 10_000

# Enumerations that only the contract uses (the domain's own live in ``reference``).
EMPLOYMENT: tuple[str, ...] = ("cpns", "pns", "pppk")  # cpns: the pns NIP rules
FUNCTIONAL_LEVELS: tuple[str, ...] = (
    "pemula", "terampil", "mahir", "penyelia",
    "ahli_pertama", "ahli_muda", "ahli_madya", "ahli_utama",
)
FUNCTIONAL_POST = "fungsional"  # the only position_type a functional_level may be given for
ATTENDANCE_STATUSES: tuple[str, ...] = (
    "hadir", "dinas_luar", "cuti_tahunan", "cuti_sakit", "cuti_besar", "cuti_melahirkan",
    "cuti_alasan_penting", "cltn", "izin", "tugas_belajar", "tanpa_keterangan",
)

UNITS = TableSpec(
    "units",
    key=("unit_code",),
    columns=(
        _req("unit_code", "code"),
        _req("name", "text"),
        _opt("parent_code", "code"),
    ),
    references=(("parent_code", "units", "unit_code"),),
)

EMPLOYEES = TableSpec(
    "employees",
    key=("nip",),
    columns=(
        _req("nip", "nip"),
        _req("name", "text"),
        _req("gender", "enum", choices=ref.GENDERS),
        _req("unit_code", "code"),
        _req("position", "text"),
        _req("position_type", "enum", choices=ref.POSITION_TYPES),
        _req("grade", "grade"),
        _opt("supervisor_nip", "nip"),
        _opt("employment", "enum", default="pns", choices=EMPLOYMENT),
        _opt("active", "bool", default=True),
        _opt("job_class", "number", minimum=1, maximum=17, integer=True),
        _opt("functional_level", "enum", choices=FUNCTIONAL_LEVELS),
    ),
    references=(
        ("unit_code", "units", "unit_code"),
        ("supervisor_nip", "employees", "nip"),
    ),
)

ACTIVITY_TYPES = TableSpec(
    "activity_types",
    key=("activity_code",),
    columns=(
        _req("activity_code", "code"),
        _req("name", "text"),
        _req("output_unit", "text"),
        _req("standard_minutes", "number", minimum=0, minimum_exclusive=True),
    ),
)

ASSIGNMENTS = TableSpec(
    "assignments",
    key=("assignment_id",),
    columns=(
        _req("assignment_id", "code"),
        _req("nip", "nip"),
        _req("assigned_by_nip", "nip"),
        _req("period", "period"),
        _req("activity_code", "code"),
        _req("title", "text"),
        _req("target_quantity", "number", minimum=0, minimum_exclusive=True),
        _opt("target_quality", "number", default=100, minimum=1, maximum=100),
        _req("start_date", "date"),
        _req("due_date", "date"),
        _opt("target_cost", "number", minimum=0, minimum_exclusive=True),
        _opt("weight", "number", default=1, minimum=0, minimum_exclusive=True),
        _opt("is_main", "bool", default=True),
        _opt("innovation", "bool", default=False),
    ),
    references=(
        ("nip", "employees", "nip"),
        ("assigned_by_nip", "employees", "nip"),
        ("activity_code", "activity_types", "activity_code"),
    ),
)

ACTIVITIES = TableSpec(
    "activities",
    key=("activity_id",),
    columns=(
        _req("activity_id", "code"),
        _req("nip", "nip"),
        _req("date", "date"),
        _req("start_time", "time"),
        _req("end_time", "time"),
        _req("activity_code", "code"),
        _opt("assignment_id", "code"),
        _opt("quantity", "number", default=1, minimum=0),
        _opt("description", "text", strip=False),
        _opt("evidence_url", "text"),
        _opt("cost", "number", default=0, minimum=0),
    ),
    references=(
        ("nip", "employees", "nip"),
        ("activity_code", "activity_types", "activity_code"),
        ("assignment_id", "assignments", "assignment_id"),
    ),
)

VERIFICATIONS = TableSpec(
    "verifications",
    key=("verification_id",),
    columns=(
        _req("verification_id", "code"),
        _req("activity_id", "code"),
        _req("verifier_nip", "nip"),
        _req("status", "enum", choices=ref.VERIFICATION_STATUSES),
        _req("decided_at", "timestamp"),
        _opt("quality", "number", minimum=0, maximum=100),
        _opt("note", "text", strip=False),
    ),
    references=(
        ("activity_id", "activities", "activity_id"),
        ("verifier_nip", "employees", "nip"),
    ),
)

BEHAVIOUR = TableSpec(
    "behaviour",
    key=("nip", "period", "assessor_nip", "aspect"),
    columns=(
        _req("nip", "nip"),
        _req("period", "period"),
        _req("assessor_nip", "nip"),
        _req("aspect", "enum", choices=ref.ALL_ASPECTS),
        _req("assessor_role", "enum", choices=ref.ASSESSOR_ROLES),
        _req("score", "number", minimum=0, maximum=100),
    ),
    references=(
        ("nip", "employees", "nip"),
        ("assessor_nip", "employees", "nip"),
    ),
)

ATTENDANCE = TableSpec(
    "attendance",
    key=("nip", "date"),
    columns=(
        _req("nip", "nip"),
        _req("date", "date"),
        _opt("check_in", "time"),
        _opt("check_out", "time"),
        _opt("status", "enum", default="hadir", choices=ATTENDANCE_STATUSES),
    ),
    references=(("nip", "employees", "nip"),),
)

UNIT_RESULTS = TableSpec(
    "unit_results",
    key=("unit_code", "period"),
    columns=(
        _req("unit_code", "code"),
        _req("period", "period", long_periods=True),
        _req("org_result", "enum", choices=ref.ORG_RESULTS),
    ),
    references=(("unit_code", "units", "unit_code"),),
)

# In dependency order: a table only references tables before it (or itself).
TABLES: tuple[TableSpec, ...] = (
    UNITS,
    EMPLOYEES,
    ACTIVITY_TYPES,
    ASSIGNMENTS,
    ACTIVITIES,
    VERIFICATIONS,
    BEHAVIOUR,
    ATTENDANCE,
    UNIT_RESULTS,
)
BY_NAME: dict[str, TableSpec] = {t.name: t for t in TABLES}
