"""Records per bucket and per commune, from the current results."""

from __future__ import annotations

import polars as pl

from reconcile.normalize.communes import current_communes

BUCKET_ORDER = ("auto_resolve", "conflict", "missing", "rejected")


def bucket_table(results: pl.DataFrame) -> pl.DataFrame:
    """One row per commune (code and name) with a count per bucket and the total, sorted by code.

    Rejected rows have no commune; they form their own row, as does a commune that could not
    be determined from the registry.
    """
    names = current_communes().select(commune=pl.col("code"), name=pl.col("name"))
    counts = (
        results.with_columns(pl.col("commune").fill_null(""))
        .group_by("commune", "bucket").len()
        .pivot(on="bucket", index="commune", values="len")
    )
    for bucket in BUCKET_ORDER:
        if bucket not in counts.columns:
            counts = counts.with_columns(pl.lit(0, pl.UInt32).alias(bucket))
    return (
        counts.join(names, on="commune", how="left")
        .with_columns(
            pl.when(pl.col("commune") == "").then(pl.lit("(commune unknown)")).otherwise(pl.col("name").fill_null("?")).alias("name"),
            *(pl.col(b).fill_null(0).cast(pl.Int64) for b in BUCKET_ORDER),
        )
        .with_columns(total=pl.sum_horizontal(BUCKET_ORDER))
        .select("commune", "name", *BUCKET_ORDER, "total")
        .sort("commune")
    )
