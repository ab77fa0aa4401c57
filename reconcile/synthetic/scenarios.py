"""Which story each registered couple tells, at documented rates, and what reconcile must do.

Rates are shares of the registered couples (the rest are `clean`); within `clean`, 6 % of
couples are divorced and 0.3 % annulled, with the population agreeing. Couples registered
in the last ~13 months cannot be divorced or remarried, so those scenarios are slightly
under their nominal rate. `married_without_registration` is a share of adults.

`widowed`: one spouse died after the marriage (the death is in the population, the
registry still says valid); for WIDOWED_REMARRIED of them the survivor registered a second
marriage after the death with a single of about their age (`remarried_after_death`).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from reconcile.synthetic.foreign import FOREIGN_HUSBAND_SHARE, make_foreigners
from reconcile.synthetic.marriages import REGISTRY_END, legal_dates, registration_dates
from reconcile.synthetic.people import id_numbers, make_people
from reconcile.synthetic.places import Wards

SCENARIO_RATES: dict[str, float] = {
    "population_outdated": 0.10,
    "divorce_not_in_population": 0.03,
    "spouse_not_in_population": 0.04,
    "foreign_spouse": 0.02,
    "spouse_differs": 0.02,
    "dead_before_marriage": 0.005,
    "divorced_not_in_registry": 0.02,
    "two_live_marriages": 0.005,  # couples whose husband or wife registers a second marriage
    "widowed": 0.02,  # one spouse died after the marriage
}
CLEAN_DIVORCED = 0.06
CLEAN_ANNULLED = 0.003
MARRIED_WITHOUT_REGISTRATION = 0.01  # of adults
BIGAMIST_IS_HUSBAND = 0.7
OUTSIDER_BORN_HERE = 0.4  # spouses living elsewhere whose birth was registered in the province
WIDOWED_REMARRIED = 0.4  # of widowed couples, the survivor registers a new marriage
DEAD_IS_HUSBAND = 0.6  # of widowed couples, the husband died
THROUGH_PARTNER = 0.02  # of couples: one copy damaged, found through the partner

EXPECTED: dict[str, tuple[str, str]] = {
    "clean": ("auto_resolve", "confirm"),
    "population_outdated": ("auto_resolve", "update"),
    "divorce_not_in_population": ("auto_resolve", "update"),
    "spouse_not_in_population": ("missing", "find"),
    "foreign_spouse": ("auto_resolve", "confirm"),
    "spouse_differs": ("conflict", "review"),
    "dead_before_marriage": ("conflict", "review"),
    "divorced_not_in_registry": ("conflict", "review"),
    "two_live_marriages": ("conflict", "review"),
    "widowed": ("auto_resolve", "update"),
    "remarried_after_death": ("auto_resolve", "confirm"),
    "married_without_registration": ("missing", "find"),
}
_NEEDS_TIME = ("divorce_not_in_population", "two_live_marriages", "widowed")
_MIN_YEARS_LEFT = np.timedelta64(400, "D")


def assign_scenarios(
    rng: np.random.Generator, husbands: np.ndarray, wives: np.ndarray, registered: np.ndarray
) -> pl.DataFrame:
    """One row per couple: husband, wife, registered, scenario, status, status_date, second,
    and for `widowed` couples whether the husband died, the death date and whether the
    survivor remarries."""
    n = len(husbands)
    names = np.array([*SCENARIO_RATES, "clean"])
    shares = np.array([*SCENARIO_RATES.values(), 1.0 - sum(SCENARIO_RATES.values())])
    scenario = names[rng.choice(len(names), size=n, p=shares)]
    recent = registered > REGISTRY_END - _MIN_YEARS_LEFT
    scenario = np.where(recent & np.isin(scenario, _NEEDS_TIME), "clean", scenario)
    u = rng.random(n)
    clean = (scenario == "clean") & ~recent
    divorced = (scenario == "divorce_not_in_population") | (clean & (u < CLEAN_DIVORCED))
    annulled = clean & (u >= CLEAN_DIVORCED) & (u < CLEAN_DIVORCED + CLEAN_ANNULLED)
    room = (REGISTRY_END - registered).astype(np.int64)
    after = np.where(
        divorced, 365 + rng.random(n) * (np.minimum(room, 9000) - 365), 30 + rng.random(n) * (np.minimum(room, 1500) - 30)
    ).astype(np.int64)
    status_date = np.where(divorced | annulled, registered + after, np.datetime64("NaT"))
    widowed = scenario == "widowed"
    remarries = widowed & (rng.random(n) < WIDOWED_REMARRIED)
    # The death falls 3 months after the wedding at the earliest; a remarrying survivor has
    # a year left to register again.
    span = np.maximum(room - 90 - np.where(remarries, 330, 30), 1)
    death = np.where(widowed, registered + 90 + (rng.random(n) * span).astype(np.int64), np.datetime64("NaT"))
    return pl.DataFrame({
        "husband": husbands.astype(np.int64),
        "wife": wives.astype(np.int64),
        "registered": pl.Series(registered).cast(pl.Date),
        "scenario": scenario,
        "status": np.where(divorced, "divorced", np.where(annulled, "annulled", "valid")),
        "status_date": pl.Series(status_date.astype("datetime64[D]")).cast(pl.Date),
        "second": np.zeros(n, dtype=bool),
        "dead_husband": widowed & (rng.random(n) < DEAD_IS_HUSBAND),
        "death": pl.Series(death.astype("datetime64[D]")).cast(pl.Date),
        "remarries": remarries,
    })


def replace_partners(
    rng: np.random.Generator, people: pl.DataFrame, couples: pl.DataFrame, wards: Wards, province: str
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Swap in a foreigner (`foreign_spouse`) or a person living elsewhere with no population
    row (`spouse_not_in_population`); the displaced resident stays single. Returns the people
    table (new persons appended, `in_population` set) and the updated couples."""
    husband, wife = couples["husband"].to_numpy().copy(), couples["wife"].to_numpy().copy()
    scenario = couples["scenario"].to_numpy()
    female = people["female"].to_numpy()
    birth = people["birth_date"].to_numpy().astype("datetime64[D]")
    u = rng.random(len(couples))
    foreign = scenario == "foreign_spouse"
    missing = scenario == "spouse_not_in_population"
    swap_husband = np.where(foreign, u < FOREIGN_HUSBAND_SHARE, u < 0.5)

    n0 = len(people)
    out_idx = np.flatnonzero(missing)
    out_old = np.where(swap_husband, husband, wife)[out_idx]
    out_wards = rng.choice(wards.away, size=len(out_idx))
    codes = wards.table["old_province_code"].cast(pl.Int64).to_numpy()
    own_codes = codes[people["ward_row"].to_numpy()[out_old]]
    born_home = rng.random(len(out_idx)) < OUTSIDER_BORN_HERE
    outsiders = make_people(
        rng, wards, out_wards, female[out_old], birth[out_old],
        np.where(born_home, own_codes, codes[out_wards]), province,
        id_numbers(people, "person_id"), id_numbers(people, "legacy_id"),
    )
    f_idx = np.flatnonzero(foreign)
    f_old = np.where(swap_husband, husband, wife)[f_idx]
    f_female = female[f_old]
    older = np.where(f_female, 0, (rng.random(len(f_idx)) * 12 * 365.25).astype(np.int64))
    foreigners = make_foreigners(rng, f_female, birth[f_old] - older)

    new_rows = np.full(len(couples), -1, dtype=np.int64)
    new_rows[out_idx] = n0 + np.arange(len(out_idx))
    new_rows[f_idx] = n0 + len(out_idx) + np.arange(len(f_idx))
    replaced = new_rows >= 0
    husband = np.where(replaced & swap_husband, new_rows, husband)
    wife = np.where(replaced & ~swap_husband, new_rows, wife)
    everyone = pl.concat([people, outsiders, foreigners]).with_columns(
        in_population=pl.int_range(pl.len()) < n0
    )
    return everyone, couples.with_columns(husband=husband, wife=wife)


def subsample(rng: np.random.Generator, pool: np.ndarray, wanted: int, factor: int = 50) -> np.ndarray:
    """A random `factor` × `wanted` of `pool` (sorted), or all of it if smaller: matching a few
    hundred persons against a million singles need not rank them all."""
    k = factor * max(wanted, 1)
    return pool if len(pool) <= k else np.sort(rng.choice(pool, size=k, replace=False))


def match_by_key(rng: np.random.Generator, keys_a: np.ndarray, keys_b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pair positions of `keys_a` with distinct random positions of `keys_b` holding the same key."""
    def ranked(keys: np.ndarray) -> pl.DataFrame:
        return pl.DataFrame({"key": keys, "pos": np.arange(len(keys)), "r": rng.random(len(keys))}).with_columns(
            rank=pl.col("r").rank("ordinal").over("key")
        )
    joined = ranked(keys_a).join(ranked(keys_b), on=["key", "rank"], suffix="_b").sort("pos")
    return joined["pos"].to_numpy(), joined["pos_b"].to_numpy()


def _marry_again(
    rng: np.random.Generator, people: pl.DataFrame, available: np.ndarray, person: np.ndarray,
    is_husband: np.ndarray, after: np.ndarray, span_days: int, scenario: str,
) -> tuple[np.ndarray, np.ndarray, pl.DataFrame]:
    """Marry each `person` again, to a single of `available` of the other sex born within a few
    years of them (3-year bands), registered half a year to `span_days` after `after`. Returns the
    positions of `person` that found a partner, those partners' rows, and the new couples' rows
    (scenario `scenario`, valid)."""
    female = people["female"].to_numpy()
    birth = people["birth_date"].to_numpy().astype("datetime64[D]")
    legal = legal_dates(birth, female)
    year = birth.astype("datetime64[Y]").astype(np.int64) + 1970
    want = (year[person] + np.where(is_husband, 3, -3) + rng.integers(-1, 2, len(person))) // 3 * 2
    want = want + np.where(is_husband, 1, 0)
    pool = subsample(rng, np.flatnonzero(available & (legal <= REGISTRY_END - np.timedelta64(30, "D"))), len(person))
    pos, pos_pool = match_by_key(rng, want, year[pool] // 3 * 2 + female[pool])
    partner = pool[pos_pool]
    new_h = np.where(is_husband[pos], person[pos], partner)
    new_w = np.where(is_husband[pos], partner, person[pos])
    earliest = after[pos] + 180 + (rng.random(len(pos)) * span_days).astype(np.int64)
    second = registration_dates(rng, legal[new_h], birth[new_w], legal[new_w], earliest=np.minimum(earliest, REGISTRY_END))
    n = len(new_h)
    extra = pl.DataFrame({
        "husband": new_h, "wife": new_w, "registered": pl.Series(second).cast(pl.Date),
        "scenario": np.full(n, scenario), "status": np.full(n, "valid"),
        "status_date": pl.Series([None] * n, dtype=pl.Date),
        "second": np.ones(n, dtype=bool),
        "dead_husband": np.zeros(n, dtype=bool),
        "death": pl.Series([None] * n, dtype=pl.Date),
        "remarries": np.zeros(n, dtype=bool),
    })
    return pos, partner, extra


def add_second_marriages(
    rng: np.random.Generator, people: pl.DataFrame, couples: pl.DataFrame, available: np.ndarray
) -> tuple[pl.DataFrame, np.ndarray]:
    """Give one spouse of each `two_live_marriages` couple a second valid marriage with a
    single person of about their age, half a year to ten years after the first. Returns the
    couples (second marriages appended) and the rows of the new partners."""
    idx = np.flatnonzero(couples["scenario"].to_numpy() == "two_live_marriages")
    husband, wife = couples["husband"].to_numpy()[idx], couples["wife"].to_numpy()[idx]
    by_husband = rng.random(len(idx)) < BIGAMIST_IS_HUSBAND
    first = couples["registered"].to_numpy().astype("datetime64[D]")[idx]
    pos, partner, extra = _marry_again(rng, people, available, np.where(by_husband, husband, wife), by_husband,
                                       first, 3650, "two_live_marriages")
    unmatched = np.setdiff1d(idx, idx[pos])
    couples = couples.with_columns(
        scenario=pl.when(pl.int_range(pl.len()).is_in(unmatched)).then(pl.lit("clean")).otherwise("scenario")
    )
    return pl.concat([couples, extra]), partner


def add_remarriages(
    rng: np.random.Generator, people: pl.DataFrame, couples: pl.DataFrame, available: np.ndarray
) -> tuple[pl.DataFrame, np.ndarray]:
    """Give the survivor of each remarrying `widowed` couple a second valid marriage, registered
    half a year to five years after the death, with a single of about their age. Returns the
    couples (new marriages appended, scenario `remarried_after_death`) and the new partners."""
    idx = np.flatnonzero(couples["remarries"].to_numpy())
    husband, wife = couples["husband"].to_numpy()[idx], couples["wife"].to_numpy()[idx]
    survivor_is_husband = ~couples["dead_husband"].to_numpy()[idx]
    death = couples["death"].to_numpy().astype("datetime64[D]")[idx]
    pos, partner, extra = _marry_again(rng, people, available, np.where(survivor_is_husband, husband, wife),
                                       survivor_is_husband, death, 1640, "remarried_after_death")
    unmatched = np.setdiff1d(idx, idx[pos])
    couples = couples.with_columns(remarries=pl.col("remarries") & ~pl.int_range(pl.len()).is_in(unmatched))
    return pl.concat([couples, extra]), partner


def through_partner(rng: np.random.Generator, people: pl.DataFrame, couples: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """Pick THROUGH_PARTNER of the couples (among clean, valid first marriages of two
    residents): one spouse's copy (half each) gets a damaged name (a typo in the given name,
    the middle name dropped) or, half the time, a birth year one off, and no ID; the
    partner's copy shows the exact 12-digit ID and full birth date. Returns per role the
    force columns `damage_name`, `year_off`, `missing_id`, `clean_id`, `exact`,
    `through_partner` (per couple)."""
    from reconcile.synthetic.registry import no_force

    in_pop = people["in_population"].to_numpy()
    h, w = couples["husband"].to_numpy(), couples["wife"].to_numpy()
    eligible = ((couples["scenario"] == "clean") & (couples["status"] == "valid") & ~couples["second"]).to_numpy()
    eligible &= in_pop[h] & in_pop[w]
    share = THROUGH_PARTNER / max(eligible.mean(), 1e-9)
    chosen = eligible & (rng.random(len(couples)) < min(share, 1.0))
    on_husband = rng.random(len(couples)) < 0.5
    by_name = rng.random(len(couples)) < 0.5
    forces = {}
    for role, damaged in (("husband", chosen & on_husband), ("wife", chosen & ~on_husband)):
        fine = chosen & ~damaged
        forces[role] = no_force(len(couples)).with_columns(
            damage_name=damaged & by_name, year_off=damaged & ~by_name, missing_id=damaged,
            clean_id=fine, exact=fine, through_partner=damaged,
        )
    return forces
