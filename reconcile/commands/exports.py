"""`reconcile export results`: the results table as a file, recorded in the audit log."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from reconcile.clock import today, user
from reconcile.export import write_results
from reconcile.store import AuditEntry, Campaign, Store, writing


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
            results = store.results.current()
        fmt = write_results(results, out, file_format)
        with out.open("rb") as handle:
            sha256 = hashlib.file_digest(handle, "sha256").hexdigest()
        with Store(campaign.database) as store:
            store.audit.log_export(AuditEntry("export", who, f"results ({fmt})", {"rows": results.height},
                                        {str(out.resolve()): sha256}), today())
    return ExportSummary(results.height, fmt, sha256)
