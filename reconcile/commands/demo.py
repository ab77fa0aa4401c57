"""`reconcile demo`: a sample province generated and taken through the whole path."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from reconcile.clock import today
from reconcile.commands.accuracy import Evaluation, evaluate, read_truth
from reconcile.commands.exports import export_results
from reconcile.commands.ingest import ingest
from reconcile.commands.progress import Progress, silent
from reconcile.commands.run import run
from reconcile.commands.train import train
from reconcile.store import Store, create_campaign
from reconcile.store.campaign import SETTINGS_FILE


@dataclass(frozen=True)
class DemoOutcome:
    buckets: dict[str, int]
    evaluation: Evaluation
    outputs: dict[str, Path]


def demo(out: Path, persons: int, progress: Progress = silent) -> DemoOutcome:
    """Generate a sample province and run the whole path on it, into `out`."""
    from reconcile.synthetic import generate

    campaign_dir = out / "campaign"
    progress("progress_generating_sample", persons=f"{persons:,}")
    files = generate(out / "data", persons=persons, seed=7)
    if (campaign_dir / SETTINGS_FILE).exists():
        shutil.rmtree(campaign_dir)  # the demo's own campaign from an earlier demo
    # The demo's campaign starts today, so that `status` shows day 1 of 90.
    campaign = create_campaign(campaign_dir, "46", today(), 90)
    ingest(campaign, files.registry, files.population, progress)
    progress("progress_training")
    train(campaign, progress)
    run(campaign, None, progress)
    with Store(campaign.database, read_only=True) as store:
        results = store.results.current()
    results_path = out / "results.csv"
    export_results(campaign, results_path, "csv")
    counts = results.group_by("bucket").len()
    return DemoOutcome(
        buckets=dict(zip(counts["bucket"].to_list(), counts["len"].to_list())),
        evaluation=evaluate(results, read_truth(files.truth)),
        outputs={"registry": files.registry, "population": files.population, "truth": files.truth,
                 "campaign": campaign_dir, "results": results_path},
    )


