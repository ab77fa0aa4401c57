"""Writing a whole table fast: Polars frames handed to DuckDB as Arrow, one row group per batch,
with each text column's compression named rather than tried."""

from __future__ import annotations

import re
from collections.abc import Iterator

import duckdb
import polars as pl
import pyarrow as pa

# Rows per Arrow batch handed to DuckDB when storing a table: its row group size.
ROW_GROUP = 122_880
# A text column whose values are mostly repeats (distinct values at most this share of them) is
# stored as a dictionary, any other with FSST: DuckDB would choose so itself, after trying both.
_DICTIONARY_SHARE = 0.05


def _arrow_stream(frame: pl.DataFrame) -> pa.RecordBatchReader:
    """A frame as Arrow batches of one row group each, converted only as DuckDB reads them: the
    table is never held twice, and DuckDB's threads compress and write the row groups in parallel.

    Text goes as Arrow string views, Polars' own layout, so it is handed over without a copy; a
    batch is one chunk, since DuckDB merges (and writes again) the row groups of smaller batches."""
    newest = pl.CompatLevel.newest()

    def batches() -> Iterator[pa.RecordBatch]:
        for start in range(0, frame.height, ROW_GROUP):
            yield from frame.slice(start, ROW_GROUP).rechunk().to_arrow(compat_level=newest).to_batches()

    return pa.RecordBatchReader.from_batches(frame.head(0).to_arrow(compat_level=newest).schema, batches())


def _text_compression(frame: pl.DataFrame) -> dict[str, str]:
    """The compression of each text column, judged on about a row group of rows taken across the frame:
    naming it spares DuckDB trying every method on every row group (a third of the time of a write)."""
    text = [column for column, dtype in frame.schema.items() if dtype == pl.String]
    if not text:
        return {}
    sample = frame.select(text).gather_every(max(frame.height // ROW_GROUP, 1))
    distinct = sample.select(pl.all().drop_nulls().n_unique()).row(0)
    values = sample.select(pl.all().count()).row(0)
    return {
        column: "dictionary" if different <= _DICTIONARY_SHARE * given else "fsst"
        for column, different, given in zip(text, distinct, values, strict=True)
    }


def quoted(name: str) -> str:
    """A table or column name quoted for DuckDB's SQL."""
    return '"' + name.replace('"', '""') + '"'


def literal(value: str) -> str:
    """A text value as a string literal of DuckDB's SQL (where a parameter cannot go: a type, a table's
    definition)."""
    return "'" + value.replace("'", "''") + "'"


def insert(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    """Append a frame's columns to the same-named columns of a table, in row groups (`_arrow_stream`):
    DuckDB reads an Arrow batch on one thread, so a frame of one chunk handed over whole was written
    by one (a run's 8.4 M candidate rows on the 1.5 M province: 4.5-4.7 s whole, 2.5-2.8 s so)."""
    con.register("_incoming", _arrow_stream(frame))
    con.execute(f'INSERT INTO "{table}" BY NAME SELECT * FROM _incoming')
    con.unregister("_incoming")


def replace_table(con: duckdb.DuckDBPyConnection, name: str, frame: pl.DataFrame) -> None:
    """Make the table `name` hold exactly `frame` (its columns and types)."""
    con.register("_incoming", _arrow_stream(frame))
    # A table under a row group is quick to write, and DuckDB weighs the methods' fixed costs best.
    methods = _text_compression(frame) if frame.height >= ROW_GROUP and _two_text_methods(con) else {}
    columns = ", ".join(
        quoted(column) + f" {_enum(frame[column]) or kind}"
        + (f" USING COMPRESSION {methods[column]}" if column in methods else "")
        for column, kind, *_ in con.execute("DESCRIBE SELECT * FROM _incoming").fetchall()
    )
    con.execute(f"CREATE OR REPLACE TABLE {quoted(name)} ({columns})")
    con.execute(f"INSERT INTO {quoted(name)} SELECT * FROM _incoming")
    con.unregister("_incoming")


def _enum(column: pl.Series) -> str | None:
    """A categorical column's type in DuckDB: an ENUM of its values (None for other columns, or
    one with no value). Stored as text, a scoring's 2.4 M pairs' eight comparison levels took
    1.9 s to write and 0.8-1.3 s to read back; as ENUMs 1.4-1.7 s and 0.5 s (read as categories)."""
    if not isinstance(column.dtype, (pl.Categorical, pl.Enum)):
        return None
    values = column.drop_nulls().unique().cast(pl.String).sort().to_list()
    return "ENUM(" + ", ".join(literal(v) for v in values) + ")" if values else None


def _two_text_methods(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the database's storage format chooses between a dictionary and FSST for text on every
    row group (before DuckDB 1.3's, which has one method for both; an encrypted database's is newer)."""
    tags = con.execute("SELECT tags FROM duckdb_databases() WHERE database_name = current_database()").fetchone()
    version = re.match(r"v(\d+)\.(\d+)\.", (tags[0] if tags else {}).get("storage_version", ""))
    return version is not None and (int(version[1]), int(version[2])) < (1, 3)
