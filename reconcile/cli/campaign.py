"""The main job's commands: `init`, `ingest`, `train` and `run`."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Optional

import typer

from reconcile.cli import views
from reconcile.cli.app import ByOpt, CampaignOpt, EngineOpt, MemoryOpt, ThreadsOpt, app, chosen_engine, guard, new_screen
from reconcile.errors import UserError


@app.command(help="help_init")
def init(
    folder: Annotated[Path, typer.Argument(help="help_init_folder")] = Path("."),
    province: Annotated[str, typer.Option(help="help_init_province")] = "46",
    start: Annotated[Optional[str], typer.Option(help="help_init_start")] = None,
    days: Annotated[int, typer.Option(help="help_init_days")] = 90,
    encrypt: Annotated[bool, typer.Option(
        "--encrypt", help="help_init_encrypt")] = False,
) -> None:
    from reconcile.store import Store, create_campaign

    screen = new_screen()
    with guard(screen):
        try:
            first = date.fromisoformat(start) if start else date.today()
        except ValueError:
            raise UserError.said("err_start", value=start) from None
        campaign = create_campaign(folder.resolve(), province, first, days, encrypt)
        Store(campaign.database).close()  # the empty database, with its schema
        screen.success(screen.t("campaign_created", folder=campaign.folder, province=province, start=campaign.start,
                                end=campaign.end, days=days, rules=campaign.rules_dir, database=campaign.database.name)
                       + (screen.t("encrypted") if encrypt else ""))


@app.command(help="help_ingest")
def ingest(
    registry: Annotated[Optional[Path], typer.Option(help="help_ingest_registry")] = None,
    population: Annotated[Optional[Path], typer.Option(help="help_ingest_population")] = None,
    by: ByOpt = None,
    campaign: CampaignOpt = None,
) -> None:
    from reconcile.cli.memory import return_freed_memory_soon

    return_freed_memory_soon()  # before Polars loads
    from reconcile.commands import ingest as ingest_command
    from reconcile.store import find_campaign

    screen = new_screen()
    with guard(screen):
        camp = find_campaign(campaign)
        with screen.progress() as step:
            summaries = ingest_command.ingest(camp, registry, population, step, by)
        views.show_ingest(screen, summaries)


@app.command(help="help_train")
def train(by: ByOpt = None, campaign: CampaignOpt = None, engine: EngineOpt = "duckdb",
          memory_limit: MemoryOpt = None, threads: ThreadsOpt = None) -> None:
    from reconcile.commands import train as train_command
    from reconcile.store import find_campaign

    screen = new_screen()
    with guard(screen):
        backend = chosen_engine(engine, memory_limit, threads)
        camp = find_campaign(campaign)
        with screen.progress() as step:
            summary = train_command.train(camp, step, by, backend)
        screen.success(screen.t("trained", model=summary.model_id, spouses=f"{summary.spouses:,}",
                                persons=f"{summary.persons:,}"))
        if summary.notes:
            screen.info(screen.t("training_notes"))
            for note in summary.notes:
                screen.info(f"  - {note.removeprefix('WARNING: ')}")


@app.command(help="help_run")
def run(
    commune: Annotated[Optional[list[str]], typer.Option(help="help_run_commune")] = None,
    all_communes: Annotated[bool, typer.Option("--all", help="help_run_all")] = False,
    fresh: Annotated[bool, typer.Option("--fresh", help="help_run_fresh")] = False,
    by: ByOpt = None,
    campaign: CampaignOpt = None,
    engine: EngineOpt = "duckdb",
    memory_limit: MemoryOpt = None,
    threads: ThreadsOpt = None,
) -> None:
    from reconcile.commands import run as run_command
    from reconcile.store import find_campaign

    screen = new_screen()
    with guard(screen):
        if bool(commune) == all_communes:
            raise UserError.said("err_commune_or_all")
        backend = chosen_engine(engine, memory_limit, threads)
        camp = find_campaign(campaign)
        with screen.progress() as step:
            summary = run_command.run(camp, None if all_communes else [c.strip().zfill(5) for c in commune or []], step, by,
                               backend, fresh=fresh)
        views.show_run(screen, summary)
        if summary.model_is_older_than_data:
            screen.info(screen.t("model_older"))
