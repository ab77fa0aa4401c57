"""Reject the rows that cannot be worked at all: no key, a duplicated key, an empty name."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from reconcile.ingest.contract import TableSpec

# The most rows a duplicate message lists; the count always says how many there are.
_SHOWN_ROWS = 10

REJECTED_SCHEMA = {
    "record_type": pl.String,
    "record_id": pl.String,
    "source_file": pl.String,
    "source_row": pl.Int64,
    "column": pl.String,
    "reason": pl.String,
    "message": pl.String,
    "values": pl.String,
}


def split_rejected(frame: pl.DataFrame, spec: TableSpec, path: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Split canonical rows into (accepted, rejected).

    A row is rejected once, for its first problem in the order: key empty, key
    duplicated, a name empty. Every copy of a duplicated key is rejected, since
    nothing tells which copy is right.
    """
    key = pl.col(spec.key)
    copies = (
        frame.filter(key.is_not_null() & key.is_duplicated())
        .group_by(spec.key)
        .agg(pl.len().alias("_copies"), pl.col("source_row").sort().alias("_rows"))
    )
    shown = pl.col("_rows").list.head(_SHOWN_ROWS).cast(pl.List(pl.String)).list.join(", ")
    shown = pl.when(pl.col("_copies") > _SHOWN_ROWS).then(shown + ", …").otherwise(shown)

    def problem(column: str, reason: str, what: str, *values: pl.Expr) -> pl.Expr:
        where = (pl.lit(path.name), pl.col("source_row"), pl.lit(column))
        message = pl.format("{} row {}: {} " + what, *where, *values)
        return pl.struct(pl.lit(column).alias("column"), pl.lit(reason).alias("reason"), message.alias("message"))

    checks = [
        (key.is_null(), problem(spec.key, "MISSING_KEY", "is empty")),
        (
            pl.col("_copies").is_not_null(),
            problem(spec.key, "DUPLICATE_KEY", "'{}' appears {} times (rows {})", key, pl.col("_copies"), shown),
        ),
        *((pl.col(name).is_null(), problem(name, "MISSING_NAME", "is empty")) for name in spec.names),
    ]
    first_problem = pl.lit(None, pl.Struct({"column": pl.String, "reason": pl.String, "message": pl.String}))
    for condition, found in reversed(checks):
        first_problem = pl.when(condition).then(found).otherwise(first_problem)

    checked = frame.join(copies, on=spec.key, how="left", maintain_order="left").with_columns(
        first_problem.alias("_problem")
    )
    is_rejected = pl.col("_problem").is_not_null()
    accepted = checked.filter(~is_rejected).select(frame.columns)
    rejected = (
        checked.filter(is_rejected)
        .select(
            pl.lit(spec.record_type).alias("record_type"),
            key.alias("record_id"),
            "source_file",
            "source_row",
            pl.col("_problem").struct.unnest(),
            pl.struct(spec.columns).struct.json_encode().alias("values"),
        )
        .cast(REJECTED_SCHEMA)
    )
    return accepted, rejected
