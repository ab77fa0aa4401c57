"""Synthetic persons: birth dates, names, ethnicity, residence and structured personal IDs.

A 12-digit personal ID is built as the real ones are: 3 digits for the (old) province
where the birth was registered, 1 digit for sex and century (0/1 male/female born
1900–1999, 2/3 born 2000–2099), 2 digits for the birth year, 6 random digits. The old
9-digit ID card number (legacy_id) is given to 85 % of those born before 2000 (the
population export shows it for only part of them, see `population.py`).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from reconcile.synthetic.names import draw_names, full_name
from reconcile.synthetic.places import Wards, draw_address_detail, draw_ethnicity, draw_home_wards

FIRST_BIRTH_YEAR = 1940
LAST_BIRTH_YEAR = 2006
BORN_HERE_SHARE = 0.85  # births registered in the province of residence
LEGACY_ID_SHARE = 0.85  # of people born before LEGACY_BEFORE_YEAR
LEGACY_BEFORE_YEAR = 2000  # 9-digit cards were issued (from age 14) until 2016
# First two digits of the old ID cards issued in a province (Thừa Thiên Huế: 191…, 192…).
_CMND_PREFIX = {"46": 19}

PEOPLE_SCHEMA = {
    "person_id": pl.String, "family": pl.String, "middle": pl.String, "given": pl.String,
    "full_name": pl.String, "female": pl.Boolean, "birth_date": pl.Date,
    "ethnicity": pl.String, "nationality": pl.String, "ward_row": pl.Int64,
    "detail": pl.String, "legacy_id": pl.String, "document": pl.String,
}


def draw_birth_dates(rng: np.random.Generator, n: int) -> np.ndarray:
    """Birth dates 1940–2006 with fewer old people (a simple age pyramid)."""
    years = np.arange(FIRST_BIRTH_YEAR, LAST_BIRTH_YEAR + 1)
    weights = 0.3 + 0.7 * np.clip((years - FIRST_BIRTH_YEAR) / 35.0, 0.0, 1.0)
    year = rng.choice(years, size=n, p=weights / weights.sum())
    start = (year - 1970).astype("datetime64[Y]").astype("datetime64[D]")
    length = ((year - 1969).astype("datetime64[Y]").astype("datetime64[D]") - start).astype(np.int64)
    return start + (rng.random(n) * length).astype(np.int64)


def draw_birth_provinces(rng: np.random.Generator, own: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Birth-registration province: mostly `own`, else another province, neighbours likelier."""
    n = len(own)
    other = rng.choice(codes, size=n)
    near = own + rng.integers(-4, 5, size=n)
    other = np.where((rng.random(n) < 0.6) & np.isin(near, codes) & (near != own), near, other)
    return np.where(rng.random(n) < BORN_HERE_SHARE, own, other)


def is_member(values: np.ndarray, sorted_pool: np.ndarray) -> np.ndarray:
    """Whether each value occurs in `sorted_pool` (sorted ascending)."""
    at = np.minimum(np.searchsorted(sorted_pool, values), max(len(sorted_pool) - 1, 0))
    return sorted_pool[at] == values if len(sorted_pool) else np.zeros(len(values), dtype=bool)


def unique_draw(rng: np.random.Generator, base: np.ndarray, span: int, taken: np.ndarray) -> np.ndarray:
    """`base` plus a random offset below `span`, all distinct and none in `taken`.

    Only the values that clashed are drawn again, and checked against the sorted values
    accepted so far (kept sorted by insertion), so the cost stays near one sort."""
    values = base + rng.integers(0, span, size=len(base))
    first = pl.Series(values).is_first_distinct().to_numpy()
    taken = np.sort(taken)
    clash = ~first | is_member(values, taken)
    accepted = np.sort(np.concatenate([taken, values[~clash]]))
    while clash.any():
        idx = np.flatnonzero(clash)
        drawn = base[idx] + rng.integers(0, span, size=len(idx))
        bad = ~pl.Series(drawn).is_first_distinct().to_numpy() | is_member(drawn, accepted)
        values[idx] = drawn
        clash[idx] = bad
        new = np.sort(drawn[~bad])
        accepted = np.insert(accepted, np.searchsorted(accepted, new), new)
    return values


def person_ids(
    rng: np.random.Generator, province: np.ndarray, female: np.ndarray, year: np.ndarray,
    taken: np.ndarray,
) -> np.ndarray:
    """Unique 12-digit personal IDs (as integers) with the real structure."""
    sex_century = female.astype(np.int64) + np.where(year >= 2000, 2, 0)
    base = province * 10**9 + sex_century * 10**8 + (year % 100) * 10**6
    return unique_draw(rng, base.astype(np.int64), 10**6, taken)


def legacy_ids(rng: np.random.Generator, n: int, province: str, taken: np.ndarray) -> np.ndarray:
    """Unique 9-digit old ID card numbers (as integers) issued in `province`."""
    prefix = _CMND_PREFIX.get(province, int(province))
    return unique_draw(rng, np.full(n, prefix * 10**7, dtype=np.int64), 10**7, taken)


def make_people(
    rng: np.random.Generator, wards: Wards, ward_rows: np.ndarray, female: np.ndarray,
    birth: np.ndarray, birth_province: np.ndarray, province: str,
    taken_ids: np.ndarray, taken_legacy: np.ndarray,
) -> pl.DataFrame:
    """Persons living in old wards `ward_rows`, of the given sex, birth date and birth province.

    IDs are unique and avoid `taken_ids` / `taken_legacy` (integers) of people made before.
    """
    n = len(female)
    year = birth.astype("datetime64[Y]").astype(np.int64) + 1970
    table = wards.table.select("minority_share", "old_name")[ward_rows]
    ethnicity, minority = draw_ethnicity(rng, table["minority_share"].to_numpy())
    names = draw_names(rng, female, year, minority)
    urban = table["old_name"].str.starts_with("Phường").to_numpy()
    ids = person_ids(rng, birth_province, female, year, taken_ids)
    has_legacy = (year < LEGACY_BEFORE_YEAR) & (rng.random(n) < LEGACY_ID_SHARE)
    legacy = np.full(n, -1, dtype=np.int64)
    legacy[has_legacy] = legacy_ids(rng, int(has_legacy.sum()), province, taken_legacy)
    return pl.DataFrame({
        "person_id": pl.Series(ids).cast(pl.String).str.zfill(12),
        **names.to_dict(),
        "female": female,
        "birth_date": pl.Series(birth).cast(pl.Date),
        "ethnicity": ethnicity,
        "nationality": pl.repeat("Việt Nam", n, eager=True),
        "ward_row": ward_rows.astype(np.int64),
        "detail": draw_address_detail(rng, urban),
        "legacy_id": pl.Series(legacy).cast(pl.String).str.zfill(9).replace("-00000001", None),
    }).with_columns(
        full_name=full_name(pl.col("family"), pl.col("middle"), pl.col("given")),
        document=pl.col("person_id"),
    ).select(list(PEOPLE_SCHEMA))


def id_numbers(people: pl.DataFrame, column: str) -> np.ndarray:
    """Integer values of an ID column (nulls dropped), to keep later draws unique."""
    return people[column].drop_nulls().cast(pl.Int64).to_numpy()


def make_residents(rng: np.random.Generator, wards: Wards, n: int, province: str) -> pl.DataFrame:
    """`n` residents of the province, half of each sex, born 1940–2006."""
    rows = draw_home_wards(rng, wards, n)
    codes = wards.table["old_province_code"].cast(pl.Int64).to_numpy()
    birth_province = draw_birth_provinces(rng, codes[rows], np.unique(codes))
    none = np.empty(0, dtype=np.int64)
    return make_people(
        rng, wards, rows, rng.random(n) < 0.5, draw_birth_dates(rng, n), birth_province, province, none, none
    )
