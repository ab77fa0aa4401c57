"""Couple columns: what each record says about the other person of its marriage.

A registry spouse carries its partner's name, birth year and ID number (`spouse_*`); a population
person carries its recorded spouse: the name typed in its own record (`spouse_name_*`, already
normalised) and its mate, the population person recorded as its spouse by personal ID, in either
record (`mate_*`). The matcher compares the partner with the recorded spouse, and finds a spouse
whose own copy is damaged through the partner (rules/matching.toml).

Pure: Polars frames in and out. Both sides get every column (null where the side has none),
because Splink compares the two sides' columns by name.
"""

from __future__ import annotations

import polars as pl

from reconcile.normalize.names import core_ascii

# The couple columns both sides carry, after `partner_columns` / `mate_columns`.
COUPLE_COLUMNS: tuple[str, ...] = (
    "spouse_id", "spouse_name_tone", "spouse_name_ascii", "spouse_name_core", "spouse_birth_year",
    "mate_id", "mate_name_tone", "mate_name_ascii", "mate_name_core", "mate_birth_year",
)
# What each side needs to make them.
PARTNER_INPUTS: tuple[str, ...] = ("registration_id", "role", "name_tone", "name_ascii", "name_core_ascii",
                                   "birth_year", "id12")
MATE_INPUTS: tuple[str, ...] = ("person_id", "spouse_id", "spouse_name_tone", "spouse_name_ascii", "name_tone",
                                "name_ascii", "name_core_ascii", "birth_year")

_OTHER_ROLE = {"husband": "wife", "wife": "husband"}


def partner_columns(spouses: pl.DataFrame) -> pl.DataFrame:
    """`spouses` with the couple columns: the partner's name (`spouse_name_tone/_ascii`), birth year
    and 12-digit ID (`spouse_id`); `mate_*` null (the registry records no mate)."""
    partner = spouses.select(
        "registration_id",
        pl.col("role").replace_strict(_OTHER_ROLE, default=None),
        spouse_name_tone=pl.col("name_tone"), spouse_name_ascii=pl.col("name_ascii"),
        spouse_name_core=pl.col("name_core_ascii"), spouse_birth_year=pl.col("birth_year"), spouse_id=pl.col("id12"),
    )
    return spouses.drop(c for c in COUPLE_COLUMNS if c in spouses.columns).join(
        partner, on=["registration_id", "role"], how="left"
    ).with_columns(
        mate_id=pl.lit(None, pl.String), mate_name_tone=pl.lit(None, pl.String),
        mate_name_ascii=pl.lit(None, pl.String), mate_name_core=pl.lit(None, pl.String),
        mate_birth_year=pl.lit(None, pl.Int32),
    ).cast({"spouse_birth_year": pl.Int32})


def mate_columns(persons: pl.DataFrame) -> pl.DataFrame:
    """`persons` with the couple columns: the typed spouse name without Văn/Thị (`spouse_name_core`);
    `mate_id`, `mate_name_tone/_ascii/_core`, `mate_birth_year` of the person
    whose personal ID it records as spouse or, failing that, of the one person who records its ID
    as spouse; `spouse_birth_year` null (a typed spouse name carries no date)."""
    people = persons.select("person_id", "name_tone", "name_ascii", "name_core_ascii", "birth_year",
                            mate_id=pl.col("person_id"))
    recorded = persons.select("person_id", "spouse_id").filter(pl.col("spouse_id").is_not_null())
    # The person this one names (forward), else the one person naming this one (backward).
    forward = recorded.join(people.rename({"person_id": "spouse_id"}), on="spouse_id", how="inner").drop("spouse_id")
    backward = (
        recorded.unique("spouse_id", keep="none")
        .join(people, on="person_id", how="inner")
        .drop("person_id").rename({"spouse_id": "person_id"})
    )
    mates = pl.concat([forward.with_columns(_order=pl.lit(0)), backward.with_columns(_order=pl.lit(1))]).sort(
        "_order").unique("person_id", keep="first").select(
        "person_id", "mate_id", mate_name_tone=pl.col("name_tone"), mate_name_ascii=pl.col("name_ascii"),
        mate_name_core=pl.col("name_core_ascii"),
        mate_birth_year=pl.col("birth_year"),
    )
    keep = [c for c in persons.columns if c not in COUPLE_COLUMNS or c in ("spouse_id", "spouse_name_tone",
                                                                          "spouse_name_ascii")]
    # The typed names' cores, worked out once per distinct name (most persons have none).
    typed = persons.select(pl.col("spouse_name_ascii").drop_nulls().unique())
    cores = typed.with_columns(spouse_name_core=core_ascii(pl.col("spouse_name_ascii")))
    return persons.select(keep).join(mates, on="person_id", how="left").join(
        cores, on="spouse_name_ascii", how="left"
    ).with_columns(spouse_birth_year=pl.lit(None, pl.Int32)).cast({"mate_birth_year": pl.Int32})


def with_couples(spouses: pl.DataFrame, persons: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Both sides with the couple columns (each side only if it lacks them)."""
    if "mate_id" not in spouses.columns:
        spouses = partner_columns(spouses)
    if "mate_id" not in persons.columns:
        persons = mate_columns(persons)
    return spouses, persons
