"""Masking ID numbers in what a user reads: messages and logs never show a whole ID.

A run of 9 or more digits (a 12-digit personal ID, a 9-digit old ID card number) shows
as `*********` and its last 3 digits, enough to find the row and no more. The rejected
table keeps the raw row: it is the quarantine, read by the person who ran the ingest.
"""

from __future__ import annotations

import re

import polars as pl

# The same pattern reads in Python's `re` and in Polars (Rust regex): no look-around.
_ID_RUN = r"\d{6,}(\d{3})"
_MASKED = "*********"
_ID_RUN_RE = re.compile(_ID_RUN)


def mask_ids(text: str) -> str:
    """'046182005678 appears twice' → '*********678 appears twice'."""
    return _ID_RUN_RE.sub(_MASKED + r"\1", text)


def mask_ids_expr(text: pl.Expr) -> pl.Expr:
    """`mask_ids` over a Polars text column."""
    return text.str.replace_all(_ID_RUN, _MASKED + "${1}")
