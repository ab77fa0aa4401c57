"""The truth file: for every registry marriage and every married person with no registration,
the true population persons, the bucket and action reconcile should reach, and the scenario.

A marriage is expected in `conflict` beyond its scenario only where a person really must
decide: where the files cannot single out the true person of some spouse who is in the
population. A spouse's copy is *determinable* when any of these holds:

(a) its ID leads to the person (the 12-digit ID, leading zeros dropped or not, or the old
    9-digit number where the population shows it);
(b) its name is recognisable (no typo; diacritics, case and Văn/Thị variants are fine), the
    person's birth date fits the copy's at the copy's precision, and no other population
    person of that sex has a compatible name (the same name without diacritics, or the same
    family and given name) and a birth date that fits too (same year for a year-only copy
    or a 01/01 placeholder or a swapped date, same month and year for month/year, the same
    date for a full date; a population date kept as the year only fits any date of that year);
(c) the person and the partner's person are recorded in the population as each other's
    spouse (spouse ID or name shown on at least one side) and the partner's copy is
    determinable by (a) or (b). The partner is then singled out, so no other couple fits
    both copies (a namesake couple leaves both spouses undeterminable).

An undeterminable spouse turns the marriage into `conflict` / `review` (unless its scenario
already expects a conflict), and its noise says `undeterminable`.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from reconcile.synthetic.population_state import PopulationState
from reconcile.synthetic.registry import Registry
from reconcile.synthetic.scenarios import EXPECTED
from reconcile.synthetic.textforms import ascii_fold

TRUTH_COLUMNS = (
    "record_type", "record_id", "husband_person_id", "wife_person_id",
    "expected_bucket", "expected_action", "scenario", "noise",
)


def _true_id(people: pl.DataFrame, rows: np.ndarray) -> pl.Series:
    picked = people[rows]
    return pl.select(pl.when(picked["in_population"]).then(picked["person_id"]).otherwise(pl.lit(""))).to_series()


def _folded(column: pl.Series) -> pl.Series:
    """`column` without diacritics, lower case, folding each distinct value once."""
    distinct = column.unique()
    folded = pl.select(ascii_fold(pl.lit(distinct)).str.to_lowercase()).to_series()
    return column.replace_strict(distinct, folded)


def _persons(people: pl.DataFrame, facts: pl.DataFrame) -> pl.DataFrame:
    """Per people row: the three name keys (folded name, family + given, both) each hashed
    with sex and birth year, the birth month and day, whether the population keeps the full
    date, whether the person is in the population."""
    c = pl.col
    parts = people.select(
        family=_folded(people["family"]), middle=_folded(people["middle"]), given=_folded(people["given"]),
    )
    fold = pl.concat_str([parts["family"], parts["middle"], parts["given"]], separator="|").hash()
    fg = pl.concat_str([people["family"], people["given"]], separator="|").hash()
    return people.select(
        "female", y=c("birth_date").dt.year(), m=c("birth_date").dt.month(), d=c("birth_date").dt.day(),
    ).with_columns(
        fold=fold, fg=fg, full=facts["full_date_in_population"], in_pop=facts["in_population"],
    )


def _keyed(frame: pl.DataFrame) -> pl.DataFrame:
    """The three name keys combined with sex and year into single hashes k0, k1, k2."""
    c = pl.col
    sex_year = (c("y").cast(pl.UInt64) * 2 + c("female").cast(pl.UInt64)) * 0x9E3779B97F4A7C15
    return frame.with_columns(
        k0=(c("fold") ^ sex_year).hash(), k1=(c("fg") ^ sex_year).hash(),
        k2=(c("fold") ^ (c("fg") * 31) ^ sex_year).hash(), md=c("m").cast(pl.Int32) * 100 + c("d").cast(pl.Int32),
    )


def _compatible_others(persons: pl.DataFrame, copies: pl.DataFrame) -> np.ndarray:
    """Per copy, how many population persons other than the true one have a compatible name
    and a birth date that fits the copy at its precision (group-bys and joins only)."""
    c = pl.col
    pop = _keyed(persons.filter(c("in_pop")))
    copies = _keyed(copies)
    total = np.zeros(len(copies), dtype=np.int64)
    for key, sign in (("k0", 1), ("k1", 1), ("k2", -1)):
        wanted = copies[key].unique().implode()
        mine = pop.filter(c(key).is_in(wanted))
        per_year = mine.group_by(key).agg(n_y=pl.len(), n_yo=(~c("full")).sum())
        full = mine.filter(c("full"))
        per_month = full.group_by(key, "m").agg(n_m=pl.len())
        per_day = full.group_by(key, "md").agg(n_d=pl.len())
        joined = (
            copies.select("copy", key, "m", "md", "precision")
            .join(per_year, on=key, how="left")
            .join(per_month, on=[key, "m"], how="left")
            .join(per_day, on=[key, "md"], how="left")
            .sort("copy")
            .with_columns(pl.col("n_y", "n_yo", "n_m", "n_d").fill_null(0))
        )
        total += sign * joined.select(
            pl.when(c("precision") == 0).then(c("n_y"))
            .when(c("precision") == 1).then(c("n_yo") + c("n_m"))
            .otherwise(c("n_yo") + c("n_d"))
        ).to_series().to_numpy().astype(np.int64)
    return total - copies["true_fits"].to_numpy().astype(np.int64)


def determinable(
    people: pl.DataFrame, couples: pl.DataFrame, registry: Registry, state: PopulationState, facts: pl.DataFrame
) -> dict[str, np.ndarray]:
    """Per role, whether each marriage's copy singles out the true person (see the module
    docstring); True for spouses who are not in the population."""
    c = pl.col
    persons = _persons(people, facts)
    rows = {"husband": couples["husband"].to_numpy(), "wife": couples["wife"].to_numpy()}
    n = len(couples)
    copy = pl.concat([registry.copies["husband"], registry.copies["wife"]])
    true = persons[np.concatenate([rows["husband"], rows["wife"]])]
    copies = pl.concat([true.select("female", "fold", "fg", "full", ty="y", tm="m", td="d"), copy], how="horizontal")
    copies = copies.with_columns(
        copy=pl.int_range(pl.len()), y=c("shown").dt.year(), m=c("shown").dt.month(), d=c("shown").dt.day(),
    ).with_columns(
        true_fits=(c("y") == c("ty")) & (
            (c("precision") == 0) | ~c("full") | ((c("m") == c("tm")) & ((c("precision") == 1) | (c("d") == c("td"))))
        ),
    )
    others = _compatible_others(persons, copies)
    alone_all = copy["id_ok"].to_numpy() | (copy["name_ok"].to_numpy() & copies["true_fits"].to_numpy() & (others == 0))
    alone = {"husband": alone_all[:n], "wife": alone_all[n:]}
    h, w = rows["husband"], rows["wife"]
    in_pop = people["in_population"].to_numpy()
    shows = state.show_id | state.show_name
    n_state = len(state.spouse)
    def records(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        inside = a < n_state
        at = np.where(inside, a, 0)
        return inside & (state.spouse[at] == b) & shows[at]
    couple = in_pop[h] & in_pop[w] & (records(h, w) | records(w, h))
    return {
        "husband": ~in_pop[h] | alone["husband"] | (couple & alone["wife"]),
        "wife": ~in_pop[w] | alone["wife"] | (couple & alone["husband"]),
    }


def marriage_truth(
    people: pl.DataFrame, couples: pl.DataFrame, registry: Registry, state: PopulationState, facts: pl.DataFrame
) -> pl.DataFrame:
    """One truth row per registry row."""
    scenario = couples["scenario"]
    bucket = scenario.replace_strict({k: v[0] for k, v in EXPECTED.items()})
    action = scenario.replace_strict({k: v[1] for k, v in EXPECTED.items()})
    known = determinable(people, couples, registry, state, facts)
    undeterminable = pl.Series(~(known["husband"] & known["wife"])) & (bucket != "conflict")
    return pl.DataFrame({
        "record_type": pl.repeat("marriage", len(couples), eager=True),
        "record_id": registry.rows["registration_id"],
        "husband_person_id": _true_id(people, couples["husband"].to_numpy()),
        "wife_person_id": _true_id(people, couples["wife"].to_numpy()),
        "expected_bucket": bucket.zip_with(~undeterminable, pl.Series(["conflict"])),
        "expected_action": action.zip_with(~undeterminable, pl.Series(["review"])),
        "scenario": scenario,
        "noise": pl.select(
            pl.when(pl.lit(undeterminable))
            .then(pl.concat_str([registry.noise, pl.lit("undeterminable")], separator=";").str.strip_chars(";"))
            .otherwise(pl.lit(registry.noise))
        ).to_series(),
    })


def person_truth(people: pl.DataFrame, state: PopulationState, rows: np.ndarray) -> pl.DataFrame:
    """One truth row per person married in the population with no registry marriage."""
    rows = np.sort(rows)
    spouse = state.spouse[rows]
    paired = (spouse >= 0) & state.show_id[rows]
    female = people["female"].to_numpy()[rows]
    own = people["person_id"].gather(rows)
    other = pl.Series([""] * len(rows)).scatter(np.flatnonzero(paired), people["person_id"].gather(spouse[paired]))
    blank = pl.Series([""] * len(rows))
    return pl.DataFrame({
        "record_type": pl.repeat("person", len(rows), eager=True),
        "record_id": own,
        "husband_person_id": own.zip_with(pl.Series(~female), other),
        "wife_person_id": own.zip_with(pl.Series(female), other),
        "expected_bucket": pl.repeat(EXPECTED["married_without_registration"][0], len(rows), eager=True),
        "expected_action": pl.repeat(EXPECTED["married_without_registration"][1], len(rows), eager=True),
        "scenario": pl.repeat("married_without_registration", len(rows), eager=True),
        "noise": blank,
    })
