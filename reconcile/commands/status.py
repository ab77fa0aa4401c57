"""`reconcile status` and `reconcile log`: the campaign's records per bucket and progress, and its
audit log."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from reconcile.clock import today
from reconcile.errors import UserError
from reconcile.report import CampaignProgress, bucket_table, campaign_progress
from reconcile.store import Campaign, Store


@dataclass(frozen=True)
class StatusReport:
    buckets: pl.DataFrame        # records per bucket per commune, from the current results
    progress: CampaignProgress   # from the daily snapshots


def status(campaign: Campaign) -> StatusReport:
    """Records per bucket and commune now, and the campaign's progress as of today."""
    with Store(campaign.database, read_only=True) as store:
        results, snapshots = store.results.current(), store.results.snapshots()
    return StatusReport(bucket_table(results), campaign_progress(snapshots, campaign.start, campaign.days, today()))


def audit_log(campaign: Campaign, limit: int) -> pl.DataFrame:
    """The latest `limit` audit entries, newest first."""
    if limit < 1:
        raise UserError.said("err_limit", limit=limit)
    with Store(campaign.database, read_only=True) as store:
        return store.audit.entries(limit)
