"""The store's runs: each run's results, spouse links and candidates, and the province's scored
pairs that commune runs decide from (`store.runs`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

import polars as pl

from reconcile.clock import now
from reconcile.errors import CampaignError
from reconcile.store import audit, pauses
from reconcile.store.bulk import quoted
from reconcile.store.current import latest_runs
from reconcile.store.listed import listed
from reconcile.store.schema import CANDIDATE_STEP_COLUMNS, LINK_COUPLE_COLUMNS
from reconcile.store.scope import ScopeFrames, scope_frames

if TYPE_CHECKING:
    from reconcile.store.database import Store

# A commune value for records whose commune could not be determined.
UNKNOWN_COMMUNE = ""


@dataclass(frozen=True)
class PairSet:
    """What a set of scored pairs was made with: a commune run reuses them only when all three
    are still the campaign's (`matching`: a fingerprint of the matching rules)."""

    model_id: int
    ingest_id: int
    matching: str


@dataclass(frozen=True)
class Decided:
    """A run's rows for some communes, as stored: results and spouse links (`link_reasons` as a
    list); its top candidates are those stored with run `candidates_of`."""

    results: pl.DataFrame
    links: pl.DataFrame
    candidates_of: int


class Runs:
    """`store.runs`: store a run, and read what the next run needs (communes, pairs, previous results)."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def communes(self) -> set[str]:
        """Every commune with a marriage or a person in the campaign (UNKNOWN_COMMUNE for those
        whose commune is not known)."""
        return {r[0] for r in self._store.con.execute(
            f"SELECT coalesce(commune, '{UNKNOWN_COMMUNE}') FROM marriages UNION "
            f"SELECT coalesce(commune, '{UNKNOWN_COMMUNE}') FROM persons").fetchall()}

    def has_pairs(self, pair_set: PairSet) -> bool:
        """Whether the stored scored pairs were made by this model, on this ingest, with these
        matching rules."""
        return bool(self._store.con.execute(
            "SELECT 1 FROM pair_sets WHERE model_id = ? AND ingest_id = ? AND matching = ?",
            [pair_set.model_id, pair_set.ingest_id, pair_set.matching]).fetchall()) and self._store.has_table("scored_pairs")

    def scope_frames(self, communes: Sequence[str], min_probability: float,
                     columns: Mapping[str, Sequence[str]], pairs: pl.DataFrame | None = None) -> ScopeFrames:
        """What a run of these communes decides (see store.scope), from the stored scored pairs, or
        from `pairs`, the province's pairs just scored (not stored yet: the run stores them with its
        rows, all or nothing). They are copied into a temporary table of this connection (read
        through a registered Arrow table, DuckDB would push the scope's filters down to pyarrow,
        which cannot compare the string views Polars hands over); the campaign's marriages, spouses
        and persons are read where they are: no frame of the province is made (a commune run that
        scored the province peaked at 4.7 GB over such frames)."""
        if pairs is None:
            return scope_frames(self._store.con, communes, min_probability, columns)
        con = self._store.con
        con.register("_scored_now_arrow", pairs.to_arrow(compat_level=pl.CompatLevel.newest()))
        try:
            con.execute("CREATE OR REPLACE TEMP TABLE _scored_now AS SELECT * FROM _scored_now_arrow")
        finally:
            con.unregister("_scored_now_arrow")
        try:
            return scope_frames(con, communes, min_probability, columns, pairs_table="_scored_now")
        finally:
            con.execute("DROP TABLE IF EXISTS _scored_now")

    def save(self, model_id: int, ingest_id: int, scope: str, communes: list[str], started_at: datetime,
                 results: pl.DataFrame, links: pl.DataFrame, candidates: pl.DataFrame | int,
                 who: str, day: date, changes: Mapping[str, int],
                 pairs: tuple[PairSet, pl.DataFrame] | None = None, decided_with: str | None = None) -> int:
        """Store one run's results, spouse links (with their couple evidence), top candidates, the
        communes' snapshots and the audit entry, all or nothing; return its run id. Earlier runs'
        results are kept. `pairs`, when the run scored the whole province, replace the stored
        scored pairs. `decided_with`: what decided it (commands.run), for a later run of some of
        its communes to reuse its rows (`decided`). `candidates`: the top candidates, or the run whose
        stored candidate rows are this run's too (a run that took that run's rows)."""
        with self._store.transaction() as con:
            if self._store.ingests.latest() != ingest_id:
                raise CampaignError.said("err_ingested_while_scoring")
            if pairs is not None:
                self._replace_pairs(*pairs)
            run_id = self._store._next_id("runs", "run_id")
            counts = results.group_by("record_type").len()
            n = dict(zip(counts["record_type"].to_list(), counts["len"].to_list()))
            shared = candidates if isinstance(candidates, int) else None
            comparisons = None if shared is not None else [
                c.removeprefix("level_") for c in candidates.columns if c.startswith("level_")]
            con.execute("INSERT INTO runs (run_id, model_id, ingest_id, scope, started_at, finished_at, marriages, "
                        "persons, decided_with, candidates_of, comparisons) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [run_id, model_id, ingest_id, scope, started_at, now(), n.get("marriage", 0), n.get("person", 0),
                         decided_with, shared, comparisons])
            self._store._insert("run_communes", pl.DataFrame({"run_id": [run_id] * len(communes), "commune": communes},
                                                      schema={"run_id": pl.Int32, "commune": pl.String}))
            self._store._insert("results", results.select(pl.lit(run_id, pl.Int32).alias("run_id"), pl.all()).with_columns(
                pl.col("commune").fill_null(UNKNOWN_COMMUNE)))
            pauses.reached("run:writing")
            self._store._insert("links", links.select(
                pl.lit(run_id, pl.Int32).alias("run_id"), "unique_id", "person_uid", "match_probability",
                "match_weight", pl.col("link_reasons").list.join(";"), "candidate_count",
                *(c for c, _ in LINK_COUPLE_COLUMNS if c in links.columns)))  # absent ones stay null
            if not isinstance(candidates, int):
                self._save_candidates(run_id, candidates)
            self._store._snapshot(day, communes)
            buckets = results.group_by("bucket").len().sort("bucket")
            audit.append(con, audit.AuditEntry(
                "run", who, f"run {run_id}: {scope}",
                dict(zip(buckets["bucket"].to_list(), buckets["len"].to_list())) | dict(changes)), day)
            pauses.reached("run:committing")
        return run_id

    def decided(self, decided_with: str, communes: Sequence[str]) -> Decided | None:
        """The rows, for these communes, of the latest run decided with `decided_with` that covered
        every one of them; None if there is none. Deciding is a function of the model, the data,
        the rules and the deciding code, all in `decided_with`: such a run's rows are what deciding
        these communes again would give (a commune run's rows equal the full run's:
        tests/test_run_scope.py)."""
        con = self._store.con
        with listed(con, "_communes", communes):
            found = con.execute(
                "SELECT r.run_id, coalesce(any_value(r.candidates_of), r.run_id) FROM runs r "
                "JOIN run_communes c ON c.run_id = r.run_id "
                "WHERE r.decided_with = ? AND c.commune IN (SELECT value FROM _communes) "
                "GROUP BY r.run_id HAVING count(DISTINCT c.commune) = (SELECT count(DISTINCT value) FROM _communes) "
                "ORDER BY r.run_id DESC LIMIT 1", [decided_with]).fetchall()
            if not found:
                return None
            run_id, candidates_of = int(found[0][0]), int(found[0][1])
            # The run's number written into the SQL: DuckDB plans a filter on a parameter as a scan
            # of every run's rows (store.database).
            results = self._store.frame(
                f"SELECT * EXCLUDE (run_id) FROM results WHERE run_id = {run_id} "
                "AND commune IN (SELECT value FROM _communes)")
            spouses = ("SELECT unique_id FROM spouses WHERE registration_id IN (SELECT registration_id FROM marriages "
                       f"WHERE coalesce(commune, '{UNKNOWN_COMMUNE}') IN (SELECT value FROM _communes))")
            links = self._store.frame(
                f"SELECT * EXCLUDE (run_id) FROM links WHERE run_id = {run_id} AND unique_id IN ({spouses})")
        links = links.with_columns(pl.col("link_reasons").fill_null("").str.split(";").list.eval(
            pl.element().filter(pl.element() != "")))
        return Decided(results, links, candidates_of)

    def _save_candidates(self, run_id: int, candidates: pl.DataFrame) -> None:
        """A run's candidate rows (decide.top_candidates: one per candidate, a `level_*` and a
        `weight_*` column per comparison), the table given the columns of comparisons it lacks."""
        have = {r[0] for r in self._store.con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'candidates'").fetchall()}
        for column in candidates.columns:
            kind = next((k for prefix, k in CANDIDATE_STEP_COLUMNS if column.startswith(prefix)), None)
            if kind is not None and column not in have:
                self._store.con.execute(f"ALTER TABLE candidates ADD COLUMN {quoted(column)} {kind}")
        self._store._insert("candidates", candidates.select(pl.lit(run_id, pl.Int32).alias("run_id"), pl.all()))

    def _replace_pairs(self, pair_set: PairSet, pairs: pl.DataFrame) -> None:
        self._store._replace_table("scored_pairs", pairs)
        self._store.con.execute("DELETE FROM pair_sets")
        self._store.con.execute("INSERT INTO pair_sets VALUES (?, ?, ?, ?, ?)",
                         [pair_set.model_id, pair_set.ingest_id, pair_set.matching, pairs.height, now()])

    def previous_results(self, communes: list[str]) -> pl.DataFrame:
        """Each of these communes' results from its latest run, on whatever data it was made."""
        with listed(self._store.con, "_communes", communes):
            return self._store.frame(f"""
                WITH latest AS ({latest_runs(False)})
                SELECT r.record_type, r.record_id, r.commune, r.bucket FROM results r
                JOIN latest l ON r.run_id = l.run_id AND r.commune = l.commune
                WHERE r.commune IN (SELECT value FROM _communes)""")
