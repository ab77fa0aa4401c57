"""What a trained model says, read from its Splink settings for those who show it (the supervisors'
report): the prior, and each comparison level's m and u probabilities and match weight."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass


@dataclass(frozen=True)
class LevelWeight:
    """One comparison level of the trained model."""

    comparison: str
    level: str
    m: float
    u: float

    @property
    def weight(self) -> float:
        return math.log2(self.m / self.u)


@dataclass(frozen=True)
class ModelWeights:
    prior: float                    # probability that two random records are the same person
    levels: tuple[LevelWeight, ...]  # every level trained (null levels and untrained ones left out)


def model_weights(settings_json: str) -> ModelWeights:
    """The prior and the trained levels of a model, from its settings JSON as the store keeps it."""
    settings = json.loads(settings_json)
    levels = tuple(
        LevelWeight(comparison["output_column_name"], level["label_for_charts"], level["m_probability"],
                    level["u_probability"])
        for comparison in settings["comparisons"] for level in comparison["comparison_levels"]
        if not level.get("is_null_level") and level.get("m_probability") and level.get("u_probability"))
    return ModelWeights(float(settings["probability_two_random_records_match"]), levels)
