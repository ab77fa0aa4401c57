"""`reconcile evaluate`: a campaign's results scored against a truth file, beside a plain Splink
configuration and beside the other bucket rules (per spouse, or per couple) on the same data."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from reconcile.commands.accuracy import Evaluation, evaluate, read_truth
from reconcile.commands.progress import Progress, silent
from reconcile.commands.run import deciding_tables, filled
from reconcile.decide import decide
from reconcile.ruleset import load_rules
from reconcile.store import Campaign, Store
from reconcile.store.scope import ScopeFrames


def evaluate_campaign(campaign: Campaign, truth: Path, baseline: bool,
                      progress: Progress = silent, plain_pairs: pl.DataFrame | None = None,
                      ) -> tuple[Evaluation, Evaluation | None]:
    """Score the campaign's current results against a truth file and, if asked, a plain Splink
    configuration trained and bucketed on the same data with the same rules (`plain_pairs`: its
    pairs scored already, as `make bench` does with naive blocking)."""
    from reconcile.link.baseline import baseline_pairs

    expected = read_truth(truth)
    with Store(campaign.database, read_only=True) as store:
        results = store.results.current()
        tables = [store.table(t) for t in ("marriages", "spouses", "persons")] if baseline else []
    ours = evaluate(results, expected)
    if not baseline:
        return ours, None
    rules = load_rules(campaign.rules_dir)
    marriages, spouses, persons = tables
    if plain_pairs is None:
        progress("progress_baseline")
        pairs = baseline_pairs(spouses, persons, rules.matching)[1]
    else:
        pairs = plain_pairs
    plain, _ = decide(marriages, spouses, persons, pairs, rules.buckets, rules.reasons)
    return ours, evaluate(_as_run(plain, results), expected)


def _as_run(other: pl.DataFrame, results: pl.DataFrame) -> pl.DataFrame:
    """`other` results on the records of the campaign's `results`: the communes run so far, and
    the same rejected rows."""
    return pl.concat([
        other.join(results.select("record_type", "record_id"), on=["record_type", "record_id"], how="semi"),
        results.filter(pl.col("bucket") == "rejected").select(other.columns),
    ], how="vertical_relaxed")


def evaluate_couples_switched(campaign: Campaign, truth: Path,
                              progress: Progress = silent) -> tuple[Evaluation, str] | None:
    """The campaign's results bucketed again from the same scored pairs with the couple rules
    switched ([couples] enabled: off if on, on if off), scored against the truth, with the key of
    the command line's catalogue naming those rules: the couple rules' gain on the same data. None
    if the campaign's rules have no [couples]."""
    from dataclasses import replace

    expected = read_truth(truth)
    rules = load_rules(campaign.rules_dir)
    couples = rules.buckets.couples
    if couples is None:
        return None
    switched = replace(couples, enabled=not couples.enabled)
    # The switched rules' name, a key of the command line's catalogue (texts/cli.toml).
    label = "eval_couple_rules" if switched.enabled else "eval_per_spouse_rules"
    progress(f"progress_rebucketing_{label.removeprefix('eval_')}")
    with Store(campaign.database, read_only=True) as store:
        results = store.results.current()
        marriages, spouses, persons = deciding_tables(store)
        pairs = store.table("scored_pairs")
    scoped = filled(ScopeFrames(marriages, spouses, persons, pairs))
    other, _ = decide(scoped.marriages, scoped.spouses, scoped.persons, scoped.pairs,
                      replace(rules.buckets, couples=switched), rules.reasons)
    return evaluate(_as_run(other, results), expected), label


