"""Masking ID numbers in messages: the last 3 digits only, the same in Python and in Polars."""

from __future__ import annotations

import re

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from reconcile.ingest.privacy import mask_ids, mask_ids_expr


def test_ids_keep_their_last_three_digits() -> None:
    text = "person_id '046182005678' and CMND 191953907 (row 12345678, year 2025, 16 digits 1234567890123456)"
    assert mask_ids(text) == (
        "person_id '*********678' and CMND *********907 (row 12345678, year 2025, 16 digits *********456)"
    )


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.text(max_size=30), st.from_regex(r"[0-9]{1,20}", fullmatch=True)), max_size=5))
def test_no_run_of_nine_digits_survives_and_polars_agrees(parts: list[str]) -> None:
    text = " ".join(parts)
    masked = mask_ids(text)
    assert not re.search(r"\d{9}", masked, re.ASCII)
    assert pl.select(mask_ids_expr(pl.lit(text))).item() == masked
