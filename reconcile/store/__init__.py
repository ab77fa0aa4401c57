"""Store: the campaign folder and its DuckDB database, the only writer of campaign state."""

from reconcile.store.campaign import Campaign, create_campaign, find_campaign
from reconcile.store.database import UNKNOWN_COMMUNE, IngestedSide, Store

__all__ = ["UNKNOWN_COMMUNE", "Campaign", "IngestedSide", "Store", "create_campaign", "find_campaign"]
