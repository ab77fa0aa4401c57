"""What normalization found and did, counted per input: the officer's view of the data quality."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from reconcile.normalize.ids import LEADING_ZERO_RESTORED, SCIENTIFIC_NOTATION, UNUSABLE
from reconcile.normalize.wards import OLD_MAPPED, OLD_SPLIT, PLACE_TEXT, UNKNOWN


@dataclass(frozen=True)
class DataQuality:
    """Counts over the people of one input (registry spouses or population persons)."""

    people: int
    names_repaired: int       # typed in a legacy font (TCVN3, VNI) and repaired
    ids_missing: int
    ids_unusable: int         # not a 12-digit, 9-digit or passport number (e.g. scientific notation)
    ids_zero_restored: int
    ids_scientific: int
    birth_partial: int        # month/year or year only
    old_commune_codes: int    # pre-merger codes mapped to current communes (split wards included)
    communes_from_text: int   # read from the authority or address text
    communes_unknown: int


def data_quality(people: pl.DataFrame, places: pl.DataFrame) -> DataQuality:
    """Count the quality figures for `people` (spouses or persons) and the commune sources of
    `places` (marriages for the registry, the persons themselves for the population)."""
    def count(expr: pl.Expr, frame: pl.DataFrame = people) -> int:
        return int(frame.select(expr.fill_null(False).sum()).item())

    source = pl.col("commune_source")
    return DataQuality(
        people=people.height,
        names_repaired=count(pl.col("name_repaired")),
        ids_missing=count(pl.col("id_kind").is_null()),
        ids_unusable=count(pl.col("id_kind") == UNUSABLE),
        ids_zero_restored=count(pl.col("id_note") == LEADING_ZERO_RESTORED),
        ids_scientific=count(pl.col("id_note") == SCIENTIFIC_NOTATION),
        birth_partial=count(pl.col("birth_precision").is_in(["month", "year"])),
        old_commune_codes=count(source.is_in([OLD_MAPPED, OLD_SPLIT]), places),
        communes_from_text=count(source == PLACE_TEXT, places),
        communes_unknown=count(source == UNKNOWN, places),
    )
