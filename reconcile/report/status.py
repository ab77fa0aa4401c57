"""Records per bucket and per commune, from the current results."""

from __future__ import annotations

import polars as pl

from reconcile.normalize.communes import current_communes

BUCKET_ORDER = ("auto_resolve", "conflict", "missing", "rejected")


def commune_names(codes: list[str]) -> dict[str, str]:
    """The current name of each commune code ("" is a commune that could not be determined)."""
    names = dict(current_communes().select("code", "name").iter_rows())
    return {c: "(commune unknown)" if c == "" else names.get(c, "?") for c in codes}


def bucket_table(results: pl.DataFrame) -> pl.DataFrame:
    """One row per commune (code and name) with a count per bucket and the total, sorted by code.

    Rejected rows have no commune; they form their own row, as does a commune that could not
    be determined from the registry.
    """
    counts = (
        results.with_columns(pl.col("commune").fill_null(""))
        .group_by("commune", "bucket").len()
        .pivot(on="bucket", index="commune", values="len")
    )
    for bucket in BUCKET_ORDER:
        if bucket not in counts.columns:
            counts = counts.with_columns(pl.lit(0, pl.UInt32).alias(bucket))
    names = commune_names(counts["commune"].to_list())
    return (
        counts.with_columns(
            pl.col("commune").replace_strict(names, return_dtype=pl.String).alias("name"),
            *(pl.col(b).fill_null(0).cast(pl.Int64) for b in BUCKET_ORDER),
        )
        .with_columns(total=pl.sum_horizontal(BUCKET_ORDER))
        .select("commune", "name", *BUCKET_ORDER, "total")
        .sort("commune")
    )
