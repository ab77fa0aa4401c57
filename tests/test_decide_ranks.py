"""A candidate's rank among its spouse's candidates, and a couple's among its marriage's."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from reconcile.decide.links import ranked_pairs
from reconcile.decide.ranks import rank_in_sorted


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.sampled_from(["a", "b", "c", "ab", ""])), max_size=40))
def test_rank_in_sorted_is_the_position_within_each_key(keys: list[str | None]) -> None:
    frame = pl.DataFrame({"key": keys}, schema={"key": pl.String}).sort("key")
    got = frame.select(rank_in_sorted("key")).to_series().to_list()
    assert got == frame.select(pl.int_range(pl.len()).over("key")).to_series().to_list()


def test_each_spouses_best_candidate_is_ranked_first() -> None:
    pairs = pl.DataFrame({
        "spouse_uid": ["s2", "s1", "s2", "s1", "s3", "s1"],
        "person_uid": ["p9", "p1", "p4", "p2", "p5", "p3"],
        "match_weight": [3.0, 1.0, 7.0, 5.0, 2.0, 5.0],
    })
    ranked = ranked_pairs(pairs)
    assert ranked.select("spouse_uid", "person_uid", "rank").rows() == [
        ("s1", "p2", 0), ("s1", "p3", 1), ("s1", "p1", 2),  # equal weights: by person
        ("s2", "p4", 0), ("s2", "p9", 1),
        ("s3", "p5", 0),
    ]
