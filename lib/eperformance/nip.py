"""NIP (*Nomor Induk Pegawai*): the 18-digit civil-servant number (data-contract.md "NIP").

Structure ``YYYYMMDD YYYYMM G NNN``: birth date, year and month of first appointment (for
PPPK: appointment year, then two digits that are not checked), gender digit (1 male,
2 female) and a sequence number.
"""

from __future__ import annotations

import re
from datetime import date

from .reference import EMPLOYMENT

NIP_LENGTH = 18
MIN_APPOINTMENT_AGE = 18
# Digits 13-14 of a PPPK NIP: the code written by ``make_nip`` for contract staff.
PPPK_MARKER = "21"

_SPREADSHEET_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d*)?(?:[eE][+-]?\d+)?$")
_TEXT_HINT = "format the column as text: spreadsheets keep only 15 digits"
_GENDER_DIGIT = {"L": "1", "P": "2"}


def normalize_nip(raw: str) -> str:
    """Return ``raw`` without any spaces (``'19660801 198803 1 001'`` → 18 digits)."""
    return "".join(str(raw).split())


def nip_problem(nip: str, employment: str = "pns", today: date | None = None) -> str | None:
    """Return why ``nip`` is not a valid NIP for ``employment``, in plain words, or ``None``.

    ``nip`` is normalised first (spaces removed). ``employment`` is ``pns`` or ``pppk``
    (case-insensitive; blank means ``pns``). ``today`` (default: the current date) bounds
    the birth date.
    """
    value = normalize_nip(nip)
    kind = (employment or "pns").strip().lower()
    if kind not in EMPLOYMENT:
        raise ValueError(f"unknown employment {employment!r}; expected pns or pppk")
    if not value:
        return "NIP is blank"
    if not value.isascii() or not value.isdigit():
        if _SPREADSHEET_NUMBER.match(value):
            return (
                f"NIP {value!r} arrived as a spreadsheet number (scientific notation or "
                f"decimals); {_TEXT_HINT}"
            )
        return f"NIP {value!r} must contain digits only"
    if len(value) != NIP_LENGTH:
        return f"NIP has {len(value)} digits; it must have {NIP_LENGTH}"

    birth = _parse_date(value[0:8])
    if birth is None:
        return f"NIP digits 1-8 ({value[0:8]}) are not a real birth date (YYYYMMDD)"
    if birth > (today or date.today()):
        return f"NIP birth date {birth.isoformat()} is in the future"

    year = int(value[8:12])
    earliest = birth.year + MIN_APPOINTMENT_AGE
    if kind == "pns":
        month = int(value[12:14])
        if not 1 <= month <= 12:
            return f"NIP appointment month (digits 13-14) is {value[12:14]}; it must be 01-12"
        if (year, month) < (earliest, birth.month):
            return (
                f"NIP appointment {year:04d}-{month:02d} is less than {MIN_APPOINTMENT_AGE} "
                f"years after the birth date {birth.isoformat()} "
                f"(earliest {earliest:04d}-{birth.month:02d})"
            )
    elif year < earliest:
        return (
            f"NIP appointment year {year:04d} is less than {MIN_APPOINTMENT_AGE} years after "
            f"the birth year {birth.year:04d} (earliest {earliest:04d})"
        )

    if value[14] not in "12":
        return f"NIP gender digit (digit 15) is {value[14]}; it must be 1 (male) or 2 (female)"
    return None


def format_nip(nip: str) -> str:
    """Print a NIP with its customary spaces: ``'19660801 198803 1 001'``."""
    v = normalize_nip(nip)
    if len(v) != NIP_LENGTH:
        return v
    return f"{v[0:8]} {v[8:14]} {v[14]} {v[15:18]}"


def make_nip(
    birth: date,
    appointed_year: int,
    appointed_month: int,
    gender: str,
    seq: int,
    *,
    employment: str = "pns",
) -> str:
    """Build an 18-digit NIP.

    For ``pppk`` digits 13-14 hold :data:`PPPK_MARKER` instead of ``appointed_month``.
    Raises ``ValueError`` when the parts cannot make a valid NIP.
    """
    if gender not in _GENDER_DIGIT:
        raise ValueError(f"gender must be L or P, not {gender!r}")
    if not 1 <= seq <= 999:
        raise ValueError(f"sequence must be 1-999, not {seq}")
    if not 1 <= appointed_month <= 12:
        raise ValueError(f"appointment month must be 1-12, not {appointed_month}")
    middle = PPPK_MARKER if employment == "pppk" else f"{appointed_month:02d}"
    nip = (
        f"{birth.year:04d}{birth.month:02d}{birth.day:02d}"
        f"{appointed_year:04d}{middle}{_GENDER_DIGIT[gender]}{seq:03d}"
    )
    problem = nip_problem(nip, employment, today=birth)
    if problem:
        raise ValueError(problem)
    return nip


def nip_birth_date(nip: str) -> date | None:
    """The birth date in digits 1-8, or ``None`` when they are not a date."""
    return _parse_date(normalize_nip(nip)[0:8])


def _parse_date(digits: str) -> date | None:
    if len(digits) != 8 or not digits.isdigit():
        return None
    try:
        return date(int(digits[0:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None
