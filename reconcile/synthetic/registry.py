"""The registry export: one row per registered marriage, each spouse copied with noise.

What a copy holds depends on the registration year (see `noise.py`: ID_ERAS, old dates).
Besides the rows, it reports per marriage which noise each spouse got and, per spouse, what
the truth file needs to judge whether the copy singles out the person: whether its ID
leads to them, whether its name is free of typos, and the birth date written with its
precision.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from reconcile.synthetic.marriages import registering_wards, registration_frame
from reconcile.synthetic.noise import OLD_DATES_BEFORE, NoiseRates, format_dates, noisy_ids, noisy_names
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
    copies: dict[str, pl.DataFrame]  # per role: id_ok, name_ok, shown (date), precision

FORCE_COLUMNS = ("missing_id", "clean_id", "year_only", "year_off", "exact", "damage_name", "namesake", "through_partner")


def no_force(n: int) -> pl.DataFrame:
    """A force frame (FORCE_COLUMNS) that forces nothing."""
    return pl.DataFrame({k: np.zeros(n, dtype=bool) for k in FORCE_COLUMNS})


def _spouses(
    rng: np.random.Generator, people: pl.DataFrame, rows: np.ndarray, registered: pl.Series,
    wards: Wards, force: pl.DataFrame, facts: pl.DataFrame, rates: NoiseRates,
) -> pl.DataFrame:
    """One role's columns (full_name … residence) with noise, tags and evidence."""
    spouses = people[rows]
    year = registered.dt.year().to_numpy()
    names = noisy_names(rng, spouses.select("family", "middle", "given", "female"), rates,
                        damage=force["damage_name"].to_numpy())
    dates = format_dates(rng, spouses["birth_date"], rates, partial=True, old=year < OLD_DATES_BEFORE, force=force)
    existing = people["person_id"].drop_nulls().cast(pl.Int64).to_numpy()
    existing_legacy = people["legacy_id"].drop_nulls().cast(pl.Int64).to_numpy()
    known = facts[rows]
    ids = noisy_ids(rng, spouses, year, force, existing, existing_legacy,
                    known["legacy_in_population"].to_numpy(), rates)
    residence = (
        wards.locate(spouses.select("ward_row", "detail").with_columns(registered=registered))
        .select(residence_text(pl.col("detail"), pl.col("registered"))).to_series()
    )
    c = pl.col
    flag = lambda column, tag: pl.when(column).then(pl.lit(tag)).otherwise(pl.lit(""))  # noqa: E731
    return pl.concat([
        pl.DataFrame({
            "full_name": names["name"], "birth_date": dates["text"], "id_number": ids["id_number"],
            "ethnicity": spouses["ethnicity"], "nationality": spouses["nationality"], "residence": residence,
        }),
        names.select("name_tags", "name_ok"), dates.select("date_tag", "shown", "precision"),
        ids.select("id_tag", "id_ok"), known.select("homonym"), force.select("namesake", "through_partner"),
    ], how="horizontal").with_columns(
        tags=pl.concat_str(
            [c("name_tags"), c("date_tag"), c("id_tag"), flag(c("homonym"), "homonym"),
             flag(c("namesake"), "namesake_couple"), flag(c("through_partner"), "through_partner")],
            separator="+",
        ).str.replace_all(r"\++", "+").str.strip_chars("+"),
    )


def build_registry(
    rng: np.random.Generator, people: pl.DataFrame, couples: pl.DataFrame, wards: Wards,
    forces: dict[str, pl.DataFrame], facts: pl.DataFrame, rates: NoiseRates,
) -> Registry:
    """Registry rows of `couples` (in their order) with their noise and evidence.

    `forces` holds per role a frame of FORCE_COLUMNS (per couple); `facts` has, per people
    row: in_population, full_date_in_population, legacy_in_population, homonym (another
    population person has the same full name, sex and birth year).
    """
    h, w = couples["husband"].to_numpy(), couples["wife"].to_numpy()
    ward = people["ward_row"].fill_null(-1).to_numpy()
    reg = registration_frame(rng, wards, registering_wards(rng, wards, ward[h], ward[w]),
                             couples["registered"].to_numpy().astype("datetime64[D]"))
    sides = {
        role: _spouses(rng, people, rows, reg["registered"], wards, forces[role], facts, rates)
        for role, rows in (("husband", h), ("wife", w))
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
    return Registry(rows=rows, noise=noise, copies={
        role: side.select("id_ok", "name_ok", "shown", "precision") for role, side in sides.items()
    })
