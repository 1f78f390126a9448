"""Fixed reference data of the domain (domain.md, data-contract.md).

Labels here are regulatory and keep their Indonesian spelling in every language.
"""

from __future__ import annotations

# Golongan/pangkat: 17 PNS steps, code -> pangkat name.
PANGKAT: dict[str, str] = {
    "I/a": "Juru Muda",
    "I/b": "Juru Muda Tingkat I",
    "I/c": "Juru",
    "I/d": "Juru Tingkat I",
    "II/a": "Pengatur Muda",
    "II/b": "Pengatur Muda Tingkat I",
    "II/c": "Pengatur",
    "II/d": "Pengatur Tingkat I",
    "III/a": "Penata Muda",
    "III/b": "Penata Muda Tingkat I",
    "III/c": "Penata",
    "III/d": "Penata Tingkat I",
    "IV/a": "Pembina",
    "IV/b": "Pembina Tingkat I",
    "IV/c": "Pembina Utama Muda",
    "IV/d": "Pembina Utama Madya",
    "IV/e": "Pembina Utama",
}
PNS_GRADES: tuple[str, ...] = tuple(PANGKAT)
PPPK_GRADES: tuple[str, ...] = (
    "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX",
    "X", "XI", "XII", "XIII", "XIV", "XV", "XVI", "XVII",
)
ALL_GRADES: tuple[str, ...] = PNS_GRADES + PPPK_GRADES

POSITION_TYPES: tuple[str, ...] = ("jpt", "administrator", "pengawas", "pelaksana", "fungsional")
MANAGERIAL: frozenset[str] = frozenset({"jpt", "administrator", "pengawas"})
GENDERS: tuple[str, ...] = ("L", "P")
EMPLOYMENT: tuple[str, ...] = ("pns", "pppk")
VERIFICATION_STATUSES: tuple[str, ...] = ("approved", "rejected", "revision")
ASSESSOR_ROLES: tuple[str, ...] = ("atasan", "rekan", "bawahan", "diri")
ORG_RESULTS: tuple[str, ...] = ("istimewa", "baik", "butuh_perbaikan", "kurang", "sangat_kurang")
RESERVED_UNIT_CODES: frozenset[str] = frozenset({"all", "single", "latest"})

SCHEMES: tuple[str, ...] = ("permenpan-6-2022", "pp-30-2019", "pp-46-2011")
# output formats: a card's, and a batch's (its cards' and the recap workbook)
CARD_FORMATS: tuple[str, ...] = ("html", "pdf")
FORMATS: tuple[str, ...] = ("html", "pdf", "xlsx")
DEFAULT_SCHEME = "permenpan-6-2022"

# Behaviour aspects per scheme (domain.md §3).
ASPECTS: dict[str, tuple[str, ...]] = {
    "permenpan-6-2022": (
        "berorientasi_pelayanan", "akuntabel", "kompeten", "harmonis",
        "loyal", "adaptif", "kolaboratif",
    ),
    "pp-30-2019": (
        "orientasi_pelayanan", "komitmen", "inisiatif_kerja", "kerja_sama", "kepemimpinan",
    ),
    "pp-46-2011": (
        "orientasi_pelayanan", "integritas", "komitmen", "disiplin", "kerja_sama",
        "kepemimpinan",
    ),
}
# Aspects that only apply to managerial posts.
MANAGERIAL_ONLY_ASPECTS: frozenset[str] = frozenset({"kepemimpinan"})
ALL_ASPECTS: tuple[str, ...] = tuple(dict.fromkeys(a for s in ASPECTS.values() for a in s))

REGULATION: dict[str, str] = {
    "permenpan-6-2022": "Peraturan Menteri PANRB Nomor 6 Tahun 2022",
    "pp-30-2019": "Peraturan Pemerintah Nomor 30 Tahun 2019",
    "pp-46-2011": "Peraturan Pemerintah Nomor 46 Tahun 2011 (Perka BKN 1/2013)",
}
