"""The birth-date and name comparisons of rules/matching.toml, level by level, on dates and names as
officers type them: golden tables (tests/golden/birth_date_levels.tsv, name_levels.tsv) that anyone
can extend without writing code."""

from __future__ import annotations

import duckdb
import polars as pl
import pytest

from reconcile.normalize.dates import parse_dates
from reconcile.normalize.names import name_columns, toned_only
from reconcile.ruleset import load_rules
from tests.golden_tables import read_table

_, CASES = read_table("birth_date_levels")
_, NAME_CASES = read_table("name_levels")


def _level(registry: str, population: str, comparison_name: str = "birth_date") -> str:
    """The first level of the comparison whose SQL holds for the two values (Splink's CASE)."""
    comparison = next(c for c in load_rules().matching.comparisons if c.name == comparison_name)
    if comparison_name == "birth_date":
        sides = [parse_dates(pl.Series([text])).select(pl.all().name.prefix("birth_").name.suffix(f"_{side}"))
                 for text, side in ((registry, "l"), (population, "r"))]
    else:
        # As the matcher is given them (a name typed without diacritics has no tone form).
        sides = [toned_only(name_columns(pl.DataFrame({"raw": [text]}), "raw").drop("raw")).select(
                 pl.all().name.suffix(f"_{side}")) for text, side in ((registry, "l"), (population, "r"))]
    pair = pl.concat(sides, how="horizontal")
    cases = " ".join(f"WHEN {level.sql} THEN '{level.label}'" for level in comparison.levels if level.sql != "ELSE")
    with duckdb.connect() as con:
        con.register("pair", pair.to_arrow())
        [(label,)] = con.execute(f"SELECT CASE {cases} ELSE 'else' END FROM pair").fetchall()
    return str(label)


@pytest.mark.parametrize(("registry", "population", "expected"), CASES, ids=[f"{r}~{p}" for r, p, _ in CASES])
def test_birth_date_level(registry: str, population: str, expected: str) -> None:
    assert _level(registry, population) == expected


@pytest.mark.parametrize(("registry", "population", "expected"), NAME_CASES, ids=[f"{r}~{p}" for r, p, _ in NAME_CASES])
def test_name_level(registry: str, population: str, expected: str) -> None:
    assert _level(registry, population, "name") == expected
