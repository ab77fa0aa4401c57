"""The 2025 merger: a ward code as typed, on a record from before or after 1 July 2025, read as the
current commune, from the golden table tests/golden/communes.tsv."""

from __future__ import annotations

import polars as pl
import pytest
from golden_tables import read_table

from reconcile.normalize.communes import commune_table, current_communes
from reconcile.normalize.wards import CURRENT, OLD_MAPPED, OLD_SPLIT, UNKNOWN, commune_columns

HEADER, CASES = read_table("communes")


def _read(cases: list[list[str]]) -> list[tuple[str, str]]:
    frame = pl.DataFrame({"code": [c[0] for c in cases], "before": [c[1] == "true" for c in cases]})
    out = commune_columns(frame, "code", pl.col("before"), commune_table(), current_communes())
    return [(r["commune"] or "", r["commune_source"]) for r in out.iter_rows(named=True)]


@pytest.mark.parametrize("case", CASES, ids=[f"{c[0].strip() or 'empty'}-{c[1]}" for c in CASES])
def test_a_ward_code_reads_as_the_golden_table_says(case: list[str]) -> None:
    assert _read([case]) == [(case[2], case[3])]


def test_the_whole_table_at_once_reads_as_each_line_alone() -> None:
    # Codes are read once per distinct value and side of the merger, then joined back in order.
    assert _read(CASES) == [(c[2], c[3]) for c in CASES]


def test_the_table_shows_every_kind_of_source() -> None:
    assert {c[3] for c in CASES} == {CURRENT, OLD_MAPPED, OLD_SPLIT, UNKNOWN}
