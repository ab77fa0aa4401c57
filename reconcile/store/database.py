"""The campaign database (DuckDB): the only writer of campaign state.

Every write of an ingest, a training or a run happens in one transaction, so a failed
or interrupted command leaves the campaign as it was.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import polars as pl

from reconcile.errors import CampaignError
from reconcile.link import TrainedModel

SCHEMA_VERSION = 1

_DDL = """
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
# A commune value for records whose commune could not be determined.
UNKNOWN_COMMUNE = ""

# Each commune's latest run on the current data (runs made before the latest ingest are stale).
_LATEST_RUNS = """
    SELECT c.commune, max(c.run_id) AS run_id FROM run_communes c JOIN runs r USING (run_id)
    WHERE r.ingest_id = (SELECT max(ingest_id) FROM ingests) GROUP BY c.commune"""


@dataclass(frozen=True)
class IngestedSide:
    """One input file's contribution to an ingest: its tables, rejected rows and provenance."""

    kind: str            # registry | population
    record_type: str     # marriage | person
    path: str
    sha256: str
    rows_read: int
    ignored_columns: tuple[str, ...]
    tables: dict[str, pl.DataFrame]
    rejected: pl.DataFrame


def _now() -> datetime:
    return datetime.now(timezone.utc)


class Store:
    """An open campaign database."""

    def __init__(self, path: Path, read_only: bool = False) -> None:
        if read_only and not path.exists():
            raise CampaignError(f"{path}: the campaign has no database yet; run `reconcile ingest` first")
        try:
            self.con = duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as exc:
            raise CampaignError(f"{path}: cannot open the campaign database ({str(exc).splitlines()[0]})") from None
        except duckdb.Error as exc:
            raise CampaignError(f"{path}: not a reconcile campaign database ({str(exc).splitlines()[0]})") from None
        self.path = path
        if not read_only:
            self.con.execute(_DDL)
            self.con.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])
        self._check_version()

    def _check_version(self) -> None:
        try:
            row = self.con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchall()
        except duckdb.CatalogException:
            raise CampaignError(f"{self.path}: not a reconcile campaign database (no meta table)") from None
        version = int(row[0][0]) if row else 0
        if version > SCHEMA_VERSION:
            raise CampaignError(
                f"{self.path}: made by a newer reconcile (schema {version}, this one knows {SCHEMA_VERSION}); upgrade reconcile"
            )

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        self.con.begin()
        try:
            yield self.con
        except BaseException:
            self.con.rollback()
            raise
        self.con.commit()

    def has_table(self, name: str) -> bool:
        return bool(self.con.execute(
            "SELECT 1 FROM information_schema.tables WHERE table_name = ?", [name]).fetchall())

    def frame(self, sql: str, params: list[object] | None = None) -> pl.DataFrame:
        return pl.from_arrow(self.con.sql(sql, params=params).to_arrow_table())

    def table(self, name: str) -> pl.DataFrame:
        if not self.has_table(name):
            raise CampaignError(f"the campaign has no {name} yet; run `reconcile ingest` first")
        return self.frame(f'SELECT * FROM "{name}"')

    # --- ingest ---------------------------------------------------------------------

    def latest_ingest(self) -> int:
        """The id of the latest ingest (0 before any): runs and models older than it are stale."""
        return int(self.con.execute("SELECT coalesce(max(ingest_id), 0) FROM ingests").fetchall()[0][0])

    def save_ingest(self, sides: list[IngestedSide]) -> None:
        """Replace the ingested sides (registry and/or population), all in one transaction."""
        with self.transaction() as con:
            for side in sides:
                for name, frame in side.tables.items():
                    con.register("_incoming", frame.to_arrow())
                    con.execute(f'CREATE OR REPLACE TABLE "{name}" AS SELECT * FROM _incoming')
                    con.unregister("_incoming")
                con.execute("DELETE FROM rejected WHERE record_type = ?", [side.record_type])
                if side.rejected.height:
                    con.register("_rejected", side.rejected.select(
                        "record_type", "record_id", "source_file", "source_row", "column", "reason", "message",
                        *(pl.col(c) if c in side.rejected.columns else pl.lit(None, pl.String).alias(c)
                          for c in ("values", "commune")),
                    ).to_arrow())
                    con.execute("INSERT INTO rejected SELECT * FROM _rejected")
                    con.unregister("_rejected")
                next_id = con.execute("SELECT coalesce(max(ingest_id), 0) + 1 FROM ingests").fetchall()[0][0]
                con.execute("INSERT INTO ingests VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [
                    next_id, side.kind, side.path, side.sha256, side.rows_read, side.rejected.height,
                    json.dumps(list(side.ignored_columns), ensure_ascii=False), _now()])

    # --- model ----------------------------------------------------------------------

    def save_model(self, model: TrainedModel, ingest_id: int, spouses: int, persons: int) -> int:
        with self.transaction() as con:
            model_id = con.execute("SELECT coalesce(max(model_id), 0) + 1 FROM models").fetchall()[0][0]
            con.execute("INSERT INTO models VALUES (?, ?, ?, ?, ?, ?)",
                        [model_id, ingest_id, model.settings_json, spouses, persons, _now()])
            for col, tf in model.tf_tables.items():
                long = tf.select(pl.lit(model_id).alias("model_id"), pl.lit(col).alias("column_name"),
                                 pl.col(col).cast(pl.String).alias("value"), pl.col(f"tf_{col}").cast(pl.Float64).alias("tf"))
                con.register("_tf", long.to_arrow())
                con.execute("INSERT INTO model_tf SELECT * FROM _tf")
                con.unregister("_tf")
        return model_id

    def load_model(self) -> tuple[int, int, TrainedModel]:
        """The pinned (latest) model: its id, the ingest it was trained on, the model."""
        rows = self.con.execute(
            "SELECT model_id, ingest_id, settings_json FROM models ORDER BY model_id DESC LIMIT 1").fetchall()
        if not rows:
            raise CampaignError("the campaign has no trained model; run `reconcile train` first")
        model_id, ingest_id, settings = rows[0]
        tf = self.frame("SELECT column_name, value, tf FROM model_tf WHERE model_id = ?", [model_id])
        tables = {
            col: tf.filter(pl.col("column_name") == col).select(pl.col("value").alias(col), pl.col("tf").alias(f"tf_{col}"))
            for col in tf["column_name"].unique().to_list()
        }
        return model_id, ingest_id, TrainedModel(settings, tables)

    # --- runs -----------------------------------------------------------------------

    def save_run(self, model_id: int, ingest_id: int, scope: str, communes: list[str], started_at: datetime,
                 results: pl.DataFrame, links: pl.DataFrame, candidates: pl.DataFrame) -> int:
        """Store one run's results, spouse links and top candidates, all or nothing; return its run id."""
        with self.transaction() as con:
            if self.latest_ingest() != ingest_id:
                raise CampaignError("new data was ingested while this run was scoring; run it again")
            run_id = con.execute("SELECT coalesce(max(run_id), 0) + 1 FROM runs").fetchall()[0][0]
            counts = results.group_by("record_type").len()
            n = dict(zip(counts["record_type"].to_list(), counts["len"].to_list()))
            con.execute("INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [
                run_id, model_id, ingest_id, scope, started_at, _now(), n.get("marriage", 0), n.get("person", 0)])
            con.register("_communes", pl.DataFrame({"run_id": [run_id] * len(communes), "commune": communes},
                                                   schema={"run_id": pl.Int32, "commune": pl.String}).to_arrow())
            con.execute("INSERT INTO run_communes SELECT * FROM _communes")
            con.register("_results", results.select(pl.lit(run_id, pl.Int32).alias("run_id"), pl.all()).with_columns(
                pl.col("commune").fill_null(UNKNOWN_COMMUNE)).to_arrow())
            con.execute("INSERT INTO results SELECT * FROM _results")
            con.register("_links", links.select(
                pl.lit(run_id, pl.Int32).alias("run_id"), "unique_id", "person_uid", "match_probability",
                "match_weight", pl.col("link_reasons").list.join(";"), "candidate_count").to_arrow())
            con.execute("INSERT INTO links SELECT * FROM _links")
            con.register("_candidates", candidates.select(pl.lit(run_id, pl.Int32).alias("run_id"), pl.all()).to_arrow())
            con.execute("INSERT INTO candidates SELECT * FROM _candidates")
            for name in ("_communes", "_results", "_links", "_candidates"):
                con.unregister(name)
        return run_id

    def explain_frames(self, record_id: str) -> dict[str, pl.DataFrame]:
        """Everything stored about one record's current result: `result`, and for a marriage its
        `spouses` (registry values), `links`, `candidates` and the candidates' `persons`."""
        result = self.current_results().filter(pl.col("record_id") == record_id)
        if result.is_empty():
            raise CampaignError(f"no current result for '{record_id}' (a registration_id or person_id); "
                                "see `reconcile export results`")
        out = {"result": result}
        run = self.frame(f"""
            WITH latest AS ({_LATEST_RUNS})
            SELECT l.run_id FROM results x JOIN latest l ON x.run_id = l.run_id AND x.commune = l.commune
            WHERE x.record_id = ? LIMIT 1""", [record_id])
        if run.is_empty() or result["record_type"][0] != "marriage":
            return out
        run_id = int(run.item())
        spouses = self.frame("SELECT * FROM spouses WHERE registration_id = ?", [record_id])
        uids = spouses["unique_id"].to_list()
        out["spouses"] = spouses
        out["links"] = self.frame("SELECT * FROM links WHERE run_id = ? AND unique_id IN (SELECT unnest(?))", [run_id, uids])
        out["candidates"] = self.frame(
            "SELECT * FROM candidates WHERE run_id = ? AND unique_id IN (SELECT unnest(?)) ORDER BY unique_id, rank, step",
            [run_id, uids])
        out["persons"] = self.frame("SELECT * FROM persons WHERE unique_id IN (SELECT unnest(?))",
                                    [out["candidates"]["person_uid"].unique().to_list()])
        return out

    def current_results(self) -> pl.DataFrame:
        """The results table of the contract: each commune's rows from the latest run that covered
        it on the current data (runs made before the latest ingest are stale), then every rejected row."""
        return self.frame(f"""
            WITH latest AS ({_LATEST_RUNS})
            SELECT r.record_type, r.record_id, r.commune, r.bucket, r.action, r.reasons,
                   r.husband_person_id, r.wife_person_id, r.husband_match_probability,
                   r.wife_match_probability, r.proposed_changes,
                   NULL::VARCHAR AS source_file, NULL::BIGINT AS source_row
            FROM results r JOIN latest l ON r.run_id = l.run_id AND r.commune = l.commune
            UNION ALL
            SELECT record_type, record_id, commune, 'rejected', NULL, reason, NULL, NULL, NULL, NULL, NULL,
                   source_file, source_row
            FROM rejected
            ORDER BY record_type, commune, record_id
        """)
