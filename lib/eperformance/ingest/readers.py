"""Read the input of an import into raw text tables (data-contract.md, "Input tables").

The input is a folder of CSV files (file stem = table name) or one XLSX workbook (one sheet
per table, named as the stem). Everything comes out as text, exactly as written: the
checks in ``validate`` decide what a value means. A file that cannot be read as a whole
(not UTF-8, not comma-separated, 0 bytes, a required column missing, ...) raises
``ImportFailed`` naming the file and the problem; nothing is loaded then.
"""

from __future__ import annotations

import csv
import io
import sys
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from .. import contract as c
from ..errors import ImportFailed

DEFAULT_REJECTS = "rejects.csv"
_SEPARATORS = (";", "\t", "|")


@dataclass
class Malformed:
    """A record with the wrong number of fields: rejected alone."""

    line: int
    values: dict[str, str]
    reason: str


@dataclass
class RawTable:
    """One input table as text: a column per header name, a line number per record."""

    spec: c.TableSpec
    file: str  # the name used in messages and the rejects file (file name or sheet name)
    header: list[str]  # every header name as written (stripped), in order
    data: dict[str, np.ndarray]  # header name -> object array of str (first such column)
    lines: np.ndarray  # int64: the line of each well-formed record
    malformed: list[Malformed] = field(default_factory=list)

    @property
    def rows(self) -> int:
        """Well-formed records (the columns' length)."""
        return len(self.lines)

    @property
    def read(self) -> int:
        """Every record read, malformed ones included (blank lines are not records)."""
        return len(self.lines) + len(self.malformed)

    def original(self, i: int | np.integer) -> dict[str, str]:
        """The original record ``i`` as column -> value (for the rejects file)."""
        return {name: str(self.data[name][i]) for name in self.data}


@dataclass
class Source:
    """What an import reads: its tables in the contract's dependency order."""

    path: Path
    kind: str  # "folder" or "xlsx"
    tables: list[RawTable]
    warnings: list[str]
    default_rejects: Path


def read_source(path: Path, rejects: Path | None = None) -> Source:
    """Read a folder of CSV files, one CSV file or an XLSX workbook."""
    path = Path(path)
    if not path.exists():
        raise ImportFailed(f"{path}: not found", hint="give a folder of CSV files or an XLSX file")
    if path.is_dir():
        return _read_folder(path, rejects)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_workbook(path)
    if suffix == ".csv":
        if path.stem not in c.BY_NAME:
            raise ImportFailed(
                f"{path.name}: not a contract table",
                hint="name the file after its table, e.g. activities.csv",
            )
        table = _read_csv_file(path, c.BY_NAME[path.stem])
        return Source(path, "folder", [table], [], path.parent / DEFAULT_REJECTS)
    raise ImportFailed(
        f"{path.name}: not a folder of CSV files nor an XLSX workbook",
        hint="give a folder of CSV files or an .xlsx file",
    )


# --------------------------------------------------------------------------- CSV


def _read_folder(folder: Path, rejects: Path | None) -> Source:
    warnings: list[str] = []
    found: dict[str, Path] = {}
    ours = {(folder / DEFAULT_REJECTS).resolve()}
    if rejects is not None:
        ours.add(Path(rejects).resolve())
    for f in sorted(folder.iterdir()):
        if not f.is_file() or f.suffix.lower() != ".csv":
            continue
        if f.resolve() in ours:
            continue  # our own rejects file from an earlier run
        if f.stem in c.BY_NAME and f.suffix == ".csv":
            found[f.stem] = f
        else:
            warnings.append(f"{f.name}: not a contract table; ignored")
    if not found:
        raise ImportFailed(
            f"{folder}: no contract CSV files found",
            hint="expected files such as units.csv, employees.csv, activities.csv",
        )
    tables = [_read_csv_file(found[s.name], s) for s in c.TABLES if s.name in found]
    for t in tables:
        warnings.extend(_column_warnings(t))
    return Source(folder, "folder", tables, warnings, folder / DEFAULT_REJECTS)


def _read_csv_file(path: Path, spec: c.TableSpec) -> RawTable:
    name = path.name
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ImportFailed(f"{name}: cannot be read ({exc.strerror or exc})") from None
    if not raw:
        raise ImportFailed(f"{name}: the file is empty (0 bytes)",
                           hint="a file with only its header row is fine")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ImportFailed(
            f"{name}: not UTF-8 (byte 0x{raw[exc.start]:02x} on line {line})",
            hint="save the file as CSV UTF-8",
        ) from exc
    return parse_csv_text(text, spec, name)


def parse_csv_text(text: str, spec: c.TableSpec, name: str) -> RawTable:
    """Parse CSV text into a ``RawTable`` (line numbers of each record's first line)."""
    limit = csv.field_size_limit()
    csv.field_size_limit(max(limit, min(sys.maxsize, 2**31 - 1)))
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        records = list(reader)
        if reader.line_num == len(records):
            starts: list[int] | range = range(1, len(records) + 1)  # one line per record
        else:  # a quoted field spans lines: number each record by its first line
            reader = csv.reader(io.StringIO(text, newline=""))
            records, starts = [], []
            prev = 0
            for rec in reader:
                records.append(rec)
                starts.append(prev + 1)
                prev = reader.line_num
    except csv.Error as exc:
        raise ImportFailed(f"{name}: cannot be read as CSV (line {reader.line_num}): {exc}") \
            from exc
    keep = [
        i for i, rec in enumerate(records)
        if rec and (rec[0].strip() or any(f.strip() for f in rec))
    ]  # blank lines are skipped
    if not keep:
        raise ImportFailed(f"{name}: has no header row")
    header = [h.strip() for h in records[keep[0]]]
    width = len(header)
    rows: list[list[str]] = []
    lines: list[int] = []
    malformed: list[Malformed] = []
    for i in keep[1:]:
        rec = records[i]
        if len(rec) == width:
            rows.append(rec)
            lines.append(starts[i])
        else:
            malformed.append(_malformed(header, rec, starts[i]))
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in header]
    return _make_table(spec, name, header, columns, lines, malformed)


def _malformed(header: list[str], rec: list[str], line: int) -> Malformed:
    values = {h: v for h, v in zip(header, rec, strict=False)}
    for j, extra in enumerate(rec[len(header):], start=1):
        values[f"(extra field {j})"] = extra
    return Malformed(
        line, values,
        f"the row has {len(rec)} fields but the header has {len(header)}",
    )


def _make_table(
    spec: c.TableSpec,
    name: str,
    header: list[str],
    columns: list[Any],
    lines: list[int],
    malformed: list[Malformed],
) -> RawTable:
    _check_header(spec, name, header)
    data: dict[str, np.ndarray] = {}
    n = len(lines)
    for h, col in zip(header, columns, strict=False):
        if h in data:
            continue  # a repeated column name: the first counts (warned about)
        arr = np.empty(n, dtype=object)
        if n:
            arr[:] = col
        data[h] = arr
    return RawTable(spec, name, header, data, np.asarray(lines, dtype=np.int64), malformed)


def _check_header(spec: c.TableSpec, name: str, header: list[str]) -> None:
    """Raise ``ImportFailed`` when the header is not a comma-separated contract header."""
    known = set(spec.column_names)
    if len(header) == 1 and header[0] not in known:
        for sep in _SEPARATORS:
            if sep in header[0]:
                shown = "tab" if sep == "\t" else f"'{sep}'"
                raise ImportFailed(
                    f"{name}: not comma-separated (the header is separated by {shown})",
                    hint="save the file as CSV with commas between the fields",
                )
    missing = [col.name for col in spec.columns if col.required and col.name not in header]
    if missing:
        plural = "columns" if len(missing) > 1 else "column"
        raise ImportFailed(
            f"{name}: missing required {plural} {', '.join(missing)}",
            hint=f"the header must name {', '.join(c_.name for c_ in spec.columns if c_.required)}",
        )


def _column_warnings(table: RawTable) -> list[str]:
    """Every unknown (or unnamed) column in one line per file, repeated names in another."""
    known = set(table.spec.column_names)
    unknown: list[str] = []
    repeated: list[str] = []
    seen: set[str] = set()
    for pos, h in enumerate(table.header, start=1):
        if not h:
            unknown.append(f"(column {pos} has no name)")
        elif h in seen:
            if h not in repeated:
                repeated.append(h)
        elif h not in known:
            unknown.append(h)
        seen.add(h)
    out: list[str] = []
    if unknown:
        out.append(f"{table.file}: unknown columns ignored: {', '.join(unknown)}")
    if repeated:
        out.append(f"{table.file}: columns named twice, the first one counts: "
                   f"{', '.join(repeated)}")
    return out


# --------------------------------------------------------------------------- XLSX


def _read_workbook(path: Path) -> Source:
    from openpyxl import load_workbook  # lazy: only .xlsx sources need openpyxl (~0.2 s)

    try:
        wb = load_workbook(path, read_only=True, data_only=False)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise ImportFailed(f"{path.name}: not a readable XLSX workbook ({exc})") from exc
    try:
        warnings: list[str] = []
        sheets: dict[str, Any] = {}
        for ws in wb.worksheets:
            title = ws.title.strip()
            if title in c.BY_NAME and title not in sheets:
                sheets[title] = ws
            else:
                warnings.append(f"{path.name}: sheet {ws.title} is not a contract table; ignored")
        if not sheets:
            raise ImportFailed(
                f"{path.name}: none of the contract's sheets "
                f"({', '.join(s.name for s in c.TABLES)})",
                hint="name each sheet after its table, e.g. activities",
            )
        tables = [_read_sheet(sheets[s.name], s) for s in c.TABLES if s.name in sheets]
    finally:
        wb.close()
    for t in tables:
        warnings.extend(_column_warnings(t))
    return Source(path, "xlsx", tables, warnings, path.with_name(path.name + ".rejects.csv"))


def _read_sheet(ws: Any, spec: c.TableSpec) -> RawTable:
    name = ws.title.strip()
    header: list[str] | None = None
    kinds: list[str | None] = []
    rows: list[list[str]] = []
    lines: list[int] = []
    malformed: list[Malformed] = []
    # A read-only sheet trusts its <dimension> tag and pads every row (and the sheet) to
    # it: a 5 KB sheet claiming A1:XFD1048576 would be read as 17 billion cells. Without
    # it each row holds its real cells only and reading stops at the last real row.
    ws.reset_dimensions()
    for lineno, cells in enumerate(ws.iter_rows(values_only=True), start=1):
        values = list(cells)
        while values and (values[-1] is None or values[-1] == ""):
            values.pop()
        if header is None:
            if not any(v is not None and str(v).strip() for v in values):
                continue
            header = [cell_text(v).strip() for v in values]
            kinds = [_kind(spec, h) for h in header]
            width = len(header)
            continue
        if not values:
            continue
        texts = [cell_text(v, kinds[j] if j < width else None) for j, v in enumerate(values)]
        if not any(t.strip() for t in texts):
            continue
        if len(texts) > width:
            malformed.append(_malformed(header, texts, lineno))
            continue
        texts.extend([""] * (width - len(texts)))
        rows.append(texts)
        lines.append(lineno)
    if header is None:
        raise ImportFailed(f"sheet {name}: has no header row",
                           hint="a sheet with only its header row is fine")
    columns = list(zip(*rows, strict=False)) if rows else [() for _ in header]
    return _make_table(spec, name, header, columns, lines, malformed)


def _kind(spec: c.TableSpec, name: str) -> str | None:
    try:
        return spec.column(name).kind
    except KeyError:
        return None


def cell_text(v: Any, kind: str | None = None) -> str:
    """The text a typed spreadsheet cell stands for (data-contract.md: "typed cells").

    Dates ``YYYY-MM-DD``, times ``HH:MM`` (``HH:MM:SS`` with seconds), timestamps
    ``YYYY-MM-DDTHH:MM:SS``, integers without ``.0``, booleans ``true``/``false``; a
    formula as written (``=HYPERLINK(...)``). A number in a NIP column is shown as a
    spreadsheet shows it (``1.99608E+17``), so that it is rejected with the hint.
    """
    if v is None:
        return ""
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        if kind == "nip":
            return _spreadsheet_number(float(v))
        if isinstance(v, int):
            return str(v)
        if v != v or v in (float("inf"), float("-inf")):
            return str(v)
        if float(v).is_integer():
            return str(int(v))
        return np.format_float_positional(v, trim="-")
    if isinstance(v, datetime):
        if kind == "time":
            return _time_text(v.time())
        if kind != "timestamp" and v.time() == time(0):
            return v.date().isoformat()
        return v.replace(microsecond=0, tzinfo=None).isoformat() + _offset(v)
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, time):
        return _time_text(v)
    if isinstance(v, timedelta):
        secs = int(v.total_seconds())
        return f"{secs // 3600:02d}:{secs % 3600 // 60:02d}:{secs % 60:02d}"
    text = getattr(v, "text", None)  # an array formula
    return str(text if text is not None else v)


def _offset(v: datetime) -> str:
    off = v.utcoffset()
    if off is None:
        return ""
    minutes = int(off.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _time_text(t: time) -> str:
    return f"{t.hour:02d}:{t.minute:02d}" + (f":{t.second:02d}" if t.second else "")


def _spreadsheet_number(v: float) -> str:
    if v.is_integer() and abs(v) < 1e11:
        return str(int(v))
    return f"{v:.5E}"
