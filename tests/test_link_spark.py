"""`--engine spark`: the sample province trained and run on a local Spark session (local[2]) gives
the buckets DuckDB gives, and a missing Java or UDF jar is a one-line error.

Where the engines could differ, and by how much:
- Scoring: the same SQL on both (DuckDB's jaro_winkler_similarity and damerau_levenshtein become
  Splink's Scala UDFs); every pair, level and probability must agree (probabilities to 1e-9:
  floating-point sums in another order).
- Training: u is estimated by random sampling, and Spark samples other pairs than DuckDB for the
  same seed, so m and u may differ a little and a record near a threshold could change bucket.
  On the sample none does; the test allows at most 1% of records (4 of the sample's ~400).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from conftest import DAY_ONE, Cli
from reconcile.link import predict_pairs
from reconcile.link.engine import Engine
from reconcile.ruleset import load_rules
from reconcile.store import Store

pytestmark = pytest.mark.slow

SPARK = ("--engine", "spark", "--threads", "2")


def _results(campaign: Path) -> pl.DataFrame:
    with Store(campaign / "campaign.duckdb", read_only=True) as store:
        return store.results.current().select("record_type", "record_id", "commune", "bucket", "reasons")


def test_spark_trains_and_runs_the_sample_to_the_buckets_duckdb_gives(
        cli: Cli, sample_campaign: Path, campaign_copy: Path) -> None:
    env = {"RECONCILE_TODAY": DAY_ONE}
    cli("train", *SPARK, "--campaign", campaign_copy, env=env)
    cli("run", "--all", *SPARK, "--campaign", campaign_copy, env=env)
    duck, spark = _results(sample_campaign), _results(campaign_copy)
    assert spark.height == duck.height > 300
    both = duck.join(spark, on=["record_type", "record_id"], suffix="_spark")
    assert both.height == duck.height
    differing = both.filter(pl.col("bucket") != pl.col("bucket_spark"))
    assert differing.height <= duck.height // 100, differing
    assert set(spark["bucket"]) == set(duck["bucket"]) == {"auto_resolve", "conflict", "missing"}

    # One commune on Spark, with the Spark-trained model: the buckets of the full Spark run.
    commune = spark.filter(pl.col("record_type") == "marriage").group_by("commune").len().sort("len", "commune")[-1, "commune"]
    cli("run", "--commune", commune, *SPARK, "--campaign", campaign_copy, env=env)
    assert _results(campaign_copy).sort("record_type", "record_id").equals(spark.sort("record_type", "record_id"))


def test_the_same_model_scores_every_pair_alike_on_both_engines(sample_campaign: Path) -> None:
    with Store(sample_campaign / "campaign.duckdb", read_only=True) as store:
        _, _, model = store.models.load()
        spouses, persons = store.table("spouses"), store.table("persons")
    rules = load_rules(sample_campaign / "rules").matching
    duck = predict_pairs(spouses, persons, model, rules)
    spark = predict_pairs(spouses, persons, model, rules, engine=Engine("spark", threads=2))
    keys = ["spouse_uid", "person_uid"]
    assert duck.height == spark.height > 500
    both = duck.join(spark, on=keys, suffix="_spark")
    assert both.height == duck.height
    for col in [c for c in duck.columns if c.startswith("level_")]:
        assert both.filter(pl.col(col) != pl.col(f"{col}_spark")).is_empty(), col
    assert (both["match_probability"] - both["match_probability_spark"]).abs().max() < 1e-9


def _spark_train_in_a_subprocess(campaign: Path, env: dict[str, str], setup: str = "") -> subprocess.CompletedProcess:
    code = (f"{setup}\nimport sys\nfrom reconcile.cli import main\n"
            f"sys.exit(main(['train', '--engine', 'spark', '--campaign', {str(campaign)!r}]))")
    # The messages asserted on are the English ones.
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**env, "RECONCILE_LANG": "en"}, timeout=120)


def test_spark_without_java_says_so_in_one_line(campaign_copy: Path, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("JAVA_HOME", "PYSPARK_GATEWAY_PORT")}
    env["PATH"] = str(tmp_path)  # no java here
    assert shutil.which("java", path=env["PATH"]) is None
    done = _spark_train_in_a_subprocess(campaign_copy, env)
    assert done.returncode == 1, done.stderr
    assert "--engine spark needs Java 17 or later" in done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr


def test_spark_without_the_udf_jar_says_so_in_one_line(campaign_copy: Path, tmp_path: Path) -> None:
    setup = ("import splink.backends.spark as s\n"
             f"s.similarity_jar_location = lambda: {str(tmp_path / 'gone.jar')!r}")
    done = _spark_train_in_a_subprocess(campaign_copy, dict(os.environ), setup)
    assert done.returncode == 1, done.stderr
    assert "Splink's similarity UDF jar, which is missing" in done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
