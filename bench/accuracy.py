"""Accuracy of `make bench`'s province: the campaign's results and the plain Splink pipeline's
pairs (bench/plain.py), bucketed by the same rules, against the generator's truth file
(`reconcile evaluate`'s measures). Prints one JSON line.

    python bench/accuracy.py CAMPAIGN_FOLDER PLAIN_PAIRS.parquet TRUTH.csv
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import polars as pl

from reconcile.commands.accuracy import Evaluation
from reconcile.commands.evaluate import evaluate_campaign
from reconcile.store import find_campaign


def main(campaign: Path, plain_pairs: Path, truth: Path) -> None:
    ours, plain = evaluate_campaign(find_campaign(campaign), truth, baseline=True,
                                    plain_pairs=pl.read_parquet(plain_pairs))
    print(json.dumps({"reconcile": _measures(ours), "plain": _measures(plain)}))


def _measures(e: Evaluation) -> dict[str, float]:
    return {"precision": e.precision, "recall": e.recall, "auto_share": e.auto_share, "macro_f1": e.macro_f1,
            "auto_links": e.auto_links, "auto_links_wrong": e.auto_links - e.auto_links_correct,
            "marriages": e.marriages}


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]))
