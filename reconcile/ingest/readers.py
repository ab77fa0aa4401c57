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
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import fastexcel
import polars as pl

from reconcile.errors import InputFileError
from reconcile.ingest.encoding import open_text
from reconcile.ingest.privacy import mask_ids
from reconcile.ingest.workbook import check_archive, check_workbook

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
        raise InputFileError.said("err_file_not_found", str(path))
    if not path.is_file():
        raise InputFileError.said("err_not_a_file", str(path))
    reader = _READERS.get(path.suffix.lower())
    if reader is None:
        raise InputFileError.said("err_file_type", str(path), suffix=path.suffix, types=", ".join(_READERS))
    try:
        frame, malformed = reader(path)
    except OSError as exc:
        raise InputFileError.said("err_file_unreadable", str(path), why=exc.strerror or exc) from exc
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
            fast = _fast_csv(path, text)
            return fast if fast is not None else _parse_csv(path, text)
    except csv.Error as exc:
        raise InputFileError.said("err_csv_unreadable", str(path), why=mask_ids(str(exc))) from exc
    finally:
        csv.field_size_limit(limit)


@dataclass(frozen=True)
class _Header:
    """A CSV header: its separator, its `width` named columns, the `spare` empty names after them,
    and the schema of the rows read (a text column per name, then source_row)."""

    separator: str
    width: int
    spare: int
    schema: dict[str, pl.DataType]


def _header(path: Path, fields: list[str], separator: str) -> _Header:
    spare = 0  # separators after the last name: rows may end with as many empty values
    while fields and not fields[-1].strip():
        fields.pop()
        spare += 1
    if not fields:
        raise InputFileError.said("err_csv_no_header_names", str(path))
    schema = {**dict.fromkeys(_unique_headers(fields), pl.String), "source_row": pl.Int64}
    return _Header(separator, len(fields), spare, schema)


def _parse_csv(path: Path, text: Iterator[str]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Read a CSV row by row with Python's csv module: any file, however broken."""
    first = next(text, "")
    if not first.strip():
        raise InputFileError.said("err_csv_no_header_blank", str(path))
    separator = max(_DELIMITERS, key=first.count)  # a tie keeps the first: ','
    seen = _Seen()
    records = csv.reader(_lines(itertools.chain([first], text), seen), delimiter=separator)
    fields = next(records)
    if seen.ended:
        raise _never_closed(path, 1)
    header = _header(path, fields, separator)
    batches = [pl.DataFrame(schema=header.schema)]
    values: list[str | None] = []  # row after row: far faster to hand to Polars than columns
    numbers: list[int] = []
    malformed: list[tuple[int, str, str]] = []
    line = records.line_num
    for row, fields in enumerate(records, start=2):
        if seen.ended:  # the parser asked for more lines than the file has: a quote is open
            raise _never_closed(path, row)
        one_line, line = records.line_num == line + 1, records.line_num
        if len(fields) != header.width or not one_line:  # the usual row skips these checks
            fitted = _odd_row(path, fields, row, header, seen.last.endswith(("\n", "\r")))
            if fitted is None:
                continue
            if isinstance(fitted, str):
                malformed.append((row, fitted, json.dumps({"fields": fields}, ensure_ascii=False)))
                continue
            fields = fitted
        values.extend(fields)
        numbers.append(row)
        if len(numbers) == _BATCH:
            batches.append(_batch(values, numbers, header.schema))
            values, numbers = [], []
    batches.append(_batch(values, numbers, header.schema))
    return pl.concat(batches), pl.DataFrame(malformed, schema=_MALFORMED, orient="row")


def _odd_row(
    path: Path, fields: list[str], row: int, header: _Header, line_ended: bool
) -> list[str | None] | str | None:
    """A row that is not one line of exactly the header's width: its values fitted to the header,
    its problem (a malformed row), or None for a blank row (left out, its number still taken)."""
    if not "".join(fields).strip():
        return None
    width = header.width
    if len(fields) < width and not line_ended:  # only the last line can lack a line break
        raise InputFileError.said("err_csv_cut_row", str(path), row=row, fields=len(fields), width=width)
    problem = _shape_problem(fields, width, header.spare, header.separator)
    if problem is not None:
        return problem
    return [*fields[:width], *[None] * (width - len(fields))]


def _fast_csv(path: Path, text: TextIO) -> tuple[pl.DataFrame, pl.DataFrame] | None:
    """Read a UTF-8 CSV with Polars' reader when every line of it is a whole row in plain CSV
    quoting, else None (the csv module then reads it row by row).

    Plain quoting (a value either unquoted with no '"', or wholly quoted with '""' inside) reads
    alike in both readers, and a line in it is one row. Lines not exactly as wide as the header
    (blank ones, malformed rows) get the checks of `_parse_csv`, one by one; Polars parses the rest.
    """
    if getattr(text, "encoding", None) not in ("utf-8", "utf-8-sig"):
        return None
    split = _file_lines(path.read_bytes())
    if split is None:
        return None
    ended, lines = split
    first = lines[0].removeprefix("\ufeff")
    if not first.strip() or lines.str.len_bytes().max() > _MAX_FIELD:
        return None
    separator = max(_DELIMITERS, key=first.count)  # a tie keeps the first: ','
    sep = f"\\x{ord(separator):02x}"  # reads the same in Python's re and Polars' (Rust) regex
    value = f'(?:"(?:[^"]|"")*"|[^"{sep}]*)'
    # The header line too must be plain, as the csv module reads it: a file that starts with a BOM
    # is opened as utf-8-sig, which drops the BOM (with it, a quoted header read as not plain).
    if not _all_plain(pl.Series([first]), value, sep):
        return None
    header = _header(path, next(csv.reader([first], delimiter=separator)), separator)
    # A plain line splits into values one way only, so it is a whole row exactly when it is
    # `width` plain values; the other lines are checked for plain quoting on their own.
    width_values = f"^{value}(?:{sep}{value}){{{header.width - 1}}}$"
    whole = pl.col("line").str.contains(width_values) & (pl.col("line") != "")
    checked = pl.DataFrame({"line": lines}).with_row_index("row", offset=1).slice(1).with_columns(whole=whole)
    del lines
    odd = checked.filter(~pl.col("whole")).select("row", "line")
    if not _all_plain(odd.get_column("line"), value, sep):
        return None
    values: list[str | None] = []
    numbers: list[int] = []
    malformed: list[tuple[int, str, str]] = []
    last = checked.height + 1
    for row, line in odd.iter_rows():
        fields = next(csv.reader([line], delimiter=separator), [])
        fitted = _odd_row(path, fields, row, header, ended or row < last)
        if isinstance(fitted, str):
            malformed.append((row, fitted, json.dumps({"fields": fields}, ensure_ascii=False)))
        elif fitted is not None:
            values.extend(fitted)
            numbers.append(row)
    kept = checked.filter("whole").select("row")
    all_whole = kept.height == checked.height
    # Every line after the header a whole row (the usual file): Polars reads the file as it is.
    body = path if all_whole else checked.filter("whole").select(pl.col("line").str.join("\n").cast(pl.Binary)).item()
    del checked
    names = list(header.schema)[:-1]
    parsed = (
        pl.read_csv(
            body, has_header=False, skip_rows=int(all_whole), schema=dict.fromkeys(names, pl.String),
            separator=separator, quote_char='"', raise_if_empty=False,
        )
        if kept.height
        else pl.DataFrame(schema=dict.fromkeys(names, pl.String))
    )
    if parsed.height != kept.height:  # not expected: the row-by-row reader decides
        return None
    frame = parsed.with_columns(source_row=kept.get_column("row").cast(pl.Int64))
    if numbers:
        frame = pl.concat([frame, _batch(values, numbers, header.schema)]).sort("source_row")
    return frame, pl.DataFrame(malformed, schema=_MALFORMED, orient="row")


def _file_lines(data: bytes) -> tuple[bool, pl.Series] | None:
    """Whether the file ends with a line break, and its lines as text without their line breaks
    (the first with its BOM, if any); None when the csv module would see other lines (a NUL, or a
    lone CR, which ends a line there), or when the lines cannot be told apart as expected."""
    returns = data.count(b"\r")
    if b"\x00" in data or (returns and returns != data.count(b"\r\n")):
        return None
    ended = data.endswith(b"\n")
    # Polars' CSV reader with no quote character and a separator the file lacks (NUL) splits the
    # lines in parallel, '\r\n' as one break; it also drops a BOM, which the header line keeps here.
    lines = pl.read_csv(
        data, has_header=False, separator="\x00", quote_char=None, schema={"line": pl.String},
        empty_string_is_null=False, raise_if_empty=False,
    ).get_column("line")
    if len(lines) != data.count(b"\n") + (not ended):
        return None
    end = data.find(b"\n")
    head = data[: end if end >= 0 else len(data)].decode("utf-8")
    return ended, lines.scatter(0, head.removesuffix("\r") if returns else head)


def _all_plain(lines: pl.Series, value: str, sep: str) -> bool:
    """Whether every line is plain CSV: values, each unquoted or wholly quoted, between separators."""
    return bool(lines.str.contains(f"^{value}(?:{sep}{value})*$").all())


def _never_closed(path: Path, row: int) -> InputFileError:
    return InputFileError.said("err_csv_quote_never_closed", str(path), row=row)


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
        raise InputFileError.said("err_xlsx_not_zip", str(path))
    check_archive(path)  # a zip bomb is refused before anything is unpacked
    # The sheet's XML is scanned for damage and merged cells while calamine reads it, each on a core
    # of its own (one after the other, 4.1 s for the 286,000 marriages' workbook; so, 3.4 s). The
    # scan's refusal comes first, as if it had run alone.
    failure: Exception | None = None
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="reconcile-xlsx-check") as pool:
        checked = pool.submit(check_workbook, path)
        try:
            frame = fastexcel.read_excel(path).load_sheet(0, header_row=None, dtypes="string").to_polars()
        except (fastexcel.FastExcelError, ValueError, OverflowError) as exc:
            failure = exc
        header_row = checked.result()
    if failure is not None:
        raise InputFileError.said("err_xlsx_unreadable", str(path), why=mask_ids(_first_line(failure))) from failure
    if frame.is_empty() or not frame.columns:
        raise InputFileError.said("err_xlsx_empty_sheet", str(path))
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
            raise InputFileError.said("err_parquet_not", str(path))
    try:
        frame = pl.read_parquet(path)
        frame = frame.select(_as_text(name, dtype) for name, dtype in frame.schema.items())
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise InputFileError.said("err_parquet_unreadable", str(path), why=mask_ids(_first_line(exc))) from exc
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
    frame = frame.with_columns(pl.col(c).str.strip_chars().replace("", None) for c in columns).with_columns(
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
