"""Couples: each marriage's two links judged together (reconcile/decide/couples.py). Each rule has
a case that fails without it, beside the same case with each spouse judged alone."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from polars.testing import assert_frame_equal

from reconcile.decide import decide
from tests.test_decide import BETWEEN, RULES, UNRECORDED, couple, frames, pair, person, row, run

# A link weak alone: no ID, a name that agrees without its tones, a birth year only.
WEAK = {"level_id": "null", "level_name": "ascii_exact", "level_birth_date": "year_only_exact",
        "match_probability": BETWEEN, "match_weight": 2.0}


def alone(m: list, s: list, p: list, pr: list) -> dict:
    """The same marriage bucketed with each spouse judged alone ([couples] enabled = false)."""
    return row(run(m, s, p, pr, replace(RULES.buckets, couples=None)))


def test_two_namesake_couples_stay_a_conflict() -> None:
    # H1 & W1 and H2 & W2 bear the same names and birth years, each couple recorded as married.
    m, s, p, pr = couple()
    pr[0].update(WEAK)
    pr[1].update(WEAK)
    p += [person("H2", "M", spouse_id="W2"), person("W2", "F", spouse_id="H2")]
    levels = {"id": "null", "name": "ascii_exact", "birth_date": "year_only_exact"}
    pr += [pair("M1|H", "H2", p=BETWEEN, w=2.0, **levels), pair("M1|W", "W2", p=BETWEEN, w=2.0, **levels)]
    r = row(run(m, s, p, pr))
    assert r["bucket"] == "conflict"
    assert "AMBIGUOUS_COUPLES" in r["reasons"].split(";")


def test_weak_alone_but_a_unique_recorded_couple_is_acted_on() -> None:
    # A 1988 registration: the husband by name and birth year only; the two persons found record
    # each other as spouse by personal ID, and no other couple fits.
    m, s, p, pr = couple()
    pr[0].update(WEAK)
    r = row(run(m, s, p, pr))
    assert (r["bucket"], r["husband_person_id"], r["wife_person_id"]) == ("auto_resolve", "H1", "W1")
    # Judged alone, the husband's link is too weak: an officer would have to open it.
    assert alone(m, s, p, pr)["bucket"] == "conflict"
    # Nobody recorded as anybody's spouse: the couple proves nothing, the link stays weak.
    m, s, p, pr = couple(hp=UNRECORDED, wp=UNRECORDED)
    pr[0].update(WEAK)
    assert row(run(m, s, p, pr))["bucket"] == "conflict"


def test_a_spouse_found_only_through_the_partner() -> None:
    # The wife's copy has a typo and a birth year off by one: alone she is no candidate at all
    # (below the candidate minimum), but the husband, found by ID, records her as his wife.
    m, s, p, pr = couple()
    pr[1].update(level_id="null", level_name="similar", level_birth_date="year_within_1",
                 match_probability=RULES.buckets.candidate_min_probability / 5, match_weight=-6.0)
    r = row(run(m, s, p, pr))
    assert (r["bucket"], r["wife_person_id"]) == ("auto_resolve", "W1")
    assert alone(m, s, p, pr)["bucket"] == "missing"
    # Recorded by name only, the typed name is not enough to act on a link that weak.
    m, s, p, pr = couple(hp={"spouse_id": None}, wp={"spouse_id": None})
    pr[1].update(level_id="null", level_name="similar", level_birth_date="year_within_1",
                 match_probability=RULES.buckets.candidate_min_probability / 5, match_weight=-6.0)
    assert row(run(m, s, p, pr))["bucket"] != "auto_resolve"


def test_a_typo_with_the_middle_name_dropped_is_found_through_a_certain_partner() -> None:
    # The husband is certain (ID). His record gives the wife's personal ID; her copy reads
    # "Nguyễn Trườnd" for Nguyễn Văn Trường (a slipped letter, Văn dropped) with a birth year only.
    m, s, p, pr = couple()
    pr[1].update(level_id="null", level_name="core_one_slip", level_birth_date="year_only_exact",
                 match_probability=RULES.buckets.candidate_min_probability / 5, match_weight=-6.0)
    r = row(run(m, s, p, pr))
    assert (r["bucket"], r["wife_person_id"]) == ("auto_resolve", "W1"), r["reasons"]
    # A name that is not hers at all, born the same year, is not his wife found: maybe his first.
    pr[1].update(level_name="else")
    assert row(run(m, s, p, pr))["bucket"] != "auto_resolve"


def test_one_slip_each_side_carried_by_the_other_and_a_full_date() -> None:
    # A 1999 registration: "Võ Minh Iuy" born 18/04/1973 (a slip; his full date agrees) and his
    # wife by name and month of birth. Neither is enough alone; his record gives her personal ID.
    m, s, p, pr = couple()
    pr[0].update(level_id="null", level_name="similar", level_birth_date="full_date_exact",
                 match_probability=0.99, match_weight=6.8)
    pr[1].update(level_id="null", level_name="tone_exact", level_birth_date="month_exact",
                 match_probability=0.077, match_weight=-3.6)
    r = row(run(m, s, p, pr))
    assert (r["bucket"], r["husband_person_id"], r["wife_person_id"]) == ("auto_resolve", "H1", "W1"), r["reasons"]
    assert alone(m, s, p, pr)["bucket"] != "auto_resolve"
    # His birth year only: the slip is no longer carried by anything but the record.
    pr[0].update(level_birth_date="year_only_exact")
    assert row(run(m, s, p, pr))["bucket"] != "auto_resolve"


def test_a_recorded_couple_settles_a_namesake_born_the_same_year() -> None:
    # H1's date is a 01/01 placeholder and H2 has his name and birth year, but H1 and W1 record
    # each other's personal IDs and H2 is single: the couple leads by far.
    m, s, p, pr = couple()
    pr[0].update(level_id="null", level_birth_date="placeholder_date_exact")
    p.append(person("H2", "M", marital_status="single"))
    pr.append(pair("M1|H", "H2", p=0.37, w=-0.8, id="null", birth_date="year_only_exact"))
    assert row(run(m, s, p, pr))["bucket"] == "auto_resolve"
    assert "NAMESAKE_SAME_YEAR" in alone(m, s, p, pr)["reasons"].split(";")


def test_the_safety_rules_still_hold_for_a_recorded_couple() -> None:
    # A recorded couple is still a conflict when one of them died before the marriage.
    m, s, p, pr = couple()
    pr[0].update(WEAK)
    p[1].update(death_date=date(2001, 1, 1), death_year=2001)
    r = row(run(m, s, p, pr))
    assert r["bucket"] == "conflict" and "DEAD_BEFORE_MARRIAGE" in r["reasons"].split(";")


def _one_way_recorded_couple() -> tuple[list, list, list, list]:
    """H1 and W1 weak alone; his record gives her personal ID, hers names nobody (one way: +10)."""
    m, s, p, pr = couple(wp=UNRECORDED)
    pr[0].update(WEAK)
    pr[1].update(WEAK)
    return m, s, p, pr


def test_an_id_record_picks_the_wife_among_namesakes() -> None:
    # H1's record gives W1's personal ID. W2 bears the wife's name and birth year too and lives in
    # the registration commune (she scores 4.5 more than W1), recorded with nobody: the ID record
    # says which of the two he married.
    m, s, p, pr = _one_way_recorded_couple()
    p.append(person("W2", "F", marital_status="single"))
    pr.append(pair("M1|W", "W2", p=BETWEEN, w=6.5, id="null", name="ascii_exact", birth_date="year_only_exact"))
    r = row(run(m, s, p, pr))
    assert (r["bucket"], r["husband_person_id"], r["wife_person_id"]) == ("auto_resolve", "H1", "W1"), r["reasons"]
    # His record types her name instead of her ID: the name fits both women, an officer decides.
    p[0].update(spouse_id=None)
    r = row(run(m, s, p, pr))
    assert r["bucket"] == "conflict" and "AMBIGUOUS_CANDIDATES" in r["reasons"].split(";")


def test_two_strangers_bearing_the_names_are_no_namesake_couple() -> None:
    # H2 and W2 bear the spouses' names and birth years but are single and record nobody: not a
    # couple that may have registered this marriage. The recorded couple leads them by 10.
    m, s, p, pr = _one_way_recorded_couple()
    levels = {"id": "null", "name": "ascii_exact", "birth_date": "year_only_exact"}
    p += [person("H2", "M", marital_status="single"), person("W2", "F", marital_status="single")]
    pr += [pair("M1|H", "H2", p=BETWEEN, w=2.0, **levels), pair("M1|W", "W2", p=BETWEEN, w=2.0, **levels)]
    r = row(run(m, s, p, pr))
    assert (r["bucket"], r["husband_person_id"], r["wife_person_id"]) == ("auto_resolve", "H1", "W1")
    # Both married with no spouse recorded, they may be the couple, unrecorded: a namesake couple.
    p[2].update(marital_status="married")
    p[3].update(marital_status="married")
    r = row(run(m, s, p, pr))
    assert r["bucket"] == "conflict" and "AMBIGUOUS_COUPLES" in r["reasons"].split(";")


def test_a_namesake_married_to_nobody_recorded_does_not_unsettle_a_recorded_couple() -> None:
    # W2 bears the wife's name and birth year and is married, with no spouse recorded (the
    # population leaves most spouses out). H1 records W1 by ID: W1 is his wife.
    m, s, p, pr = _one_way_recorded_couple()
    p.append(person("W2", "F"))
    pr.append(pair("M1|W", "W2", p=BETWEEN, w=2.0, id="null", name="ascii_exact", birth_date="year_only_exact"))
    r = row(run(m, s, p, pr))
    assert (r["bucket"], r["wife_person_id"]) == ("auto_resolve", "W1")
    # But W2 records a husband named like the registry husband: she may be married to a namesake
    # of H1 whom the registry copy no longer lets us find. The persons alone cannot tell.
    p[-1].update(spouse_name="Nguyễn Văn An", spouse_name_tone="nguyễn văn an", spouse_name_ascii="nguyen van an")
    pr[-1].update(level_spouse_name="ascii_exact")
    r = row(run(m, s, p, pr))
    assert r["bucket"] == "conflict"


def test_a_namesake_couple_recorded_by_a_typed_name_is_seen_however_weak() -> None:
    # H1 & W1 record each other by ID. H2 & W2 bear the same names: H2 is married with nobody
    # recorded, W2 types her husband's name with a Văn added, and scores below five other women of
    # the wife's name and birth year. Still the other couple: the marriage may be theirs.
    m, s, p, pr = couple()
    # Weak alone but for the spouse names they record, which tell no couple from another.
    for side in pr:
        side.update(WEAK, match_weight=8.0, level_spouse_name="tone_exact", weight_spouse_name=10.0)
    levels = {"id": "null", "name": "ascii_exact", "birth_date": "year_only_exact"}
    p += [person("H2", "M", name_ascii="nguyen van an"),
          person("W2", "F", spouse_name="Nguyễn Văn Văn An", spouse_name_ascii="nguyen van van an")]
    p[0]["name_ascii"], p[1]["name_ascii"] = "nguyen van an", "tran thi binh"
    pr += [pair("M1|H", "H2", p=BETWEEN, w=1.0, **levels),
           pair("M1|W", "W2", p=0.001, w=-7.0, spouse_name="core_exact", **levels)]
    strangers = [f"W{i}" for i in range(3, 4 + RULES.buckets.couples.candidates_per_spouse)]
    p += [person(uid, "F", marital_status="single") for uid in strangers]
    pr += [pair("M1|W", uid, p=0.01, w=-5.0, **levels) for uid in strangers]
    r = row(run(m, s, p, pr))
    assert r["bucket"] == "conflict", r["reasons"]


def test_a_couple_sharing_a_house_is_told_from_a_namesake_living_elsewhere() -> None:
    # Nobody records anybody as spouse, and the husband's copy (name and birth year) fits H1 and
    # H2 alike. H1 and W1 live at Số 281 Trần Phú: that couple is the marriage's.
    house = "Số 281 Trần Phú, Phường Thuận Hóa"
    m, s, p, pr = couple(hp={**UNRECORDED, "address": house}, wp={**UNRECORDED, "address": house})
    pr[0].update(WEAK)
    p.append(person("H2", "M", marital_status="single", address="Tổ dân phố 11, Phường Thuận Hóa"))
    pr.append(pair("M1|H", "H2", p=BETWEEN, w=2.0, id="null", name="ascii_exact", birth_date="year_only_exact"))
    r = row(run(m, s, p, pr))
    assert (r["bucket"], r["husband_person_id"]) == ("auto_resolve", "H1")
    # A hamlet ("Thôn 5") is no household: the same two are then a conflict.
    for someone in p[:2]:
        someone["address"] = "Thôn 5, Xã Phú Mỹ"
    assert row(run(m, s, p, pr))["bucket"] == "conflict"


def test_a_house_tells_apart_the_namesakes_a_typed_spouse_name_fits() -> None:
    # H1's record types his wife's name (no ID): it fits W1 and W2 alike, both with the wife's
    # name and birth year. W1 lives in his house: she is the wife.
    house = "Số 12 Lê Lợi, Phường Phú Xuân"
    typed = {"spouse_id": None, "spouse_name": "Trần Thị Bình", "spouse_name_ascii": "tran thi binh"}
    m, s, p, pr = couple(hp={**typed, "address": house, "name_ascii": "nguyen van an"},
                         wp={**UNRECORDED, "address": house, "name_ascii": "tran thi binh"})
    pr[1].update(WEAK)
    p.append(person("W2", "F", marital_status="single", name_ascii="tran thi binh", address="Thôn 3, Xã Lộc An"))
    pr.append(pair("M1|W", "W2", p=BETWEEN, w=2.0, id="null", name="ascii_exact", birth_date="year_only_exact"))
    r = row(run(m, s, p, pr))
    assert (r["bucket"], r["wife_person_id"]) == ("auto_resolve", "W1"), r["reasons"]


def test_a_spouse_name_typed_with_a_slip_still_records_the_couple() -> None:
    # Neither record gives an ID. W1 (certain) types her husband's name, which fits H1 and H2 alike
    # (name and birth year); H1 types his wife's name with Thị added and one letter slipped
    # ("Trần Thị Bìnk" for Trần Bình): he records her too, and H2 records nobody.
    m, s, p, pr = couple(hp={"spouse_id": None, "spouse_name": "Trần Thị Bìnk", "spouse_name_ascii": "tran thi bink",
                             "name_ascii": "nguyen van an"},
                         wp={"spouse_id": None, "name_ascii": "tran binh"})
    pr[0].update(WEAK)
    p.append(person("H2", "M", name_ascii="nguyen van an"))
    pr.append(pair("M1|H", "H2", p=BETWEEN, w=2.0, id="null", name="ascii_exact", birth_date="year_only_exact"))
    r = row(run(m, s, p, pr))
    assert (r["bucket"], r["husband_person_id"]) == ("auto_resolve", "H1"), r["reasons"]
    # Two letters off ("Trần Thị Bíck"): another name; the wife's typed name fits both men.
    p[0].update(spouse_name="Trần Thị Bíck", spouse_name_ascii="tran thi bick")
    assert row(run(m, s, p, pr))["bucket"] == "conflict"


def test_a_recorded_couple_shows_the_officer_a_spouse_too_weak_to_act_on() -> None:
    # The wife's copy is damaged beyond any rule (a name that is not hers, a year off): alone she
    # is below the candidate minimum. The couple is recorded both ways by name and nothing else
    # fits: not acted on, but the officer is shown W1 as the wife's candidate, not "not found".
    m, s, p, pr = couple(hp={"spouse_id": None, "name_ascii": "nguyen van an"},
                         wp={"spouse_id": None, "name_ascii": "tran thi binh"})
    pr[1].update(level_id="null", level_name="else", level_birth_date="year_within_1",
                 match_probability=RULES.buckets.candidate_min_probability / 5, match_weight=-6.0)
    r = row(run(m, s, p, pr))
    assert (r["bucket"], r["wife_person_id"]) == ("conflict", "W1"), r["reasons"]
    assert "WIFE_NOT_FOUND" not in r["reasons"].split(";")
    # Recorded by nobody: the weak pair is nobody's candidate.
    m, s, p, pr = couple(hp=UNRECORDED, wp=UNRECORDED)
    pr[1].update(level_id="null", level_name="else", level_birth_date="year_within_1",
                 match_probability=RULES.buckets.candidate_min_probability / 5, match_weight=-6.0)
    r = row(run(m, s, p, pr))
    assert r["wife_person_id"] is None and "WIFE_NOT_FOUND" in r["reasons"].split(";")


def test_a_spouse_one_record_names_is_the_officers_candidate_not_not_found() -> None:
    # The same damaged wife's copy; only the husband's record types her name (hers names nobody)
    # and no other couple fits. One way, by name: never acted on, but W1 is the candidate shown.
    m, s, p, pr = couple(hp={"spouse_id": None, "name_ascii": "nguyen van an"},
                         wp={**UNRECORDED, "name_ascii": "tran thi binh"})
    pr[1].update(level_id="null", level_name="else", level_birth_date="year_within_1",
                 match_probability=RULES.buckets.candidate_min_probability / 5, match_weight=-6.0)
    r = row(run(m, s, p, pr))
    assert (r["bucket"], r["wife_person_id"]) == ("conflict", "W1"), r["reasons"]
    assert "WIFE_NOT_FOUND" not in r["reasons"].split(";")
    # A namesake couple the husband's record fits as well: nobody is shown for her.
    p += [person("H2", "M", spouse_id=None, spouse_name="Trần Thị Bình", spouse_name_tone="trần thị bình",
                 spouse_name_ascii="tran thi binh", name_ascii="nguyen van an"),
          person("W2", "F", **UNRECORDED, name_ascii="tran thi binh")]
    pr += [pair("M1|H", "H2", p=pr[0]["match_probability"], w=pr[0]["match_weight"]),
           pair("M1|W", "W2", p=RULES.buckets.candidate_min_probability / 5, w=-6.0, id="null", name="else",
                birth_date="year_within_1")]
    r = row(run(m, s, p, pr))
    assert r["bucket"] == "conflict" and r["wife_person_id"] is None, r["reasons"]


def test_a_recorded_namesake_couple_does_not_outweigh_an_unrecorded_couple_sharing_a_hamlet() -> None:
    # H1 & W1 record each other as spouse; H2 & W2 bear the same names and birth years, are both
    # married with nobody recorded and live at one address that names no house: they may be the
    # couple the registry holds, whose spouse fields were never filled. The copies (no ID, birth
    # years only) fit both couples alike: a person must decide.
    hamlet = "Tổ dân phố 12, Phường Kim Long, Thành phố Huế"
    m, s, p, pr = couple()
    pr[0].update(WEAK)
    pr[1].update(WEAK)
    p += [person("H2", "M", address=hamlet), person("W2", "F", address=hamlet)]
    levels = {"id": "null", "name": "ascii_exact", "birth_date": "year_only_exact"}
    pr += [pair("M1|H", "H2", p=BETWEEN, w=2.0, **levels), pair("M1|W", "W2", p=BETWEEN, w=2.0, **levels)]
    r = row(run(m, s, p, pr))
    assert r["bucket"] == "conflict" and "AMBIGUOUS_COUPLES" in r["reasons"].split(";")
    # Without the rule the recorded couple leads by its recording alone, and is acted on.
    off = replace(RULES.buckets, couples=replace(RULES.buckets.couples, unrecorded_same_place_weight=0.0))
    assert row(run(m, s, p, pr, off))["bucket"] == "auto_resolve"
    # Married with nobody recorded but at two different places: no more a couple than any namesakes.
    p[-1].update(address="Thôn 8, Xã Phú Hồ, Thành phố Huế")
    assert row(run(m, s, p, pr))["bucket"] == "auto_resolve"


def test_an_unrecorded_couple_sharing_a_hamlet_is_seen_beyond_the_best_candidates() -> None:
    # Five single namesakes of the husband score above H2: the couple H2 & W2 is still formed.
    hamlet = "Thôn 3, Xã Phú Mậu, Thành phố Huế"
    m, s, p, pr = couple()
    pr[0].update(WEAK)
    pr[1].update(WEAK)
    levels = {"id": "null", "name": "ascii_exact", "birth_date": "year_only_exact"}
    for i in range(3, 8):
        p.append(person(f"H{i}", "M", marital_status="single"))
        pr.append(pair("M1|H", f"H{i}", p=BETWEEN, w=2.5, **levels))
    p += [person("H2", "M", address=hamlet), person("W2", "F", address=hamlet)]
    pr += [pair("M1|H", "H2", p=BETWEEN, w=2.0, **levels), pair("M1|W", "W2", p=BETWEEN, w=2.0, **levels)]
    r = row(run(m, s, p, pr))
    assert r["bucket"] == "conflict" and "AMBIGUOUS_COUPLES" in r["reasons"].split(";")


def test_a_couple_typed_both_ways_is_no_evidence_where_the_wife_is_another_mans_by_id() -> None:
    # The 79-2008 case (docs/accuracy.md): both copies without ID and with birth years only. H1
    # types "Trần Thị Bình", W1 types "Nguyễn Văn An": recorded both ways, by typed names alone.
    # But H9, another living Nguyễn Văn An, married, records W1 by her personal ID: she is his
    # wife, and the names H1 and W1 typed may be anyone's. A person must decide.
    m, s, p, pr = couple(hp={"spouse_id": None, "name_ascii": "nguyen van an"},
                         wp={"spouse_id": None, "name_ascii": "tran thi binh"})
    pr[0].update(WEAK)
    pr[1].update(WEAK)
    assert row(run(m, s, p, pr))["bucket"] == "auto_resolve"
    p.append(person("H9", "M", spouse_id="W1", spouse_name="Trần Thị Bình", spouse_name_ascii="tran thi binh",
                    name_ascii="nguyen van an", commune="19800"))
    r = row(run(m, s, p, pr))
    assert r["bucket"] == "conflict", r["reasons"]
    # H9's record is the past where H9 is dead or divorced: W1 may have married H1 since.
    p[-1].update(death_year=2001)
    assert row(run(m, s, p, pr))["bucket"] == "auto_resolve"
    p[-1].update(death_year=None, marital_status="divorced")
    assert row(run(m, s, p, pr))["bucket"] == "auto_resolve"


def test_a_namesake_another_woman_records_by_id_still_rivals_the_couple() -> None:
    # The wife (certain, by ID) types "Nguyễn An" (Văn dropped): it fits H1 and H2 alike, both
    # with the husband's name and full birth date, neither recording anybody. H2 is another
    # woman's husband by her ID record; that does not make H1 the one the wife typed (the true
    # husband may be a third namesake, his copy damaged): the lead is not given to H1.
    m, s, p, pr = couple(hp={**UNRECORDED, "marital_status": "single", "name_ascii": "nguyen van an"},
                         wp={"spouse_id": None, "spouse_name": "Nguyễn An", "spouse_name_ascii": "nguyen an"})
    levels = {"id": "null", "name": "tone_exact", "birth_date": "full_date_exact"}
    pr[0].update(match_probability=0.97, match_weight=5.0, level_id="null")
    p += [person("H2", "M", **UNRECORDED, name_ascii="nguyen van an"),
          person("W7", "F", spouse_id="H2", name_ascii="le thi hoa")]
    pr.append(pair("M1|H", "H2", p=0.97, w=5.0, **levels))
    r = row(run(m, s, p, pr))
    assert r["bucket"] == "conflict", r["reasons"]


def test_a_namesake_recorded_both_ways_keeps_its_weight_as_the_runner_up() -> None:
    # The 35-1976 case (docs/accuracy.md): the wife (certain) types "Nguyễn Văn An", which fits H1
    # and H2. H1 agrees with the copy's full date but is single and records nobody; H2's date has
    # day and month swapped (the copy's slip) and he types his wife's name with one slipped letter:
    # recorded both ways. H1 leads on the persons alone (10.4), not on the couples.
    m, s, p, pr = couple(hp={**UNRECORDED, "marital_status": "single", "name_ascii": "nguyen van an"},
                         wp={"spouse_id": None, "name_ascii": "tran thi binh"})
    pr[0].update(match_probability=0.965, match_weight=4.8, level_id="null")
    p.append(person("H2", "M", spouse_name="Trần Thị Bìnk", spouse_name_ascii="tran thi bink",
                    name_ascii="nguyen van an"))
    pr.append(pair("M1|H", "H2", p=0.02, w=-5.6, id="null", birth_date="day_month_swapped", spouse_name="similar"))
    r = row(run(m, s, p, pr))
    assert r["bucket"] == "conflict", r["reasons"]
    # H2 recording nobody: H1 is the husband.
    p[-1].update(spouse_name=None, spouse_name_ascii=None, marital_status="single")
    pr[-1].update(level_spouse_name="null")
    assert row(run(m, s, p, pr))["bucket"] == "auto_resolve"


def test_of_two_namesake_couples_the_one_at_the_registered_home_is_shown_first() -> None:
    # A 1977 registration, birth years only: H0 & W0 and H1 & W1 fit it alike and record each other
    # by ID. H1 and W1 live in Thôn 4, where the registration says the couple lived (the commune
    # renamed since the 2025 merger); H0 and W0 elsewhere. Still a conflict (people move,
    # namesakes share hamlets), but the officer is shown H1 & W1, and H0 & W0 are the persons
    # reported married without registration.
    registered = "Thôn 4, Xã Phong Sơn, Huyện Phong Điền, Tỉnh Thừa Thiên Huế"
    m, s, p, pr = couple(h={"residence": registered}, w={"residence": registered},
                         hp={"address": "Thôn 4, Phường Phong Thái, Thành phố Huế"},
                         wp={"address": "Thôn 4, Phường Phong Thái, Thành phố Huế"})
    pr[0].update(WEAK)
    pr[1].update(WEAK)
    p += [person("H0", "M", spouse_id="W0", address="Số 12 Lê Lợi, Phường Thuận Hóa, Thành phố Huế"),
          person("W0", "F", spouse_id="H0", address="Thôn 8, Xã Phú Vinh, Thành phố Huế")]
    levels = {"id": "null", "name": "ascii_exact", "birth_date": "year_only_exact"}
    pr += [pair("M1|H", "H0", p=BETWEEN, w=2.0, **levels), pair("M1|W", "W0", p=BETWEEN, w=2.0, **levels)]
    results = run(m, s, p, pr)
    r = row(results)
    assert r["bucket"] == "conflict" and "AMBIGUOUS_COUPLES" in r["reasons"].split(";")
    assert (r["husband_person_id"], r["wife_person_id"]) == ("H1", "W1")
    reported = set(results.filter(pl.col("record_type") == "person")["record_id"])
    assert reported == {"H0", "W0"}
    # Without where they live (the registered home, the hamlet they share), the two couples tie and
    # the other one is shown.
    unweighted = replace(RULES.buckets, couples=replace(RULES.buckets.couples, residence_house_weight=0.0,
                                                          residence_place_weight=0.0, same_place_weight=0.0))
    results = run(m, s, p, pr, unweighted)
    assert (row(results)["husband_person_id"], row(results)["wife_person_id"]) == ("H0", "W0")
    assert set(results.filter(pl.col("record_type") == "person")["record_id"]) == {"H1", "W1"}


def test_a_husband_not_found_accounts_for_the_namesake_who_lives_with_his_wife() -> None:
    # A 1985 registration: Nguyễn Văn An, born 1957, no ID, fits three married men equally, each
    # too weakly to be a candidate; none records a wife, and none lives where the registration
    # says he lived then. The wife is found by ID; H9 lives in her residential group. The marriage
    # is his task: the other two are reported married without registration, he is not.
    home = "Tổ dân phố 8, Phường Vỹ Dạ, Thành phố Huế"
    m, s, p, pr = couple(h={"residence": "Thôn 2, Xã Hương Toàn, Huyện Hương Trà, Tỉnh Thừa Thiên Huế",
                            "birth_month": None, "birth_day": None}, wp={**UNRECORDED, "address": home})
    p = [p[1]] + [person(h, "M", **UNRECORDED, address=a) for h, a in (
        ("H2", "Tổ dân phố 3, Phường An Cựu, Thành phố Huế"), ("H3", "Thôn 8, Xã Phú Vinh, Thành phố Huế"),
        ("H9", home))]
    weak = {"p": RULES.buckets.candidate_min_probability / 10, "w": -7.0, "id": "null", "name": "ascii_exact",
            "birth_date": "year_only_exact"}
    pr = [pr[1]] + [pair("M1|H", h, **weak) for h in ("H2", "H3", "H9")]
    results = run(m, s, p, pr)
    assert "HUSBAND_NOT_FOUND" in row(results)["reasons"].split(";")
    assert set(results.filter(pl.col("record_type") == "person")["record_id"]) == {"H2", "H3"}
    # Where they live not counted: the first of the three by ID is taken for the marriage's.
    unweighted = replace(RULES.buckets, couples=replace(RULES.buckets.couples, residence_house_weight=0.0,
                                                          residence_place_weight=0.0, same_place_weight=0.0))
    results = run(m, s, p, pr, unweighted)
    assert set(results.filter(pl.col("record_type") == "person")["record_id"]) == {"H3", "H9"}


def test_the_one_namesake_at_the_registered_home_is_the_officers_candidate() -> None:
    # Nguyễn Văn An, born 1957, no ID: three married men fit his copy, each too weakly to be a
    # candidate, and only H9 lives in Thôn 5, where the registration says he lived. The wife is
    # certain. H9 is shown for him (a conflict, never acted on), not "husband not found".
    registered = "Thôn 5, Xã Phú Mỹ, Huyện Phú Vang, Tỉnh Thừa Thiên Huế"
    m, s, p, pr = couple(h={"residence": registered, "birth_month": None, "birth_day": None},
                         w={"residence": registered}, wp=UNRECORDED)
    homes = {"H2": "Thôn 3, Phường An Cựu, Thành phố Huế", "H3": "Thôn 8, Xã Phú Vinh, Thành phố Huế",
             "H9": "Thôn 5, Phường Mỹ Thượng, Thành phố Huế"}
    p = [p[1]] + [person(h, "M", **UNRECORDED, address=a) for h, a in homes.items()]
    weak = {"p": RULES.buckets.candidate_min_probability / 10, "w": -7.0, "id": "null", "name": "ascii_exact",
            "birth_date": "year_only_exact"}
    pr = [pr[1]] + [pair("M1|H", h, **weak) for h in homes]
    r = row(run(m, s, p, pr))
    assert (r["bucket"], r["husband_person_id"]) == ("conflict", "H9"), r["reasons"]
    assert "HUSBAND_NOT_FOUND" not in r["reasons"].split(";")
    # Two of them in Thôn 5: neither is singled out.
    p[1]["address"] = "Thôn 5, Xã Long Quảng, Thành phố Huế"
    r = row(run(m, s, p, pr))
    assert r["husband_person_id"] is None and "HUSBAND_NOT_FOUND" in r["reasons"].split(";")
    # The rule left out ([couples] home_candidate): not found either.
    p[1]["address"] = homes["H2"]
    off = replace(RULES.buckets, couples=replace(RULES.buckets.couples, home_candidate=()))
    r = row(run(m, s, p, pr, off))
    assert r["husband_person_id"] is None and "HUSBAND_NOT_FOUND" in r["reasons"].split(";")


# Levels of a husband's link that fit namesakes equally: no ID, the name without tones, the year.
NAMESAKE_LEVELS = {"id": "null", "name": "ascii_exact", "birth_date": "year_only_exact"}


def namesakes_at_the_registered_house() -> tuple[list, list, list, list]:
    """A 1988 registration gives Số 209 Phan Đình Phùng as the couple's residence (under its old
    commune). H1 and W1 live there together and record nobody; H2, a namesake born the same year
    elsewhere, scores a little higher alone (his record keeps the tones the copy has)."""
    registered = "Số 209 Phan Đình Phùng, Phường Tứ Hạ, Thị xã Hương Trà, Tỉnh Thừa Thiên Huế"
    house = "Số 209 Phan Đình Phùng, Phường Hương Trà, Thành phố Huế"
    m, s, p, pr = couple(h={"residence": registered}, w={"residence": registered},
                         hp={**UNRECORDED, "address": house}, wp={**UNRECORDED, "address": house})
    pr[0].update(match_probability=0.11, match_weight=-3.0, **{f"level_{k}": v for k, v in NAMESAKE_LEVELS.items()})
    p.append(person("H2", "M", **UNRECORDED, address="Số 12 Lê Lợi, Phường Thuận Hóa, Thành phố Huế"))
    pr.append(pair("M1|H", "H2", p=0.37, w=-0.8, **NAMESAKE_LEVELS))
    return m, s, p, pr


def test_of_two_namesakes_fitting_the_husband_the_one_in_the_registered_house_is_acted_on() -> None:
    m, s, p, pr = namesakes_at_the_registered_house()
    r = row(run(m, s, p, pr))
    assert (r["bucket"], r["husband_person_id"], r["wife_person_id"]) == ("auto_resolve", "H1", "W1"), r["reasons"]
    # The house not counted in the lead: the two men are too close to choose.
    off = replace(RULES.buckets, couples=replace(RULES.buckets.couples, house_tells_namesakes=False))
    r = row(run(m, s, p, pr, off))
    assert r["bucket"] == "conflict" and "AMBIGUOUS_CANDIDATES" in r["reasons"].split(";")


def test_a_campaign_ingested_before_homes_were_stored_is_decided_the_same() -> None:
    # Ingest stores each copy's and person's home (the first part of the residence or address);
    # a campaign ingested by an older build has no such column, and deciding makes it from the
    # residence and address: the house and the hamlet count the same, row for row.
    m, s, p, pr = namesakes_at_the_registered_house()
    p.append(person("H3", "M", **UNRECORDED, address="Thôn 5, Phường Mỹ Thượng, Thành phố Huế"))
    pr.append(pair("M1|H", "H3", p=0.36, w=-0.9, **NAMESAKE_LEVELS))
    marriages, spouses, persons, pairs = frames(m, s, p, pr)
    assert persons["home"].to_list() == ["209 phan dinh phung", "209 phan dinh phung", "12 le loi", "thon 5"]
    stored, _ = decide(marriages, spouses, persons, pairs, RULES.buckets, RULES.reasons)
    older, _ = decide(marriages, spouses.drop("home"), persons.drop("home"), pairs, RULES.buckets, RULES.reasons)
    assert row(stored)["husband_person_id"] == "H1"
    assert_frame_equal(stored, older)


def test_of_two_namesakes_fitting_the_wife_the_one_living_with_the_husband_is_acted_on() -> None:
    # H1 is certain; his record types "Trần Thị Bình" (which fits both namesakes), W1's record gives
    # his personal ID. W2, born the same year, scores a little higher alone. H1 and W1 live in one
    # residential group of one commune, W2 elsewhere: W1 is his wife.
    hamlet = "Tổ dân phố 10, Phường Vỹ Dạ, Thành phố Huế"
    m, s, p, pr = couple(hp={"spouse_id": None, "name_ascii": "nguyen van an", "address": hamlet},
                         wp={**UNRECORDED, "spouse_id": "H1", "name_ascii": "tran thi binh", "address": hamlet})
    levels = {"id": "null", "name": "ascii_exact", "birth_date": "year_only_exact"}
    pr[1].update(match_probability=0.11, match_weight=-3.0, **{f"level_{k}": v for k, v in levels.items()})
    p.append(person("W2", "F", **UNRECORDED, name_ascii="tran thi binh",
                    address="Thôn 8, Xã Phú Vinh, Thành phố Huế"))
    pr.append(pair("M1|W", "W2", p=0.37, w=-0.8, **levels))
    r = row(run(m, s, p, pr))
    assert (r["bucket"], r["wife_person_id"]) == ("auto_resolve", "W1"), r["reasons"]
    # Where they live not counted in the lead: the two women are too close to choose.
    off = replace(RULES.buckets, couples=replace(RULES.buckets.couples, house_tells_namesakes=False))
    r = row(run(m, s, p, pr, off))
    assert r["bucket"] == "conflict" and "AMBIGUOUS_CANDIDATES" in r["reasons"].split(";")


def test_the_marriages_judged_a_part_at_a_time_get_the_same_results_as_all_at_once(
        sample_campaign: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A province's couples are made a part of its marriages at a time (to hold less at once); each
    # marriage is judged on its own candidates, so the parts change no bucket, reason or link.
    from reconcile.commands.run import deciding_tables, filled
    from reconcile.decide import couples, decide
    from reconcile.ruleset import load_rules
    from reconcile.store import Store
    from reconcile.store.scope import ScopeFrames

    rules = load_rules(sample_campaign / "rules")
    with Store(sample_campaign / "campaign.duckdb", read_only=True) as store:
        frames = filled(ScopeFrames(*deciding_tables(store), store.table("scored_pairs")))
    marriages = frames.marriages.height
    made = []
    for per_part in (marriages, marriages // 7):
        monkeypatch.setattr(couples, "MARRIAGES_PER_PART", per_part)
        made.append(decide(frames.marriages, frames.spouses, frames.persons, frames.pairs, rules.buckets, rules.reasons))
    (results, links), (in_parts, links_in_parts) = made
    assert results.filter(pl.col("bucket") == "auto_resolve").height > marriages // 2
    assert in_parts.equals(results) and links_in_parts.equals(links)
