"""The plain Splink pipeline of `make bench`: what a user would write from Splink's documentation,
sharing no code with reconcile. It reads the two exports as they are (CSV, or XLSX for the
registry), turns each registry marriage into its two spouses, lowercases names and strips their
accents, cleans the ID numbers, and links the spouses to the population with Splink's standard
comparisons (names by Jaro-Winkler, the birth date by DateOfBirthComparison, the ID, sex and ward
code exactly), blocking on the ID or on given name + birth year; the prior from deterministic
rules, u by random sampling, m by EM, then predict. Prints its figures as one JSON line and
writes, per registry spouse, its best candidate (`spouse_uid` registration|H or |W, `person_id`,
`match_probability`) for bench/accuracy.py to score.

    python bench/plain.py REGISTRY POPULATION OUT.parquet
"""

from __future__ import annotations

import json
import sys
import time
import unicodedata
from pathlib import Path

import duckdb
import polars as pl
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

# The headers of the two exports (Vietnamese, or English as some provinces write them).
REGISTRY = {
    "registration_id": ("Số đăng ký", "registration_id"),
    "ward_code": ("Mã xã đăng ký", "registration_ward_code"),
    **{f"{role}_{field}": (f"{vi} {role_vi}", f"{role}_{field}")
       for role, role_vi in (("husband", "chồng"), ("wife", "vợ"))
       for field, vi in (("full_name", "Họ và tên"), ("birth_date", "Ngày sinh"), ("id_number", "Số giấy tờ tùy thân"))},
}
POPULATION = {
    "person_id": ("Số định danh cá nhân", "person_id"), "full_name": ("Họ và tên", "full_name"),
    "birth_date": ("Ngày sinh", "birth_date"), "sex": ("Giới tính", "sex"), "ward_code": ("Mã xã", "ward_code"),
}


def read(path: Path, headers: dict[str, tuple[str, ...]]) -> pl.DataFrame:
    """The file's columns named as in `headers`, every value as text."""
    if path.suffix.lower() == ".xlsx":
        frame = pl.read_excel(path, infer_schema_length=0)
    else:
        frame = pl.read_csv(path, infer_schema_length=0, encoding="utf8-lossy")
    frame = frame.rename(lambda c: c.lstrip("\ufeff").strip())
    return frame.select(next(pl.col(h) for h in names if h in frame.columns).alias(field)
                        for field, names in headers.items())


def plain_text(value: str | None) -> str | None:
    """Lowercase, without accents (đ as d), single spaces."""
    if value is None:
        return None
    text = unicodedata.normalize("NFD", value.lower().replace("đ", "d"))
    text = " ".join("".join(ch for ch in text if not unicodedata.combining(ch)).split())
    return text or None


def prepared(frame: pl.DataFrame) -> pl.DataFrame:
    """The columns the model compares: name, given name, birth date and year, ID digits, sex, ward."""
    name = pl.col("full_name").map_elements(plain_text, return_dtype=pl.String)
    date = pl.col("birth_date").str.strip_chars()
    parsed = pl.coalesce(date.str.to_date("%d/%m/%Y", strict=False), date.str.to_date("%Y-%m-%d", strict=False))
    return frame.with_columns(full_name=name).with_columns(
        given_name=pl.col("full_name").str.split(" ").list.last(),
        birth_date=parsed.dt.strftime("%Y-%m-%d"),
        birth_year=pl.coalesce(parsed.dt.year().cast(pl.String), date.str.extract(r"(\d{4})")),
        id_number=pl.col("id_number").str.replace_all(r"\D", "").replace("", None),
        ward_code=pl.col("ward_code").str.strip_chars().str.zfill(5),
    )


def spouses(registry: pl.DataFrame) -> pl.DataFrame:
    return pl.concat([
        registry.select(
            (pl.col("registration_id") + f"|{tag}").alias("unique_id"), pl.lit(sex).alias("sex"), "ward_code",
            *(pl.col(f"{role}_{f}").alias(f) for f in ("full_name", "birth_date", "id_number")))
        for role, tag, sex in (("husband", "H", "m"), ("wife", "W", "f"))
    ])


def persons(population: pl.DataFrame) -> pl.DataFrame:
    sex = pl.col("sex").map_elements(plain_text, return_dtype=pl.String)
    return population.select(
        pl.col("person_id").str.replace_all(r"\D", "").alias("unique_id"),
        pl.col("person_id").str.replace_all(r"\D", "").alias("id_number"),
        "full_name", "birth_date", "ward_code",
        pl.when(sex.is_in(["nam", "male", "m"])).then(pl.lit("m")).when(sex.is_in(["nu", "female", "f"]))
        .then(pl.lit("f")).alias("sex"))


def link(left: pl.DataFrame, right: pl.DataFrame) -> pl.DataFrame:
    con = duckdb.connect()
    db_api = DuckDBAPI(connection=con)
    columns = ["unique_id", "full_name", "given_name", "birth_date", "birth_year", "id_number", "sex", "ward_code"]
    registered = [db_api.register(f.select(columns).to_arrow(), dataset_display_name=name)
                  for f, name in ((left, "registry_spouses"), (right, "population"))]
    settings = SettingsCreator(
        link_type="link_only",
        comparisons=[
            cl.ExactMatch("id_number"),
            cl.NameComparison("full_name"),
            cl.DateOfBirthComparison("birth_date", input_is_string=True),
            cl.ExactMatch("sex"),
            cl.ExactMatch("ward_code"),
        ],
        blocking_rules_to_generate_predictions=[block_on("id_number"), block_on("given_name", "birth_year")],
        retain_intermediate_calculation_columns=False,
    )
    linker = Linker(registered, settings)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("id_number"), block_on("full_name", "birth_date")], recall=0.8)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e7, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("id_number"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("full_name", "birth_year"))
    pairs = pl.from_arrow(linker.inference.predict(threshold_match_probability=0.01).as_pyarrow_table())
    # Splink orders the two datasets itself: the spouse is on the side of the registry's dataset.
    left_is_spouse = pl.col("source_dataset_l") == "registry_spouses"
    return pairs.select(
        spouse_uid=pl.when(left_is_spouse).then(pl.col("unique_id_l")).otherwise(pl.col("unique_id_r")),
        person_id=pl.when(left_is_spouse).then(pl.col("unique_id_r")).otherwise(pl.col("unique_id_l")),
        match_probability=pl.col("match_probability"))


def main(registry_path: Path, population_path: Path, out: Path) -> None:
    started = time.perf_counter()
    left = prepared(spouses(read(registry_path, REGISTRY)))
    right = prepared(persons(read(population_path, POPULATION)))
    read_s = time.perf_counter() - started
    pairs = link(left, right)
    best = pairs.sort("match_probability", descending=True).unique("spouse_uid", keep="first")
    best.write_parquet(out)
    print(json.dumps({"read_s": round(read_s, 2), "total_s": round(time.perf_counter() - started, 2),
                      "pairs": pairs.height, "spouses": left.height, "persons": right.height}))


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]))
