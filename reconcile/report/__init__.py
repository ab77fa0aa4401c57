"""Report: summaries read from the campaign store for people (terminal status, the supervisors' HTML report)."""

from reconcile.report.changes import RunChanges, compare_runs
from reconcile.report.explain import Explanation, build_explanation
from reconcile.report.progress import CampaignProgress, Progress, campaign_progress
from reconcile.report.status import BUCKET_ORDER, bucket_table, commune_names

__all__ = ["BUCKET_ORDER", "CampaignProgress", "Explanation", "Progress", "RunChanges", "bucket_table",
           "build_explanation", "campaign_progress", "commune_names", "compare_runs"]
