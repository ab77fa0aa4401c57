"""Bucket population persons recorded as married that no registry marriage links to."""

from __future__ import annotations

import polars as pl


def decide_persons(persons: pl.DataFrame, links: pl.DataFrame) -> pl.DataFrame:
    """One `missing` row per person whose marital status is married and who is no spouse's best link.

    Every linked best candidate counts, in any bucket: that person is accounted for by
    the marriage's own row.
    """
    linked = links.filter(pl.col("linked")).select(unique_id=pl.col("person_uid")).unique()
    return (
        persons.filter(pl.col("marital_status") == "married")
        .join(linked, on="unique_id", how="anti")
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
