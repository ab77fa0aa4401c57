"""Bucket population persons recorded as married that no registry marriage links to."""

from __future__ import annotations

import polars as pl


def population_spouses(persons: pl.DataFrame, of: pl.DataFrame) -> pl.DataFrame:
    """The rows of `persons` recorded, on either side, as the spouse of a person of `of`
    (both frames with `person_id` and `spouse_id`)."""
    return persons.filter(pl.col("person_id").is_in(of["spouse_id"].drop_nulls().implode())
                          | pl.col("spouse_id").is_in(of["person_id"].drop_nulls().implode()))


def _in_doubt(links: pl.DataFrame, pairs: pl.DataFrame | None) -> pl.DataFrame:
    """For each spouse whose link is not acted on, its best-scored person (kept, at any
    probability): the first candidate `reconcile explain` shows the officer for it. (Not the
    runner-up couple's persons: measured in docs/accuracy.md, they are more often a namesake
    couple married without registration than this marriage's.)"""
    if pairs is None or pairs.is_empty():
        return pl.DataFrame(schema={"unique_id": pl.String})
    doubtful = links.filter(~pl.col("acceptable").fill_null(False)).select(spouse_uid="unique_id")
    best = pairs.join(doubtful, on="spouse_uid", how="semi").sort(
        ["spouse_uid", "match_weight", "person_uid"], descending=[False, True, False]
    ).group_by("spouse_uid", maintain_order=True).first()
    return best.select(unique_id=pl.col("person_uid"))


def decide_persons(persons: pl.DataFrame, links: pl.DataFrame, pairs: pl.DataFrame | None = None) -> pl.DataFrame:
    """One `missing` row per person whose marital status is married and whom no registry marriage
    accounts for.

    A marriage row accounts, in any bucket, for its spouses' best candidates, for the owners
    of the ID numbers it names, and for the population spouses of its linked persons: when
    the registry's copy of a spouse is not found, the person recorded as married to the
    other spouse is that marriage's business, not a marriage without registration. Where a
    spouse's link is not acted on, the marriage also accounts for the spouse's best-scored
    person in `pairs` (the scored pairs), the officer's first candidate for it: one task for one
    marriage, not a second one for the same person.
    """
    named = pl.concat([
        links.filter(pl.col("linked")).select(unique_id=pl.col("person_uid")),
        links.filter(pl.col("id_owner_uid").is_not_null()).select(unique_id=pl.col("id_owner_uid")),
        _in_doubt(links, pairs),
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
