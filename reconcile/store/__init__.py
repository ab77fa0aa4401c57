"""Store: the campaign folder and its DuckDB database, the only writer of campaign state."""

from reconcile.store.audit import AuditEntry
from reconcile.store.campaign import Campaign, create_campaign, find_campaign
from reconcile.store.database import (
    RESULT_EXPORT_COLUMNS, UNKNOWN_COMMUNE, VERDICTS, DecidedRecord, IngestedSide, NewDecision, PairSet, Store,
)
from reconcile.store.lock import writing

__all__ = ["RESULT_EXPORT_COLUMNS", "UNKNOWN_COMMUNE", "VERDICTS", "AuditEntry", "Campaign", "DecidedRecord",
           "IngestedSide", "NewDecision", "PairSet", "Store", "create_campaign", "find_campaign", "writing"]
