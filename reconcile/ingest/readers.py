"""Read a CSV, XLSX or Parquet export as text, numbering each row as the user sees it.

A file that cannot be read as a whole (empty, header only, cut off, damaged, a zip bomb,
merged cells) is refused with one line naming it; a CSV row that cannot be split into
the header's columns is kept aside as `malformed`, with its row number and problem,
so that every row read is accounted for.
"""

from __future__ import annotations

import csv
import itertools
import json
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import fastexcel
import polars as pl

from reconcile.errors import InputFileError
from reconcile.ingest.encoding import open_text
from reconcile.ingest.privacy import mask_ids
from reconcile.ingest.workbook import check_workbook

_DELIMITERS = (",", ";", "\t", "|")
_BATCH = 100_000
# Values longer than this are refused by the CSV parser; validation rejects far shorter ones.
_MAX_FIELD = 64 << 20
_MALFORMED = {"source_row": pl.Int64, "problem": pl.String, "values": pl.String}
MALFORMED_SCHEMA = {"source_file": pl.String, **_MALFORMED}
# A header cell that repeats an earlier one, or an empty one, is renamed so that names stay unique.
REPEATED_HEADER = re.compile(r"^(.*\S) \(column \d+\)$")


@dataclass(frozen=True)
class ReadTable:
    """A file as read: `rows` (a text column per header, then source_file and source_row) and
    `malformed` (rows of a CSV that do not fit the header: source_file, source_row, problem, values)."""

    rows: pl.DataFrame
    malformed: pl.DataFrame


def read_table(path: Path) -> ReadTable:
    """Read an input file: every column as stripped text (empty → null), blank rows left out.

    `source_file` is the path as given; `source_row` is the row a spreadsheet shows
    (header = row 1, so the first data row of a CSV or XLSX is row 2; a Parquet row is its
    1-based index).
    """
    if not path.exists():
        raise InputFileError(str(path), "file not found")
    if not path.is_file():
        raise InputFileError(str(path), "is not a file")
    reader = _READERS.get(path.suffix.lower())
    if reader is None:
        raise InputFileError(str(path), f"unknown file type '{path.suffix}'; expected {', '.join(_READERS)}")
    try:
        frame, malformed = reader(path)
    except OSError as exc:
        raise InputFileError(str(path), f"cannot be read ({exc.strerror or exc})") from exc
    rows = _tidy(frame, path)
    malformed = malformed.with_columns(source_file=pl.lit(str(path))).select(list(MALFORMED_SCHEMA))
    return ReadTable(rows, malformed)


def _unique_headers(cells: list[str | None]) -> list[str]:
    """Header cells stripped; an empty one is '(column N)', a repeated one 'name (column N)'."""
    names: list[str] = []
    for number, cell in enumerate(cells, start=1):
        name = (cell or "").strip()
        names.append(f"{name} (column {number})".strip() if not name or name in names else name)
    return names


@dataclass
class _Seen:
    """What the CSV parser has taken from the file: its last line, and whether the file has ended."""

    last: str = ""
    ended: bool = False


def _lines(stream: Iterator[str], seen: _Seen) -> Iterator[str]:
    for line in stream:
        seen.last = line
        yield line
    seen.ended = True


def _read_csv(path: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    limit = csv.field_size_limit(_MAX_FIELD)
    try:
        with open_text(path) as text:
            return _parse_csv(path, text)
    except csv.Error as exc:
        raise InputFileError(str(path), f"cannot be read as CSV: {mask_ids(str(exc))}") from exc
    finally:
        csv.field_size_limit(limit)


def _parse_csv(path: Path, text: Iterator[str]) -> tuple[pl.DataFrame, pl.DataFrame]:
    first = next(text, "")
    if not first.strip():
        raise InputFileError(str(path), "has no header on its first line (it is blank)")
    separator = max(_DELIMITERS, key=first.count)  # a tie keeps the first: ','
    seen = _Seen()
    records = csv.reader(_lines(itertools.chain([first], text), seen), delimiter=separator)
    header = next(records)
    if seen.ended:
        raise _never_closed(path, 1)
    spare = 0  # separators after the last name: rows may end with as many empty values
    while header and not header[-1].strip():
        header.pop()
        spare += 1
    if not header:
        raise InputFileError(str(path), "has no header on its first line (it holds no column name)")
    width = len(header)
    schema = {**dict.fromkeys(_unique_headers(header), pl.String), "source_row": pl.Int64}
    batches = [pl.DataFrame(schema=schema)]
    values: list[str | None] = []  # row after row: far faster to hand to Polars than columns
    numbers: list[int] = []
    malformed: list[tuple[int, str, str]] = []
    line = records.line_num
    for row, fields in enumerate(records, start=2):
        if seen.ended:  # the parser asked for more lines than the file has: a quote is open
            raise _never_closed(path, row)
        one_line, line = records.line_num == line + 1, records.line_num
        if len(fields) != width or not one_line:  # the usual row skips these checks
            if not "".join(fields).strip():
                continue  # a blank line, still numbered
            if len(fields) < width and not seen.last.endswith(("\n", "\r")):  # only the last line can lack one
                raise InputFileError(
                    str(path), f"ends in the middle of row {row} (it has {len(fields)} of {width} columns and no "
                    "line break: the file looks cut off); export it again"
                )
            problem = _shape_problem(fields, width, spare, separator)
            if problem is not None:
                malformed.append((row, problem, json.dumps({"fields": fields}, ensure_ascii=False)))
                continue
            fields = [*fields[:width], *[None] * (width - len(fields))]
        values.extend(fields)
        numbers.append(row)
        if len(numbers) == _BATCH:
            batches.append(_batch(values, numbers, schema))
            values, numbers = [], []
    batches.append(_batch(values, numbers, schema))
    return pl.concat(batches), pl.DataFrame(malformed, schema=_MALFORMED, orient="row")


def _never_closed(path: Path, row: int) -> InputFileError:
    return InputFileError(
        str(path), f"row {row}: a quoted value opened here is never closed, so the rest of the file would be one "
        "value (the file looks cut off, or a value starts with a stray '\"'); nothing was ingested"
    )


def _batch(values: list[str | None], numbers: list[int], schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """Rows whose values come one row after another in `values` (each row as wide as the header)."""
    names = list(schema)[:-1]
    flat = pl.DataFrame({"v": pl.Series(values, dtype=pl.String)})
    frame = flat.select(pl.col("v").gather_every(len(names), offset).alias(name) for offset, name in enumerate(names))
    return frame.with_columns(pl.Series("source_row", numbers, dtype=pl.Int64))


def _shape_problem(fields: list[str], width: int, spare: int, separator: str) -> str | None:
    """Why a CSV row does not fit a header of `width` columns followed by `spare` empty ones, or None.

    Missing trailing fields are empty cells (Excel leaves out the separators of empty
    cells at the end of a row). Extra fields are allowed only where the header has empty
    ones too: a value holding an unquoted separator shifts the rest of its row.
    """
    shown = "tab" if separator == "\t" else f"'{separator}'"
    if len(fields) > width + spare or any(f.strip() for f in fields[width:]):
        return (f"has {len(fields)} values but the header has {width} columns (a value may hold an unquoted {shown}, "
                "or a quote out of place)")
    if len(fields) == 1 < width:
        others = [s for s in _DELIMITERS if s != separator and s in fields[0]]
        hint = f" (it looks separated by '{others[0]}', the header by {shown})" if others else ""
        return f"has 1 value but the header has {width} columns{hint}"
    swallowed = next((f for f in fields if ("\n" in f or "\r" in f) and f.count(separator) >= max(width - 1, 3)), None)
    if swallowed is not None:
        return ("has a value that spans several lines holding whole rows (a quote left open swallowed the rows "
                "after it)")
    return None


def _read_xlsx(path: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    if not zipfile.is_zipfile(path):
        raise InputFileError(
            str(path), "is not an XLSX workbook (not a zip archive, or cut off); open it in Excel and save it as .xlsx"
        )
    header_row = check_workbook(path)
    try:
        sheet = fastexcel.read_excel(path).load_sheet(0, header_row=None, dtypes="string")
        frame = sheet.to_polars()
    except (fastexcel.FastExcelError, ValueError, OverflowError) as exc:
        raise InputFileError(str(path), f"cannot be read as XLSX: {mask_ids(_first_line(exc))}") from exc
    if frame.is_empty() or not frame.columns:
        raise InputFileError(str(path), "has an empty first sheet")
    names = _unique_headers(list(frame.row(0)))
    frame = frame.slice(1).rename(dict(zip(frame.columns, names, strict=True)))
    # Columns past the last name with no value (a sheet's used range may run on) mean nothing.
    while frame.width and frame.columns[-1].startswith("(column ") and frame.select(pl.last().is_null().all()).item():
        frame = frame.drop(frame.columns[-1])
    # calamine writes a date cell as 'yyyy-mm-dd 00:00:00'; the time of a date is noise.
    frame = frame.with_columns(pl.all().str.replace(r"^(\d{4}-\d{2}-\d{2}) 00:00:00$", "${1}"))
    return _numbered(frame, header_row + 1), _no_malformed()


def _read_parquet(path: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    with path.open("rb") as handle:
        if handle.read(4) not in (b"PAR1", b"PARE"):  # plain and encrypted Parquet
            raise InputFileError(str(path), "is not a Parquet file; export it again as Parquet, CSV or XLSX")
    try:
        frame = pl.read_parquet(path)
        frame = frame.select(_as_text(name, dtype) for name, dtype in frame.schema.items())
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise InputFileError(str(path), f"cannot be read as Parquet: {mask_ids(_first_line(exc))}") from exc
    return _numbered(frame, 1), _no_malformed()


def _as_text(name: str, dtype: pl.DataType) -> pl.Expr:
    """A column as text; a float holding a whole number loses its '.0', as in a spreadsheet."""
    column = pl.col(name)
    if dtype.is_float():
        whole = (column == column.round()) & (column.abs() < 1e15)
        as_int = column.cast(pl.Int64).cast(pl.String)
        return pl.when(whole).then(as_int).otherwise(column.cast(pl.String)).alias(name)
    return column.cast(pl.String)


def _numbered(frame: pl.DataFrame, first_row: int) -> pl.DataFrame:
    return frame.with_row_index("source_row", offset=first_row).with_columns(pl.col("source_row").cast(pl.Int64))


def _no_malformed() -> pl.DataFrame:
    return pl.DataFrame(schema=_MALFORMED)


def _tidy(frame: pl.DataFrame, path: Path) -> pl.DataFrame:
    """Strip every value, turn empty into null, drop rows with no value, add `source_file`."""
    columns = [c for c in frame.columns if c != "source_row"]
    stripped = [pl.col(c).str.strip_chars() for c in columns]
    frame = frame.with_columns(pl.when(s.str.len_bytes() > 0).then(s) for s in stripped).with_columns(
        pl.lit(str(path)).alias("source_file")
    )
    if columns:
        frame = frame.filter(pl.any_horizontal(pl.col(columns).is_not_null()))
    return frame.select(*columns, "source_file", "source_row")


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


_READERS: dict[str, Callable[[Path], tuple[pl.DataFrame, pl.DataFrame]]] = {
    ".csv": _read_csv,
    ".tsv": _read_csv,
    ".txt": _read_csv,  # Excel's "Unicode Text": UTF-16, tab-separated
    ".xlsx": _read_xlsx,
    ".parquet": _read_parquet,
}
