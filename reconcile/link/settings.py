"""Turn the matching rules (rules/matching.toml) into a Splink settings object."""

from __future__ import annotations

from typing import Any

from splink import SettingsCreator

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
        blocking_rules_to_generate_predictions=list(rules.blocking_rules),
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
