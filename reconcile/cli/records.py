"""An officer's commands over a commune's records: `status`, `review`, `decide`, `log` and `explain`."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from reconcile.cli import records_views, views
from reconcile.cli.app import CampaignOpt, FormatOpt, app, chosen_format, chosen_lang, guard, new_screen
from reconcile.errors import UserError


@app.command(help="help_status")
def status(campaign: CampaignOpt = None, file_format: FormatOpt = "table") -> None:
    from reconcile.commands import status as status_command
    from reconcile.store import find_campaign

    screen = new_screen()
    with guard(screen):
        fmt = chosen_format(file_format)
        camp = find_campaign(campaign)
        report = status_command.status(camp)
        if fmt == "table":
            records_views.show_status(screen, screen.t("campaign_title", name=camp.folder.name, province=camp.province), report)
        else:
            records_views.write_status(report, fmt)


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
    from reconcile.commands import review as review_command
    from reconcile.store import find_campaign

    screen = new_screen()
    with guard(screen):
        lang = chosen_lang(screen, lang)
        fmt = chosen_format(file_format)
        camp, code = find_campaign(campaign), commune.strip().zfill(5)
        if fmt == "table":
            records_views.show_review(screen, review_command.review(camp, code, reason, page, page_size), lang)
        else:
            views.write_rows(review_command.review_records(camp, code, reason), fmt)


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
    from reconcile.commands import review as review_command
    from reconcile.store import find_campaign

    screen = new_screen()
    with guard(screen):
        verdicts = [v for v, given in (("accept", bool(accept)), ("reject", reject), ("defer", defer)) if given]
        if len(verdicts) != 1:
            raise UserError.said("err_one_verdict")
        camp = find_campaign(campaign)
        done = review_command.record_decision(camp, record_id, verdicts[0], [a.strip() for a in accept or []], note, by)
        screen.success(screen.t("decided", decision=done.decision_id, verdict=screen.t(f"verdict_{verdicts[0]}"),
                                type=done.record_type, record=done.record_id, bucket=done.bucket,
                                commune=done.commune or "?", who=by.strip()))


@app.command("log", help="help_log")
def log_(
    limit: Annotated[int, typer.Option(help="help_log_limit")] = 20,
    campaign: CampaignOpt = None,
    file_format: FormatOpt = "table",
) -> None:
    from reconcile.commands import status as status_command
    from reconcile.store import find_campaign

    screen = new_screen()
    with guard(screen):
        fmt = chosen_format(file_format)
        camp = find_campaign(campaign)
        entries = status_command.audit_log(camp, limit)
        if fmt == "table":
            records_views.show_log(screen, entries, camp.start)
        else:
            records_views.write_log(entries, camp.start, fmt)


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

    screen = new_screen()
    with guard(screen):
        lang = chosen_lang(screen, lang)
        fmt = chosen_format(file_format)
        camp = find_campaign(campaign)
        with Store(camp.database, read_only=True) as store:
            frames = store.results.explain_frames(record_id)
        ex = build_explanation(frames, load_rules(camp.rules_dir).reasons, lang)
        if fmt == "table":
            views.show_explanation(screen, ex)
        else:
            views.write_explanation(ex, fmt)
