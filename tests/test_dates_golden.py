"""Dates as typed, read as reconcile reads them: a golden table (tests/golden/dates.tsv) that anyone
can extend without writing code (sqlglot's habit)."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from reconcile.normalize.dates import parse_dates
from tests.golden_tables import read_table

HEADER, CASES = read_table("dates")


def _expected(cells: list[str]) -> dict[str, object]:
    typed = {"year": int, "month": int, "day": int, "precision": str,
             "placeholder": lambda v: v == "true", "swapped": lambda v: v == "true", "impossible": lambda v: v == "true"}
    return {name: (typed[name](value) if value else None) for name, value in zip(HEADER[1:], cells[1:], strict=True)}


@pytest.mark.parametrize("cells", CASES, ids=[c[0] for c in CASES])
def test_date_as_read(cells: list[str]) -> None:
    got = parse_dates(pl.Series([cells[0]], dtype=pl.String)).row(0, named=True)
    expected = _expected(cells)
    assert {name: got[name] for name in HEADER[1:]} == expected
    # A date is read whole only to the day; every text of the table is readable.
    whole = expected["precision"] == "day"
    assert got["date"] == (dt.date(got["year"], got["month"], got["day"]) if whole else None)
    assert got["reason"] is None
