"""The campaign database's schema: ordered migrations, applied when a database is opened.

`meta.schema_version` says which migrations a database has had. Opening applies the missing
ones in order, all in one transaction; a database from a newer reconcile is refused, and so is
a DuckDB file that is not a campaign database.

Early builds wrote several layouts all marked version 1 (columns such as `candidates.step`,
`runs.ingest_id` or `rejected.commune` came later without a version bump); migration 2 first
brings any of them to the last version-1 layout, then adds the campaign's memory: officers'
decisions, daily progress snapshots and the audit log.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from reconcile.errors import CampaignDatabaseError
from reconcile.store.bulk import literal, quoted
from reconcile.store.current import OPEN_REASONS

_V1 = """
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE IF NOT EXISTS ingests (
    ingest_id INTEGER PRIMARY KEY, kind VARCHAR, path VARCHAR, sha256 VARCHAR,
    rows_read BIGINT, rows_rejected BIGINT, ignored_columns VARCHAR, ingested_at TIMESTAMPTZ);
CREATE TABLE IF NOT EXISTS rejected (
    record_type VARCHAR, record_id VARCHAR, source_file VARCHAR, source_row BIGINT,
    "column" VARCHAR, reason VARCHAR, message VARCHAR, "values" VARCHAR, commune VARCHAR);
CREATE TABLE IF NOT EXISTS models (
    model_id INTEGER PRIMARY KEY, ingest_id INTEGER, settings_json VARCHAR, spouses BIGINT, persons BIGINT,
    trained_at TIMESTAMPTZ);
CREATE TABLE IF NOT EXISTS model_tf (model_id INTEGER, column_name VARCHAR, value VARCHAR, tf DOUBLE);
CREATE TABLE IF NOT EXISTS runs (
    run_id INTEGER PRIMARY KEY, model_id INTEGER, ingest_id INTEGER, scope VARCHAR, started_at TIMESTAMPTZ,
    finished_at TIMESTAMPTZ, marriages BIGINT, persons BIGINT);
CREATE TABLE IF NOT EXISTS run_communes (run_id INTEGER, commune VARCHAR);
CREATE TABLE IF NOT EXISTS results (
    run_id INTEGER, record_type VARCHAR, record_id VARCHAR, commune VARCHAR, bucket VARCHAR,
    action VARCHAR, reasons VARCHAR, husband_person_id VARCHAR, wife_person_id VARCHAR,
    husband_match_probability DOUBLE, wife_match_probability DOUBLE, proposed_changes VARCHAR);
CREATE TABLE IF NOT EXISTS candidates (
    run_id INTEGER, unique_id VARCHAR, person_uid VARCHAR, rank INTEGER, match_probability DOUBLE,
    match_weight DOUBLE, step INTEGER, comparison VARCHAR, level VARCHAR, weight DOUBLE);
CREATE TABLE IF NOT EXISTS links (
    run_id INTEGER, unique_id VARCHAR, person_uid VARCHAR, match_probability DOUBLE,
    match_weight DOUBLE, link_reasons VARCHAR, candidate_count BIGINT);
"""

# Columns of the last version-1 layout that earlier version-1 builds lacked: (table, column,
# type, the earlier name of the column if it had one).
_LATE_V1_COLUMNS = (
    ("ingests", "ingested_at", "TIMESTAMPTZ", "at"),
    ("models", "trained_at", "TIMESTAMPTZ", "at"),
    ("models", "ingest_id", "INTEGER", None),
    ("rejected", "commune", "VARCHAR", None),
    ("runs", "ingest_id", "INTEGER", None),
    ("candidates", "step", "INTEGER", None),
)

_V2_TABLES = """
CREATE TABLE decisions (
    decision_id INTEGER PRIMARY KEY, record_type VARCHAR, record_id VARCHAR, commune VARCHAR,
    verdict VARCHAR, person_ids VARCHAR, note VARCHAR, decided_by VARCHAR, decided_at TIMESTAMPTZ,
    day DATE, run_id INTEGER, evidence VARCHAR);
CREATE TABLE snapshots (
    day DATE, commune VARCHAR, in_scope BIGINT, auto_resolved BIGINT, decided BIGINT, conflicts BIGINT,
    missing BIGINT, recheck BIGINT, written_at TIMESTAMPTZ);
CREATE TABLE audit (
    entry_id INTEGER PRIMARY KEY, logged_at TIMESTAMPTZ, day DATE, who VARCHAR, action VARCHAR, subject VARCHAR,
    counts VARCHAR, files VARCHAR, note VARCHAR);
"""


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    return {r[0] for r in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'main' AND table_name = ?",
        [table]).fetchall()}


def _v1(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(_V1)


def _v2(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(_V1)  # tables a version-1 build had not made yet (candidates)
    for table, column, kind, earlier in _LATE_V1_COLUMNS:
        have = _columns(con, table)
        if column in have:
            continue
        if earlier in have:
            con.execute(f'ALTER TABLE "{table}" RENAME COLUMN "{earlier}" TO "{column}"')
        else:
            con.execute(f'ALTER TABLE "{table}" ADD COLUMN "{column}" {kind}')
    con.execute(_V2_TABLES)


def _v3(con: duckdb.DuckDBPyConnection) -> None:
    if "snapshot_reasons" in {r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'").fetchall()}:
        return
    con.execute("CREATE TABLE snapshot_reasons (day DATE, commune VARCHAR, state VARCHAR, reason VARCHAR, records BIGINT)")
    # Each commune's latest snapshot gets the reasons of its records as they stand now.
    con.execute(f"""
        INSERT INTO snapshot_reasons SELECT s.day, o.commune, o.state, o.reason, count(*)
        FROM ({OPEN_REASONS}) o JOIN (SELECT commune, max(day) AS day FROM snapshots GROUP BY commune) s USING (commune)
        WHERE o.reason <> '' GROUP BY s.day, o.commune, o.state, o.reason""")


def _v4(con: duckdb.DuckDBPyConnection) -> None:
    # The scored pairs themselves (`scored_pairs`) have one column per comparison of the model
    # that made them: that table is written whole by each scoring run (Store.save_run).
    con.execute("CREATE TABLE IF NOT EXISTS pair_sets (model_id INTEGER, ingest_id INTEGER, matching VARCHAR, "
                "pairs BIGINT, saved_at TIMESTAMPTZ)")


# What each spouse link of a run says about the marriage's couple (reconcile.decide.couples):
# the best couple's weight, its lead over the runner-up couple, this spouse's person in that
# runner-up, and how the two persons record each other as spouse (id, both_ways, name).
LINK_COUPLE_COLUMNS = (("couple_weight", "DOUBLE"), ("couple_lead", "DOUBLE"), ("runner_up_uid", "VARCHAR"),
                       ("couple_recorded", "VARCHAR"))


def _v5(con: duckdb.DuckDBPyConnection) -> None:
    # Runs stored before keep nulls: they were decided without the couple rules' evidence.
    for column, kind in LINK_COUPLE_COLUMNS:
        con.execute(f'ALTER TABLE links ADD COLUMN IF NOT EXISTS "{column}" {kind}')


def _v6(con: duckdb.DuckDBPyConnection) -> None:
    # What decided each run (store.runs.DecidedWith); runs stored before keep a null: never reused.
    con.execute("ALTER TABLE runs ADD COLUMN IF NOT EXISTS decided_with VARCHAR")


def _v7(con: duckdb.DuckDBPyConnection) -> None:
    # A run that took an earlier run's rows (store.runs.decided) names the run whose candidate rows
    # are its own too (`candidates_of`), instead of writing them again; null: its own.
    con.execute("ALTER TABLE runs ADD COLUMN IF NOT EXISTS candidates_of INTEGER")


# A run's candidate rows give, for each comparison `c` of its model, its level and weight in these
# columns (prefix + c), added as a model brings a new comparison (store.runs).
CANDIDATE_STEP_COLUMNS = (("level_", "VARCHAR"), ("weight_", "DOUBLE"))


def _v8(con: duckdb.DuckDBPyConnection) -> None:
    # A run's candidate rows become one per candidate, each comparison's level and weight in its own
    # columns (`level_<comparison>`, `weight_<comparison>`, added as a model brings new comparisons),
    # and the run names its comparisons in order (`runs.comparisons`): one row per candidate and
    # comparison took three times as long to make and store (docs/performance.md).
    con.execute("ALTER TABLE runs ADD COLUMN IF NOT EXISTS comparisons VARCHAR[]")
    if "comparison" not in _columns(con, "candidates"):
        return
    con.execute("""
        UPDATE runs SET comparisons = named.steps FROM (
            SELECT run_id, list(comparison ORDER BY step NULLS LAST, comparison) AS steps
            FROM (SELECT DISTINCT run_id, step, comparison FROM candidates WHERE comparison IS NOT NULL)
            GROUP BY run_id) AS named
        WHERE runs.run_id = named.run_id""")
    names = [r[0] for r in con.execute(
        "SELECT DISTINCT comparison FROM candidates WHERE comparison IS NOT NULL ORDER BY comparison").fetchall()]
    columns = "".join(f", {quoted(prefix + name)} {kind}" for name in names for prefix, kind in CANDIDATE_STEP_COLUMNS)
    con.execute("CREATE TABLE candidates_by_person (run_id INTEGER, unique_id VARCHAR, person_uid VARCHAR, "
                f"rank INTEGER, match_probability DOUBLE, match_weight DOUBLE{columns})")
    pivot = "".join(
        f", max(level) FILTER (WHERE comparison = {literal(name)}), max(weight) FILTER (WHERE comparison = {literal(name)})"
        for name in names)
    # A run at a time: all at once, a campaign of 48 runs of the 1.5 M province (400 M rows) took
    # 17 GB of memory to pivot; a run's 8.4 M rows take well under one.
    # The run's number written into the SQL: DuckDB plans a filter on a parameter as a scan of every
    # run's rows (store.database).
    for (run_id,) in con.execute("SELECT DISTINCT run_id FROM candidates ORDER BY run_id").fetchall():
        con.execute(f"""
            INSERT INTO candidates_by_person
            SELECT run_id, unique_id, person_uid, rank, any_value(match_probability), any_value(match_weight){pivot}
            FROM candidates WHERE {"run_id IS NULL" if run_id is None else f"run_id = {int(run_id)}"}
            GROUP BY run_id, unique_id, person_uid, rank ORDER BY unique_id, rank""")
    con.execute("DROP TABLE candidates")
    con.execute("ALTER TABLE candidates_by_person RENAME TO candidates")


@dataclass(frozen=True)
class Migration:
    version: int
    what: str
    apply: Callable[[duckdb.DuckDBPyConnection], None]


MIGRATIONS = (
    Migration(1, "ingests, rejected rows, models, runs with their results, links and candidates", _v1),
    Migration(2, "every version-1 layout completed; decisions, daily snapshots, audit log", _v2),
    Migration(3, "open records per reason beside each daily snapshot (the report's trend by reason)", _v3),
    Migration(4, "the province's scored pairs, kept for one-commune runs on the same model and data", _v4),
    Migration(5, "each spouse link's couple evidence: couple weight and lead, runner-up, how recorded as spouses", _v5),
    Migration(6, "what decided each run (model, data, rules, deciding code), so that a commune run can reuse it", _v6),
    Migration(7, "a run that took an earlier run's rows shares that run's candidate rows", _v7),
    Migration(8, "a run's candidate rows one per candidate, with its comparisons' levels and weights", _v8),
)
SCHEMA_VERSION = MIGRATIONS[-1].version


def schema_version(con: duckdb.DuckDBPyConnection, path: Path) -> int:
    """The database's schema version: 0 for an empty database; a foreign one is refused."""
    tables = {r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'").fetchall()}
    if not tables:
        return 0
    rows = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchall() if "meta" in tables else []
    if not rows or not str(rows[0][0]).isdigit():
        shown = ", ".join(sorted(tables)[:8])
        raise CampaignDatabaseError.said("err_not_reconcile_database", str(path), tables=shown)
    version = int(rows[0][0])
    if version > SCHEMA_VERSION:
        raise CampaignDatabaseError.said("err_newer_schema", str(path), version=version, known=SCHEMA_VERSION)
    return version


def migrate(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Apply the migrations the database lacks, in order, all in one transaction."""
    version = schema_version(con, path)
    pending = [m for m in MIGRATIONS if m.version > version]
    if not pending:
        return
    con.begin()
    try:
        for migration in pending:
            migration.apply(con)
        con.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])
    except BaseException:
        con.rollback()
        raise
    con.commit()
