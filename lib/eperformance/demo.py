"""Deterministic synthetic organisation in the data-contract format (``eperf demo``).

A ministry shaped like the Kementerian Sosial of 2021 (units from ``demo_data``), with
Indonesian names, valid NIPs, assignments, activity entries, verifications, behaviour
ratings, attendance and unit results. The same arguments always give byte-identical
files: every random draw comes from generators seeded with ``seed`` (one per stage, so a
stage's draws do not shift another's), nothing reads the clock, and every output is sorted
by its key.

Usage::

    from eperformance.demo import generate_demo
    summary = generate_demo(Path("data/demo"), employees=300, months=6)
    summary.rows  # {"units": 39, "employees": 300, ...}
"""

from __future__ import annotations

import calendar
import csv
import functools
import itertools
import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import holidays
import numpy as np
from faker import Faker

from . import demo_data as dd
from .contract import FUNCTIONAL_LEVELS, FUNCTIONAL_POST
from .errors import UsageError
from .nip import make_nip
from .reference import ASPECTS, MANAGERIAL, MANAGERIAL_ONLY_ASPECTS, SCHEMES

ALL_SCHEMES = "all"  # the demo rates every scheme's aspects, so every scheme gives a card

Row = tuple[str, ...]  # one CSV record

# The contract's columns, in the order the demo writes them.
COLUMNS: dict[str, tuple[str, ...]] = {
    "units": ("unit_code", "name", "parent_code"),
    "employees": (
        "nip", "name", "gender", "unit_code", "position", "position_type", "grade",
        "supervisor_nip", "employment", "active", "job_class", "functional_level",
    ),
    "activity_types": ("activity_code", "name", "output_unit", "standard_minutes"),
    "assignments": (
        "assignment_id", "nip", "assigned_by_nip", "period", "activity_code", "title",
        "target_quantity", "target_quality", "start_date", "due_date", "target_cost",
        "weight", "is_main", "innovation",
    ),
    "activities": (
        "activity_id", "nip", "date", "start_time", "end_time", "activity_code",
        "assignment_id", "quantity", "description", "evidence_url", "cost",
    ),
    "verifications": (
        "verification_id", "activity_id", "verifier_nip", "status", "decided_at", "quality",
        "note",
    ),
    "behaviour": ("nip", "period", "assessor_nip", "aspect", "assessor_role", "score"),
    "attendance": ("nip", "date", "check_in", "check_out", "status"),
    "unit_results": ("unit_code", "period", "org_result"),
}

BULAN = (
    "", "Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
    "September", "Oktober", "November", "Desember",
)
EVIDENCE_BASE = "https://drive.kemensos.go.id/bukti"
MIN_EMPLOYEES = 10
MAX_EMPLOYEES = 100_000
MAX_MONTHS = 60
# Employee profiles: how much of the target they deliver, and how well they behave. Under
# permenpan-6-2022 they give a ministry's usual spread: most Baik; struggling and little
# (low output, acceptable behaviour) Butuh Perbaikan; diligent often Sangat Baik;
# misconduct (good output, two or three BerAKHLAK values well below 70) Kurang/Misconduct;
# latecomers (low output, poor behaviour) Sangat Kurang.
PROFILES = ("diligent", "average", "struggling", "little", "latecomer", "misconduct")
# Supervisors other than the never-verifying ones decide every entry that serves an
# assignment by this day of the following month (the default closing day, domain.md §2):
# one such entry still undecided at the closing time withholds the employee's hasil kerja
# (§5), which the demo shows on the never-verifying supervisors' teams only. Entries
# without an assignment may stay pending or be decided late.
DEMO_CLOSING_DAY = 5
_PROFILE_P = (0.14, 0.68, 0.10, 0.035, 0.015, 0.03)
_RATIO = {  # produced / target, before rejections and pending entries
    "diligent": (1.15, 1.42),
    "average": (1.04, 1.13),
    "struggling": (0.65, 1.0),
    "little": (0.05, 0.45),
    "latecomer": (0.10, 0.50),
    "misconduct": (1.02, 1.15),
}
_QUALITY = {"diligent": 92, "average": 87, "struggling": 79, "little": 72, "latecomer": 70,
            "misconduct": 86}
_BEHAVIOUR = {"diligent": 90, "average": 84, "struggling": 79, "little": 79, "latecomer": 67,
              "misconduct": 81}
_MISCONDUCT_DROP = 21  # points off the values a misconduct profile breaches
_IDLE_P = 0.015  # share of staff without assignments in a month (belum ada penugasan)
_UNRATED_P = 0.015  # share of staff whose supervisor leaves the month's assessment undone
_WORKLOAD = 0.55  # share of working minutes that the month's targets fill
_DAY_CAPACITY = 400  # minutes of entries per day before entries move to another day


@dataclass(frozen=True)
class DemoSummary:
    """What ``generate_demo`` wrote: the folder and the row count of every file."""

    out_dir: Path
    rows: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.rows.values())

    def path(self, table: str) -> Path:
        return self.out_dir / f"{table}.csv"


@dataclass
class _Staff:
    """The organisation's employees, indexed 0..n-1 in NIP order."""

    nip: list[str]
    name: list[str]
    gender: list[str]
    unit: list[str]
    position: list[str]
    ptype: list[str]
    grade: list[str]
    employment: list[str]
    active: list[bool]
    supervisor: np.ndarray  # index of the supervisor, -1 for the tops
    family: list[str]  # activity family
    profile: list[str]
    verifier_style: list[str]  # prompt, slow, never (managerial posts only)
    last_month: np.ndarray  # index of the last month with data (inactive ones stop early)
    job_class: list[str] = field(default_factory=list)  # kelas jabatan, "" for none
    hours: list[str] = field(default_factory=list)  # "", "chronic" (late), "doctor"

    @property
    def size(self) -> int:
        return len(self.nip)


@dataclass
class _Month:
    index: int
    year: int
    month: int
    period: str
    first: date
    last: date
    workdays: list[date]


# ----------------------------------------------------------------------------- public API
def generate_demo(
    out_dir: Path,
    employees: int = 300,
    start: str = "2021-01",
    months: int = 6,
    seed: int = 7,
    scheme: str = ALL_SCHEMES,
) -> DemoSummary:
    """Write the nine contract CSV files of a synthetic ministry into ``out_dir``.

    Same arguments → byte-identical files. Raises ``UsageError`` for invalid arguments.
    """
    first_year, first_month = _check_arguments(employees, start, months, seed, scheme)
    calendar_months = _calendar(first_year, first_month, months)
    staff = _build_staff(employees, first_year, months, seed)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}

    def write(table: str, rows: list[tuple[str, ...]]) -> None:
        rows.sort(key=_sort_key(table))
        counts[table] = _write_csv(out_dir / f"{table}.csv", COLUMNS[table], rows)

    write("units", _unit_rows())
    write("employees", _employee_rows(staff))
    write("activity_types", _activity_type_rows())
    # The monthly tables are written month by month: their keys start with the period,
    # so the files come out sorted without holding every row in memory.
    streams = {t: _Stream(out_dir, t) for t in ("assignments", "activities", "verifications")}
    presence: list[tuple[_Month, np.ndarray, np.ndarray, np.ndarray]] = []
    try:
        for month in calendar_months:
            plan = _plan_assignments(staff, month, seed)
            streams["assignments"].write(plan.rows())
            entries = _plan_entries(staff, month, plan, seed)
            streams["activities"].write(entries.rows(staff, month))
            streams["verifications"].write(_verification_rows(staff, month, entries, seed))
            presence.append((month, entries.check_in, entries.check_out,
                             _attendance_status(staff, month, entries, seed)))
        for table, stream in streams.items():
            counts[table] = stream.commit()
    finally:
        for stream in streams.values():
            stream.discard()
    write("behaviour", _behaviour_rows(staff, calendar_months, scheme, seed))
    counts["attendance"] = _write_csv(
        out_dir / "attendance.csv", COLUMNS["attendance"], _attendance_rows(staff, presence)
    )
    write("unit_results", _unit_result_rows(calendar_months, seed, set(staff.unit)))
    return DemoSummary(out_dir=out_dir, rows={t: counts[t] for t in COLUMNS})


# ----------------------------------------------------------------------------- arguments
def _check_arguments(
    employees: int, start: str, months: int, seed: int, scheme: str
) -> tuple[int, int]:
    if not MIN_EMPLOYEES <= employees <= MAX_EMPLOYEES:
        raise UsageError(
            f"employees must be {MIN_EMPLOYEES}-{MAX_EMPLOYEES:,}, not {employees}"
        )
    if not 1 <= months <= MAX_MONTHS:
        raise UsageError(f"months must be 1-{MAX_MONTHS}, not {months}")
    if seed < 0:
        raise UsageError(f"seed must be 0 or more, not {seed}")
    if scheme != ALL_SCHEMES and scheme not in SCHEMES:
        raise UsageError(f"unknown scheme {scheme!r}",
                         hint="one of " + ", ".join((ALL_SCHEMES, *SCHEMES)))
    match = re.fullmatch(r"(\d{4})-(\d{2})", start or "")
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise UsageError(f"start must be a period YYYY-MM, not {start!r}")
    year = int(match.group(1))
    if not 2000 <= year <= 2090:
        raise UsageError(f"start year must be 2000-2090, not {year}")
    return year, int(match.group(2))


def _calendar(year: int, month: int, months: int) -> list[_Month]:
    last_year = year + (month - 1 + months) // 12 + 1
    days_off = holidays.country_holidays("ID", years=range(year, last_year + 1))
    result = []
    for i in range(months):
        y, m = year + (month - 1 + i) // 12, (month - 1 + i) % 12 + 1
        ndays = calendar.monthrange(y, m)[1]
        days = [date(y, m, d) for d in range(1, ndays + 1)]
        work = [d for d in days if d.weekday() < 5 and d not in days_off]
        result.append(_Month(i, y, m, f"{y:04d}-{m:02d}", days[0], days[-1], work))
    return result


def _rng(seed: int, *stage: int) -> np.random.Generator:
    return np.random.default_rng([seed, *stage])


# ----------------------------------------------------------------------------- organisation
def _unit_rows() -> list[tuple[str, ...]]:
    return [(u.code, u.name, u.parent) for u in dd.UNITS]


def _activity_type_rows() -> list[tuple[str, ...]]:
    return [(a.code, a.name, a.output_unit, str(a.standard_minutes)) for a in dd.ACTIVITIES]


def _unit_order() -> list[dd.UnitSpec]:
    """Eselon II units in the order they get staff: round robin over eselon I units."""
    preferred = ("REHSOS", "LINJAMSOS", "PFM", "SETJEN", "DAYASOS", "ITJEN")
    groups = []
    for parent in preferred:
        children = [u for u in dd.UNITS if u.parent == parent]
        children.sort(key=lambda u: u.kind == "sekretariat")  # stable: secretariats last
        groups.append(children)
    order: list[dd.UnitSpec] = []
    for i in range(max(len(g) for g in groups)):
        order.extend(g[i] for g in groups if i < len(g))
    return order


@dataclass
class _Post:
    unit: dd.UnitSpec
    ptype: str
    position: str
    family: str
    supervisor: int  # index into the post list, -1 for a top
    level: int = 0  # fungsional level (0 pertama, 1 muda, 2 madya)


def _build_posts(employees: int, rng: np.random.Generator) -> list[_Post]:
    """Lay out the posts: heads, administrators, pengawas, then staff under them."""
    order = _unit_order()
    n_units = min(len(order), max(1, employees // 12))
    chosen = order[:n_units]
    parents = {u.parent for u in chosen}
    eselon1 = [u for u in dd.UNITS if u.kind == "eselon1" and u.code in parents]
    posts: list[_Post] = []
    head_of: dict[str, int] = {}
    for unit in eselon1:
        head_of[unit.code] = len(posts)
        posts.append(_Post(unit, "jpt", unit.head, "manajer", -1))
    e1_staff = min(4, employees // 150)
    for unit in eselon1:
        boss = head_of[unit.code]
        if e1_staff >= 3:
            posts.append(_Post(unit, "administrator", dd.ADMINISTRATOR_POSTS["eselon1"][0],
                               "manajer", boss))
            boss = len(posts) - 1
        for _ in range(e1_staff - (1 if e1_staff >= 3 else 0)):
            title, family = dd.PELAKSANA[0]
            posts.append(_Post(unit, "pelaksana", title, family, boss))
    remaining = employees - len(posts)
    weights = rng.uniform(0.5, 1.5, n_units)
    sizes = _split(remaining, weights)
    for unit, size in zip(chosen, sizes, strict=True):
        _staff_unit(unit, int(size), head_of[unit.parent], posts, rng)
    return posts


def _split(total: int, weights: np.ndarray) -> np.ndarray:
    """Split ``total`` into parts proportional to ``weights``, each at least 1."""
    n = len(weights)
    raw = weights / weights.sum() * (total - n)
    sizes = np.floor(raw).astype(int)
    rest = total - n - int(sizes.sum())
    sizes[np.argsort(-(raw - sizes), kind="stable")[:rest]] += 1
    return sizes + 1


def _staff_unit(
    unit: dd.UnitSpec, size: int, boss: int, posts: list[_Post], rng: np.random.Generator
) -> None:
    head = len(posts)
    posts.append(_Post(unit, "jpt", unit.head, "manajer", boss))
    admin_titles = dd.ADMINISTRATOR_POSTS[unit.kind]
    pengawas_titles = dd.PENGAWAS_POSTS[unit.kind]
    n_admin = 0 if size < 5 else min(len(admin_titles), max(1, round(size / 14)))
    n_pengawas = min(len(pengawas_titles), (size - 1 - n_admin) // 22)
    admins = []
    for title in admin_titles[:n_admin]:
        admins.append(len(posts))
        posts.append(_Post(unit, "administrator", title, "manajer", head))
    pengawas = []
    for title in pengawas_titles[:n_pengawas]:
        pengawas.append(len(posts))
        boss_of = admins[int(rng.integers(len(admins)))] if admins else head
        posts.append(_Post(unit, "pengawas", title, "manajer", boss_of))
    bosses = admins + pengawas or [head]
    typical = unit.staff or ("perencana", "keuangan", "sdm", "arsip")
    for _ in range(size - 1 - n_admin - n_pengawas):
        boss_of = bosses[int(rng.integers(len(bosses)))]
        if rng.random() < 0.6:
            pool = typical if rng.random() < 0.75 else dd.COMMON_FUNGSIONAL
            family = pool[int(rng.integers(len(pool)))]
            posts.append(_Post(unit, "fungsional", dd.FUNGSIONAL[family], family, boss_of))
        else:
            title, family = dd.PELAKSANA[int(rng.integers(len(dd.PELAKSANA)))]
            posts.append(_Post(unit, "pelaksana", title, family, boss_of))


def _build_staff(employees: int, first_year: int, months: int, seed: int) -> _Staff:
    rng = _rng(seed, 1)
    posts = _build_posts(employees, rng)
    fake = Faker("id_ID")
    fake.seed_instance(seed)
    n = len(posts)
    births: list[date] = []
    nips: list[str] = []
    names: list[str] = []
    genders: list[str] = []
    grades: list[str] = []
    employment: list[str] = []
    positions: list[str] = []
    used: dict[str, int] = {}
    newest_birth = min(2000, first_year - 19)
    for post in posts:
        managerial = post.ptype in MANAGERIAL
        gender = "L" if rng.random() < (0.62 if managerial else 0.48) else "P"
        birth_year, grade, position, kind = _career(post, rng, first_year, newest_birth)
        birth = date(birth_year, int(rng.integers(1, 13)), int(rng.integers(1, 29)))
        if kind == "pppk":
            appointed = (min(max(2019, birth_year + 18), first_year - 1), 1)
        else:
            appointed = _appointment(post, birth, rng, first_year)
        prefix_key = f"{birth:%Y%m%d}{appointed[0]:04d}{appointed[1]:02d}{gender}{kind}"
        seq = used.get(prefix_key, 0) + 1
        used[prefix_key] = seq
        nips.append(make_nip(birth, appointed[0], appointed[1], gender, seq, employment=kind))
        births.append(birth)
        genders.append(gender)
        grades.append(grade)
        employment.append(kind)
        positions.append(position)
        names.append(_name(fake, gender, post, rng))
    profile_draw = rng.choice(len(PROFILES), size=n, p=_PROFILE_P)
    profiles = [PROFILES[i] for i in profile_draw]
    styles = _verifier_styles(posts, rng)
    for i, post in enumerate(posts):
        if post.ptype in MANAGERIAL:
            profiles[i] = "diligent" if profiles[i] == "diligent" else "average"
    if "misconduct" not in profiles and n >= 30:  # the demo always shows one
        average = [i for i in range(n) if profiles[i] == "average"
                   and posts[i].ptype not in MANAGERIAL]
        profiles[average[int(rng.integers(len(average)))]] = "misconduct"
    last_month = np.full(n, months - 1)
    inactive = [
        i for i in range(n)
        if posts[i].ptype not in MANAGERIAL and rng.random() < 0.015
    ]
    if not inactive and n >= 30:
        inactive = [n - 1]
    for i in inactive:
        last_month[i] = max(0, months // 2 - 1)

    # Reindex everything in NIP order.
    order = sorted(range(n), key=lambda i: nips[i])
    new_index = np.empty(n, dtype=int)
    new_index[order] = np.arange(n)
    supervisor = np.array([posts[i].supervisor for i in order])
    supervisor = np.where(supervisor >= 0, new_index[np.maximum(supervisor, 0)], -1)
    inactive_set = set(inactive)
    staff = _Staff(
        nip=[nips[i] for i in order],
        name=[names[i] for i in order],
        gender=[genders[i] for i in order],
        unit=[posts[i].unit.code for i in order],
        position=[positions[i] for i in order],
        ptype=[posts[i].ptype for i in order],
        grade=[grades[i] for i in order],
        employment=[employment[i] for i in order],
        active=[i not in inactive_set for i in order],
        supervisor=supervisor,
        family=[posts[i].family for i in order],
        profile=[profiles[i] for i in order],
        verifier_style=[styles[i] for i in order],
        last_month=last_month[order],
    )
    _pay_and_hours(staff, [posts[i] for i in order], seed)
    return staff


# The kelas jabatan of each post (Perpres tukin tables: JPT Madya 17, JPT Pratama 14,
# Administrator 12, Pengawas 9; fungsional by level; pelaksana by grade).
_FUNGSIONAL_CLASS = (8, 9, 11)  # Ahli Pertama, Ahli Muda, Ahli Madya
_PELAKSANA_CLASS = {"II/a": 5, "II/b": 5, "II/c": 6, "II/d": 6, "III/a": 7, "III/b": 7}
_PPPK_CLASS = {"IX": 8, "X": 9, "XI": 9, "XII": 11}


def _job_class(post: _Post, grade: str, position: str) -> int:
    if post.ptype == "jpt":
        return 17 if post.supervisor < 0 else 14
    if post.ptype == "administrator":
        return 12
    if post.ptype == "pengawas":
        return 9
    if post.ptype == "fungsional":
        if grade in _PPPK_CLASS:
            return _PPPK_CLASS[grade]
        for level, (label, _) in enumerate(dd.FUNGSIONAL_LEVELS):
            if position.endswith(label):
                return _FUNGSIONAL_CLASS[level]
        return _FUNGSIONAL_CLASS[0]
    return _PELAKSANA_CLASS.get(grade, 6)


def _pay_and_hours(staff: _Staff, posts: list[_Post], seed: int) -> None:
    """Kelas jabatan, CPNS and attendance habits (tukin.md), from their own random stream
    so that everything drawn before stays as it was.

    * every post gets its class; one staff member (30 employees or more) has none yet
      (a transfer whose class is not set: *kelas jabatan tidak ada*);
    * the most recently appointed PNS staff (about one in 50, at least one) are CPNS;
    * about one in 40 staff (at least two) are chronic latecomers, arriving around 08:00;
    * one latecomer keeps the doctor's hours: in at 09:00, out at 12:00, every day he
      comes (the seed's story).
    """
    rng = _rng(seed, 11)
    n = staff.size
    staff.job_class = [str(_job_class(posts[i], staff.grade[i], staff.position[i]))
                       for i in range(n)]
    staff.hours = [""] * n
    plain = [i for i in range(n) if staff.ptype[i] not in MANAGERIAL and staff.active[i]]
    if not plain:
        return
    pns = [i for i in plain if staff.employment[i] == "pns"]
    newest = sorted(pns, key=lambda i: (staff.nip[i][8:14], staff.nip[i]), reverse=True)
    for i in newest[: max(1, n // 50)]:
        staff.employment[i] = "cpns"
    latecomers = [i for i in plain if staff.profile[i] == "latecomer"]
    if not latecomers and n >= 30:
        average = [i for i in plain if staff.profile[i] == "average"]
        pick = average[int(rng.integers(len(average)))]
        staff.profile[pick] = "latecomer"
        latecomers = [pick]
    if latecomers:  # the seed's doctor is a man; a woman when no latecomer is
        men = [i for i in latecomers if staff.gender[i] == "L"] or latecomers
        staff.hours[men[int(rng.integers(len(men)))]] = "doctor"
    others = [i for i in plain if staff.profile[i] in ("average", "struggling")
              and staff.employment[i] != "cpns"]
    n_chronic = min(len(others), max(2, n // 40))
    for j in sorted(int(x) for x in rng.choice(len(others), n_chronic, replace=False)):
        staff.hours[others[j]] = "chronic"
    if n >= 30:
        without = [i for i in plain if staff.hours[i] == "" and staff.employment[i] == "pns"]
        staff.job_class[without[int(rng.integers(len(without)))]] = ""


def _verifier_styles(posts: list[_Post], rng: np.random.Generator) -> list[str]:
    """How each supervisor verifies: ``prompt`` (most), ``slow`` or ``never`` (a few).

    Slow and never-verifying supervisors are picked among the middle managers with the
    smallest teams (about one in 25 of them, at least one of each when there are four or
    more), so their teams stay a small share of the staff.
    """
    styles = ["prompt" if p.ptype in MANAGERIAL else "" for p in posts]
    team = [0] * len(posts)
    for p in posts:
        if p.supervisor >= 0:
            team[p.supervisor] += 1
    middle = [i for i, p in enumerate(posts)
              if p.ptype in ("administrator", "pengawas") and team[i] > 0]
    if len(middle) < 4:
        return styles
    middle.sort(key=lambda i: (team[i], i))
    small = middle[: max(2, len(middle) // 2)]
    n_odd = max(2, round(len(middle) / 25))
    picks = rng.choice(len(small), size=min(n_odd, len(small)), replace=False)
    for k, j in enumerate(sorted(int(x) for x in picks)):
        styles[small[j]] = "never" if k % 3 == 1 else "slow"
    return styles


def _career(
    post: _Post, rng: np.random.Generator, first_year: int, newest_birth: int
) -> tuple[int, str, str, str]:
    """Birth year, grade, position title and employment consistent with the post."""

    def year(lo: int, hi: int) -> int:
        hi = min(hi, newest_birth)
        return int(rng.integers(min(lo, hi), hi + 1))

    def pick(options: Sequence[str]) -> str:
        return options[int(rng.integers(len(options)))]

    if post.ptype == "jpt":
        if post.supervisor < 0:
            return year(1965, 1970), pick(("IV/d", "IV/e")), post.position, "pns"
        return year(1965, 1975), pick(("IV/c", "IV/d")), post.position, "pns"
    if post.ptype == "administrator":
        return year(1966, 1982), pick(("IV/a", "IV/b")), post.position, "pns"
    if post.ptype == "pengawas":
        return year(1968, 1988), pick(("III/c", "III/d")), post.position, "pns"
    if post.ptype == "fungsional":
        birth_year = year(1966, 1998)
        age = first_year - birth_year
        if age < 33:
            level = 0
        elif age < 45:
            level = 1 if rng.random() < 0.8 else 0
        else:
            level = 2 if rng.random() < 0.5 else 1
        label, options = dd.FUNGSIONAL_LEVELS[level]
        position = f"{post.position} {label}"
        if level < 2 and age < 45 and rng.random() < 0.06:
            return birth_year, pick(dd.PPPK_LEVEL_GRADES[level]), position, "pppk"
        return birth_year, pick(options), position, "pns"
    birth_year = year(1965, 2000)
    service = max(0, first_year - (birth_year + 21))
    steps = ("II/a", "II/b", "II/c", "II/d", "III/a", "III/b")
    return birth_year, steps[min(len(steps) - 1, service // 4)], post.position, "pns"


def _appointment(
    post: _Post, birth: date, rng: np.random.Generator, first_year: int
) -> tuple[int, int]:
    age = int(rng.integers(19, 23)) if post.ptype == "pelaksana" else int(rng.integers(23, 29))
    year = min(birth.year + age, first_year - 1)
    earliest = birth.year + 18
    year = max(year, earliest)
    month = (1, 3, 4, 12)[int(rng.integers(4))]
    if year == earliest and month < birth.month:
        month = birth.month
    return year, month


def _name(fake: Faker, gender: str, post: _Post, rng: np.random.Generator) -> str:
    if gender == "L":
        first, last = fake.first_name_male(), fake.last_name_male()
    else:
        first, last = fake.first_name_female(), fake.last_name_female()
    u = rng.random()
    name = first if u < 0.06 else f"{first} {last}"
    if post.ptype == "jpt" and rng.random() < 0.5:
        name = "Dr. " + name
    degree_p = 0.3 if post.ptype == "pelaksana" else 0.8
    if rng.random() < degree_p:
        suffixes = dd.ACADEMIC_SUFFIXES
        name = f"{name}, {suffixes[int(rng.integers(len(suffixes)))]}"
    return name


def functional_level_of(position: str, position_type: str) -> str:
    """The contract's ``functional_level`` of a demo post, read from its position name
    (``Pekerja Sosial Ahli Muda`` -> ``ahli_muda``); ``""`` for a post that is not
    ``fungsional`` or whose name ends in no level."""
    if position_type != FUNCTIONAL_POST:
        return ""
    for level in FUNCTIONAL_LEVELS:
        if position.endswith(" " + level.replace("_", " ").title()):
            return level
    return ""


def _employee_rows(staff: _Staff) -> list[Row]:
    rows: list[Row] = []
    for i in range(staff.size):
        sup = int(staff.supervisor[i])
        rows.append((
            staff.nip[i], staff.name[i], staff.gender[i], staff.unit[i], staff.position[i],
            staff.ptype[i], staff.grade[i], staff.nip[sup] if sup >= 0 else "",
            staff.employment[i], "true" if staff.active[i] else "false",
            staff.job_class[i], functional_level_of(staff.position[i], staff.ptype[i]),
        ))
    return rows


# ----------------------------------------------------------------------------- assignments
_ACT_INDEX = {a.code: i for i, a in enumerate(dd.ACTIVITIES)}
_STD = np.array([a.standard_minutes for a in dd.ACTIVITIES], dtype=float)
_COSTLY = np.array([a.costly for a in dd.ACTIVITIES])
_POOLS: dict[str, list[int]] = {}
for _family in {*dd.FUNGSIONAL, *(f for _, f in dd.PELAKSANA), "manajer"}:
    own = [i for i, a in enumerate(dd.ACTIVITIES) if _family in a.families]
    common = [i for i, a in enumerate(dd.ACTIVITIES) if "*" in a.families and i not in own]
    _POOLS[_family] = own + common
_ROUTINE = [_ACT_INDEX[c] for c in ("SURAT", "NOTULEN", "RAKOR", "LAPORAN")]
_RAKOR = _ACT_INDEX["RAKOR"]


@dataclass
class _Plan:
    """The month's assignments as parallel arrays (one element per assignment)."""

    period: str
    emp: np.ndarray
    code: np.ndarray
    target: np.ndarray
    quality: np.ndarray
    start: np.ndarray  # day of month (1-based)
    start_wd: np.ndarray  # index of the first working day on or after start
    due: list[date]
    cost: np.ndarray  # 0 = no cost target
    weight: np.ndarray
    main: np.ndarray
    innovation: np.ndarray
    ids: list[str]
    nips: list[str]
    assigned_by: list[str]
    month: _Month

    def rows(self) -> list[tuple[str, ...]]:
        m = self.month
        out: list[Row] = []
        for k in range(len(self.ids)):
            spec = dd.ACTIVITIES[self.code[k]]
            out.append((
                self.ids[k], self.nips[k], self.assigned_by[k], self.period, spec.code,
                f"{spec.title} {BULAN[m.month]} {m.year}", str(int(self.target[k])),
                str(int(self.quality[k])), date(m.year, m.month, int(self.start[k])).isoformat(),
                self.due[k].isoformat(), str(int(self.cost[k])) if self.cost[k] else "",
                str(int(self.weight[k])), "true" if self.main[k] else "false",
                "true" if self.innovation[k] else "false",
            ))
        return out


def _in_month(staff: _Staff, month: _Month) -> list[int]:
    return [i for i in range(staff.size) if staff.last_month[i] >= month.index]


def _idle(staff: _Staff, month: _Month, seed: int) -> set[int]:
    """Staff left without assignments this month (moved in, on training or leave).

    About one in 70 non-managerial employees, at least one when there are 50 or more.
    They still log routine work and are rated, but get no predikat (belum ada penugasan).
    """
    rng = _rng(seed, 7, month.index)
    pool = [i for i in _in_month(staff, month) if staff.ptype[i] not in MANAGERIAL]
    if not pool:
        return set()
    picked = {i for i, u in zip(pool, rng.random(len(pool)).tolist(), strict=True)
              if u < _IDLE_P}
    if not picked and len(pool) >= 50:
        picked.add(pool[int(rng.integers(len(pool)))])
    return picked


def _plan_assignments(staff: _Staff, month: _Month, seed: int) -> _Plan:
    rng = _rng(seed, 2, month.index)
    idle = _idle(staff, month, seed)
    emps = [i for i in _in_month(staff, month) if i not in idle]
    emp_l: list[int] = []
    code_l: list[int] = []
    main_l: list[bool] = []
    for i in emps:
        pool = _POOLS[staff.family[i]]
        if staff.ptype[i] in MANAGERIAL:
            pool = list(dict.fromkeys(pool + _POOLS["manajer"]))
            n = int(rng.integers(2, 5))
        else:
            n = int(rng.integers(2, 7))
        n = min(n, len(pool))
        codes = rng.choice(len(pool), size=n, replace=False)
        n_main = min(n, int(rng.integers(1, 4)))
        for k, c in enumerate(codes):
            emp_l.append(i)
            code_l.append(pool[int(c)])
            main_l.append(k < n_main)
    emp = np.array(emp_l, dtype=int)
    code = np.array(code_l, dtype=int)
    main = np.array(main_l, dtype=bool)
    a = len(emp)
    weight = np.where(main, rng.integers(2, 4, a), 1)
    total_weight = np.bincount(emp, weights=weight, minlength=staff.size)[emp]
    managerial = np.array([staff.ptype[i] in MANAGERIAL for i in emp_l], dtype=bool)
    workload = np.where(managerial, 0.45, _WORKLOAD)
    minutes = len(month.workdays) * 450 * workload * weight / total_weight
    target = np.clip(np.rint(minutes / _STD[code] * rng.uniform(0.8, 1.2, a)), 1, 500)
    quality = rng.choice(np.array([100, 100, 100, 100, 100, 100, 95, 90]), a)

    workdays = month.workdays
    n_wd = len(workdays)
    late_start = rng.random(a) < 0.25
    start_wd = np.where(late_start, rng.integers(0, max(1, (2 * n_wd) // 3), a), 0)
    start_wd = np.minimum(start_wd, n_wd - 1)
    start = np.array([workdays[int(k)].day for k in start_wd], dtype=int)
    last_day = month.last.day
    u = rng.random(a)
    due_day = np.where(
        u < 0.7, last_day,
        np.where(u < 0.85, np.minimum(start + rng.integers(7, 21, a), last_day),
                 last_day + rng.integers(1, 16, a)),
    )
    due = [month.first + timedelta(days=int(d) - 1) for d in due_day]
    with_cost = _COSTLY[code] & (rng.random(a) < 0.6)
    cost = np.where(with_cost, rng.integers(2, 61, a) * 500_000, 0)
    innovation = main & (rng.random(a) < 0.03)
    ids = [f"A{month.period}-{k + 1:06d}" for k in range(a)]
    nips = [staff.nip[i] for i in emp_l]
    assigned_by = [
        staff.nip[int(staff.supervisor[i])] if staff.supervisor[i] >= 0 else staff.nip[i]
        for i in emp_l
    ]
    return _Plan(month.period, emp, code, target, quality, start, start_wd, due, cost,
                 weight, main, innovation, ids, nips, assigned_by, month)


# ----------------------------------------------------------------------------- entries
@dataclass
class _Entries:
    """The month's activity entries and attendance, as parallel arrays."""

    emp: np.ndarray
    day: np.ndarray  # working-day index
    start: np.ndarray  # minutes after midnight
    end: np.ndarray
    code: np.ndarray
    assignment: np.ndarray  # index into the plan, -1 for none
    quantity: np.ndarray
    cost: np.ndarray
    description: list[str]
    evidence: np.ndarray  # bool: has an evidence link
    ids: list[str]
    plan: _Plan
    check_in: np.ndarray  # employee x working day, minutes; -1 absent
    check_out: np.ndarray  # minutes; -1 not recorded

    def rows(self, staff: _Staff, month: _Month) -> list[tuple[str, ...]]:
        days = [d.isoformat() for d in month.workdays]
        plan_ids = self.plan.ids
        codes = [a.code for a in dd.ACTIVITIES]
        nips = staff.nip
        columns = (
            self.ids, self.emp.tolist(), self.day.tolist(), self.start.tolist(),
            self.end.tolist(), self.code.tolist(), self.assignment.tolist(),
            self.quantity.tolist(), self.description, self.evidence.tolist(),
            self.cost.tolist(),
        )
        return [
            (aid, nips[i], days[d], _HHMM[t0], _HHMM[t1], codes[c],
             plan_ids[a] if a >= 0 else "", str(q), text,
             f"{EVIDENCE_BASE}/{aid}.pdf" if ev else "", str(cost))
            for aid, i, d, t0, t1, c, a, q, text, ev, cost in zip(*columns, strict=True)
        ]


def _attendance_rows(
    staff: _Staff, presence: list[tuple[_Month, np.ndarray, np.ndarray, np.ndarray]]
) -> Iterable[tuple[str, ...]]:
    """Attendance in key order (NIP, then date) from each month's check-in matrix and
    status matrix (:func:`_attendance_status`): a present day with its times, a leave or
    ``tanpa_keterangan`` day without them; a working day with status "" has no row."""
    days = [[d.isoformat() for d in month.workdays] for month, _, _, _ in presence]
    for i in range(staff.size):
        nip = staff.nip[i]
        for (_, check_in, check_out, status), names in zip(presence, days, strict=True):
            row_in, row_out, row_st = check_in[i].tolist(), check_out[i].tolist(), status[i]
            for d, st in enumerate(row_st):
                if not st:
                    continue
                if st == _HADIR:
                    t_in, t_out = row_in[d], row_out[d]
                    yield (nip, names[d], _HHMM[t_in], _HHMM[t_out] if t_out >= 0 else "",
                           _HADIR)
                elif st == _NO_CHECK_IN:
                    t_out = row_out[d]
                    yield (nip, names[d], "", _HHMM[t_out] if t_out >= 0 else "", _HADIR)
                else:
                    yield (nip, names[d], "", "", st)


_HADIR = "hadir"
_NO_CHECK_IN = "hadir/tam"  # internal: present, the check-in was not recorded
# A spell of absent working days (no entries, no check-in) is explained by one status;
# "" leaves it without a row (TK). The rarer kinds get spells of their own below.
_ABSENCE_KINDS = ("", "tanpa_keterangan", "dinas_luar", "cuti_tahunan", "cuti_sakit", "izin",
                  "cuti_alasan_penting")
_ABSENCE_P = np.array([0.30, 0.05, 0.22, 0.20, 0.13, 0.06, 0.04])
# Spells set whatever the day held (the month's leave of a few employees): kind, working
# days, women only.
_LEAVE_SPELLS = (("cuti_sakit", 5, False), ("cuti_besar", 5, False),
                 ("cuti_melahirkan", 10, True), ("cltn", 3, False),
                 ("tugas_belajar", 3, False), ("dinas_luar", 3, False))


def _attendance_status(staff: _Staff, month: _Month, entries: _Entries,
                       seed: int) -> np.ndarray:
    """The status of each employee's working day (employee x working day, object array):
    ``hadir`` on present days (about 1 in 250 without the check-in recorded), on absent
    days a status drawn per spell of consecutive absent days (or "" for no row at all), and
    a few set spells so that every leave status of the contract appears each month (a
    5-day sick leave passes the 3 free days). Its own random stream: nothing else moves."""
    rng = _rng(seed, 13, month.index)
    check_in = entries.check_in
    n_emp, n_wd = check_in.shape
    active = np.zeros(n_emp, dtype=bool)
    active[_in_month(staff, month)] = True
    present = check_in >= 0
    status = np.where(present, _HADIR, "").astype(object)
    hours = staff.hours if staff.hours else [""] * n_emp
    doctor = np.array([h == "doctor" for h in hours])
    tam = present & (rng.random((n_emp, n_wd)) < 0.004) & ~doctor[:, None]
    status[tam] = _NO_CHECK_IN
    absent = ~present & active[:, None]
    start = absent & np.c_[np.ones(n_emp, dtype=bool), ~absent[:, :-1]]
    cols = np.broadcast_to(np.arange(n_wd), (n_emp, n_wd))
    first = np.maximum.accumulate(np.where(start, cols, 0), axis=1)
    drawn = rng.choice(len(_ABSENCE_KINDS), size=(n_emp, n_wd), p=_ABSENCE_P)
    kinds = np.array(_ABSENCE_KINDS, dtype=object)[drawn[np.arange(n_emp)[:, None], first]]
    status[absent] = kinds[absent]
    plain = [i for i in range(n_emp) if active[i] and staff.ptype[i] not in MANAGERIAL
             and not doctor[i]]
    if len(plain) < len(_LEAVE_SPELLS) or n_wd < 10:
        return status
    chosen = [plain[int(j)] for j in rng.choice(len(plain), len(plain), replace=False)]
    for kind, length, women in _LEAVE_SPELLS:
        who = next((i for i in chosen if not women or staff.gender[i] == "P"), None)
        if who is None:
            continue
        chosen.remove(who)
        first_day = int(rng.integers(0, n_wd - length + 1))
        status[who, first_day:first_day + length] = kind
    return status


_HHMM = [f"{m // 60:02d}:{m % 60:02d}" for m in range(24 * 60)]  # minutes -> "HH:MM"


def _plan_entries(staff: _Staff, month: _Month, plan: _Plan, seed: int) -> _Entries:
    rng = _rng(seed, 3, month.index)
    n_wd = len(month.workdays)
    profile = np.array([PROFILES.index(p) for p in staff.profile])
    # --- produced quantity per assignment, split into entries
    lo = np.array([_RATIO[p][0] for p in PROFILES])[profile[plan.emp]]
    hi = np.array([_RATIO[p][1] for p in PROFILES])[profile[plan.emp]]
    ratio = rng.uniform(lo, hi) * rng.uniform(0.95, 1.05, len(plan.emp))
    produced = np.rint(plan.target * ratio).astype(int)
    std = _STD[plan.code]
    chunk = np.maximum(1, np.rint(rng.uniform(90, 300, len(std)) / std)).astype(int)
    n_entries = -(-produced // chunk)
    a_idx = np.repeat(np.arange(len(produced)), n_entries)
    first = np.repeat(np.cumsum(n_entries) - n_entries, n_entries)
    pos = np.arange(len(a_idx)) - first
    is_last = pos == n_entries[a_idx] - 1
    qty = np.where(is_last, produced[a_idx] - chunk[a_idx] * (n_entries[a_idx] - 1),
                   chunk[a_idx])
    emp = plan.emp[a_idx]
    work_code = plan.code[a_idx]  # what the work is (sets its duration)
    code = work_code.copy()
    swap = rng.random(len(code)) < 0.03  # an entry of another type serving the assignment
    code[swap] = _RAKOR
    # entries window: from the start to the due date or the month's end
    due_wd = np.array([_last_workday_index(month, d) for d in plan.due])
    lo_day = plan.start_wd[a_idx]
    hi_day = np.maximum(lo_day, due_wd[a_idx])
    day = lo_day + np.floor(rng.random(len(a_idx)) * (hi_day - lo_day + 1)).astype(int)
    assignment = a_idx.copy()
    # --- routine entries without an assignment
    n_emp = staff.size
    in_month = np.array(_in_month(staff, month), dtype=int)
    n_routine = rng.poisson(1.5, len(in_month))
    r_emp = np.repeat(in_month, n_routine)
    r_code = np.array(_ROUTINE)[rng.integers(0, len(_ROUTINE), len(r_emp))]
    r_qty = np.maximum(1, np.rint(rng.uniform(30, 150, len(r_emp)) / _STD[r_code])).astype(int)
    emp = np.concatenate([emp, r_emp])
    code = np.concatenate([code, r_code])
    work_code = np.concatenate([work_code, r_code])
    qty = np.concatenate([qty, r_qty])
    day = np.concatenate([day, rng.integers(0, n_wd, len(r_emp))])
    assignment = np.concatenate([assignment, np.full(len(r_emp), -1)])
    # --- durations
    n = len(emp)
    std_all = _STD[work_code]
    dur = qty * std_all * rng.uniform(0.8, 1.25, n)
    odd = rng.random(n)
    dur = np.where(odd < 0.01, dur * rng.uniform(3, 5, n), dur)
    dur = np.where((odd >= 0.01) & (odd < 0.02), dur * 0.2, dur)
    dur = np.clip(np.rint(dur / 5) * 5, 10, 600).astype(int)
    # --- move entries off overfull days (a few passes), within their window
    win_lo = np.concatenate([lo_day, np.zeros(len(r_emp), dtype=int)])
    win_hi = np.concatenate([hi_day, np.full(len(r_emp), n_wd - 1)])
    for attempt in range(8):
        if attempt == 3:  # still crowded: late work, up to the month's end
            win_hi = np.full(n, n_wd - 1)
        order = np.lexsort((np.arange(n), day, emp))
        group = emp[order] * n_wd + day[order]
        cum = _group_cumsum(dur[order], group)
        first_of_day = np.r_[True, group[1:] != group[:-1]]
        over = order[(cum > _DAY_CAPACITY) & ~first_of_day]
        if len(over) == 0:
            break
        span = win_hi[over] - win_lo[over] + 1
        day[over] = win_lo[over] + np.floor(rng.random(len(over)) * span).astype(int)
    # --- attendance: check-in per employee and working day
    latecomer = profile == PROFILES.index("latecomer")
    check_in = np.rint(rng.normal(442, 10, (n_emp, n_wd))).astype(int)
    check_in = np.clip(check_in, 410, 530)
    late_in = np.clip(np.rint(rng.normal(540, 10, (n_emp, n_wd))), 515, 575).astype(int)
    check_in = np.where(latecomer[:, None], late_in, check_in)
    # chronic latecomers (around 08:00 on most days) and the doctor (09:00 sharp) draw from
    # their own stream: everyone else's times stay as they were
    hours = np.array(staff.hours if staff.hours else [""] * n_emp, dtype=object)
    h_rng = _rng(seed, 12, month.index)
    chronic = (hours == "chronic")[:, None] & (h_rng.random((n_emp, n_wd)) < 0.7)
    chronic_in = np.clip(np.rint(h_rng.normal(482, 14, (n_emp, n_wd))), 452, 545).astype(int)
    check_in = np.where(chronic, chronic_in, check_in)
    doctor = (hours == "doctor")[:, None]
    check_in = np.where(doctor, 9 * 60, check_in)
    # --- times of day: sequential from the check-in, with short gaps
    order = np.lexsort((np.arange(n), day, emp))
    emp, day, code, qty, dur, assignment = (
        x[order] for x in (emp, day, code, qty, dur, assignment)
    )
    group = emp * n_wd + day
    gaps = rng.integers(0, 25, n)
    cum = _group_cumsum(dur + gaps, group)
    settle = rng.integers(5, 25, (n_emp, n_wd))  # minutes from check-in to the first entry
    day_start = np.where(latecomer[:, None], check_in + settle,
                         np.maximum(check_in + settle, 450))
    start = day_start[emp, day] + cum - dur
    anomaly = rng.random(n)
    new_group = np.r_[True, group[1:] != group[:-1]]
    overlap = (anomaly < 0.005) & ~new_group
    start = np.where(overlap, start - rng.integers(15, 45, n), start)
    evening = (anomaly >= 0.005) & (anomaly < 0.01)
    start = np.where(evening, np.maximum(start, 1140 + rng.integers(0, 90, n)), start)
    end = start + dur
    keep = end <= 23 * 60 + 59
    emp, day, code, qty, dur, assignment, start, end = (
        x[keep] for x in (emp, day, code, qty, dur, assignment, start, end)
    )
    n = len(emp)
    # --- attendance rows: present on days with entries; otherwise sometimes absent
    has_entry = np.zeros((n_emp, n_wd), dtype=bool)
    has_entry[emp, day] = True
    absent_p = np.where(latecomer, 0.10, 0.05)[:, None]
    present = has_entry | (rng.random((n_emp, n_wd)) >= absent_p)
    inactive_now = np.ones(n_emp, dtype=bool)
    inactive_now[in_month] = False
    present[inactive_now, :] = False
    weekday = np.array([d.weekday() for d in month.workdays])
    usual_out = np.where(weekday == 4, 990, 960)[None, :]
    check_out = usual_out + np.rint(rng.normal(12, 12, (n_emp, n_wd))).astype(int)
    early_out = np.clip(np.rint(rng.normal(720, 12, (n_emp, n_wd))), 690, 760).astype(int)
    check_out = np.where(latecomer[:, None], early_out, check_out)
    last_end = np.full((n_emp, n_wd), -1)
    np.maximum.at(last_end, (emp, day), end)
    check_out = np.where(latecomer[:, None], check_out,
                         np.maximum(check_out, last_end + rng.integers(0, 15, (n_emp, n_wd))))
    check_out = np.minimum(np.maximum(check_out, check_in), 23 * 60 + 59)
    check_out = np.where(rng.random((n_emp, n_wd)) < 0.02, -1, check_out)
    check_out = np.where(doctor, 12 * 60, check_out)
    check_in = np.where(present, check_in, -1)
    # --- quantities, costs, descriptions, evidence
    cost = np.zeros(n, dtype=np.int64)
    with_a = assignment >= 0
    a_safe = np.where(with_a, assignment, 0)
    target_cost = plan.cost[a_safe]
    costed = with_a & (target_cost > 0)
    share = qty / plan.target[a_safe] * rng.uniform(0.85, 1.1, n)
    cost[costed] = (np.rint(target_cost[costed] * share[costed] / 1000) * 1000).astype(np.int64)
    descriptions = _descriptions(code, qty, rng)
    evidence = rng.random(n) >= 0.05
    ids = [f"E{month.period}-{k + 1:07d}" for k in range(n)]
    return _Entries(emp, day, start, end, code, assignment, qty, cost, descriptions, evidence,
                    ids, plan, check_in, check_out)


def _group_cumsum(values: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Cumulative sum of ``values`` restarting where ``group`` (sorted) changes."""
    total = np.cumsum(values)
    starts = np.r_[True, group[1:] != group[:-1]]
    offset = np.where(starts, total - values, 0)
    offset = np.maximum.accumulate(offset)
    return total - offset


def _last_workday_index(month: _Month, due: date) -> int:
    limit = min(due, month.last)
    k = len(month.workdays) - 1
    while k > 0 and month.workdays[k] > limit:
        k -= 1
    return k


def _descriptions(code: np.ndarray, qty: np.ndarray, rng: np.random.Generator) -> list[str]:
    pick = rng.integers(0, 1 << 30, len(code))
    place = rng.integers(0, len(dd.PLACES), len(code))
    out = []
    columns = (code.tolist(), qty.tolist(), pick.tolist(), place.tolist())
    for c, q, p, loc in zip(*columns, strict=True):
        templates = dd.ACTIVITIES[c].descriptions
        out.append(templates[p % len(templates)].format(n=q, loc=dd.PLACES[loc]))
    return out


# ----------------------------------------------------------------------------- verification
def _verification_rows(
    staff: _Staff, month: _Month, entries: _Entries, seed: int
) -> list[tuple[str, ...]]:
    rng = _rng(seed, 4, month.index)
    n = len(entries.ids)
    emp = entries.emp
    verifier = np.where(staff.supervisor[emp] >= 0, staff.supervisor[emp], emp)
    style = np.array(staff.verifier_style, dtype=object)[verifier]
    style = np.where(style == "", "prompt", style)
    profile = np.array(staff.profile, dtype=object)[emp]
    weak = (profile == "little") | (profile == "latecomer")
    u = rng.random(n)
    reject_p = np.where(weak, 0.12, 0.02)
    revise_p = np.where(weak, 0.10, 0.04)
    serves = entries.assignment >= 0
    pending = ((u < 0.015) & ~serves) | (style == "never")
    rejected = ~pending & (u < 0.015 + reject_p)
    revised = ~pending & ~rejected & (u < 0.015 + reject_p + revise_p)
    delay = np.where(style == "slow", rng.integers(5, 26, n), rng.integers(0, 6, n))
    delay = np.where(rng.random(n) < 0.01, rng.integers(10, 40, n), delay)
    entry_day = np.array([d.toordinal() for d in month.workdays])[entries.day]
    decided_day = entry_day + delay
    nxt = date(month.year + month.month // 12, month.month % 12 + 1, DEMO_CLOSING_DAY)
    decided_day = np.where(serves, np.minimum(decided_day, nxt.toordinal()), decided_day)
    clock = np.where(delay == 0, entries.end * 60 + rng.integers(600, 7200, n),
                     rng.integers(7 * 3600, 21 * 3600, n))
    clock = np.minimum(clock, 86399)
    mean_q = np.array([_QUALITY[p] for p in staff.profile])[emp]
    marks = np.clip(np.rint(rng.normal(mean_q, 6)), 60, 100).astype(int)
    marked = rng.random(n) >= 0.15
    redo = revised & (rng.random(n) < 0.85)
    redo_day = decided_day + rng.integers(1, 11, n)
    redo_clock = rng.integers(7 * 3600, 21 * 3600, n)
    redo_marks = np.clip(marks + rng.integers(0, 8, n), 60, 100)
    note_pick = rng.integers(0, 1 << 30, n)
    decisions: list[tuple[str, str, str, str, str, str]] = []
    nips = staff.nip
    # 0 pending, 1 approved, 2 rejected, 3 revision then nothing, 4 revision then approved
    kind = np.where(pending, 0, np.where(rejected, 2, np.where(revised, 3 + redo, 1)))
    columns = (
        entries.ids, kind.tolist(), verifier.tolist(), decided_day.tolist(), clock.tolist(),
        note_pick.tolist(), np.where(marked, marks, -1).tolist(), redo_day.tolist(),
        redo_clock.tolist(), redo_marks.tolist(),
    )
    n_reject, n_revise, n_approve = (
        len(dd.REJECT_NOTES), len(dd.REVISION_NOTES), len(dd.APPROVE_NOTES)
    )
    for aid, what, v, day, sec, p, mark, day2, sec2, mark2 in zip(*columns, strict=True):
        if what == 0:
            continue
        vnip = nips[v]
        stamp = _stamp(day, sec)
        if what == 1:
            decisions.append((aid, vnip, "approved", stamp, str(mark) if mark >= 0 else "",
                              dd.APPROVE_NOTES[p % n_approve]))
        elif what == 2:
            decisions.append((aid, vnip, "rejected", stamp, "", dd.REJECT_NOTES[p % n_reject]))
        else:
            decisions.append((aid, vnip, "revision", stamp,
                              str(mark - 15) if mark >= 75 else "",
                              dd.REVISION_NOTES[p % n_revise]))
            if what == 4:
                decisions.append((aid, vnip, "approved", _stamp(day2, sec2), str(mark2),
                                  "Sudah diperbaiki, disetujui"))
    return [
        (f"V{month.period}-{k + 1:07d}", *row) for k, row in enumerate(decisions)
    ]


def _stamp(ordinal: int, seconds: int) -> str:
    """ISO 8601 in Asia/Jakarta time, whole seconds: ``2021-05-10T13:45:00+07:00``."""
    return f"{_iso_day(ordinal)}T{_HHMM[seconds // 60]}:{seconds % 60:02d}+07:00"


@functools.lru_cache(maxsize=4096)
def _iso_day(ordinal: int) -> str:
    return date.fromordinal(ordinal).isoformat()


# ----------------------------------------------------------------------------- behaviour


def demo_aspects(scheme: str) -> tuple[str, ...]:
    """The aspects the demo rates: one scheme's, or (``all``) every scheme's, each once,
    in the schemes' order."""
    if scheme != ALL_SCHEMES:
        return ASPECTS[scheme]
    return tuple(dict.fromkeys(a for name in SCHEMES for a in ASPECTS[name]))


def _behaviour_rows(
    staff: _Staff, months: list[_Month], scheme: str, seed: int
) -> list[tuple[str, ...]]:
    rng = _rng(seed, 5)
    aspects = demo_aspects(scheme)
    general = [a for a in aspects if a not in MANAGERIAL_ONLY_ASPECTS]
    n = staff.size
    base = np.array([_BEHAVIOUR[p] for p in staff.profile]) + rng.normal(0, 3, n)
    managerial = [p in MANAGERIAL for p in staff.ptype]
    # Misconduct: the same two or three values (of the general ones) fall well below 70
    # every month, whoever rates them.
    # With every scheme's aspects rated, each scheme's own values are hit (2 or 3 of them),
    # so a misconduct profile reads as misconduct under every scheme.
    groups = ([ASPECTS[name] for name in SCHEMES] if scheme == ALL_SCHEMES else [aspects])
    drop: dict[int, np.ndarray] = {}
    for i in range(n):
        if staff.profile[i] == "misconduct":
            own = aspects if managerial[i] else general
            drop[i] = np.zeros(len(own))
            for group in groups:
                mine = [k for k, a in enumerate(own) if a in group]
                hit = rng.choice(mine, size=min(len(mine), int(rng.integers(2, 4))),
                                 replace=False)
                drop[i][hit] = _MISCONDUCT_DROP
    reports: list[list[int]] = [[] for _ in range(n)]
    by_unit_boss: dict[tuple[str, int], list[int]] = {}
    tops = []
    for i in range(n):
        sup = int(staff.supervisor[i])
        if sup >= 0:
            reports[sup].append(i)
            by_unit_boss.setdefault((staff.unit[i], sup), []).append(i)
        else:
            tops.append(i)
    rows: list[tuple[str, ...]] = []
    for month in months:
        for i in _in_month(staff, month):
            sup = int(staff.supervisor[i])
            raters: list[tuple[int, str, float]] = []
            if sup >= 0 and rng.random() >= _UNRATED_P:
                raters.append((sup, "atasan", 0.0))
            if sup >= 0:
                peers = [p for p in by_unit_boss[(staff.unit[i], sup)] if p != i]
            else:
                peers = [p for p in tops if p != i]
            if peers and (sup < 0 or rng.random() < 0.2):
                for p in _sample(rng, peers, int(rng.integers(1, 3))):
                    raters.append((p, "rekan", 1.0))
            subs = reports[i]
            if subs and (sup < 0 or rng.random() < 0.5):
                for p in _sample(rng, subs, int(rng.integers(1, 4))):
                    raters.append((p, "bawahan", 2.0))
            if rng.random() < 0.15:
                raters.append((i, "diri", 5.0))
            own = aspects if managerial[i] else general
            penalty = drop.get(i, 0.0)
            for rater, role, bias in raters:
                if staff.last_month[rater] < month.index:
                    continue
                mean = base[i] + bias - penalty
                scores = np.clip(np.rint(rng.normal(mean, 4, len(own))), 60, 100)
                for aspect, score in zip(own, scores.tolist(), strict=True):
                    rows.append((staff.nip[i], month.period, staff.nip[rater], aspect, role,
                                 str(int(score))))
    return rows


def _sample(rng: np.random.Generator, items: list[int], k: int) -> list[int]:
    if len(items) <= k:
        return list(items)
    return [items[int(j)] for j in sorted(rng.choice(len(items), size=k, replace=False))]


# ----------------------------------------------------------------------------- unit results
def _unit_result_rows(
    months: list[_Month], seed: int, staffed: set[str]
) -> list[tuple[str, ...]]:
    """Mostly ``baik``, about one in ten ``istimewa``; one staffed unit in one month
    ``butuh_perbaikan`` (its curve, at least 60% Butuh Perbaikan, is then not met)."""
    rng = _rng(seed, 6)
    codes = [u.code for u in dd.UNITS]
    u = rng.random((len(codes), len(months)))
    candidates = [ci for ci, code in enumerate(codes) if code in staffed] or list(
        range(len(codes)))
    poor = (candidates[int(rng.integers(len(candidates)))], int(rng.integers(len(months))))
    rows: list[Row] = []
    for ci, code in enumerate(codes):
        for mi, month in enumerate(months):
            if (ci, mi) == poor:
                result = "butuh_perbaikan"
            else:
                result = "istimewa" if u[ci, mi] < 0.1 else "baik"
            rows.append((code, month.period, result))
    return rows


# ----------------------------------------------------------------------------- writing
_KEY_WIDTH = {"behaviour": 4, "attendance": 2, "unit_results": 2}


def _sort_key(table: str) -> Callable[[Row], Row]:
    width = _KEY_WIDTH.get(table, 1)
    return lambda row: row[:width]


def _write_csv(path: Path, columns: Sequence[str], rows: Iterable[Sequence[str]]) -> int:
    """Write atomically (a temporary file, then a rename); return the number of rows."""
    stream = _Stream(path.parent, path.stem, columns)
    try:
        stream.write(rows)
        return stream.commit()
    finally:
        stream.discard()


class _Stream:
    """A CSV file written in pieces to a temporary name, renamed into place on commit."""

    def __init__(self, folder: Path, table: str, columns: Sequence[str] | None = None) -> None:
        self.path = folder / f"{table}.csv"
        self.tmp = folder / f".{table}.csv.tmp"
        self.handle = open(self.tmp, "w", encoding="utf-8", newline="")  # noqa: SIM115
        self.writer = csv.writer(self.handle, lineterminator="\n")
        self.writer.writerow(columns or COLUMNS[table])
        self.count = 0
        self.done = False

    def write(self, rows: Iterable[Sequence[str]]) -> None:
        counter = itertools.count()
        self.writer.writerows(row for row, _ in zip(rows, counter, strict=False))
        self.count += next(counter)

    def commit(self) -> int:
        self.handle.close()
        os.replace(self.tmp, self.path)
        self.done = True
        return self.count

    def discard(self) -> None:
        """Remove the temporary file unless committed (safe to call twice)."""
        if not self.done:
            self.handle.close()
            self.tmp.unlink(missing_ok=True)
            self.done = True
