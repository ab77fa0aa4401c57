"""Blocking: the candidate pairs a scoring compares, and how many comparisons each rule makes
(Splink's blocking analysis, the figures of docs/performance.md)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl
from splink.blocking_analysis import count_comparisons_from_blocking_rules
from splink.internals.unique_id_concat import CONCAT_SEPARATOR

from reconcile.link.engine import DEFAULT_ENGINE, Engine, backend
from reconcile.link.inputs import Inputs, matcher_inputs
from reconcile.link.settings import sql_in_dialect


# The table of blocked pairs `blocked_pairs` makes (Splink's own are named __splink__…).
BLOCKED_PAIRS = "reconcile_blocked_pairs"
# The table under it: the records' numbers, from which a view makes the text keys Splink joins on.
_BLOCKED_IDS = "reconcile_blocked_ids"


def blocked_pairs(db_api: Any, inputs: Sequence[Any], datasets: Sequence[str], rules: Sequence[str]) -> Any:
    """The pairs Splink's `compute_blocked_pairs_for_predict` makes of the two `inputs` (DuckDB:
    Splink data frames of the registry's and the population's tables, named `datasets` in Splink),
    made in the database to register with `register_blocked_pairs_for_predict`: every (spouse,
    person) pair some rule (DuckDB SQL, `l` the spouse) makes, once, with the first such rule's
    index as its `match_key`, and the join keys Splink scores them by.

    The scoring's statements run short of memory within their cap (docs/performance.md), so the
    pairs are kept small: a table of the records' numbers (the scoring numbers its records:
    `inputs.compact_ids`) and a small-integer match key (Splink's is text; it only carries it into
    the predictions), under a view that gives the numbers (`spouse`, `person`: `on_numbers` joins on
    them) and makes the text join keys as Splink reads them (12.7 M pairs at 1.5 M persons: 0.22 GB
    in DuckDB against 0.52 GB stored as text).

    The same pairs, made in about half the time: Splink drops a rule's pairs that an earlier rule
    made by testing every earlier rule on each, so each rule's join carries every column the earlier
    rules read; here each rule's join carries its own keys and the records' IDs, and the pairs
    several rules make are merged after (as Splink itself merges those of its exploding rules).
    At 1.5 M persons, 12.7 M pairs: 8-11 s in Splink's statement, about 4 s here (docs/performance.md);
    tests/test_link_blocking.py holds them equal to Splink's."""
    spouses, persons = (table.physical_name for table in inputs)
    each_rule = "\nUNION ALL\n".join(
        f"SELECT {i} AS match_key, l.unique_id AS spouse, r.unique_id AS person "
        f"FROM {spouses} AS l INNER JOIN {persons} AS r ON ({rule})"
        for i, rule in enumerate(rules))
    left, right = (f"'{name}{CONCAT_SEPARATOR}'" for name in datasets)
    con = db_api.duckdb_con
    drop_blocked_pairs(db_api)
    con.execute(f"CREATE TABLE {_BLOCKED_IDS} AS SELECT CAST(min(match_key) AS USMALLINT) AS match_key, spouse, person "
                f"FROM ({each_rule}) GROUP BY spouse, person")
    con.execute(f"CREATE VIEW {BLOCKED_PAIRS} AS SELECT match_key, {left} || spouse AS join_key_l, "
                f"{right} || person AS join_key_r, spouse, person FROM {_BLOCKED_IDS}")
    return db_api.register(BLOCKED_PAIRS)


# How Splink joins a record to a blocked pair's text key, in its source pruning and its predictions:
# `l."source_dataset" || '-__-' || l."unique_id" = b.join_key_l`.
_TEXT_KEY_JOIN = re.compile(r'(\w+)\."source_dataset" \|\| \'' + re.escape(CONCAT_SEPARATOR)
                            + r'\' \|\| \1\."unique_id" = (\w+)\.join_key_([lr])')


def on_numbers(sql: str, datasets: Sequence[str]) -> str:
    """Splink's `sql` with its joins of records to `blocked_pairs`' text keys made on the records'
    numbers instead: `l."source_dataset" = 'm' AND l."unique_id" = b.spouse` for the key above.
    The same rows (the key is the dataset's name, Splink's separator and the number, and no
    dataset's name holds the separator), joined on integers: DuckDB no longer makes two strings per
    pair to hash them (12.7 M pairs at 1.5 M persons; docs/performance.md). A statement Splink
    wrote otherwise, or joining Splink's own blocked pairs, is left as it is."""
    numbers = {"l": ("spouse", datasets[0]), "r": ("person", datasets[1])}
    # Only joins to these pairs: Splink's own (its chunked scoring) have no numbers.
    ours = set(re.findall(rf"\b{BLOCKED_PAIRS}\s+as\s+(\w+)", sql, flags=re.IGNORECASE))

    def joined(found: re.Match[str]) -> str:
        record, pairs, side = found.groups()
        if pairs not in ours:
            return found.group(0)
        column, dataset = numbers[side]
        return f'{record}."source_dataset" = \'{dataset}\' AND {record}."unique_id" = {pairs}.{column}'

    return _TEXT_KEY_JOIN.sub(joined, sql)


# Splink's source pruning of the scoring's inputs, once `on_numbers` has made its join: a side's
# records semi-joined to the blocked pairs that use them.
_PRUNING = re.compile(r"\s+semi join " + BLOCKED_PAIRS + r"""\s+as (\w+)\s+on source\."source_dataset" = ('\w+') """
                      r"""AND source\."unique_id" = \1\.(?:spouse|person)\s*$""", flags=re.IGNORECASE)


def unpruned(sql: str) -> str:
    """Splink's source pruning (`sql`, after `on_numbers`) of reconcile's blocked pairs copying the
    side's every record, not only those some pair uses: its statement that compares the pairs joins
    them to the records on their numbers, as fast from the whole side, and the semi-join cost more
    than it saved (the whole registry, interleaved: the two copies 1.70 -> 0.70 s, the comparing
    statement 8.4-8.8 s either way; docs/performance.md). The same pairs are compared: each joins
    its own two records. Any other statement (Splink's own pairs, in a chunked scoring) is left as
    it is."""
    return _PRUNING.sub(lambda found: f'\n    WHERE source."source_dataset" = {found.group(2)}', sql)


def drop_blocked_pairs(db_api: Any) -> None:
    """Drop what `blocked_pairs` made, once the scoring no longer reads it."""
    db_api.duckdb_con.execute(f"DROP VIEW IF EXISTS {BLOCKED_PAIRS}")
    db_api.duckdb_con.execute(f"DROP TABLE IF EXISTS {_BLOCKED_IDS}")


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
