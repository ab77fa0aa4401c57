"""What the CLI shows for a command's outcome: tables and waterfalls composed on the console.

Kept apart from `cli.py`, which only parses options and calls jobs.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import polars as pl

    from reconcile.casework import ReviewPage, StatusReport
    from reconcile.console import Screen
    from reconcile.evaluate import Evaluation
    from reconcile.jobs import IngestSummary, RunSummary
    from reconcile.police import AnswersImport, ConflictExport
    from reconcile.report import CampaignProgress, Explanation, Progress
    from reconcile.report.explain import CoupleEvidence


# What `review`, `log`, `status` and `explain` can print: a table for the eye, or every row for a
# script or a spreadsheet.
FORMATS = ("table", "csv", "json")


def write_rows(rows: pl.DataFrame | list[dict[str, object]] | dict[str, object], fmt: str) -> None:
    """Write to standard output, whole: CSV (UTF-8 with a BOM, so that a spreadsheet shows the
    Vietnamese intact; one header row; `rows` a frame) or JSON (UTF-8, the frame as a list of
    objects, or the given structure). Bytes, not text: the console's code page cannot spoil it."""
    import sys

    import polars as pl

    if fmt == "csv":
        assert isinstance(rows, pl.DataFrame)
        data = ("\ufeff" + rows.write_csv()).encode("utf-8")
    else:
        value = rows.to_dicts() if isinstance(rows, pl.DataFrame) else rows
        data = (json.dumps(value, ensure_ascii=False, indent=1, default=str) + "\n").encode("utf-8")
    out = getattr(sys.stdout, "buffer", None)
    if out is None:  # a text-only stream (some test runners): the same text
        sys.stdout.write(data.decode("utf-8"))
    else:
        sys.stdout.flush()
        out.write(data)
        out.flush()


def show_ingest(screen: Screen, summaries: Sequence[IngestSummary]) -> None:
    """Rows read, accepted and rejected per file, then what normalization found."""
    rows = [(s.kind, s.path, s.rows_read, s.rows_accepted, s.rows_rejected) for s in summaries]
    screen.table("Ingested", ["input", "file", "rows read", "accepted", "rejected"], rows)
    quality = [
        ("names repaired from old fonts (TCVN3, VNI)", "names_repaired"), ("ID missing", "ids_missing"),
        ("ID unusable", "ids_unusable"), ("ID leading zero restored", "ids_zero_restored"),
        ("ID in scientific notation (not trusted)", "ids_scientific"),
        ("birth date partial (month/year or year)", "birth_partial"),
        ("old commune code mapped to current", "old_commune_codes"),
        ("commune read from place text", "communes_from_text"), ("commune unknown", "communes_unknown"),
    ]
    screen.table("Data quality (people: registry spouses, population persons)",
                 ["", *(s.kind for s in summaries)],
                 [(label, *(getattr(s.quality, field) for s in summaries)) for label, field in quality])
    for s in summaries:
        if s.ignored_columns:
            screen.info(f"{s.path}: columns not used: {', '.join(s.ignored_columns)}")


def show_explanation(screen: Screen, ex: Explanation) -> None:
    """The record's bucket, reasons and proposed changes, then each spouse's candidates and the
    spouse its linked person has recorded, then the marriage's couple evidence."""
    screen.strong(f"{ex.record_type} {ex.record_id}", f"  commune {ex.commune or '?'}  →  {ex.bucket}"
                  + (f" ({ex.action})" if ex.action else ""))
    for code, text in ex.reasons:
        screen.info(f"  {code}: {text}")
    for change in ex.changes:
        screen.info(f"  change: person {change['person_id']} {change['field']}: "
                    f"{change['old'] or '∅'} → {change['new'] or '∅'}")
    if ex.decision:
        screen.info(f"  decision: {ex.decision}")
    for sp in ex.spouses:
        screen.info("")
        screen.strong(sp.role, f": {sp.name}, born {sp.birth or '?'}, ID {sp.id_number or '—'}"
                      + (f"  [{', '.join(sp.link_reasons)}]" if sp.link_reasons else ""))
        if not sp.candidates:
            screen.info(f"  linked to {sp.linked_person}; no candidate evidence stored for this run"
                        if sp.linked_person else "  no population candidate")
        for c in sp.candidates:
            screen.waterfall(
                f"  #{c.rank} {c.person_id} {c.name}, born {c.birth}, commune {c.commune}: "
                f"probability {c.probability:.6f}",
                ("prior", c.prior), [(s.comparison, s.level, s.weight) for s in c.steps], ("match weight", c.weight))
        if sp.linked_person:
            screen.info(f"  {sp.linked_person} records as spouse: {sp.recorded_spouse_name or '—'}, "
                        f"ID {sp.recorded_spouse_id or '—'}")
    if ex.couple is not None:
        _show_couple(screen, ex.couple)


_RECORDED = {
    "id": "by ID (one records the other's personal ID)",
    "both_ways": "both ways (each records the other's name)",
    "name": "by name (one records the other's name)",
    "": "no (neither records the other)",
}


def _show_couple(screen: Screen, couple: CoupleEvidence) -> None:
    """The marriage's best candidate couple: its weight, how the two are recorded as spouses, and
    its lead over the runner-up couple with that couple's persons."""
    screen.info("")
    screen.strong("couple", f": weight {couple.weight:.2f}; recorded as each other's spouse: "
                            f"{_RECORDED.get(couple.recorded, couple.recorded)}")
    if couple.lead is None:
        screen.info("  no runner-up couple")
        return
    screen.info(f"  lead over the runner-up couple: {couple.lead:.2f}")
    for role, person, same in couple.runner_up:
        screen.info(f"  runner-up {role}: {person.person_id} {person.name}, born {person.birth or '?'}"
                    + (" (the linked person)" if same else ""))


def show_evaluation(screen: Screen, ev: Evaluation, plain: Evaluation | None = None,
                    switched: tuple[Evaluation, str] | None = None) -> None:
    """Precision, recall, auto share, macro-F1, the officers' load (conflict precision, persons
    reported twice), beside the same pairs' with the couple rules switched (`switched`: its figures
    and label) and the plain baseline's; then the confusion."""
    def figures(e: Evaluation) -> list[tuple[str, str]]:
        return [
            (f"{e.precision:.4%}", f"{e.auto_links_correct:,} / {e.auto_links:,}"),
            (f"{e.recall:.4%}", f"{e.true_links_found:,} / {e.true_links:,}"),
            (f"{e.auto_share:.2%}", f"{e.auto_resolvable_auto:,} / {e.auto_resolvable:,}"),
            (f"{e.macro_f1:.4f}", f"{e.marriages:,} marriages"),
            (f"{e.conflict_precision:.4f}", f"{e.conflicts_needed:,} / {e.conflicts:,}"),
            (f"{e.extra_person_share:.3%}", f"{e.extra_person_rows:,} / {e.records:,}"),
            (f"{e.namesake_couples_auto:,}", "marriages"),
        ]

    measures = ["precision in auto_resolve", "recall (any bucket)", "auto-resolvable auto-resolved", "bucket macro-F1",
                "conflict precision (need a person)", "married persons reported twice",
                "namesake couples auto-resolved"]
    columns = ["measure", "reconcile", "count"]
    rows = [(m, *f) for m, f in zip(measures, figures(ev))]
    others = [switched[::-1]] if switched else []
    for label, other in (*others, ("plain Splink", plain)):
        if other is not None:
            columns += [label, "count" + " " * (len(columns) // 2)]
            rows = [(*r, *f) for r, f in zip(rows, figures(other))]
    screen.table("Spouse links", columns, rows)
    conf = ev.confusion
    screen.table("Buckets: expected (rows) × found (columns)", conf.columns, conf.rows())


def show_run(screen: Screen, summary: RunSummary) -> None:
    """The run's buckets, where its communes stand now, and what changed since their previous run."""
    total = sum(summary.buckets.values())
    rows = [(b, summary.buckets.get(b, 0)) for b in ("auto_resolve", "conflict", "missing")]
    screen.table(f"Run {summary.run_id}: {len(summary.communes)} commune(s)", ["bucket", "records"], rows,
                 footer=("total", f"{total:,}"))
    st = summary.standing
    screen.info(f"Now {st['auto_resolved'] + st['decided']:,} of {st['in_scope']:,} records done "
                f"({st['auto_resolved']:,} auto-resolved, {st['decided']:,} decided by officers); open: "
                f"{st['conflicts']:,} conflicts, {st['missing']:,} missing, {st['recheck']:,} decisions to recheck")
    changes = summary.changes
    if not changes.compared_communes:
        return
    if not changes.moves:
        screen.info(f"No record changed bucket since the previous run of these communes "
                    f"({changes.unchanged:,} records).")
        return
    screen.table("Changes since the previous run of these communes", ["before", "now", "records"],
                 list(changes.moves), footer=("unchanged", "", f"{changes.unchanged:,}"))
    screen.info(f"Resolved by correction (conflict or missing → auto_resolve): {changes.resolved_by_correction:,}")


def _finish(p: Progress, progress: CampaignProgress) -> str:
    from reconcile.report.progress import MIN_PACE_DAYS

    if p.remaining <= 0:
        return "done"
    if p.finish is None and p.pace_days < MIN_PACE_DAYS:
        return f"— (after {MIN_PACE_DAYS} days of work)"
    if p.finish is None:
        return "— (nothing done lately)"
    return f"{p.finish.isoformat()}" + (" (late)" if p.finish > progress.end else "")


def _progress_row(p: Progress, progress: CampaignProgress) -> tuple[object, ...]:
    pace = "—" if p.pace is None else f"{p.pace:,.1f}"
    return (p.commune, p.in_scope, p.auto_resolved, p.decided, p.conflicts, p.missing, p.recheck,
            f"{p.share_done:.1%}", f"{(p.share_done - progress.share_target) * 100:+.1f}", pace, _finish(p, progress))


def show_progress(screen: Screen, progress: CampaignProgress) -> None:
    """Day N of the campaign, then per commune and for the province: records in scope and in each
    state, the share done against the straight line, the pace of the last days, the projected finish."""
    if progress.day < 1:
        screen.info(f"The campaign starts on {progress.start} (in {1 - progress.day} day(s)).")
    elif progress.day > progress.days:
        screen.info(f"Day {progress.day}: the campaign's {progress.days} days ended on {progress.end}.")
    else:
        screen.info(f"Day {progress.day} of {progress.days} ({progress.start} → {progress.end}): the straight line "
                    f"to 100 % on the last day stands at {progress.share_target:.1%} today.")
    if not progress.communes:
        screen.info("No progress recorded yet: `reconcile run` and `reconcile decide` record it day by day.")
        return
    rows = [_progress_row(p, progress) for p in progress.communes]
    province = _progress_row(progress.province, progress)
    screen.table("Progress", ["commune", "scope", "auto", "decided", "conflicts", "missing", "recheck", "done",
                              "vs line", "pace/day", "finish"],
                 rows, footer=(province[0], *(f"{v:,}" if isinstance(v, int) else v for v in province[1:])),
                 keep=("commune", "finish"), optional=("pace/day", "recheck", "decided", "vs line", "missing", "conflicts"))
    screen.info(f"scope: records to work; auto: auto-resolved; decided: accepted or rejected by an officer; open: "
                f"conflicts, missing, recheck (decisions whose evidence changed); done = auto + decided; vs line: "
                f"points ahead (+) or behind (-) the straight line; pace: records done per day over the last "
                f"{progress.province.pace_days} day(s); finish: projected at that pace.")


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


def write_explanation(ex: Explanation, fmt: str) -> None:
    """Why a record is where it is, for a script (JSON: the whole explanation) or a spreadsheet
    (CSV: one row per spouse, candidate and comparison, with the record's bucket and reasons)."""
    import dataclasses

    import polars as pl

    if fmt == "json":
        write_rows(dataclasses.asdict(ex), fmt)
        return
    head = {"record_type": ex.record_type, "record_id": ex.record_id, "commune": ex.commune, "bucket": ex.bucket,
            "action": ex.action, "reasons": ";".join(code for code, _ in ex.reasons), "decision": ex.decision}
    rows: list[dict[str, object]] = []
    for sp in ex.spouses:
        spouse = {"role": sp.role, "spouse_name": sp.name, "spouse_birth": sp.birth, "spouse_id_number": sp.id_number,
                  "linked_person": sp.linked_person, "link_reasons": ";".join(sp.link_reasons)}
        for c in sp.candidates:
            candidate = {"rank": c.rank, "person_id": c.person_id, "person_name": c.name, "person_birth": c.birth,
                         "person_commune": c.commune, "match_probability": c.probability, "match_weight": c.weight}
            rows += [{**head, **spouse, **candidate, "comparison": st.comparison, "level": st.level,
                      "weight": st.weight} for st in c.steps]
        if not sp.candidates:
            rows.append({**head, **spouse})
    write_rows(pl.DataFrame(rows or [head], infer_schema_length=None), fmt)


def show_status(screen: Screen, title: str, report: StatusReport) -> None:
    """Records per bucket and commune from the current results, then the campaign's progress."""
    from reconcile.report import BUCKET_ORDER

    table = report.buckets
    worked = 0 if table.is_empty() else int(table["total"].sum() - table["rejected"].sum())
    if not worked:
        screen.info("no results on the current data yet: run `reconcile run --all` (or --commune CODE)")
    if not table.is_empty():
        totals = ["total", ""] + [f"{int(table[c].sum()):,}" for c in (*BUCKET_ORDER, "total")]
        screen.table(title, ["commune", "name", *BUCKET_ORDER, "total"], table.rows(), footer=totals,
                     keep=("commune",), optional=("name",))
    show_progress(screen, report.progress)


def _decision_text(row: dict[str, object]) -> str:
    if row["decision_status"] == "needs_recheck":
        persons = f" {row['decision_person_ids']}" if row["decision_person_ids"] else ""
        return f"recheck: was {row['decision']}{persons} by {row['decided_by']}"
    if row["decision_status"] == "deferred":
        return f"deferred by {row['decided_by']}: {row['decision_note']}"
    return ""


def show_review(screen: Screen, page: ReviewPage, lang: str) -> None:
    """One page of a commune's open records, with the meaning of their reason codes."""
    what = f"commune {page.commune}" + (f", reason {page.reason}" if page.reason else "")
    if not page.total:
        screen.info(f"No records wait for an officer in {what}.")
        return

    def probability(value: object) -> str:
        return "" if value is None else f"{value:.4f}"

    rows = [(r["record_id"], r["record_type"], r["bucket"], (r["reasons"] or "").replace(";", " "),
             r["husband_person_id"] or "", r["wife_person_id"] or "", probability(r["husband_match_probability"]),
             probability(r["wife_match_probability"]), _decision_text(r))
            for r in page.records.iter_rows(named=True)]
    hidden = screen.table(f"Waiting for an officer in {what}: page {page.page} of {page.pages} ({page.total:,} records)",
                 ["record", "type", "bucket", "reasons", "husband", "wife", "p(husband)", "p(wife)", "decision"], rows,
                 keep=("record", "type", "bucket", "reasons"),
                 optional=(("p(husband)", "p(wife)"), ("husband", "wife"), "decision"))
    if "decision" in hidden:
        # Stacked under the table: a decision to recheck or a deferral is what the officer must see.
        for row in rows:
            if row[-1]:
                screen.info(f"  {row[0]}: {row[-1]}")
    for code, reason in page.reasons.items():
        screen.info(f"  {code}: {reason.text(lang)}")
    if page.page < page.pages:
        screen.info(f"Next page: --page {page.page + 1}")


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
    if entries.is_empty():
        screen.info("The audit log is empty: nothing was ingested, run, decided or exported yet.")
        return
    rows = [(r["entry_id"], r["logged_at"], f"day {_campaign_day(r['day'], start)}", r["who"], r["action"],
             r["subject"] + (f' — "{r["note"]}"' if r["note"] else ""),
             "; ".join(part for part in (_counts(r["counts"]), _files(r["files"])) if part))
            for r in entries.iter_rows(named=True)]
    screen.table("Audit log (newest first; files with their SHA-256)",
                 ["#", "when", "day", "who", "action", "what", "counts, files"], rows,
                 keep=("#", "day", "action", "what"), optional=("counts, files", "when"))


def show_conflict_export(screen: Screen, commune: str | None, done: ConflictExport) -> None:
    """Each list written, with its rows; open conflicts that no list could hold."""
    if not done.files:
        screen.info(f"No open conflicts{f' in commune {commune.strip()}' if commune else ''}: no list written.")
    for path, rows in done.files:
        screen.success(f"{rows:,} open conflict(s) written to {path}")
    if len(done.files) > 1 or done.communes > 1:
        screen.info(f"{done.rows:,} conflicts of {done.communes:,} communes in {len(done.files):,} file(s) "
                    f"({done.file_format}); each export is in `reconcile log` with its SHA-256.")
    if done.without_commune:
        screen.info(f"{done.without_commune:,} open conflict(s) have no known commune and are in no list; "
                    "see `reconcile export results`.")


def show_answers_import(screen: Screen, done: AnswersImport) -> None:
    """The wrong rows (then nothing was applied), or the decisions stored per answer."""
    if done.sheets_ignored:
        screen.info(f"Sheets not read (not a commune's list): {', '.join(done.sheets_ignored)}")
    if done.problems:
        screen.table(f"Nothing applied from {done.path.name}: these rows are wrong",
                     ["sheet", "row", "column", "problem"],
                     [(p.sheet or "—", "—" if p.row is None else str(p.row), p.column or "—", p.message)
                      for p in done.problems])
        return
    screen.table(f"Answers of {done.path.name} stored as decisions", ["answer", "records"],
                 sorted(done.by_answer.items()), footer=("total", f"{len(done.decided):,}"))
    communes = sorted({d.commune for d in done.decided})
    screen.success(f"{len(done.decided):,} decision(s) stored for commune(s) {', '.join(communes)}; "
                   "`reconcile review` shows what is still open")
