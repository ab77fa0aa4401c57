"""The `reconcile` command line: parses options, calls a job, shows the outcome. Nothing else.

Exit codes: 0 ok, 1 user error (a one-line reason, no traceback), 2 internal error.
"""

from __future__ import annotations

import atexit
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn, Optional

import typer

from reconcile import views
from reconcile.errors import UserError, as_resource_error

if TYPE_CHECKING:
    from reconcile.console import Screen
    from reconcile.link.engine import Engine

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

# The language of this invocation: --lang before the command, else RECONCILE_LANG, else Vietnamese.
_LANGUAGE: dict[str, str | None] = {"lang": None}


@app.callback()
def _language(lang: Annotated[Optional[str], typer.Option(
        "--lang", help="Language of what the commands show: vi (default) or en; also RECONCILE_LANG.")] = None) -> None:
    """Reconcile the civil-status marriage registry with the population database, commune by commune."""
    if lang is not None and lang.strip().lower() not in ("vi", "en"):
        raise typer.BadParameter(f"must be vi or en, got '{lang}'", param_hint="--lang")
    _LANGUAGE["lang"] = lang.strip().lower() if lang else None


CampaignOpt = Annotated[Optional[Path], typer.Option(
    "--campaign", help="Campaign folder (default: $RECONCILE_CAMPAIGN, else the current folder).",
    envvar="RECONCILE_CAMPAIGN", show_envvar=False)]
ByOpt = Annotated[Optional[str], typer.Option(
    "--by", help="Who runs this, for the audit log (default: the operating-system user).")]
EngineOpt = Annotated[str, typer.Option(
    "--engine", help="Where Splink runs: duckdb (this machine) or spark (local[N], spark-submit or Databricks).")]
MemoryOpt = Annotated[Optional[str], typer.Option(
    "--memory-limit", help="Memory the engine may use, e.g. 2GB (DuckDB spills to disk past it). Default: 1500MB "
                             "to train, 1GB to score, and no limit for a step that does not fit in that.")]
ThreadsOpt = Annotated[Optional[int], typer.Option(
    "--threads", help="Threads the engine may use (default: every core).")]

FormatOpt = Annotated[str, typer.Option(
    "--format", help="table (to read), csv (UTF-8 with BOM, for a spreadsheet) or json (for a script): "
                     "csv and json list every record, with full IDs.")]


def _format(value: str) -> str:
    fmt = value.strip().lower()
    if fmt not in views.FORMATS:
        raise UserError.said("err_format", formats=", ".join(views.FORMATS), value=value)
    return fmt


def _lang(screen: Screen, lang: str | None) -> str:
    """A command's own --lang, else the command line's language."""
    if lang is None:
        return screen.lang
    if lang.strip().lower() not in ("vi", "en"):
        raise UserError.said("err_lang", value=lang)
    return lang.strip().lower()


def _engine(name: str, memory_limit: str | None, threads: int | None) -> Engine:
    from reconcile.link.engine import Engine

    return Engine(name.strip().lower(), memory_limit, threads)


def _screen() -> Screen:
    from reconcile.console import Screen  # imported lazily so that --help stays instant

    return Screen(lang=_LANGUAGE["lang"])


@contextmanager
def _guard(screen: Screen) -> Iterator[None]:
    """Turn errors into a one-line message (no whole ID number in it) and the documented exit code.
    Files the command creates are readable by their owner only (umask 077)."""
    from reconcile.ingest.privacy import mask_ids

    umask = os.umask(0o077)
    try:
        yield
    except UserError as exc:
        screen.error(mask_ids(exc.said_in(screen.lang)))
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        screen.error(screen.t("interrupted"))
        raise typer.Exit(1) from None
    except typer.Exit:
        raise
    except Exception as exc:  # noqa: BLE001 - the last line of defence: report, exit 2
        short = as_resource_error(exc)  # out of memory under --memory-limit, a full disk: the user's to fix
        if short is not None:
            screen.error(mask_ids(short.said_in(screen.lang)))
            raise typer.Exit(1) from None
        screen.error(mask_ids(f"internal error: {type(exc).__name__}: {exc} (please report this with the command "
                              "you ran)"))
        raise typer.Exit(2) from None
    finally:
        os.umask(umask)


@app.command()
def init(
    folder: Annotated[Path, typer.Argument(help="Folder for the new campaign.")] = Path("."),
    province: Annotated[str, typer.Option(help="Current 2-digit province code, e.g. 46 for Huế.")] = "46",
    start: Annotated[Optional[str], typer.Option(help="First day of the campaign, YYYY-MM-DD (default: today).")] = None,
    days: Annotated[int, typer.Option(help="Length of the campaign in days.")] = 90,
    encrypt: Annotated[bool, typer.Option(
        "--encrypt", help="Encrypt the database at rest; its key comes from RECONCILE_KEY or the file named by "
                          "RECONCILE_KEY_FILE, for this and every later command.")] = False,
) -> None:
    """Make a campaign folder: a database and a copy of the default rules. With --encrypt, the
    database is encrypted at rest, and every command needs its key (RECONCILE_KEY or RECONCILE_KEY_FILE).

    Example: reconcile init hue-2025 --province 46 --start 2025-05-31
    """
    from reconcile.store import Store, create_campaign

    screen = _screen()
    with _guard(screen):
        try:
            first = date.fromisoformat(start) if start else date.today()
        except ValueError:
            raise UserError.said("err_start", value=start) from None
        campaign = create_campaign(folder.resolve(), province, first, days, encrypt)
        Store(campaign.database).close()  # the empty database, with its schema
        screen.success(screen.t("campaign_created", folder=campaign.folder, province=province, start=campaign.start,
                                end=campaign.end, days=days, rules=campaign.rules_dir, database=campaign.database.name)
                       + (screen.t("encrypted") if encrypt else ""))


@app.command()
def ingest(
    registry: Annotated[Optional[Path], typer.Option(help="Registry marriages export (CSV, XLSX or Parquet).")] = None,
    population: Annotated[Optional[Path], typer.Option(help="Population persons export (CSV, XLSX or Parquet).")] = None,
    by: ByOpt = None,
    campaign: CampaignOpt = None,
) -> None:
    """Read, check and normalize the exports into the campaign. A newer export replaces the
    current data; earlier ingests and the runs made on them stay in the history.

    Example: reconcile ingest --registry ket_hon.xlsx --population dan_cu.csv
    """
    from reconcile.memory import return_freed_memory_soon

    return_freed_memory_soon()
    from reconcile import jobs
    from reconcile.store import find_campaign

    screen = _screen()
    with _guard(screen):
        camp = find_campaign(campaign)
        with screen.progress() as step:
            summaries = jobs.ingest(camp, registry, population, step, by)
        views.show_ingest(screen, summaries)


@app.command()
def train(by: ByOpt = None, campaign: CampaignOpt = None, engine: EngineOpt = "duckdb",
          memory_limit: MemoryOpt = None, threads: ThreadsOpt = None) -> None:
    """Train the matching model on the whole province and pin it in the campaign.

    Example: reconcile train     (or: reconcile train --memory-limit 2GB --threads 2)
    """
    from reconcile import jobs
    from reconcile.store import find_campaign

    screen = _screen()
    with _guard(screen):
        backend = _engine(engine, memory_limit, threads)
        camp = find_campaign(campaign)
        with screen.progress() as step:
            summary = jobs.train(camp, step, by, backend)
        screen.success(screen.t("trained", model=summary.model_id, spouses=f"{summary.spouses:,}",
                                persons=f"{summary.persons:,}"))
        if summary.notes:
            screen.info(screen.t("training_notes"))
            for note in summary.notes:
                screen.info(f"  - {note.removeprefix('WARNING: ')}")


@app.command()
def run(
    commune: Annotated[Optional[list[str]], typer.Option(help="Current 5-digit commune code (repeatable).")] = None,
    all_communes: Annotated[bool, typer.Option("--all", help="Run every commune of the province.")] = False,
    by: ByOpt = None,
    campaign: CampaignOpt = None,
    engine: EngineOpt = "duckdb",
    memory_limit: MemoryOpt = None,
    threads: ThreadsOpt = None,
) -> None:
    """Link and bucket the marriages of one commune (or all), with the campaign's pinned model,
    and show what changed since the previous run of those communes.

    Example: reconcile run --commune 19753     (or: reconcile run --all)
    """
    from reconcile import jobs
    from reconcile.store import find_campaign

    screen = _screen()
    with _guard(screen):
        if bool(commune) == all_communes:
            raise UserError.said("err_commune_or_all")
        backend = _engine(engine, memory_limit, threads)
        camp = find_campaign(campaign)
        with screen.progress() as step:
            summary = jobs.run(camp, None if all_communes else [c.strip().zfill(5) for c in commune or []], step, by,
                               backend)
        views.show_run(screen, summary)
        if summary.model_is_older_than_data:
            screen.info(screen.t("model_older"))


@app.command()
def status(campaign: CampaignOpt = None, file_format: FormatOpt = "table") -> None:
    """Show records per bucket and per commune, from each commune's latest run, then the
    campaign's progress: day N, % done against a straight line to 100 % on the last day, and
    the finish date projected from the last 7 days' pace, per commune and for the province.
    RECONCILE_TODAY=YYYY-MM-DD shows it as on another day.

    Example: reconcile status
    """
    from reconcile import casework
    from reconcile.store import find_campaign

    screen = _screen()
    with _guard(screen):
        fmt = _format(file_format)
        camp = find_campaign(campaign)
        report = casework.status(camp)
        if fmt == "table":
            views.show_status(screen, screen.t("campaign_title", name=camp.folder.name, province=camp.province), report)
        else:
            views.write_status(report, fmt)


@app.command()
def review(
    commune: Annotated[str, typer.Option(help="Current 5-digit commune code.")],
    reason: Annotated[Optional[str], typer.Option(help="Only records with this reason code, e.g. SPOUSE_DIFFERS.")] = None,
    page: Annotated[int, typer.Option(help="Page to show.")] = 1,
    page_size: Annotated[int, typer.Option(help="Records per page.")] = 25,
    lang: Annotated[Optional[str], typer.Option(help="Language of the reasons: vi or en (default: the command line's).")] = None,
    campaign: CampaignOpt = None,
    file_format: FormatOpt = "table",
) -> None:
    """List a commune's records waiting for an officer: open conflicts, missing records (also
    deferred ones) and decisions whose evidence changed since (to recheck). With --format csv or
    json: every such record (no pages), with the columns of `reconcile export results`.

    Example: reconcile review --commune 19753 --reason SPOUSE_DIFFERS --page 2
    """
    from reconcile import casework
    from reconcile.store import find_campaign

    screen = _screen()
    with _guard(screen):
        lang = _lang(screen, lang)
        fmt = _format(file_format)
        camp = find_campaign(campaign)
        if fmt == "table":
            views.show_review(screen, casework.review(camp, commune.strip().zfill(5), reason, page, page_size), lang)
        else:
            views.write_rows(casework.review_records(camp, commune.strip().zfill(5), reason), fmt)


@app.command()
def decide(
    record_id: Annotated[str, typer.Argument(help="A registration_id (marriage) or person_id (person).")],
    note: Annotated[str, typer.Option(help="Why: kept with the decision.")],
    by: Annotated[str, typer.Option(help="The officer who decides.")],
    accept: Annotated[Optional[list[str]], typer.Option(
        help="Accept the record with this population person ID (repeat for both spouses).")] = None,
    reject: Annotated[bool, typer.Option("--reject", help="Reject the record as proposed.")] = False,
    defer: Annotated[bool, typer.Option("--defer", help="Put it off (e.g. waiting for the police); it stays open.")] = False,
    campaign: CampaignOpt = None,
) -> None:
    """Record an officer's decision on a record: who, what, when and why. It stays on every
    later run; if a later run finds other evidence, it is flagged to recheck, never overwritten.

    Example: reconcile decide 46-2010-Q01-0005 --accept 046185334562 --note "checked the book" --by "Lê Thị Hoa"
    """
    from reconcile import casework
    from reconcile.store import find_campaign

    screen = _screen()
    with _guard(screen):
        verdicts = [v for v, given in (("accept", bool(accept)), ("reject", reject), ("defer", defer)) if given]
        if len(verdicts) != 1:
            raise UserError.said("err_one_verdict")
        camp = find_campaign(campaign)
        done = casework.record_decision(camp, record_id, verdicts[0], [a.strip() for a in accept or []], note, by)
        screen.success(screen.t("decided", decision=done.decision_id, verdict=screen.t(f"verdict_{verdicts[0]}"),
                                type=done.record_type, record=done.record_id, bucket=done.bucket,
                                commune=done.commune or "?", who=by.strip()))


@app.command("log")
def log_(
    limit: Annotated[int, typer.Option(help="How many of the latest entries to show.")] = 20,
    campaign: CampaignOpt = None,
    file_format: FormatOpt = "table",
) -> None:
    """Show the audit log, newest first: every ingest, training, run, decision and export, with
    who, when, counts and the SHA-256 of each file.

    Example: reconcile log --limit 50
    """
    from reconcile import casework
    from reconcile.store import find_campaign

    screen = _screen()
    with _guard(screen):
        fmt = _format(file_format)
        camp = find_campaign(campaign)
        entries = casework.audit_log(camp, limit)
        if fmt == "table":
            views.show_log(screen, entries, camp.start)
        else:
            views.write_log(entries, camp.start, fmt)


@app.command()
def explain(
    record_id: Annotated[str, typer.Argument(help="A registration_id (marriage) or person_id (person).")],
    lang: Annotated[Optional[str], typer.Option(help="Language of the reasons: vi or en (default: the command line's).")] = None,
    campaign: CampaignOpt = None,
    file_format: FormatOpt = "table",
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
        lang = _lang(screen, lang)
        fmt = _format(file_format)
        camp = find_campaign(campaign)
        with Store(camp.database, read_only=True) as store:
            frames = store.explain_frames(record_id)
        ex = build_explanation(frames, load_rules(camp.rules_dir).reasons, lang)
        if fmt == "table":
            views.show_explanation(screen, ex)
        else:
            views.write_explanation(ex, fmt)


@export_app.command("results")
def export_results(
    out: Annotated[Path, typer.Option(help="File to write.")],
    file_format: Annotated[Optional[str], typer.Option("--format", help="csv or parquet (default: from the extension).")] = None,
    by: ByOpt = None,
    campaign: CampaignOpt = None,
) -> None:
    """Write the results table of the data contract: one row per bucketed record; after the
    contract's columns, the run and the officers' latest decision on the record.

    Example: reconcile export results --out results.csv
    """
    from reconcile import casework
    from reconcile.store import find_campaign

    screen = _screen()
    with _guard(screen):
        done = casework.export_results(find_campaign(campaign), out, file_format, by)
        screen.success(screen.t("results_written", rows=f"{done.rows:,}", out=out, format=done.file_format,
                                sha=f"{done.sha256[:16]}…"))


@export_app.command("conflicts")
def export_conflicts(
    out: Annotated[Path, typer.Option(help="File to write; the commune code (or 'all') and the date are added to its "
                                           "name.")],
    commune: Annotated[Optional[str], typer.Option(help="Current 5-digit commune code.")] = None,
    all_communes: Annotated[bool, typer.Option(
        "--all", help="Every commune: a sheet (XLSX) or a file (CSV) each.")] = False,
    file_format: Annotated[Optional[str], typer.Option("--format", help="xlsx or csv (default: from the extension, "
                                                                        "else xlsx).")] = None,
    lang: Annotated[Optional[str], typer.Option(
        help="Language of the headers, reasons and answers: vi or en (default: the command line's).")] = None,
    by: ByOpt = None,
    campaign: CampaignOpt = None,
) -> None:
    """Write the open conflicts for the police liaisons: the registry's and the population's values
    side by side, the reasons in words, and two columns for them to fill in: an answer from a
    drop-down list and a note. Read the answers back with `reconcile import-answers`.

    Example: reconcile export conflicts --out danh_sach.xlsx --commune 19753
    """
    from reconcile import police
    from reconcile.store import find_campaign

    screen = _screen()
    with _guard(screen):
        done = police.export_conflicts(find_campaign(campaign), out, commune, all_communes, file_format,
                                       _lang(screen, lang), by)
        views.show_conflict_export(screen, commune, done)


@app.command("import-answers")
def import_answers(
    file: Annotated[Path, typer.Argument(help="A conflict list (XLSX or CSV) returned with the police's answers.")],
    by: ByOpt = None,
    campaign: CampaignOpt = None,
) -> None:
    """Read the police's answers from a returned conflict list and store each as a decision, all
    or none: if any row is wrong (unknown record, a cell changed outside the answer columns, an
    answer not in the list, a duplicate row, a record no longer open), nothing is stored and
    every wrong row is named with its sheet, row and column.

    Example: reconcile import-answers danh_sach_19753_2025-06-02.xlsx --by "Lê Thị Hoa"
    """
    from reconcile import police
    from reconcile.store import find_campaign

    screen = _screen()
    with _guard(screen):
        done = police.import_answers(find_campaign(campaign), file, by)
        views.show_answers_import(screen, done)
        if done.problems:
            raise UserError.said("err_answers_not_applied", problems=f"{len(done.problems):,}", file=file.name)


@app.command()
def report(
    out: Annotated[Path, typer.Option(help="HTML file to write.")],
    lang: Annotated[Optional[str], typer.Option(help="Language of the report: vi or en (default: the command line's).")] = None,
    commune: Annotated[Optional[str], typer.Option(help="Only this commune (current 5-digit code).")] = None,
    by: ByOpt = None,
    campaign: CampaignOpt = None,
) -> None:
    """Write the supervisors' progress report: one self-contained HTML file (charts included, no
    network needed, prints on A4) with day N, % done against the target line, the projected
    finish, every commune's standing, open records by reason, data quality and the model.
    RECONCILE_TODAY=YYYY-MM-DD writes it as on another day.

    Example: reconcile report --out tien-do.html --lang vi
    """
    from reconcile import jobs
    from reconcile.store import find_campaign

    screen = _screen()
    with _guard(screen):
        lang = _lang(screen, lang)
        done = jobs.report(find_campaign(campaign), out, lang, commune.strip().zfill(5) if commune else None, by)
        screen.success(screen.t("report_written", communes=f"{done.communes:,}", out=out, size=f"{done.size / 1e6:.1f}",
                                sha=f"{done.sha256[:16]}…"))


@fixtures_app.command("generate")
def fixtures_generate(
    out: Annotated[Path, typer.Argument(help="Folder for registry, population and truth files.")],
    persons: Annotated[int, typer.Option(help="Number of population persons.")] = 20_000,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same files).")] = 7,
    province: Annotated[str, typer.Option(help="Current 2-digit province code.")] = "46",
    file_format: Annotated[str, typer.Option("--format", help="csv, parquet or xlsx.")] = "csv",
    headers: Annotated[str, typer.Option(help="vietnamese or canonical column headers.")] = "vietnamese",
    marriages: Annotated[Optional[int], typer.Option(
        help="About how many registry marriages (default: 38% of adults married, about 19 per 100 persons).")] = None,
) -> None:
    """Generate realistic synthetic registry and population exports with a truth file.

    Example: reconcile fixtures generate data/ --persons 1500000 --marriages 75000 --seed 1
    """
    from reconcile.synthetic import generate

    screen = _screen()
    with _guard(screen):
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


@app.command()
def evaluate(
    truth: Annotated[Path, typer.Option(help="Truth file written by `reconcile fixtures generate`.")],
    baseline: Annotated[bool, typer.Option(help="Also train and score a plain Splink configuration, side by side.")] = True,
    couples: Annotated[bool, typer.Option(
        help="Also bucket the same pairs with the couple rules switched ([couples] enabled), side by side.")] = True,
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
            switched = jobs.evaluate_couples_switched(camp, truth, step) if couples else None
        views.show_evaluation(screen, ours, plain, switched)


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
            raise UserError.said("err_demo_persons", value=persons)
        with screen.progress() as step:
            outcome = jobs.demo(out.resolve(), persons, step)
        screen.table(screen.t("demo_buckets"), [screen.t("bucket"), screen.t("records")],
                     [(b, outcome.buckets.get(b, 0)) for b in ("auto_resolve", "conflict", "missing", "rejected")])
        views.show_evaluation(screen, outcome.evaluation)
        screen.info(screen.t("demo_outputs"))
        for label, path in outcome.outputs.items():
            screen.info(f"  {label:<12} {path}")
        screen.info(screen.t("demo_try", campaign=outcome.outputs["campaign"]))


def entry() -> NoReturn:
    """The `reconcile` command (and `python -m reconcile`): `main`, then out of the process at once.

    Once the command has finished and its output is flushed, what a normal exit would add is
    the interpreter freeing, object by object, the tables and libraries it still holds: 0.1 to
    0.4 s at 1.5 million persons (`run --all` 10.8 → 10.45 s, `export` 0.81 → 0.70 s). The exit
    handlers still run (Spark's stop, temporary folders, logging); an error still ends as usual."""
    code = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except OSError:  # the reader of a pipe left early (`reconcile status | head -1`)
            pass
    atexit._run_exitfuncs()  # CPython's own exit step (in every release since 3.0)
    os._exit(code)


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
