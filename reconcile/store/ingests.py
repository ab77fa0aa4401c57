"""The store's ingests: the tables of the latest exports, their rejected rows, and the history of
every ingest (`store.ingests`)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import polars as pl

from reconcile.clock import now
from reconcile.store import audit

if TYPE_CHECKING:
    from reconcile.store.database import Store


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


class IngestWrites:
    """The writes of one ingest (`store.ingests.save`), made in the order given on a thread of their
    own: DuckDB compresses a table on every core, while reading and normalizing the next one leave
    a core partly idle. A table is let go once written."""

    def __init__(self, store: Store, save_side: Callable[[IngestedSide], None]) -> None:
        self._save_side = save_side
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
        self._submit(self._save_side, side)
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


class Ingests:
    """`store.ingests`: replace the ingested tables, and say which ingest is the latest."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def latest(self) -> int:
        """The id of the latest ingest (0 before any): runs and models older than it are stale."""
        return int(self._store.con.execute("SELECT coalesce(max(ingest_id), 0) FROM ingests").fetchall()[0][0])

    @contextmanager
    def save(self, who: str, day: date) -> Iterator[IngestWrites]:
        """Replace the ingested tables and sides (registry and/or population), all in one transaction,
        committed when the block ends without an error; the ingests of earlier exports, and every run
        made on them, stay. What the block hands to the `IngestWrites` is written in order, while the
        block goes on to make the next table."""
        writes = IngestWrites(self._store, self._save_side)
        with self._store.transaction() as con:
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
        self._store.con.execute("DELETE FROM rejected WHERE record_type = ?", [side.record_type])
        if side.rejected.height:
            self._store._insert("rejected", side.rejected.select(
                "record_type", "record_id", "source_file", "source_row", "column", "reason", "message",
                *(c for c in ("values", "commune") if c in side.rejected.columns)))
        self._store.con.execute(
            "INSERT INTO ingests (ingest_id, kind, path, sha256, rows_read, rows_rejected, ignored_columns, "
            "ingested_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [self._store._next_id("ingests", "ingest_id"), side.kind, side.path, side.sha256, side.rows_read,
             side.rejected.height, json.dumps(list(side.ignored_columns), ensure_ascii=False), now()])
