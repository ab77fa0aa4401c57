"""The commands that write files for others: `export results`, `export conflicts` (for the police),
`import-answers` (their answers back) and `report` (for the supervisors)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from reconcile.cli import views
from reconcile.cli.app import ByOpt, CampaignOpt, app, chosen_lang, export_app, guard, new_screen
from reconcile.errors import UserError


@export_app.command("results", help="help_export_results")
def export_results(
    out: Annotated[Path, typer.Option(help="help_export_results_out")],
    file_format: Annotated[Optional[str], typer.Option("--format", help="help_export_results_format")] = None,
    by: ByOpt = None,
    campaign: CampaignOpt = None,
) -> None:
    from reconcile.commands import exports as exports_command
    from reconcile.store import find_campaign

    screen = new_screen()
    with guard(screen):
        done = exports_command.export_results(find_campaign(campaign), out, file_format, by)
        screen.success(screen.t("results_written", rows=f"{done.rows:,}", out=out, format=done.file_format,
                                sha=f"{done.sha256[:16]}…"))


@export_app.command("conflicts", help="help_export_conflicts")
def export_conflicts(
    out: Annotated[Path, typer.Option(help="help_export_conflicts_out")],
    commune: Annotated[Optional[str], typer.Option(help="help_commune")] = None,
    all_communes: Annotated[bool, typer.Option(
        "--all", help="help_export_conflicts_all")] = False,
    file_format: Annotated[Optional[str], typer.Option("--format", help="help_export_conflicts_format")] = None,
    lang: Annotated[Optional[str], typer.Option(help="help_export_conflicts_lang")] = None,
    by: ByOpt = None,
    campaign: CampaignOpt = None,
) -> None:
    from reconcile.commands import police as police_command
    from reconcile.store import find_campaign

    screen = new_screen()
    with guard(screen):
        done = police_command.export_conflicts(find_campaign(campaign), out, commune, all_communes, file_format,
                                       chosen_lang(screen, lang), by)
        views.show_conflict_export(screen, commune, done)


@app.command("import-answers", help="help_import_answers")
def import_answers(
    file: Annotated[Path, typer.Argument(help="help_import_answers_file")],
    by: ByOpt = None,
    campaign: CampaignOpt = None,
) -> None:
    from reconcile.commands import police as police_command
    from reconcile.store import find_campaign

    screen = new_screen()
    with guard(screen):
        done = police_command.import_answers(find_campaign(campaign), file, by)
        views.show_answers_import(screen, done)
        if done.problems:
            raise UserError.said("err_answers_not_applied", problems=f"{len(done.problems):,}", file=file.name)


@app.command(help="help_report")
def report(
    out: Annotated[Path, typer.Option(help="help_report_out")],
    lang: Annotated[Optional[str], typer.Option(help="help_report_lang")] = None,
    commune: Annotated[Optional[str], typer.Option(help="help_report_commune")] = None,
    by: ByOpt = None,
    campaign: CampaignOpt = None,
) -> None:
    from reconcile.commands import report as report_command
    from reconcile.store import find_campaign

    screen = new_screen()
    with guard(screen):
        lang = chosen_lang(screen, lang)
        done = report_command.report(find_campaign(campaign), out, lang, commune.strip().zfill(5) if commune else None, by)
        screen.success(screen.t("report_written", communes=f"{done.communes:,}", out=out, size=f"{done.size / 1e6:.1f}",
                                sha=f"{done.sha256[:16]}…"))
