"""IDs: cleaning, kinds, dropped leading zeros, scientific notation, structure checks."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from golden_tables import read_table

from reconcile.normalize.ids import (
    LEADING_ZERO_RESTORED,
    LEADING_ZERO_UNVERIFIED,
    SCIENTIFIC_NOTATION,
    UNRECOGNISED_FORMAT,
    classify_ids,
)


def classify(raw: str | None, sex: str | None = None, year: int | None = None) -> dict:
    result = classify_ids(
        pl.Series([raw], dtype=pl.String), pl.Series([sex], dtype=pl.String), pl.Series([year], dtype=pl.Int32)
    )
    return result.row(0, named=True)


HEADER, CASES = read_table("ids")


@pytest.mark.parametrize("case", CASES, ids=[f"{c[0].strip()}-{c[1]}-{c[2]}" for c in CASES])
def test_ids_as_typed_read_as_the_golden_table_says(case: list[str]) -> None:
    raw, sex, year, *expected, _why = case
    got = classify(raw, sex or None, int(year) if year else None)
    shown = {c: "" if v is None else str(v).lower() if isinstance(v, bool) else str(v) for c, v in got.items()}
    assert [shown[c] for c in HEADER[3:7]] == expected


def test_the_golden_table_names_every_note_and_kind() -> None:
    notes = {c[5] for c in CASES}
    assert {LEADING_ZERO_RESTORED, LEADING_ZERO_UNVERIFIED, SCIENTIFIC_NOTATION, UNRECOGNISED_FORMAT} <= notes
    assert {c[4] for c in CASES} == {"personal_id", "old_id", "passport", "unusable"}


@pytest.mark.parametrize("raw", [None, "", "  "])
def test_empty_is_all_null(raw: str | None) -> None:
    assert all(v is None for v in classify(raw).values())


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=20),
        st.from_regex(r"'?[0-9 .\-]{6,16}", fullmatch=True),
    ),
    st.sampled_from(["M", "F", None]),
    st.one_of(st.none(), st.integers(1880, 2030)),
)
def test_any_text_gets_a_kind_and_unusable_ones_a_reason(raw: str, sex: str | None, year: int | None) -> None:
    got = classify(raw, sex, year)
    if raw.strip().lstrip("'\u2019`").strip() == "":
        assert got["id_kind"] is None
        return
    assert got["id_kind"] in {"personal_id", "old_id", "passport", "unusable"}
    assert got["id_number"] is not None
    if got["id_kind"] == "unusable":
        assert got["id_note"] is not None
    if got["id_kind"] == "personal_id":
        assert len(got["id_number"]) == 12 and got["id_number"].isdigit()
