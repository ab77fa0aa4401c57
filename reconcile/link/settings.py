"""Turn the matching rules (rules/matching.toml) into a Splink settings object.

The rules' SQL is DuckDB's; `in_dialect` rewrites a settings dict for another backend
(Spark), and a model is always stored with the DuckDB SQL of its rules.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from functools import cache
from typing import Any

import sqlglot
from sqlglot import exp
from splink import SettingsCreator
from splink.internals.dialects import SplinkDialect

from reconcile.ruleset import Comparison, MatchingRules


def _level(level: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"sql_condition": level.sql, "label_for_charts": level.label}
    if level.null:
        out["is_null_level"] = True
    if level.tf_column:
        out["tf_adjustment_column"] = level.tf_column
        out["tf_adjustment_weight"] = 1.0
    for kind in ("m", "u"):
        value = getattr(level, f"{kind}_probability")
        if value is not None:
            out[f"{kind}_probability"] = value
            out[f"fix_{kind}_probability"] = True
    return out


def _comparison(comp: Comparison) -> dict[str, Any]:
    return {
        "output_column_name": comp.name,
        "comparison_description": comp.description or comp.name,
        "comparison_levels": [_level(lv) for lv in comp.levels],
    }


def splink_settings(rules: MatchingRules) -> SettingsCreator:
    """Splink settings for linking spouses (left) to persons (right), link_only."""
    return SettingsCreator(
        link_type="link_only",
        unique_id_column_name="unique_id",
        comparisons=[_comparison(c) for c in rules.comparisons],
        blocking_rules_to_generate_predictions=sql_rules(rules.blocking_rules),
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )


def level_labels(settings: dict[str, Any]) -> dict[str, dict[int, str]]:
    """Map each comparison's gamma value (Splink's level index) to the level's label, read from a
    trained model's settings.

    Splink numbers non-null levels from the top down, highest first, ending at 0 (ELSE);
    the null level is -1.
    """
    out: dict[str, dict[int, str]] = {}
    for comp in settings["comparisons"]:
        levels = comp["comparison_levels"]
        non_null = [lv for lv in levels if not lv.get("is_null_level")]
        mapping = {len(non_null) - 1 - i: lv.get("label_for_charts", str(i)) for i, lv in enumerate(non_null)}
        mapping.update({-1: lv.get("label_for_charts", "null") for lv in levels if lv.get("is_null_level")})
        out[comp["output_column_name"]] = mapping
    return out


@cache
def _renamed_functions(dialect: str) -> dict[str, str]:
    """DuckDB's name -> `dialect`'s name of each similarity function Splink knows on both."""
    source, target = SplinkDialect.from_string("duckdb"), SplinkDialect.from_string(dialect)
    names = {}
    for attr in dir(type(source)):
        if attr.endswith("_function_name"):
            try:
                names[getattr(source, attr)] = getattr(target, attr)
            except NotImplementedError:
                continue
    return {a: b for a, b in names.items() if a != b}


def sql_in_dialect(sql: str, dialect: str) -> str:
    """One SQL condition of the rules (DuckDB) as `dialect` writes it."""
    if dialect == "duckdb" or sql.strip().upper() == "ELSE":
        return sql
    renamed = _renamed_functions(dialect)
    if renamed:
        pattern = re.compile(r"\b(" + "|".join(map(re.escape, renamed)) + r")\s*\(", re.IGNORECASE)
        sql = pattern.sub(lambda m: renamed[m.group(1).lower()] + "(", sql)
    return sqlglot.transpile(sql, read="duckdb", write=dialect)[0]


def in_dialect(settings: dict[str, Any], dialect: str, sql_from: dict[str, Any] | None = None) -> dict[str, Any]:
    """`settings` with every comparison level's and blocking rule's SQL written for `dialect`.

    `sql_from`: take the SQL from these settings instead (same comparisons and levels), e.g. to
    put back the rules' DuckDB SQL in a model trained on Spark.
    """
    out = copy.deepcopy(settings)
    source = sql_from or settings
    for comp, src in zip(out["comparisons"], source["comparisons"], strict=True):
        for level, src_level in zip(comp["comparison_levels"], src["comparison_levels"], strict=True):
            level["sql_condition"] = sql_in_dialect(src_level["sql_condition"], dialect)
    out["blocking_rules_to_generate_predictions"] = [
        {**rule, "blocking_rule": sql_in_dialect(src_rule["blocking_rule"], dialect), "sql_dialect": dialect}
        for rule, src_rule in zip(out["blocking_rules_to_generate_predictions"],
                                  source["blocking_rules_to_generate_predictions"], strict=True)
    ]
    out["sql_dialect"] = dialect
    return out


# `damerau_levenshtein(a, b) <= 1` told without computing the distance for most pairs (DuckDB's
# counts bytes, and computes it slowly: a table of the alphabet per pair). One edit is one of:
# - with an empty string: the other is at most one byte long;
# - with equal lengths: a substitution (Hamming distance 1) or two adjacent bytes swapped (Hamming
#   2: only then is the distance computed, for the few pairs so near);
# - with lengths one apart: one byte added or left out, which is Levenshtein's distance 1 too
#   (computed several times faster than Damerau-Levenshtein's);
# and never with lengths further apart. Null where either is null, like the distance, told first
# (a recorded spouse name is missing in most pairs: each branch below would be tried on it). Nested
# CASEs, not AND: DuckDB may evaluate a conjunction's terms in any order, and Hamming needs equal lengths.
_WITHIN_ONE = ("CASE WHEN {a} IS NULL OR {b} IS NULL THEN NULL "
               "WHEN strlen({a}) = 0 OR strlen({b}) = 0 THEN strlen({a}) + strlen({b}) <= 1 "
               "WHEN strlen({a}) = strlen({b}) THEN (CASE WHEN hamming({a}, {b}) <= 1 THEN TRUE "
               "WHEN hamming({a}, {b}) = 2 THEN damerau_levenshtein({a}, {b}) <= 1 ELSE FALSE END) "
               "WHEN abs(strlen({a}) - strlen({b})) = 1 THEN levenshtein({a}, {b}) <= 1 "
               "WHEN abs(strlen({a}) - strlen({b})) > 1 THEN FALSE END")


def _within_one_edit(node: exp.Expression) -> tuple[exp.Expression, exp.Expression] | None:
    """(a, b) when `node` is `damerau_levenshtein(a, b) <= 1` (or `< 2`)."""
    bounds: dict[type[exp.Expression], str] = {exp.LTE: "1", exp.LT: "2"}
    bound = bounds.get(type(node))
    func = node.this if bound else None
    if (isinstance(func, exp.Anonymous) and func.name.lower() == "damerau_levenshtein" and len(func.expressions) == 2
            and isinstance(node.expression, exp.Literal) and not node.expression.is_string
            and node.expression.name == bound):
        return func.expressions[0], func.expressions[1]
    return None


# `regexp_replace(a, '^[^ ]+', '') = regexp_replace(b, '^[^ ]+', '')` (the two agree after their
# first words) told without making the two shortened strings for most pairs: equal strings agree;
# strings whose first words are equal (`a` has a space, and `b` begins with `a` up to it) agree only
# if equal, so not; only the rest (first words that differ: Huỳnh/Hoàng) go to the regular
# expressions. Null where either is null, like the comparison. DuckDB's positions count characters
# in both `strpos` and `left`.
_SAME_AFTER_FIRST_WORD = ("CASE WHEN {a} = {b} THEN TRUE "
                          "WHEN strpos({a}, ' ') > 0 AND starts_with({b}, left({a}, strpos({a}, ' '))) THEN FALSE "
                          "ELSE {same} END")
_FIRST_WORD = "^[^ ]+"


def _same_after_first_word(node: exp.Expression) -> tuple[exp.Expression, exp.Expression] | None:
    """(a, b) when `node` is `regexp_replace(a, '^[^ ]+', '') = regexp_replace(b, '^[^ ]+', '')`."""
    if not isinstance(node, exp.EQ):
        return None
    sides = (node.this, node.expression)
    if all(isinstance(side, exp.RegexpReplace)
           and {k for k, v in side.args.items() if v is not None} <= {"this", "expression", "replacement", "single_replace"}
           and isinstance(side.expression, exp.Literal) and side.expression.is_string
           and side.expression.name == _FIRST_WORD
           and isinstance(side.args.get("replacement"), exp.Literal) and side.args["replacement"].is_string
           and side.args["replacement"].name == "" for side in sides):
        return sides[0].this, sides[1].this
    return None


def columns_read(settings: dict[str, Any], rules: Sequence[str] = ()) -> set[str]:
    """The input columns a scoring with `settings` (Splink's, DuckDB SQL) reads: those its prediction
    blocking rules and any other `rules` (training's) name (`l.col`, `r.col`), those its comparison
    levels name (`col_l`, `col_r`) and the term frequency columns. Training and scoring copy only
    these into their database: the matcher's other columns, there for rules an office may write,
    would be copied for nothing."""
    names: set[str] = set()
    blocking = [rule["blocking_rule"] if isinstance(rule, dict) else str(rule)
                for rule in settings.get("blocking_rules_to_generate_predictions", [])]
    for sql in [*blocking, *rules]:
        names.update(column.name for column in sqlglot.parse_one(sql, read="duckdb").find_all(exp.Column))
    for comp in settings["comparisons"]:
        for level in comp["comparison_levels"]:
            sql = level["sql_condition"]
            if sql.strip().upper() != "ELSE":
                names.update(re.sub(r"_[lr]$", "", column.name)
                             for column in sqlglot.parse_one(sql, read="duckdb").find_all(exp.Column))
            if level.get("tf_adjustment_column"):
                names.add(level["tf_adjustment_column"])
    return names


def sql_rules(rules: Sequence[str]) -> list[Any]:
    """Blocking rules as Splink takes them: SQL strings (its annotations name only its rule objects)."""
    return list(rules)


def with_fast_guards(settings: dict[str, Any]) -> dict[str, Any]:
    """`settings` (DuckDB SQL) to run: each comparison level's `damerau_levenshtein(a, b) <= 1`
    told from the lengths and the Hamming or Levenshtein distance, and the Damerau-Levenshtein
    distance computed only for equal-length strings two bytes apart (see `_WITHIN_ONE`); and two
    strings' agreement after their first words told without regular expressions where their first
    words are equal (`_SAME_AFTER_FIRST_WORD`). Same levels, same results: DuckDB computes a
    Damerau-Levenshtein distance slowly, and random or blocked pairs with two different names or ID
    numbers are the many. The stored model keeps the rules' SQL."""
    out = copy.deepcopy(settings)
    for comp in out["comparisons"]:
        for level in comp["comparison_levels"]:
            level["sql_condition"] = _guarded(level["sql_condition"])
    return out


def _guarded(sql: str) -> str:
    if "damerau_levenshtein" not in sql.lower() and _FIRST_WORD not in sql:
        return sql
    tree = sqlglot.parse_one(sql, read="duckdb")
    found = False

    def guard(node: exp.Expression) -> exp.Expression:
        nonlocal found
        within, after = _within_one_edit(node), _same_after_first_word(node)
        if within is None and after is None:
            return node
        found = True
        if within is not None:
            a, b = (arg.sql("duckdb") for arg in within)
            return exp.Paren(this=sqlglot.parse_one(_WITHIN_ONE.format(a=a, b=b), read="duckdb"))
        assert after is not None
        a, b = (arg.sql("duckdb") for arg in after)
        return exp.Paren(this=sqlglot.parse_one(
            _SAME_AFTER_FIRST_WORD.format(a=a, b=b, same=node.sql("duckdb")), read="duckdb"))

    tree = tree.transform(guard)
    return tree.sql("duckdb") if found else sql
