"""The truth file: for every registry marriage and every married person with no registration,
the true population persons, the bucket and action reconcile should reach, and the scenario.

A marriage whose spouse copy no longer carries enough evidence (no usable ID, and no exact
full birth date with a clean, unique name) is expected in `conflict` whatever its scenario,
because a doubtful link must never be fixed automatically; its noise says `weak_evidence`.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from reconcile.synthetic.population_state import PopulationState
from reconcile.synthetic.registry import Registry
from reconcile.synthetic.scenarios import EXPECTED

TRUTH_COLUMNS = (
    "record_type", "record_id", "husband_person_id", "wife_person_id",
    "expected_bucket", "expected_action", "scenario", "noise",
)


def _true_id(people: pl.DataFrame, rows: np.ndarray) -> pl.Series:
    picked = people[rows]
    return pl.select(pl.when(picked["in_population"]).then(picked["person_id"]).otherwise(pl.lit(""))).to_series()


def marriage_truth(people: pl.DataFrame, couples: pl.DataFrame, registry: Registry) -> pl.DataFrame:
    """One truth row per registry row."""
    scenario = couples["scenario"]
    bucket = scenario.replace_strict({k: v[0] for k, v in EXPECTED.items()})
    action = scenario.replace_strict({k: v[1] for k, v in EXPECTED.items()})
    weak = pl.Series(~registry.sufficient) & (bucket != "conflict")
    return pl.DataFrame({
        "record_type": pl.repeat("marriage", len(couples), eager=True),
        "record_id": registry.rows["registration_id"],
        "husband_person_id": _true_id(people, couples["husband"].to_numpy()),
        "wife_person_id": _true_id(people, couples["wife"].to_numpy()),
        "expected_bucket": bucket.zip_with(~weak, pl.Series(["conflict"])),
        "expected_action": action.zip_with(~weak, pl.Series(["review"])),
        "scenario": scenario,
        "noise": pl.select(
            pl.when(pl.lit(weak)).then(pl.concat_str([registry.noise, pl.lit("weak_evidence")], separator=";")
                                       .str.strip_chars(";"))
            .otherwise(pl.lit(registry.noise))
        ).to_series(),
    })


def person_truth(people: pl.DataFrame, state: PopulationState, rows: np.ndarray) -> pl.DataFrame:
    """One truth row per person married in the population with no registry marriage."""
    rows = np.sort(rows)
    spouse = state.spouse[rows]
    paired = (spouse >= 0) & state.show_id[rows]
    female = people["female"].to_numpy()[rows]
    own = people["person_id"].gather(rows)
    other = pl.Series([""] * len(rows)).scatter(np.flatnonzero(paired), people["person_id"].gather(spouse[paired]))
    blank = pl.Series([""] * len(rows))
    return pl.DataFrame({
        "record_type": pl.repeat("person", len(rows), eager=True),
        "record_id": own,
        "husband_person_id": own.zip_with(pl.Series(~female), other),
        "wife_person_id": own.zip_with(pl.Series(female), other),
        "expected_bucket": pl.repeat(EXPECTED["married_without_registration"][0], len(rows), eager=True),
        "expected_action": pl.repeat(EXPECTED["married_without_registration"][1], len(rows), eager=True),
        "scenario": pl.repeat("married_without_registration", len(rows), eager=True),
        "noise": blank,
    })
