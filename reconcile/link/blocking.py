"""Blocking: how many comparisons each rule makes (Splink's blocking analysis, the figures of
docs/performance.md)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl
from splink.blocking_analysis import count_comparisons_from_blocking_rules

from reconcile.link.engine import DEFAULT_ENGINE, Engine, backend
from reconcile.link.inputs import Inputs, matcher_inputs
from reconcile.link.settings import sql_in_dialect


@dataclass(frozen=True)
class RuleCost:
    """Comparisons one prediction blocking rule adds (pairs no earlier rule made), and the total so far."""

    rule: str
    comparisons: int
    cumulative: int


def comparisons_per_rule(spouses: pl.DataFrame, persons: pl.DataFrame, rules: Sequence[str],
                         columns: Sequence[str], engine: Engine = DEFAULT_ENGINE) -> list[RuleCost]:
    """Splink's exact count of the comparisons each rule generates, in order (no sampling)."""
    spouses, persons = matcher_inputs(spouses, persons, columns)
    with backend(engine) as (db_api, dialect):
        counts = count_comparisons_from_blocking_rules(
            Inputs(db_api, spouses, persons, columns).tables,
            blocking_rules=[sql_in_dialect(r, dialect) for r in rules], link_type="link_only", record_sample_proportion=1.0)
    return [RuleCost(rule, int(c["marginal_comparison_count"]), int(c["cumulative_comparison_count"]))
            for rule, c in zip(rules, counts, strict=True)]
