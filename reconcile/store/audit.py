"""The audit log: an append-only record of every ingest, training, run, decision and export.

Each entry says who, when (the real time, and the campaign day), what, its counts, and the
SHA-256 of every file read or written. Entries are only ever added, inside the same
transaction as the change they record, so the log and the campaign never disagree. An ID number
in the subject or the note is kept masked (its last 3 digits): the log is read by supervisors,
and the decisions table keeps the IDs themselves.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import polars as pl

from reconcile.clock import now
from reconcile.ingest.privacy import mask_ids
from reconcile.store.campaign import owner_only

if TYPE_CHECKING:
    from reconcile.store.database import Store


@dataclass(frozen=True)
class AuditEntry:
    action: str                                   # ingest | train | run | decide | export
    who: str
    subject: str                                  # e.g. "run 4: 19753", "46-2003-Q02-0157: accept"
    counts: Mapping[str, int] = field(default_factory=dict)
    files: Mapping[str, str] = field(default_factory=dict)  # path -> SHA-256
    note: str = ""


def append(con: duckdb.DuckDBPyConnection, entry: AuditEntry, day: date) -> None:
    """Add one entry (inside the caller's transaction)."""
    entry_id = con.execute("SELECT coalesce(max(entry_id), 0) + 1 FROM audit").fetchall()[0][0]
    con.execute(
        "INSERT INTO audit (entry_id, logged_at, day, who, action, subject, counts, files, note) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [entry_id, now(), day, entry.who, entry.action, mask_ids(entry.subject),
         json.dumps(dict(entry.counts), ensure_ascii=False), json.dumps(dict(entry.files), ensure_ascii=False),
         mask_ids(entry.note)])


class AuditLog:
    """`store.audit`: record the files written from the campaign, and read the latest entries."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def log_export(self, entry: AuditEntry, day: date) -> None:
        """Record the files written from the campaign (the write itself happened outside), and make
        them readable by their owner only, as the campaign itself is."""
        for written in entry.files:
            owner_only(Path(written))
        with self._store.transaction() as con:
            append(con, entry, day)

    def entries(self, limit: int) -> pl.DataFrame:
        """The latest `limit` audit entries, newest first."""
        return self._store.frame("SELECT entry_id, strftime(logged_at, '%Y-%m-%d %H:%M:%S') AS logged_at, day, who, action, "
                          "subject, counts, files, note FROM audit ORDER BY entry_id DESC LIMIT ?", [limit])
