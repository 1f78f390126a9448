"""Results a user can trust (issue 13): URLs that work from anywhere, errors that echo what
was given without its secret, a ledger whose key fits every engine, and fingerprints that
see the notebook and the template."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from sqlalchemy import select, text

from eperformance.batch.ledger import stored_key
from eperformance.card import shape
from eperformance.db.engine import open_engine, upgrade
from eperformance.db.schema import runs as runs_table
from eperformance.demo import generate_demo
from eperformance.home import absolute_sqlite_url, masked_url

REPO = Path(__file__).resolve().parents[1]
PERIOD = "2021-01"
UNIT = "RSA"  # a demo unit of a few employees (seed 5)
SECRET = "S3cret-pw"


def eperf(home: Path, *args: str, cwd: Path | None = None,
          env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environ = dict(os.environ, EPERF_HOME=str(home))
    environ.pop("DATABASE_URL", None)
    environ.update(env or {})
    return subprocess.run([sys.executable, "-m", "eperformance.cli", *args],
                          capture_output=True, text=True, env=environ, cwd=cwd)


def one_line_error(res: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in res.stderr, res.stderr
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    errors = [ln for ln in lines if ln.startswith("eperf: error: ")]
    assert len(errors) == 1, res.stderr
    assert all(ln.startswith(("eperf: error: ", "eperf: hint: ")) for ln in lines), res.stderr
    return errors[0]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    generate_demo(out, employees=10, months=1, seed=5)
    return out


def _home(root: Path, *, notebooks: bool = False) -> Path:
    home = root / "home"
    home.mkdir()
    shutil.copytree(REPO / "params", home / "params")
    if notebooks:
        shutil.copytree(REPO / "notebooks", home / "notebooks")
    return home


# --------------------------------------------------------------------------- URLs
def test_relative_sqlite_url_is_the_home_s_for_every_command(demo: Path, tmp_path: Path
                                                             ) -> None:
    """`sqlite:///data/x.sqlite` (the README's form) names the same file for ingest, score,
    card and batch, from any folder: the kernels that render the cards run elsewhere."""
    home = _home(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    url = "sqlite:///data/x.sqlite"
    res = eperf(home, "ingest", str(demo), "--db", url, cwd=elsewhere)
    assert res.returncode == 0, res.stderr
    assert (home / "data" / "x.sqlite").is_file() and not (elsewhere / "data").exists()
    res = eperf(home, "score", "--period", PERIOD, "--db", url, "--out",
                str(tmp_path / "s.csv"), cwd=elsewhere)
    assert res.returncode == 0, res.stderr
    nip = (tmp_path / "s.csv").read_text().splitlines()[1].split(",")[0]
    res = eperf(home, "card", "--nip", nip, "--period", PERIOD, "--format", "html",
                "--db", url, cwd=elsewhere)
    assert res.returncode == 0, res.stdout + res.stderr
    # the same relative URL from the environment, for a batch run from yet another folder
    res = eperf(home, "batch", "--period", PERIOD, "--unit", UNIT, "--format", "html",
                "--quiet", cwd=tmp_path, env={"DATABASE_URL": url})
    assert res.returncode == 0, res.stdout + res.stderr
    manifest = json.loads((home / "outputs" / PERIOD / UNIT / "latest" / "manifest.json")
                          .read_text())
    assert manifest["status"] == "ok" and manifest["counts"]["failed"] == 0
    assert len(manifest["cards"]) >= 3


def test_absolute_sqlite_url(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("EPERF_HOME", str(tmp_path))
    assert absolute_sqlite_url("sqlite:///data/x.sqlite") == \
        f"sqlite:///{tmp_path / 'data' / 'x.sqlite'}"
    assert absolute_sqlite_url("sqlite+pysqlite:///x.db") == \
        f"sqlite+pysqlite:///{tmp_path / 'x.db'}"
    for unchanged in ("sqlite:////srv/wb.sqlite", "sqlite://", "sqlite:///:memory:",
                      "postgresql+psycopg://u:pw@db.example/wb", "not a url"):
        assert absolute_sqlite_url(unchanged) == unchanged
    home = Path("~").expanduser()
    assert absolute_sqlite_url("sqlite:///~/wb.sqlite") == f"sqlite:///{home / 'wb.sqlite'}"


@pytest.mark.parametrize(("url", "words"), [
    ("garbage", "not of the form"),
    (f"postgresql+psycopg://hr:{SECRET}@db.example:54x2/wb", "the port is not a number"),
    (f"oracle+nosuch://hr:{SECRET}@db.example/wb", "no SQLAlchemy dialect"),
])
def test_unusable_db_url_is_one_line_echoing_it_masked(url: str, words: str, home: Path,
                                                       tmp_path: Path) -> None:
    for args in (["db", "status"], ["score", "--period", PERIOD, "--out",
                                    str(tmp_path / "s.csv")]):
        res = eperf(home, *args, "--db", url)
        assert res.returncode == 2, res.stderr
        line = one_line_error(res)
        assert words in line and masked_url(url) in line, line
        assert SECRET not in res.stdout + res.stderr
        assert "sqlite:///data/workbook.sqlite" in res.stderr  # the right form, as a hint


def test_secrets_in_the_query_are_masked(home: Path) -> None:
    url = f"mysql+pymysql://hr@127.0.0.1:1/wb?charset=utf8mb4&password={SECRET}"
    assert masked_url(url) == "mysql+pymysql://hr@127.0.0.1:1/wb?charset=utf8mb4&password=***"
    assert SECRET not in masked_url(f"postgresql://hr:{SECRET}@h/wb?sslpassword={SECRET}")
    assert SECRET not in masked_url(f"pg://hr:{SECRET}@h:x:y/wb")  # unparsable: by pattern
    res = eperf(home, "db", "status", "--db", url)
    assert res.returncode == 5 and SECRET not in res.stdout + res.stderr
    assert "password=***" in one_line_error(res)


# --------------------------------------------------------------------------- run ledger
def test_migration_0003_hashes_stored_run_keys(tmp_path: Path) -> None:
    """Rows an older version wrote (the key's JSON text, accepted by SQLite alone) hold the
    key's SHA-256 after the upgrade, like the rows written from now on."""
    url = f"sqlite:///{tmp_path / 'wb.sqlite'}"
    engine = open_engine(url, create=True)
    upgrade(engine, "0002")
    key = json.dumps({"formats": ["html", "pdf", "xlsx"], "lang": "id", "period": PERIOD,
                      "scheme": "permenpan-6-2022", "scheme_version": "1", "scope": "all",
                      "use_360": False}, sort_keys=True)
    assert len(key) > 64
    row = dict(run_id="20210206T010203Z-abcdef", kind="batch", run_key=key, period=PERIOD,
               scope="all", scheme="permenpan-6-2022", scheme_version="1", parameters="{}",
               username="hr", hostname="h", pid=1, status="ok", cards_total=0, cards_ok=0,
               cards_failed=0, cards_skipped=0)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO runs (run_id, kind, run_key, period, scope, scheme, "
                          "scheme_version, parameters, username, hostname, pid, started_at, "
                          "status, cards_total, cards_ok, cards_failed, cards_skipped) VALUES "
                          "(:run_id, :kind, :run_key, :period, :scope, :scheme, "
                          ":scheme_version, :parameters, :username, :hostname, :pid, "
                          "'2021-02-06 01:02:03', :status, :cards_total, :cards_ok, "
                          ":cards_failed, :cards_skipped)"), row)
    upgrade(engine)
    with engine.connect() as conn:
        stored = conn.execute(select(runs_table.c.run_key)).scalar_one()
    assert stored == stored_key(key) == hashlib.sha256(key.encode()).hexdigest()
    engine.dispose()


def test_ledger_key_fits_its_column_on_every_engine(any_db_url: str) -> None:
    """What the ledger writes fits ``runs.run_key`` where lengths are enforced."""
    from eperformance.batch import ledger
    from eperformance.batch.runinfo import run_key

    engine = open_engine(any_db_url, create=True)
    upgrade(engine)
    key = run_key("2021-Q2", "U" * 64, "permenpan-6-2022", "2022.1", True, "en",
                  ("html", "pdf", "xlsx"))
    ledger.start(engine, run_id="20210706T000000Z-abcdef", kind="batch", key=key,
                 period="2021-Q2", scope="U" * 64, scheme="permenpan-6-2022",
                 scheme_version="2022.1", parameters={"period": "2021-Q2"},
                 output_dir="/srv/eperf/outputs/" + "x" * 300, cards_total=10_000)
    with engine.connect() as conn:
        got = conn.execute(select(runs_table.c.run_key, runs_table.c.scope)).one()
    assert got == (stored_key(key), "U" * 64)
    engine.dispose()


# --------------------------------------------------------------------------- fingerprints
def test_shape_digest_sees_each_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "eperformance"
    for rel in shape.SHAPE_FILES:
        (package / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(shape._PACKAGE / rel, package / rel)
    monkeypatch.setattr(shape, "_PACKAGE", package)
    before = shape.card_shape_digest()
    assert shape.card_shape_digest() == before  # stable
    for rel in shape.SHAPE_FILES:
        path = package / rel
        original = path.read_bytes()
        path.write_bytes(original + b"\n")
        assert shape.card_shape_digest() != before, rel
        path.write_bytes(original)
        os.utime(path, ns=(1, 1))  # a new stamp: read again
        assert shape.card_shape_digest() == before, rel


def _rendered(res: subprocess.CompletedProcess[str]) -> int:
    if "up to date" in res.stdout:
        return 0
    match = re.search(r"(\d+) rendered", res.stdout)
    assert match, res.stdout + res.stderr
    return int(match.group(1))


def test_a_changed_notebook_re_renders_the_cards(demo: Path, tmp_path: Path) -> None:
    """Editing the card notebook makes every card stale: the next batch re-renders them
    without --force."""
    home = _home(tmp_path, notebooks=True)
    assert eperf(home, "ingest", str(demo)).returncode == 0
    args = ("batch", "--period", PERIOD, "--unit", UNIT, "--format", "html", "--quiet")
    first = eperf(home, *args)
    assert first.returncode == 0, first.stdout + first.stderr
    cards = _rendered(first)
    assert cards >= 3
    again = eperf(home, *args)
    assert again.returncode == 0 and _rendered(again) == 0, again.stdout
    path = home / "notebooks" / "10-rapor-personal.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell("Catatan: rapor ini untuk uji sidik jari."))
    nbformat.write(nb, path)
    changed = eperf(home, *args)
    assert changed.returncode == 0, changed.stdout + changed.stderr
    assert _rendered(changed) == cards, changed.stdout
    runs = sorted((home / "outputs" / PERIOD / UNIT).glob("2*"))
    assert len(runs) == 2  # the unchanged rerun made no run; the edit made a new one
    old, new = (json.loads((r / "manifest.json").read_text())["cards"] for r in runs)
    assert set(old) == set(new)
    assert all(old[n]["fingerprint"] != new[n]["fingerprint"] for n in old)


def test_fingerprint_changes_with_the_template(monkeypatch: pytest.MonkeyPatch) -> None:
    from eperformance.card import card_fingerprint

    class Record:
        def content(self) -> dict[str, str]:
            return {"nip": "199001012015011001"}

    before = card_fingerprint(Record())  # type: ignore[arg-type]
    monkeypatch.setattr(shape, "card_shape_digest", lambda: "another template")
    assert card_fingerprint(Record()) != before  # type: ignore[arg-type]

