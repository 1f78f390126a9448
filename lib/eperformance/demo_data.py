"""Catalogues for the demo organisation: units, posts and activities of a social ministry.

Shaped like the Kementerian Sosial of 2021 (the seed article). Everything here is plain
data; ``demo.py`` draws from it with a seeded generator.
"""

from __future__ import annotations

from typing import NamedTuple


class UnitSpec(NamedTuple):
    code: str
    name: str
    parent: str  # "" for the root
    kind: str  # root, eselon1, sekretariat, biro, pusat, direktorat, inspektorat
    head: str  # the head's position ("" for the root: the Minister is not an ASN)
    staff: tuple[str, ...] = ()  # fungsional families typical for the unit (extra weight)


ROOT = "KEMENSOS"

UNITS: tuple[UnitSpec, ...] = (
    UnitSpec(ROOT, "Kementerian Sosial", "", "root", ""),
    # Sekretariat Jenderal
    UnitSpec("SETJEN", "Sekretariat Jenderal", ROOT, "eselon1", "Sekretaris Jenderal"),
    UnitSpec("ROREN", "Biro Perencanaan", "SETJEN", "biro", "Kepala Biro Perencanaan",
             ("perencana", "perencana", "kebijakan")),
    UnitSpec("ROKEU", "Biro Keuangan", "SETJEN", "biro", "Kepala Biro Keuangan",
             ("keuangan", "keuangan")),
    UnitSpec("ROORSDM", "Biro Organisasi dan Sumber Daya Manusia", "SETJEN", "biro",
             "Kepala Biro Organisasi dan Sumber Daya Manusia", ("sdm", "sdm", "kebijakan")),
    UnitSpec("ROHUK", "Biro Hukum", "SETJEN", "biro", "Kepala Biro Hukum",
             ("hukum", "hukum")),
    UnitSpec("ROUMUM", "Biro Umum", "SETJEN", "biro", "Kepala Biro Umum",
             ("arsip", "arsip")),
    UnitSpec("ROHUMAS", "Biro Hubungan Masyarakat", "SETJEN", "biro",
             "Kepala Biro Hubungan Masyarakat", ("humas", "humas")),
    UnitSpec("PUSDATIN", "Pusat Data dan Informasi Kesejahteraan Sosial", "SETJEN", "pusat",
             "Kepala Pusat Data dan Informasi Kesejahteraan Sosial", ("it", "it", "data")),
    UnitSpec("PUSLUH", "Pusat Penyuluhan Sosial", "SETJEN", "pusat",
             "Kepala Pusat Penyuluhan Sosial", ("penyuluh", "penyuluh", "humas")),
    # Inspektorat Jenderal
    UnitSpec("ITJEN", "Inspektorat Jenderal", ROOT, "eselon1", "Inspektur Jenderal"),
    UnitSpec("SETITJEN", "Sekretariat Inspektorat Jenderal", "ITJEN", "sekretariat",
             "Sekretaris Inspektorat Jenderal", ("perencana", "auditor")),
    UnitSpec("IRWIL-1", "Inspektorat Wilayah I", "ITJEN", "inspektorat", "Inspektur Wilayah I",
             ("auditor", "auditor", "auditor")),
    UnitSpec("IRWIL-2", "Inspektorat Wilayah II", "ITJEN", "inspektorat",
             "Inspektur Wilayah II", ("auditor", "auditor", "auditor")),
    UnitSpec("IRWIL-3", "Inspektorat Wilayah III", "ITJEN", "inspektorat",
             "Inspektur Wilayah III", ("auditor", "auditor", "auditor")),
    # Direktorat Jenderal Rehabilitasi Sosial
    UnitSpec("REHSOS", "Direktorat Jenderal Rehabilitasi Sosial", ROOT, "eselon1",
             "Direktur Jenderal Rehabilitasi Sosial"),
    UnitSpec("SET-REHSOS", "Sekretariat Direktorat Jenderal Rehabilitasi Sosial", "REHSOS",
             "sekretariat", "Sekretaris Direktorat Jenderal Rehabilitasi Sosial"),
    UnitSpec("RSA", "Direktorat Rehabilitasi Sosial Anak", "REHSOS", "direktorat",
             "Direktur Rehabilitasi Sosial Anak", ("peksos", "peksos", "penyuluh")),
    UnitSpec("RSPD", "Direktorat Rehabilitasi Sosial Penyandang Disabilitas", "REHSOS",
             "direktorat", "Direktur Rehabilitasi Sosial Penyandang Disabilitas",
             ("peksos", "peksos", "penyuluh")),
    UnitSpec("RSLU", "Direktorat Rehabilitasi Sosial Lanjut Usia", "REHSOS", "direktorat",
             "Direktur Rehabilitasi Sosial Lanjut Usia", ("peksos", "peksos")),
    UnitSpec("RSKP-NAPZA", "Direktorat Rehabilitasi Sosial Korban Penyalahgunaan NAPZA",
             "REHSOS", "direktorat",
             "Direktur Rehabilitasi Sosial Korban Penyalahgunaan NAPZA", ("peksos", "peksos")),
    UnitSpec("RSTS", "Direktorat Rehabilitasi Sosial Tuna Sosial dan Korban Perdagangan Orang",
             "REHSOS", "direktorat",
             "Direktur Rehabilitasi Sosial Tuna Sosial dan Korban Perdagangan Orang",
             ("peksos", "peksos")),
    # Direktorat Jenderal Perlindungan dan Jaminan Sosial
    UnitSpec("LINJAMSOS", "Direktorat Jenderal Perlindungan dan Jaminan Sosial", ROOT,
             "eselon1", "Direktur Jenderal Perlindungan dan Jaminan Sosial"),
    UnitSpec("SET-LINJAMSOS",
             "Sekretariat Direktorat Jenderal Perlindungan dan Jaminan Sosial", "LINJAMSOS",
             "sekretariat", "Sekretaris Direktorat Jenderal Perlindungan dan Jaminan Sosial"),
    UnitSpec("PSKBA", "Direktorat Perlindungan Sosial Korban Bencana Alam", "LINJAMSOS",
             "direktorat", "Direktur Perlindungan Sosial Korban Bencana Alam",
             ("bencana", "bencana", "peksos")),
    UnitSpec("PSKBS", "Direktorat Perlindungan Sosial Korban Bencana Sosial", "LINJAMSOS",
             "direktorat", "Direktur Perlindungan Sosial Korban Bencana Sosial",
             ("bencana", "peksos")),
    UnitSpec("JSK", "Direktorat Jaminan Sosial Keluarga", "LINJAMSOS", "direktorat",
             "Direktur Jaminan Sosial Keluarga", ("pkh", "pkh", "data")),
    UnitSpec("PSNK", "Direktorat Perlindungan Sosial Non Kebencanaan", "LINJAMSOS",
             "direktorat", "Direktur Perlindungan Sosial Non Kebencanaan",
             ("peksos", "penyuluh")),
    # Direktorat Jenderal Pemberdayaan Sosial
    UnitSpec("DAYASOS", "Direktorat Jenderal Pemberdayaan Sosial", ROOT, "eselon1",
             "Direktur Jenderal Pemberdayaan Sosial"),
    UnitSpec("SET-DAYASOS", "Sekretariat Direktorat Jenderal Pemberdayaan Sosial", "DAYASOS",
             "sekretariat", "Sekretaris Direktorat Jenderal Pemberdayaan Sosial"),
    UnitSpec("PKAT", "Direktorat Pemberdayaan Komunitas Adat Terpencil", "DAYASOS",
             "direktorat", "Direktur Pemberdayaan Komunitas Adat Terpencil",
             ("penyuluh", "peksos")),
    UnitSpec("K2KRS",
             "Direktorat Kepahlawanan, Keperintisan, Kesetiakawanan, dan Restorasi Sosial",
             "DAYASOS", "direktorat",
             "Direktur Kepahlawanan, Keperintisan, Kesetiakawanan, dan Restorasi Sosial",
             ("penyuluh", "humas")),
    UnitSpec("PSDBS", "Direktorat Pengelolaan Sumber Dana Bantuan Sosial", "DAYASOS",
             "direktorat", "Direktur Pengelolaan Sumber Dana Bantuan Sosial",
             ("keuangan", "penyuluh")),
    # Direktorat Jenderal Penanganan Fakir Miskin
    UnitSpec("PFM", "Direktorat Jenderal Penanganan Fakir Miskin", ROOT, "eselon1",
             "Direktur Jenderal Penanganan Fakir Miskin"),
    UnitSpec("SET-PFM", "Sekretariat Direktorat Jenderal Penanganan Fakir Miskin", "PFM",
             "sekretariat", "Sekretaris Direktorat Jenderal Penanganan Fakir Miskin"),
    UnitSpec("PFM-1", "Direktorat Penanganan Fakir Miskin Wilayah I", "PFM", "direktorat",
             "Direktur Penanganan Fakir Miskin Wilayah I", ("pkh", "peksos", "data")),
    UnitSpec("PFM-2", "Direktorat Penanganan Fakir Miskin Wilayah II", "PFM", "direktorat",
             "Direktur Penanganan Fakir Miskin Wilayah II", ("pkh", "peksos", "data")),
    UnitSpec("PFM-3", "Direktorat Penanganan Fakir Miskin Wilayah III", "PFM", "direktorat",
             "Direktur Penanganan Fakir Miskin Wilayah III", ("pkh", "peksos", "data")),
    UnitSpec("PSPKKM",
             "Direktorat Pemberdayaan Sosial Perorangan, Keluarga, dan Kelembagaan Masyarakat",
             "PFM", "direktorat",
             "Direktur Pemberdayaan Sosial Perorangan, Keluarga, dan Kelembagaan Masyarakat",
             ("penyuluh", "pkh")),
)

# Administrator (eselon III) and pengawas (eselon IV) posts by unit kind.
ADMINISTRATOR_POSTS: dict[str, tuple[str, ...]] = {
    "eselon1": ("Kepala Bagian Tata Usaha Pimpinan",),
    "sekretariat": (
        "Kepala Bagian Program dan Pelaporan", "Kepala Bagian Keuangan",
        "Kepala Bagian Umum dan Kepegawaian", "Kepala Bagian Hukum dan Hubungan Masyarakat",
    ),
    "biro": (
        "Kepala Bagian Perencanaan dan Evaluasi", "Kepala Bagian Pelaksanaan",
        "Kepala Bagian Pengelolaan Data", "Kepala Bagian Tata Usaha Biro",
    ),
    "pusat": (
        "Kepala Bidang Pengembangan Sistem", "Kepala Bidang Pengelolaan Data",
        "Kepala Bidang Layanan", "Kepala Bagian Tata Usaha Pusat",
    ),
    "direktorat": (
        "Kepala Subdirektorat Identifikasi dan Asesmen",
        "Kepala Subdirektorat Pelayanan Sosial", "Kepala Subdirektorat Advokasi Sosial",
        "Kepala Subdirektorat Kerja Sama dan Kemitraan",
        "Kepala Subdirektorat Bimbingan Teknis dan Supervisi",
    ),
    "inspektorat": ("Kepala Bagian Evaluasi dan Pelaporan Pengawasan",),
}
PENGAWAS_POSTS: dict[str, tuple[str, ...]] = {
    "eselon1": ("Kepala Subbagian Protokol",),
    "sekretariat": (
        "Kepala Subbagian Penyusunan Program", "Kepala Subbagian Perbendaharaan",
        "Kepala Subbagian Kepegawaian", "Kepala Subbagian Rumah Tangga",
    ),
    "biro": ("Kepala Subbagian Tata Usaha", "Kepala Subbagian Administrasi"),
    "pusat": ("Kepala Subbagian Tata Usaha", "Kepala Subbidang Pemeliharaan Sistem"),
    "direktorat": ("Kepala Subbagian Tata Usaha", "Kepala Seksi Pemantauan dan Evaluasi"),
    "inspektorat": ("Kepala Subbagian Tata Usaha",),
}

# Functional posts: family -> base title ("Ahli Pertama/Muda/Madya" is appended).
FUNGSIONAL: dict[str, str] = {
    "peksos": "Pekerja Sosial",
    "pkh": "Pekerja Sosial",
    "bencana": "Pekerja Sosial",
    "penyuluh": "Penyuluh Sosial",
    "sdm": "Analis SDM Aparatur",
    "it": "Pranata Komputer",
    "data": "Statistisi",
    "perencana": "Perencana",
    "arsip": "Arsiparis",
    "auditor": "Auditor",
    "keuangan": "Analis Anggaran",
    "kebijakan": "Analis Kebijakan",
    "hukum": "Perancang Peraturan Perundang-undangan",
    "humas": "Pranata Hubungan Masyarakat",
}
# Families any unit may employ besides its own typical ones.
COMMON_FUNGSIONAL: tuple[str, ...] = ("perencana", "arsip", "it", "sdm", "keuangan")
FUNGSIONAL_LEVELS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Ahli Pertama", ("III/a", "III/b")),
    ("Ahli Muda", ("III/c", "III/d")),
    ("Ahli Madya", ("IV/a",)),
)
# PPPK grades matching the levels above.
PPPK_LEVEL_GRADES: tuple[tuple[str, ...], ...] = (("IX",), ("X", "XI"), ("XII",))

# Pelaksana posts: title -> activity family.
PELAKSANA: tuple[tuple[str, str], ...] = (
    ("Pengadministrasi Umum", "umum"),
    ("Pengadministrasi Umum", "umum"),
    ("Pengelola Data", "data"),
    ("Pengolah Data", "data"),
    ("Pengadministrasi Keuangan", "keuangan"),
    ("Pengelola Barang Milik Negara", "umum"),
    ("Pengadministrasi Kepegawaian", "sdm"),
    ("Pengelola Layanan Operasional", "umum"),
    ("Verifikator Data Bantuan Sosial", "pkh"),
    ("Pengelola Arsip", "arsip"),
)


class ActivitySpec(NamedTuple):
    code: str
    name: str
    output_unit: str
    standard_minutes: int
    families: tuple[str, ...]  # who does it ("*" everybody, "manajer" managerial posts)
    title: str  # assignment title stem
    descriptions: tuple[str, ...]  # entry descriptions; {loc} is a place, {n} the quantity
    costly: bool = False  # assignments of this type often carry a cost target


ACTIVITIES: tuple[ActivitySpec, ...] = (
    ActivitySpec("PKH-DAMPING", "Pendampingan keluarga penerima manfaat PKH", "keluarga", 45,
                 ("pkh", "peksos"), "Pendampingan KPM PKH",
                 ("Pendampingan {n} KPM PKH di {loc}",
                  "Pertemuan kelompok KPM PKH di {loc}, pemutakhiran komitmen kehadiran")),
    ActivitySpec("PKH-VALIDASI", "Validasi calon penerima PKH", "keluarga", 30,
                 ("pkh", "data"), "Validasi calon KPM PKH",
                 ("Validasi data calon KPM PKH di {loc}",
                  "Pencocokan data calon KPM dengan kartu keluarga, {loc}")),
    ActivitySpec("DTKS-VERIF", "Verifikasi dan validasi Data Terpadu Kesejahteraan Sosial",
                 "rumah tangga", 20, ("data", "pkh", "it"), "Verifikasi dan validasi DTKS",
                 ("Verifikasi data DTKS usulan {loc}",
                  "Padan data DTKS dengan data kependudukan Dukcapil, {loc}")),
    ActivitySpec("DTKS-PADAN", "Pemadanan data bantuan sosial", "dokumen", 120,
                 ("data", "it"), "Pemadanan data penerima bansos",
                 ("Pemadanan data penerima BPNT dan PKH wilayah {loc}",)),
    ActivitySpec("ASESMEN-RS", "Asesmen rehabilitasi sosial", "klien", 90,
                 ("peksos",), "Asesmen kebutuhan rehabilitasi sosial",
                 ("Asesmen klien rehabilitasi sosial di {loc}",
                  "Asesmen lanjutan dan penyusunan rencana intervensi klien, {loc}")),
    ActivitySpec("KUNJ-RUMAH", "Kunjungan rumah (home visit)", "kunjungan", 120,
                 ("peksos", "pkh"), "Kunjungan rumah penerima manfaat",
                 ("Kunjungan rumah penerima manfaat di {loc}",
                  "Home visit dan pemantauan kondisi keluarga klien di {loc}"), True),
    ActivitySpec("CASE-CONF", "Pembahasan kasus (case conference)", "kasus", 90,
                 ("peksos",), "Pembahasan kasus klien",
                 ("Case conference bersama tim rehabilitasi sosial",
                  "Pembahasan kasus rujukan dari dinas sosial {loc}")),
    ActivitySpec("RUJUKAN", "Rujukan klien ke layanan lanjutan", "klien", 60,
                 ("peksos",), "Rujukan klien",
                 ("Rujukan klien ke balai rehabilitasi sosial, {loc}",)),
    ActivitySpec("ATENSI", "Penyaluran Asistensi Rehabilitasi Sosial (ATENSI)", "paket", 60,
                 ("peksos",), "Penyaluran ATENSI",
                 ("Penyaluran bantuan ATENSI kepada penerima manfaat di {loc}",), True),
    ActivitySpec("BENCANA-SALUR", "Penyaluran bantuan korban bencana", "paket", 40,
                 ("bencana",), "Distribusi bantuan logistik korban bencana",
                 ("Distribusi {n} paket bantuan logistik korban bencana di {loc}",
                  "Penyaluran santunan ahli waris korban bencana di {loc}"), True),
    ActivitySpec("BENCANA-ASES", "Kaji cepat kebutuhan korban bencana", "laporan", 240,
                 ("bencana",), "Kaji cepat dampak bencana",
                 ("Kaji cepat kebutuhan pengungsi di {loc}",), True),
    ActivitySpec("DAPUR-UMUM", "Pengelolaan dapur umum", "hari layanan", 300,
                 ("bencana",), "Pengelolaan dapur umum lapangan",
                 ("Pengelolaan dapur umum Tagana di {loc}",), True),
    ActivitySpec("PENYULUHAN", "Penyuluhan sosial kepada masyarakat", "kegiatan", 180,
                 ("penyuluh",), "Penyuluhan sosial",
                 ("Penyuluhan sosial tentang pencegahan perkawinan anak di {loc}",
                  "Penyuluhan sosial kesiapsiagaan bencana di {loc}")),
    ActivitySpec("MATERI-PENYULUHAN", "Penyusunan materi penyuluhan", "naskah", 240,
                 ("penyuluh", "humas"), "Penyusunan materi penyuluhan",
                 ("Penyusunan naskah materi penyuluhan sosial",)),
    ActivitySpec("KAT-PEMBERDAYAAN", "Pemberdayaan komunitas adat terpencil", "kegiatan", 240,
                 ("penyuluh",), "Pemberdayaan KAT",
                 ("Pendampingan warga komunitas adat terpencil di {loc}",), True),
    ActivitySpec("SDM-KP", "Pemrosesan usul kenaikan pangkat", "berkas", 30,
                 ("sdm",), "Pemrosesan usul kenaikan pangkat",
                 ("Verifikasi berkas usul kenaikan pangkat periode berjalan",)),
    ActivitySpec("SDM-ANJAB", "Analisis jabatan dan beban kerja", "dokumen", 240,
                 ("sdm", "kebijakan"), "Penyusunan anjab dan ABK",
                 ("Penyusunan analisis jabatan dan beban kerja unit",)),
    ActivitySpec("SDM-LAYANAN", "Layanan administrasi kepegawaian", "berkas", 20,
                 ("sdm", "umum"), "Layanan administrasi kepegawaian",
                 ("Pemutakhiran data kepegawaian di SIMPEG",
                  "Penyiapan berkas cuti dan izin pegawai")),
    ActivitySpec("APL-PELIHARA", "Pemeliharaan aplikasi dan sistem informasi", "modul", 180,
                 ("it",), "Pemeliharaan aplikasi SIKS-NG",
                 ("Perbaikan modul aplikasi SIKS-NG", "Pemantauan server dan pencadangan data")),
    ActivitySpec("HELPDESK", "Layanan helpdesk aplikasi", "tiket", 20,
                 ("it", "data"), "Layanan helpdesk aplikasi",
                 ("Penanganan tiket helpdesk operator kabupaten/kota {loc}",)),
    ActivitySpec("RKA", "Penyusunan RKA-K/L", "dokumen", 300,
                 ("perencana", "keuangan"), "Penyusunan RKA-K/L",
                 ("Penyusunan RKA-K/L dan kerangka acuan kerja",
                  "Penelaahan RKA-K/L bersama Biro Perencanaan")),
    ActivitySpec("MONEV", "Monitoring dan evaluasi program", "laporan", 240,
                 ("perencana", "kebijakan", "manajer"), "Monitoring dan evaluasi program",
                 ("Monitoring pelaksanaan program di {loc}",
                  "Evaluasi capaian indikator kinerja program"), True),
    ActivitySpec("LAKIN", "Penyusunan laporan kinerja", "laporan", 300,
                 ("perencana",), "Penyusunan laporan kinerja",
                 ("Penyusunan bahan laporan kinerja (LAKIN)",)),
    ActivitySpec("KAJIAN", "Penyusunan kajian kebijakan", "naskah", 360,
                 ("kebijakan",), "Penyusunan kajian kebijakan",
                 ("Penyusunan policy brief perlindungan sosial",)),
    ActivitySpec("ARSIP-TATA", "Penataan arsip", "boks", 60,
                 ("arsip", "umum"), "Penataan arsip inaktif",
                 ("Penataan dan pemberkasan arsip inaktif",
                  "Alih media arsip ke format digital")),
    ActivitySpec("AUDIT", "Pelaksanaan audit kinerja", "kertas kerja", 240,
                 ("auditor",), "Audit kinerja",
                 ("Pengujian dokumen dan penyusunan kertas kerja audit di {loc}",), True),
    ActivitySpec("REVIU-LK", "Reviu laporan keuangan", "laporan", 240,
                 ("auditor", "keuangan"), "Reviu laporan keuangan",
                 ("Reviu laporan keuangan satuan kerja",)),
    ActivitySpec("SPM", "Penyusunan dan verifikasi SPP/SPM", "dokumen", 30,
                 ("keuangan",), "Verifikasi SPP dan SPM",
                 ("Verifikasi tagihan dan penerbitan SPM",)),
    ActivitySpec("SPJ", "Penyusunan pertanggungjawaban keuangan", "berkas", 45,
                 ("keuangan", "umum"), "Penyusunan SPJ kegiatan",
                 ("Penyusunan SPJ perjalanan dinas", "Rekonsiliasi belanja dengan KPPN")),
    ActivitySpec("HUKUM-RANCANG", "Penyusunan rancangan peraturan", "naskah", 360,
                 ("hukum",), "Penyusunan rancangan Permensos",
                 ("Pembahasan rancangan Peraturan Menteri Sosial",)),
    ActivitySpec("HUMAS-RILIS", "Penyusunan siaran pers", "naskah", 120,
                 ("humas",), "Penyusunan siaran pers",
                 ("Penyusunan siaran pers kegiatan Menteri Sosial",
                  "Peliputan kegiatan penyaluran bantuan di {loc}")),
    ActivitySpec("SURAT", "Pengelolaan surat masuk dan keluar", "surat", 15,
                 ("umum", "*"), "Pengelolaan persuratan",
                 ("Pencatatan dan distribusi surat masuk", "Penyusunan konsep surat dinas")),
    ActivitySpec("BMN", "Penatausahaan barang milik negara", "dokumen", 60,
                 ("umum",), "Penatausahaan BMN",
                 ("Inventarisasi dan pelabelan BMN", "Pemutakhiran data BMN di SIMAK-BMN")),
    ActivitySpec("NOTULEN", "Penyusunan notula rapat", "notula", 60,
                 ("umum", "*"), "Penyusunan notula rapat",
                 ("Penyusunan notula rapat koordinasi",)),
    ActivitySpec("LAPORAN", "Penyusunan laporan", "laporan", 180,
                 ("*",), "Penyusunan laporan bulanan",
                 ("Penyusunan laporan pelaksanaan kegiatan",
                  "Penyusunan laporan bulanan unit kerja")),
    ActivitySpec("RAKOR", "Rapat koordinasi", "rapat", 120,
                 ("*", "manajer"), "Rapat koordinasi",
                 ("Rapat koordinasi dengan dinas sosial {loc}",
                  "Rapat koordinasi internal unit kerja")),
    ActivitySpec("BIMTEK", "Bimbingan teknis", "kegiatan", 360,
                 ("peksos", "penyuluh", "pkh", "manajer"), "Bimbingan teknis",
                 ("Narasumber bimbingan teknis pendamping sosial di {loc}",), True),
    ActivitySpec("SUPERVISI", "Supervisi dan pembinaan pegawai", "kegiatan", 120,
                 ("manajer",), "Supervisi dan pembinaan",
                 ("Supervisi pelaksanaan tugas tim", "Pembinaan pegawai dan evaluasi kinerja")),
    ActivitySpec("DISPOSISI", "Penelaahan dan disposisi naskah dinas", "naskah", 15,
                 ("manajer",), "Penelaahan naskah dinas",
                 ("Penelaahan dan disposisi naskah dinas masuk",)),
    ActivitySpec("VERIF-KINERJA", "Verifikasi aktivitas pegawai", "aktivitas", 5,
                 ("manajer",), "Verifikasi e-Performance bawahan",
                 ("Verifikasi entri aktivitas e-Performance bawahan",)),
    ActivitySpec("KUNKER", "Kunjungan kerja dan peninjauan lapangan", "kunjungan", 480,
                 ("manajer",), "Peninjauan lapangan",
                 ("Peninjauan penyaluran bantuan sosial di {loc}",), True),
)

PLACES: tuple[str, ...] = (
    "Kota Surabaya", "Kabupaten Bogor", "Kota Bandung", "Kabupaten Garut", "Kota Medan",
    "Kabupaten Deli Serdang", "Kota Makassar", "Kabupaten Gowa", "Kota Palu",
    "Kabupaten Sigi", "Kabupaten Cianjur", "Kota Semarang", "Kabupaten Banyumas",
    "Kabupaten Lombok Timur", "Kota Mataram", "Kabupaten Kupang", "Kota Ambon",
    "Kabupaten Jayapura", "Kota Pontianak", "Kabupaten Sambas", "Kota Palembang",
    "Kabupaten Ogan Ilir", "Kota Padang", "Kabupaten Agam", "Kota Banda Aceh",
    "Kabupaten Pidie", "Kota Samarinda", "Kabupaten Kutai Kartanegara", "Kota Manado",
    "Kabupaten Minahasa", "Kota Denpasar", "Kabupaten Karangasem", "Jakarta Timur",
    "Jakarta Utara", "Kota Bekasi", "Kabupaten Tangerang", "Kota Yogyakarta",
    "Kabupaten Gunungkidul", "Kabupaten Jember", "Kabupaten Malang",
)

APPROVE_NOTES: tuple[str, ...] = (
    "", "", "", "", "", "Sesuai", "Baik, lanjutkan", "Sudah sesuai penugasan",
    "Terima kasih, bukti dukung lengkap",
)
REVISION_NOTES: tuple[str, ...] = (
    "Mohon lengkapi bukti dukung", "Uraian kegiatan kurang jelas, mohon diperbaiki",
    "Jumlah output tidak sesuai dengan bukti dukung", "Tautan bukti dukung tidak dapat dibuka",
    "Mohon sesuaikan jam kegiatan dengan presensi",
)
REJECT_NOTES: tuple[str, ...] = (
    "Tidak sesuai dengan penugasan", "Bukti dukung tidak valid",
    "Kegiatan sudah dientri sebelumnya (duplikat)", "Kegiatan di luar tugas dan fungsi",
)
ACADEMIC_SUFFIXES: tuple[str, ...] = (
    "S.Sos.", "S.E.", "S.H.", "S.Kom.", "S.Psi.", "S.ST.", "M.Si.", "M.Kesos.", "M.M.",
    "S.Sos., M.Si.", "S.E., M.Ak.", "S.Tr.Sos.",
)
