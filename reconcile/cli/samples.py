"""The commands on sample data: `fixtures generate`, `evaluate` (against a truth file) and `demo`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from reconcile.cli import views
from reconcile.cli.app import CampaignOpt, app, fixtures_app, guard, new_screen
from reconcile.errors import UserError


@fixtures_app.command("generate", help="help_fixtures_generate")
def fixtures_generate(
    out: Annotated[Path, typer.Argument(help="help_fixtures_out")],
    persons: Annotated[int, typer.Option(help="help_fixtures_persons")] = 20_000,
    seed: Annotated[int, typer.Option(help="help_fixtures_seed")] = 7,
    province: Annotated[str, typer.Option(help="help_fixtures_province")] = "46",
    file_format: Annotated[str, typer.Option("--format", help="help_fixtures_format")] = "csv",
    headers: Annotated[str, typer.Option(help="help_fixtures_headers")] = "vietnamese",
    marriages: Annotated[Optional[int], typer.Option(
        help="help_fixtures_marriages")] = None,
) -> None:
    from reconcile.synthetic import generate

    screen = new_screen()
    with guard(screen):
        if persons < 10:
            raise UserError.said("err_persons", value=persons)
        if marriages is not None and not 1 <= marriages <= persons // 2:
            raise UserError.said("err_marriages", half=f"{persons // 2:,}", value=f"{marriages:,}")
        with screen.progress() as step:
            step("progress_generating", persons=f"{persons:,}")
            files = generate(out, persons=persons, seed=seed, province=province, file_format=file_format,
                             headers=headers, marriages=marriages)
        for label, path, rows in (("registry", files.registry, files.registry_rows),
                                  ("population", files.population, files.population_rows),
                                  ("truth", files.truth, files.truth_rows)):
            screen.info(screen.t(f"generated_{label}", path=path, rows=f"{rows:,}"))


@app.command(help="help_evaluate")
def evaluate(
    truth: Annotated[Path, typer.Option(help="help_evaluate_truth")],
    baseline: Annotated[bool, typer.Option(help="help_evaluate_baseline")] = True,
    couples: Annotated[bool, typer.Option(
        help="help_evaluate_couples")] = True,
    campaign: CampaignOpt = None,
) -> None:
    from reconcile.commands import evaluate as evaluate_command
    from reconcile.store import find_campaign

    screen = new_screen()
    with guard(screen):
        camp = find_campaign(campaign)
        with screen.progress() as step:
            ours, plain = evaluate_command.evaluate_campaign(camp, truth, baseline, step)
            switched = evaluate_command.evaluate_couples_switched(camp, truth, step) if couples else None
        views.show_evaluation(screen, ours, plain, switched)


@app.command(help="help_demo")
def demo(
    out: Annotated[Path, typer.Option(help="help_demo_out")] = Path("demo-output"),
    persons: Annotated[int, typer.Option(help="help_demo_persons")] = 20_000,
) -> None:
    from reconcile.commands import demo as demo_command

    screen = new_screen()
    with guard(screen):
        if persons < 1000:
            raise UserError.said("err_demo_persons", value=persons)
        with screen.progress() as step:
            outcome = demo_command.demo(out.resolve(), persons, step)
        screen.table(screen.t("demo_buckets"), [screen.t("bucket"), screen.t("records")],
                     [(b, outcome.buckets.get(b, 0)) for b in ("auto_resolve", "conflict", "missing", "rejected")])
        views.show_evaluation(screen, outcome.evaluation)
        screen.info(screen.t("demo_outputs"))
        for label, path in outcome.outputs.items():
            screen.info(f"  {label:<12} {path}")
        screen.info(screen.t("demo_try", campaign=outcome.outputs["campaign"]))
