"""The plain Splink pipeline of `make bench`: Splink's standard comparisons (reconcile/link/baseline.py)
with naive blocking (the ID, or given name + birth year across the province), trained the same
way, on a campaign's ingested records. Prints its figures as one JSON line.

    python bench/plain.py CAMPAIGN_FOLDER OUT.parquet
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import duckdb
import polars as pl

from reconcile.link.baseline import NAIVE_BLOCKING, baseline_pairs
from reconcile.ruleset import load_rules


def main(campaign: Path, out: Path) -> None:
    started = time.perf_counter()
    con = duckdb.connect(str(campaign / "campaign.duckdb"), read_only=True)
    spouses, persons = (pl.from_arrow(con.sql(f"SELECT * FROM {t}").to_arrow_table()) for t in ("spouses", "persons"))
    con.close()
    loaded = time.perf_counter()
    _, pairs = baseline_pairs(spouses, persons, load_rules(campaign / "rules").matching, blocking_rules=NAIVE_BLOCKING)
    pairs.write_parquet(out)
    print(json.dumps({"load_s": loaded - started, "train_predict_s": time.perf_counter() - loaded,
                      "pairs": pairs.height, "spouses": spouses.height, "persons": persons.height}))


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
