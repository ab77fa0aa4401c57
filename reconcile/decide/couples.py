"""Judge each marriage's two links together: candidate couples, scored as a pair.

A marriage names two people who, in the population database, usually record each other as
spouse. Each spouse's best candidates are paired with the partner's, and so is every two
candidates of whom one records the other's personal ID. A couple's weight is both links' match
weights plus the couple's own evidence: each record that gives the other's personal ID or name as
spouse or, short of that, the same house. The best couple must lead every other couple on the
evidence that can tell couples apart (how the population typed a spouse's name cannot: see
`lead_caps`): by min_weight_lead where the other couple shares a person, by other_couple_lead
where it is two other persons (namesake couples); and it must hold one of the configured sets of
couple evidence ([couples] of rules/buckets.toml).

Pure: Polars frames in, Polars frames out.
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from reconcile.decide.ranks import rank_in_sorted
from reconcile.normalize.homes import home_of, names_a_house
from reconcile.normalize.names import core_ascii, one_slip_apart
from reconcile.ruleset import BucketRules, CoupleEvidence, CoupleRules, EvidenceSet

ROLE_PREFIX = {"husband": "h", "wife": "w"}
# An address that names a house: "Số 46 Điện Biên Phủ", "46 Điện Biên Phủ", "46/3 Lê Lợi".
HOUSE_NUMBER = r"(?i)^(số\s+)?\d+"
# What the couples read of each candidate person.
COUPLE_PERSON_COLUMNS = ("unique_id", "person_id", "spouse_id", "spouse_name_ascii", "name_ascii", "address",
                         "home", "marital_status")
# Marriages whose candidate couples are made and judged at once (best_couples).
MARRIAGES_PER_PART = 50_000


def holds(levels: EvidenceSet, prefix: str = "") -> pl.Expr:
    """True where the pair `<prefix>level_<comparison>` holds every comparison's listed levels."""
    return pl.all_horizontal([pl.col(f"{prefix}level_{comp}").is_in(list(labels)) for comp, labels in levels])


def _side_holds(part: EvidenceSet | str | None, prefix: str) -> pl.Expr:
    """One spouse's part of a couple alternative: "link" (the link is enough alone), a set of
    levels, or nothing asked (None)."""
    if part is None:
        return pl.lit(True)
    if part == "link":
        return pl.col(f"{prefix}alone")
    assert not isinstance(part, str)
    return holds(part, prefix)


def _alternative(alt: CoupleEvidence) -> pl.Expr:
    ways = {"id": pl.col("recorded_id"), "name": pl.col("recorded_id") | pl.col("recorded_name"),
            "both_ways": pl.col("recorded_both_ways"), "address": pl.col("same_address")}
    recorded = pl.any_horizontal([ways[w] for w in alt.recorded]) if alt.recorded else pl.lit(True)
    both = _side_holds(alt.both, "h_") & _side_holds(alt.both, "w_")
    crossed = (_side_holds(alt.one, "h_") & _side_holds(alt.other, "w_")) | (
        _side_holds(alt.one, "w_") & _side_holds(alt.other, "h_"))
    return recorded & both & crossed


def _names_the_partner(p: str, columns: list[str]) -> pl.Expr:
    """`p`'s person records a spouse named like the registry partner (any agreeing level of the
    spouse_name comparison) and is not recorded with the couple's other person by personal ID."""
    level = f"{p}_level_spouse_name"
    names = (pl.col(level).is_not_null() & (pl.col(level) != "null")) if level in columns else pl.lit(False)
    return (names & ~pl.col("recorded_id")).fill_null(False)


def _married_to_nobody_recorded(p: str, columns: list[str]) -> pl.Expr:
    """`p`'s person is married in the population with no spouse ID or name recorded."""
    status = f"{p}_marital_status"
    if status not in columns:
        return pl.lit(False)
    return ((pl.col(status) == "married") & pl.col(f"{p}_spouse_id").is_null()
            & pl.col(f"{p}_spouse_name_ascii").is_null()).fill_null(False)


def claims_a_spouse(columns: Iterable[str]) -> pl.Expr:
    """The person's record gives a spouse by personal ID (`spouse_id`), and the person is living
    and married: a dead person's or a divorced person's record is the past (widowhood, a divorce),
    not a rival marriage. `columns`: the frame's (death_date and death_year are read if present)."""
    alive = [pl.col(c).is_null() for c in ("death_date", "death_year") if c in columns]
    return pl.all_horizontal([pl.col("spouse_id").is_not_null(), pl.col("marital_status") == "married", *alive])


def _claims(persons: pl.DataFrame) -> pl.DataFrame:
    """Per person given as spouse by personal ID in the record of a living married person
    (`claims_a_spouse`): `person_id`, `claims` (how many such records) and `claimed_by` (one of them)."""
    schema = {"person_id": pl.String, "claims": pl.UInt32, "claimed_by": pl.String}
    if not {"spouse_id", "marital_status"} <= set(persons.columns):
        return pl.DataFrame(schema=schema)
    return persons.filter(claims_a_spouse(persons.columns)).group_by(person_id=pl.col("spouse_id")).agg(
        claims=pl.len(), claimed_by=pl.col("person_id").first()).cast(pl.Schema(schema))


def _judged_columns(rules: CoupleRules) -> set[str]:
    """The columns of `candidate_couples` that best_couples reads."""
    levels = {c.removeprefix("level_") for c in _pair_columns(rules) if c.startswith("level_")}
    per_side = {"spouse_uid", "person_uid", "alone", "marital_status", "spouse_id", "spouse_name_ascii",
                *(f"level_{c}" for c in levels)}
    return {"registration_id", "couple_weight", "lead_weight", "couple_bonus", "home_lead", "recorded_id", "recorded_name",
            "recorded_both_ways", "same_address", *(f"{p}_{c}" for p in ROLE_PREFIX.values() for c in per_side)}


def _pair_columns(rules: CoupleRules) -> set[str]:
    """The scored-pair columns candidate couples and their judgement read: the keys, the weight,
    rank and `alone`, the levels the couple alternatives name and the spouse-name level, and the
    weights of the capped comparisons."""
    levels = {"spouse_name"}
    for alt in rules.sufficient_evidence:
        for part in (alt.both, alt.one, alt.other):
            if part is not None and not isinstance(part, str):
                levels.update(comp for comp, _ in part)
    return {"spouse_uid", "person_uid", "match_weight", "rank", "alone",
            *(f"level_{c}" for c in levels), *(f"weight_{c}" for c, _ in rules.lead_caps)}


def couple_persons(candidates: pl.DataFrame, persons: pl.DataFrame) -> pl.DataFrame:
    """What the couples read of every person among `candidates` (COUPLE_PERSON_COLUMNS, the
    claims on it, its names without Văn/Thị and its texts coded: `_coded`), keyed `person_uid`:
    worked out once for the province, whatever part of it the couples are made for."""
    person = persons.select([c for c in COUPLE_PERSON_COLUMNS if c in persons.columns]).rename(
        {"unique_id": "person_uid"}).filter(pl.col("person_uid").is_in(candidates["person_uid"].implode()))
    person = person.join(_claims(persons), on="person_id", how="left")
    # Names without Văn/Thị, once per candidate person (a couple compares them both ways).
    return _coded(person.with_columns(
        (core_ascii(pl.col(c)).alias(f"{c}_core") for c in ("name_ascii", "spouse_name_ascii") if c in person.columns)))


def couple_spouses(spouses: pl.DataFrame) -> pl.DataFrame:
    """Each registry spouse as the couples read it: `spouse_uid`, `registration_id`, `role` and
    `registered_home` (the home its residence names)."""
    return spouses.select(pl.col("unique_id").alias("spouse_uid"), "registration_id", "role",
                          registered_home=home_of(spouses, "residence"))


def candidate_couples(candidates: pl.DataFrame, spouses: pl.DataFrame, person: pl.DataFrame,
                      rules: CoupleRules) -> pl.DataFrame:
    """Every candidate couple of every marriage with candidates on both sides: one row per
    (husband candidate, wife candidate) with `registration_id`, each side's pair columns prefixed
    `h_` / `w_`, `recorded_id` (one record gives the other's personal ID), `recorded_name` (or
    name), `recorded_both_ways` (each record gives the other's ID or name), `same_address`,
    `couple_weight` (to rank couples) and `lead_weight` (to measure the lead).

    `candidates`: the scored pairs above the candidate minimum, with `rank` per spouse (0 the best)
    and `alone` (the link is enough without its partner); `spouses`: `couple_spouses` of their
    spouses; `person`: `couple_persons` of (at least) their persons."""
    # Only the pair columns the couples read: every couple row carries two pairs.
    candidates = candidates.select([c for c in candidates.columns if c in _pair_columns(rules)])
    kept = at_home(candidates.join(spouses, on="spouse_uid").join(person, on="person_uid", how="left"), rules)
    sides = {}
    for role, p in ROLE_PREFIX.items():
        part = kept.filter(pl.col("role") == role).drop("role")
        sides[p] = part.rename({c: f"{p}_{c}" for c in part.columns if c != "registration_id"})
    del kept
    top = {p: side.filter(pl.col(f"{p}_rank") < rules.candidates_per_spouse) for p, side in sides.items()}
    # Each spouse's best candidates paired; and, among all its candidates, every two persons one of
    # whom records the other's personal ID or name: a namesake couple must be seen however many
    # namesakes of one spouse score above it (a wife whose typed spouse name is her husband's with
    # a Văn added, weak alone, is the other couple of a namesake pair). Found on the keys alone,
    # then given their columns: the province's candidates are many, such couples few.
    keys = (("h_spouse_id", "w_person_id"), ("h_person_id", "w_spouse_id"),
            ("h_spouse_name_ascii_core", "w_name_ascii_core"), ("h_name_ascii_core", "w_spouse_name_ascii_core"))
    by_record = [_recorded(sides, h_key, w_key) for h_key, w_key in keys
                 if h_key in sides["h"].columns and w_key in sides["w"].columns]
    # And two candidates both married with nobody recorded at one address: the couple the registry
    # holds may be one whose spouse fields were never filled (see unrecorded_same_place below).
    if rules.unrecorded_same_place_weight > 0 and all(f"{p}_address" in sides[p].columns for p in sides):
        by_record.append(_recorded(sides, "h_address", "w_address", _married_to_nobody_recorded("h", sides["h"].columns),
                                   _married_to_nobody_recorded("w", sides["w"].columns)))
    # The recorded couples not already among the best candidates' (each once: a couple may be
    # recorded several ways), then the best candidates' couples: no couple twice.
    beyond_top = (pl.col("h_rank") >= rules.candidates_per_spouse) | (pl.col("w_rank") >= rules.candidates_per_spouse)
    couples = top["h"].join(top["w"], on="registration_id")
    if by_record:
        beyond = pl.concat(by_record, how="vertical_relaxed").filter(beyond_top).select(
            "registration_id", "h_person_uid", "w_person_uid").unique()
        recorded_beyond = beyond.join(sides["h"], on=["registration_id", "h_person_uid"]).join(
            sides["w"], on=["registration_id", "w_person_uid"]).select(couples.columns)
        couples = pl.concat([couples, recorded_beyond], how="vertical_relaxed")
    del sides, top, by_record
    couples = couples.filter(pl.col("h_person_uid") != pl.col("w_person_uid"))

    def col(p: str, name: str) -> pl.Expr:
        return pl.col(f"{p}_{name}") if f"{p}_{name}" in couples.columns else pl.lit(None, pl.String)

    recorded_id = ((col("h", "spouse_id") == col("w", "person_id")) | (col("w", "spouse_id") == col("h", "person_id")))

    slipped = {p: _one_slip(couples, f"{p}_spouse_name_ascii_core", f"{o}_name_ascii_core")
               for p, o in (("h", "w"), ("w", "h"))
               if f"{p}_spouse_name_ascii_core" in couples.columns and f"{o}_name_ascii_core" in couples.columns}
    couples = couples.with_columns(pl.Series(f"{p}_slipped", flags) for p, flags in slipped.items())

    def claimed_elsewhere(p: str, o: str) -> pl.Expr:
        """`p`'s person is given as spouse, by personal ID, in the record of a living married
        person other than `o`'s."""
        return (pl.col(f"{p}_claims").fill_null(0) > 1) | (
            (pl.col(f"{p}_claims").fill_null(0) == 1) & (col(p, "claimed_by") != col(o, "person_id")).fill_null(True))

    def names(p: str, o: str, uncontested: bool = True) -> pl.Expr:
        """`p`'s record gives `o`'s name as spouse (free text: Văn/Thị dropped or added, or one
        letter slipped), and no personal ID as spouse: a record that gives an ID names that
        person, whoever else bears the name typed beside it. `uncontested`: and neither person is
        another's spouse by ID (a wife whose record types "Nguyễn Văn Hoà" and whom a living
        Nguyễn Văn Hoà records by her ID is his wife, not a namesake's). A contested record still
        weighs in ranking the couples (a rival keeps its weight), but is no evidence to act on."""
        typed = col(p, "spouse_id").is_null() & (
            (col(p, "spouse_name_ascii_core") == col(o, "name_ascii_core"))
            | (pl.col(f"{p}_slipped") if p in slipped else pl.lit(False)))
        return typed & ~claimed_elsewhere(p, o) & ~claimed_elsewhere(o, p) if uncontested else typed

    recorded_name = names("h", "w") | names("w", "h")
    # The same household: an address with a house number. "Thôn 8" or "Tổ dân phố 13" (a hamlet, a
    # residential group) is shared by hundreds of households.
    same_place = col("h", "address") == col("w", "address")
    names_a_house = pl.col("h_address_house") if "h_address_house" in couples.columns else pl.lit(None, pl.Boolean)
    same_address = same_place & names_a_house
    # Both married with nobody recorded, at one address that names no house: perhaps the couple the
    # registry holds, whose spouse fields the population never filled (or namesakes who merely live
    # in the same hamlet). Never evidence enough to act on; it makes them a rival to be left behind.
    unrecorded_same_place = same_place & ~names_a_house & pl.all_horizontal(
        _married_to_nobody_recorded(p, couples.columns) for p in ("h", "w"))
    couples = couples.with_columns(
        recorded_id=recorded_id.fill_null(False),
        recorded_name=recorded_name.fill_null(False),
        same_address=same_address.fill_null(False),
        unrecorded_same_place=unrecorded_same_place.fill_null(False),
        together=(same_place & ~names_a_house).fill_null(False),
    )

    def side_weight(p: str) -> pl.Expr:
        """The link's weight with each capped comparison counting within its cap either way: adding
        at most the cap, taking away at most the cap (a namesake living elsewhere is not left
        behind by where the registered one lives)."""
        excess = [pl.col(f"{p}_weight_{c}").fill_null(0.0) - pl.col(f"{p}_weight_{c}").fill_null(0.0).clip(-cap, cap)
                  for c, cap in rules.lead_caps if f"{p}_weight_{c}" in couples.columns]
        return pl.col(f"{p}_match_weight") - (pl.sum_horizontal(excess) if excess else pl.lit(0.0))

    def records(p: str, o: str, uncontested: bool = True) -> pl.Expr:
        """`p`'s record gives `o`'s personal ID or name as spouse (see `names`)."""
        return ((col(p, "spouse_id") == col(o, "person_id")) | names(p, o, uncontested)).fill_null(False)

    # Each record that names the other counts: a wife's typed spouse name fits every namesake of
    # her husband, his own record names her alone.
    naming = [records("h", "w", uncontested=False), records("w", "h", uncontested=False)]
    couples = couples.with_columns(recorded_both_ways=records("h", "w") & records("w", "h"))
    # A house counts beside the records: a spouse name typed in one record fits every namesake of
    # the other person, the house they share tells them apart.
    bonus = (rules.recorded_weight * (naming[0].cast(pl.Float64) + naming[1].cast(pl.Float64))
             + rules.same_address_weight * pl.col("same_address").cast(pl.Float64)
             + rules.unrecorded_same_place_weight * pl.col("unrecorded_same_place").cast(pl.Float64))
    # The weight ranks the couples on all the evidence, on where the persons live now beside where
    # the registration says they lived (`home_weight`), and on their living in one hamlet or
    # residential group (`together`: a house counts as evidence above); the lead over the runner-up
    # is taken on the evidence that can tell two couples apart (`lead_weight`).
    together = rules.same_place_weight * pl.col("together").cast(pl.Float64)
    # What the registered house, and the two living at one address (a hamlet of one commune: the
    # whole address agrees), add to the lead over a runner-up that shares a person (see best_couples).
    home_lead = (sum((pl.col(f"{p}_at_house").cast(pl.Float64) * rules.residence_house_weight for p in ("h", "w")),
                     pl.lit(0.0)) + together) if rules.house_tells_namesakes else pl.lit(0.0)
    return couples.with_columns(
        home_lead=home_lead,
        couple_weight=pl.col("h_match_weight") + pl.col("w_match_weight") + bonus
        + pl.col("h_home_weight") + pl.col("w_home_weight") + together,
        lead_weight=side_weight("h") + side_weight("w") + bonus,
        couple_bonus=bonus,
    )


def at_home(pairs: pl.DataFrame, rules: CoupleRules) -> pl.DataFrame:
    """The candidate pairs with `home_weight`: what it adds to ranking a couple that the person lives
    at the home the registry copy gives as residence (`registered_home` against the person's
    `home`, both dropped): residence_house_weight at a house, residence_place_weight at a hamlet
    or a residential group, else 0; and `at_house`: at that house."""
    same = (pl.col("registered_home") == pl.col("home").cast(pl.String)).fill_null(False)
    house = names_a_house(pl.col("registered_home")).fill_null(False)
    return pairs.with_columns(home_weight=pl.when(same & house).then(pl.lit(rules.residence_house_weight))
                              .when(same).then(pl.lit(rules.residence_place_weight)).otherwise(pl.lit(0.0)),
                              at_house=same & house).drop("registered_home", "home", strict=False)


def pairs_at_home(pairs: pl.DataFrame, spouses: pl.DataFrame, persons: pl.DataFrame, rules: CoupleRules) -> pl.DataFrame:
    """`pairs` (`spouse_uid`, `person_uid`, …) with `home_weight` and `at_house` (`at_home`): the
    registry copy's residence (`spouses.residence`) against the person's address (their homes:
    `home_of`), each read only for the spouses and persons the pairs name."""
    registered = spouses.join(pairs, left_on="unique_id", right_on="spouse_uid", how="semi")
    registered = registered.select(spouse_uid="unique_id", registered_home=home_of(registered, "residence"))
    homes = persons.join(pairs, left_on="unique_id", right_on="person_uid", how="semi")
    homes = homes.select(person_uid="unique_id", home=home_of(homes, "address"))
    return at_home(pairs.join(registered, on="spouse_uid", how="left").join(homes, on="person_uid", how="left"), rules)


def _coded(person: pl.DataFrame) -> pl.DataFrame:
    """The candidate persons with the long texts couples only compare as codes (an Enum each, one
    for the addresses, one for the names without Văn/Thị and the spouse names so): every couple row
    carries two of each. Whether the address names a house is kept beside (`address_house`); the
    full ASCII name, read only for its core, is dropped."""
    if "address" in person.columns:
        person = person.with_columns(address_house=pl.col("address").str.contains(HOUSE_NUMBER),
                                     home=home_of(person, "address")).with_columns(
            pl.col("address").cast(pl.Enum(person["address"].drop_nulls().unique().sort())))
    cores = [c for c in ("name_ascii_core", "spouse_name_ascii_core") if c in person.columns]
    if cores:
        names = pl.concat([person[c] for c in cores]).drop_nulls().unique().sort()
        person = person.with_columns(pl.col(c).cast(pl.Enum(names)) for c in cores)
    return person.drop("name_ascii", strict=False)


def _recorded(sides: dict[str, pl.DataFrame], h_key: str, w_key: str, h_when: pl.Expr | None = None,
              w_when: pl.Expr | None = None) -> pl.DataFrame:
    """The (registration_id, h_person_uid, h_rank, w_person_uid, w_rank) of every husband and wife
    candidate of one marriage whose `h_key` equals the other's `w_key` (where `h_when` / `w_when`
    hold)."""
    h = sides["h"].filter(pl.col(h_key).is_not_null() & (True if h_when is None else h_when)).select(
        "registration_id", "h_person_uid", "h_rank", _key=pl.col(h_key))
    w = sides["w"].filter(pl.col(w_key).is_not_null() & (True if w_when is None else w_when)).select(
        "registration_id", "w_person_uid", "w_rank", _key=pl.col(w_key))
    return h.join(w, on=["registration_id", "_key"]).drop("_key")


def _one_slip(couples: pl.DataFrame, typed: str, name: str) -> pl.Series:
    """Per couple: the spouse name typed in one record (`typed`) is one slipped letter from the
    other person's name (`name`), both without Văn/Thị (Trần Thị Hồng Linv for Trần Hồng Linh).
    Each distinct pair of names that could be is checked once (normalize.names.one_slip_apart)."""
    pairs = couples.select(a=pl.col(typed), b=pl.col(name))
    texts = pairs.filter(pl.col("a").is_not_null() & pl.col("b").is_not_null() & (pl.col("a") != pl.col("b"))).unique(
    ).with_columns(ta=pl.col("a").cast(pl.String), tb=pl.col("b").cast(pl.String))  # the names behind the codes
    length = pl.col("ta").str.len_chars().cast(pl.Int32) - pl.col("tb").str.len_chars().cast(pl.Int32)
    checked = texts.filter(length.abs() <= 1).select("a", "b", slip=one_slip_apart(pl.col("ta"), pl.col("tb")))
    return pairs.join(checked, on=["a", "b"], how="left", maintain_order="left")["slip"].fill_null(False)


def best_couples(candidates: pl.DataFrame, spouses: pl.DataFrame, persons: pl.DataFrame,
                 rules: BucketRules) -> pl.DataFrame:
    """Per spouse of a marriage with candidate couples, its person in the marriage's best couple:
    `unique_id`, `person_uid`, `couple_weight`, `couple_lead` (over the runner-up couple; null if
    none), `runner_up_uid` (the spouse's person in the runner-up couple), `couple_recorded`
    (`id`, `both_ways`, `name` or null), `couple_house` (the two live at one house), `couple_sufficient` (one of
    [[couples.sufficient_evidence]] holds) and
    `couple_ambiguity`: where the runner-up couple is within min_weight_lead and has another
    person for this spouse, AMBIGUOUS_COUPLES (it has another for both) or AMBIGUOUS_CANDIDATES.
    Empty when the couple rules are off."""
    schema = pl.Schema({"unique_id": pl.String, "person_uid": pl.String, "couple_weight": pl.Float64,
                        "couple_lead": pl.Float64, "runner_up_uid": pl.String, "couple_recorded": pl.String,
                        "couple_sufficient": pl.Boolean, "couple_ambiguity": pl.String, "couple_house": pl.Boolean})
    couple_rules = rules.couples
    if couple_rules is None or not couple_rules.enabled:
        return pl.DataFrame(schema=schema)
    person = couple_persons(candidates, persons)
    sides = couple_spouses(spouses)
    # Each marriage's couples are judged on its own candidates alone: the marriages are taken a
    # part at a time, so that only one part's couples are held at once (at a million spouses the
    # couples of all of them, and the frames made from them, were 2.5 GB at once).
    parts = -(-sides["registration_id"].n_unique() // MARRIAGES_PER_PART)
    if parts <= 1:
        return _best_couples(candidates, sides, person, rules, couple_rules, schema)
    part = pl.col("registration_id").hash(seed=0) % parts
    return pl.concat([
        _best_couples(candidates.filter(pl.col("spouse_uid").is_in(these["spouse_uid"].implode())), these, person,
                      rules, couple_rules, schema)
        for these in (sides.filter(part == k) for k in range(parts))
    ])


def _best_couples(candidates: pl.DataFrame, spouses: pl.DataFrame, person: pl.DataFrame, rules: BucketRules,
                  couple_rules: CoupleRules, schema: pl.Schema) -> pl.DataFrame:
    """`best_couples` for the marriages of `spouses` (`couple_spouses`)."""
    couples = candidate_couples(candidates, spouses, person, couple_rules)
    if couples.is_empty():
        return pl.DataFrame(schema=schema)
    # Only what judging the couples reads: every couple is sorted and compared with its marriage's best.
    couples = couples.select(c for c in couples.columns if c in _judged_columns(couple_rules))
    ranked = couples.sort(
        ["registration_id", "couple_weight", "h_person_uid", "w_person_uid"], descending=[False, True, False, False]
    ).with_columns(couple_rank=rank_in_sorted("registration_id"))
    # Each frame of couples let go once the next is made: at a million spouses each is most of a GB.
    columns = couples.columns
    del couples
    best = ranked.filter(pl.col("couple_rank") == 0)
    # Every other couple must be left behind: by min_weight_lead where it shares a person with the
    # best, by other_couple_lead where it is two other persons who may be a couple (namesake
    # couples). The runner-up is the one that falls shortest of what it must be left behind by.
    # The others with what judging them reads (not the levels the best couple's evidence needs).
    rival_columns = ["registration_id", "h_person_uid", "w_person_uid", "lead_weight", "couple_bonus", "home_lead",
                     "recorded_id",
                     *(f"{p}_{c}" for p in ROLE_PREFIX.values()
                       for c in ("level_spouse_name", "marital_status", "spouse_id", "spouse_name_ascii"))]
    others = ranked.filter(pl.col("couple_rank") > 0).select(c for c in rival_columns if c in ranked.columns).join(
        best.select("registration_id", b_lead=pl.col("lead_weight"), b_bonus=pl.col("couple_bonus"), b_home="home_lead",
                    b_h=pl.col("h_person_uid"), b_w=pl.col("w_person_uid"), b_id=pl.col("recorded_id")),
        on="registration_id",
    ).with_columns(
        other_couple=(pl.col("h_person_uid") != pl.col("b_h")) & (pl.col("w_person_uid") != pl.col("b_w")),
        # One person shared, but the other records a spouse named like the registry partner: it may
        # be married to a namesake of the shared person, unseen here (their copy too damaged to be
        # kept as a candidate). That couple could be recorded as well as the best: the persons
        # themselves must tell them apart. (Married with nobody recorded is not enough: the
        # population leaves most spouses out; measured in docs/accuracy.md, that took 2 % of the
        # safe marriages to conflict and kept no wrong link out.)
        unseen_couple=((pl.col("h_person_uid") == pl.col("b_h")) & _names_the_partner("w", columns))
        | ((pl.col("w_person_uid") == pl.col("b_w")) & _names_the_partner("h", columns)),
        # Two other persons are a rival couple only if they may be married to each other: recorded
        # as each other's spouse or sharing a house, or each naming the partner or married with
        # nobody recorded. Two strangers who merely bear the names are left behind by
        # min_weight_lead like any other candidate (so are the couples that pair each of them
        # with a person of the best).
        rival_couple=(pl.col("couple_bonus") > 0) | pl.all_horizontal(
            _names_the_partner(p, columns) | _married_to_nobody_recorded(p, columns) for p in ("h", "w")),
    ).with_columns(
        needed=pl.when(pl.col("other_couple") & pl.col("rival_couple")).then(pl.lit(couple_rules.other_couple_lead))
        # One person shared with a best couple recorded by personal ID, the other nowhere recorded
        # with anyone here: the ID record says which of the two candidates the shared person married.
        .when(~pl.col("other_couple") & pl.col("b_id") & (pl.col("couple_bonus") == 0) & ~pl.col("unseen_couple"))
        .then(pl.lit(rules.min_weight_lead if couple_rules.recorded_id_lead is None else couple_rules.recorded_id_lead))
        .otherwise(pl.lit(rules.min_weight_lead)),
        # (Never less than its own: a rival recorded both ways keeps that.) Against a runner-up that
        # shares a person, the registered house and a shared address count too (house_tells_namesakes):
        # of two namesakes fitting one spouse, the one living in the house the registration gives or
        # where the other spouse lives; never where the question is which of two couples registered
        # (two other persons, or an unseen couple).
        runner_lead=pl.when(pl.col("unseen_couple")).then(
            pl.col("lead_weight") - pl.col("couple_bonus") + pl.max_horizontal("couple_bonus", "b_bonus"))
        .when(pl.col("other_couple")).then(pl.col("lead_weight"))
        .otherwise(pl.col("lead_weight") - pl.col("b_home") + pl.col("home_lead")),
    ).with_columns(margin=pl.col("b_lead") - pl.col("runner_lead") - pl.col("needed"))
    del ranked
    # Ties broken by the persons: the same runner-up whatever the frames' row order (a commune run
    # reads its scope in another order than the province's run).
    runner = others.sort(["registration_id", "margin", "lead_weight", "h_person_uid", "w_person_uid"],
                         descending=[False, False, True, False, False]).group_by(
        "registration_id", maintain_order=True).first().select(
        "registration_id", "margin", other_couple=pl.col("other_couple") & pl.col("rival_couple"),
        second_weight=pl.col("runner_lead"),
        h_runner=pl.col("h_person_uid"), w_runner=pl.col("w_person_uid"))
    alternatives = [_alternative(alt) for alt in couple_rules.sufficient_evidence]
    best = best.join(runner, on="registration_id", how="left").with_columns(
        couple_lead=pl.col("lead_weight") - pl.col("second_weight"),
        couple_recorded=pl.when(pl.col("recorded_id")).then(pl.lit("id"))
        .when(pl.col("recorded_both_ways")).then(pl.lit("both_ways"))
        .when(pl.col("recorded_name")).then(pl.lit("name")),
        couple_sufficient=pl.any_horizontal(alternatives).fill_null(False) if alternatives else pl.lit(False),
        ambiguity=pl.when(pl.col("margin") < 0).then(
            pl.when(pl.col("other_couple")).then(pl.lit("AMBIGUOUS_COUPLES")).otherwise(pl.lit("AMBIGUOUS_CANDIDATES"))),
    )
    return pl.concat([
        best.select(
            unique_id=pl.col(f"{p}_spouse_uid"), person_uid=pl.col(f"{p}_person_uid"),
            couple_weight="couple_weight", couple_lead="couple_lead", runner_up_uid=pl.col(f"{p}_runner"),
            couple_recorded="couple_recorded", couple_sufficient="couple_sufficient", couple_house="same_address",
            couple_ambiguity=pl.when(pl.col(f"{p}_runner") != pl.col(f"{p}_person_uid")).then("ambiguity"),
        )
        for p in ROLE_PREFIX.values()
    ]).cast(schema)
