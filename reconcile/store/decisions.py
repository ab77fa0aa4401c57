"""The store's decisions: an officer's (or the police's) decision on a record's current result,
kept with the evidence it rests on (`store.decisions`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import polars as pl

from reconcile.clock import now
from reconcile.errors import CampaignError
from reconcile.store import audit
from reconcile.store.current import CURRENT, EVIDENCE

if TYPE_CHECKING:
    from reconcile.store.database import Store

VERDICTS = ("accept", "reject", "defer")


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


class Decisions:
    """`store.decisions`: record decisions, one or a batch, all or nothing."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def save(self, record_id: str, verdict: str, person_ids: list[str], note: str, who: str,
                      day: date) -> DecidedRecord:
        """Record an officer's decision on a record's current result, with the evidence it rests
        on, the commune's snapshot and the audit entry, all in one transaction."""
        with self._store.transaction():
            done = self._decide(NewDecision(record_id, verdict, person_ids, note), who, day)
            self._store._snapshot(day, [done.commune])
        return done

    def save_all(self, decisions: Sequence[NewDecision], who: str, day: date,
                       entry: audit.AuditEntry) -> list[DecidedRecord]:
        """Record several decisions (the police's answers of one file) all or nothing: each with its
        evidence and audit entry, then the communes' snapshots and `entry` for the whole batch."""
        with self._store.transaction() as con:
            done = [self._decide(d, who, day) for d in decisions]
            self._store._snapshot(day, sorted({d.commune for d in done}))
            audit.append(con, entry, day)
        return done

    def _decide(self, decision: NewDecision, who: str, day: date) -> DecidedRecord:
        """Store one decision with its evidence and audit entry, inside the caller's transaction."""
        record_id, verdict, person_ids, note = decision.record_id, decision.verdict, decision.person_ids, decision.note
        if verdict not in VERDICTS:
            raise CampaignError.said("err_verdict", verdicts=", ".join(VERDICTS), verdict=verdict)
        found = self._store.frame(f"SELECT c.*, {EVIDENCE.format(t='c')} AS evidence FROM ({CURRENT}) c "
                           "WHERE c.record_id = ?", [record_id])
        worked = found.filter(pl.col("bucket") != "rejected")
        if found.is_empty():
            raise CampaignError.said("err_no_result_to_decide", record=record_id)
        if worked.is_empty():
            raise CampaignError.said("err_record_rejected", record=record_id, reasons=found["reasons"][0])
        if worked.height > 1:
            raise CampaignError.said("err_record_ambiguous", record=record_id, count=worked.height)
        known = self._store.frame("SELECT DISTINCT person_id FROM persons WHERE person_id IN (SELECT unnest(?::VARCHAR[]))",
                           [person_ids])["person_id"].to_list() if person_ids else []
        unknown = [p for p in person_ids if p not in known]
        if unknown:
            raise CampaignError.said("err_unknown_person", ids=", ".join(unknown))
        row = worked.row(0, named=True)
        decision_id = self._store._next_id("decisions", "decision_id")
        self._store.con.execute(
            "INSERT INTO decisions (decision_id, record_type, record_id, commune, verdict, person_ids, note, "
            "decided_by, decided_at, day, run_id, evidence) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [decision_id, row["record_type"], record_id, row["commune"], verdict, ";".join(person_ids) or None,
             note, who, now(), day, row["run_id"], row["evidence"]])
        subject = f"{record_id}: {verdict}" + (f" {', '.join(person_ids)}" if person_ids else "")
        audit.append(self._store.con, audit.AuditEntry("decide", who, subject, note=note), day)
        return DecidedRecord(decision_id, row["record_type"], record_id, row["commune"], row["bucket"])
