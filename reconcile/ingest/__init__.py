"""Ingest: read an export, map its headers to the canonical columns, reject unworkable rows.

    read_registry(path, columns)    registry marriages  → IngestedTable
    read_population(path, columns)  population persons  → IngestedTable
    load_column_map(path=None)      rules/columns.toml  → ColumnMap
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from reconcile.errors import InputFileError
from reconcile.ingest.columns import ColumnMap, TableColumns, load_column_map, map_headers
from reconcile.ingest.readers import read_table
from reconcile.ingest.validate import split_rejected

__all__ = ["ColumnMap", "IngestedTable", "load_column_map", "read_population", "read_registry"]


@dataclass(frozen=True)
class IngestedTable:
    """One input file after ingest: its accepted rows, its rejected rows and what was ignored.

    `rows` has every canonical column (text) plus source_file and source_row;
    `rows_read` counts the non-blank data rows (malformed ones too) and equals accepted
    plus rejected.
    """

    kind: str
    path: Path
    rows: pl.DataFrame
    rejected: pl.DataFrame
    ignored_columns: tuple[str, ...]
    sha256: str
    rows_read: int


def read_registry(path: Path, columns: ColumnMap) -> IngestedTable:
    """Read a civil-status marriage export (one row per registration)."""
    return _ingest(Path(path), columns.registry)


def read_population(path: Path, columns: ColumnMap) -> IngestedTable:
    """Read a population database export (one row per person)."""
    return _ingest(Path(path), columns.population)


def _ingest(path: Path, table: TableColumns) -> IngestedTable:
    read = read_table(path)
    canonical, ignored = map_headers(read.rows, table, path)
    if read.rows.is_empty() and read.malformed.is_empty():
        # Taken as it is, it would replace the campaign's data with nothing.
        raise InputFileError.said("err_no_rows", str(path))
    rows, rejected = split_rejected(canonical, table.spec, path, read.malformed)
    with path.open("rb") as handle:
        sha256 = hashlib.file_digest(handle, "sha256").hexdigest()
    return IngestedTable(
        table.spec.kind, path, rows, rejected, ignored, sha256, read.rows.height + read.malformed.height
    )
