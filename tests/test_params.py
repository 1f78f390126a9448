"""params.py: the shipped YAML files validate; bad files fail naming the file and the key."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from eperformance.errors import SettingsError, UsageError
from eperformance.params import (
    Permenpan6Config,
    Pp30Config,
    Pp46Config,
    Settings,
    load_scheme,
    load_settings,
    parse_scheme,
    parse_settings,
    settings_digest,
)
from eperformance.reference import SCHEMES

REPO = Path(__file__).resolve().parents[1]


def test_shipped_settings_match_documented_defaults() -> None:
    s = load_settings(REPO)
    assert s == Settings()
    assert s.closing_day == 5
    assert s.timezone == "Asia/Jakarta"
    assert s.working_weekdays == frozenset({0, 1, 2, 3, 4})
    assert s.work_hours.start == dt.time(7, 30)
    assert s.work_hours.end == dt.time(16, 0)
    assert s.work_hours.friday_end == dt.time(16, 30)
    assert s.work_hours.hours_per_day == 7.5
    assert s.entry_flags.too_long_factor == 3
    assert s.entry_flags.too_short_factor == pytest.approx(1 / 3)
    assert s.signature_place == "Jakarta"
    assert s.ministry_name == "Kementerian Sosial Republik Indonesia"
    assert s.pending_at_closing == "withhold"
    assert parse_settings({"pending_at_closing": "not_done"}).pending_at_closing == "not_done"


@pytest.mark.parametrize("name", SCHEMES)
def test_shipped_schemes_load_and_match_defaults(name: str) -> None:
    cfg = load_scheme(name, REPO)
    assert cfg.name == name
    assert cfg.version == "1.0.0"
    assert cfg.capaian_cap == 120
    model = {"permenpan-6-2022": Permenpan6Config, "pp-30-2019": Pp30Config,
             "pp-46-2011": Pp46Config}[name]
    # angka kredit (domain.md §7) has no defaults in code: its numbers are the YAML's only
    # (tests/test_credits.py checks them)
    assert cfg.model_copy(update={"angka_kredit": None}) == model(version="1.0.0")


def test_scheme_values() -> None:
    p = load_scheme("permenpan-6-2022", REPO)
    assert isinstance(p, Permenpan6Config)
    assert (p.assignment_bands.di_atas, p.assignment_bands.sesuai) == (110, 90)
    assert (p.value_bands.di_atas, p.value_bands.sesuai) == (90, 70)
    assert (p.rating_perilaku.di_bawah_min, p.rating_perilaku.di_atas_min) == (2, 4)
    assert p.default_org_result == "baik"
    assert [r.text for r in p.curve["sangat_kurang"]] == [
        "at least 60% Sangat Kurang",
        "at least 10% Kurang/Misconduct or Butuh Perbaikan",
        "no Sangat Baik",
    ]
    q = load_scheme("pp-30-2019", REPO)
    assert isinstance(q, Pp30Config)
    assert (q.weights.skp, q.weights.perilaku, q.weights_360.skp, q.weights_360.perilaku) == (
        70, 30, 60, 40)
    b = q.predikat_bands
    assert (b.sangat_baik, b.baik, b.cukup, b.kurang) == (110, 90, 70, 50)
    r = load_scheme("pp-46-2011", REPO)
    assert isinstance(r, Pp46Config)
    assert (r.weights.skp, r.weights.perilaku) == (60, 40)
    e = r.sebutan_bands
    assert (e.sangat_baik, e.baik, e.cukup, e.kurang) == (90, 75, 60, 50)
    assert (r.efficiency.threshold, r.efficiency.factor, r.efficiency.base) == (24, 1.76, 76)


def test_models_are_frozen() -> None:
    s = Settings()
    with pytest.raises(Exception):  # noqa: B017 - pydantic's frozen error
        s.closing_day = 6  # type: ignore[misc]


def test_unknown_scheme_lists_known_ones() -> None:
    with pytest.raises(UsageError) as exc:
        load_scheme("pp-99-2030", REPO)
    assert not isinstance(exc.value, SettingsError)
    for name in SCHEMES:
        assert name in str(exc.value)


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("pp-46-2011", {"version": "1", "weights": {"skp": 160, "perilaku": 40}},
         "params/schemes/pp-46-2011.yaml: key 'weights.skp': value must be between 0 and 100"),
        ("pp-46-2011", {"version": "1", "weights": {"skp": 50, "perilaku": 40}},
         "params/schemes/pp-46-2011.yaml: key 'weights': 'skp' and 'perilaku' must add up"),
        ("pp-46-2011", {"version": "1", "colour": "red"},
         "params/schemes/pp-46-2011.yaml: key 'colour': unknown key"),
        ("pp-30-2019", {"weights": {"skp": 70, "perilaku": 30}},
         "params/schemes/pp-30-2019.yaml: key 'version': required key missing"),
        ("pp-30-2019", {"version": "1", "weights": {"skp": "70", "perilaku": 30}},
         "params/schemes/pp-30-2019.yaml: key 'weights.skp': input should be a valid number"),
        ("pp-46-2011", {"version": "1", "efficiency": {"factor": True}},
         "params/schemes/pp-46-2011.yaml: key 'efficiency.factor': input should be a valid"),
        ("permenpan-6-2022",
         {"version": "1", "value_bands": {"di_atas": 60, "sesuai": 70}},
         "params/schemes/permenpan-6-2022.yaml: key 'value_bands': "),
        ("permenpan-6-2022",
         {"version": "1", "curve": {"istimewa": [{"predikat": ["Baik"], "bound": "at_most"}]}},
         "params/schemes/permenpan-6-2022.yaml: key 'curve.istimewa[0]': give exactly one"),
        ("permenpan-6-2022", {"version": "1", "name": "pp-30-2019"},
         "params/schemes/permenpan-6-2022.yaml: key 'name'"),
    ],
)
def test_scheme_validation_errors_name_file_and_key(name: str, data: dict, expected: str) -> None:
    with pytest.raises(SettingsError) as exc:
        parse_scheme(name, data)
    assert str(exc.value).startswith(expected)
    assert "\n" not in str(exc.value)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"closing_day": 40}, "key 'closing_day': value must be a day between 1 and 28"),
        ({"closing_day": True}, "key 'closing_day': input should be a valid integer"),
        ({"working_days": ["mon", "xyz"]}, "key 'working_days[1]': input should be"),
        ({"extra_days_off": ["2024-13-01"]}, "key 'extra_days_off[0]': input should be"),
        ({"work_hours": {"start": "17:00"}}, "key 'work_hours': 'end' must be after 'start'"),
        ({"timezone": "Mars/Olympus"}, "key 'timezone': unknown time zone"),
        ({"entry_flags": {"too_long_factor": -1}},
         "key 'entry_flags.too_long_factor': value must be greater than 0"),
        ({"nonsense": 1}, "key 'nonsense': unknown key"),
        ({"pending_at_closing": "ignore"},
         "key 'pending_at_closing': input should be 'withhold' or 'not_done'"),
    ],
)
def test_settings_validation_errors(data: dict, expected: str) -> None:
    with pytest.raises(SettingsError) as exc:
        parse_settings(data)
    assert str(exc.value).startswith("params/settings.yaml: " + expected)


def test_load_from_a_home_with_bad_files(tmp_path: Path) -> None:
    (tmp_path / "params" / "schemes").mkdir(parents=True)
    (tmp_path / "params" / "settings.yaml").write_text(
        "closing_day: 5\nextra_days_off: [2024-04-08, 2024-04-09]\n", encoding="utf-8")
    s = load_settings(tmp_path)
    assert s.extra_days_off == (dt.date(2024, 4, 8), dt.date(2024, 4, 9))

    (tmp_path / "params" / "settings.yaml").write_text("closing_day: [\n", encoding="utf-8")
    with pytest.raises(SettingsError, match=r"^params/settings.yaml: not valid YAML"):
        load_settings(tmp_path)

    with pytest.raises(SettingsError, match=r"^params/schemes/pp-30-2019.yaml: file not found"):
        load_scheme("pp-30-2019", tmp_path)

    shipped = yaml.safe_load((REPO / "params/schemes/pp-46-2011.yaml").read_text())
    shipped["weights"]["skp"] = 101
    (tmp_path / "params/schemes/pp-46-2011.yaml").write_text(yaml.safe_dump(shipped))
    with pytest.raises(SettingsError) as exc:
        load_scheme("pp-46-2011", tmp_path)
    assert str(exc.value).startswith(
        "params/schemes/pp-46-2011.yaml: key 'weights.skp': value must be between 0 and 100")


def test_missing_settings_file_gives_defaults(tmp_path: Path) -> None:
    assert load_settings(tmp_path) == Settings()


def test_default_home_uses_eperf_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "params").mkdir()
    (tmp_path / "params" / "settings.yaml").write_text("closing_day: 7\n", encoding="utf-8")
    monkeypatch.setenv("EPERF_HOME", str(tmp_path))
    assert load_settings().closing_day == 7


def test_digest_is_stable_and_sensitive() -> None:
    a = load_scheme("pp-46-2011", REPO)
    b = parse_scheme("pp-46-2011", a.model_dump(mode="json"))
    assert settings_digest(a) == settings_digest(b) == a.digest()
    assert len(a.digest()) == 64
    c = parse_scheme("pp-46-2011", {"version": "1.0.1"})
    assert c.digest() != a.digest()
    assert Settings().digest() == Settings().digest()
