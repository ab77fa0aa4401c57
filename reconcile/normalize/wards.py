"""Read a record's ward code as a current (post-merger) commune code.

Old and current codes share one number space and many numbers are in both lists, so
the date decides: a record from before 1 July 2025 is read as an old code if it is
one, a later record as a current code if it is one, an undated record as current
first. Spreadsheets drop leading zeros, so 1–5 digit codes are padded to 5 digits.
"""

from __future__ import annotations

import polars as pl

CURRENT, OLD_MAPPED, OLD_SPLIT, UNKNOWN = "current", "old_mapped", "old_split", "unknown"


def clean_ward_code(raw: pl.Expr) -> pl.Expr:
    """A 5-digit code from ' 1975', '01975' or '1975.0'; null for anything else."""
    text = raw.str.strip_chars().str.replace(r"\.0+$", "")
    return pl.when(text.str.contains(r"^\d{1,5}$")).then(text.str.zfill(5))


def commune_columns(
    frame: pl.DataFrame,
    code_column: str,
    before_merger: pl.Expr,
    communes: pl.DataFrame,
    current: pl.DataFrame,
) -> pl.DataFrame:
    """Add `commune` (current code or null) and `commune_source` for the codes in `code_column`.

    `before_merger` is True/False/null per row; `communes` is `commune_table()` and
    `current` is `current_communes()`.
    """
    old = communes.select(
        pl.col("old_code").alias("_code"), pl.col("new_code").alias("_old_new"), pl.col("split").alias("_split")
    ).filter(pl.col("_code").is_not_null() & pl.col("_old_new").is_not_null())
    current_codes = current.get_column("code").implode()
    code = clean_ward_code(pl.col(code_column))
    with_old = frame.with_columns(code.alias("_code")).join(old, on="_code", how="left", maintain_order="left")
    is_current = pl.col("_code").is_in(current_codes)
    is_old = pl.col("_old_new").is_not_null()
    use_old = is_old & (before_merger.fill_null(False) | ~is_current)
    return with_old.with_columns(
        commune=pl.when(use_old).then(pl.col("_old_new")).when(is_current).then(pl.col("_code")),
        commune_source=pl.when(use_old & pl.col("_split"))
        .then(pl.lit(OLD_SPLIT))
        .when(use_old)
        .then(pl.lit(OLD_MAPPED))
        .when(is_current)
        .then(pl.lit(CURRENT))
        .otherwise(pl.lit(UNKNOWN)),
    ).drop("_code", "_old_new", "_split")
