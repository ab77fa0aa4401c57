"""Write a table as CSV (UTF-8 with BOM), Parquet or XLSX, every value as text, empty as blank."""

from __future__ import annotations

from pathlib import Path

import polars as pl
from openpyxl import Workbook

FILE_FORMATS = ("csv", "parquet", "xlsx")


def write_table(frame: pl.DataFrame, stem: Path, file_format: str) -> Path:
    """Write `frame` to `stem` + the format's suffix and return the path."""
    frame = frame.with_columns(pl.col(pl.String).replace("", None))
    path = stem.with_suffix(f".{file_format}")
    if file_format == "csv":
        frame.write_csv(path, include_bom=True)
    elif file_format == "parquet":
        frame.write_parquet(path)
    elif file_format == "xlsx":
        # openpyxl (already a dependency) in write-only mode; sensible for small tables only.
        book = Workbook(write_only=True)
        sheet = book.create_sheet(stem.name)
        sheet.append(frame.columns)
        for row in frame.iter_rows():
            sheet.append(row)
        book.save(path)
    else:
        raise ValueError(f"unknown file format {file_format!r}; expected one of {FILE_FORMATS}")
    return path
