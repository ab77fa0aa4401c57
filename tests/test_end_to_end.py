"""Any pair of contract files goes init → ingest → train → run --all → export results with every
record accounted for: one row per registry marriage and per bucketed person, bad rows rejected."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from conftest import SAMPLE, Cli


def _damaged_sample(folder: Path) -> tuple[Path, Path, int, int]:
    """The sample with bad rows mixed in; returns the files and their data-row counts."""
    registry = pl.read_csv(SAMPLE / "registry.csv", infer_schema=False)
    population = pl.read_csv(SAMPLE / "population.csv", infer_schema=False)
    key, wife, h_birth = "Số đăng ký", "Họ và tên vợ", "Ngày sinh chồng"
    bad = pl.concat([
        registry.slice(0, 1),                                            # duplicate of row 2
        registry.slice(1, 1).with_columns(pl.lit("NONAME").alias(key), pl.lit(None, pl.String).alias(wife)),
        registry.slice(2, 1).with_columns(pl.lit("DUP-X").alias(key), pl.lit("3x/abc").alias(h_birth)),
        registry.slice(3, 1).with_columns(pl.lit(None, pl.String).alias(key)),        # no key
    ])
    registry = pl.concat([registry, bad])
    population = pl.concat([population, population.slice(0, 1)])       # duplicate person id
    folder.mkdir()
    registry.write_csv(folder / "registry.csv")
    population.write_csv(folder / "population.csv")
    return folder / "registry.csv", folder / "population.csv", registry.height, population.height


@pytest.mark.slow
def test_bad_rows_are_kept_as_rejected_and_counts_balance(cli: Cli, tmp_path: Path) -> None:
    registry_file, population, n_registry, n_population = _damaged_sample(tmp_path / "in")
    registry = pl.read_csv(registry_file, infer_schema=False)
    campaign = tmp_path / "campaign"
    cli("init", campaign)
    out = cli("ingest", "--registry", registry_file, "--population", population, "--campaign", campaign).output
    assert "rejected" in out
    assert "names repaired from old fonts" in out and "old commune code mapped to current" in out
    cli("train", "--campaign", campaign)
    cli("run", "--all", "--campaign", campaign)
    cli("export", "results", "--out", tmp_path / "results.csv", "--campaign", campaign)
    results = pl.read_csv(tmp_path / "results.csv", infer_schema=False)

    marriages = results.filter(pl.col("record_type") == "marriage")
    assert marriages.height == n_registry, "records in must equal records out"
    rejected = marriages.filter(pl.col("bucket") == "rejected")
    by_reason = dict(zip(*rejected.group_by("reasons").len().sort("reasons").to_dict().values()))
    assert by_reason == {"DUPLICATE_KEY": 2, "MISSING_KEY": 1, "MISSING_NAME": 1, "UNREADABLE_DATE": 1}
    assert rejected["source_row"].drop_nulls().len() == rejected.height
    # A rejected row is still shown in its commune, read from its ward code.
    first = marriages.filter(pl.col("record_id") == registry["Số đăng ký"][0])
    assert first["commune"].null_count() == 0 and first["commune"].n_unique() == 1
    worked = marriages.filter(pl.col("bucket") != "rejected")
    assert worked["record_id"].n_unique() == worked.height
    assert set(worked["bucket"]) == {"auto_resolve", "conflict", "missing"}

    persons = results.filter(pl.col("record_type") == "person")
    assert persons.filter(pl.col("bucket") == "rejected")["reasons"].to_list() == ["DUPLICATE_KEY", "DUPLICATE_KEY"]
    assert persons["bucket"].is_in(["missing", "rejected"]).all()
    # Status counts the same rows.
    status = cli("status", "--campaign", campaign).output
    assert f"{results.height:,}" in status
    assert n_population > 0


@pytest.mark.slow
@pytest.mark.parametrize("file_format,headers", [("xlsx", "vietnamese"), ("parquet", "canonical")])
def test_xlsx_and_parquet_exports_go_the_whole_path(cli: Cli, tmp_path: Path, file_format: str, headers: str) -> None:
    data, campaign = tmp_path / "data", tmp_path / "campaign"
    cli("fixtures", "generate", data, "--persons", "1500", "--seed", "5", "--format", file_format, "--headers", headers)
    registry, population = data / f"registry.{file_format}", data / f"population.{file_format}"
    cli("init", campaign)
    cli("ingest", "--registry", registry, "--population", population, "--campaign", campaign)
    cli("train", "--campaign", campaign)
    cli("run", "--all", "--campaign", campaign)
    cli("export", "results", "--out", tmp_path / "results.parquet", "--campaign", campaign)
    results = pl.read_parquet(tmp_path / "results.parquet")
    truth = pl.read_csv(data / "truth.csv", infer_schema=False)
    n_registry = truth.filter(pl.col("record_type") == "marriage").height
    marriages = results.filter(pl.col("record_type") == "marriage")
    assert marriages.height == n_registry and marriages["record_id"].n_unique() == n_registry
    assert marriages.filter(pl.col("bucket") == "auto_resolve").height > n_registry // 2
