"""The `reconcile` command line: parses options, calls a job, shows the outcome. Nothing else.

Exit codes: 0 ok, 1 user error (a one-line reason, no traceback), 2 internal error.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from reconcile import views
from reconcile.errors import UserError

if TYPE_CHECKING:
    from reconcile.console import Screen

app = typer.Typer(
    name="reconcile",
    help="Reconcile the civil-status marriage registry with the population database, commune by commune.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
export_app = typer.Typer(help="Write files from the campaign.", no_args_is_help=True)
fixtures_app = typer.Typer(help="Synthetic test data.", no_args_is_help=True)
app.add_typer(export_app, name="export")
app.add_typer(fixtures_app, name="fixtures")

CampaignOpt = Annotated[Optional[Path], typer.Option(
    "--campaign", help="Campaign folder (default: $RECONCILE_CAMPAIGN, else the current folder).",
    envvar="RECONCILE_CAMPAIGN", show_envvar=False)]


def _screen() -> Screen:
    from reconcile.console import Screen  # imported lazily so that --help stays instant

    return Screen()


@contextmanager
def _guard(screen: Screen) -> Iterator[None]:
    """Turn errors into a one-line message and the documented exit code."""
    try:
        yield
    except UserError as exc:
        screen.error(str(exc))
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        screen.error("interrupted; the campaign is unchanged")
        raise typer.Exit(1) from None
    except typer.Exit:
        raise
    except Exception as exc:  # noqa: BLE001 - the last line of defence: report, exit 2
        screen.error(f"internal error: {type(exc).__name__}: {exc} (please report this with the command you ran)")
        raise typer.Exit(2) from None


@app.command()
def init(
    folder: Annotated[Path, typer.Argument(help="Folder for the new campaign.")] = Path("."),
    province: Annotated[str, typer.Option(help="Current 2-digit province code, e.g. 46 for Huế.")] = "46",
    start: Annotated[Optional[str], typer.Option(help="First day of the campaign, YYYY-MM-DD (default: today).")] = None,
    days: Annotated[int, typer.Option(help="Length of the campaign in days.")] = 90,
) -> None:
    """Make a campaign folder: a database and a copy of the default rules.

    Example: reconcile init hue-2025 --province 46 --start 2025-05-31
    """
    from reconcile.store import Store, create_campaign

    screen = _screen()
    with _guard(screen):
        try:
            first = date.fromisoformat(start) if start else date.today()
        except ValueError:
            raise UserError(f"--start must be a date YYYY-MM-DD, got '{start}'") from None
        campaign = create_campaign(folder.resolve(), province, first, days)
        Store(campaign.database).close()  # the empty database, with its schema
        screen.success(f"campaign created in {campaign.folder} (province {province}, "
                       f"{campaign.start} → {campaign.end}, {days} days); rules copied to {campaign.rules_dir}, "
                       f"database {campaign.database.name}")


@app.command()
def ingest(
    registry: Annotated[Optional[Path], typer.Option(help="Registry marriages export (CSV, XLSX or Parquet).")] = None,
    population: Annotated[Optional[Path], typer.Option(help="Population persons export (CSV, XLSX or Parquet).")] = None,
    campaign: CampaignOpt = None,
) -> None:
    """Read, check and normalize the exports into the campaign.

    Example: reconcile ingest --registry ket_hon.xlsx --population dan_cu.csv
    """
    from reconcile import jobs
    from reconcile.store import find_campaign

    screen = _screen()
    with _guard(screen):
        camp = find_campaign(campaign)
        with screen.progress() as step:
            summaries = jobs.ingest(camp, registry, population, step)
        views.show_ingest(screen, summaries)


@app.command()
def train(campaign: CampaignOpt = None) -> None:
    """Train the matching model on the whole province and pin it in the campaign.

    Example: reconcile train
    """
    from reconcile import jobs
    from reconcile.store import find_campaign

    screen = _screen()
    with _guard(screen):
        camp = find_campaign(campaign)
        with screen.progress() as step:
            summary = jobs.train(camp, step)
        screen.success(f"model {summary.model_id} trained on {summary.spouses:,} registry spouses "
                       f"and {summary.persons:,} population persons")
        if summary.notes:
            screen.info("Training notes from Splink (levels without an estimate keep Splink's default):")
            for note in summary.notes:
                screen.info(f"  - {note.removeprefix('WARNING: ')}")


@app.command()
def run(
    commune: Annotated[Optional[list[str]], typer.Option(help="Current 5-digit commune code (repeatable).")] = None,
    all_communes: Annotated[bool, typer.Option("--all", help="Run every commune of the province.")] = False,
    campaign: CampaignOpt = None,
) -> None:
    """Link and bucket the marriages of one commune (or all), with the campaign's pinned model.

    Example: reconcile run --commune 19753     (or: reconcile run --all)
    """
    from reconcile import jobs
    from reconcile.store import find_campaign

    screen = _screen()
    with _guard(screen):
        if bool(commune) == all_communes:
            raise UserError("give either --commune CODE or --all")
        camp = find_campaign(campaign)
        with screen.progress() as step:
            summary = jobs.run(camp, None if all_communes else [c.strip().zfill(5) for c in commune or []], step)
        total = sum(summary.buckets.values())
        rows = [(b, summary.buckets.get(b, 0)) for b in ("auto_resolve", "conflict", "missing")]
        screen.table(f"Run {summary.run_id}: {len(summary.communes)} commune(s)", ["bucket", "records"], rows,
                     footer=("total", f"{total:,}"))
        if summary.model_is_older_than_data:
            screen.info("note: the model was trained before the latest ingest; run `reconcile train` to "
                        "retrain it on the current data (every later run then uses the new model)")


@app.command()
def status(campaign: CampaignOpt = None) -> None:
    """Show records per bucket and per commune, from each commune's latest run.

    Example: reconcile status
    """
    from reconcile.report import BUCKET_ORDER, bucket_table
    from reconcile.store import Store, find_campaign

    screen = _screen()
    with _guard(screen):
        camp = find_campaign(campaign)
        with Store(camp.database, read_only=True) as store:
            table = bucket_table(store.current_results())
        worked = 0 if table.is_empty() else int(table["total"].sum() - table["rejected"].sum())
        if not worked:
            screen.info("no results on the current data yet: run `reconcile run --all` (or --commune CODE)")
        if table.is_empty():
            return
        totals = ["total", ""] + [f"{int(table[c].sum()):,}" for c in (*BUCKET_ORDER, "total")]
        screen.table(f"Campaign {camp.folder.name}: province {camp.province}", ["commune", "name", *BUCKET_ORDER, "total"],
                     table.rows(), footer=totals)


@app.command()
def explain(
    record_id: Annotated[str, typer.Argument(help="A registration_id (marriage) or person_id (person).")],
    lang: Annotated[str, typer.Option(help="Language of the reasons: vi or en.")] = "vi",
    campaign: CampaignOpt = None,
) -> None:
    """Show why a record landed in its bucket: its reasons, the proposed change, and for each
    spouse the top candidates with the match weight every field contributed.

    Example: reconcile explain 46-2003-Q02-0157 --lang en
    """
    from reconcile.report import build_explanation
    from reconcile.ruleset import load_rules
    from reconcile.store import Store, find_campaign

    screen = _screen()
    with _guard(screen):
        if lang not in ("vi", "en"):
            raise UserError(f"--lang must be vi or en, got '{lang}'")
        camp = find_campaign(campaign)
        with Store(camp.database, read_only=True) as store:
            frames = store.explain_frames(record_id)
        ex = build_explanation(frames, load_rules(camp.rules_dir).reasons, lang)
        views.show_explanation(screen, ex)


@export_app.command("results")
def export_results(
    out: Annotated[Path, typer.Option(help="File to write.")],
    file_format: Annotated[Optional[str], typer.Option("--format", help="csv or parquet (default: from the extension).")] = None,
    campaign: CampaignOpt = None,
) -> None:
    """Write the results table of the data contract: one row per bucketed record.

    Example: reconcile export results --out results.csv
    """
    from reconcile.export import write_results
    from reconcile.store import Store, find_campaign

    screen = _screen()
    with _guard(screen):
        camp = find_campaign(campaign)
        with Store(camp.database, read_only=True) as store:
            results = store.current_results()
        fmt = write_results(results, out, file_format)
        screen.success(f"{results.height:,} result rows written to {out} ({fmt})")


@fixtures_app.command("generate")
def fixtures_generate(
    out: Annotated[Path, typer.Argument(help="Folder for registry, population and truth files.")],
    persons: Annotated[int, typer.Option(help="Number of population persons.")] = 20_000,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same files).")] = 7,
    province: Annotated[str, typer.Option(help="Current 2-digit province code.")] = "46",
    file_format: Annotated[str, typer.Option("--format", help="csv, parquet or xlsx.")] = "csv",
    headers: Annotated[str, typer.Option(help="vietnamese or canonical column headers.")] = "vietnamese",
) -> None:
    """Generate realistic synthetic registry and population exports with a truth file.

    Example: reconcile fixtures generate data/ --persons 300000 --seed 1
    """
    from reconcile.synthetic import generate

    screen = _screen()
    with _guard(screen):
        if persons < 10:
            raise UserError(f"--persons must be at least 10, got {persons}")
        with screen.progress() as step:
            step(f"generating {persons:,} persons")
            files = generate(out, persons=persons, seed=seed, province=province, file_format=file_format, headers=headers)
        for label, path in (("registry", files.registry), ("population", files.population), ("truth", files.truth)):
            screen.info(f"{label:>10}: {path}")


@app.command()
def evaluate(
    truth: Annotated[Path, typer.Option(help="Truth file written by `reconcile fixtures generate`.")],
    baseline: Annotated[bool, typer.Option(help="Also train and score a plain Splink configuration, side by side.")] = True,
    campaign: CampaignOpt = None,
) -> None:
    """Compare the campaign's results with a truth file: precision, recall, auto share, macro-F1,
    bucket confusion; beside a plain Splink configuration on the same data.

    Example: reconcile evaluate --truth data/truth.csv
    """
    from reconcile import jobs
    from reconcile.store import find_campaign

    screen = _screen()
    with _guard(screen):
        camp = find_campaign(campaign)
        with screen.progress() as step:
            ours, plain = jobs.evaluate_campaign(camp, truth, baseline, step)
        views.show_evaluation(screen, ours, plain)


@app.command()
def demo(
    out: Annotated[Path, typer.Option(help="Folder for the demo's data, campaign and outputs.")] = Path("demo-output"),
    persons: Annotated[int, typer.Option(help="Size of the generated province.")] = 20_000,
) -> None:
    """Generate sample data and run the whole path: init, ingest, train, run --all, export, evaluate.

    Example: reconcile demo --out /tmp/demo
    """
    from reconcile import jobs

    screen = _screen()
    with _guard(screen):
        if persons < 1000:
            raise UserError(f"--persons must be at least 1,000 for a meaningful demo, got {persons}")
        with screen.progress() as step:
            outcome = jobs.demo(out.resolve(), persons, step)
        screen.table("Buckets", ["bucket", "records"], [(b, outcome.buckets.get(b, 0)) for b in
                                                       ("auto_resolve", "conflict", "missing", "rejected")])
        views.show_evaluation(screen, outcome.evaluation)
        screen.info("Outputs:")
        for label, path in outcome.outputs.items():
            screen.info(f"  {label:<12} {path}")
        screen.info(f"Try: reconcile status --campaign {outcome.outputs['campaign']}")


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the app, mapping command-line usage errors to exit code 1."""
    command = typer.main.get_command(app)
    try:
        code = command.main(args=argv, prog_name="reconcile", standalone_mode=False)
    except typer.Abort:
        print("error: aborted", file=sys.stderr)
        return 1
    except Exception as exc:
        # Usage errors of the command-line parser (unknown option, missing value, …) carry
        # their own message; they are user errors.
        if hasattr(exc, "show") and hasattr(exc, "exit_code"):
            exc.show()
            return 1
        raise
    return code if isinstance(code, int) else 0


if __name__ == "__main__":
    sys.exit(main())
