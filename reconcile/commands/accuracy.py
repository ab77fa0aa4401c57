"""Score a campaign's results against a truth file (the fixture generator writes one): the figures
`reconcile evaluate` and the demo show.

Spouse-link precision counts the links of auto-resolved marriages that point at the true
person; recall counts the true spouse persons found as the best link, in any bucket.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from reconcile.errors import InputFileError

TRUTH_COLUMNS = ("record_type", "record_id", "husband_person_id", "wife_person_id", "expected_bucket")
NO_RESULT = "(no result)"
NOT_IN_TRUTH = "(not in truth)"


@dataclass(frozen=True)
class Evaluation:
    marriages: int
    auto_links: int
    auto_links_correct: int
    true_links: int
    true_links_found: int
    auto_resolvable: int
    auto_resolvable_auto: int
    confusion: pl.DataFrame  # expected_bucket × bucket counts
    # Results in `conflict`, and those of them where the truth expects a person to decide.
    conflicts: int = 0
    conflicts_needed: int = 0
    # Every result row, and the `person` rows (married without registration) of persons that are a
    # spouse of a registry marriage: the same marriage reported a second time.
    records: int = 0
    extra_person_rows: int = 0
    # Automatic links between two namesake couples: auto-resolved marriages whose truth file
    # notes a namesake couple (noise `namesake_couple`).
    namesake_couples_auto: int = 0

    @property
    def precision(self) -> float:
        return self.auto_links_correct / self.auto_links if self.auto_links else 1.0

    @property
    def recall(self) -> float:
        return self.true_links_found / self.true_links if self.true_links else 1.0

    @property
    def macro_f1(self) -> float:
        """Mean over the buckets of the truth file of each bucket's F1 (records without a result,
        and results for records the truth does not list, count as wrong)."""
        conf = self.confusion
        found_cols = [c for c in conf.columns if c != "expected_bucket"]
        scores = []
        for row in conf.iter_rows(named=True):
            bucket = row["expected_bucket"]
            if bucket == NOT_IN_TRUTH:
                continue
            hit = row.get(bucket, 0) or 0
            expected = sum(row[c] for c in found_cols)
            found = int(conf[bucket].sum()) if bucket in conf.columns else 0
            scores.append(2 * hit / (expected + found) if expected + found else 1.0)
        return sum(scores) / len(scores) if scores else 1.0

    @property
    def conflict_precision(self) -> float:
        """The share of conflicts that truly need a person (1 when there are none)."""
        return self.conflicts_needed / self.conflicts if self.conflicts else 1.0

    @property
    def extra_person_share(self) -> float:
        return self.extra_person_rows / self.records if self.records else 0.0

    @property
    def auto_share(self) -> float:
        return self.auto_resolvable_auto / self.auto_resolvable if self.auto_resolvable else 1.0


def read_truth(path: Path) -> pl.DataFrame:
    """Read a truth CSV (as text), checking its columns."""
    try:
        truth = pl.read_csv(path, infer_schema=False, encoding="utf8-lossy")
    except (OSError, pl.exceptions.PolarsError) as exc:
        raise InputFileError.said("err_truth_unreadable", str(path), why=exc) from None
    missing = [c for c in TRUTH_COLUMNS if c not in truth.columns]
    if missing:
        raise InputFileError.said("err_truth_columns", str(path), columns=", ".join(missing))
    return truth


def evaluate(results: pl.DataFrame, truth: pl.DataFrame) -> Evaluation:
    """Compare results with the truth, record by record."""
    res = results.select(
        "record_type", "record_id", "bucket",
        res_h=pl.col("husband_person_id"), res_w=pl.col("wife_person_id"),
    )
    joined = truth.join(res, on=["record_type", "record_id"], how="full", coalesce=True)
    married = joined.filter(pl.col("record_type") == "marriage")
    sides = pl.concat([
        married.select("bucket", truth_id=pl.col(f"{r}_person_id"), found=pl.col(f"res_{r[0]}"))
        for r in ("husband", "wife")
    ])
    auto = sides.filter((pl.col("bucket") == "auto_resolve") & pl.col("found").is_not_null())
    true_links = sides.filter(pl.col("truth_id").is_not_null() & (pl.col("truth_id") != ""))
    confusion = (
        joined.with_columns(pl.col("bucket").fill_null(NO_RESULT), pl.col("expected_bucket").fill_null(NOT_IN_TRUTH))
        .pivot(on="bucket", index="expected_bucket", values="record_id", aggregate_function="len")
        .fill_null(0).sort("expected_bucket")
    )
    resolvable = married.filter(pl.col("expected_bucket") == "auto_resolve")
    conflicts = joined.filter(pl.col("bucket") == "conflict")
    spouses_of_marriages = pl.concat([married.select(person_id=pl.col(c)) for c in ("husband_person_id", "wife_person_id")])
    extra = joined.filter((pl.col("record_type") == "person") & pl.col("bucket").is_not_null()).join(
        spouses_of_marriages.filter(pl.col("person_id").is_not_null() & (pl.col("person_id") != "")),
        left_on="record_id", right_on="person_id", how="semi")
    noise = pl.col("noise") if "noise" in joined.columns else pl.lit(None, pl.String)
    return Evaluation(
        marriages=married.height,
        auto_links=auto.height,
        auto_links_correct=auto.filter(pl.col("found") == pl.col("truth_id")).height,
        true_links=true_links.height,
        true_links_found=true_links.filter(pl.col("found") == pl.col("truth_id")).height,
        auto_resolvable=resolvable.height,
        auto_resolvable_auto=resolvable.filter(pl.col("bucket") == "auto_resolve").height,
        confusion=confusion,
        conflicts=conflicts.height,
        conflicts_needed=conflicts.filter(pl.col("expected_bucket") == "conflict").height,
        records=joined.filter(pl.col("bucket").is_not_null()).height,
        extra_person_rows=extra.height,
        namesake_couples_auto=married.filter(
            (pl.col("bucket") == "auto_resolve") & noise.str.contains("namesake_couple").fill_null(False)).height,
    )
