"""Dates: the formats records use, partial dates, and the doubts a reader must see."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reconcile.normalize.dates import DATE_FIELDS, MAX_YEAR, MIN_YEAR, UNREADABLE_DATE, date_columns, parse_dates


def parse(text: str | None) -> dict:
    return parse_dates(pl.Series([text], dtype=pl.String)).row(0, named=True)


# The formats, partial dates and placeholders, case by case: tests/golden/dates.tsv
# (tests/test_dates_golden.py).


def test_day_month_swap_is_fixed_and_flagged() -> None:
    got = parse("05/13/1990")
    assert (got["date"], got["swapped"]) == (dt.date(1990, 5, 13), True)
    assert parse("13/05/1990")["swapped"] is False


def test_impossible_date_keeps_year_and_month() -> None:
    got = parse("30/02/1980")
    assert (got["year"], got["month"], got["day"], got["precision"], got["impossible"]) == (1980, 2, None, "month", True)
    assert parse("29/02/2000")["date"] == dt.date(2000, 2, 29)
    assert parse("29/02/1900")["impossible"] is True
    both_too_big = parse("13/13/1990")
    assert (both_too_big["year"], both_too_big["precision"], both_too_big["impossible"]) == (1990, "year", True)


@pytest.mark.parametrize("text", ["3x/abc", "12/05/2099", "1879", "12/05/85", "99999", "không rõ"])
def test_unreadable(text: str) -> None:
    got = parse(text)
    assert got["reason"] == UNREADABLE_DATE
    assert all(got[f] is None for f in DATE_FIELDS if f != "reason")


@pytest.mark.parametrize("text", [None, "", "   "])
def test_empty_is_not_an_error(text: str | None) -> None:
    assert all(v is None for v in parse(text).values())


def test_excel_serials_are_five_digits_and_years_four() -> None:
    assert parse("45000")["date"] == dt.date(2023, 3, 15)
    assert parse("1990")["precision"] == "year"


def test_date_columns_parses_distinct_values_and_keeps_rows() -> None:
    frame = pl.DataFrame({"b": ["12/05/1990", None, "12/05/1990", "1975"], "n": [1, 2, 3, 4]})
    out = date_columns(frame, "b", "birth_")
    assert out.get_column("n").to_list() == [1, 2, 3, 4]
    assert out.get_column("birth_year").to_list() == [1990, None, 1990, 1975]
    assert out.schema["birth_year"] == pl.Int32 and out.schema["birth_month"] == pl.Int8


dates = st.dates(min_value=dt.date(MIN_YEAR, 1, 1), max_value=dt.date(MAX_YEAR, 12, 31))


@settings(max_examples=200, deadline=None)
@given(dates, st.sampled_from(["{d:02d}/{m:02d}/{y}", "{d}/{m}/{y}", "{y}-{m:02d}-{d:02d}", "{d:02d}.{m:02d}.{y}"]))
def test_written_dates_read_back(date: dt.date, form: str) -> None:
    text = form.format(d=date.day, m=date.month, y=date.year)
    got = parse(text)
    assert (got["date"], got["precision"], got["swapped"], got["reason"]) == (date, "day", False, None)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30))
def test_any_text_gives_a_date_part_or_a_reason(text: str) -> None:
    got = parse(text)
    if got["reason"] is None:
        assert got["year"] is None and not text.strip() or MIN_YEAR <= got["year"] <= MAX_YEAR
    else:
        assert got["year"] is None
