"""A plain Splink configuration to measure the Vietnamese rules against.

Splink's standard comparisons on the raw columns as typed (no Unicode or tone folding, no
legacy-font repair, no partial dates, no ID cleaning), the same blocking rules and the same
training steps. Its top levels are labelled like ours (`personal_id_exact`, `tone_exact`,
`full_date_exact`) so the same bucket rules apply to both.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl
import splink.comparison_library as cl
from splink import SettingsCreator

from reconcile.link.engine import DEFAULT_ENGINE, Engine
from reconcile.link.model import LINK_COLUMNS, Progress, TrainedModel, predict_pairs, train_model
from reconcile.link.settings import sql_rules
from reconcile.normalize.couples import COUPLE_COLUMNS
from reconcile.ruleset import MatchingRules

# The raw columns it compares, beside the normalized ones the blocking rules use.
RAW_COLUMNS = ("full_name_raw", "birth_date_raw", "id_raw")
BASELINE_COLUMNS = (*LINK_COLUMNS, *RAW_COLUMNS)
# The most common way dates are typed in both exports.
DATE_FORMAT = "%d/%m/%Y"
# What a first Splink pipeline blocks on: the ID, or the given name and birth year anywhere in
# the province. The second grows with the square of the province (`make bench` times it).
NAIVE_BLOCKING = ("l.id12 = r.id12", "l.given_ascii = r.given_ascii AND l.birth_year = r.birth_year")


def _named(comparison: Any, name: str, top_label: str | None) -> dict[str, Any]:
    spec: dict[str, Any] = comparison.get_comparison("duckdb").as_dict()
    spec["output_column_name"] = name
    if top_label:
        first_non_null = next(lv for lv in spec["comparison_levels"] if not lv.get("is_null_level"))
        first_non_null["label_for_charts"] = top_label
    return spec


def baseline_settings(rules: MatchingRules, blocking_rules: Sequence[str] | None = None) -> SettingsCreator:
    """Splink's standard name, date and exact comparisons on the raw columns; our blocking
    unless `blocking_rules` are given (e.g. NAIVE_BLOCKING)."""
    return SettingsCreator(
        link_type="link_only",
        unique_id_column_name="unique_id",
        comparisons=[
            _named(cl.ExactMatch("id_raw"), "id", "personal_id_exact"),
            _named(cl.NameComparison("full_name_raw"), "name", "tone_exact"),
            _named(cl.DateOfBirthComparison("birth_date_raw", input_is_string=True, datetime_format=DATE_FORMAT),
                   "birth_date", "full_date_exact"),
            _named(cl.ExactMatch("sex"), "sex", None),
            _named(cl.ExactMatch("commune"), "commune", None),
        ],
        blocking_rules_to_generate_predictions=sql_rules(blocking_rules or rules.blocking_rules),
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )


def _raw(frame: pl.DataFrame, id_column: str) -> pl.DataFrame:
    return frame.with_columns(pl.col(id_column).alias("id_raw")) if id_column != "id_raw" else frame


def baseline_pairs(spouses: pl.DataFrame, persons: pl.DataFrame, rules: MatchingRules,
                   progress: Progress | None = None, blocking_rules: Sequence[str] | None = None,
                   engine: Engine = DEFAULT_ENGINE) -> tuple[TrainedModel, pl.DataFrame]:
    """Train the plain model on the same data and score every blocked pair with it."""
    left, right = _raw(spouses, "id_raw"), _raw(persons, "person_id_raw")
    rules_used = blocking_rules or rules.blocking_rules
    # The couple columns only where its blocking rules use them (ours do; the naive ones do not).
    columns = tuple(c for c in BASELINE_COLUMNS
                    if c not in COUPLE_COLUMNS or any(c in rule for rule in rules_used))
    model = train_model(left, right, rules, progress, baseline_settings(rules, blocking_rules), columns, engine)
    return model, predict_pairs(left, right, model, rules, columns, engine)
