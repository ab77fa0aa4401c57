"""The day-to-day commands over the campaign's memory: review a commune's open records, record
an officer's decision, the campaign's status and progress, the audit log, and the results
export. Like `jobs.py`, they wire the store and the reports for the CLI and print nothing.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from reconcile.clock import today, user
from reconcile.errors import UserError
from reconcile.export import write_results
from reconcile.report import CampaignProgress, bucket_table, campaign_progress
from reconcile.ruleset import Reason, load_rules
from reconcile.store import RESULT_EXPORT_COLUMNS, AuditEntry, Campaign, DecidedRecord, Store, writing


@dataclass(frozen=True)
class ReviewPage:
    """One page of a commune's records waiting for an officer."""

    commune: str
    reason: str | None
    records: pl.DataFrame
    total: int
    page: int
    pages: int
    reasons: dict[str, Reason]  # the catalogue entries of the codes on this page


def _open_records(campaign: Campaign, commune: str, reason: str | None) -> tuple[pl.DataFrame, dict[str, Reason]]:
    """A commune's records waiting for an officer (only those with `reason`, if given), and the
    reasons catalogue."""
    catalogue = load_rules(campaign.rules_dir).reasons
    if reason is not None and reason not in catalogue:
        raise UserError.said("err_reason", reason=reason, known=", ".join(sorted(catalogue)))
    with Store(campaign.database, read_only=True) as store:
        records = store.open_records(commune)
    if reason is not None:
        records = records.filter(pl.col("reasons").str.split(";").list.contains(reason))
    return records, catalogue


def review(campaign: Campaign, commune: str, reason: str | None, page: int, page_size: int) -> ReviewPage:
    """The open conflicts, missing records and decisions to recheck of one commune, a page at a time."""
    if page < 1 or page_size < 1:
        raise UserError.said("err_page_size", page=page, page_size=page_size)
    records, catalogue = _open_records(campaign, commune, reason)
    pages = max(1, math.ceil(records.height / page_size))
    if page > pages:
        raise UserError.said("err_page_past", page=page, pages=pages, records=f"{records.height:,}")
    shown = records.slice((page - 1) * page_size, page_size)
    codes = {c for r in shown["reasons"].drop_nulls().to_list() for c in r.split(";") if c}
    return ReviewPage(commune, reason, shown, records.height, page, pages,
                      {c: catalogue[c] for c in sorted(codes) if c in catalogue})


def review_records(campaign: Campaign, commune: str, reason: str | None) -> pl.DataFrame:
    """Every record of one commune waiting for an officer (no paging), with the columns and values
    of `reconcile export results`."""
    return _open_records(campaign, commune, reason)[0].select(RESULT_EXPORT_COLUMNS)


def record_decision(campaign: Campaign, record_id: str, verdict: str, person_ids: list[str], note: str,
                    who: str) -> DecidedRecord:
    """Store an officer's decision on a record: accept (with the population person or persons
    it concerns), reject or defer, with a note saying why."""
    if not note.strip():
        raise UserError.said("err_note")
    if not who.strip():
        raise UserError.said("err_by")
    if (verdict == "accept") != bool(person_ids):
        raise UserError.said("err_accept_person")
    with writing(campaign.folder, f"decide {record_id}", who):
        with Store(campaign.database) as store:
            return store.save_decision(record_id, verdict, person_ids, note.strip(), who.strip(), today())


@dataclass(frozen=True)
class StatusReport:
    buckets: pl.DataFrame        # records per bucket per commune, from the current results
    progress: CampaignProgress   # from the daily snapshots


def status(campaign: Campaign) -> StatusReport:
    """Records per bucket and commune now, and the campaign's progress as of today."""
    with Store(campaign.database, read_only=True) as store:
        results, snapshots = store.current_results(), store.snapshots()
    return StatusReport(bucket_table(results), campaign_progress(snapshots, campaign.start, campaign.days, today()))


def audit_log(campaign: Campaign, limit: int) -> pl.DataFrame:
    """The latest `limit` audit entries, newest first."""
    if limit < 1:
        raise UserError.said("err_limit", limit=limit)
    with Store(campaign.database, read_only=True) as store:
        return store.audit_log(limit)


@dataclass(frozen=True)
class ExportSummary:
    rows: int
    file_format: str
    sha256: str


def export_results(campaign: Campaign, out: Path, file_format: str | None, who: str | None = None) -> ExportSummary:
    """Write the results table and record the file (with its SHA-256) in the audit log."""
    who = who or user()
    with writing(campaign.folder, "export results", who):
        with Store(campaign.database, read_only=True) as store:
            results = store.current_results()
        fmt = write_results(results, out, file_format)
        with out.open("rb") as handle:
            sha256 = hashlib.file_digest(handle, "sha256").hexdigest()
        with Store(campaign.database) as store:
            store.log_export(AuditEntry("export", who, f"results ({fmt})", {"rows": results.height},
                                        {str(out.resolve()): sha256}), today())
    return ExportSummary(results.height, fmt, sha256)
