"""reconcile: link the civil-status marriage registry to the population database and bucket every record."""

__version__ = "0.1.0"
