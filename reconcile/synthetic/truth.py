"""The truth file: for every registry marriage and every married person with no registration,
the true population persons, the bucket and action reconcile should reach, and the scenario.

A marriage is expected in `conflict` beyond its scenario only where a person really must
decide: where the files cannot single out the true person of some spouse who is in the
population. A spouse's copy is *determinable* when any of these holds:

(a) its ID leads to the person (the 12-digit ID, leading zeros dropped or not, or the old
    9-digit number where the population shows it);
(b) its name is recognisable (no typo; diacritics, case and Văn/Thị variants are fine), it
    carries a full birth date (not a year, a month and year or a 01/01 placeholder: such a name
    fits too many people, and the spouse may live elsewhere with a namesake here) that fits the
    person's, and no other population person of that sex has a compatible name (the same name
    without diacritics, or the same with Văn/Thị dropped or added) and a birth date that fits too (a
    population date kept as the year only fits any date of that year);
(c) the person and the partner's person are recorded in the population as each other's
    spouse (one record shows the other's personal ID, or each shows the other's ID or name: a
    name typed in one record fits every namesake of the other) and the partner's copy is
    determinable by (a) or (b);
(d) they are so recorded, or live at the same house address (a house number: a hamlet or a
    residential group is no household), both copies' names are recognisable
    and their dates fit the persons' at the copies' precision, and no other recorded couple of
    the population has a husband and a wife whose names and birth years fit both copies (a
    namesake couple leaves both spouses undeterminable).

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
    """Per people row: the three name keys (folded name, the name without Văn/Thị, both) each hashed
    with sex and birth year, the birth month and day, whether the population keeps the full
    date, whether the person is in the population."""
    c = pl.col
    parts = people.select(
        family=_folded(people["family"]), middle=_folded(people["middle"]), given=_folded(people["given"]),
    )
    fold = pl.concat_str([parts["family"], parts["middle"], parts["given"]], separator="|").hash()
    # Văn and Thị are dropped or added freely; any other middle name is part of the name.
    middle = people["middle"].str.replace_all(r"(^|\s)(Văn|Thị)(\s|$)", " ").str.replace_all(r"\s+", " ").str.strip_chars()
    fg = pl.concat_str([people["family"], middle, people["given"]], separator="|").hash()
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
    # A name with a birth year (or month) only fits too many people to stand alone: in the
    # province none other may fit, yet the spouse may live elsewhere and a namesake here.
    full_date = copy["precision"].to_numpy() == 2
    fits = copy["name_ok"].to_numpy() & copies["true_fits"].to_numpy()
    alone_all = copy["id_ok"].to_numpy() | (fits & full_date & (others == 0))
    alone = {"husband": alone_all[:n], "wife": alone_all[n:]}
    h, w = rows["husband"], rows["wife"]
    in_pop = people["in_population"].to_numpy()
    n_state = len(state.spouse)

    def records(a: np.ndarray, b: np.ndarray, shown: np.ndarray) -> np.ndarray:
        inside = a < n_state
        at = np.where(inside, a, 0)
        return inside & (state.spouse[at] == b) & shown[at]

    shows = state.show_id | state.show_name
    # Recorded as each other's spouse: one record gives the other's personal ID, or each record
    # gives the other's ID or name (a name one record types fits every namesake of the other).
    by_id = records(h, w, state.show_id) | records(w, h, state.show_id)
    both_ways = records(h, w, shows) & records(w, h, shows)
    couple = in_pop[h] & in_pop[w] & (by_id | both_ways)
    # (d) Both copies fit the couple, recorded as above or living at the same address, and no
    # other recorded couple fits both copies.
    ward, detail = people["ward_row"].fill_null(-1).to_numpy(), people["detail"].to_numpy()
    # A household: a house number and street ("Thôn 8", a hamlet, holds hundreds of households).
    house = np.char.startswith(detail.astype(str), "Số ")
    same_address = (ward[h] >= 0) & (ward[h] == ward[w]) & (detail[h] == detail[w]) & house[h]
    keyed = _keyed(copies)
    fitting = ((couple | (in_pop[h] & in_pop[w] & same_address)) & fits[:n] & fits[n:]
               & (_other_couples(persons, state, keyed, n) == 0))
    return {
        "husband": ~in_pop[h] | alone["husband"] | (couple & alone["wife"]) | fitting,
        "wife": ~in_pop[w] | alone["wife"] | (couple & alone["husband"]) | fitting,
    }


def _other_couples(persons: pl.DataFrame, state: PopulationState, keyed_copies: pl.DataFrame, n: int) -> np.ndarray:
    """Per marriage (the first `n` keyed copies are husbands, the next `n` wives), how many couples
    recorded in the population other than the true one have a husband whose name and birth year fit
    the husband's copy and a wife who fits the wife's (name keys as `_compatible_others`, years only)."""
    c = pl.col
    pop = _keyed(persons).with_row_index("row")
    married = np.flatnonzero((state.spouse >= 0) & (state.show_id | state.show_name))
    married = married[married < len(pop)]
    female = pop["female"].to_numpy()[married]
    # A couple recorded by either spouse: the other may live in another province now, and show nothing.
    men, women = married[~female], married[female]
    pairs = pl.concat([pl.DataFrame({"h": men, "w": state.spouse[men]}), pl.DataFrame({"h": state.spouse[women], "w": women})]
                      ).filter((c("h") < len(pop)) & (c("w") < len(pop))).unique()
    keys = pop.select("row", "k0", "k1")
    pairs = pairs.join(keys.rename({"row": "h", "k0": "hk0", "k1": "hk1"}), on="h").join(
        keys.rename({"row": "w", "k0": "wk0", "k1": "wk1"}), on="w")
    wanted = pl.DataFrame({
        "marriage": np.arange(n), "hk0": keyed_copies["k0"][:n], "hk1": keyed_copies["k1"][:n],
        "wk0": keyed_copies["k0"][n:], "wk1": keyed_copies["k1"][n:],
    })
    found = pl.concat([
        wanted.select("marriage", c(f"h{a}").alias("hk"), c(f"w{b}").alias("wk")).join(
            pairs.select("h", "w", c(f"h{a}").alias("hk"), c(f"w{b}").alias("wk")), on=["hk", "wk"])
        for a in ("k0", "k1") for b in ("k0", "k1")
    ]).unique(["marriage", "h", "w"]).group_by("marriage").len()
    counts = wanted.select("marriage").join(found, on="marriage", how="left").sort("marriage")["len"].fill_null(0)
    # The true couple fits its own copies (when both fit): it is not another couple.
    return np.maximum(counts.to_numpy().astype(np.int64) - 1, 0)


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
