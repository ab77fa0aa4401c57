"""Values handed to the store's queries without parameters: lists as tables, numbers as literals."""

from __future__ import annotations

import duckdb
import pytest

from reconcile.store.listed import listed, number


def test_a_list_is_a_table_within_the_block_only() -> None:
    con = duckdb.connect()
    with listed(con, "_communes", ["19753", "O'Brien", "19753"]):
        assert con.execute("SELECT count(*), count(DISTINCT value) FROM _communes").fetchone() == (3, 2)
        # A quote in a value is data, never SQL.
        assert con.execute("SELECT value FROM _communes WHERE value LIKE 'O%'").fetchone() == ("O'Brien",)
    with pytest.raises(duckdb.CatalogException):
        con.execute("SELECT * FROM _communes")


def test_only_numbers_are_written_into_the_sql() -> None:
    assert (number(3), number(0.01), number(1e-5)) == ("3", "0.01", "1e-05")
    assert duckdb.sql(f"SELECT {number(1e-5)} < 0.001").fetchone() == (True,)
    for bad in ("1; DROP TABLE runs", True, None):
        with pytest.raises(TypeError, match="not a number"):
            number(bad)
