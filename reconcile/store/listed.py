"""Lists of values handed to a query as a table it reads, instead of as a parameter.

DuckDB plans a statement with parameters before it knows their values, so a filter on a
parameter is not pushed into the scan of a table: every row is read and compared (for a
province's latest results by commune, or the model's term frequencies, ten times and more the
time: docs/performance.md). A list registered as a table is planned like any table; numbers are
written into the SQL (`number`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import duckdb
import pyarrow as pa


@contextmanager
def listed(con: duckdb.DuckDBPyConnection, name: str, values: Sequence[str]) -> Iterator[str]:
    """Within it, `name` is a table of one text column, `value`, holding `values`."""
    con.register(name, pa.table({"value": pa.array(list(values), pa.string())}))
    try:
        yield name
    finally:
        con.unregister(name)


def number(value: float) -> str:
    """A number as a SQL literal (refusing anything else, so no text reaches the SQL)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"not a number: {value!r}")
    return repr(int(value)) if isinstance(value, int) else repr(float(value))
