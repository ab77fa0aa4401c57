"""Export: files made from the campaign store (never a recomputed match)."""

from reconcile.export.results import write_results

__all__ = ["write_results"]
