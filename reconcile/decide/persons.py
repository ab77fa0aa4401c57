"""Bucket population persons recorded as married that no registry marriage links to."""

from __future__ import annotations

import polars as pl


def population_spouses(persons: pl.DataFrame, of: pl.DataFrame) -> pl.DataFrame:
    """The rows of `persons` recorded, on either side, as the spouse of a person of `of`
    (both frames with `person_id` and `spouse_id`)."""
    return persons.filter(pl.col("person_id").is_in(of["spouse_id"].drop_nulls().implode())
                          | pl.col("spouse_id").is_in(of["person_id"].drop_nulls().implode()))


def decide_persons(persons: pl.DataFrame, links: pl.DataFrame) -> pl.DataFrame:
    """One `missing` row per person whose marital status is married and whom no registry marriage
    accounts for.

    A marriage row accounts, in any bucket, for its spouses' best candidates, for the owners
    of the ID numbers it names, and for the population spouses of its linked persons: when
    the registry's copy of a spouse is not found, the person recorded as married to the
    other spouse is that marriage's business, not a marriage without registration.
    """
    named = pl.concat([
        links.filter(pl.col("linked")).select(unique_id=pl.col("person_uid")),
        links.filter(pl.col("id_owner_uid").is_not_null()).select(unique_id=pl.col("id_owner_uid")),
    ]).unique()
    spouses_of_named = population_spouses(persons, persons.join(named, on="unique_id", how="semi"))
    accounted = pl.concat([named, spouses_of_named.select("unique_id")]).unique()
    return (
        persons.filter(pl.col("marital_status") == "married")
        .join(accounted, on="unique_id", how="anti")
        .select(
            record_type=pl.lit("person"),
            record_id=pl.col("person_id"),
            commune=pl.col("commune"),
            bucket=pl.lit("missing"),
            action=pl.lit("find"),
            reasons=pl.lit("MARRIED_WITHOUT_REGISTRATION"),
            husband_person_id=pl.when(pl.col("sex") == "M").then(pl.col("person_id")),
            wife_person_id=pl.when(pl.col("sex") == "F").then(pl.col("person_id")),
            husband_match_probability=pl.lit(None, dtype=pl.Float64),
            wife_match_probability=pl.lit(None, dtype=pl.Float64),
            proposed_changes=pl.lit(None, dtype=pl.String),
        )
    )
