"""Blocking: the registry spouse is `l` in every rule (asymmetric rules depend on it), the blocking
analysis counts each rule's new comparisons exactly, and the blocked pairs a scoring compares are
Splink's own."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl
from splink import Linker

from reconcile.link.blocking import blocked_pairs, comparisons_per_rule
from reconcile.link.engine import DEFAULT_ENGINE, backend
from reconcile.link.inputs import SCORING_DATASETS, Inputs, compact_ids, matcher_inputs
from reconcile.link.model import LINK_COLUMNS, _runnable
from reconcile.store import Store


def _frame(rows: list[dict]) -> pl.DataFrame:
    schema = {c: pl.String for c in LINK_COLUMNS} | {"birth_year": pl.Int32, "birth_month": pl.Int8,
                                                     "birth_day": pl.Int8, "birth_date": pl.Date,
                                                     "birth_placeholder": pl.Boolean}
    return pl.DataFrame([{c: r.get(c) for c in LINK_COLUMNS} for r in rows], schema=schema)


SPOUSES = _frame([
    {"unique_id": "m1|H", "given_ascii": "hung", "birth_year": 1985, "id12": None},
    {"unique_id": "m1|W", "given_ascii": "lan", "birth_year": 1987, "id12": "046187000001"},
])
PERSONS = _frame([
    {"unique_id": "p1", "given_ascii": "hung", "birth_year": 1985, "id12": "046085000001"},
    {"unique_id": "p2", "given_ascii": "hung", "birth_year": 1985, "id12": "046085000002"},
    {"unique_id": "p3", "given_ascii": "lan", "birth_year": 1987, "id12": "046187000001"},
    {"unique_id": "p4", "given_ascii": "lan", "birth_year": 1987, "id12": None},
])


def test_l_is_the_registry_spouse_in_a_rule() -> None:
    # Only the spouse without an ID may be paired on name and year: the husband (p1, p2), not
    # the wife, whose ID is known. Were the sides swapped, the rule would pair the wife with p4.
    rule = "l.given_ascii = r.given_ascii AND l.birth_year = r.birth_year AND l.id12 IS NULL"
    counts = comparisons_per_rule(SPOUSES, PERSONS, [rule], LINK_COLUMNS)
    assert [(c.comparisons, c.cumulative) for c in counts] == [(2, 2)]


def test_each_rule_counts_only_the_pairs_no_earlier_rule_made() -> None:
    rules = ["l.id12 = r.id12", "l.given_ascii = r.given_ascii AND l.birth_year = r.birth_year"]
    counts = comparisons_per_rule(SPOUSES, PERSONS, rules, LINK_COLUMNS)
    # The ID pairs the wife with p3; name and year add the husband × p1, p2 and the wife × p4.
    assert [(c.rule, c.comparisons, c.cumulative) for c in counts] == [(rules[0], 1, 1), (rules[1], 3, 4)]


def _pairs(table: Any) -> set[tuple[str, str, str]]:
    # The match key as text: Splink's is text, ours a small integer (the same rule's index).
    return set(table.as_duckdbpyrelation().select("CAST(match_key AS VARCHAR), join_key_l, join_key_r").fetchall())


def _blocked(spouses: pl.DataFrame, persons: pl.DataFrame, settings: dict[str, Any]) -> tuple[set[Any], set[Any]]:
    """The blocked pairs of the two sides as `blocked_pairs` makes them, and as Splink does."""
    spouses, persons = matcher_inputs(spouses, persons, LINK_COLUMNS)
    with backend(DEFAULT_ENGINE) as (db_api, dialect):
        inputs = Inputs(db_api, compact_ids(spouses), compact_ids(persons), LINK_COLUMNS,
                        datasets=SCORING_DATASETS, copied=True)
        runnable = _runnable(settings, dialect)
        rules = [rule["blocking_rule"] for rule in runnable["blocking_rules_to_generate_predictions"]]
        ours = _pairs(blocked_pairs(db_api, inputs.tables, SCORING_DATASETS, rules))
        splinks = _pairs(Linker(inputs.tables, runnable).inference.compute_blocked_pairs_for_predict())
    return ours, splinks


def test_the_blocked_pairs_of_a_province_are_splinks_own(sample_campaign: Path) -> None:
    # Every pair Splink's predict would compare, once, under the first rule that makes it, with
    # the join keys Splink scores it by: a scoring compares exactly the pairs it did before.
    with Store(sample_campaign / "campaign.duckdb", read_only=True) as store:
        settings = json.loads(store.models.load()[2].settings_json)
        spouses, persons = store.table("spouses"), store.table("persons")
    ours, splinks = _blocked(spouses, persons, settings)
    assert len(ours) > 500
    assert ours == splinks
    assert len({key for key, _, _ in ours}) >= 10  # the sample's pairs come from most rules


def test_a_pair_several_rules_make_is_compared_once_under_the_first() -> None:
    settings = {"link_type": "link_only", "unique_id_column_name": "unique_id", "comparisons": [],
                "blocking_rules_to_generate_predictions": [
                    {"blocking_rule": "l.id12 = r.id12", "sql_dialect": "duckdb"},
                    {"blocking_rule": "l.given_ascii = r.given_ascii AND l.birth_year = r.birth_year",
                     "sql_dialect": "duckdb"}]}
    ours, splinks = _blocked(SPOUSES, PERSONS, settings)
    # The wife × p3 by her ID (rule 0), though her name and year agree too; the husband × p1, p2 and
    # the wife × p4 by name and year. No pair on the husband's missing ID.
    assert ours == splinks
    assert sorted(ours) == [("0", "m-__-1", "p-__-2"), ("1", "m-__-0", "p-__-0"), ("1", "m-__-0", "p-__-1"),
                            ("1", "m-__-1", "p-__-3")]
