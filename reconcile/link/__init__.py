"""Link registry spouses to population persons with Splink. The only stage that knows Splink."""

from reconcile.link.engine import Engine
from reconcile.link.model import LINK_COLUMNS, TrainedModel, predict_pairs, train_model

__all__ = ["LINK_COLUMNS", "Engine", "TrainedModel", "predict_pairs", "train_model"]
