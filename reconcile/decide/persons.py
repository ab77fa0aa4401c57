"""Bucket population persons recorded as married that no registry marriage links to."""

from __future__ import annotations

import polars as pl

from reconcile.decide.couples import HOUSE_NUMBER, pairs_at_home
from reconcile.normalize.names import core_ascii
from reconcile.ruleset import CoupleRules


def population_spouses(persons: pl.DataFrame, of: pl.DataFrame) -> pl.DataFrame:
    """The rows of `persons` recorded, on either side, as the spouse of a person of `of`
    (both frames with `person_id` and `spouse_id`)."""
    return persons.filter(pl.col("person_id").is_in(of["spouse_id"].drop_nulls().implode())
                          | pl.col("spouse_id").is_in(of["person_id"].drop_nulls().implode()))


def _in_doubt(links: pl.DataFrame, pairs: pl.DataFrame | None, spouses: pl.DataFrame | None,
              persons: pl.DataFrame, rules: CoupleRules | None) -> pl.DataFrame:
    """For each spouse with no person linked, its best-scored person (kept, at any probability):
    the first candidate `reconcile explain` shows the officer for it. With the couple rules, where
    a person lives counts as it does in ranking couples: at the home the registry copy gives as
    residence (`at_home`), and at the address of the person linked to the partner (a house as
    same_address_weight, a hamlet or group as same_place_weight): of a dozen men named Nguyễn Văn
    Tiến born in 1957, the one in the registered hamlet, where the wife lives. (A spouse with a
    person linked is accounted for by that person, not also by another: measured in
    docs/accuracy.md, it is more often a namesake married without registration than this
    marriage's.)"""
    if pairs is None or pairs.is_empty():
        return pl.DataFrame(schema={"unique_id": pl.String})
    doubtful = links.filter(~pl.col("acceptable").fill_null(False) & ~pl.col("linked").fill_null(False)).select(
        spouse_uid="unique_id")
    candidates = pairs.join(doubtful, on="spouse_uid", how="semi").select("spouse_uid", "person_uid", "match_weight")
    if rules is not None and spouses is not None and {"residence", "registration_id"} <= set(spouses.columns) and (
            "address" in persons.columns):
        address = persons.select(person_uid="unique_id", address="address")
        sided = spouses.select(spouse_uid="unique_id", registration_id="registration_id")
        partner = sided.join(links.filter(pl.col("linked")).select(spouse_uid="unique_id", partner_uid="person_uid"),
                             on="spouse_uid").join(address.rename({"person_uid": "partner_uid",
                                                                   "address": "partner_address"}), on="partner_uid")
        placed = pairs_at_home(candidates, spouses, persons, rules).join(sided, on="spouse_uid", how="left").join(
            partner.select("registration_id", "partner_address", partner_spouse="spouse_uid"), on="registration_id",
            how="left").filter(pl.col("partner_spouse").is_null() | (pl.col("partner_spouse") != pl.col("spouse_uid"))
                               ).join(address.join(candidates, on="person_uid", how="semi"), on="person_uid", how="left")
        with_partner = (pl.col("address") == pl.col("partner_address")).fill_null(False)
        candidates = placed.with_columns(
            pl.col("match_weight") + pl.col("home_weight") + pl.when(with_partner & pl.col("address").str.contains(
                HOUSE_NUMBER)).then(pl.lit(rules.same_address_weight)).when(with_partner).then(
                pl.lit(rules.same_place_weight)).otherwise(pl.lit(0.0)))
    best = candidates.sort(
        ["spouse_uid", "match_weight", "person_uid"], descending=[False, True, False]
    ).group_by("spouse_uid", maintain_order=True).first()
    return best.select(unique_id=pl.col("person_uid"))


def _partners_by_name(persons: pl.DataFrame, links: pl.DataFrame, spouses: pl.DataFrame | None) -> pl.DataFrame:
    """Married persons with no spouse ID recorded who are, by name, the spouse of a person linked
    in a marriage whose other spouse is not acted on: one of the two records types the other's
    name (Văn/Thị aside) and they live in the same house. The registry's copy of that spouse is
    too damaged to find them; the marriage is their task (the officer sees the linked person's
    recorded spouse in `explain`), not a second one. (Each naming the other without a house is not
    enough: namesakes marry namesakes, and Nguyễn Văn Tuấn and Nguyễn Thị Linh are a couple
    several times over in a commune; measured in docs/accuracy.md.)"""
    empty = pl.DataFrame(schema={"unique_id": pl.String})
    needed = {"name_ascii", "spouse_name_ascii", "address"}
    if spouses is None or not needed <= set(persons.columns):
        return empty
    sided = links.join(spouses.select("unique_id", "registration_id"), on="unique_id")
    open_marriages = sided.filter(~pl.col("acceptable").fill_null(False)).select("registration_id").unique()
    anchors = sided.filter(pl.col("linked")).join(open_marriages, on="registration_id", how="semi").select(
        unique_id=pl.col("person_uid")).unique()
    # A house (a number): a hamlet or residential group is shared by hundreds of households. The
    # names are read only for the anchors and the persons in their houses, not the province's.
    anchor = persons.join(anchors, on="unique_id", how="semi").filter(
        pl.col("address").str.contains(HOUSE_NUMBER).fill_null(False)).select(
        anchor_uid="unique_id", anchor_address="address", anchor_core=core_ascii(pl.col("name_ascii")),
        anchor_spouse_core=core_ascii(pl.col("spouse_name_ascii")))
    if anchor.is_empty():
        return empty
    at_home = persons.filter((pl.col("marital_status") == "married") & pl.col("spouse_id").is_null()).select(
        "unique_id", "address", "name_ascii", "spouse_name_ascii").join(
        anchor, left_on="address", right_on="anchor_address").with_columns(
        core=core_ascii(pl.col("name_ascii")), spouse_core=core_ascii(pl.col("spouse_name_ascii"))).filter(
        (pl.col("spouse_core") == pl.col("anchor_core")) | (pl.col("core") == pl.col("anchor_spouse_core")))
    return at_home.filter(pl.col("unique_id") != pl.col("anchor_uid")).select("unique_id").unique()


def decide_persons(persons: pl.DataFrame, links: pl.DataFrame, pairs: pl.DataFrame | None = None,
                   spouses: pl.DataFrame | None = None, rules: CoupleRules | None = None) -> pl.DataFrame:
    """One `missing` row per person whose marital status is married and whom no registry marriage
    accounts for.

    A marriage row accounts, in any bucket, for its spouses' best candidates, for the owners
    of the ID numbers it names, and for the population spouses of its linked persons: when
    the registry's copy of a spouse is not found, the person recorded as married to the
    other spouse is that marriage's business, not a marriage without registration. Where a
    spouse's link is not acted on, the marriage also accounts for the spouse's best-scored
    person in `pairs` (the scored pairs), the officer's first candidate for it: one task for one
    marriage, not a second one for the same person. With `spouses`, a marriage whose spouse is not
    acted on also accounts for the other's spouse recorded by name (`_partners_by_name`).
    """
    named = pl.concat([
        links.filter(pl.col("linked")).select(unique_id=pl.col("person_uid")),
        links.filter(pl.col("id_owner_uid").is_not_null()).select(unique_id=pl.col("id_owner_uid")),
        _in_doubt(links, pairs, spouses, persons, rules),
    ]).unique()
    spouses_of_named = population_spouses(persons, persons.join(named, on="unique_id", how="semi"))
    accounted = pl.concat([named, spouses_of_named.select("unique_id"),
                           _partners_by_name(persons, links, spouses)]).unique()
    return (
        persons.filter(pl.col("marital_status") == "married")
        .join(accounted, on="unique_id", how="anti")
        .select(
            record_type=pl.lit("person"),
            record_id=pl.col("person_id"),
            commune=pl.col("commune"),
            bucket=pl.lit("missing"),
            action=pl.lit("find"),
            reasons=pl.lit("MARRIED_WITHOUT_REGISTRATION"),
            husband_person_id=pl.when(pl.col("sex") == "M").then(pl.col("person_id")),
            wife_person_id=pl.when(pl.col("sex") == "F").then(pl.col("person_id")),
            husband_match_probability=pl.lit(None, dtype=pl.Float64),
            wife_match_probability=pl.lit(None, dtype=pl.Float64),
            proposed_changes=pl.lit(None, dtype=pl.String),
        )
    )
