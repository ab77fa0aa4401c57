"""Normalise ingested registry and population rows into the frames the linker and the rules read.

Every input row ends up in exactly one place: a registry row in `marriages` (with its
two `spouses`) or in `rejected`; a population row in `persons` or in `rejected`. A row
is rejected for a birth date that is not empty but cannot be read, not even as a year,
and for the key and name problems that only show once values are cleaned (IDs that
become equal once a lost zero is restored, a name without a letter). Each problem is
one `rejected` row, in ingest's rejected schema.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from reconcile.frames import MARRIAGES, PERSONS, SPOUSES
from reconcile.ingest.contract import POPULATION, REGISTRY, SOURCE_COLUMNS
from reconcile.ingest.privacy import mask_ids_expr
from reconcile.ingest.validate import REJECTED_SCHEMA
from reconcile.normalize.communes import MERGER_DATE, current_communes
from reconcile.normalize.couples import COUPLE_COLUMNS, MATE_INPUTS, PARTNER_INPUTS, mate_columns, partner_columns
from reconcile.normalize.dates import date_columns
from reconcile.normalize.homes import home_key
from reconcile.normalize.ids import OLD_ID, PERSONAL_ID, classify_ids
from reconcile.normalize.names import name_columns, toned_only
from reconcile.normalize.provinces import address_province, commune_province
from reconcile.normalize.values import (
    is_foreign,
    marital_status_code,
    marriage_status_code,
    sex_code,
)
from reconcile.normalize.wards import commune_columns, place_communes


@dataclass(frozen=True)
class NormalizedRegistry:
    """Registry rows normalised: one row per marriage, two per marriage in spouses, and the rejects."""

    marriages: pl.DataFrame
    spouses: pl.DataFrame
    rejected: pl.DataFrame


@dataclass(frozen=True)
class NormalizedPopulation:
    """Population rows normalised: one row per person, and the rejects."""

    persons: pl.DataFrame
    rejected: pl.DataFrame


# A value made only of these characters is NFC already: none of ASCII, the Latin blocks up to U+02FF
# or Latin Extended Additional (Vietnamese's precomposed letters) decomposes, combines with a
# neighbour or is a combining mark, so Unicode's quick check reads such text as NFC.
_MAYBE_NOT_NFC = r"[^\x00-\x{2ff}\x{1e00}-\x{1eff}]"


def _nfc(values: pl.Series) -> pl.Series:
    """`values` in NFC. Only the distinct values that may not be NFC already are normalised."""
    suspect = values.str.contains(_MAYBE_NOT_NFC)
    if not suspect.any():
        return values
    distinct = values.filter(suspect).unique()
    normalised = distinct.str.normalize("NFC")
    changed = distinct != normalised
    if not changed.any():
        return values
    return values.replace(distinct.filter(changed), normalised.filter(changed))


def _clean_text(values: pl.Series) -> pl.Series:
    return _nfc(values).str.strip_chars().replace("", None)


def _text(column: str) -> pl.Expr:
    """NFC text without surrounding spaces; empty becomes null."""
    return pl.col(column).map_batches(_clean_text, return_dtype=pl.String, is_elementwise=True)


def _prepare(rows: pl.DataFrame, columns: tuple[str, ...]) -> pl.DataFrame:
    """Every canonical column as String (absent ones all null), plus a row index `_row`."""
    wanted = {**dict.fromkeys(columns, pl.String), **dict(zip(SOURCE_COLUMNS, (pl.String, pl.Int64), strict=True))}
    missing = [pl.lit(None, dtype).alias(c) for c, dtype in wanted.items() if c not in rows.columns]
    return rows.with_columns(missing).cast(pl.Schema(wanted)).with_row_index("_row")


def _describe_person(frame: pl.DataFrame) -> pl.DataFrame:
    """Add the name and birth columns (and `birth_reason`) from `full_name_raw` and `birth_date_raw`."""
    return date_columns(name_columns(frame, "full_name_raw"), "birth_date_raw", "birth_")


def _problem(
    frame: pl.DataFrame, when: pl.Expr, record_type: str, column: str | pl.Expr, reason: str, message: pl.Expr
) -> pl.DataFrame:
    """Rejected rows (plus `_row`) for the rows of `frame` where `when` holds."""
    return frame.filter(when).select(
        "_row",
        pl.lit(record_type).alias("record_type"),
        pl.col("_record_id").alias("record_id"),
        pl.col("source_file").cast(pl.String),
        pl.col("source_row").cast(pl.Int64),
        (pl.lit(column) if isinstance(column, str) else column).alias("column"),
        pl.lit(reason).alias("reason"),
        message.alias("message"),
    )


def _key_problems(frame: pl.DataFrame, record_type: str, column: str, key: str) -> list[pl.DataFrame]:
    """MISSING_KEY for an empty `column`, DUPLICATE_KEY for a `key` found more than once."""
    problems = [_problem(frame, pl.col(key).is_null(), record_type, column, "MISSING_KEY",
                         pl.lit(f"{column} is empty, so the row has no key"))]
    keys = frame.get_column(key).drop_nulls()
    if keys.n_unique() < keys.len():  # counting distinct keys is quicker than counting each key's rows
        count = pl.len().over(key)
        problems.append(
            _problem(frame, pl.col(key).is_not_null() & (count > 1), record_type, column, "DUPLICATE_KEY",
                     pl.format(f"{column} '{{}}' appears {{}} times in the input", mask_ids_expr(pl.col(key)), count))
        )
    return problems


def _person_problems(frame: pl.DataFrame, record_type: str, prefix: pl.Expr) -> list[pl.DataFrame]:
    """MISSING_NAME and UNREADABLE_DATE for a frame with name and birth columns."""
    name_column = prefix + pl.lit("full_name")
    date_column = prefix + pl.lit("birth_date")
    raw_name = pl.col("full_name_raw").fill_null("")
    return [
        _problem(frame, pl.col("name_ascii").is_null(), record_type, name_column, "MISSING_NAME",
                 pl.when(raw_name == "").then(pl.format("{} is empty", name_column))
                 .otherwise(pl.format("{} '{}' contains no letters", name_column, mask_ids_expr(raw_name)))),
        _problem(frame, pl.col("birth_reason").is_not_null(), record_type, date_column, "UNREADABLE_DATE",
                 pl.format("{} '{}' cannot be read, not even as a year", date_column,
                           mask_ids_expr(pl.col("birth_date_raw")))),
    ]


def _rejected(problems: list[pl.DataFrame], rows: pl.DataFrame, columns: tuple[str, ...]) -> pl.DataFrame:
    """One rejected row per record, in row order, with the row's canonical values as JSON (as ingest
    gives them). A record with several problems is named by its first; the message lists them all."""
    found = (
        pl.concat([p.select("_row", *(c for c in REJECTED_SCHEMA if c != "values")) for p in problems])
        .with_row_index("_order")
        .group_by("_row", maintain_order=True)
        .agg(pl.all().exclude("message", "_order").first(), pl.col("message").str.join("; "))
    )
    values = rows.filter(pl.col("_row").is_in(found.get_column("_row").implode())).select(
        "_row", pl.struct(columns).struct.json_encode().alias("values")
    )
    return (
        found.join(values, on="_row", how="left")
        .sort("_row", maintain_order=True)
        .select("_row", *REJECTED_SCHEMA)
        .cast(pl.Schema(REJECTED_SCHEMA))
    )


def _before_merger(year: str, month: str) -> pl.Expr:
    """True/False when the date is known well enough to compare with the merger, else null.

    The merger took effect on the first of a month, so year and month are enough.
    """
    y, m = pl.col(year), pl.col(month)
    return (
        pl.when(y < MERGER_DATE.year).then(True)
        .when(y > MERGER_DATE.year).then(False)
        .when(m.is_not_null()).then(m < MERGER_DATE.month)
    )


def _spouses(marriages: pl.DataFrame) -> pl.DataFrame:
    """Two rows per marriage, husband then wife, with the spouse's own columns unprefixed."""
    fields = {"full_name": "full_name_raw", "birth_date": "birth_date_raw", "id_number": "id_raw",
              "ethnicity": "ethnicity", "nationality": "nationality", "residence": "residence"}
    parts = [
        marriages.select(
            "_row", "_record_id", "source_file", "source_row", "commune",
            pl.lit(order, pl.Int8).alias("_order"),
            (pl.col("registration_id") + f"|{tag}").alias("unique_id"),
            "registration_id", pl.lit(role).alias("role"), pl.lit(sex).alias("sex"),
            *[_text(f"{role}_{source}").alias(target) for source, target in fields.items()],
        )
        for order, (role, sex, tag) in enumerate((("husband", "M", "H"), ("wife", "F", "W")))
    ]
    spouses = _describe_person(pl.concat(parts).sort("_row", "_order"))
    ids = classify_ids(spouses["id_raw"], spouses["sex"], spouses["birth_year"])
    return spouses.hstack(ids).with_columns(
        id12=pl.when(pl.col("id_kind") == PERSONAL_ID).then(pl.col("id_number")),
        id9=pl.when(pl.col("id_kind") == OLD_ID).then(pl.col("id_number")),
        # A holder of a 12-digit personal ID is Vietnamese whatever the nationality text says.
        is_foreign=is_foreign(pl.col("nationality")) & (pl.col("id_kind") != PERSONAL_ID).fill_null(True),
        residence_province=address_province(spouses["residence"]),
    )


def normalize_registry(
    rows: pl.DataFrame, communes: pl.DataFrame, current: pl.DataFrame | None = None
) -> NormalizedRegistry:
    """Normalise registry rows; `communes` is `commune_table()`, `current` defaults to `current_communes()`."""
    current = current_communes() if current is None else current
    rows = _prepare(rows, REGISTRY.columns)
    marriages = rows.with_columns(
        _text("registration_id").alias("registration_id"),
        _text("registration_ward_code").alias("ward_code_raw"),
        _text("registration_place").alias("registration_place"),
        _text("status").alias("status_raw"),
    ).with_columns(_record_id=pl.col("registration_id"))
    marriages = date_columns(marriages, "registration_date", "_reg_")
    marriages = date_columns(marriages.rename({"status_date": "_status_date_raw"}), "_status_date_raw", "_status_")
    before = _before_merger("_reg_year", "_reg_month")
    marriages = commune_columns(marriages, "ward_code_raw", before, communes, current)
    marriages = place_communes(marriages, "registration_place", before, communes, current).with_columns(
        pl.col("_reg_date").alias("registration_date"),
        pl.col("_reg_year").alias("registration_year"),
        pl.col("_reg_precision").alias("registration_precision"),
        marriage_status_code(pl.col("status_raw")).alias("status"),
        pl.col("_status_date").alias("status_date"),
    )
    spouses = _spouses(marriages)
    role_prefix = pl.col("role") + pl.lit("_")
    rejected = _rejected([
        *_key_problems(marriages, REGISTRY.record_type, REGISTRY.key, "registration_id"),
        *_person_problems(spouses, REGISTRY.record_type, role_prefix),
    ], rows, REGISTRY.columns)
    kept = pl.col("_row").is_in(rejected.get_column("_row").implode()).not_()
    return NormalizedRegistry(
        marriages=marriages.filter(kept).select(MARRIAGES.columns),
        spouses=_matching(spouses.filter(kept), "residence", partner_columns, PARTNER_INPUTS).select(SPOUSES.columns),
        rejected=rejected.drop("_row"),
    )


def normalize_population(
    rows: pl.DataFrame, communes: pl.DataFrame, current: pl.DataFrame | None = None, matching: bool = True
) -> NormalizedPopulation:
    """Normalise population rows; `communes` is `commune_table()`, `current` defaults to `current_communes()`.
    `matching=False`: without the matcher's columns, which `with_matching_columns` adds (ingest adds
    them once it has let the rows go)."""
    current = current_communes() if current is None else current
    rows = _prepare(rows, POPULATION.columns)
    persons = rows.select(
        "_row", "source_file", "source_row",
        _text("person_id").alias("person_id"),
        _text("full_name").alias("full_name_raw"),
        _text("birth_date").alias("birth_date_raw"),
        sex_code(_text("sex")).alias("sex"),
        *[_text(c).alias(c) for c in ("ethnicity", "nationality", "address", "legacy_id", "spouse_id")],
        _text("ward_code").alias("ward_code_raw"),
        _text("marital_status").alias("marital_status_raw"),
        _text("spouse_name").alias("spouse_name_raw"),
        _text("death_date").alias("_death_raw"),
    ).with_columns(_record_id=pl.col("person_id"))
    persons = _describe_person(persons)
    persons = date_columns(persons, "_death_raw", "_death_")
    persons = name_columns(persons, "spouse_name_raw", prefix="spouse_")
    ids = classify_ids(persons["person_id"], persons["sex"], persons["birth_year"])
    legacy = classify_ids(persons["legacy_id"])
    persons = persons.hstack(ids).with_columns(
        unique_id=pl.col("id_number"),
        # The key as cleaned (leading zero restored), so that it compares with spouse_id.
        person_id_raw=pl.col("person_id"),
        person_id=pl.col("id_number"),
        id12=pl.when(pl.col("id_kind") == PERSONAL_ID).then(pl.col("id_number")),
        id9=pl.when(legacy["id_kind"] == OLD_ID).then(pl.lit(legacy["id_number"])),
        spouse_id=pl.lit(classify_ids(persons["spouse_id"])["id_number"]),
        spouse_name=pl.coalesce("spouse_full_name", "spouse_name_raw"),
        marital_status=marital_status_code(pl.col("marital_status_raw")),
        is_foreign=is_foreign(pl.col("nationality")) & (pl.col("id_kind") != PERSONAL_ID).fill_null(True),
        death_date=pl.col("_death_date"),
        death_year=pl.col("_death_year"),
    )
    persons = commune_columns(persons, "ward_code_raw", pl.lit(None, pl.Boolean), communes, current)
    # The population's addresses use current (post-merger) names.
    persons = place_communes(persons, "address", pl.lit(False), communes, current)
    persons = persons.with_columns(commune_province(persons["commune"]))
    rejected = _rejected([
        *_key_problems(persons, POPULATION.record_type, POPULATION.key, "unique_id"),
        *_person_problems(persons, POPULATION.record_type, pl.lit("")),
    ], rows, POPULATION.columns)
    kept = pl.col("_row").is_in(rejected.get_column("_row").implode()).not_()
    persons = persons.filter(kept).select(c for c in PERSONS.columns if c in persons.columns)
    return NormalizedPopulation(persons=with_matching_columns(persons) if matching else persons,
                                rejected=rejected.drop("_row"))


def with_matching_columns(persons: pl.DataFrame) -> pl.DataFrame:
    """Normalised persons with the matcher's columns (`PERSONS`): their home and mate columns."""
    return _matching(persons, "address", mate_columns, MATE_INPUTS).select(PERSONS.columns)


def _matching(records: pl.DataFrame, address: str, couple: Callable[[pl.DataFrame], pl.DataFrame],
              inputs: tuple[str, ...]) -> pl.DataFrame:
    """The kept spouses or persons with the columns the matcher compares beside their own: the home
    their `address` names, and the `couple` columns (a spouse's partner, a person's mate) made from
    the kept records' names as the matcher compares them (`toned_only`: a name typed without any
    diacritic has no tone form). Made of the couple's `inputs` only and put beside the records'
    own columns, which are not copied (a join of the whole population was ingest's peak)."""
    columns = [c for c in COUPLE_COLUMNS if c not in records.columns]
    made = couple(toned_only(records.select(inputs).with_row_index("_position"))).select("_position", *columns)
    assert made.height == records.height  # each record has at most one partner or mate
    if not made["_position"].is_sorted():
        made = made.sort("_position")
    return records.with_columns(home=home_key(pl.col(address))).hstack(made.drop("_position"))
