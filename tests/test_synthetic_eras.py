"""The generator's era-dependent registrations, population staleness and adversarial couples."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from reconcile.synthetic import generate
from reconcile.synthetic.scenarios import EXPECTED
from reconcile.synthetic.textforms import ascii_fold


def read(path: Path) -> pl.DataFrame:
    return pl.read_csv(path, infer_schema=False)


@pytest.fixture(scope="module")
def province(tmp_path_factory) -> dict[str, pl.DataFrame]:
    """About 30,000 persons with canonical headers, read back as text."""
    files = generate(tmp_path_factory.mktemp("eras"), persons=30_000, seed=23, headers="canonical")
    truth = read(files.truth).with_columns(pl.col("noise").fill_null(""))
    return {"registry": read(files.registry), "population": read(files.population), "truth": truth}


def copies(registry: pl.DataFrame) -> pl.DataFrame:
    """One row per Vietnamese spouse copy: registration year, ID kind, date kind."""
    year = pl.col("registration_date").str.extract(r"(\d{4})").cast(pl.Int32)
    rows = [
        registry.select(
            year=year, id=pl.col(f"{role}_id_number").fill_null(""), birth=pl.col(f"{role}_birth_date"),
            nationality=pl.col(f"{role}_nationality"),
        ) for role in ("husband", "wife")
    ]
    return pl.concat(rows).filter(pl.col("nationality") == "Việt Nam").with_columns(
        id_kind=pl.when(pl.col("id") == "").then(pl.lit("none"))
        .when(pl.col("id").str.contains(r"^\d{9}$")).then(pl.lit("old"))
        .when(pl.col("id").str.contains(r"^\d{11,12}$")).then(pl.lit("new"))
        .otherwise(pl.lit("other")),
        year_only=pl.col("birth").str.contains(r"^\d{4}$"),
        month_year=pl.col("birth").str.contains(r"^\d{2}/\d{4}$"),
    )


def shares(frame: pl.DataFrame) -> dict[str, float]:
    counts = frame["id_kind"].value_counts(normalize=True)
    return dict(zip(counts["id_kind"], counts["proportion"], strict=True))


def test_old_registrations_mostly_carry_no_id_and_recent_ones_the_12_digit_id(province):
    seen = copies(province["registry"])
    old = shares(seen.filter(pl.col("year") < 1995))
    middle = shares(seen.filter(pl.col("year").is_between(1995, 2015)))
    late = shares(seen.filter(pl.col("year").is_between(2016, 2020)))
    recent = shares(seen.filter(pl.col("year") >= 2021))
    assert old["none"] > 0.8 and old.get("new", 0.0) < 0.05
    assert 0.25 < middle["old"] < 0.5 and 0.1 < middle["new"] < 0.22 and middle["none"] > 0.35
    assert 0.5 < late["new"] < 0.7 and 0.08 < late["old"] < 0.25
    assert recent["new"] > 0.8 and recent.get("old", 0.0) == 0.0


def test_birth_dates_on_old_registrations_are_often_the_year_only(province):
    seen = copies(province["registry"])
    old = seen.filter(pl.col("year") < 2000)
    new = seen.filter(pl.col("year") >= 2000)
    assert old["year_only"].mean() == pytest.approx(0.45, abs=0.05)
    assert old["month_year"].mean() == pytest.approx(0.15, abs=0.03)
    assert new["year_only"].mean() == pytest.approx(0.08, abs=0.02)


def test_the_population_shows_old_numbers_and_spouse_ids_for_only_part_of_the_persons(province):
    population = province["population"]
    born_old = population.filter(pl.col("birth_date").str.slice(-4).cast(pl.Int32) < 2000)
    assert 0.25 < born_old["legacy_id"].is_not_null().mean() < 0.45
    married = population.filter(pl.col("marital_status") == "đã kết hôn")
    assert 0.4 < married["spouse_id"].is_not_null().mean() < 0.6
    assert 0.78 < married["spouse_name"].is_not_null().mean() < 0.92
    # The recorded spouse name is typed by another office: often not the spouse's own form.
    names = population.select("person_id", own_name="full_name")
    typed = married.filter(pl.col("spouse_id").is_not_null() & pl.col("spouse_name").is_not_null()).join(
        names, left_on="spouse_id", right_on="person_id"
    )
    differs = (typed["spouse_name"] != typed["own_name"]).mean()
    assert 0.2 < differs < 0.6
    folded = typed.select(ascii_fold(pl.col("spouse_name")).str.to_lowercase(), ascii_fold(pl.col("own_name")).str.to_lowercase())
    assert (folded["spouse_name"] == folded["own_name"]).mean() > 0.75


def test_conflict_rows_are_undeterminable_or_a_conflict_scenario(province):
    truth = province["truth"]
    conflict = truth.filter(pl.col("expected_bucket") == "conflict")
    scenario_conflict = conflict["scenario"].replace_strict({k: v[0] for k, v in EXPECTED.items()}) == "conflict"
    assert (scenario_conflict | conflict["noise"].str.contains("undeterminable")).all()
    assert "weak_evidence" not in "".join(truth["noise"].to_list())
    undeterminable = truth.filter(pl.col("noise").str.contains("undeterminable"))
    assert 0.01 < len(undeterminable) / (truth["record_type"] == "marriage").sum() < 0.25  # grows with the province
    assert (undeterminable["expected_bucket"] == "conflict").all()


def test_namesake_couples_are_planted_and_expected_in_conflict(province):
    truth, registry, population = province["truth"], province["registry"], province["population"]
    namesakes = truth.filter(pl.col("noise").str.contains("namesake_couple"))
    marriages = (truth["record_type"] == "marriage").sum()
    assert 0.002 < len(namesakes) / marriages < 0.01
    assert (namesakes["expected_bucket"] == "conflict").all()
    rows = registry.join(namesakes, left_on="registration_id", right_on="record_id")
    for role in ("husband", "wife"):
        assert rows[f"{role}_id_number"].is_null().all()
        assert rows[f"{role}_birth_date"].str.contains(r"^\d{4}$").all()
    # Each spouse has a namesake (same name, sex, birth year) married in the population to the
    # other's namesake, with no registration: a `person` row in the truth.
    people = population.select(
        "person_id", "spouse_id", "marital_status", name=ascii_fold(pl.col("full_name")).str.to_lowercase(),
        year=pl.col("birth_date").str.slice(-4),
    )
    unregistered = set(truth.filter(pl.col("record_type") == "person")["record_id"])
    for row in rows.iter_rows(named=True):
        true = {r: people.filter(pl.col("person_id") == row[f"{r}_person_id"]).row(0, named=True) for r in ("husband", "wife")}
        twins = {
            r: people.filter((pl.col("name") == true[r]["name"]) & (pl.col("year") == true[r]["year"])
                             & (pl.col("person_id") != true[r]["person_id"]))
            for r in ("husband", "wife")
        }
        pairs = twins["husband"].join(twins["wife"], left_on="spouse_id", right_on="person_id", suffix="_w")
        assert len(pairs) >= 1, row["registration_id"]
        assert (pairs["person_id"].is_in(list(unregistered))).any()
        assert (pairs["marital_status"] == "đã kết hôn").all()


def test_couples_found_through_the_partner_are_expected_auto_resolve(province):
    truth, population = province["truth"], province["population"]
    found = truth.filter(pl.col("noise").str.contains("through_partner"))
    marriages = (truth["record_type"] == "marriage").sum()
    assert 0.012 < len(found) / marriages < 0.03
    assert (found["expected_bucket"] == "auto_resolve").mean() > 0.97
    assert found["noise"].str.contains("typo|date_year_off").all()
    spouses = population.select("person_id", "spouse_id", "spouse_name", "marital_status")
    couples = found.join(spouses, left_on="husband_person_id", right_on="person_id").join(
        spouses, left_on="wife_person_id", right_on="person_id", suffix="_w"
    )
    assert len(couples) == len(found)
    assert ((couples["marital_status"] == "đã kết hôn") & (couples["marital_status_w"] == "đã kết hôn")).all()
    assert (couples["spouse_name"].is_not_null() & couples["spouse_name_w"].is_not_null()).all()
    ids = couples.filter(pl.col("spouse_id").is_not_null())
    assert (ids["spouse_id"] == ids["wife_person_id"]).all()


def test_widowed_marriages_are_a_safe_update_and_survivors_may_remarry(province):
    truth, registry, population = province["truth"], province["registry"], province["population"]
    widowed = truth.filter(pl.col("scenario") == "widowed")
    marriages = (truth["record_type"] == "marriage").sum()
    assert 0.012 < len(widowed) / marriages < 0.03
    determinable = widowed.filter(~pl.col("noise").str.contains("undeterminable"))
    assert (determinable["expected_bucket"] == "auto_resolve").all()
    deaths = population.select("person_id", died=pl.col("death_date").str.strptime(pl.Date, "%d/%m/%Y"))
    registered = registry.select(
        "registration_id", registered=pl.col("registration_date").str.extract(r"(\d{4})").cast(pl.Int32)
    )
    rows = widowed.join(registered, left_on="record_id", right_on="registration_id").join(
        deaths, left_on="husband_person_id", right_on="person_id"
    ).join(deaths, left_on="wife_person_id", right_on="person_id", suffix="_w")
    died = pl.coalesce("died", "died_w")
    assert (rows["died"].is_null() ^ rows["died_w"].is_null()).all()
    assert (rows.select(died.dt.year() >= pl.col("registered")).to_series()).all()
    again = truth.filter(pl.col("scenario") == "remarried_after_death")
    assert 0.25 < len(again) / len(widowed) < 0.55
    assert (again.filter(~pl.col("noise").str.contains("undeterminable"))["expected_bucket"] == "auto_resolve").all()
