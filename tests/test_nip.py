from datetime import date

import pytest

from eperformance.nip import format_nip, make_nip, nip_birth_date, nip_problem, normalize_nip

TODAY = date(2021, 5, 10)
GOOD = "196608011988031001"


def problem(nip: str, employment: str = "pns") -> str | None:
    return nip_problem(nip, employment, today=TODAY)


def test_valid_nip_passes() -> None:
    assert problem(GOOD) is None
    assert problem("197512312001122002") is None


def test_spaces_are_removed() -> None:
    assert normalize_nip(" 19660801 198803 1 001 ") == GOOD
    assert problem("19660801 198803 1 001") is None
    assert problem("19660801\u00a0198803 1 001") is None


@pytest.mark.parametrize("nip", ["19660801198803100", "1966080119880310011", ""])
def test_length(nip: str) -> None:
    reason = problem(nip)
    assert reason is not None
    assert "blank" in reason or "18" in reason


def test_non_digits() -> None:
    reason = problem("19660801198803100X")
    assert reason is not None and "digits only" in reason


@pytest.mark.parametrize("digits", ["19660231", "19661301", "19660001", "00000000"])
def test_bad_birth_date(digits: str) -> None:
    reason = problem(digits + "1988031001")
    assert reason is not None and "birth date" in reason


def test_future_birth_date() -> None:
    reason = nip_problem("203001011988031001", today=TODAY)
    assert reason is not None and "future" in reason
    # today itself is not in the future (the appointment check then fails instead)
    assert "future" not in (nip_problem("202105100000011001", today=TODAY) or "")


def test_appointment_month_range() -> None:
    assert "01-12" in (problem("196608011988001001") or "")
    assert "01-12" in (problem("196608011988131001") or "")


def test_appointment_exactly_eighteen_years_ok() -> None:
    assert problem("196608011984081001") is None  # 1966-08 + 18 years = 1984-08
    reason = problem("196608011984071001")  # one month less
    assert reason is not None and "18 years" in reason


def test_pppk_rule() -> None:
    # pppk: only the year counts, digits 13-14 are not checked
    assert problem("196608011984211001", "pppk") is None
    assert problem("196608011984991001", "PPPK") is None
    assert problem("196612311984001001", "pppk") is None
    reason = problem("196608011983211001", "pppk")
    assert reason is not None and "18 years" in reason
    # the same digits as a pns NIP fail on the month
    assert problem("196608011984211001", "pns") is not None
    assert problem("196608011984081001", "") is None  # blank employment means pns


def test_unknown_employment_is_a_bug() -> None:
    with pytest.raises(ValueError):
        nip_problem(GOOD, "honorer", today=TODAY)


@pytest.mark.parametrize("digit", ["0", "3", "9"])
def test_gender_digit(digit: str) -> None:
    reason = problem(f"19660801198803{digit}001")
    assert reason is not None and "gender" in reason


@pytest.mark.parametrize(
    "raw", ["1.99608E+17", "1.99608e17", "199608011988031001.0", "1,99608E+17", "1.9E+17 "]
)
def test_spreadsheet_number(raw: str) -> None:
    reason = problem(raw)
    assert reason is not None
    assert "text" in reason and "15 digits" in reason


def test_format_nip() -> None:
    assert format_nip(GOOD) == "19660801 198803 1 001"
    assert format_nip("19660801 198803 1 001") == "19660801 198803 1 001"


def test_make_nip() -> None:
    assert make_nip(date(1966, 8, 1), 1988, 3, "L", 1) == GOOD
    assert make_nip(date(1990, 2, 14), 2019, 1, "P", 12, employment="pppk") == (
        "199002142019212012"
    )
    assert nip_birth_date(GOOD) == date(1966, 8, 1)
    with pytest.raises(ValueError):
        make_nip(date(1966, 8, 1), 1984, 7, "L", 1)
    with pytest.raises(ValueError):
        make_nip(date(1966, 8, 1), 1988, 3, "X", 1)
    with pytest.raises(ValueError):
        make_nip(date(1966, 8, 1), 1988, 3, "L", 1000)
