"""Angka kredit of functional posts (domain.md §7) and its settings."""

from __future__ import annotations

import copy
import io
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

from eperformance.contract import FUNCTIONAL_LEVELS
from eperformance.errors import SettingsError
from eperformance.params import Permenpan6Config, load_scheme, parse_scheme
from eperformance.scoring.common import EmployeeScore
from eperformance.scoring.credits import (
    CREDIT_COLUMNS,
    angka_kredit,
    credit_rows,
    credit_settings,
    credits_frame,
    credits_out,
    fmt3,
)

REPO = Path(__file__).resolve().parents[1]
SCHEME_FILE = REPO / "params" / "schemes" / "permenpan-6-2022.yaml"


def permenpan() -> Permenpan6Config:
    cfg = load_scheme("permenpan-6-2022", REPO)
    assert isinstance(cfg, Permenpan6Config)
    return cfg


def score(nip: str, predikat: str | None, period: str = "2021") -> EmployeeScore:
    return EmployeeScore(
        nip=nip, period=period, scheme="permenpan-6-2022", scheme_version="1.0.0",
        nilai_skp=None, nilai_perilaku=None, nilai_akhir=None, rating_hasil_kerja=None,
        rating_perilaku=None, predikat=predikat,
        keterangan=[] if predikat else ["verifikasi belum selesai"], main_figure=None)


def test_shipped_settings_are_the_domains() -> None:
    ak = permenpan().angka_kredit
    assert ak is not None
    assert ak.predikat_percent == {"Sangat Baik": 150, "Baik": 100, "Butuh Perbaikan": 75,
                                   "Kurang/Misconduct": 50, "Sangat Kurang": 25}
    assert ak.coefficients == {"pemula": 3.75, "terampil": 5, "mahir": 12.5, "penyelia": 25,
                               "ahli_pertama": 12.5, "ahli_muda": 25, "ahli_madya": 37.5,
                               "ahli_utama": 50}
    assert tuple(ak.coefficients) == FUNCTIONAL_LEVELS
    regulations = " ".join(s.regulation for s in ak.sources)
    assert "Nomor 1 Tahun 2023" in regulations and "Nomor 3 Tahun 2023" in regulations
    assert {s.block for s in ak.sources} == {"predikat_percent", "coefficients"}


# level, predikat, period, written angka kredit
CASES = [
    ("pemula", "Sangat Baik", "2021-S1", "2.813"),        # 1.5 * 3.75 * 6/12 = 2.8125
    ("terampil", "Butuh Perbaikan", "2021-03", "0.313"),  # 0.75 * 5 / 12 = 0.3125
    ("mahir", "Kurang/Misconduct", "2021", "6.250"),      # 0.5 * 12.5
    ("penyelia", "Sangat Kurang", "2021-Q2", "1.563"),    # 0.25 * 25 * 3/12 = 1.5625
    ("ahli_pertama", "Baik", "2021-07", "1.042"),         # 12.5 / 12 = 1.04166…
    ("ahli_muda", "Baik", "2021-Q4", "6.250"),            # 25 * 3/12
    ("ahli_madya", "Sangat Baik", "2021", "56.250"),      # 1.5 * 37.5
    ("ahli_utama", "Baik", "2021-S2", "25.000"),          # 50 * 6/12
]


@pytest.mark.parametrize(("level", "predikat", "period", "written"), CASES,
                         ids=[c[0] for c in CASES])
def test_every_level(level: str, predikat: str, period: str, written: str) -> None:
    cfg = permenpan()
    e = pd.DataFrame([dict(nip="n1", position_type="fungsional", functional_level=level)])
    [row] = credit_rows([score("n1", predikat, period)], e, period, cfg)
    assert row.written == written
    assert row.functional_level == level and row.predikat == predikat
    ak = cfg.angka_kredit
    assert ak is not None
    assert row.coefficient == ak.coefficients[level]
    assert row.percent == ak.predikat_percent[predikat]
    assert row.months == {"2021": 12, "2021-S1": 6, "2021-S2": 6, "2021-Q2": 3,
                          "2021-Q4": 3}.get(period, 1)


def test_three_and_six_months_are_a_quarter_and_half_of_the_year() -> None:
    ak = permenpan().angka_kredit
    assert ak is not None
    year = angka_kredit("Baik", "ahli_muda", 12, ak)
    assert year == 25.0
    assert angka_kredit("Baik", "ahli_muda", 6, ak) == year / 2
    assert angka_kredit("Baik", "ahli_muda", 3, ak) == year / 4
    assert angka_kredit(None, "ahli_muda", 12, ak) is None
    with pytest.raises(ValueError, match="unknown functional level"):
        angka_kredit("Baik", "guru", 12, ak)


def test_credits_out_file() -> None:
    cfg = permenpan()
    e = pd.DataFrame([
        dict(nip="n3", position_type="fungsional", functional_level="ahli_muda"),
        dict(nip="n1", position_type="fungsional", functional_level="pemula"),
        dict(nip="n2", position_type="pelaksana", functional_level=None),
        dict(nip="n4", position_type="fungsional", functional_level=None),
        dict(nip="n5", position_type="fungsional", functional_level="mahir"),
    ])
    scores = [score("n1", "Baik", "2021-Q2"), score("n2", "Baik", "2021-Q2"),
              score("n3", None, "2021-Q2"), score("n4", "Baik", "2021-Q2")]
    # n5 is not among the scores (inactive or out of scope): no row
    frame = credits_out(scores, e, "2021-q2", cfg)
    assert tuple(frame.columns) == CREDIT_COLUMNS
    text = frame.to_csv(index=False, lineterminator="\n")
    assert text == (
        "nip,period,functional_level,predikat,percent,coefficient,months,angka_kredit\n"
        "n1,2021-Q2,pemula,Baik,100.00,3.75,3.00,0.938\n"
        "n3,2021-Q2,ahli_muda,,,25.00,3.00,\n"
    )


@pytest.mark.parametrize("name", ["pp-30-2019", "pp-46-2011"])
def test_other_schemes_give_the_header_only(name: str) -> None:
    cfg = load_scheme(name, REPO)
    e = pd.DataFrame([dict(nip="n1", position_type="fungsional", functional_level="mahir")])
    assert credit_settings(cfg) is None
    frame = credits_out([score("n1", "Baik")], e, "2021", cfg)
    assert frame.empty and tuple(frame.columns) == CREDIT_COLUMNS
    buf = io.StringIO()
    frame.to_csv(buf, index=False, lineterminator="\n")
    assert buf.getvalue() == ",".join(CREDIT_COLUMNS) + "\n"


def test_credits_frame_of_nothing() -> None:
    assert credits_frame([]).columns.tolist() == list(CREDIT_COLUMNS)


def test_fmt3_half_away() -> None:
    assert fmt3(0.0005) == "0.001"
    assert fmt3(2.8125) == "2.813"
    assert fmt3(1.0416666666) == "1.042"
    assert fmt3(None) == "" and fmt3(float("nan")) == ""


def test_no_settings_no_defaults_in_code() -> None:
    """The numbers live in the YAML only: a file without the block gives no angka kredit
    settings, and asking for credits then names the file and the key."""
    bare = Permenpan6Config(version="1.0.0")
    assert bare.angka_kredit is None
    with pytest.raises(SettingsError, match="permenpan-6-2022.yaml: key 'angka_kredit'"):
        credit_settings(bare)


def _with(change: Any) -> dict[str, Any]:
    data = yaml.safe_load(SCHEME_FILE.read_text(encoding="utf-8"))
    data = copy.deepcopy(data)
    change(data["angka_kredit"])
    return data  # type: ignore[no-any-return]


@pytest.mark.parametrize(("change", "expected"), [
    (lambda a: a.update(bonus=1), "key 'angka_kredit.bonus': unknown key"),
    (lambda a: a["coefficients"].update(pemula="3.75"),
     "key 'angka_kredit.coefficients.pemula': input should be a valid number"),
    (lambda a: a["coefficients"].update(mahir=True),
     "key 'angka_kredit.coefficients.mahir': input should be a valid number"),
    (lambda a: a["coefficients"].update(pemula=0),
     "key 'angka_kredit.coefficients.pemula': value must be greater than 0"),
    (lambda a: a["coefficients"].pop("penyelia"),
     "key 'angka_kredit': 'coefficients' lacks the level(s) penyelia"),
    (lambda a: a["coefficients"].update(guru=3), "key 'angka_kredit.coefficients.guru'"),
    (lambda a: a["predikat_percent"].pop("Baik"),
     "key 'angka_kredit': 'predikat_percent' lacks the predikat Baik"),
    (lambda a: a["predikat_percent"].update(Cukup=50),
     "key 'angka_kredit.predikat_percent.Cukup'"),
    (lambda a: a["predikat_percent"].update(Baik=-1),
     "key 'angka_kredit.predikat_percent.Baik': input should be greater than or equal"),
    (lambda a: a.update(sources=[]), "key 'angka_kredit.sources'"),
    (lambda a: a["sources"][0].update(page=3), "key 'angka_kredit.sources[0].page': unknown"),
    (lambda a: a.update(sources=[s for s in a["sources"] if s["block"] != "coefficients"]),
     "'sources' names no regulation for coefficients"),
])
def test_settings_errors_name_the_key(change: Any, expected: str) -> None:
    with pytest.raises(SettingsError) as err:
        parse_scheme("permenpan-6-2022", _with(change))
    assert str(err.value).startswith("params/schemes/permenpan-6-2022.yaml: ")
    assert expected in str(err.value)
