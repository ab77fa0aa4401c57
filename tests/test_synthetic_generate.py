"""The synthetic generator: deterministic, structurally faithful, at the documented rates."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from reconcile.errors import UserError
from reconcile.normalize.communes import MERGER_DATE, commune_table, current_communes
from reconcile.synthetic import generate
from reconcile.synthetic.headers import POPULATION_VIETNAMESE, REGISTRY_VIETNAMESE
from reconcile.synthetic.noise import NoiseRates
from reconcile.synthetic.scenarios import EXPECTED, MARRIED_WITHOUT_REGISTRATION, SCENARIO_RATES
from reconcile.synthetic.textforms import TCVN3_MOJIBAKE, VNI_MOJIBAKE, tcvn3, vni

BOM = b"\xef\xbb\xbf"


def read(path: Path) -> pl.DataFrame:
    return pl.read_csv(path, infer_schema=False)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def parse_date(column: str) -> pl.Expr:
    text = pl.col(column)
    return pl.coalesce(
        text.str.strptime(pl.Date, fmt, strict=False) for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y")
    )


@pytest.fixture(scope="module")
def province(tmp_path_factory) -> dict[str, pl.DataFrame]:
    """About 20,000 persons with canonical headers, read back as text."""
    files = generate(tmp_path_factory.mktemp("province"), persons=20_000, seed=11, headers="canonical")
    return {"registry": read(files.registry), "population": read(files.population), "truth": read(files.truth)}


def test_same_seed_gives_identical_files_and_another_seed_does_not(tmp_path):
    first = generate(tmp_path / "a", persons=1_500, seed=5)
    again = generate(tmp_path / "b", persons=1_500, seed=5)
    other = generate(tmp_path / "c", persons=1_500, seed=6)
    for name in ("registry", "population", "truth"):
        assert digest(getattr(first, name)) == digest(getattr(again, name))
        assert digest(getattr(first, name)) != digest(getattr(other, name))


def test_counts_match_the_files(tmp_path):
    files = generate(tmp_path, persons=1_500, seed=3)
    assert files.population_rows == 1_500 == len(read(files.population))
    assert files.registry_rows == len(read(files.registry))
    assert files.truth_rows == len(read(files.truth))


def test_marriages_sets_about_how_many_registry_marriages(tmp_path):
    files = generate(tmp_path, persons=5_000, seed=3, marriages=300)
    registry, truth = read(files.registry), read(files.truth)
    assert 300 <= files.registry_rows == len(registry) <= 310  # second marriages add about 0.5 %
    assert files.population_rows == 5_000
    marriages = truth.filter(pl.col("record_type") == "marriage")
    assert marriages.height == len(registry)
    natural = generate(tmp_path / "natural", persons=5_000, seed=3)
    assert natural.registry_rows > 3 * files.registry_rows


def test_person_ids_carry_sex_century_and_birth_year(province):
    people = province["population"].with_columns(year=pl.col("birth_date").str.slice(-4).cast(pl.Int32))
    assert people["person_id"].is_unique().all()
    assert people["person_id"].str.contains(r"^0\d{11}$").all()
    sex_century = (pl.col("sex") == "F").cast(pl.Int32) + 2 * (pl.col("year") >= 2000).cast(pl.Int32)
    checked = people.select(
        sex_ok=pl.col("person_id").str.slice(3, 1).cast(pl.Int32) == sex_century,
        year_ok=pl.col("person_id").str.slice(4, 2).cast(pl.Int32) == pl.col("year") % 100,
    )
    assert checked["sex_ok"].all() and checked["year_ok"].all()
    assert people["legacy_id"].drop_nulls().str.contains(r"^\d{9}$").all()
    assert people["legacy_id"].drop_nulls().is_unique().all()


def test_truth_covers_every_registry_row_and_points_only_to_existing_persons(province):
    truth, registry, population = province["truth"], province["registry"], province["population"]
    marriages = truth.filter(pl.col("record_type") == "marriage")
    assert sorted(marriages["record_id"]) == sorted(registry["registration_id"])
    assert registry["registration_id"].is_unique().all()
    persons = set(population["person_id"])
    for column in ("husband_person_id", "wife_person_id"):
        assert set(truth[column].drop_nulls()) <= persons
    unregistered = truth.filter(pl.col("record_type") == "person")
    married = population.filter(pl.col("marital_status") == "đã kết hôn")
    assert set(unregistered["record_id"]) <= set(married["person_id"])


def test_scenario_shares_match_the_documented_rates(province):
    truth, population = province["truth"], province["population"]
    marriages = truth.filter(pl.col("record_type") == "marriage")
    shares = marriages["scenario"].value_counts(normalize=True)
    share = dict(zip(shares["scenario"], shares["proportion"], strict=True))
    for scenario, rate in SCENARIO_RATES.items():
        # Both marriages of a bigamist are in the truth file: twice the couples' rate.
        expected = 2 * rate if scenario == "two_live_marriages" else rate
        assert share[scenario] == pytest.approx(expected, abs=max(0.004, 0.25 * expected)), scenario
    adults = population.filter(pl.col("birth_date").str.slice(-4).cast(pl.Int32) <= 2005)
    unregistered = (truth["record_type"] == "person").sum()
    assert unregistered / len(adults) == pytest.approx(MARRIED_WITHOUT_REGISTRATION, rel=0.3)
    married = (adults["marital_status"] == "đã kết hôn").mean()
    assert 0.33 <= married <= 0.43


def test_expected_buckets_follow_the_scenarios_or_undeterminable_copies(province):
    truth = province["truth"].with_columns(pl.col("noise").fill_null(""))
    for scenario, (bucket, action) in EXPECTED.items():
        rows = truth.filter(pl.col("scenario") == scenario)
        as_planned = rows.filter((pl.col("expected_bucket") == bucket) & (pl.col("expected_action") == action))
        undeterminable = rows.filter(pl.col("noise").str.contains("undeterminable"))
        assert len(rows) > 0, scenario
        assert len(as_planned) + len(undeterminable) == len(rows), scenario
        assert (undeterminable["expected_bucket"] == "conflict").all()
        assert (undeterminable["expected_action"] == "review").all()


def test_noise_shares_match_the_documented_rates(province):
    rates = NoiseRates()
    truth = province["truth"].filter(pl.col("record_type") == "marriage")
    tags = truth.select(pl.col("noise").fill_null("").str.split(";")).explode("noise")
    kinds = tags.select(pl.col("noise").str.split(":").list.last().str.split("+")).explode("noise")["noise"]
    per_spouse = kinds.value_counts()
    seen = dict(zip(per_spouse["noise"], per_spouse["count"] / (2 * len(truth)), strict=True))
    for kind, rate in (("ascii", rates.name_ascii), ("caps", rates.name_caps), ("nfd", rates.name_nfd),
                       ("van_thi", rates.name_van_thi), ("spaces", rates.name_spaces)):
        assert seen[kind] == pytest.approx(rate, rel=0.25), kind
    # Dates and IDs depend on the registration year (tests/test_synthetic_eras.py): overall,
    # between the old and the recent rates.
    assert rates.date_year_only < seen["date_year_only"] < rates.old_date_year_only
    assert 0.3 < seen["id_missing"] < 0.7


def test_registrations_follow_the_law_and_the_merger(province):
    registry = province["registry"].with_columns(registered=parse_date("registration_date"))
    assert registry["registered"].null_count() == 0
    assert registry["registered"].min() >= date(1975, 1, 1)
    births = province["population"].select("person_id", born=parse_date("birth_date")).drop_nulls()
    linked = (
        province["truth"].join(registry, left_on="record_id", right_on="registration_id")
        .join(births.rename({"person_id": "husband_person_id", "born": "h_born"}), on="husband_person_id")
        .join(births.rename({"person_id": "wife_person_id", "born": "w_born"}), on="wife_person_id")
    )
    assert (linked["registered"] >= linked["h_born"].dt.offset_by("20y")).all()
    assert (linked["registered"] >= linked["w_born"].dt.offset_by("18y")).all()
    codes = registry.filter(pl.col("registration_ward_code").is_not_null())
    before = codes.filter(pl.col("registered") < MERGER_DATE)["registration_ward_code"]
    after = codes.filter(pl.col("registered") >= MERGER_DATE)["registration_ward_code"]
    assert before.is_in(commune_table()["old_code"].implode()).all()
    assert after.is_in(current_communes()["code"].implode()).all()
    old_place = registry.filter(pl.col("registered") < date(2025, 1, 1))["registration_place"]
    assert old_place.str.starts_with("UBND ").all()
    assert old_place.str.contains("tỉnh Thừa Thiên Huế").mean() > 0.9


def test_files_are_utf8_with_bom_and_carry_the_vietnamese_headers(tmp_path):
    files = generate(tmp_path, persons=1_500, seed=2)
    for path in (files.registry, files.population, files.truth):
        assert path.read_bytes().startswith(BOM)
    assert read(files.registry).columns == list(REGISTRY_VIETNAMESE.values())
    population = read(files.population)
    assert population.columns == list(POPULATION_VIETNAMESE.values())
    assert set(population["Giới tính"]) == {"Nam", "Nữ"}


@pytest.mark.parametrize("file_format", ["parquet", "xlsx"])
def test_other_formats_hold_the_same_columns_as_text(tmp_path, file_format):
    files = generate(tmp_path, persons=800, seed=4, file_format=file_format, headers="canonical")
    reader = pl.read_parquet if file_format == "parquet" else pl.read_excel
    population = reader(files.population)
    assert population.columns[0] == "person_id" and len(population) == 800
    assert population["person_id"].cast(pl.String).str.starts_with("0").all()


def test_legacy_font_examples():
    frame = pl.DataFrame({"name": ["Nguyễn Văn Hùng"]})
    assert frame.select(tcvn3(pl.col("name"))).item() == "NguyÔn V¨n Hïng"
    assert frame.select(vni(pl.col("name"))).item() == "Nguyeãn Vaên Huøng"
    # Lower-case letters have distinct TCVN3 codes, so the garbling can be undone.
    undo = {garbled: letter for letter, garbled in TCVN3_MOJIBAKE.items() if letter.islower()}
    assert "".join(undo.get(ch, ch) for ch in "NguyÔn V¨n Hïng") == "Nguyễn Văn Hùng"
    assert len(VNI_MOJIBAKE) == len(TCVN3_MOJIBAKE) == 134


def test_unknown_format_or_header_style_is_refused(tmp_path):
    with pytest.raises(UserError, match="file format"):
        generate(tmp_path, persons=10, seed=1, file_format="json")
    with pytest.raises(UserError, match="header style"):
        generate(tmp_path, persons=10, seed=1, headers="english")
