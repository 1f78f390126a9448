"""Finding people: a name or NIP fragment to the employees it matches (``eperf find``).

Matching is done here rather than in SQL so that it is the same on every engine: names are
compared case- and accent-insensitively (``Dédé`` finds ``DEDE``), every word of the query
must occur in the name, and a query of digits (spaces allowed, as a NIP is printed) matches
NIPs containing those digits. The organisation's employee list is small (tens of
thousands of rows at most), read once.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from sqlalchemy import Engine, select

from .db import schema as s
from .errors import UsageError
from .nip import format_nip


@dataclass(frozen=True)
class Person:
    """One employee as ``eperf find`` lists them."""

    nip: str
    name: str
    unit_code: str
    unit_name: str
    position: str
    active: bool

    @property
    def nip_display(self) -> str:
        return format_nip(self.nip)


def fold(text: str) -> str:
    """Lower case without accents: what two spellings of a name share."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def find_people(engine: Engine, query: str, *, include_inactive: bool = False) -> list[Person]:
    """The employees whose name contains every word of ``query``, or whose NIP contains
    its digits (when ``query`` is digits and spaces), sorted by name then NIP."""
    text = query.strip()
    if not text:
        raise UsageError("give part of a name or of a NIP to look for")
    digits = text.replace(" ", "")
    by_nip = digits.isdigit()
    words = fold(text).split()
    e, u = s.employees, s.units
    stmt = (select(e.c.nip, e.c.name, e.c.unit_code, u.c.name.label("unit_name"),
                   e.c.position, e.c.active)
            .select_from(e.outerjoin(u, u.c.unit_code == e.c.unit_code)))
    if by_nip:
        stmt = stmt.where(e.c.nip.contains(digits, autoescape=True))
    if not include_inactive:
        stmt = stmt.where(e.c.active.is_(True))
    found: list[Person] = []
    with engine.connect() as conn:
        for nip, name, unit_code, unit_name, position, active in conn.execute(stmt):
            if not by_nip:
                folded = fold(name or "")
                if not all(w in folded for w in words):
                    continue
            found.append(Person(nip=nip, name=name or "", unit_code=unit_code or "",
                                unit_name=unit_name or "", position=position or "",
                                active=bool(active)))
    return sorted(found, key=lambda p: (fold(p.name), p.nip))
