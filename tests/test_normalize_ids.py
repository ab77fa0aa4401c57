"""IDs: cleaning, kinds, dropped leading zeros, scientific notation, structure checks."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


@pytest.mark.parametrize(
    ("raw", "number", "kind"),
    [("079090012345", "079090012345", "personal_id"), ("'079090012345", "079090012345", "personal_id"),
     (" 079 090 012 345 ", "079090012345", "personal_id"), ("079.090.012.345", "079090012345", "personal_id"),
     ("079-090-012-345", "079090012345", "personal_id"), ("079090012345.0", "079090012345", "personal_id"),
     ("123456789", "123456789", "old_id"), ("c1234567", "C1234567", "passport"),
     ("B12345678", "B12345678", "passport")],
)
def test_clean_ids(raw: str, number: str, kind: str) -> None:
    got = classify(raw)
    assert (got["id_number"], got["id_kind"], got["id_note"]) == (number, kind, None)


def test_dropped_leading_zero_restored_only_when_sex_and_year_agree() -> None:
    restored = classify("79090012345", "M", 1990)
    assert (restored["id_number"], restored["id_kind"], restored["id_note"]) == (
        "079090012345", "personal_id", LEADING_ZERO_RESTORED,
    )
    assert classify("1090012345", "M", 1990)["id_number"] == "001090012345"  # 001 (Hà Nội) lost two zeros
    for sex, year in (("F", 1990), ("M", 1991), (None, 1990), ("M", None)):
        got = classify("79090012345", sex, year)
        assert (got["id_kind"], got["id_note"]) == ("unusable", LEADING_ZERO_UNVERIFIED)
    old = classify("12345678")
    assert (old["id_number"], old["id_kind"], old["id_note"]) == ("012345678", "old_id", LEADING_ZERO_RESTORED)


@pytest.mark.parametrize("raw", ["4.61e+11", "4,61E+11", "7.9090E+10", "461000000000", "79090000000", "1.23457E+11"])
def test_scientific_notation_is_never_trusted(raw: str) -> None:
    got = classify(raw, "M", 1990)
    assert (got["id_kind"], got["id_note"]) == ("unusable", SCIENTIFIC_NOTATION)


def test_structure_is_evidence_checked_against_sex_and_year() -> None:
    assert classify("079090012345", "M", 1990)["id_structure_ok"] is True
    assert classify("079190012345", "F", 1990)["id_structure_ok"] is True
    assert classify("079090012345", "F", 1990)["id_structure_ok"] is False  # digit 4 says male
    assert classify("079090012345", "M", 1991)["id_structure_ok"] is False  # digits 5-6 say 1990
    assert classify("079203012345", "M", 2003)["id_structure_ok"] is True  # 2 = male born 2000s
    assert classify("079090012345", "M", None)["id_structure_ok"] is None
    assert classify("179090012345", "M", 1990)["id_structure_ok"] is False  # province codes start with 0
    assert classify("123456789", "M", 1990)["id_structure_ok"] is None  # only 12-digit IDs are checked


@pytest.mark.parametrize("raw", ["abc", "12345", "1234567890123", "AB1234567"])
def test_other_text_is_unusable_with_a_note(raw: str) -> None:
    assert (classify(raw)["id_kind"], classify(raw)["id_note"]) == ("unusable", UNRECOGNISED_FORMAT)


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
