"""Project set-up: layout, dependency lists, home and database URL resolution, CLI errors."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from eperformance.home import masked_url, project_home, resolve_db_url

REPO = Path(__file__).resolve().parents[1]


def test_required_layout_exists() -> None:
    for name in ["notebooks", "params", "lib", "outputs", "tests", "environment.yml",
                 "README.md", "Makefile", "pyproject.toml", ".ci/run"]:
        assert (REPO / name).exists(), name


def test_gitignore_does_not_hide_the_package() -> None:
    out = subprocess.run(["git", "check-ignore", "-q", "lib/eperformance/__init__.py"],
                         cwd=REPO, capture_output=True)
    assert out.returncode == 1, ".gitignore ignores lib/"


def test_environment_yml_lists_the_same_dependencies_as_pyproject() -> None:
    py = tomllib.loads((REPO / "pyproject.toml").read_text())
    expected = set(py["project"]["dependencies"])
    for extra in py["project"]["optional-dependencies"].values():
        expected |= set(extra)
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    pip_lists = [d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d]
    assert len(pip_lists) == 1
    listed = {d for d in pip_lists[0] if d != "-e ."}
    assert listed == expected
    assert "-e ." in pip_lists[0], "environment.yml must install the package in editable mode"


def test_home_defaults_to_repository_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EPERF_HOME", raising=False)
    assert project_home() == REPO


def test_db_url_precedence(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    default = resolve_db_url()
    assert default == f"sqlite:///{home / 'data' / 'workbook.sqlite'}"
    # relative SQLite paths are the home's, whichever source gave them
    (home / ".env").write_text("DATABASE_URL=sqlite:///from-dotenv.sqlite\n")
    assert resolve_db_url() == f"sqlite:///{home / 'from-dotenv.sqlite'}"
    monkeypatch.setenv("DATABASE_URL", "sqlite:///from-env.sqlite")
    assert resolve_db_url() == f"sqlite:///{home / 'from-env.sqlite'}"
    assert resolve_db_url("sqlite:///from-flag.sqlite") == f"sqlite:///{home / 'from-flag.sqlite'}"
    assert resolve_db_url("sqlite:////srv/flag.sqlite") == "sqlite:////srv/flag.sqlite"


def test_masked_url_hides_password() -> None:
    shown = masked_url("postgresql+psycopg://hr:s3cret@db.example/kinerja")
    assert "s3cret" not in shown and "***" in shown


def _eperf(*args: str, env_home: Path | None = None) -> subprocess.CompletedProcess[str]:
    import os

    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    if env_home is not None:
        env["EPERF_HOME"] = str(env_home)
    return subprocess.run([sys.executable, "-m", "eperformance.cli", *args],
                          capture_output=True, text=True, env=env)


def test_missing_sqlite_database_is_exit_5_with_one_line(home: Path) -> None:
    res = _eperf("db", "status", env_home=home)
    assert res.returncode == 5
    assert "Traceback" not in res.stderr
    assert "database does not exist" in res.stderr


def test_refused_login_is_exit_5_and_password_masked(home: Path) -> None:
    res = _eperf("db", "status", "--db", "postgresql+psycopg://nobody:hunter2@127.0.0.1:1/x",
                 env_home=home)
    assert res.returncode == 5
    assert "hunter2" not in res.stderr and "***" in res.stderr
    assert "Traceback" not in res.stderr


def test_db_upgrade_creates_schema(home: Path) -> None:
    res = _eperf("db", "upgrade", env_home=home)
    assert res.returncode == 0, res.stderr
    assert (home / "data" / "workbook.sqlite").exists()
    res = _eperf("db", "status", env_home=home)
    assert "(current)" in res.stdout
