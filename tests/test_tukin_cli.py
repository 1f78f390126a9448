"""`eperf tukin` end to end on SQLite, PostgreSQL and MariaDB: identical files everywhere."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from eperformance.cli import main
from eperformance.db.engine import open_engine, upgrade
from eperformance.demo import generate_demo
from eperformance.ingest import run_ingest

PERIOD = "2021-02"


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    generate_demo(out, employees=60, months=2, seed=7)
    return out


def _load(url: str, demo_dir: Path) -> None:
    engine = open_engine(url, create=True)
    upgrade(engine)
    assert run_ingest(demo_dir, engine).exit_code == 0
    engine.dispose()


def _tukin(url: str, out: Path, *extra: str) -> tuple[int, str, dict[str, bytes]]:
    out.mkdir(parents=True, exist_ok=True)
    result = CliRunner().invoke(main, [
        "tukin", "--period", PERIOD, "--out", str(out / "tukin.csv"),
        "--days-out", str(out / "days.csv"), "--db", url, *extra])
    files = {p.name: p.read_bytes() for p in sorted(out.iterdir())}
    return result.exit_code, result.output, files


def _comparable(files: dict[str, bytes]) -> dict[str, object]:
    meta = json.loads(files["tukin.csv.meta.json"])
    meta.pop("computed_at")
    return {"tukin": files["tukin.csv"], "days": files["days.csv"], "meta": meta}


@pytest.mark.parametrize("profile", ["kemensos-2023", "menit-kerja-efektif"])
def test_eperf_tukin_writes_identical_files_on_every_engine(
        home: Path, tmp_path: Path, any_db_url: str, demo_dir: Path, profile: str) -> None:
    reference = f"sqlite:///{tmp_path / 'reference.sqlite'}"
    _load(reference, demo_dir)
    code, output, expected = _tukin(reference, tmp_path / "ref", "--profile", profile)
    assert code == 0, output
    _load(any_db_url, demo_dir)
    code, output, got = _tukin(any_db_url, tmp_path / "got", "--profile", profile)
    assert code == 0, output
    assert _comparable(got) == _comparable(expected)

    rows = list(csv.DictReader(got["tukin.csv"].decode().splitlines()))
    assert list(rows[0]) == ["nip", "period", "profile", "job_class", "employment", "base",
                             "kinerja_percent", "deduction_percent", "tukin", "keterangan"]
    assert [r["nip"] for r in rows] == sorted(r["nip"] for r in rows)
    assert {r["profile"] for r in rows} == {profile}
    assert sum(r["tukin"] != "" for r in rows) > len(rows) // 2
    assert any(r["keterangan"].startswith("kelas jabatan tidak ada") and r["tukin"] == ""
               and r["base"] == "" for r in rows)
    days = list(csv.DictReader(got["days.csv"].decode().splitlines()))
    keys = [(d["nip"], d["date"], d["code"]) for d in days]
    assert keys == sorted(keys)
    assert {"TL1", "PSW4", "cuti_sakit"} <= {d["code"] for d in days}
    meta = json.loads(got["tukin.csv.meta.json"])
    assert meta["profile"] == profile and meta["profile_version"] == "1.0.0"
    assert meta["scheme"] == "permenpan-6-2022" and meta["provisional"] is False
    assert len(meta["data_fingerprint"]) == 64


def test_doctor_days_and_amount(home: Path, tmp_path: Path, demo_dir: Path) -> None:
    url = f"sqlite:///{tmp_path / 'wb.sqlite'}"
    _load(url, demo_dir)
    code, output, files = _tukin(url, tmp_path / "out")
    assert code == 0, output
    attendance = list(csv.DictReader((demo_dir / "attendance.csv").read_text().splitlines()))
    doctor = {a["nip"] for a in attendance if (a["check_in"], a["check_out"]) == ("09:00", "12:00")}
    days = [d for d in csv.DictReader(files["days.csv"].decode().splitlines())
            if d["nip"] in doctor]
    present = [a for a in attendance if a["nip"] in doctor and a["date"].startswith(PERIOD)
               and a["status"] == "hadir"]
    assert len([d for d in days if d["code"] == "TL3"]) == len(present) > 10
    assert {d["minutes"] for d in days if d["code"] == "PSW4"} == {"240", "270"}  # Fridays 16:30


def test_no_data_unknown_profile_and_missing_label_exit_2(home: Path, tmp_path: Path,
                                                          demo_dir: Path) -> None:
    url = f"sqlite:///{tmp_path / 'wb.sqlite'}"
    _load(url, demo_dir)
    runner = CliRunner()
    base = ["tukin", "--out", str(tmp_path / "t.csv"), "--db", url]
    result = runner.invoke(main, [*base, "--period", "2019-01"])
    assert result.exit_code == 2 and "no data for 2019-01" in result.output
    result = runner.invoke(main, [*base, "--period", PERIOD, "--profile", "nope"])
    assert result.exit_code == 2 and "unknown tukin profile 'nope'" in result.output
    path = home / "params" / "tukin" / "kemensos-2023.yaml"
    path.write_text(path.read_text().replace("    Cukup: 90\n", ""))
    result = runner.invoke(main, [*base, "--period", PERIOD, "--scheme", "pp-30-2019"])
    assert result.exit_code == 2 and "lacks the predikat 'Cukup'" in result.output
    assert len(result.output.strip().splitlines()) == 2  # one line and a hint
    assert not (tmp_path / "t.csv").exists()


def test_card_section_fingerprint_and_explorer_view(home: Path, tmp_path: Path,
                                                    demo_dir: Path) -> None:
    """The doctor's card shows his days; the card's fingerprint covers the profile's
    version; the explorer's per-unit view adds up to the payroll of `eperf tukin`."""
    from eperformance.card import build_cards_context, card_from_context
    from eperformance.explorer.data import ExplorerData, Filters, PeriodKey
    from eperformance.explorer.views import tukin_html
    from eperformance.render import card_html

    url = f"sqlite:///{tmp_path / 'wb.sqlite'}"
    _load(url, demo_dir)
    code, output, files = _tukin(url, tmp_path / "out")
    assert code == 0, output
    rows = list(csv.DictReader(files["tukin.csv"].decode().splitlines()))
    attendance = list(csv.DictReader((demo_dir / "attendance.csv").read_text().splitlines()))
    doctor = next(a["nip"] for a in attendance
                  if (a["check_in"], a["check_out"]) == ("09:00", "12:00"))
    engine = open_engine(url)
    try:
        ctx = build_cards_context(engine, PERIOD, nips=[doctor])
        card = card_from_context(ctx, doctor)
        assert card.tukin is not None and card.tukin.profile == "kemensos-2023"
        mine = next(r for r in rows if r["nip"] == doctor)
        assert str(card.tukin.tukin or "") == mine["tukin"]
        page = card_html(card)
        assert 'data-table="tukin_days"' in page and "PSW4" in page and "TL3" in page
        assert page.count('data-code="TL3"') >= 10
        path = home / "params" / "tukin" / "kemensos-2023.yaml"
        path.write_text(path.read_text().replace('version: "1.0.0"', 'version: "1.0.1"'))
        again = card_from_context(build_cards_context(engine, PERIOD, nips=[doctor]), doctor)
        assert again.tukin is not None and again.tukin.profile_version == "1.0.1"
        assert again.fingerprint != card.fingerprint
        data = ExplorerData(engine=engine, home=home)
        sel = data.select(PeriodKey(period=PERIOD, scheme="permenpan-6-2022",
                                    use_360=False), Filters())
        assert sel.tukin_units is not None and sel.tukin_missing is not None
        assert int(sel.tukin_units["total"].sum()) == sum(int(r["tukin"]) for r in rows
                                                           if r["tukin"])
        assert len(sel.tukin_missing) >= 1
        assert "eperf-tukin-largest" in tukin_html(sel)
    finally:
        engine.dispose()


def test_provisional_before_the_closing_time(home: Path, tmp_path: Path,
                                             demo_dir: Path) -> None:
    import datetime as dt

    from eperformance.tukin import TukinRequest, compute_tukin

    url = f"sqlite:///{tmp_path / 'wb.sqlite'}"
    _load(url, demo_dir)
    engine = open_engine(url)
    try:
        before = compute_tukin(engine, TukinRequest(period=PERIOD),
                               now=dt.datetime(2021, 3, 5, 16, 0, tzinfo=dt.UTC))
        after = compute_tukin(engine, TukinRequest(period=PERIOD),
                              now=dt.datetime(2021, 3, 5, 17, 0, tzinfo=dt.UTC))
    finally:
        engine.dispose()
    assert before.provisional and before.meta()["provisional"] is True
    assert not after.provisional  # closing: 5 March 23:59:59 Jakarta = 16:59:59 UTC
