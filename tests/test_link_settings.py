"""The guard put before DuckDB's slow Damerau-Levenshtein distance changes no comparison level."""

from __future__ import annotations

import itertools

import duckdb

from reconcile.link.settings import _guarded

WORDS = ["", "a", "ab", "ba", "abc", "acb", "abd", "xyc", "abcd", "ă", "ăa", "aă", "hă", "ha", None,
         "046123456789", "046123456798", "04612345678", "0461234567890", "146123456789"]


def test_the_guarded_condition_is_the_distance_condition_on_every_pair() -> None:
    con = duckdb.connect()
    con.execute("CREATE TABLE p (a VARCHAR, b VARCHAR)")
    con.executemany("INSERT INTO p VALUES (?, ?)", list(itertools.product(WORDS, WORDS)))
    for plain in ("damerau_levenshtein(a, b) <= 1", "damerau_levenshtein(a, b) < 2"):
        guarded = _guarded(plain)
        assert guarded != plain
        [(differ,)] = con.execute(f"SELECT count(*) FROM p WHERE (CASE WHEN {plain} THEN 1 ELSE 0 END) "
                                  f"<> (CASE WHEN {guarded} THEN 1 ELSE 0 END) "
                                  f"OR ({plain}) IS DISTINCT FROM ({guarded})").fetchall()
        assert differ == 0


def test_other_conditions_are_left_as_written() -> None:
    for sql in ("ELSE", "damerau_levenshtein(a_l, a_r) <= 2", "jaro_winkler_similarity(a_l, a_r) >= 0.9"):
        assert _guarded(sql) == sql
