"""The population export: one row per resident, with the marital facts the database records.

The old 9-digit number is shown for only 40 % of the persons who have one; the recorded
spouse name is free text typed by another office, with its own noise (`SPOUSE_NAME_RATES`).
It also derives, per person, the facts the truth file needs to judge a registry link:
whether the population keeps the full birth date, whether it shows the old number,
whether an exact homonym (same name, sex, birth year) exists.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from reconcile.synthetic.marriages import REGISTRY_END
from reconcile.synthetic.noise import SPOUSE_NAME_RATES, NoiseRates, noisy_names, population_dates, population_names
from reconcile.synthetic.places import Wards, residence_text
from reconcile.synthetic.population_state import MARITAL, PopulationState

POPULATION_COLUMNS = (
    "person_id", "full_name", "birth_date", "sex", "ethnicity", "nationality", "ward_code",
    "address", "marital_status", "spouse_id", "spouse_name", "death_date", "legacy_id",
)


def build_population(
    rng: np.random.Generator, people: pl.DataFrame, state: PopulationState, wards: Wards, rates: NoiseRates
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Population rows (canonical columns, all text, shuffled) and per-people-row facts."""
    n = int(people["in_population"].sum())  # residents are the first rows of `people`
    residents = people.head(n)
    birth_text, full_date = population_dates(rng, residents["birth_date"], rates)
    spouse = state.spouse[:n]
    has = spouse >= 0
    partner = people.select("person_id", "full_name")[np.where(has, spouse, 0)]
    named = np.flatnonzero(has & state.show_name[:n])
    typed = noisy_names(rng, people.select("family", "middle", "given", "female")[spouse[named]], SPOUSE_NAME_RATES)
    spouse_name = partner["full_name"].scatter(named, typed["name"])
    legacy_shown = residents["legacy_id"].is_not_null().to_numpy() & (rng.random(n) < rates.population_legacy_shown)
    located = wards.locate(residents.select("ward_row", "detail"))
    death = pl.Series(state.death[:n]).cast(pl.Date)
    rows = pl.DataFrame({
        "person_id": residents["person_id"],
        "full_name": population_names(rng, residents["full_name"], rates),
        "birth_date": birth_text,
        "sex": pl.select(pl.when(residents["female"]).then(pl.lit("F")).otherwise(pl.lit("M"))).to_series(),
        "ethnicity": residents["ethnicity"],
        "nationality": residents["nationality"],
        "ward_code": located["new_code"],
        "address": located.select(residence_text(pl.col("detail"), pl.lit(REGISTRY_END.item()))).to_series(),
        "marital_status": pl.Series(MARITAL).gather(state.marital[:n]),
        "spouse_id": partner["person_id"].zip_with(pl.Series(has & state.show_id[:n]), pl.Series([None], dtype=pl.String)),
        "spouse_name": spouse_name.zip_with(pl.Series(has & state.show_name[:n]), pl.Series([None], dtype=pl.String)),
        "death_date": death.dt.strftime("%d/%m/%Y"),
        "legacy_id": residents["legacy_id"].zip_with(pl.Series(legacy_shown), pl.Series([None], dtype=pl.String)),
    }).select(POPULATION_COLUMNS)
    return rows[rng.permutation(n)], _facts(people, n, full_date, legacy_shown)


def _facts(people: pl.DataFrame, n: int, full_date: np.ndarray, legacy_shown: np.ndarray) -> pl.DataFrame:
    """in_population, full_date_in_population, legacy_in_population, homonym for every people row."""
    pad = np.zeros(len(people) - n, dtype=bool)
    keyed = people.select(
        "in_population", "female", name=pl.col("full_name").hash(), year=pl.col("birth_date").dt.year()
    ).with_columns(
        full_date_in_population=pl.Series(np.concatenate([full_date, pad])),
        legacy_in_population=pl.Series(np.concatenate([legacy_shown, pad])),
        pop=pl.col("in_population").cast(pl.Int64),
    )
    return keyed.select(
        "in_population", "full_date_in_population", "legacy_in_population",
        homonym=pl.col("pop").sum().over("name", "female", "year") - pl.col("pop") >= 1,
    )
