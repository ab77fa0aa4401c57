"""Read a CSV, XLSX or Parquet export as text, numbering each row as the user sees it."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import fastexcel
import polars as pl

from reconcile.errors import InputFileError

_NOT_UTF8 = "is not UTF-8 text; open it in Excel and save it as 'CSV UTF-8 (Comma delimited)', then try again"
_DELIMITERS = (",", ";", "\t")


def read_table(path: Path) -> pl.DataFrame:
    """Read an input file: every column as stripped text (empty → null), blank rows left out.

    Adds `source_file` (the path as given) and `source_row` (header = row 1, so the first
    data row of a CSV or XLSX is row 2; a Parquet row is its 1-based index).
    """
    if not path.exists():
        raise InputFileError(str(path), "file not found")
    if not path.is_file():
        raise InputFileError(str(path), "is not a file")
    reader = _READERS.get(path.suffix.lower())
    if reader is None:
        raise InputFileError(str(path), f"unknown file type '{path.suffix}'; expected {', '.join(_READERS)}")
    frame, first_row = reader(path)
    return _tidy(frame, path, first_row)


def _read_csv(path: Path) -> tuple[pl.DataFrame, int]:
    with path.open("rb") as handle:
        head = handle.readline(1 << 20)
    if head.startswith(b"PK\x03\x04"):
        raise InputFileError(str(path), "is an Excel workbook, not CSV text; rename it to .xlsx")
    try:
        header = head.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputFileError(str(path), _NOT_UTF8) from exc
    if not header.strip():
        raise InputFileError(str(path), "is empty or has no header on its first line")
    separator = max(_DELIMITERS, key=header.count)  # a tie keeps the first: ','
    try:
        frame = pl.read_csv(path, separator=separator, infer_schema=False)
    except pl.exceptions.ComputeError as exc:
        if "utf-8" in str(exc):
            raise InputFileError(str(path), _NOT_UTF8) from exc
        raise InputFileError(str(path), f"cannot be read as CSV: {_first_line(exc)}") from exc
    return frame, 2


def _read_xlsx(path: Path) -> tuple[pl.DataFrame, int]:
    if not zipfile.is_zipfile(path):
        raise InputFileError(
            str(path), "is not an XLSX workbook (not a zip archive); open it in Excel and save it as .xlsx"
        )
    try:
        sheet = fastexcel.read_excel(path).load_sheet(0, dtypes="string")
        frame = sheet.to_polars()
    except fastexcel.FastExcelError as exc:
        raise InputFileError(str(path), f"cannot be read as XLSX: {_first_line(exc)}") from exc
    if not frame.columns:
        raise InputFileError(str(path), "has an empty first sheet")
    # calamine writes a date cell as 'yyyy-mm-dd 00:00:00'; the time of a date is noise.
    return frame.with_columns(pl.all().str.replace(r"^(\d{4}-\d{2}-\d{2}) 00:00:00$", "${1}")), 2


def _read_parquet(path: Path) -> tuple[pl.DataFrame, int]:
    with path.open("rb") as handle:
        if handle.read(4) not in (b"PAR1", b"PARE"):  # plain and encrypted Parquet
            raise InputFileError(str(path), "is not a Parquet file; export it again as Parquet, CSV or XLSX")
    try:
        frame = pl.read_parquet(path)
        return frame.select(_as_text(name, dtype) for name, dtype in frame.schema.items()), 1
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise InputFileError(str(path), f"cannot be read as Parquet: {_first_line(exc)}") from exc


def _as_text(name: str, dtype: pl.DataType) -> pl.Expr:
    """A column as text; a float holding a whole number loses its '.0', as in a spreadsheet."""
    column = pl.col(name)
    if dtype.is_float():
        whole = (column == column.round()) & (column.abs() < 1e15)
        as_int = column.cast(pl.Int64).cast(pl.String)
        return pl.when(whole).then(as_int).otherwise(column.cast(pl.String)).alias(name)
    return column.cast(pl.String)


def _tidy(frame: pl.DataFrame, path: Path, first_row: int) -> pl.DataFrame:
    columns = frame.columns
    stripped = [pl.col(c).str.strip_chars() for c in columns]
    frame = (
        frame.with_columns(pl.when(s.str.len_bytes() > 0).then(s) for s in stripped)
        .with_row_index("source_row", offset=first_row)
        .with_columns(pl.col("source_row").cast(pl.Int64), pl.lit(str(path)).alias("source_file"))
    )
    if columns:
        frame = frame.filter(pl.any_horizontal(pl.col(columns).is_not_null()))
    return frame.select(*columns, "source_file", "source_row")


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


_READERS: dict[str, Callable[[Path], tuple[pl.DataFrame, int]]] = {
    ".csv": _read_csv,
    ".tsv": _read_csv,
    ".xlsx": _read_xlsx,
    ".parquet": _read_parquet,
}
