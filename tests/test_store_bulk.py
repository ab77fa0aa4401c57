"""Writing a whole table (store.bulk): what goes in comes back, row for row, whatever its layout."""

from __future__ import annotations

import duckdb
import polars as pl
from polars.testing import assert_frame_equal

from reconcile.store import bulk


def _types(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    return {r[0]: r[1] for r in con.execute(f"DESCRIBE {table}").fetchall()}


def test_a_table_comes_back_as_written_and_its_categories_are_stored_as_enums() -> None:
    rows = bulk.ROW_GROUP + 7  # more than one row group: each batch is written on its own
    frame = pl.DataFrame({
        "spouse_uid": [f"M{i}|H" for i in range(rows)],
        "level_name": (["exact", None, "o'neil", "else"] * rows)[:rows],
        "level_none": [None] * rows,
        "weight": [i / 3 for i in range(rows)],
    }).with_columns(pl.col("level_name").cast(pl.Categorical),
                    pl.col("level_none").cast(pl.String).cast(pl.Categorical))
    with duckdb.connect() as con:
        bulk.replace_table(con, "pairs", frame)
        types = _types(con, "pairs")
        back = pl.from_arrow(con.sql("SELECT * FROM pairs").to_arrow_table())
    assert types["level_name"] == "ENUM('else', 'exact', 'o''neil')"
    assert types["level_none"] == "VARCHAR" and types["spouse_uid"] == "VARCHAR"  # no value to enumerate
    assert isinstance(back.schema["level_name"], pl.Categorical)
    assert_frame_equal(back.with_columns(pl.col("level_name", "level_none").cast(pl.String)),
                       frame.with_columns(pl.col("level_name", "level_none").cast(pl.String)))


def test_a_replaced_table_holds_only_the_new_frame_with_its_own_values() -> None:
    first = pl.DataFrame({"level": ["exact", "else"]}).with_columns(pl.col("level").cast(pl.Categorical))
    second = pl.DataFrame({"level": ["null", "close", None]}).with_columns(pl.col("level").cast(pl.Categorical))
    with duckdb.connect() as con:
        bulk.replace_table(con, "pairs", first)
        bulk.replace_table(con, "pairs", second)
        assert con.execute("SELECT level::VARCHAR FROM pairs").fetchall() == [("null",), ("close",), (None,)]
        assert _types(con, "pairs")["level"] == "ENUM('close', 'null')"
