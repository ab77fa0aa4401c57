"""Store: the campaign folder and its DuckDB database, the only writer of campaign state.

`Store` is a facade with one component per concern (`store.ingests`, `store.models`,
`store.runs`, `store.results`, `store.decisions`, `store.audit`), each in a module of its own.
"""

from reconcile.store.audit import AuditEntry
from reconcile.store.campaign import Campaign, create_campaign, find_campaign
from reconcile.store.database import Store
from reconcile.store.decisions import VERDICTS, DecidedRecord, NewDecision
from reconcile.store.ingests import IngestedSide
from reconcile.store.lock import writing
from reconcile.store.results import RESULT_EXPORT_COLUMNS
from reconcile.store.runs import UNKNOWN_COMMUNE, PairSet

__all__ = ["RESULT_EXPORT_COLUMNS", "UNKNOWN_COMMUNE", "VERDICTS", "AuditEntry", "Campaign", "DecidedRecord",
           "IngestedSide", "NewDecision", "PairSet", "Store", "create_campaign", "find_campaign", "writing"]
