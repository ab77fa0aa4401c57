"""Pick each spouse's population person from the scored candidate pairs, and say why not.

Pure: Polars frames in, Polars frames out. A spouse's best candidate is kept as evidence
even when it is not good enough to act on; the link reasons say what holds it back.
"""

from __future__ import annotations

import polars as pl

from reconcile.decide.couples import best_couples, holds, pairs_at_home
from reconcile.decide.ranks import rank_in_sorted
from reconcile.ruleset import BucketRules


# Joins the strings of a list built from many columns: a control character, which JSON escapes
# and no reason code or field name contains.
SEP = "\x1f"


def non_null_list(parts: list[pl.Expr]) -> pl.Expr:
    """The non-null values of the string expressions `parts`, in order, as one list per row.
    (The same as concat_list(parts).list.drop_nulls() for non-empty strings without `SEP`, but
    many times faster: Polars builds lists from many columns slowly.)"""
    if not parts:
        return pl.lit([], dtype=pl.List(pl.String))
    text = pl.concat_str(parts, separator=SEP, ignore_nulls=True)
    return pl.when(text != "").then(text.str.split(SEP)).otherwise(pl.lit([], dtype=pl.List(pl.String)))


def _sufficient_evidence(rules: BucketRules) -> pl.Expr:
    """True where at least one configured set of comparison levels holds for the pair."""
    alternatives = [holds(alt) for alt in rules.sufficient_evidence]
    return pl.any_horizontal(alternatives) if alternatives else pl.lit(True)


def _namesakes(scored: pl.DataFrame, chosen: pl.DataFrame, rules: BucketRules) -> pl.DataFrame:
    """The spouses whose chosen candidate is open to a namesake ([link.namesakes]): `spouse_uid`,
    `namesake` (True). `chosen` has the chosen candidate's pair, `couple_recorded` and
    `couple_lead_holds` (its couple leads every other by min_weight_lead)."""
    rule = rules.namesakes
    if rule is None:
        return pl.DataFrame(schema={"spouse_uid": pl.String, "namesake": pl.Boolean})
    unless = holds(rule.unless_best) if rule.unless_best else pl.lit(False)
    if rule.unless_recorded_couple:
        ways = [w for w in rule.unless_recorded_couple if w != "address"]
        recorded = pl.col("couple_recorded").is_in(ways) | (
            pl.col("couple_house").fill_null(False) if "address" in rule.unless_recorded_couple else pl.lit(False))
        unless = unless.fill_null(False) | (recorded & pl.col("couple_lead_holds"))
    exposed = chosen.filter(holds(rule.when_best) & ~unless.fill_null(False))
    rival_min = rules.candidate_min_probability if rule.rival_min_probability is None else rule.rival_min_probability
    # Lazily, so that only the two columns the rivals need are gathered (the province's pairs that
    # pass, with every column, were a province run's peak).
    rivals = scored.lazy().filter((pl.col("match_probability") >= rival_min) & holds(rule.rival)).select(
        "spouse_uid", "person_uid").join(chosen.lazy().select("spouse_uid", chosen_uid=pl.col("person_uid")),
                                         on="spouse_uid").filter(pl.col("person_uid") != pl.col("chosen_uid"))
    return exposed.join(rivals.collect(), on="spouse_uid", how="semi").select("spouse_uid", namesake=pl.lit(True))


def _other_province(rules: BucketRules) -> pl.Expr:
    """RESIDENCE_OTHER_PROVINCE where the spouse lived in another province than the person found
    and the ID does not agree at one of the configured levels."""
    if rules.other_province_id_levels is None:
        return pl.lit(None, pl.String)
    return pl.when(
        pl.col("linked") & (pl.col("residence_province") != pl.col("person_province"))
        & ~pl.col("level_id").is_in(list(rules.other_province_id_levels)).fill_null(False)
    ).then(pl.lit("RESIDENCE_OTHER_PROVINCE"))


def _home_candidates(scored: pl.DataFrame, spouses: pl.DataFrame, persons: pl.DataFrame,
                     rules: BucketRules) -> pl.DataFrame:
    """Per spouse of `scored` (the pairs of the spouses with no candidate), the one scored person
    (kept, at any probability) holding [couples] home_candidate who lives at the home its registry
    copy gives as residence (`couples.at_home`), where exactly one does: the officer's candidate
    for a copy that fits several namesakes too weakly to choose among them (Nguyễn Văn Bảo, born
    1956, without ID), not "not found". Never acted on alone: it is below the candidate minimum.
    Empty where the rule is off."""
    couple_rules = rules.couples
    if (couple_rules is None or not couple_rules.enabled or not couple_rules.home_candidate
            or "residence" not in spouses.columns or "address" not in persons.columns):
        return scored.clear()
    fitting = scored.filter(holds(couple_rules.home_candidate).fill_null(False))
    homes = pairs_at_home(fitting.select("spouse_uid", "person_uid"), spouses, persons, couple_rules)
    at_the_home = homes.filter(pl.col("home_weight") > 0).filter(pl.len().over("spouse_uid") == 1)
    return fitting.join(at_the_home.select("spouse_uid", "person_uid"), on=["spouse_uid", "person_uid"])


def ranked_pairs(pairs: pl.DataFrame) -> pl.DataFrame:
    """`pairs` by spouse, each spouse's best-scored candidate first (among equal weights, by person),
    with each pair's `rank` among its spouse's pairs (0 the best). Pairs with a `rank` are taken as
    ranked already: a run ranks them once (sorting 2.4 M pairs took 1-1.5 s) for deciding
    (`spouse_links`) and for the candidate rows (`top_candidates`)."""
    if "rank" in pairs.columns:
        return pairs
    return pairs.sort(["spouse_uid", "match_weight", "person_uid"], descending=[False, True, False]).with_columns(
        rank=rank_in_sorted("spouse_uid"))


def spouse_links(
    spouses: pl.DataFrame, persons: pl.DataFrame, pairs: pl.DataFrame, rules: BucketRules
) -> pl.DataFrame:
    """One row per spouse: its chosen candidate (`person_uid`, probability, weight) and link reasons.

    The chosen candidate is the spouse's person in its marriage's best candidate couple
    (decide.couples) where the couple rules are on and both spouses have candidates, else its own
    best. Columns: `unique_id`, `person_uid`, `match_probability`, `match_weight`, `linked`
    (a candidate chosen), `acceptable` (linked and nothing holds it back), `link_reasons` (list of
    reason codes), `id_owner_uid`, `candidate_count`, and the couple's evidence: `couple_weight`,
    `couple_lead`, `runner_up_uid`, `couple_recorded` (null without a couple).
    """
    scored = (
        ranked_pairs(pairs)
        .with_columns(sufficient=_sufficient_evidence(rules).fill_null(False))
        .with_columns(alone=pl.col("sufficient") & (pl.col("match_probability") >= rules.auto_min_probability))
    )
    candidate = pl.col("match_probability") >= rules.candidate_min_probability
    ranked = scored.filter(candidate).with_columns(rank=rank_in_sorted("spouse_uid"))
    # Each spouse's candidate: its person in the marriage's best couple (the couple rules on, and
    # candidates on both sides), else its own best. Couples are made of every kept pair, so that a
    # namesake too weak to be a candidate alone still makes the runner-up couple; a person below
    # the candidate minimum is taken only from a couple that holds sufficient couple evidence (a
    # spouse found through the partner).
    couples = best_couples(scored, spouses, persons, rules)
    # ... or from a couple recorded (by ID, both ways, or one record naming the other) or at one house
    # that leads every other: the officer's candidate for a spouse whose copy is too damaged to
    # score well alone, not "not found".
    vouched = (pl.col("enough") | ((pl.col("recorded").is_not_null() | pl.col("house")) & pl.col("doubt").is_null())
               ).fill_null(False)
    from_couple = scored.join(couples.select(spouse_uid="unique_id", person_uid="person_uid", enough="couple_sufficient",
                                             recorded="couple_recorded", house="couple_house", doubt="couple_ambiguity"),
                              on=["spouse_uid", "person_uid"]).filter(candidate | vouched).drop(
                                  "enough", "recorded", "house", "doubt")
    own_best = ranked.filter(pl.col("rank") == 0).join(from_couple.select("spouse_uid"), on="spouse_uid", how="anti")
    # The spouses with no candidate yet: only their pairs are looked at for a person at the registered home.
    unchosen = scored.join(pl.concat([from_couple.select("spouse_uid"), own_best.select("spouse_uid")]),
                           on="spouse_uid", how="anti")
    chosen = pl.concat([from_couple, own_best, _home_candidates(unchosen, spouses, persons, rules)]).join(
        couples.rename({"unique_id": "spouse_uid"}).drop("person_uid"), on="spouse_uid", how="left").with_columns(
        couple_lead_holds=pl.col("couple_lead").fill_null(float("inf")) >= rules.min_weight_lead,
    )
    second = ranked.join(chosen.select("spouse_uid", chosen_uid=pl.col("person_uid")), on="spouse_uid").filter(
        pl.col("person_uid") != pl.col("chosen_uid")
    ).group_by("spouse_uid").agg(second_weight=pl.col("match_weight").max())
    counts = ranked.group_by("spouse_uid").agg(candidate_count=pl.len())
    namesakes = _namesakes(scored, chosen, rules)
    owners = _id_owners(spouses, persons)
    province_rule = rules.other_province_id_levels is not None
    out = (
        spouses.select("unique_id", "sex", "is_foreign", *(["residence_province"] if province_rule else []))
        .join(chosen.rename({"spouse_uid": "unique_id"}), on="unique_id", how="left")
        .join(second.rename({"spouse_uid": "unique_id"}), on="unique_id", how="left")
        .join(counts.rename({"spouse_uid": "unique_id"}), on="unique_id", how="left")
        .join(namesakes.rename({"spouse_uid": "unique_id"}), on="unique_id", how="left")
        .join(owners, on="unique_id", how="left")
        .join(persons.select(pl.col("unique_id").alias("person_uid"), person_sex=pl.col("sex"),
                             **({"person_province": pl.col("province")} if province_rule else {})),
              on="person_uid", how="left")
        .with_columns(linked=pl.col("person_uid").is_not_null(), candidate_count=pl.col("candidate_count").fill_null(0))
    )
    # A spouse who lived in another province at registration and whose best candidate here is
    # weak (below auto_min_probability, no sufficient evidence, no couple to vouch for it) is not
    # found: a resident who merely shares a name and birth year with someone from elsewhere is a
    # stranger, not a person for the officer to weigh (domain: such a spouse may never have moved).
    if province_rule:
        stranger = (pl.col("linked") & (pl.col("residence_province") != pl.col("person_province"))
                    & (pl.col("match_probability") < rules.auto_min_probability)
                    & ~pl.col("sufficient").fill_null(False) & ~pl.col("couple_sufficient").fill_null(False)).fill_null(False)
        out = out.with_columns(
            pl.when(~stranger).then(pl.col(c)).alias(c)
            for c in ("person_uid", "match_probability", "match_weight", "couple_weight", "couple_lead", "runner_up_uid",
                      "couple_recorded", "person_sex", "person_province")
        ).with_columns(linked=pl.col("person_uid").is_not_null())
    # In a couple that holds sufficient couple evidence, the couple's lead stands for each link's.
    in_couple = pl.col("couple_weight").is_not_null()
    couple_enough = pl.col("couple_sufficient").fill_null(False)
    reasons = non_null_list([
        pl.when(pl.col("linked") & ~in_couple & (pl.col("match_weight") - pl.col("second_weight") < rules.min_weight_lead))
        .then(pl.lit("AMBIGUOUS_CANDIDATES")),
        pl.when(pl.col("linked") & in_couple).then(pl.col("couple_ambiguity")),
        pl.when(pl.col("linked") & ~couple_enough & (pl.col("match_probability") < rules.auto_min_probability))
        .then(pl.lit("LOW_CONFIDENCE_LINK")),
        pl.when(pl.col("linked") & ~couple_enough & ~pl.col("sufficient").fill_null(False)).then(pl.lit("WEAK_EVIDENCE")),
        pl.when(pl.col("linked") & pl.col("namesake").fill_null(False)).then(pl.lit("NAMESAKE_SAME_YEAR")),
        pl.when(pl.col("id_owner_uid").is_not_null()
                & (pl.col("person_uid").is_null() | (pl.col("id_owner_uid") != pl.col("person_uid"))))
        .then(pl.lit("ID_POINTS_ELSEWHERE")),
        pl.when(pl.col("linked") & pl.col("person_sex").is_not_null() & (pl.col("person_sex") != pl.col("sex")))
        .then(pl.lit("SEX_MISMATCH")),
        _other_province(rules),
    ])
    return out.with_columns(link_reasons=reasons).with_columns(
        acceptable=pl.col("linked") & (pl.col("link_reasons").list.len() == 0)
    ).select(
        "unique_id", "person_uid", "match_probability", "match_weight", "linked", "acceptable",
        "link_reasons", "id_owner_uid", "candidate_count", "couple_weight", "couple_lead", "runner_up_uid",
        "couple_recorded",
    )


def _id_owners(spouses: pl.DataFrame, persons: pl.DataFrame) -> pl.DataFrame:
    """The population person who holds the spouse's ID number (12-digit, else old 9-digit): the
    only one holding it (a number two persons hold owns nobody)."""
    def holders(column: str, owner: str) -> pl.DataFrame:
        # Only the numbers some spouse gives: a semi-join first, far cheaper than `unique` over the province.
        wanted = spouses.select(column).drop_nulls().unique()
        return (persons.select(column, pl.col("unique_id").alias(owner)).join(wanted, on=column, how="semi")
                .unique(column, keep="none"))

    by12, by9 = holders("id12", "owner12"), holders("id9", "owner9")
    return (
        spouses.select("unique_id", "id12", "id9")
        .join(by12, on="id12", how="left")
        .join(by9, on="id9", how="left")
        .select("unique_id", id_owner_uid=pl.coalesce("owner12", "owner9"))
    )


def top_candidates(pairs: pl.DataFrame, links: pl.DataFrame, n: int = 3) -> pl.DataFrame:
    """The `n` best-scored candidates of each spouse of `links`, and its linked person and its
    person in the runner-up couple wherever they rank lower (a person found through the partner or
    at the registered home, a namesake couple's): one row per candidate, in (spouse, rank) order,
    with its rank among all the spouse's scored pairs, its match probability and weight, and each
    comparison's level and match weight (`level_*`, `weight_*`, in the model's comparison order):
    the evidence `reconcile explain` shows. (One row per candidate and comparison took three times
    as long to make and store: docs/performance.md.)"""
    comparisons = [c.removeprefix("level_") for c in pairs.columns if c.startswith("level_")]
    shown = pl.concat([links.select(spouse_uid="unique_id", person_uid=c) for c in ("person_uid", "runner_up_uid")
                       if c in links.columns]).drop_nulls().with_columns(shown=pl.lit(True)).unique()
    return (
        ranked_pairs(pairs).filter(pl.col("spouse_uid").is_in(links["unique_id"].implode()))
        .with_columns(rank=pl.col("rank") + 1)
        .join(shown, on=["spouse_uid", "person_uid"], how="left", maintain_order="left")
        .filter((pl.col("rank") <= n) | pl.col("shown").fill_null(False))
        .select(pl.col("spouse_uid").alias("unique_id"), "person_uid", pl.col("rank").cast(pl.Int32),
                "match_probability", "match_weight",
                *(pl.col(f"{kind}_{name}") for name in comparisons for kind in ("level", "weight")))
    )
