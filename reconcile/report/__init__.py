"""Report: summaries read from the campaign store for people (terminal status, later the HTML report)."""

from reconcile.report.explain import Explanation, build_explanation
from reconcile.report.status import BUCKET_ORDER, bucket_table

__all__ = ["BUCKET_ORDER", "Explanation", "bucket_table", "build_explanation"]
