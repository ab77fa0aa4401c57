"""Link registry spouses to population persons with Splink. The only stage that knows Splink.

Splink (with sqlglot) takes a good part of a second to import: the model's names load it on
first use, so that commands which do not link (a commune run from kept pairs, status, export)
start without it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from reconcile.link.engine import Engine

if TYPE_CHECKING:
    from reconcile.link.model import LINK_COLUMNS, TrainedModel, predict_pairs, train_model

_FROM_MODEL = ("LINK_COLUMNS", "TrainedModel", "predict_pairs", "train_model")


def __getattr__(name: str) -> Any:
    if name in _FROM_MODEL:
        from reconcile.link import model

        return getattr(model, name)
    raise AttributeError(f"module 'reconcile.link' has no attribute {name!r}")


__all__ = ["LINK_COLUMNS", "Engine", "TrainedModel", "predict_pairs", "train_model"]
