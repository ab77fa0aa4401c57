"""Accuracy of `make bench`'s province against the generator's truth file: reconcile's campaign
(`reconcile evaluate`'s measures) and the independent plain Splink pipeline's best candidates
(bench/plain.py), on the same spouse-link measures. Prints one JSON line.

    python bench/accuracy.py CAMPAIGN_FOLDER PLAIN_BEST.parquet TRUTH.csv

For the plain pipeline, as a user of it would read its output: a spouse's link is its best
candidate; it is acted on (an automatic link) at a match probability of at least AUTO.
- precision: automatic links that point at the true person;
- recall: true spouse persons (in the population) found as the best candidate;
- auto share: true spouse persons linked automatically, and rightly.
reconcile's are the same measures of its results: links of auto-resolved marriages; the best link
in any bucket; auto-resolvable marriages auto-resolved.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import polars as pl

from reconcile.commands.accuracy import Evaluation
from reconcile.commands.evaluate import evaluate_campaign
from reconcile.store import find_campaign

AUTO = 0.9  # the plain pipeline's link threshold, as Splink's tutorials use it


def plain_measures(best: pl.DataFrame, truth: pl.DataFrame) -> dict[str, float]:
    marriages = truth.filter(pl.col("record_type") == "marriage")
    true = pl.concat([
        marriages.select((pl.col("record_id") + f"|{tag}").alias("spouse_uid"), pl.col(f"{role}_person_id").alias("truth"))
        for role, tag in (("husband", "H"), ("wife", "W"))
    ]).filter(pl.col("truth").is_not_null())
    judged = true.join(best, on="spouse_uid", how="left")
    auto = best.filter(pl.col("match_probability") >= AUTO).join(true, on="spouse_uid", how="left")
    right = auto.filter(pl.col("person_id") == pl.col("truth")).height
    return {"precision": right / max(auto.height, 1),
            "recall": judged.filter(pl.col("person_id") == pl.col("truth")).height / max(true.height, 1),
            "auto_share": right / max(true.height, 1),
            "auto_links": auto.height, "auto_links_wrong": auto.height - right, "spouses": true.height}


def ours(e: Evaluation) -> dict[str, float]:
    return {"precision": e.precision, "recall": e.recall, "auto_share": e.auto_share, "macro_f1": e.macro_f1,
            "auto_links": e.auto_links, "auto_links_wrong": e.auto_links - e.auto_links_correct,
            "marriages": e.marriages}


def main(campaign: Path, plain_best: Path, truth_path: Path) -> None:
    evaluation, _ = evaluate_campaign(find_campaign(campaign), truth_path, baseline=False)
    truth = pl.read_csv(truth_path, infer_schema_length=0)
    print(json.dumps({"reconcile": ours(evaluation), "plain": plain_measures(pl.read_parquet(plain_best), truth)}))


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]))
