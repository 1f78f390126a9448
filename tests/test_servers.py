"""Real database servers beside SQLite (issue #8), always through the `eperf` command.

* the same demo imported into SQLite, PostgreSQL and MariaDB gives byte-identical `score`
  and `rekap` files (meta.json differs only in computed_at);
* keys are case-sensitive and Unicode text round-trips on every engine;
* migrations go 0001 -> head -> 0001 -> base -> head on every engine;
* least privilege: a reporting login with exactly the grants of docs/database.md can score
  but cannot import;
* wrong host, refused login and missing database end with exit 5 and one line naming the
  URL with its password masked.

Server tests skip when a server does not answer, and fail instead under
EPERF_REQUIRE_SERVERS=1 (CI); see conftest.py for EPERF_TEST_PG / EPERF_TEST_MYSQL.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.engine import make_url

from conftest import MY_ADMIN, PG_ADMIN, REPO, _server_or_skip
from eperformance.db.engine import alembic_config, current_revision, head_revision, open_engine
from eperformance.db.grants import ENGINES, Access, grant_statements
from eperformance.db.schema import CONTRACT_TABLES, metadata
from eperformance.demo import generate_demo
from eperformance.nip import make_nip

ENGINE_NAMES = ["sqlite", "postgresql", "mariadb"]
SCHEMES = ["permenpan-6-2022", "pp-30-2019", "pp-46-2011"]
PERIODS = ["2021-01", "2021-02"]
SECRET = "S3cret-pw"


# --------------------------------------------------------------------------- helpers
def eperf(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the command line as a user would: a fresh process, our home, no DATABASE_URL."""
    env = dict(os.environ, EPERF_HOME=str(home))
    env.pop("DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "eperformance.cli", *args],
                          capture_output=True, text=True, env=env)


def make_home(path: Path) -> Path:
    import shutil

    path.mkdir(parents=True, exist_ok=True)
    if not (path / "params").exists():
        shutil.copytree(REPO / "params", path / "params")
    return path


def _with_database(url: str, name: str) -> str:
    return make_url(url).set(database=name).render_as_string(hide_password=False)


@contextmanager
def server_database(kind: str) -> Iterator[str]:
    """A fresh database on the PostgreSQL or MariaDB test server; dropped afterwards."""
    name = f"eperf_test_{uuid.uuid4().hex[:10]}"
    if kind == "postgresql":
        _server_or_skip(PG_ADMIN, "PostgreSQL")
        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        create, drop = f'CREATE DATABASE "{name}"', f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
        url = _with_database(PG_ADMIN, name)
    else:
        _server_or_skip(MY_ADMIN, "MariaDB")
        admin = create_engine(MY_ADMIN, isolation_level="AUTOCOMMIT")
        create = f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4"
        drop = f"DROP DATABASE IF EXISTS `{name}`"
        url = _with_database(MY_ADMIN, name)
        if "charset" not in make_url(url).query:
            url += ("&" if "?" in url else "?") + "charset=utf8mb4"
    with admin.connect() as conn:
        conn.execute(text(create))
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(drop))
        admin.dispose()


@contextmanager
def engine_database(kind: str, folder: Path) -> Iterator[str]:
    if kind == "sqlite":
        folder.mkdir(parents=True, exist_ok=True)
        yield f"sqlite:///{folder / 'wb.sqlite'}"
    else:
        with server_database(kind) as url:
            yield url


def one_line_error(res: subprocess.CompletedProcess[str]) -> str:
    """The `eperf: error:` line of a clean failure (a hint line may follow)."""
    assert "Traceback" not in res.stderr, res.stderr
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    errors = [ln for ln in lines if ln.startswith("eperf: error: ")]
    assert len(errors) == 1, res.stderr
    assert all(ln.startswith(("eperf: error: ", "eperf: hint: ")) for ln in lines), res.stderr
    return errors[0]


# --------------------------------------------------------------------------- same answers
@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    generate_demo(out, employees=30, months=2, seed=23)
    return out


@pytest.fixture(scope="module")
def module_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_home(tmp_path_factory.mktemp("home"))


@pytest.fixture(scope="module")
def outputs_of(tmp_path_factory: pytest.TempPathFactory, demo_dir: Path,
               module_home: Path) -> Callable[[str], Path]:
    """engine name -> folder with every score and rekap file of both months and all schemes.

    Each engine's database is created, imported once, read by every command, then dropped.
    """
    done: dict[str, Path] = {}

    def outputs(kind: str) -> Path:
        if kind in done:
            return done[kind]
        out = tmp_path_factory.mktemp(f"out-{kind}")
        with engine_database(kind, tmp_path_factory.mktemp(kind)) as url:
            res = eperf(module_home, "ingest", str(demo_dir), "--db", url)
            assert res.returncode == 0, res.stderr
            for period in PERIODS:
                for scheme in SCHEMES:
                    res = eperf(module_home, "score", "--period", period, "--scheme", scheme,
                                "--db", url, "--out", str(out / f"scores-{period}-{scheme}.csv"),
                                "--assignments-out",
                                str(out / f"assignments-{period}-{scheme}.csv"))
                    assert res.returncode == 0, res.stderr
                res = eperf(module_home, "rekap", "--period", period, "--db", url,
                            "--out", str(out / f"rekap-{period}"))
                assert res.returncode == 0, res.stderr
        done[kind] = out
        return out

    return outputs


def _files(folder: Path) -> dict[str, Path]:
    return {str(p.relative_to(folder)): p for p in sorted(folder.rglob("*")) if p.is_file()}


def test_outputs_written_on_sqlite(outputs_of: Callable[[str], Path]) -> None:
    folder = outputs_of("sqlite")
    files = _files(folder)
    assert sum(name.startswith("scores-") and name.endswith(".csv") for name in files) == 6
    assert sum(name.startswith("rekap-2021-02/") for name in files) >= 3
    scores = (folder / "scores-2021-01-permenpan-6-2022.csv").read_text(encoding="utf-8")
    assert len(scores.splitlines()) > 20  # a header and the demo's active employees
    predikat = {line.split(",")[8] for line in scores.splitlines()[1:]}
    assert len(predikat - {""}) >= 2  # real scores, not all missing


@pytest.mark.parametrize("kind", ["postgresql", "mariadb"])
def test_same_files_as_sqlite(kind: str, outputs_of: Callable[[str], Path]) -> None:
    """Byte-identical CSV files; the meta.json files equal but for computed_at."""
    ref, other = _files(outputs_of("sqlite")), _files(outputs_of(kind))
    assert sorted(ref) == sorted(other)
    for name, path in ref.items():
        if name.endswith(".json"):
            a, b = json.loads(path.read_text()), json.loads(other[name].read_text())
            assert a.pop("computed_at") and b.pop("computed_at")
            assert a == b, name
        else:
            assert path.read_bytes() == other[name].read_bytes(), f"{name} differs on {kind}"


# --------------------------------------------------------------------------- case, Unicode
BOSS = make_nip(date(1975, 4, 4), 2000, 3, "P", 1)
STAFF = make_nip(date(1990, 8, 17), 2015, 2, "L", 2)
NAMES = {BOSS: "Ni Luh Putu Ayu Wédarí", STAFF: "Dédé Sütisna Ñurhadi"}
EMOJI = "Rapat koordinasi 🎉✅ — selesai («ok»)"
CASE_FILES = {
    "units": ["unit_code,name,parent_code", "ROOT,Kementerian Sosial,",
              "u1,Biro Umum (kecil),ROOT", "U1,Biro Umum (BESAR),ROOT"],
    "employees": ["nip,name,gender,unit_code,position,position_type,grade,supervisor_nip,"
                  "employment,active",
                  f"{BOSS},{NAMES[BOSS]},P,U1,Kepala Biro,administrator,IV/a,,pns,true",
                  f"{STAFF},{NAMES[STAFF]},L,u1,Pranata Kearsipan,pelaksana,III/a,{BOSS},pns,"
                  "true"],
    "activity_types": ["activity_code,name,output_unit,standard_minutes",
                       "abc,Kegiatan kecil,laporan,30", "ABC,Kegiatan BESAR,dokumen,90"],
    "assignments": ["assignment_id,nip,assigned_by_nip,period,activity_code,title,"
                    "target_quantity,target_quality,start_date,due_date,target_cost,weight,"
                    "is_main,innovation",
                    f"s1,{STAFF},{BOSS},2021-01,abc,Tugas kecil,4,100,2021-01-01,2021-01-31,,1,"
                    "true,false",
                    f"S1,{STAFF},{BOSS},2021-01,ABC,Tugas BESAR,2,100,2021-01-01,2021-01-31,,1,"
                    "true,false"],
    "activities": ["activity_id,nip,date,start_time,end_time,activity_code,assignment_id,"
                   "quantity,description,evidence_url,cost",
                   f"e1,{STAFF},2021-01-04,08:00,09:00,abc,s1,1,{EMOJI},,0",
                   f"E1,{STAFF},2021-01-04,10:00,11:00,ABC,S1,1,Penyusunan naskah dinas,,0"],
}


def _write_case_folder(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, lines in CASE_FILES.items():
        (folder / f"{name}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


@pytest.fixture(params=ENGINE_NAMES)
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with engine_database(request.param, tmp_path / "db") as url:
        yield url


def test_keys_are_case_sensitive_and_unicode_round_trips(fresh_url: str, home: Path,
                                                          tmp_path: Path) -> None:
    folder = _write_case_folder(tmp_path / "case")
    res = eperf(home, "ingest", str(folder), "--db", fresh_url)
    assert res.returncode == 0, res.stdout + res.stderr
    engine = open_engine(fresh_url)
    try:
        with engine.connect() as conn:
            def column(table: str, key: str, value: str) -> list[str]:
                t = CONTRACT_TABLES[table]
                return list(conn.execute(select(t.c.name if "name" in t.c else t.c.title)
                                         .where(t.c[key] == value)).scalars())

            assert column("activity_types", "activity_code", "abc") == ["Kegiatan kecil"]
            assert column("activity_types", "activity_code", "ABC") == ["Kegiatan BESAR"]
            assert column("units", "unit_code", "u1") == ["Biro Umum (kecil)"]
            assert column("assignments", "assignment_id", "S1") == ["Tugas BESAR"]
            acts = CONTRACT_TABLES["activities"]
            rows = dict(conn.execute(select(acts.c.activity_id, acts.c.description)).all())
            assert rows == {"e1": EMOJI, "E1": "Penyusunan naskah dinas"}
            emp = CONTRACT_TABLES["employees"]
            names = dict(conn.execute(select(emp.c.nip, emp.c.name)).all())
            assert names == NAMES
            staff_unit = conn.execute(select(emp.c.unit_code).where(emp.c.nip == STAFF))
            assert staff_unit.scalar_one() == "u1"
    finally:
        engine.dispose()
    again = eperf(home, "ingest", str(folder), "--db", fresh_url)  # nothing collides
    assert again.returncode == 0, again.stdout + again.stderr
    read = sum(len(lines) - 1 for lines in CASE_FILES.values())
    assert (f"{read} rows read: 0 inserted, 0 updated, {read} unchanged, 0 rejected"
            in again.stdout), again.stdout


# --------------------------------------------------------------------------- migrations
def test_migrations_up_and_down_on_every_engine(fresh_url: str) -> None:
    engine = open_engine(fresh_url, create=True)
    cfg = alembic_config(engine)
    contract_and_log = set(CONTRACT_TABLES) | {"import_log", "alembic_version"}
    try:
        command.upgrade(cfg, "0001")
        assert current_revision(engine) == "0001"
        assert set(inspect(engine).get_table_names()) == contract_and_log
        command.upgrade(cfg, "head")
        assert current_revision(engine) == head_revision()
        with engine.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn), metadata) == []
        command.downgrade(cfg, "0001")
        assert set(inspect(engine).get_table_names()) == contract_and_log
        command.downgrade(cfg, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        assert current_revision(engine) is None
        command.upgrade(cfg, "head")
        assert "runs" in inspect(engine).get_table_names()
    finally:
        engine.dispose()


# --------------------------------------------------------------------------- least privilege
@contextmanager
def login_with(kind: str, url: str, access: Access) -> Iterator[str]:
    """A new login with exactly the grants of ``access`` on ``url``'s database; its URL."""
    user = f"eperf_{access.value}_{uuid.uuid4().hex[:8]}"
    database = make_url(url).database
    assert database
    admin = create_engine(PG_ADMIN if kind == "postgresql" else MY_ADMIN,
                          isolation_level="AUTOCOMMIT")
    owner = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if kind == "postgresql":
            conn.execute(text(f"CREATE ROLE {user} LOGIN PASSWORD '{SECRET}'"))
        else:
            conn.execute(text(f"CREATE USER '{user}'@'%' IDENTIFIED BY '{SECRET}'"))
    try:
        with owner.connect() as conn:
            for stmt in grant_statements(kind, access, user, database=database, host="%"):
                conn.execute(text(stmt))
        yield make_url(url).set(username=user, password=SECRET).render_as_string(
            hide_password=False)
    finally:
        owner.dispose()
        with admin.connect() as conn:
            if kind == "postgresql":  # the role's privileges go with its database
                conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
                conn.execute(text(f"DROP ROLE IF EXISTS {user}"))
            else:
                conn.execute(text(f"DROP USER IF EXISTS '{user}'@'%'"))
        admin.dispose()


def _table_counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {name: conn.execute(text(f"SELECT COUNT(*) FROM {name}")).scalar_one()
                    for name in [*CONTRACT_TABLES, "import_log"]}
    finally:
        engine.dispose()


@pytest.fixture(params=["postgresql", "mariadb"])
def imported(request: pytest.FixtureRequest, demo_dir: Path,
             home: Path) -> Iterator[tuple[str, str]]:
    """(engine, owner URL) of a fresh database the owner has upgraded and imported."""
    with server_database(request.param) as url:
        res = eperf(home, "db", "upgrade", "--db", url)
        assert res.returncode == 0, res.stderr
        res = eperf(home, "ingest", str(demo_dir), "--db", url)
        assert res.returncode == 0, res.stderr
        yield request.param, url


def _ledger_insert_update(url: str) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO runs (run_id, kind, run_key, period, scope, scheme, "
                "scheme_version, parameters, username, hostname, pid, started_at, status, "
                "cards_total, cards_ok, cards_failed, cards_skipped) VALUES ('r1', 'batch', "
                "'k', '2021-01', 'all', 's', '1', '{}', 'u', 'h', 1, '2021-02-06 00:00:00', "
                "'running', 0, 0, 0, 0)"))
            conn.execute(text("UPDATE runs SET status = 'ok' WHERE run_id = 'r1'"))
            assert conn.execute(text("SELECT status FROM runs")).scalar_one() == "ok"
        for stmt in ("DELETE FROM runs", "DELETE FROM units", "CREATE TABLE x (i INTEGER)"):
            with pytest.raises(Exception, match="(?i)denied"), engine.begin() as conn:
                conn.execute(text(stmt))
    finally:
        engine.dispose()


def test_reporting_login_scores_but_cannot_import(imported: tuple[str, str], home: Path,
                                                  tmp_path: Path) -> None:
    kind, owner = imported
    with login_with(kind, owner, Access.REPORT) as rep:
        res = eperf(home, "db", "status", "--db", rep)
        assert res.returncode == 0 and "(current)" in res.stdout, res.stderr
        assert SECRET not in res.stdout + res.stderr
        for scheme in SCHEMES:
            res = eperf(home, "score", "--period", "2021-01", "--scheme", scheme, "--db", rep,
                        "--out", str(tmp_path / f"{scheme}.csv"))
            assert res.returncode == 0, res.stderr
        res = eperf(home, "rekap", "--period", "2021-02", "--db", rep, "--out",
                    str(tmp_path / "rekap"))
        assert res.returncode == 0, res.stderr
        _ledger_insert_update(rep)

        before = _table_counts(owner)
        res = eperf(home, "ingest", str(_write_case_folder(tmp_path / "new")), "--db", rep)
        assert res.returncode != 0
        assert _table_counts(owner) == before  # one transaction: nothing changed
        assert SECRET not in res.stdout + res.stderr


def test_reporting_login_reads_the_month_cache_but_never_writes_it(
        imported: tuple[str, str], home: Path, tmp_path: Path) -> None:
    """Only a login that may write the data may write its derived copy (docs/database.md):
    a report login's quarter keeps nothing, and reads what the owner's run kept."""
    kind, owner = imported

    def cached() -> int:
        engine = create_engine(owner)
        try:
            with engine.connect() as conn:
                return int(conn.execute(text("SELECT COUNT(*) FROM month_cache")).scalar_one())
        finally:
            engine.dispose()

    with login_with(kind, owner, Access.REPORT) as rep:
        first = eperf(home, "score", "--period", "2021-Q1", "--db", rep,
                      "--out", str(tmp_path / "rep1.csv"))
        assert first.returncode == 0, first.stderr
        assert cached() == 0 and "from the cache" not in first.stdout
        engine = create_engine(rep)
        try:
            for stmt in ("DELETE FROM month_cache",
                         "UPDATE month_versions SET version = version + 1"):
                with pytest.raises(Exception, match="(?i)denied"), engine.begin() as conn:
                    conn.execute(text(stmt))
        finally:
            engine.dispose()
        res = eperf(home, "score", "--period", "2021-Q1", "--db", owner,
                    "--out", str(tmp_path / "owner.csv"))
        assert res.returncode == 0, res.stderr
        assert cached() == 3
        again = eperf(home, "score", "--period", "2021-Q1", "--db", rep,
                      "--out", str(tmp_path / "rep2.csv"))
        assert again.returncode == 0, again.stderr
        assert "3 closed month(s) read from the cache" in again.stdout
    assert (tmp_path / "rep1.csv").read_bytes() == (tmp_path / "rep2.csv").read_bytes() \
        == (tmp_path / "owner.csv").read_bytes()


@pytest.mark.parametrize("kind", ["postgresql", "mariadb"])
def test_reporting_login_import_fails_cleanly(kind: str, demo_dir: Path, home: Path,
                                              tmp_path: Path) -> None:
    with server_database(kind) as owner:
        assert eperf(home, "ingest", str(demo_dir), "--db", owner).returncode == 0
        with login_with(kind, owner, Access.REPORT) as rep:
            res = eperf(home, "ingest", str(_write_case_folder(tmp_path / "new")),
                        "--db", rep)
    assert res.returncode in (2, 5), res.stderr
    line = one_line_error(res)
    assert "denied" in line.lower() and SECRET not in res.stderr


def test_ingest_login_imports_but_cannot_upgrade(imported: tuple[str, str], home: Path,
                                                 tmp_path: Path) -> None:
    kind, owner = imported
    with login_with(kind, owner, Access.INGEST) as ing:
        res = eperf(home, "ingest", str(_write_case_folder(tmp_path / "new")), "--db", ing)
        assert res.returncode == 0, res.stdout + res.stderr
        engine = create_engine(ing)
        try:
            with engine.begin() as conn:
                n = conn.execute(text("SELECT COUNT(*) FROM import_log")).scalar_one()
                assert n >= 2  # the owner's import and this one
            with pytest.raises(Exception, match="(?i)denied"), engine.begin() as conn:
                conn.execute(text("CREATE TABLE x (i INTEGER)"))
        finally:
            engine.dispose()


@pytest.mark.parametrize("kind", ["postgresql", "mariadb"])
def test_owner_login_upgrades_a_fresh_database(kind: str, home: Path) -> None:
    with server_database(kind) as url, login_with(kind, url, Access.OWNER) as owner:
        res = eperf(home, "db", "upgrade", "--db", owner)
        assert res.returncode == 0, res.stderr
        assert f"-> {head_revision()}" in res.stdout and SECRET not in res.stdout
        assert eperf(home, "db", "status", "--db", owner).returncode == 0


def test_grant_statements_cover_every_table() -> None:
    """The documented grants name every table of the schema, on both server engines."""
    import re

    tables = set(metadata.tables) | {"alembic_version"}
    for kind in ENGINES:
        for access in (Access.REPORT, Access.INGEST):
            stmts = "\n".join(grant_statements(kind, access, "u", database="d", host="%"))
            named = {t for t in tables if re.search(rf"[ .`,]{t}[`, ]", stmts)}
            assert named == tables, (kind, access, tables - named)
            assert "DELETE ON" not in stmts.replace("UPDATE, DELETE ON", "")
        assert "ALL" in " ".join(grant_statements(kind, Access.OWNER, "u", database="d"))
    with pytest.raises(ValueError):
        grant_statements("postgresql", Access.REPORT, "u; DROP", database="d")


# --------------------------------------------------------------------------- exit 5
def _bad_urls(kind: str) -> dict[str, tuple[str, str]]:
    """case -> (URL, words expected in the error line), each with a password to mask."""
    admin = PG_ADMIN if kind == "postgresql" else MY_ADMIN
    base = make_url(admin)
    if kind == "postgresql":
        # the test server trusts 127.0.0.1 (any password), so the refused login is an
        # unknown role; a server with scram/md5 refuses a wrong password the same way
        login = base.set(username=f"nobody_{uuid.uuid4().hex[:6]}", password=SECRET)
        login_words = "does not exist"
    else:
        login = base.set(password=SECRET)
        login_words = "Access denied"
    return {
        "wrong host": (base.set(host="no-such-host.invalid", password=SECRET)
                       .render_as_string(hide_password=False), "no-such-host.invalid"),
        "refused login": (login.render_as_string(hide_password=False), login_words),
        "missing database": (base.set(database="eperf_no_such_db", password=SECRET)
                             .render_as_string(hide_password=False)
                             if kind == "postgresql" else
                             base.set(database="eperf_no_such_db").render_as_string(
                                 hide_password=False), "eperf_no_such_db"),
    }


@pytest.mark.parametrize("case", ["wrong host", "refused login", "missing database"])
@pytest.mark.parametrize("kind", ["postgresql", "mariadb"])
def test_unreachable_database_exit_5(kind: str, case: str, home: Path, tmp_path: Path) -> None:
    _server_or_skip(PG_ADMIN if kind == "postgresql" else MY_ADMIN,
                    "PostgreSQL" if kind == "postgresql" else "MariaDB")
    url, words = _bad_urls(kind)[case]
    for args in (["score", "--period", "2021-01", "--out", str(tmp_path / "s.csv")],
                 ["ingest", str(tmp_path)]):
        res = eperf(home, *args, "--db", url)
        assert res.returncode == 5, (case, args[0], res.stderr)
        line = one_line_error(res)
        assert f"cannot connect to {make_url(url).render_as_string(hide_password=True)}" \
            in line, line
        assert words in line, line
        if make_url(url).password:
            assert SECRET not in res.stdout + res.stderr and ":***@" in line
    assert not (tmp_path / "s.csv").exists()


def test_database_url_from_dotenv_and_environment(home: Path) -> None:
    """`.env` DATABASE_URL is used and never printed with its password; env beats .env."""
    _server_or_skip(MY_ADMIN, "MariaDB")
    bad = make_url(MY_ADMIN).set(password=SECRET).render_as_string(hide_password=False)
    (home / ".env").write_text(f"DATABASE_URL={bad}\n", encoding="utf-8")
    res = eperf(home, "db", "status")
    assert res.returncode == 5 and SECRET not in res.stderr
    assert make_url(bad).render_as_string(hide_password=True) in one_line_error(res)
    env = dict(os.environ, EPERF_HOME=str(home), DATABASE_URL=MY_ADMIN)
    res = subprocess.run([sys.executable, "-m", "eperformance.cli", "db", "status"],
                         capture_output=True, text=True, env=env)
    assert res.returncode == 0 and "schema" in res.stdout, res.stderr
