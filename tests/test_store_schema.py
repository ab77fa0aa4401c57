"""Schema migrations on open: every older layout is brought up to date (and `explain` works on a
database an older build made), a failed migration changes nothing, and foreign or damaged files
are refused with the file named."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import duckdb
import polars as pl
import pytest

from conftest import Cli
from reconcile.errors import CampaignDatabaseError
from reconcile.store import Store, schema
from reconcile.store.schema import SCHEMA_VERSION, Migration


def _columns(path: Path, table: str) -> list[str]:
    with duckdb.connect(str(path), read_only=True) as con:
        return [r[0] for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
            [table]).fetchall()]


def _version(path: Path) -> int:
    with duckdb.connect(str(path), read_only=True) as con:
        return int(con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchall()[0][0])


def _tables_after_version_1() -> set[str]:
    """The tables that migrations after the first one add."""
    def tables(migrations: tuple[Migration, ...]) -> set[str]:
        with duckdb.connect() as con:
            for migration in migrations:
                migration.apply(con)
            return {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}

    return tables(schema.MIGRATIONS) - tables(schema.MIGRATIONS[:1])


def _candidates_per_comparison(con: duckdb.DuckDBPyConnection, steps: bool = True) -> None:
    """The candidate rows as builds before migration 8 stored them: one per candidate and
    comparison (`step`, `comparison`, `level`, `weight`; without `step` before version 1's last
    layout), and no `runs.comparisons`."""
    runs = con.execute("SELECT run_id, comparisons FROM runs WHERE comparisons IS NOT NULL").fetchall()
    parts = [f"SELECT run_id, unique_id, person_uid, rank, match_probability, match_weight, {i} AS step, "
             f"'{name}' AS comparison, \"level_{name}\" AS level, \"weight_{name}\" AS weight "
             f"FROM candidates WHERE run_id = {run_id}"
             for run_id, names in runs for i, name in enumerate(names)]
    con.execute("CREATE TABLE old_candidates AS " + " UNION ALL ".join(parts) + " ORDER BY run_id, unique_id, rank, step")
    con.execute("DROP TABLE candidates")
    con.execute("ALTER TABLE old_candidates RENAME TO candidates")
    con.execute("ALTER TABLE runs DROP COLUMN comparisons")
    if not steps:
        con.execute("ALTER TABLE candidates DROP COLUMN step")


def test_a_version_7_campaign_explains_the_same_from_its_candidate_rows_made_one_per_candidate(
        cli: Cli, campaign_copy: Path, tmp_path: Path) -> None:
    database = campaign_copy / "campaign.duckdb"
    cli("export", "results", "--out", tmp_path / "r.csv", "--campaign", campaign_copy)
    results = pl.read_csv(tmp_path / "r.csv", infer_schema=False)
    records = results.filter(pl.col("record_type") == "marriage").group_by("bucket").first()["record_id"].to_list()
    before = [cli("explain", r, "--lang", "en", "--campaign", campaign_copy).output for r in records]
    with duckdb.connect(str(database)) as con:  # as a schema-7 build left it
        per_candidate = con.execute("SELECT count(*) FROM candidates").fetchall()[0][0]
        _candidates_per_comparison(con)
        assert con.execute("SELECT count(*) FROM candidates").fetchall()[0][0] > per_candidate
        con.execute("UPDATE meta SET value = '7' WHERE key = 'schema_version'")
    after = [cli("explain", r, "--lang", "en", "--campaign", campaign_copy).output for r in records]
    assert after == before and all("match weight" in out for out in after)
    assert _version(database) == SCHEMA_VERSION and "comparison" not in _columns(database, "candidates")
    with duckdb.connect(str(database), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM candidates").fetchall()[0][0] == per_candidate
    # A run after the migration stores its rows beside the migrated ones, and explains from them.
    commune = results.filter(pl.col("record_id") == records[0])["commune"][0]
    cli("run", "--commune", commune, "--fresh", "--campaign", campaign_copy)
    assert cli("explain", records[0], "--lang", "en", "--campaign", campaign_copy).output == before[0]


def test_an_old_version_1_database_without_candidate_steps_opens_and_explains(cli: Cli, campaign_copy: Path,
                                                                              tmp_path: Path) -> None:
    database = campaign_copy / "campaign.duckdb"
    with duckdb.connect(str(database)) as con:  # what a build before the step column left behind
        for table in _tables_after_version_1():
            con.execute(f'DROP TABLE "{table}"')
        _candidates_per_comparison(con, steps=False)
        con.execute("ALTER TABLE runs DROP COLUMN decided_with")  # migration 6
        con.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    cli("export", "results", "--out", tmp_path / "r.csv", "--campaign", campaign_copy)
    results = pl.read_csv(tmp_path / "r.csv", infer_schema=False)
    record = results.filter(pl.col("action") == "update")["record_id"][0]
    out = cli("explain", record, "--lang", "en", "--campaign", campaign_copy).output
    assert "match weight" in out and "prior" in out
    assert _version(database) == SCHEMA_VERSION and "level_name" in _columns(database, "candidates")
    # The migrated campaign goes on: a run and a decision.
    commune = results.filter(pl.col("record_id") == record)["commune"][0]
    cli("run", "--commune", commune, "--campaign", campaign_copy)
    cli("decide", record, "--reject", "--note", "checked", "--by", "Hoa", "--campaign", campaign_copy)
    assert f"{record}: reject" in cli("log", "--campaign", campaign_copy).output


def test_the_first_layouts_marked_1_are_completed(tmp_path: Path) -> None:
    path = tmp_path / "skeleton.duckdb"
    with duckdb.connect(str(path)) as con:  # the skeleton build's layout, also marked 1
        con.execute("""
            CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR);
            INSERT INTO meta VALUES ('schema_version', '1');
            CREATE TABLE ingests (ingest_id INTEGER PRIMARY KEY, kind VARCHAR, path VARCHAR, sha256 VARCHAR,
                rows_read BIGINT, rows_rejected BIGINT, ignored_columns VARCHAR, "at" TIMESTAMPTZ);
            INSERT INTO ingests VALUES (1, 'registry', 'r.csv', 'abc', 10, 0, '[]', TIMESTAMPTZ '2025-06-01 08:00:00+00');
            CREATE TABLE rejected (record_type VARCHAR, record_id VARCHAR, source_file VARCHAR, source_row BIGINT,
                "column" VARCHAR, reason VARCHAR, message VARCHAR, "values" VARCHAR);
            CREATE TABLE models (model_id INTEGER PRIMARY KEY, settings_json VARCHAR, spouses BIGINT, persons BIGINT,
                "at" TIMESTAMPTZ);
            CREATE TABLE runs (run_id INTEGER PRIMARY KEY, model_id INTEGER, scope VARCHAR, started_at TIMESTAMPTZ,
                finished_at TIMESTAMPTZ, marriages BIGINT, persons BIGINT);""")
    with Store(path, read_only=True) as store:
        assert store.ingests.latest() == 1
        ingests = store.table("ingests")
    assert ingests["path"].to_list() == ["r.csv"] and ingests["ingested_at"].null_count() == 0
    assert "trained_at" in _columns(path, "models") and "ingest_id" in _columns(path, "models")
    assert "ingest_id" in _columns(path, "runs") and "commune" in _columns(path, "rejected")
    assert "run_id" in _columns(path, "candidates") and _version(path) == SCHEMA_VERSION
    with duckdb.connect(str(path), read_only=True) as con:
        assert con.execute("SELECT comparisons FROM runs").fetchall() == []


def test_a_failed_migration_changes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "c.duckdb"
    Store(path).close()

    def broken(con: duckdb.DuckDBPyConnection) -> None:
        con.execute("CREATE TABLE half_done (x INTEGER)")
        raise RuntimeError("disk full")

    monkeypatch.setattr(schema, "MIGRATIONS", (*schema.MIGRATIONS, Migration(SCHEMA_VERSION + 1, "broken", broken)))
    monkeypatch.setattr(schema, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    with pytest.raises(RuntimeError, match="disk full"):
        schema.migrate(duckdb.connect(str(path)), path)
    assert _version(path) == SCHEMA_VERSION and "x" not in _columns(path, "half_done")


def _replace_database(campaign: Path, make: str) -> Path:
    database = campaign / "campaign.duckdb"
    if make == "junk":
        database.write_bytes(b"PK\x03\x04 a spreadsheet, not a database" * 200)
    elif make == "sqlite":
        database.unlink()
        with sqlite3.connect(database) as con:
            con.execute("CREATE TABLE people (name TEXT)")
    elif make == "other duckdb":
        database.unlink()
        with duckdb.connect(str(database)) as con:
            con.execute("CREATE TABLE people (name VARCHAR)")
    else:  # a copy cut short, as by a full disk
        data = database.read_bytes()
        database.write_bytes(data[: len(data) // 2])
    return database


@pytest.mark.parametrize("make,says", [
    ("junk", "not a campaign database"), ("sqlite", "not a campaign database"),
    ("other duckdb", "not a reconcile campaign database"), ("truncated", "damaged campaign database"),
])
def test_foreign_and_damaged_files_are_refused_with_the_file_named(cli: Cli, campaign_copy: Path, make: str,
                                                                   says: str) -> None:
    database = _replace_database(campaign_copy, make)
    out = cli("status", "--campaign", campaign_copy, code=1).output
    assert str(database) in out and says in out and "Traceback" not in out
    if make == "other duckdb":  # a writing open does not turn it into a campaign database either
        with pytest.raises(CampaignDatabaseError, match="tables: people"):
            Store(database)
        assert _columns(database, "meta") == []


def _link_couples(path: Path, run_id: int) -> pl.DataFrame:
    columns = ", ".join(c for c, _ in schema.LINK_COUPLE_COLUMNS)
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(f"SELECT {columns} FROM links WHERE run_id = ?", [run_id]).pl()


def test_a_version_4_campaign_gets_the_links_couple_evidence_and_its_old_runs_keep_nulls(
        cli: Cli, campaign_copy: Path, tmp_path: Path) -> None:
    database = campaign_copy / "campaign.duckdb"
    with duckdb.connect(str(database)) as con:  # as a schema-4 build left it
        for column, _ in schema.LINK_COUPLE_COLUMNS:
            con.execute(f'ALTER TABLE links DROP COLUMN "{column}"')
        con.execute("ALTER TABLE runs DROP COLUMN decided_with")  # migration 6
        con.execute("UPDATE meta SET value = '4' WHERE key = 'schema_version'")
    cli("export", "results", "--out", tmp_path / "r.csv", "--campaign", campaign_copy)
    results = pl.read_csv(tmp_path / "r.csv", infer_schema=False)
    record = results.filter(pl.col("action") == "update").row(0, named=True)
    out = cli("explain", record["record_id"], "--lang", "en", "--campaign", campaign_copy).output
    assert "match weight" in out and "couple" not in out  # a run stored before: no couple evidence to show
    assert _version(database) == SCHEMA_VERSION
    assert [c for c, _ in schema.LINK_COUPLE_COLUMNS] == _columns(database, "links")[-4:]
    old = _link_couples(database, 1)
    assert old.height > 0 and old.null_count().row(0) == (old.height,) * 4
    # The next run stores each link's couple evidence beside it.
    cli("run", "--commune", record["commune"], "--campaign", campaign_copy)
    new = _link_couples(database, 2)
    assert new["couple_weight"].drop_nulls().len() > 0
    assert set(new["couple_recorded"].drop_nulls()) <= {"id", "both_ways", "name"}


def test_a_run_whose_links_lack_the_couple_evidence_stores_them_as_nulls(
        cli: Cli, campaign_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from reconcile.commands import run as run_command

    decide = run_command.decide

    def without_couples(*args: object) -> tuple[pl.DataFrame, pl.DataFrame]:
        results, links = decide(*args)
        return results, links.drop(c for c, _ in schema.LINK_COUPLE_COLUMNS)

    monkeypatch.setattr(run_command, "decide", without_couples)
    cli("run", "--all", "--fresh", "--campaign", campaign_copy)  # decided again, by the patched decide
    stored = _link_couples(campaign_copy / "campaign.duckdb", 2)
    assert stored.height > 0 and stored.null_count().row(0) == (stored.height,) * 4
