"""`--engine`, `--memory-limit` and `--threads`: checked when given, handed to DuckDB, and a run
under a small memory limit gives the buckets of an unlimited one."""

from __future__ import annotations

import os
from pathlib import Path

import polars as pl
import pytest

from conftest import DAY_ONE, Cli
from reconcile.errors import UserError
from reconcile.link.engine import Engine, backend, give_back_freed_memory
from reconcile.store import Store


def test_duckdb_gets_the_memory_limit_and_threads() -> None:
    with backend(Engine(memory_limit="300MB", threads=1)) as (db_api, dialect):
        con = db_api._con
        limit, threads, spill = con.sql("SELECT current_setting('memory_limit'), current_setting('threads'), "
                                        "current_setting('temp_directory')").fetchall()[0]
    assert dialect == "duckdb"
    assert limit in ("286.1 MiB", "300.0 MB") and threads == 1
    assert not Path(spill).exists()  # the spill folder goes with the connection


def test_by_default_duckdb_takes_the_machine() -> None:
    with backend(Engine()) as (db_api, _):
        threads = db_api._con.sql("SELECT current_setting('threads')").fetchall()[0][0]
    assert threads >= 1


def test_text_comes_from_duckdb_as_arrow_string_views(tmp_path: Path) -> None:
    """Polars keeps string views as they are; plain Arrow strings it copies, and the copies' freed
    memory stays with the process (a province run's peak). DuckDB gives views only when asked for
    Arrow format 1.4: a DuckDB release that stops giving them fails here."""
    query = "SELECT 'Nguyễn Thị Minh Khai, phường Bến Nghé' AS address"
    with backend(Engine()) as (db_api, _):
        from_engine = db_api._con.sql(query).to_arrow_table().schema.field("address").type
    with Store(tmp_path / "campaign.duckdb") as store:
        from_store = store.con.sql(query).to_arrow_table().schema.field("address").type
    assert str(from_engine) == str(from_store) == "string_view"


def _resident_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="reads the resident memory from /proc (Linux)")
def test_the_memory_duckdb_keeps_after_a_statement_is_given_back() -> None:
    """What the scoring does before handing its predictions over (its peak at 1.5 M persons): a
    DuckDB release whose allocator can no longer be told fails here, not silently in the bench."""
    with backend(Engine(threads=1)) as (db_api, _):
        con = db_api._con
        con.execute("CREATE TABLE big AS SELECT range AS i, repeat('x', 60) || range AS s FROM range(4000000)")
        con.execute("DROP TABLE big")
        kept = _resident_bytes()
        give_back_freed_memory()
        given_back = kept - _resident_bytes()
    assert given_back > 100_000_000


@pytest.mark.parametrize(("options", "message"), [
    ({"name": "postgres"}, "--engine must be one of duckdb, spark, got 'postgres'"),
    ({"memory_limit": "lots"}, "--memory-limit must be a size such as 2GB or 1500MB, got 'lots'"),
    ({"memory_limit": "2"}, "--memory-limit must be a size"),
    ({"threads": 0}, "--threads must be at least 1, got 0"),
])
def test_bad_options_are_user_errors(options: dict, message: str) -> None:
    with pytest.raises(UserError, match=message.replace("(", r"\(")):
        Engine(**options)


def test_the_help_states_the_memory_defaults_the_engine_uses(cli: Cli) -> None:
    """The defaults said in `--help` are the caps training and scoring run within (they drifted once)."""
    from reconcile.link.model import PREDICT_MEMORY, TRAIN_MEMORY

    for lang, train, score in (("en", "to train", "to score"), ("vi", "khi huấn luyện", "khi chấm điểm")):
        out = " ".join(cli("--lang", lang, "run", "--help", env={"COLUMNS": "400"}).output.split())
        assert f"{TRAIN_MEMORY} {train}" in out and f"{PREDICT_MEMORY} {score}" in out


def test_cli_rejects_a_bad_memory_limit_in_one_line(cli: Cli, campaign_copy: Path) -> None:
    out = cli("run", "--all", "--memory-limit", "lots", "--campaign", campaign_copy, code=1).output
    assert "--memory-limit must be a size such as 2GB" in out and "Traceback" not in out
    out = cli("train", "--engine", "oracle", "--campaign", campaign_copy, code=1).output
    assert "--engine must be one of duckdb, spark" in out


@pytest.mark.slow
def test_a_run_within_a_small_memory_limit_gives_the_same_buckets(cli: Cli, sample_campaign: Path,
                                                                   campaign_copy: Path) -> None:
    # --fresh: decided again within the cap (else the first run's rows would be taken).
    cli("run", "--all", "--fresh", "--memory-limit", "200MB", "--threads", "1", "--campaign", campaign_copy,
        env={"RECONCILE_TODAY": DAY_ONE})

    def buckets(campaign: Path) -> pl.DataFrame:
        with Store(campaign / "campaign.duckdb", read_only=True) as store:
            return store.results.current().select("record_type", "record_id", "bucket", "reasons").sort("record_id")

    assert buckets(campaign_copy).equals(buckets(sample_campaign))
