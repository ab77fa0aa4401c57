"""Ranks within the groups of a frame sorted by its group key."""

from __future__ import annotations

import polars as pl


def rank_in_sorted(key: str) -> pl.Expr:
    """Each row's position (0 the first) among the rows of its `key`, for a frame sorted by `key`
    (its rows of one key together): the row's number less that of its key's first row. The same as
    `pl.int_range(pl.len()).over(key)` on such a frame, without grouping the frame by the key (the
    1.5 M province's 2.4 M pairs by spouse: 0.37 -> 0.04 s)."""
    row = pl.int_range(pl.len(), dtype=pl.Int64)
    first = (row == 0) | pl.col(key).ne_missing(pl.col(key).shift(1))
    return row - pl.when(first).then(row).forward_fill()
