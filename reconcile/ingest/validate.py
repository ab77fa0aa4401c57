"""Reject the rows that cannot be worked at all: a row that does not fit the header, a value
too long to be real, no key, a duplicated key, an empty name."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from reconcile.ingest.contract import TableSpec
from reconcile.ingest.privacy import mask_ids_expr

# The most rows a duplicate message lists; the count always says how many there are.
_SHOWN_ROWS = 10
# No field of a registration or a person is this long (an address is a few hundred
# characters); a longer value is a broken export, and would slow every comparison.
MAX_VALUE_CHARS = 4_000
# What the rejected row keeps of a value that is too long.
_KEPT_CHARS = 200

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


def split_rejected(
    frame: pl.DataFrame, spec: TableSpec, path: Path, malformed: pl.DataFrame | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Split canonical rows into (accepted, rejected); `malformed` rows (see `ReadTable`) are rejected too.

    A row is rejected once, for its first problem in the order: a value too long, key
    empty, key duplicated, a name empty. Every copy of a duplicated key is rejected,
    since nothing tells which copy is right. A personal ID in a message is masked.
    """
    key = pl.col(spec.key)
    keys = frame.get_column(spec.key).drop_nulls()
    copies = (
        frame.filter(key.is_not_null() & key.is_duplicated())
        .group_by(spec.key)
        .agg(pl.len().alias("_copies"), pl.col("source_row").sort().alias("_rows"))
        if keys.n_unique() < keys.len()  # counting distinct keys is quicker than finding the repeated ones
        else None
    )
    shown = pl.col("_rows").list.head(_SHOWN_ROWS).cast(pl.List(pl.String)).list.join(", ")
    shown = pl.when(pl.col("_copies") > _SHOWN_ROWS).then(shown + ", …").otherwise(shown)

    def problem(column: str, reason: str, what: str, *values: pl.Expr) -> pl.Expr:
        where = (pl.lit(path.name), pl.col("source_row"), pl.lit(column))
        message = pl.format("{} row {}: {} " + what, *where, *values)
        return pl.struct(pl.lit(column).alias("column"), pl.lit(reason).alias("reason"), message.alias("message"))

    too_long = "is {} characters long; a value has at most " + f"{MAX_VALUE_CHARS:,}"
    checks = [
        *(
            (pl.col(name).str.len_chars() > MAX_VALUE_CHARS,
             problem(name, "VALUE_TOO_LONG", too_long, pl.col(name).str.len_chars()))
            for name in spec.columns
        ),
        (key.is_null(), problem(spec.key, "MISSING_KEY", "is empty")),
        (
            pl.col("_copies").is_not_null(),
            problem(spec.key, "DUPLICATE_KEY", "'{}' appears {} times (rows {})", mask_ids_expr(key),
                    pl.col("_copies"), shown),
        ),
        *((pl.col(name).is_null(), problem(name, "MISSING_NAME", "is empty")) for name in spec.names),
    ]
    first_problem = pl.lit(None, pl.Struct({"column": pl.String, "reason": pl.String, "message": pl.String}))
    for condition, found in reversed(checks):
        first_problem = pl.when(condition).then(found).otherwise(first_problem)

    if copies is None:  # the usual file: no key twice
        checked = frame.with_columns(_copies=pl.lit(None, pl.UInt32), _rows=pl.lit(None, pl.List(pl.Int64)))
    else:
        checked = frame.join(copies, on=spec.key, how="left", maintain_order="left")
    # Which rows have a problem is found first; the messages are written for those rows only.
    is_rejected = pl.any_horizontal(condition.fill_null(False) for condition, _ in checks)
    checked = checked.with_columns(_rejected=is_rejected)
    accepted = checked.filter(~pl.col("_rejected")).select(frame.columns)
    rejected = (
        checked.filter("_rejected")
        .with_columns(first_problem.alias("_problem"))
        .select(
            pl.lit(spec.record_type).alias("record_type"),
            key.alias("record_id"),
            "source_file",
            "source_row",
            pl.col("_problem").struct.unnest(),
            pl.struct(_kept(name) for name in spec.columns).struct.json_encode().alias("values"),
        )
        .cast(REJECTED_SCHEMA)
    )
    if malformed is not None and not malformed.is_empty():
        rejected = pl.concat([rejected, _malformed(malformed, spec, path)]).sort("source_row", maintain_order=True)
    return accepted, rejected


def _kept(name: str) -> pl.Expr:
    """A value as the rejected row keeps it: whole, or its start and its length when too long."""
    value, length = pl.col(name), pl.col(name).str.len_chars()
    cut = pl.format("{}… ({} characters)", value.str.slice(0, _KEPT_CHARS), length)
    return pl.when(length > MAX_VALUE_CHARS).then(cut).otherwise(value).alias(name)


def _malformed(malformed: pl.DataFrame, spec: TableSpec, path: Path) -> pl.DataFrame:
    """MALFORMED_ROW rejections for the CSV rows that do not fit the header; they keep their raw fields."""
    return malformed.select(
        pl.lit(spec.record_type).alias("record_type"),
        pl.lit(None, pl.String).alias("record_id"),
        "source_file",
        "source_row",
        pl.lit(None, pl.String).alias("column"),
        pl.lit("MALFORMED_ROW").alias("reason"),
        pl.format("{} row {}: {}", pl.lit(path.name), "source_row", "problem").alias("message"),
        "values",
    ).cast(REJECTED_SCHEMA)
