"""Shared fixtures: an isolated project home, databases on every reachable engine."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

REPO = Path(__file__).resolve().parents[1]
REQUIRE_SERVERS = os.environ.get("EPERF_REQUIRE_SERVERS") == "1"

PG_ADMIN = os.environ.get("EPERF_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
MY_ADMIN = os.environ.get("EPERF_TEST_MYSQL", "mysql+pymysql://root@127.0.0.1:3306/test")


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private project home (EPERF_HOME) with the repository's params/ copied in."""
    import shutil

    h = tmp_path / "home"
    h.mkdir()
    if (REPO / "params").is_dir():
        shutil.copytree(REPO / "params", h / "params")
    monkeypatch.setenv("EPERF_HOME", str(h))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return h


def _server_or_skip(admin_url: str, label: str) -> None:
    try:
        eng = create_engine(admin_url)
        with eng.connect() as conn:
            conn.execute(text("SELECT 1"))
        eng.dispose()
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        msg = f"{label} server not reachable at {admin_url}: {exc.__class__.__name__}"
        if REQUIRE_SERVERS:
            pytest.fail(msg + " (EPERF_REQUIRE_SERVERS=1)")
        pytest.skip(msg)


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL database for one test, dropped afterwards."""
    _server_or_skip(PG_ADMIN, "PostgreSQL")
    name = f"eperf_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def mysql_url() -> Iterator[str]:
    """A fresh MariaDB/MySQL database for one test, dropped afterwards."""
    _server_or_skip(MY_ADMIN, "MariaDB")
    name = f"eperf_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(MY_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4"))
    url = MY_ADMIN.rsplit("/", 1)[0] + f"/{name}?charset=utf8mb4"
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql", "mariadb"])
def any_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The same test on SQLite, PostgreSQL and MariaDB."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'wb.sqlite'}"
    if request.param == "postgresql":
        return str(request.getfixturevalue("pg_url"))
    return str(request.getfixturevalue("mysql_url"))
