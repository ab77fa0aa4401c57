"""The settings Splink runs with: the quicker tests put for DuckDB's slow Damerau-Levenshtein distance and for
names compared after their first words change no comparison level, and a scoring reads the columns its rules
name."""

from __future__ import annotations

import itertools
import random

import duckdb

from reconcile.link.model import LINK_COLUMNS
from reconcile.link.settings import _guarded, columns_read, splink_settings
from reconcile.ruleset import load_rules

WORDS = ["", "a", "ab", "ba", "abc", "acb", "abd", "xyc", "abcd", "ă", "ăa", "aă", "hă", "ha", None,
         "046123456789", "046123456798", "04612345678", "0461234567890", "146123456789"]


def _pairs(pairs: list[tuple[str | None, str | None]]) -> duckdb.DuckDBPyConnection:
    """A database holding `pairs` as the table `p` (`a`, `b`)."""
    con = duckdb.connect()
    con.execute("CREATE TABLE p (a VARCHAR, b VARCHAR)")
    con.executemany("INSERT INTO p VALUES (?, ?)", pairs)
    return con


def test_the_guarded_condition_is_the_distance_condition_on_every_pair() -> None:
    con = _pairs(list(itertools.product(WORDS, WORDS)))
    for plain in ("damerau_levenshtein(a, b) <= 1", "damerau_levenshtein(a, b) < 2"):
        guarded = _guarded(plain)
        assert guarded != plain
        [(differ,)] = con.execute(f"SELECT count(*) FROM p WHERE (CASE WHEN {plain} THEN 1 ELSE 0 END) "
                                  f"<> (CASE WHEN {guarded} THEN 1 ELSE 0 END) "
                                  f"OR ({plain}) IS DISTINCT FROM ({guarded})").fetchall()
        assert differ == 0


def _edited(word: str, rng: random.Random) -> str:
    """`word` with one or two random edits (a byte or letter changed, added, left out, two swapped
    side by side or apart)."""
    letters = "abcnghă ư"
    for _ in range(rng.choice((1, 1, 2))):
        i = rng.randrange(len(word) + 1)
        kind = rng.choice(("change", "add", "drop", "swap", "swap_apart"))
        if kind == "add" or not word:
            word = word[:i] + rng.choice(letters) + word[i:]
        elif kind == "change":
            i = min(i, len(word) - 1)
            word = word[:i] + rng.choice(letters) + word[i + 1:]
        elif kind == "drop":
            i = min(i, len(word) - 1)
            word = word[:i] + word[i + 1:]
        else:
            j = min(i + (1 if kind == "swap" else 2), len(word) - 1)
            i = min(i, j)
            chars = list(word)
            chars[i], chars[j] = chars[j], chars[i]
            word = "".join(chars)
    return word


def test_the_quicker_test_agrees_with_the_distance_on_names_one_or_two_edits_apart() -> None:
    rng = random.Random(20250531)
    names = ["".join(rng.choice("abcnghă ư") for _ in range(rng.randrange(0, 9))) for _ in range(400)]
    pairs = [(name, _edited(name, rng)) for name in names for _ in range(10)]
    pairs += [(rng.choice(names), rng.choice(names)) for _ in range(4000)]
    con = _pairs(pairs)
    plain = "damerau_levenshtein(a, b) <= 1"
    [(near, differ)] = con.execute(f"SELECT count(*) FILTER ({plain}), count(*) FILTER (({plain}) IS DISTINCT FROM "
                                   f"({_guarded(plain)})) FROM p").fetchall()
    assert near > 1000  # many pairs within one edit, many not
    assert differ == 0


def test_names_agree_after_their_first_words_as_the_regular_expressions_say() -> None:
    # Family names equal or not (Huỳnh/Hoàng), one-word names, empty, leading or double spaces,
    # one name the start of the other, letters beyond ASCII, nulls.
    words = ["", " ", "an", "huynh", "hoang", "huynh van an", "hoang van an", "huynh an", "hoang thi an",
             "huynh vana n", " an", "x an", "an ", "an  b", "an b", "a", "a b", "ab", "ab c", "a bc", "huỳnh an",
             "hoàng an", "nguyen", "nguyen x", None]
    rng = random.Random(20250531)
    pairs = list(itertools.product(words, words))
    families = ["huynh", "hoang", "huỳnh", "hoàng", "", "nguyen", "a"]
    for _ in range(3000):
        rest = rng.choice(("", " thi", " van", " ")) + " " + rng.choice(("an", "bo", "c"))
        other = rest if rng.random() < 0.5 else rng.choice(("", " thi")) + " " + rng.choice(("an", "bo"))
        pairs.append((rng.choice(families) + rest, rng.choice(families) + other))
    con = _pairs(pairs)
    plain = "regexp_replace(a, '^[^ ]+', '') = regexp_replace(b, '^[^ ]+', '')"
    quicker = _guarded(f"x = y AND {plain}").removeprefix("x = y AND ")
    assert "regexp_replace" in quicker.lower() and quicker != plain
    [(agree, told_quicker, differ)] = con.execute(
        f"SELECT count(*) FILTER ({plain}), count(*) FILTER (a <> b AND regexp_replace(a, '^[^ ]+', '') <> "
        f"regexp_replace(b, '^[^ ]+', '') AND strpos(a, ' ') > 0 AND starts_with(b, left(a, strpos(a, ' ')))), "
        f"count(*) FILTER (({plain}) IS DISTINCT FROM ({quicker})) FROM p").fetchall()
    assert agree > 500 and told_quicker > 100  # many agree; many are told apart without the expressions
    assert differ == 0


def test_other_conditions_are_left_as_written() -> None:
    for sql in ("ELSE", "damerau_levenshtein(a_l, a_r) <= 2", "jaro_winkler_similarity(a_l, a_r) >= 0.9",
                "regexp_replace(a_l, '^[^ ]+', 'x') = regexp_replace(a_r, '^[^ ]+', 'x')",
                "regexp_replace(a_l, '^[^ ]+', '', 'g') = regexp_replace(a_r, '^[^ ]+', '', 'g')",
                "regexp_replace(a_l, '^[^ ]*', '') = regexp_replace(a_r, '^[^ ]*', '')"):
        assert _guarded(sql) == sql


def test_a_scoring_reads_the_columns_its_rules_name_and_no_other() -> None:
    settings = {
        "blocking_rules_to_generate_predictions": [
            {"blocking_rule": "l.sex = r.sex AND l.family_key = r.family_key AND l.birth_year = r.birth_year",
             "sql_dialect": "duckdb"},
            "l.spouse_id = r.mate_id"],
        "comparisons": [
            {"comparison_levels": [
                {"sql_condition": "name_ascii_l IS NULL OR name_ascii_r IS NULL", "is_null_level": True},
                {"sql_condition": "name_tone_l = name_tone_r", "tf_adjustment_column": "name_tone"},
                {"sql_condition": "regexp_replace(name_core_ascii_l, '^[^ ]+', '') = "
                                  "regexp_replace(name_core_ascii_r, '^[^ ]+', '')"},
                {"sql_condition": "jaro_winkler_similarity(given_ascii_l, given_ascii_r) >= 0.9"},
                {"sql_condition": "ELSE"}]},
            {"comparison_levels": [{"sql_condition": "home_l = home_r", "tf_adjustment_column": "home"},
                                   {"sql_condition": "TRUE", "is_null_level": True}]},
        ],
    }
    assert columns_read(settings) == {"sex", "family_key", "birth_year", "spouse_id", "mate_id", "name_ascii",
                                      "name_tone", "name_core_ascii", "given_ascii", "home"}
    # Training's own rules (the prior's, EM's) add theirs.
    assert columns_read(settings, ["l.middle_ascii = r.middle_ascii AND l.birth_month = r.birth_month"]) == (
        columns_read(settings) | {"middle_ascii", "birth_month"})


def test_the_campaign_rules_read_only_matcher_columns() -> None:
    # Every column the shipped rules name is one the matcher makes: none is dropped from a scoring
    # that the rules need, and the matcher's spare columns (there for rules an office may write) are
    # not copied.
    read = columns_read(splink_settings(load_rules().matching).get_settings("duckdb").as_dict())
    assert read <= set(LINK_COLUMNS)
    assert {"given_tone", "middle_ascii"}.isdisjoint(read)
