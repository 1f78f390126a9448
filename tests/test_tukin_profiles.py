"""Tukin profiles (tukin.md §1): the shipped ones, and validation errors naming file and key."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from eperformance.errors import SettingsError, UsageError
from eperformance.params import (
    load_settings,
    load_tukin_profile,
    parse_tukin_profile,
    tukin_profiles,
)
from eperformance.tukin import PREDIKAT_LABELS

REPO = Path(__file__).resolve().parents[1]
LABEL = "params/tukin/kemensos-2023.yaml"


def _raw(name: str = "kemensos-2023") -> dict[str, Any]:
    return copy.deepcopy(
        yaml.safe_load((REPO / "params" / "tukin" / f"{name}.yaml").read_text("utf-8")))


def test_shipped_profiles_and_the_default() -> None:
    assert tukin_profiles(REPO) == ["kemensos-2023", "menit-kerja-efektif"]
    assert load_settings(REPO).tukin_profile == "kemensos-2023"
    p = load_tukin_profile(None, REPO)
    assert p.name == "kemensos-2023" and p.version and p.sources
    assert p.amounts == {
        17: 33240000, 16: 27577500, 15: 19280000, 14: 17064000, 13: 10936000, 12: 9896000,
        11: 8757600, 10: 5979200, 9: 5079200, 8: 4595150, 7: 3915950, 6: 3510400,
        5: 3134250, 4: 2985000, 3: 2898000, 2: 2708250, 1: 2531250}
    assert (p.weights.kinerja, p.weights.disiplin) == (60, 40)
    assert p.kinerja.basis == "predikat"
    assert list(p.kinerja.predikat_percent.items()) == [
        ("Sangat Baik", 100), ("Baik", 100), ("Butuh Perbaikan", 90),
        ("Kurang/Misconduct", 80), ("Sangat Kurang", 70), ("Cukup", 90), ("Kurang", 80),
        ("Buruk", 70)]
    d = p.deductions
    assert d.applies_to == "total"
    for bands in (d.late, d.early):
        assert [(b.up_to_minutes, b.percent) for b in bands] == [
            (30, 0.5), (60, 1), (90, 1.25), (None, 1.5)]
    assert (d.no_check_in, d.no_check_out, d.absent_per_day, d.cap_percent) == (
        1.5, 1.5, 5, 100)
    assert {k: (v.percent, v.free_days) for k, v in d.leave.items()} == {
        "dinas_luar": (0, 0), "cuti_tahunan": (0, 0), "cuti_melahirkan": (0, 0),
        "cuti_sakit": (2, 3), "cuti_alasan_penting": (2, 3), "cuti_besar": (2.5, 0),
        "izin": (2.5, 0), "cltn": (5, 0), "tugas_belajar": (5, 0)}
    assert dict(p.employment_percent) == {"cpns": 80, "pns": 100, "pppk": 100}
    assert p.rounding.to == 1
    for scheme, labels in PREDIKAT_LABELS.items():
        p.check_predikat(labels, scheme)


def test_menit_profile_is_the_default_with_exactly_the_documented_changes() -> None:
    default = load_tukin_profile("kemensos-2023", REPO).model_dump()
    menit = load_tukin_profile("menit-kerja-efektif", REPO).model_dump()
    assert menit["weights"] == {"kinerja": 50, "disiplin": 50}
    assert menit["kinerja"] == {"basis": "menit", "predikat_percent": {},
                                "required_minutes_per_day": 300, "floor_percent": 0}
    assert menit["deductions"]["applies_to"] == "disiplin"
    for key in ("amounts", "employment_percent", "rounding"):
        assert menit[key] == default[key]
    assert {k: v for k, v in menit["deductions"].items() if k != "applies_to"} == {
        k: v for k, v in default["deductions"].items() if k != "applies_to"}


def _set(data: dict[str, Any], dotted: str, value: Any) -> dict[str, Any]:
    node = data
    keys = dotted.split(".")
    for k in keys[:-1]:
        node = node[int(k)] if isinstance(node, list) else node[k]
    if value is _DELETE:
        del node[keys[-1]]
    else:
        node[keys[-1]] = value
    return data


_DELETE = object()


@pytest.mark.parametrize(("dotted", "value", "expected"), [
    ("bogus", 1, "key 'bogus': unknown key"),
    ("version", _DELETE, "key 'version': required key missing"),
    ("sources", [], "key 'sources'"),
    ("amounts.17", "lots", "key 'amounts[17]': input should be a valid number"),
    ("amounts.17", _DELETE, "'amounts' lacks kelas jabatan 17"),
    ("employment_percent.cpns", 120, "key 'employment_percent.cpns': value must be between"),
    ("employment_percent.cpns", _DELETE, "'employment_percent' lacks cpns"),
    ("weights.kinerja", 70, "key 'weights': 'kinerja' and 'disiplin' must add up to 100"),
    ("kinerja.basis", "gaji", "key 'kinerja.basis'"),
    ("kinerja.predikat_percent.Baik", 101, "key 'kinerja.predikat_percent.Baik'"),
    ("deductions.applies_to", "gaji", "key 'deductions.applies_to'"),
    ("deductions.late.3.up_to_minutes", 120,
     "key 'deductions.late': the last band must have 'up_to_minutes: null'"),
    ("deductions.late.1.up_to_minutes", 20,
     "key 'deductions.late': 'up_to_minutes' must increase"),
    ("deductions.early.0.percent", -1, "key 'deductions.early[0].percent'"),
    ("deductions.no_check_in", True, "key 'deductions.no_check_in'"),
    ("deductions.leave.cuti_liburan", {"percent": 1}, "key 'deductions.leave.cuti_liburan'"),
    ("deductions.leave.cuti_sakit.free_days", -1, "key 'deductions.leave.cuti_sakit.free_days'"),
    ("deductions.cap_percent", 120, "key 'deductions.cap_percent': value must be"),
    ("rounding.to", 0, "key 'rounding.to'"),
])
def test_validation_errors_name_the_file_and_the_key(dotted: str, value: Any,
                                                     expected: str) -> None:
    data = _raw()
    if dotted.startswith("amounts."):
        key = int(dotted.split(".")[1])
        if value is _DELETE:
            del data["amounts"][key]
        else:
            data["amounts"][key] = value
    else:
        _set(data, dotted, value)
    with pytest.raises(SettingsError) as err:
        parse_tukin_profile("kemensos-2023", data)
    assert err.value.message.startswith(f"{LABEL}: ")
    assert expected in err.value.message
    assert err.value.exit_code == 2


def test_a_missing_predikat_label_is_named() -> None:
    data = _raw()
    del data["kinerja"]["predikat_percent"]["Butuh Perbaikan"]
    p = parse_tukin_profile("kemensos-2023", data)
    p.check_predikat(PREDIKAT_LABELS["pp-30-2019"], "pp-30-2019")  # not a label there
    with pytest.raises(SettingsError, match="lacks the predikat 'Butuh Perbaikan'") as err:
        p.check_predikat(PREDIKAT_LABELS["permenpan-6-2022"], "permenpan-6-2022")
    assert err.value.exit_code == 2


def test_unknown_profile_lists_the_known_ones(tmp_path: Path) -> None:
    shutil.copytree(REPO / "params", tmp_path / "params")
    with pytest.raises(UsageError, match="known profiles: kemensos-2023, menit-kerja-efektif"):
        load_tukin_profile("../settings", tmp_path)
    (tmp_path / "params" / "tukin" / "kemensos-2023.yaml").write_text("amounts: [1\n")
    with pytest.raises(SettingsError, match="kemensos-2023.yaml: not valid YAML"):
        load_tukin_profile(None, tmp_path)
