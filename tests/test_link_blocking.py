"""Blocking: the registry spouse is `l` in every rule (asymmetric rules depend on it), and the
blocking analysis counts each rule's new comparisons exactly."""

from __future__ import annotations

import polars as pl

from reconcile.link.blocking import comparisons_per_rule
from reconcile.link.model import LINK_COLUMNS


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
