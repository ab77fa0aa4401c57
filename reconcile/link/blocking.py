"""Blocking: which side is `l` in the rules, and how many comparisons each rule makes
(Splink's blocking analysis, the figures of docs/performance.md)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl
from splink import DuckDBAPI
from splink.blocking_analysis import count_comparisons_from_blocking_rules

from reconcile.link.engine import DEFAULT_ENGINE, Engine, backend
from reconcile.link.settings import sql_in_dialect

# Splink (link_only) puts the input whose name sorts first on the left of every pair: `l.` in
# a blocking rule, `_l` in a comparison. The rules write the registry spouse as `l`, so its
# name sorts before the population's.
SPOUSES_DATASET, PERSONS_DATASET = "marriage_registry", "population"


def register_inputs(db_api: Any, spouses: pl.DataFrame, persons: pl.DataFrame,
                    columns: Sequence[str]) -> tuple[Any, Any]:
    """Hand both sides to Splink, the registry on the left."""
    left = db_api.register(as_arrow(db_api, spouses.select(columns)), dataset_display_name=SPOUSES_DATASET)
    right = db_api.register(as_arrow(db_api, persons.select(columns)), dataset_display_name=PERSONS_DATASET)
    return left, right


def as_arrow(db_api: Any, frame: pl.DataFrame) -> Any:
    """`frame` as Arrow for `db_api`. DuckDB reads Polars' string views as they are: no copy of
    the strings (the default conversion copies every string column into a new buffer)."""
    if isinstance(db_api, DuckDBAPI):
        return frame.to_arrow(compat_level=pl.CompatLevel.newest())
    return frame.to_arrow()


@dataclass(frozen=True)
class RuleCost:
    """Comparisons one prediction blocking rule adds (pairs no earlier rule made), and the total so far."""

    rule: str
    comparisons: int
    cumulative: int


def comparisons_per_rule(spouses: pl.DataFrame, persons: pl.DataFrame, rules: Sequence[str],
                         columns: Sequence[str], engine: Engine = DEFAULT_ENGINE) -> list[RuleCost]:
    """Splink's exact count of the comparisons each rule generates, in order (no sampling)."""
    with backend(engine) as (db_api, dialect):
        counts = count_comparisons_from_blocking_rules(
            list(register_inputs(db_api, spouses, persons, columns)),
            blocking_rules=[sql_in_dialect(r, dialect) for r in rules], link_type="link_only", record_sample_proportion=1.0)
    return [RuleCost(rule, int(c["marginal_comparison_count"]), int(c["cumulative_comparison_count"]))
            for rule, c in zip(rules, counts, strict=True)]
