"""The registry export: one row per registered marriage, each spouse copied with noise.

Besides the rows, it reports per marriage which noise each spouse got and whether the
spouse's copy still carries enough evidence to be linked without a person: an ID that
leads to the person, or an exact full birth date with a name free of typos that no other
population person of the same sex shares with that date.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from reconcile.synthetic.marriages import registering_wards, registration_frame
from reconcile.synthetic.noise import NoiseRates, format_dates, noisy_ids, noisy_names
from reconcile.synthetic.places import Wards, residence_text

REGISTRY_COLUMNS = (
    "registration_id", "registration_date", "registration_ward_code", "registration_place",
    *(f"{role}_{field}" for role in ("husband", "wife")
      for field in ("full_name", "birth_date", "id_number", "ethnicity", "nationality", "residence")),
    "status", "status_date",
)


@dataclass(frozen=True)
class Registry:
    """The registry rows (canonical columns, all text) and what the truth file needs of them."""

    rows: pl.DataFrame
    noise: pl.Series  # per row: `husband:ascii+id_missing;wife:…`
    sufficient: np.ndarray  # per row: both spouses' copies carry enough evidence to link


def _spouses(
    rng: np.random.Generator, people: pl.DataFrame, rows: np.ndarray, registered: pl.Series,
    wards: Wards, force_missing: np.ndarray, facts: pl.DataFrame, rates: NoiseRates,
) -> pl.DataFrame:
    """One role's columns (full_name … residence) with noise, tags and evidence."""
    spouses = people[rows]
    names = noisy_names(rng, spouses.select("family", "middle", "given", "female"), rates)
    dates = format_dates(rng, spouses["birth_date"], rates, partial=True)
    existing = people["person_id"].drop_nulls().cast(pl.Int64).to_numpy()
    ids = noisy_ids(rng, spouses, force_missing, existing, rates)
    residence = (
        wards.locate(spouses.select("ward_row", "detail").with_columns(registered=registered))
        .select(residence_text(pl.col("detail"), pl.col("registered"))).to_series()
    )
    known = facts[rows]
    c = pl.col
    return pl.concat([
        pl.DataFrame({
            "full_name": names["name"], "birth_date": dates["text"], "id_number": ids["id_number"],
            "ethnicity": spouses["ethnicity"], "nationality": spouses["nationality"], "residence": residence,
        }),
        names.select("name_tags", "name_ok"), dates.select("date_tag", "exact"), ids.select("id_tag", "id_ok"),
        known,
    ], how="horizontal").with_columns(
        tags=pl.concat_str(
            [c("name_tags"), c("date_tag"), c("id_tag"), pl.when(c("homonym")).then(pl.lit("homonym")).otherwise(pl.lit(""))],
            separator="+",
        ).str.replace_all(r"\++", "+").str.strip_chars("+"),
        # Enough to link without a person: an ID leading to the person, or an exact full
        # birth date with a typo-free name that no one else of that sex shares with that date.
        linkable=~c("in_population") | c("id_ok")
        | (c("exact") & c("name_ok") & c("full_date_in_population") & c("unique_name_date")),
    )


def build_registry(
    rng: np.random.Generator, people: pl.DataFrame, couples: pl.DataFrame, wards: Wards,
    planted: tuple[np.ndarray, np.ndarray], facts: pl.DataFrame, rates: NoiseRates,
) -> Registry:
    """Registry rows of `couples` (in their order) with their noise and evidence.

    `facts` has, per people row: in_population, full_date_in_population, unique_name_date,
    homonym (another population person has the same full name, sex and birth year).
    """
    h, w = couples["husband"].to_numpy(), couples["wife"].to_numpy()
    ward = people["ward_row"].fill_null(-1).to_numpy()
    reg = registration_frame(rng, wards, registering_wards(rng, wards, ward[h], ward[w]),
                             couples["registered"].to_numpy().astype("datetime64[D]"))
    sides = {
        role: _spouses(rng, people, rows, reg["registered"], wards, force, facts, rates)
        for role, rows, force in (("husband", h, planted[0]), ("wife", w, planted[1]))
    }
    n = len(couples)
    status = couples["status"]
    shown_status = pl.select(
        pl.when((status == "valid") & pl.lit(rng.random(n) < rates.status_empty)).then(pl.lit(""))
        .otherwise(status)
    ).to_series()
    no_ward = rng.random(n) < rates.ward_code_empty
    status_dates = format_dates(rng, couples["status_date"], rates, partial=False)["text"].fill_null("")
    rows = pl.DataFrame({
        "registration_id": reg["registration_id"],
        "registration_date": format_dates(rng, reg["registered"], rates, partial=False)["text"],
        "registration_ward_code": pl.select(
            pl.when(pl.lit(no_ward)).then(pl.lit("")).otherwise(reg["registration_ward_code"])
        ).to_series(),
        "registration_place": reg["registration_place"],
        **{f"{role}_{field}": side[field] for role, side in sides.items()
           for field in ("full_name", "birth_date", "id_number", "ethnicity", "nationality", "residence")},
        "status": shown_status,
        "status_date": status_dates,
    }).select(REGISTRY_COLUMNS)
    noise = pl.select(pl.concat_str(
        [pl.when(sides[r]["tags"] != "").then(pl.concat_str([pl.lit(f"{r}:"), sides[r]["tags"]]))
         for r in sides] + [pl.when(pl.lit(no_ward)).then(pl.lit("ward_code_empty"))],
        separator=";", ignore_nulls=True,
    )).to_series().fill_null("")
    return Registry(rows=rows, noise=noise, sufficient=(sides["husband"]["linkable"] & sides["wife"]["linkable"]).to_numpy())
