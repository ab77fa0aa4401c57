"""What the population database records about each person's marriage, scenario by scenario.

Singles are `chưa kết hôn` or (20 % of adults, 60 % of minors) empty. A few % of the
remaining singles are dead (older people far more often). Married persons show the
spouse's name for SPOUSE_NAME_SHOWN of them and the spouse's ID for about half
(SPOUSE_ID_SHOWN with the name, SPOUSE_ID_ONLY without). Planted homonyms copy the full
name of a registry spouse onto a single of the same sex and birth year, half of them in
the spouse's own commune. Namesake couples copy both spouses' names and birth years onto
two singles married to each other with no registration.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from reconcile.synthetic.marriages import REGISTRY_END, legal_dates
from reconcile.synthetic.scenarios import MARRIED_WITHOUT_REGISTRATION, match_by_key, subsample

MARITAL = ("", "chưa kết hôn", "đã kết hôn", "ly hôn", "góa")
EMPTY, SINGLE, MARRIED, DIVORCED, WIDOWED = range(5)
HOMONYM_PLANTS = 0.01  # of registry marriages, one spouse gets a planted homonym
NAMESAKE_COUPLES = 0.005  # of registry couples, a namesake couple is planted
SPOUSE_NAME_SHOWN = 0.85  # of married persons
SPOUSE_ID_SHOWN = 0.55  # of married persons showing the spouse's name
SPOUSE_ID_ONLY = 0.25  # of married persons not showing the spouse's name
WIDOWED_SURVIVOR = {"married": 0.40, "widowed": 0.45, "empty": 0.15}  # status of a survivor
NAT = np.datetime64("NaT", "D")


@dataclass
class PopulationState:
    """Recorded marital status, spouse (row, and whether its ID and name are shown), death."""

    marital: np.ndarray
    spouse: np.ndarray
    show_id: np.ndarray
    show_name: np.ndarray
    death: np.ndarray

    def marry(self, a: np.ndarray, b: np.ndarray) -> None:
        """Record each `a` as married to `b`, spouse ID and name shown."""
        self.marital[a], self.spouse[a], self.show_id[a], self.show_name[a] = MARRIED, b, True, True

    def unmarry(self, a: np.ndarray, code: int) -> None:
        """Record each `a` with status `code` and no spouse."""
        self.marital[a], self.spouse[a], self.show_id[a], self.show_name[a] = code, -1, False, False


def _sides(rng: np.random.Generator, h: np.ndarray, w: np.ndarray, both: float) -> np.ndarray:
    """One spouse of each couple (husband or wife at random), plus the other for a `both` share."""
    pick_h = rng.random(len(h)) < 0.5
    two = rng.random(len(h)) < both
    return np.concatenate([np.where(pick_h, h, w), np.where(pick_h, w, h)[two]])


def initial_state(rng: np.random.Generator, people: pl.DataFrame) -> PopulationState:
    """Everyone single (or status empty), alive, with no spouse."""
    n = len(people)
    birth = people["birth_date"].to_numpy().astype("datetime64[D]")
    adult = legal_dates(birth, people["female"].to_numpy()) <= REGISTRY_END
    empty = rng.random(n) < np.where(adult, 0.2, 0.6)
    return PopulationState(
        marital=np.where(empty, EMPTY, SINGLE).astype(np.int8), spouse=np.full(n, -1, dtype=np.int64),
        show_id=np.zeros(n, dtype=bool), show_name=np.zeros(n, dtype=bool), death=np.full(n, NAT),
    )


def record_couples(rng: np.random.Generator, state: PopulationState, couples: pl.DataFrame,
                   people: pl.DataFrame, pool: np.ndarray) -> np.ndarray:
    """Write each couple's scenario into the population state; return the rows used from `pool`."""
    h, w = couples["husband"].to_numpy(), couples["wife"].to_numpy()
    scen, status = couples["scenario"].to_numpy(), couples["status"].to_numpy()
    second = couples["second"].to_numpy()
    registered = couples["registered"].to_numpy().astype("datetime64[D]")
    in_pop = people["in_population"].to_numpy()
    # Second marriages first, so that a bigamist's record ends up with the first spouse.
    live = (status == "valid") | (scen == "divorce_not_in_population")
    for rows in (np.flatnonzero(second), np.flatnonzero(live & ~second)):
        state.marry(np.concatenate([h[rows], w[rows]]), np.concatenate([w[rows], h[rows]]))
    # A widow(er) who remarried is recorded with the new spouse.
    rows = np.flatnonzero(scen == "remarried_after_death")
    state.marry(np.concatenate([h[rows], w[rows]]), np.concatenate([w[rows], h[rows]]))
    married = np.flatnonzero((state.marital == MARRIED) & (state.spouse >= 0))
    state.show_name[married] = rng.random(len(married)) < SPOUSE_NAME_SHOWN
    state.show_id[married] = rng.random(len(married)) < np.where(state.show_name[married], SPOUSE_ID_SHOWN, SPOUSE_ID_ONLY)
    for code, ended in ((DIVORCED, "divorced"), (SINGLE, "annulled")):
        clean = (status == ended) & (scen == "clean")
        state.unmarry(np.concatenate([h[clean], w[clean]]), code)

    def of(name: str) -> tuple[np.ndarray, np.ndarray]:
        return h[scen == name], w[scen == name]

    side = _sides(rng, *of("population_outdated"), both=0.3)
    kind = rng.random(len(side))
    state.unmarry(side[kind < 0.35], SINGLE)
    state.unmarry(side[(kind >= 0.35) & (kind < 0.65)], EMPTY)
    state.show_id[side[kind >= 0.65]] = False
    state.show_name[side[kind >= 0.85]] = False

    dh, dw = of("divorce_not_in_population")
    one = rng.random(len(dh)) < 0.3
    state.unmarry(np.where(rng.random(len(dh)) < 0.5, dh, dw)[one], DIVORCED)

    side = _sides(rng, *of("divorced_not_in_registry"), both=0.3)
    state.unmarry(side, DIVORCED)
    state.marital[side[rng.random(len(side)) < 0.25]] = WIDOWED

    # Foreigner or person living elsewhere: the resident records the spouse's name; the
    # foreigner's passport is never in the spouse-ID field, an outsider's ID is 60 % of the time.
    for name, show in (("foreign_spouse", 0.0), ("spouse_not_in_population", 0.6)):
        sh, sw = of(name)
        state.show_id[np.where(in_pop[sh], sh, sw)] = rng.random(len(sh)) < show

    sh, sw = of("spouse_differs")
    side = np.where(rng.random(len(sh)) < 0.5, sh, sw)
    female = people["female"].to_numpy()
    wrong = np.full(len(side), -1)
    for sex in (False, True):  # a single person of the other sex, taken from the pool
        need = female[side] == sex
        cands = pool[female[pool] != sex]
        wrong[need] = rng.choice(cands, size=int(need.sum()), replace=False)
    state.spouse[side] = wrong
    state.show_name[side] = True

    widowed = scen == "widowed"
    dead_h = couples["dead_husband"].to_numpy()[widowed]
    dead = np.where(dead_h, h[widowed], w[widowed])
    survivor = np.where(dead_h, w[widowed], h[widowed])
    state.death[dead] = couples["death"].to_numpy().astype("datetime64[D]")[widowed]
    stays = survivor[~couples["remarries"].to_numpy()[widowed]]
    kind = rng.random(len(stays))
    cut = WIDOWED_SURVIVOR["married"]
    state.unmarry(stays[(kind >= cut) & (kind < cut + WIDOWED_SURVIVOR["widowed"])], WIDOWED)
    state.unmarry(stays[kind >= cut + WIDOWED_SURVIVOR["widowed"]], EMPTY)

    sh, sw = of("dead_before_marriage")
    dead = np.where(rng.random(len(sh)) < 0.5, sh, sw)
    reg = registered[scen == "dead_before_marriage"]
    birth = people["birth_date"].to_numpy().astype("datetime64[D]")[dead]
    before = (30 + rng.random(len(dead)) * 5 * 365).astype(np.int64)
    state.death[dead] = np.maximum(reg - before, birth + 16 * 365)
    return wrong


def married_without_registration(
    rng: np.random.Generator, state: PopulationState, people: pl.DataFrame, pool: np.ndarray, adults: int
) -> np.ndarray:
    """Mark singles from `pool` as married with no registry marriage; return their rows.

    Half are pairs married to each other (spouse ID and name shown); 30 % give only a
    spouse's name, borrowed from a random person of the other sex; 20 % give no spouse.
    """
    female = people["female"].to_numpy()
    k = int(round(MARRIED_WITHOUT_REGISTRATION * adults))
    chosen = rng.choice(pool, size=min(k, len(pool)), replace=False)
    men, women = chosen[~female[chosen]], chosen[female[chosen]]
    pairs = min(len(men), len(women), len(chosen) // 4)
    state.marry(np.concatenate([men[:pairs], women[:pairs]]), np.concatenate([women[:pairs], men[:pairs]]))
    rest = np.concatenate([men[pairs:], women[pairs:]])
    state.unmarry(rest, MARRIED)
    # The named spouse is no population person: borrow the name of someone of the other sex.
    named = rest[rng.random(len(rest)) < 0.6]
    for sex in (False, True):
        who = named[female[named] == sex]
        state.spouse[who] = rng.choice(np.flatnonzero(female != sex), size=len(who))
    state.show_name[named] = True
    return chosen


def deaths(rng: np.random.Generator, state: PopulationState, people: pl.DataFrame, pool: np.ndarray) -> None:
    """Let some singles of `pool` have died since 1990, the old far more often."""
    birth = people["birth_date"].to_numpy().astype("datetime64[D]")[pool]
    age = (REGISTRY_END - birth).astype(np.int64) / 365.25
    dead = rng.random(len(pool)) < 0.01 + 0.6 * np.clip((age - 50.0) / 35.0, 0.0, 1.0) ** 2
    start = np.maximum(birth[dead] + 365, np.datetime64("1990-01-01"))
    span = (REGISTRY_END - start).astype(np.int64)
    state.death[pool[dead]] = start + (rng.random(int(dead.sum())) * span).astype(np.int64)


def plant_homonyms(
    rng: np.random.Generator, people: pl.DataFrame, couples: pl.DataFrame, pool: np.ndarray
) -> tuple[pl.DataFrame, np.ndarray, np.ndarray, np.ndarray]:
    """Copy a registry spouse's full name onto a single of the same sex and birth year.

    Returns the people table, per couple whether the husband / wife got a homonym, and the
    rows of the homonyms.
    """
    in_pop = people["in_population"].to_numpy()
    female = people["female"].to_numpy()
    year = people["birth_date"].dt.year().to_numpy().astype(np.int64)
    n = len(couples)
    chosen = np.flatnonzero(rng.random(n) < HOMONYM_PLANTS)
    pick_h = rng.random(len(chosen)) < 0.5
    target = np.where(pick_h, couples["husband"].to_numpy()[chosen], couples["wife"].to_numpy()[chosen])
    ok = in_pop[target]
    chosen, pick_h, target = chosen[ok], pick_h[ok], target[ok]
    pool = subsample(rng, pool, len(target), factor=200)
    pos, pos_pool = match_by_key(rng, year[target] * 2 + female[target], year[pool] * 2 + female[pool])
    src, dst = target[pos], pool[pos_pool]
    near = rng.random(len(dst)) < 0.5
    copied = {col: people[col].clone().scatter(dst, people[col].gather(src))
              for col in ("family", "middle", "given", "full_name")}
    ward = people["ward_row"].clone().scatter(dst[near], people["ward_row"].gather(src[near]))
    people = people.with_columns(**copied, ward_row=ward)
    planted = np.zeros((2, n), dtype=bool)
    planted[0, chosen[pos][pick_h[pos]]] = True
    planted[1, chosen[pos][~pick_h[pos]]] = True
    return people, planted[0], planted[1], dst


def record_each_other(state: PopulationState, h: np.ndarray, w: np.ndarray) -> None:
    """Both spouses recorded as married to each other with the spouse's name shown (the
    spouse ID stays as drawn)."""
    both, other = np.concatenate([h, w]), np.concatenate([w, h])
    state.marital[both], state.spouse[both], state.show_name[both] = MARRIED, other, True


def plant_namesake_couples(
    rng: np.random.Generator, state: PopulationState, people: pl.DataFrame, couples: pl.DataFrame,
    eligible: np.ndarray, pool: np.ndarray,
) -> tuple[pl.DataFrame, np.ndarray, np.ndarray]:
    """For NAMESAKE_COUPLES of the `eligible` couples, copy the husband's full name and birth
    year onto a single man of `pool` and the wife's onto a single woman, and record the two
    as married to each other (spouse ID and name shown), with no registration.

    Returns the people table, per couple whether it got a namesake couple, and the rows of
    the planted persons."""
    female = people["female"].to_numpy()
    year = people["birth_date"].dt.year().to_numpy().astype(np.int64)
    share = min(NAMESAKE_COUPLES / max(eligible.mean(), 1e-9), 1.0)  # NAMESAKE_COUPLES of all couples
    chosen = np.flatnonzero(eligible & (rng.random(len(couples)) < share))
    planted = {}
    pool = subsample(rng, pool, len(chosen), factor=400)
    for role in ("husband", "wife"):
        target = couples[role].to_numpy()[chosen]
        pos, pos_pool = match_by_key(rng, year[target] * 2 + female[target], year[pool] * 2 + female[pool])
        planted[role] = dict(zip(chosen[pos].tolist(), pool[pos_pool].tolist()))
    both = np.array(sorted(set(planted["husband"]) & set(planted["wife"])), dtype=np.int64)
    h2 = np.array([planted["husband"][i] for i in both], dtype=np.int64)
    w2 = np.array([planted["wife"][i] for i in both], dtype=np.int64)
    src = np.concatenate([couples["husband"].to_numpy()[both], couples["wife"].to_numpy()[both]])
    dst = np.concatenate([h2, w2])
    people = people.with_columns(
        people[col].clone().scatter(dst, people[col].gather(src)) for col in ("family", "middle", "given", "full_name")
    )
    state.marry(dst, np.concatenate([w2, h2]))
    flag = np.zeros(len(couples), dtype=bool)
    flag[both] = True
    return people, flag, dst
