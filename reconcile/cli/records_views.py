"""What the CLI shows of a commune's records and the campaign: status and progress, a review page,
the audit log (tables for the eye, or every row as CSV or JSON through `views.write_rows`)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from reconcile.cli.views import write_rows

if TYPE_CHECKING:
    import polars as pl

    from reconcile.cli.console import Screen
    from reconcile.commands.review import ReviewPage
    from reconcile.commands.status import StatusReport
    from reconcile.report import CampaignProgress, Progress


def _finish(screen: Screen, p: Progress, progress: CampaignProgress) -> str:
    from reconcile.report.progress import MIN_PACE_DAYS

    if p.remaining <= 0:
        return screen.t("finish_done")
    if p.finish is None and p.pace_days < MIN_PACE_DAYS:
        return screen.t("finish_too_early", days=MIN_PACE_DAYS)
    if p.finish is None:
        return screen.t("finish_stalled")
    return screen.t("finish_late", date=p.finish.isoformat()) if p.finish > progress.end else p.finish.isoformat()


def _progress_row(screen: Screen, p: Progress, progress: CampaignProgress) -> tuple[object, ...]:
    from reconcile.report.progress import PROVINCE

    pace = "—" if p.pace is None else f"{p.pace:,.1f}"
    return (screen.t("province") if p.commune == PROVINCE else p.commune, p.in_scope, p.auto_resolved, p.decided,
            p.conflicts, p.missing, p.recheck, f"{p.share_done:.1%}",
            f"{(p.share_done - progress.share_target) * 100:+.1f}", pace, _finish(screen, p, progress))


def show_progress(screen: Screen, progress: CampaignProgress) -> None:
    """Day N of the campaign, then per commune and for the province: records in scope and in each
    state, the share done against the straight line, the pace of the last days, the projected finish."""
    t = screen.t
    if progress.day < 1:
        screen.info(t("not_started", start=progress.start, days=1 - progress.day))
    elif progress.day > progress.days:
        screen.info(t("ended", day=progress.day, days=progress.days, end=progress.end))
    else:
        screen.info(t("day_of", day=progress.day, days=progress.days, start=progress.start, end=progress.end,
                      target=f"{progress.share_target:.1%}"))
    if not progress.communes:
        screen.info(t("no_progress"))
        return
    rows = [_progress_row(screen, p, progress) for p in progress.communes]
    province = _progress_row(screen, progress.province, progress)
    names = [t(f"col_{c}") for c in ("commune", "scope", "auto", "decided", "conflicts", "missing", "recheck", "done",
                                     "vs_line", "pace", "finish")]
    screen.table(t("progress_title"), names,
                 rows, footer=(province[0], *(f"{v:,}" if isinstance(v, int) else v for v in province[1:])),
                 keep=(names[0], names[-1]),
                 optional=tuple(t(f"col_{c}") for c in ("pace", "recheck", "decided", "vs_line", "missing", "conflicts")))
    screen.info(t("progress_legend", days=progress.province.pace_days))


def _progress_dict(p: Progress) -> dict[str, object]:
    return {"commune": p.commune, "in_scope": p.in_scope, "auto_resolved": p.auto_resolved, "decided": p.decided,
            "conflicts": p.conflicts, "missing": p.missing, "recheck": p.recheck, "done": p.done,
            "share_done": round(p.share_done, 6), "pace_per_day": None if p.pace is None else round(p.pace, 6),
            "pace_days": p.pace_days, "finish": p.finish.isoformat() if p.finish else None}


def write_status(report: StatusReport, fmt: str) -> None:
    """The campaign's progress per commune and for the province as CSV (one row each, the province
    last, with the day and the straight line's share) or JSON (the same, and the records per
    bucket and commune)."""
    import polars as pl

    progress = report.progress
    head = {"day": progress.day, "days": progress.days, "start": progress.start.isoformat(),
            "share_target": round(progress.share_target, 6)}
    rows = [{**head, **_progress_dict(p)} for p in (*progress.communes, progress.province)]
    if fmt == "csv":
        write_rows(pl.DataFrame(rows, infer_schema_length=None), fmt)
    else:
        write_rows({**head, "communes": [_progress_dict(p) for p in progress.communes],
                    "province": _progress_dict(progress.province), "buckets": report.buckets.to_dicts()}, fmt)


def show_status(screen: Screen, title: str, report: StatusReport) -> None:
    """Records per bucket and commune from the current results, then the campaign's progress."""
    from reconcile.report import BUCKET_ORDER

    table = report.buckets
    worked = 0 if table.is_empty() else int(table["total"].sum() - table["rejected"].sum())
    t = screen.t
    if not worked:
        screen.info(t("no_results"))
    if not table.is_empty():
        totals = [t("total"), ""] + [f"{int(table[c].sum()):,}" for c in (*BUCKET_ORDER, "total")]
        screen.table(title, [t("col_commune"), t("col_name"), *BUCKET_ORDER, t("total")], table.rows(), footer=totals,
                     keep=(t("col_commune"),), optional=(t("col_name"),))
    show_progress(screen, report.progress)


def _decision_text(screen: Screen, row: dict[str, object]) -> str:
    if row["decision_status"] == "needs_recheck":
        persons = f" {row['decision_person_ids']}" if row["decision_person_ids"] else ""
        return screen.t("decision_recheck", decision=row["decision"], persons=persons, who=row["decided_by"])
    if row["decision_status"] == "deferred":
        return screen.t("decision_deferred", who=row["decided_by"], note=row["decision_note"])
    return ""


def show_review(screen: Screen, page: ReviewPage, lang: str) -> None:
    """One page of a commune's open records, with the meaning of their reason codes."""
    t = screen.t
    what = t("review_what_reason", commune=page.commune, reason=page.reason) if page.reason else \
        t("review_what", commune=page.commune)
    if not page.total:
        screen.info(t("review_none", what=what))
        return

    def probability(value: object) -> str:
        return "" if value is None else f"{value:.4f}"

    rows = [(r["record_id"], r["record_type"], r["bucket"], (r["reasons"] or "").replace(";", " "),
             r["husband_person_id"] or "", r["wife_person_id"] or "", probability(r["husband_match_probability"]),
             probability(r["wife_match_probability"]), _decision_text(screen, r))
            for r in page.records.iter_rows(named=True)]
    names = [t(f"col_{c}") for c in ("record", "type", "bucket", "reasons", "husband", "wife", "p_husband", "p_wife",
                                     "decision")]
    hidden = screen.table(t("review_title", what=what, page=page.page, pages=page.pages, total=f"{page.total:,}"),
                          names, rows, keep=tuple(names[:4]),
                          optional=((names[6], names[7]), (names[4], names[5]), names[8]))
    if names[8] in hidden:
        # Stacked under the table: a decision to recheck or a deferral is what the officer must see.
        for row in rows:
            if row[-1]:
                screen.info(f"  {row[0]}: {row[-1]}")
    for code, reason in page.reasons.items():
        screen.info(f"  {code}: {reason.text(lang)}")
    if page.page < page.pages:
        screen.info(t("next_page", page=page.page + 1))


def _counts(text: str | None) -> str:
    return ", ".join(f"{k} {v:,}" for k, v in (json.loads(text) if text else {}).items())


def _files(text: str | None) -> str:
    return ", ".join(f"{Path(k).name} {v[:16]}…" for k, v in (json.loads(text) if text else {}).items())


def _campaign_day(day: date | None, start: date) -> int | None:
    """Day N of the campaign (1 on its first day) for a calendar day."""
    return None if day is None else (day - start).days + 1


def log_rows(entries: pl.DataFrame, start: date, parsed: bool) -> list[dict[str, object]]:
    """The audit entries as rows for a script: the campaign day N beside the calendar day; the
    counts and files as objects (`parsed`, for JSON) or as their JSON text (for CSV)."""
    rows = []
    for r in entries.iter_rows(named=True):
        row = {**r, "campaign_day": _campaign_day(r["day"], start)}
        if parsed:
            row["counts"] = json.loads(r["counts"]) if r["counts"] else {}
            row["files"] = json.loads(r["files"]) if r["files"] else {}
        rows.append(row)
    return rows


def write_log(entries: pl.DataFrame, start: date, fmt: str) -> None:
    """The audit entries as CSV or JSON, every column, newest first."""
    import polars as pl

    if fmt == "json":
        write_rows(log_rows(entries, start, parsed=True), fmt)
    else:
        write_rows(pl.DataFrame(log_rows(entries, start, parsed=False), infer_schema_length=None), fmt)


def show_log(screen: Screen, entries: pl.DataFrame, start: date) -> None:
    """The audit log, newest first: when, who, what, counts, file hashes."""
    t = screen.t
    if entries.is_empty():
        screen.info(t("log_empty"))
        return
    rows = [(r["entry_id"], r["logged_at"], t("campaign_day", day=_campaign_day(r["day"], start)), r["who"], r["action"],
             r["subject"] + (f' — "{r["note"]}"' if r["note"] else ""),
             "; ".join(part for part in (_counts(r["counts"]), _files(r["files"])) if part))
            for r in entries.iter_rows(named=True)]
    names = ["#", *(t(f"col_{c}") for c in ("when", "day", "who", "action", "what", "counts_files"))]
    screen.table(t("log_title"), names, rows, keep=(names[0], names[2], names[4], names[5]), optional=(names[6], names[1]))
