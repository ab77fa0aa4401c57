"""Couples and their registry rows: who marries whom, when, where, and under which number.

About 38 % of adults are in a registered marriage, older adults far more often than young
ones. Men and women are paired by age (the husband is usually about three years older).
A registration happens after both reached the legal age (men 20, women 18), between 1975
(earlier marriages were re-registered) and the end of 2025.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from reconcile.synthetic.places import Wards, authority_text, ward_code_on

REGISTRY_START = np.datetime64("1975-01-01")
REGISTRY_END = np.datetime64("2025-12-31")
MARRIED_SHARE = 0.38  # of adults, in a registered marriage
HUSBAND_MIN_AGE = 20
WIFE_MIN_AGE = 18
REGISTERED_ELSEWHERE = 0.06  # couples registered in another province
ENTRIES_PER_BOOK = 200


def legal_dates(birth: np.ndarray, female: np.ndarray) -> np.ndarray:
    """The day each person reaches the legal marriage age."""
    births = pl.Series(birth).cast(pl.Date)
    legal = pl.select(
        pl.when(pl.lit(female)).then(births.dt.offset_by(f"{WIFE_MIN_AGE}y"))
        .otherwise(births.dt.offset_by(f"{HUSBAND_MIN_AGE}y"))
    ).to_series()
    return legal.to_numpy().astype("datetime64[D]")


def _weighted_sample(rng: np.random.Generator, candidates: np.ndarray, weights: np.ndarray, k: int) -> np.ndarray:
    """`k` of `candidates` without replacement, likelier with weight (Efraimidis–Spirakis keys)."""
    keys = np.log(rng.random(len(candidates))) / weights
    return candidates[np.argpartition(-keys, k - 1)[:k]] if k else candidates[:0]


def pair_by_age(
    rng: np.random.Generator, men: np.ndarray, women: np.ndarray, birth: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Pair men and women (equal counts) so that husbands are about three years older."""
    years = birth.astype(np.int64) / 365.25
    men_key = years[men] + rng.normal(0.0, 2.5, len(men))
    women_key = years[women] - 3.0 + rng.normal(0.0, 2.5, len(women))
    return men[np.argsort(men_key)], women[np.argsort(women_key)]


def choose_couples(
    rng: np.random.Generator, female: np.ndarray, birth: np.ndarray, couples: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Husband and wife rows of the registered couples, paired by age: `couples` of them (at
    most as many as there are adult men or women), by default MARRIED_SHARE of the adults."""
    adult = legal_dates(birth, female) <= REGISTRY_END
    age = (REGISTRY_END - birth).astype(np.int64) / 365.25
    weight = 1.0 / (1.0 + np.exp(-(age - 27.0) / 3.0))  # the married share rises with age
    k = int(round(MARRIED_SHARE * adult.sum() / 2)) if couples is None else couples
    men = np.flatnonzero(adult & ~female)
    women = np.flatnonzero(adult & female)
    k = min(k, len(men), len(women))
    return pair_by_age(
        rng, _weighted_sample(rng, men, weight[men], k), _weighted_sample(rng, women, weight[women], k), birth
    )


def registration_dates(
    rng: np.random.Generator, husband_legal: np.ndarray, wife_birth: np.ndarray, wife_legal: np.ndarray,
    earliest: np.ndarray | None = None,
) -> np.ndarray:
    """Registration day: the wife's age at marriage is 18 + Gamma(2, 2.5) years, never under age."""
    n = len(wife_birth)
    age_days = ((WIFE_MIN_AGE + rng.gamma(2.0, 2.5, n)) * 365.25).astype(np.int64)
    legal = np.maximum(husband_legal, wife_legal)
    if earliest is not None:
        legal = np.maximum(legal, earliest)
    when = np.maximum(wife_birth + age_days, legal)
    # Marriages before 1975 appear as re-registrations in the following years.
    rereg = REGISTRY_START + (rng.random(n) * 6 * 365).astype(np.int64)
    when = np.where(when < REGISTRY_START, np.maximum(rereg, legal), when)
    late = when > REGISTRY_END
    span = (REGISTRY_END - legal).astype(np.int64) + 1
    return np.where(late, legal + (rng.random(n) * span).astype(np.int64), when)


def registering_wards(
    rng: np.random.Generator, wards: Wards, husband_ward: np.ndarray, wife_ward: np.ndarray
) -> np.ndarray:
    """Old-ward row of the registering authority: a spouse's home ward, rarely elsewhere."""
    n = len(husband_ward)
    home = np.zeros(len(wards.table), dtype=bool)
    home[wards.home] = True
    h_ok = (husband_ward >= 0) & home[np.maximum(husband_ward, 0)]
    w_ok = (wife_ward >= 0) & home[np.maximum(wife_ward, 0)]
    u = rng.random(n)
    local = np.where(((u < 0.62) & h_ok) | ~w_ok, husband_ward, wife_ward)
    local = np.where(h_ok | w_ok, local, -1)
    away = rng.choice(wards.away, size=n)
    return np.where((u > 1.0 - REGISTERED_ELSEWHERE) | (local < 0), away, local)


def registration_ids(rng: np.random.Generator, province: pl.Series, registered: pl.Series) -> pl.Series:
    """Unique numbers like `46-2003-Q02-0157`: province, year, book, entry (restarting yearly)."""
    frame = pl.DataFrame({
        "province": province, "year": registered.dt.year(), "order": rng.permutation(len(province)),
    }).with_columns(
        rank=pl.col("order").rank("ordinal").over("province", "year").cast(pl.Int64) - 1
    )
    return frame.select(
        pl.concat_str([
            pl.col("province"), pl.lit("-"), pl.col("year").cast(pl.String), pl.lit("-Q"),
            (pl.col("rank") // ENTRIES_PER_BOOK + 1).cast(pl.String).str.zfill(2), pl.lit("-"),
            (pl.col("rank") % ENTRIES_PER_BOOK + 1).cast(pl.String).str.zfill(4),
        ])
    ).to_series().alias("registration_id")


def registration_frame(
    rng: np.random.Generator, wards: Wards, ward_rows: np.ndarray, registered: np.ndarray
) -> pl.DataFrame:
    """Registration id, date, ward code and place text of each couple (canonical values)."""
    places = wards.table[ward_rows].with_columns(registered=pl.Series(registered).cast(pl.Date))
    frame = places.select(
        "registered", "old_province_code",
        registration_ward_code=ward_code_on(pl.col("registered")),
        registration_place=authority_text(pl.col("registered")),
    )
    return frame.with_columns(
        registration_id=registration_ids(rng, frame["old_province_code"], frame["registered"])
    ).drop("old_province_code")


def settle_couples(rng: np.random.Generator, people: pl.DataFrame, husbands: np.ndarray, wives: np.ndarray,
                   share: float = 0.8) -> pl.DataFrame:
    """Most wives live at the husband's address (same ward, same house)."""
    moving = rng.random(len(wives)) < share
    wives, husbands = wives[moving], husbands[moving]
    return people.with_columns(
        people[col].clone().scatter(wives, people[col].gather(husbands)) for col in ("ward_row", "detail")
    )
