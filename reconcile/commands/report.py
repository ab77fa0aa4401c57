"""`reconcile report`: the supervisors' progress report, one self-contained HTML file."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from reconcile.clock import today, user
from reconcile.errors import UserError
from reconcile.ruleset import load_rules
from reconcile.store import AuditEntry, Campaign, Store, writing


@dataclass(frozen=True)
class ReportSummary:
    path: Path
    size: int       # bytes
    sha256: str
    communes: int


def report(campaign: Campaign, out: Path, lang: str, commune: str | None, who: str | None = None) -> ReportSummary:
    """Write the supervisor's progress report as of today, for the province or one commune, as one
    self-contained HTML file, and record the file in the audit log."""
    from reconcile.report.gather import gather
    from reconcile.report.html import render_report

    who, day = who or user(), today()
    with writing(campaign.folder, "report", who):
        with Store(campaign.database, read_only=True) as store:
            data = gather(campaign, store, load_rules(campaign.rules_dir).reasons, commune, day)
        page = render_report(data, lang).encode("utf-8")
        try:
            out.write_bytes(page)
        except OSError as exc:
            raise UserError.said("err_report_write", out=out, why=exc.strerror or exc) from None
        sha256 = hashlib.sha256(page).hexdigest()
        subject = f"report ({lang}" + (f", commune {commune})" if commune else ")")
        with Store(campaign.database) as store:
            store.audit.log_export(AuditEntry("export", who, subject, {"communes": len(data.progress.communes)},
                                        {str(out.resolve()): sha256}), day)
    return ReportSummary(out, len(page), sha256, len(data.progress.communes))
