"""The campaign database (DuckDB): the only writer of campaign state.

Every write of an ingest, a training, a run or a decision happens in one transaction together
with its audit-log entry and progress snapshot, so a failed, interrupted or killed command
leaves the campaign exactly as it was. Opening applies schema migrations; a database that is
foreign, damaged or too new is refused with its file named.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import polars as pl
import pyarrow as pa

from reconcile import stages
from reconcile.clock import now
from reconcile.errors import CampaignDatabaseError, CampaignError, as_resource_error
from reconcile.store import audit
from reconcile.store.campaign import owner_only
from reconcile.store.connect import connect, first_line
from reconcile.store.current import CURRENT, EVIDENCE, REASON_SNAPSHOT, SNAPSHOT, latest_runs
from reconcile.store.listed import listed, number
from reconcile.store.schema import LINK_COUPLE_COLUMNS, SCHEMA_VERSION, migrate, schema_version
from reconcile.store.scope import ScopeFrames, scope_frames

if TYPE_CHECKING:
    from reconcile.link.model import TrainedModel

# A commune value for records whose commune could not be determined.
UNKNOWN_COMMUNE = ""
# The columns of `CURRENT` that the results table shows (all but the internal `state`).
RESULT_EXPORT_COLUMNS = (
    "record_type", "record_id", "commune", "bucket", "action", "reasons", "husband_person_id", "wife_person_id",
    "husband_match_probability", "wife_match_probability", "proposed_changes", "source_file", "source_row",
    "run_id", "decision", "decision_person_ids", "decision_status", "decided_by", "decided_at", "decision_note",
)
VERDICTS = ("accept", "reject", "defer")
# Rows per Arrow batch handed to DuckDB when storing a table: its row group size.
_ROW_GROUP = 122_880
# A text column whose values are mostly repeats (distinct values at most this share of them) is
# stored as a dictionary, any other with FSST: DuckDB would choose so itself, after trying both.
_DICTIONARY_SHARE = 0.05


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


@dataclass(frozen=True)
class PairSet:
    """What a set of scored pairs was made with: a commune run reuses them only when all three
    are still the campaign's (`matching`: a fingerprint of the matching rules)."""

    model_id: int
    ingest_id: int
    matching: str


class IngestWrites:
    """The writes of one ingest (`Store.save_ingest`), made in the order given on a thread of their
    own: DuckDB compresses a table on every core, while reading and normalizing the next one leave
    a core partly idle. A table is let go once written."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="reconcile-ingest-writes")
        self._pending: list[Future[None]] = []
        self.saved: list[IngestedSide] = []

    def table(self, name: str, frame: pl.DataFrame) -> None:
        """Make the table `name` hold exactly `frame`."""
        self._submit(self._store._replace_table, name, frame)

    def side(self, side: IngestedSide) -> None:
        """Write a side: its tables (taken out of its `tables`), its rejected rows and its ingests row."""
        for name in list(side.tables):
            self.table(name, side.tables.pop(name))
        self._submit(self._store._save_side, side)
        self.saved.append(side)

    def _submit(self, write: Callable[..., None], *args: object) -> None:
        self._raise_failure()
        self._pending.append(self._thread.submit(write, *args))

    def _raise_failure(self) -> None:
        """Raise the error of a write that failed (the next ones would fail in its aborted transaction)."""
        for done in [f for f in self._pending if f.done()]:
            self._pending.remove(done)
            done.result()

    def finish(self) -> None:
        """Wait for every write; raise the first error."""
        for write in self._pending:
            write.result()
        self._thread.shutdown()

    def abort(self) -> None:
        """Drop the writes not begun, stop the one under way, and wait for it."""
        self._thread.shutdown(wait=False, cancel_futures=True)
        self._store.con.interrupt()
        self._thread.shutdown(wait=True)


def _arrow_stream(frame: pl.DataFrame) -> pa.RecordBatchReader:
    """A frame as Arrow batches of one row group each, converted only as DuckDB reads them: the
    table is never held twice, and DuckDB's threads compress and write the row groups in parallel.

    Text goes as Arrow string views, Polars' own layout, so it is handed over without a copy; a
    batch is one chunk, since DuckDB merges (and writes again) the row groups of smaller batches."""
    newest = pl.CompatLevel.newest()

    def batches() -> Iterator[pa.RecordBatch]:
        for start in range(0, frame.height, _ROW_GROUP):
            yield from frame.slice(start, _ROW_GROUP).rechunk().to_arrow(compat_level=newest).to_batches()

    return pa.RecordBatchReader.from_batches(frame.head(0).to_arrow(compat_level=newest).schema, batches())


def _text_compression(frame: pl.DataFrame) -> dict[str, str]:
    """The compression of each text column, judged on about a row group of rows taken across the frame:
    naming it spares DuckDB trying every method on every row group (a third of the time of a write)."""
    text = [column for column, dtype in frame.schema.items() if dtype == pl.String]
    if not text:
        return {}
    sample = frame.select(text).gather_every(max(frame.height // _ROW_GROUP, 1))
    distinct = sample.select(pl.all().drop_nulls().n_unique()).row(0)
    values = sample.select(pl.all().count()).row(0)
    return {
        column: "dictionary" if different <= _DICTIONARY_SHARE * given else "fsst"
        for column, different, given in zip(text, distinct, values, strict=True)
    }


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@dataclass(frozen=True)
class NewDecision:
    """An officer's decision to store: accept (with the population person IDs), reject or defer."""

    record_id: str
    verdict: str
    person_ids: list[str]
    note: str


@dataclass(frozen=True)
class DecidedRecord:
    """The record a decision was stored for, as it stood."""

    decision_id: int
    record_type: str
    record_id: str
    commune: str
    bucket: str


class Store:
    """An open campaign database."""

    def __init__(self, path: Path, read_only: bool = False) -> None:
        if read_only and not path.exists():
            raise CampaignError.said("err_no_database", path=path)
        self.path = path
        self.con = connect(path, read_only)
        try:
            if read_only and schema_version(self.con, path) < SCHEMA_VERSION:
                self.con.close()  # an older layout: migrate it once, then read
                writer = connect(path, read_only=False)
                try:
                    migrate(writer, path)
                finally:
                    writer.close()
                self.con = connect(path, read_only=True)
            elif not read_only:
                migrate(self.con, path)
        except duckdb.Error as exc:
            self.con.close()
            raise CampaignDatabaseError.said("err_database_damaged", str(path), why=first_line(exc)) from None
        except BaseException:
            self.con.close()
            raise
        # Query results handed over as Arrow string views, which Polars takes as they are. With the
        # scans on every core, reading the persons' matching and deciding columns at 1.5 million
        # persons takes 0.75 s instead of 1.0 (it was read on one thread, which held fewer buffers;
        # the commands' peaks are now elsewhere, and did not rise).
        self.con.execute("SET produce_arrow_string_view = true")

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: object) -> None:
        self.close()
        short = as_resource_error(exc) if exc is not None else None
        if short is not None:  # a full disk (the transaction was rolled back), or out of memory
            raise short from None
        # A read that fails on the file itself (a truncated or overwritten block) is damage, not a bug.
        if isinstance(exc, (duckdb.IOException, duckdb.SerializationException)) or (
                isinstance(exc, duckdb.Error) and "corrupt" in str(exc).lower()):
            raise CampaignDatabaseError.said("err_database_damaged_or_disk", str(self.path),
                                             why=first_line(exc)) from None

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
        # Text comes as Arrow string views (see __init__), Polars' own layout: no conversion.
        return pl.from_arrow(self.con.sql(sql, params=params).to_arrow_table())

    def table(self, name: str, columns: Iterable[str] | None = None) -> pl.DataFrame:
        """The whole table, or only the given columns (those the table has, in its own order)."""
        if not self.has_table(name):
            raise CampaignError.said("err_no_table", name=name)
        if columns is None:
            return self.frame(f'SELECT * FROM "{name}"')
        wanted = set(columns)
        present = [r[0] for r in self.con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
            [name]).fetchall()]
        chosen = ", ".join(f'"{c}"' for c in present if c in wanted)
        if not chosen:
            raise CampaignError.said("err_table_columns", name=name, columns=sorted(wanted))
        return self.frame(f'SELECT {chosen} FROM "{name}"')

    def _insert(self, table: str, frame: pl.DataFrame) -> None:
        """Append a frame's columns to the same-named columns of a table."""
        self.con.register("_incoming", frame.to_arrow(compat_level=pl.CompatLevel.newest()))
        self.con.execute(f'INSERT INTO "{table}" BY NAME SELECT * FROM _incoming')
        self.con.unregister("_incoming")

    def _replace_table(self, name: str, frame: pl.DataFrame) -> None:
        """Make the table `name` hold exactly `frame` (its columns and types)."""
        self.con.register("_incoming", _arrow_stream(frame))
        # A table under a row group is quick to write, and DuckDB weighs the methods' fixed costs best.
        methods = _text_compression(frame) if frame.height >= _ROW_GROUP and self._two_text_methods() else {}
        columns = ", ".join(
            _quoted(column) + f" {kind}" + (f" USING COMPRESSION {methods[column]}" if column in methods else "")
            for column, kind, *_ in self.con.execute("DESCRIBE SELECT * FROM _incoming").fetchall()
        )
        self.con.execute(f"CREATE OR REPLACE TABLE {_quoted(name)} ({columns})")
        self.con.execute(f"INSERT INTO {_quoted(name)} SELECT * FROM _incoming")
        self.con.unregister("_incoming")

    def _two_text_methods(self) -> bool:
        """Whether the database's storage format chooses between a dictionary and FSST for text on every
        row group (before DuckDB 1.3's, which has one method for both; an encrypted database's is newer)."""
        tags = self.con.execute(
            "SELECT tags FROM duckdb_databases() WHERE database_name = current_database()").fetchone()
        version = re.match(r"v(\d+)\.(\d+)\.", (tags[0] if tags else {}).get("storage_version", ""))
        return version is not None and (int(version[1]), int(version[2])) < (1, 3)

    def _next_id(self, table: str, column: str) -> int:
        return int(self.con.execute(f"SELECT coalesce(max({column}), 0) + 1 FROM {table}").fetchall()[0][0])

    def _snapshot(self, day: date, communes: list[str]) -> None:
        """File today's counts per state, and of open records per reason, for these communes (replacing
        today's earlier ones)."""
        with listed(self.con, "_communes", communes):
            self.con.execute("DELETE FROM snapshots WHERE day = ? AND commune IN (SELECT value FROM _communes)", [day])
            self.con.execute(SNAPSHOT, [day, now()])
            self.con.execute("DELETE FROM snapshot_reasons WHERE day = ? AND commune IN (SELECT value FROM _communes)",
                             [day])
            self.con.execute(REASON_SNAPSHOT, [day])

    # --- ingest ---------------------------------------------------------------------

    def latest_ingest(self) -> int:
        """The id of the latest ingest (0 before any): runs and models older than it are stale."""
        return int(self.con.execute("SELECT coalesce(max(ingest_id), 0) FROM ingests").fetchall()[0][0])

    @contextmanager
    def save_ingest(self, who: str, day: date) -> Iterator[IngestWrites]:
        """Replace the ingested tables and sides (registry and/or population), all in one transaction,
        committed when the block ends without an error; the ingests of earlier exports, and every run
        made on them, stay. What the block hands to the `IngestWrites` is written in order, while the
        block goes on to make the next table."""
        writes = IngestWrites(self)
        with self.transaction() as con:
            try:
                yield writes
                writes.finish()
            except BaseException:
                writes.abort()  # before the transaction is rolled back
                raise
            counts = {}
            for side in writes.saved:
                counts |= {f"{side.kind} rows": side.rows_read, f"{side.kind} rejected": side.rejected.height}
            audit.append(con, audit.AuditEntry("ingest", who, " + ".join(s.kind for s in writes.saved), counts,
                                               {s.path: s.sha256 for s in writes.saved}), day)

    def _save_side(self, side: IngestedSide) -> None:
        """A side's rejected rows (replacing its record type's) and its row in `ingests`."""
        self.con.execute("DELETE FROM rejected WHERE record_type = ?", [side.record_type])
        if side.rejected.height:
            self._insert("rejected", side.rejected.select(
                "record_type", "record_id", "source_file", "source_row", "column", "reason", "message",
                *(c for c in ("values", "commune") if c in side.rejected.columns)))
        self.con.execute(
            "INSERT INTO ingests (ingest_id, kind, path, sha256, rows_read, rows_rejected, ignored_columns, "
            "ingested_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [self._next_id("ingests", "ingest_id"), side.kind, side.path, side.sha256, side.rows_read,
             side.rejected.height, json.dumps(list(side.ignored_columns), ensure_ascii=False), now()])

    # --- model ----------------------------------------------------------------------

    def save_model(self, model: TrainedModel, ingest_id: int, spouses: int, persons: int, who: str, day: date) -> int:
        with self.transaction() as con:
            model_id = self._next_id("models", "model_id")
            con.execute("INSERT INTO models (model_id, ingest_id, settings_json, spouses, persons, trained_at) "
                        "VALUES (?, ?, ?, ?, ?, ?)", [model_id, ingest_id, model.settings_json, spouses, persons, now()])
            for col, tf in model.tf_tables.items():
                self._insert("model_tf", tf.select(
                    pl.lit(model_id).alias("model_id"), pl.lit(col).alias("column_name"),
                    pl.col(col).cast(pl.String).alias("value"), pl.col(f"tf_{col}").cast(pl.Float64).alias("tf")))
            audit.append(con, audit.AuditEntry("train", who, f"model {model_id}",
                                               {"registry spouses": spouses, "population persons": persons}), day)
        return model_id

    def latest_model(self) -> tuple[int, int]:
        """The pinned (latest) model's id and the ingest it was trained on."""
        rows = self.con.execute("SELECT model_id, ingest_id FROM models ORDER BY model_id DESC LIMIT 1").fetchall()
        if not rows:
            raise CampaignError.said("err_no_model")
        return rows[0][0], rows[0][1] or 0

    def load_model(self) -> tuple[int, int, TrainedModel]:
        """The pinned (latest) model: its id, the ingest it was trained on, the model."""
        from reconcile.link.model import TrainedModel  # loads Splink: only commands that score need it

        model_id, ingest_id = self.latest_model()
        settings = self.con.execute(f"SELECT settings_json FROM models WHERE model_id = {number(model_id)}").fetchall()[0][0]
        tf = self.frame(f"SELECT column_name, value, tf FROM model_tf WHERE model_id = {number(model_id)}")
        tables = {
            col: tf.filter(pl.col("column_name") == col).select(pl.col("value").alias(col), pl.col("tf").alias(f"tf_{col}"))
            for col in tf["column_name"].unique().to_list()
        }
        return model_id, ingest_id, TrainedModel(settings, tables)

    # --- runs -----------------------------------------------------------------------

    def communes(self) -> set[str]:
        """Every commune with a marriage or a person in the campaign (UNKNOWN_COMMUNE for those
        whose commune is not known)."""
        return {r[0] for r in self.con.execute(
            f"SELECT coalesce(commune, '{UNKNOWN_COMMUNE}') FROM marriages UNION "
            f"SELECT coalesce(commune, '{UNKNOWN_COMMUNE}') FROM persons").fetchall()}

    def has_pairs(self, pair_set: PairSet) -> bool:
        """Whether the stored scored pairs were made by this model, on this ingest, with these
        matching rules."""
        return bool(self.con.execute(
            "SELECT 1 FROM pair_sets WHERE model_id = ? AND ingest_id = ? AND matching = ?",
            [pair_set.model_id, pair_set.ingest_id, pair_set.matching]).fetchall()) and self.has_table("scored_pairs")

    def scope_frames(self, communes: Sequence[str], min_probability: float,
                     columns: Mapping[str, Sequence[str]]) -> ScopeFrames:
        """What a run of these communes decides, from the stored scored pairs (see store.scope)."""
        return scope_frames(self.con, communes, min_probability, columns)

    def save_run(self, model_id: int, ingest_id: int, scope: str, communes: list[str], started_at: datetime,
                 results: pl.DataFrame, links: pl.DataFrame, candidates: pl.DataFrame,
                 who: str, day: date, changes: Mapping[str, int],
                 pairs: tuple[PairSet, pl.DataFrame] | None = None) -> int:
        """Store one run's results, spouse links (with their couple evidence), top candidates, the
        communes' snapshots and the audit entry, all or nothing; return its run id. Earlier runs'
        results are kept. `pairs`, when the run scored the whole province, replace the stored
        scored pairs."""
        with self.transaction() as con:
            if self.latest_ingest() != ingest_id:
                raise CampaignError.said("err_ingested_while_scoring")
            if pairs is not None:
                self._replace_pairs(*pairs)
            run_id = self._next_id("runs", "run_id")
            counts = results.group_by("record_type").len()
            n = dict(zip(counts["record_type"].to_list(), counts["len"].to_list()))
            con.execute("INSERT INTO runs (run_id, model_id, ingest_id, scope, started_at, finished_at, marriages, "
                        "persons) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        [run_id, model_id, ingest_id, scope, started_at, now(), n.get("marriage", 0), n.get("person", 0)])
            self._insert("run_communes", pl.DataFrame({"run_id": [run_id] * len(communes), "commune": communes},
                                                      schema={"run_id": pl.Int32, "commune": pl.String}))
            self._insert("results", results.select(pl.lit(run_id, pl.Int32).alias("run_id"), pl.all()).with_columns(
                pl.col("commune").fill_null(UNKNOWN_COMMUNE)))
            stages.reached("run:writing")
            self._insert("links", links.select(
                pl.lit(run_id, pl.Int32).alias("run_id"), "unique_id", "person_uid", "match_probability",
                "match_weight", pl.col("link_reasons").list.join(";"), "candidate_count",
                *(c for c, _ in LINK_COUPLE_COLUMNS if c in links.columns)))  # absent ones stay null
            self._insert("candidates", candidates.select(pl.lit(run_id, pl.Int32).alias("run_id"), pl.all()))
            self._snapshot(day, communes)
            buckets = results.group_by("bucket").len().sort("bucket")
            audit.append(con, audit.AuditEntry(
                "run", who, f"run {run_id}: {scope}",
                dict(zip(buckets["bucket"].to_list(), buckets["len"].to_list())) | dict(changes)), day)
            stages.reached("run:committing")
        return run_id

    def _replace_pairs(self, pair_set: PairSet, pairs: pl.DataFrame) -> None:
        self._replace_table("scored_pairs", pairs)
        self.con.execute("DELETE FROM pair_sets")
        self.con.execute("INSERT INTO pair_sets VALUES (?, ?, ?, ?, ?)",
                         [pair_set.model_id, pair_set.ingest_id, pair_set.matching, pairs.height, now()])

    def previous_results(self, communes: list[str]) -> pl.DataFrame:
        """Each of these communes' results from its latest run, on whatever data it was made."""
        with listed(self.con, "_communes", communes):
            return self.frame(f"""
                WITH latest AS ({latest_runs(False)})
                SELECT r.record_type, r.record_id, r.commune, r.bucket FROM results r
                JOIN latest l ON r.run_id = l.run_id AND r.commune = l.commune
                WHERE r.commune IN (SELECT value FROM _communes)""")

    # --- current state --------------------------------------------------------------

    def current_results(self) -> pl.DataFrame:
        """The results table of the contract: each commune's rows from the latest run that covered
        it on the current data (runs made before the latest ingest are stale), then every rejected
        row; after the contract's columns, the run and the officers' latest decision."""
        return self.frame(f"SELECT {', '.join(RESULT_EXPORT_COLUMNS)} FROM ({CURRENT}) "
                          "ORDER BY record_type, commune, record_id")

    def open_records(self, commune: str) -> pl.DataFrame:
        """A commune's records that wait for an officer: open conflicts, missing records (also
        deferred ones) and decisions to recheck."""
        return self.frame(f"SELECT * FROM ({CURRENT}) WHERE commune = ? AND state IN ('conflict', 'missing', 'recheck') "
                          "ORDER BY record_type, record_id", [commune])

    def snapshots(self) -> pl.DataFrame:
        """Every daily snapshot: per day and commune, the records in scope and in each state."""
        return self.frame("SELECT day, commune, in_scope, auto_resolved, decided, conflicts, missing, recheck "
                          "FROM snapshots ORDER BY day, commune")

    def explain_frames(self, record_id: str) -> dict[str, pl.DataFrame]:
        """Everything stored about one record's current result: `result`, and for a marriage its
        `spouses` (registry values), `links` (with their couple evidence), `candidates`, and the
        `persons` among the candidates, linked or in the runner-up couple."""
        result = self.current_results().filter(pl.col("record_id") == record_id)
        if result.is_empty():
            raise CampaignError.said("err_no_result", record=record_id)
        out = {"result": result}
        run_id = result["run_id"][0]
        if run_id is None or result["record_type"][0] != "marriage":
            return out
        spouses = self.frame("SELECT * FROM spouses WHERE registration_id = ?", [record_id])
        uids = spouses["unique_id"].to_list()
        out["spouses"] = spouses
        out["links"] = self.frame("SELECT * FROM links WHERE run_id = ? AND unique_id IN (SELECT unnest(?))", [run_id, uids])
        out["candidates"] = self.frame(
            "SELECT * FROM candidates WHERE run_id = ? AND unique_id IN (SELECT unnest(?)) ORDER BY unique_id, rank, step",
            [run_id, uids])
        # The candidates, and the persons of the marriage's best and runner-up couples.
        shown = pl.concat([out["candidates"]["person_uid"], *out["links"].select("person_uid", "runner_up_uid")])
        out["persons"] = self.frame("SELECT * FROM persons WHERE unique_id IN (SELECT unnest(?))",
                                    [shown.drop_nulls().unique().to_list()])
        return out

    # --- decisions ------------------------------------------------------------------

    def save_decision(self, record_id: str, verdict: str, person_ids: list[str], note: str, who: str,
                      day: date) -> DecidedRecord:
        """Record an officer's decision on a record's current result, with the evidence it rests
        on, the commune's snapshot and the audit entry, all in one transaction."""
        with self.transaction():
            done = self._decide(NewDecision(record_id, verdict, person_ids, note), who, day)
            self._snapshot(day, [done.commune])
        return done

    def save_decisions(self, decisions: Sequence[NewDecision], who: str, day: date,
                       entry: audit.AuditEntry) -> list[DecidedRecord]:
        """Record several decisions (the police's answers of one file) all or nothing: each with its
        evidence and audit entry, then the communes' snapshots and `entry` for the whole batch."""
        with self.transaction() as con:
            done = [self._decide(d, who, day) for d in decisions]
            self._snapshot(day, sorted({d.commune for d in done}))
            audit.append(con, entry, day)
        return done

    def _decide(self, decision: NewDecision, who: str, day: date) -> DecidedRecord:
        """Store one decision with its evidence and audit entry, inside the caller's transaction."""
        record_id, verdict, person_ids, note = decision.record_id, decision.verdict, decision.person_ids, decision.note
        if verdict not in VERDICTS:
            raise CampaignError.said("err_verdict", verdicts=", ".join(VERDICTS), verdict=verdict)
        found = self.frame(f"SELECT c.*, {EVIDENCE.format(t='c')} AS evidence FROM ({CURRENT}) c "
                           "WHERE c.record_id = ?", [record_id])
        worked = found.filter(pl.col("bucket") != "rejected")
        if found.is_empty():
            raise CampaignError.said("err_no_result_to_decide", record=record_id)
        if worked.is_empty():
            raise CampaignError.said("err_record_rejected", record=record_id, reasons=found["reasons"][0])
        if worked.height > 1:
            raise CampaignError.said("err_record_ambiguous", record=record_id, count=worked.height)
        known = self.frame("SELECT DISTINCT person_id FROM persons WHERE person_id IN (SELECT unnest(?::VARCHAR[]))",
                           [person_ids])["person_id"].to_list() if person_ids else []
        unknown = [p for p in person_ids if p not in known]
        if unknown:
            raise CampaignError.said("err_unknown_person", ids=", ".join(unknown))
        row = worked.row(0, named=True)
        decision_id = self._next_id("decisions", "decision_id")
        self.con.execute(
            "INSERT INTO decisions (decision_id, record_type, record_id, commune, verdict, person_ids, note, "
            "decided_by, decided_at, day, run_id, evidence) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [decision_id, row["record_type"], record_id, row["commune"], verdict, ";".join(person_ids) or None,
             note, who, now(), day, row["run_id"], row["evidence"]])
        subject = f"{record_id}: {verdict}" + (f" {', '.join(person_ids)}" if person_ids else "")
        audit.append(self.con, audit.AuditEntry("decide", who, subject, note=note), day)
        return DecidedRecord(decision_id, row["record_type"], record_id, row["commune"], row["bucket"])

    # --- audit log ------------------------------------------------------------------

    def log_export(self, entry: audit.AuditEntry, day: date) -> None:
        """Record the files written from the campaign (the write itself happened outside), and make
        them readable by their owner only, as the campaign itself is."""
        for written in entry.files:
            owner_only(Path(written))
        with self.transaction() as con:
            audit.append(con, entry, day)

    def audit_log(self, limit: int) -> pl.DataFrame:
        """The latest `limit` audit entries, newest first."""
        return self.frame("SELECT entry_id, strftime(logged_at, '%Y-%m-%d %H:%M:%S') AS logged_at, day, who, action, "
                          "subject, counts, files, note FROM audit ORDER BY entry_id DESC LIMIT ?", [limit])
