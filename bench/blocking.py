"""Comparisons each prediction blocking rule makes on a campaign's ingested records (Splink's
exact blocking analysis), for our rules and for the plain pipeline's naive ones. One JSON line.

    python bench/blocking.py CAMPAIGN_FOLDER
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path

import duckdb
import polars as pl

from reconcile.link.baseline import NAIVE_BLOCKING
from reconcile.link.blocking import comparisons_per_rule
from reconcile.link.model import LINK_COLUMNS, STORED_LINK_COLUMNS
from reconcile.ruleset import load_rules


def main(campaign: Path) -> None:
    con = duckdb.connect(str(campaign / "campaign.duckdb"), read_only=True)
    def read(table: str) -> pl.DataFrame:
        present = set(con.sql(f"SELECT * FROM {table} LIMIT 0").columns)
        columns = ", ".join(c for c in STORED_LINK_COLUMNS if c in present)
        return pl.from_arrow(con.sql(f"SELECT {columns} FROM {table}").to_arrow_table())

    spouses, persons = read("spouses"), read("persons")
    con.close()
    rules = load_rules(campaign / "rules").matching
    print(json.dumps({
        "spouses": spouses.height, "persons": persons.height,
        "reconcile": [asdict(c) for c in comparisons_per_rule(spouses, persons, rules.blocking_rules, LINK_COLUMNS)],
        "plain": [asdict(c) for c in comparisons_per_rule(spouses, persons, NAIVE_BLOCKING, LINK_COLUMNS)],
    }))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
