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
from reconcile.language import SaidGroup

if TYPE_CHECKING:
    from reconcile.console import Screen
    from reconcile.link.engine import Engine

app = typer.Typer(
    name="reconcile",
    help="help_app",
    cls=SaidGroup,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
export_app = typer.Typer(help="help_export", cls=SaidGroup, no_args_is_help=True)
fixtures_app = typer.Typer(help="help_fixtures", cls=SaidGroup, no_args_is_help=True)
app.add_typer(export_app, name="export")
app.add_typer(fixtures_app, name="fixtures")

# The language of this invocation: --lang before the command, else RECONCILE_LANG, else Vietnamese.
# Help texts are keys of the command line's catalogue, said in that language (reconcile.language);
# --lang is eager, so that a --help after it is said in its language.
_LANGUAGE: dict[str, str | None] = {"lang": None}


@app.callback()
def _language(lang: Annotated[Optional[str], typer.Option("--lang", help="help_lang", is_eager=True)] = None) -> None:
    if lang is not None and lang.strip().lower() not in ("vi", "en"):
        raise typer.BadParameter(f"must be vi or en, got '{lang}'", param_hint="--lang")
    _LANGUAGE["lang"] = lang.strip().lower() if lang else None


CampaignOpt = Annotated[Optional[Path], typer.Option(
    "--campaign", help="help_campaign", envvar="RECONCILE_CAMPAIGN", show_envvar=False)]
ByOpt = Annotated[Optional[str], typer.Option("--by", help="help_by")]
EngineOpt = Annotated[str, typer.Option("--engine", help="help_engine")]
MemoryOpt = Annotated[Optional[str], typer.Option("--memory-limit", help="help_memory_limit")]
ThreadsOpt = Annotated[Optional[int], typer.Option("--threads", help="help_threads")]

FormatOpt = Annotated[str, typer.Option("--format", help="help_format")]


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


@app.command(help="help_ingest")
def ingest(
    registry: Annotated[Optional[Path], typer.Option(help="help_ingest_registry")] = None,
    population: Annotated[Optional[Path], typer.Option(help="help_ingest_population")] = None,
    by: ByOpt = None,
    campaign: CampaignOpt = None,
) -> None:
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


@app.command(help="help_train")
def train(by: ByOpt = None, campaign: CampaignOpt = None, engine: EngineOpt = "duckdb",
          memory_limit: MemoryOpt = None, threads: ThreadsOpt = None) -> None:
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


@app.command(help="help_run")
def run(
    commune: Annotated[Optional[list[str]], typer.Option(help="help_run_commune")] = None,
    all_communes: Annotated[bool, typer.Option("--all", help="help_run_all")] = False,
    by: ByOpt = None,
    campaign: CampaignOpt = None,
    engine: EngineOpt = "duckdb",
    memory_limit: MemoryOpt = None,
    threads: ThreadsOpt = None,
) -> None:
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


@app.command(help="help_status")
def status(campaign: CampaignOpt = None, file_format: FormatOpt = "table") -> None:
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


@app.command(help="help_review")
def review(
    commune: Annotated[str, typer.Option(help="help_commune")],
    reason: Annotated[Optional[str], typer.Option(help="help_review_reason")] = None,
    page: Annotated[int, typer.Option(help="help_review_page")] = 1,
    page_size: Annotated[int, typer.Option(help="help_review_page_size")] = 25,
    lang: Annotated[Optional[str], typer.Option(help="help_lang_reasons")] = None,
    campaign: CampaignOpt = None,
    file_format: FormatOpt = "table",
) -> None:
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


@app.command(help="help_decide")
def decide(
    record_id: Annotated[str, typer.Argument(help="help_record_id")],
    note: Annotated[str, typer.Option(help="help_decide_note")],
    by: Annotated[str, typer.Option(help="help_decide_by")],
    accept: Annotated[Optional[list[str]], typer.Option(
        help="help_decide_accept")] = None,
    reject: Annotated[bool, typer.Option("--reject", help="help_decide_reject")] = False,
    defer: Annotated[bool, typer.Option("--defer", help="help_decide_defer")] = False,
    campaign: CampaignOpt = None,
) -> None:
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


@app.command("log", help="help_log")
def log_(
    limit: Annotated[int, typer.Option(help="help_log_limit")] = 20,
    campaign: CampaignOpt = None,
    file_format: FormatOpt = "table",
) -> None:
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


@app.command(help="help_explain")
def explain(
    record_id: Annotated[str, typer.Argument(help="help_record_id")],
    lang: Annotated[Optional[str], typer.Option(help="help_lang_reasons")] = None,
    campaign: CampaignOpt = None,
    file_format: FormatOpt = "table",
) -> None:
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


@export_app.command("results", help="help_export_results")
def export_results(
    out: Annotated[Path, typer.Option(help="help_export_results_out")],
    file_format: Annotated[Optional[str], typer.Option("--format", help="help_export_results_format")] = None,
    by: ByOpt = None,
    campaign: CampaignOpt = None,
) -> None:
    from reconcile import casework
    from reconcile.store import find_campaign

    screen = _screen()
    with _guard(screen):
        done = casework.export_results(find_campaign(campaign), out, file_format, by)
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
    from reconcile import police
    from reconcile.store import find_campaign

    screen = _screen()
    with _guard(screen):
        done = police.export_conflicts(find_campaign(campaign), out, commune, all_communes, file_format,
                                       _lang(screen, lang), by)
        views.show_conflict_export(screen, commune, done)


@app.command("import-answers", help="help_import_answers")
def import_answers(
    file: Annotated[Path, typer.Argument(help="help_import_answers_file")],
    by: ByOpt = None,
    campaign: CampaignOpt = None,
) -> None:
    from reconcile import police
    from reconcile.store import find_campaign

    screen = _screen()
    with _guard(screen):
        done = police.import_answers(find_campaign(campaign), file, by)
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
    from reconcile import jobs
    from reconcile.store import find_campaign

    screen = _screen()
    with _guard(screen):
        lang = _lang(screen, lang)
        done = jobs.report(find_campaign(campaign), out, lang, commune.strip().zfill(5) if commune else None, by)
        screen.success(screen.t("report_written", communes=f"{done.communes:,}", out=out, size=f"{done.size / 1e6:.1f}",
                                sha=f"{done.sha256[:16]}…"))


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


@app.command(help="help_evaluate")
def evaluate(
    truth: Annotated[Path, typer.Option(help="help_evaluate_truth")],
    baseline: Annotated[bool, typer.Option(help="help_evaluate_baseline")] = True,
    couples: Annotated[bool, typer.Option(
        help="help_evaluate_couples")] = True,
    campaign: CampaignOpt = None,
) -> None:
    from reconcile import jobs
    from reconcile.store import find_campaign

    screen = _screen()
    with _guard(screen):
        camp = find_campaign(campaign)
        with screen.progress() as step:
            ours, plain = jobs.evaluate_campaign(camp, truth, baseline, step)
            switched = jobs.evaluate_couples_switched(camp, truth, step) if couples else None
        views.show_evaluation(screen, ours, plain, switched)


@app.command(help="help_demo")
def demo(
    out: Annotated[Path, typer.Option(help="help_demo_out")] = Path("demo-output"),
    persons: Annotated[int, typer.Option(help="help_demo_persons")] = 20_000,
) -> None:
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
        print("error: aborted", file=sys.stderr)  # noqa: T201 - the entry point's last word, no console made yet
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
