"""The store's current state: the results table of the contract (each commune's latest run on the
current data, with the officers' decisions), a commune's open records, the daily snapshots and
everything stored about one record (`store.results`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from reconcile.errors import CampaignError
from reconcile.store.current import CURRENT

if TYPE_CHECKING:
    from reconcile.store.database import Store

# The columns of `CURRENT` that the results table shows (all but the internal `state`).
RESULT_EXPORT_COLUMNS = (
    "record_type", "record_id", "commune", "bucket", "action", "reasons", "husband_person_id", "wife_person_id",
    "husband_match_probability", "wife_match_probability", "proposed_changes", "source_file", "source_row",
    "run_id", "decision", "decision_person_ids", "decision_status", "decided_by", "decided_at", "decision_note",
)


class Results:
    """`store.results`: what the campaign holds now."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def current(self) -> pl.DataFrame:
        """The results table of the contract: each commune's rows from the latest run that covered
        it on the current data (runs made before the latest ingest are stale), then every rejected
        row; after the contract's columns, the run and the officers' latest decision."""
        return self._store.frame(f"SELECT {', '.join(RESULT_EXPORT_COLUMNS)} FROM ({CURRENT}) "
                          "ORDER BY record_type, commune, record_id")

    def open_records(self, commune: str) -> pl.DataFrame:
        """A commune's records that wait for an officer: open conflicts, missing records (also
        deferred ones) and decisions to recheck."""
        return self._store.frame(f"SELECT * FROM ({CURRENT}) WHERE commune = ? AND state IN ('conflict', 'missing', 'recheck') "
                          "ORDER BY record_type, record_id", [commune])

    def snapshots(self) -> pl.DataFrame:
        """Every daily snapshot: per day and commune, the records in scope and in each state."""
        return self._store.frame("SELECT day, commune, in_scope, auto_resolved, decided, conflicts, missing, recheck "
                          "FROM snapshots ORDER BY day, commune")

    def _candidate_steps(self, run_id: int, uids: list[str]) -> pl.DataFrame:
        """The stored candidates of these spouses in a run, one row per candidate and comparison
        (`step`, `comparison`, `level`, `weight`) in (spouse, rank, step) order. A run that took an
        earlier run's rows shares that run's candidate rows (store.runs.decided)."""
        held_by = self._store.con.execute(
            "SELECT r.run_id, r.comparisons FROM runs r JOIN runs this "
            "ON r.run_id = coalesce(this.candidates_of, this.run_id) WHERE this.run_id = ?", [run_id]).fetchall()
        holder, comparisons = (int(held_by[0][0]), held_by[0][1] or []) if held_by else (run_id, [])
        stored = self._store.frame(f"SELECT * FROM candidates WHERE run_id = {holder} "
                                   "AND unique_id IN (SELECT unnest(?)) ORDER BY unique_id, rank", [uids])
        steps = [stored.select(
            "unique_id", "person_uid", "rank", "match_probability", "match_weight", step=pl.lit(i, pl.Int32),
            comparison=pl.lit(name, pl.String), level=pl.col(f"level_{name}"), weight=pl.col(f"weight_{name}"),
        ).with_row_index("order") for i, name in enumerate(comparisons)]
        if not steps:
            return stored.select("unique_id", "person_uid", "rank", "match_probability", "match_weight",
                                 step=pl.lit(None, pl.Int32), comparison=pl.lit(None, pl.String),
                                 level=pl.lit(None, pl.String), weight=pl.lit(None, pl.Float64)).clear()
        return pl.concat(steps).sort("order", "step").drop("order")

    def explain_frames(self, record_id: str) -> dict[str, pl.DataFrame]:
        """Everything stored about one record's current result: `result`, and for a marriage its
        `spouses` (registry values), `links` (with their couple evidence), `candidates`, and the
        `persons` among the candidates, linked or in the runner-up couple, and `claims`: the persons
        whose record gives a linked person's personal ID as spouse."""
        result = self.current().filter(pl.col("record_id") == record_id)
        if result.is_empty():
            raise CampaignError.said("err_no_result", record=record_id)
        out = {"result": result}
        run_id = result["run_id"][0]
        if run_id is None or result["record_type"][0] != "marriage":
            return out
        spouses = self._store.frame("SELECT * FROM spouses WHERE registration_id = ?", [record_id])
        uids = spouses["unique_id"].to_list()
        out["spouses"] = spouses
        out["links"] = self._store.frame("SELECT * FROM links WHERE run_id = ? AND unique_id IN (SELECT unnest(?))",
                                         [run_id, uids])
        out["candidates"] = self._candidate_steps(int(run_id), uids)
        # The candidates, and the persons of the marriage's best and runner-up couples.
        shown = pl.concat([out["candidates"]["person_uid"], *out["links"].select("person_uid", "runner_up_uid")])
        out["persons"] = self._store.frame("SELECT * FROM persons WHERE unique_id IN (SELECT unnest(?))",
                                    [shown.drop_nulls().unique().to_list()])
        # Whoever else gives a linked person's personal ID as spouse: a typed name recording the
        # couple is then contested (decide.couples).
        linked_ids = out["persons"].join(out["links"].select(unique_id="person_uid"), on="unique_id", how="semi")
        out["claims"] = self._store.frame(
            "SELECT person_id, spouse_id, marital_status, death_date, death_year FROM persons "
            "WHERE spouse_id IN (SELECT unnest(?)) ORDER BY person_id", [linked_ids["person_id"].drop_nulls().to_list()])
        return out
