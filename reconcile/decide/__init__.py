"""Decide: from scored pairs to buckets, reasons and actions. Pure Polars, no I/O."""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from reconcile.decide.links import ranked_pairs, spouse_links, top_candidates
from reconcile.decide.marriages import decide_marriages
from reconcile.decide.persons import decide_persons
from reconcile.frames import RESULTS
from reconcile.ruleset import BucketRules, Reason

RESULT_COLUMNS = RESULTS.columns


def decide(
    marriages: pl.DataFrame,
    spouses: pl.DataFrame,
    persons: pl.DataFrame,
    pairs: pl.DataFrame,
    rules: BucketRules,
    reasons: Mapping[str, Reason],
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Return (results, links): one result row per marriage and per married-but-unlinked person,
    and one link row per spouse (its best candidate and link reasons)."""
    links = spouse_links(spouses, persons, pairs, rules)
    results = pl.concat(
        [decide_marriages(marriages, spouses, persons, links, rules, reasons), decide_persons(
            persons, links, pairs, spouses, rules.couples if rules.couples and rules.couples.enabled else None)],
        how="vertical_relaxed",
    )
    return results.select(RESULT_COLUMNS), links


__all__ = ["RESULT_COLUMNS", "decide", "ranked_pairs", "spouse_links", "top_candidates"]
