"""What the CLI shows for a command's outcome: tables and waterfalls composed on the console.

Kept apart from the commands (`reconcile.cli.campaign` and the others), which only parse options and call `reconcile.commands`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import polars as pl

    from reconcile.cli.console import Screen
    from reconcile.commands.accuracy import Evaluation
    from reconcile.commands.ingest import IngestSummary
    from reconcile.commands.police import AnswersImport, ConflictExport
    from reconcile.commands.run import RunSummary
    from reconcile.report import Explanation
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
    t = screen.t
    screen.table(t("ingested_title"), [t("col_input"), t("col_file"), t("col_rows_read"), t("col_accepted"),
                                       t("col_rejected")], rows)
    quality = ("names_repaired", "ids_missing", "ids_unusable", "ids_zero_restored", "ids_scientific", "birth_partial",
               "old_commune_codes", "communes_from_text", "communes_unknown")
    screen.table(t("quality_title"), ["", *(s.kind for s in summaries)],
                 [(t(f"quality_{field}"), *(getattr(s.quality, field) for s in summaries)) for field in quality])
    for s in summaries:
        if s.ignored_columns:
            screen.info(t("columns_not_used", path=s.path, columns=", ".join(s.ignored_columns)))


def show_explanation(screen: Screen, ex: Explanation) -> None:
    """The record's bucket, reasons and proposed changes, then each spouse's candidates and the
    spouse its linked person has recorded, then the marriage's couple evidence."""
    t = screen.t
    screen.strong(f"{t(f'type_{ex.record_type}')} {ex.record_id}", t("explain_head", commune=ex.commune or "?", bucket=ex.bucket)
                  + (f" ({ex.action})" if ex.action else ""))
    for code, text in ex.reasons:
        screen.info(f"  {code}: {text}")
    for change in ex.changes:
        screen.info(t("explain_change", person=change["person_id"], field=change["field"], old=change["old"] or "∅",
                      new=change["new"] or "∅"))
    if ex.decision:
        screen.info(t("explain_decision", decision=ex.decision))
    for sp in ex.spouses:
        screen.info("")
        screen.strong(t(f"role_{sp.role}"), t("explain_spouse", name=sp.name, birth=sp.birth or "?", id=sp.id_number or "—")
                      + (f"  [{', '.join(sp.link_reasons)}]" if sp.link_reasons else ""))
        if not sp.candidates:
            screen.info(t("explain_linked_no_evidence", person=sp.linked_person) if sp.linked_person
                        else t("explain_no_candidate"))
        for c in sp.candidates:
            screen.waterfall(
                t("explain_candidate", rank=c.rank, person=c.person_id, name=c.name, birth=c.birth, commune=c.commune,
                  probability=f"{c.probability:.6f}"),
                (t("explain_prior"), c.prior), [(s.comparison, s.level, s.weight) for s in c.steps],
                (t("explain_match_weight"), c.weight))
            if c.registered_home:
                screen.info(t("explain_registered_home", person=c.person_id, home=c.registered_home))
        if sp.linked_person:
            screen.info(t("explain_records_spouse", person=sp.linked_person, name=sp.recorded_spouse_name or "—",
                          id=sp.recorded_spouse_id or "—"))
            if sp.claimed_by:
                screen.info(t("explain_claimed_by", person=sp.linked_person, by=", ".join(sp.claimed_by)))
    if ex.couple is not None:
        _show_couple(screen, ex.couple)


_RECORDED = {"id": "recorded_id", "both_ways": "recorded_both_ways", "name": "recorded_name", "": "recorded_none"}


def _show_couple(screen: Screen, couple: CoupleEvidence) -> None:
    """The marriage's best candidate couple: its weight, how the two are recorded as spouses, and
    its lead over the runner-up couple with that couple's persons."""
    t = screen.t
    screen.info("")
    recorded = t(_RECORDED[couple.recorded]) if couple.recorded in _RECORDED else couple.recorded
    screen.strong(t("couple"), t("couple_head", weight=f"{couple.weight:.2f}", recorded=recorded))
    if couple.lead is None:
        screen.info(t("no_runner_up"))
        return
    screen.info(t("couple_lead", lead=f"{couple.lead:.2f}"))
    for role, person, same in couple.runner_up:
        screen.info(t("runner_up", role=t(f"role_{role}"), person=person.person_id, name=person.name,
                      birth=person.birth or "?") + (t("the_linked_person") if same else ""))


def show_evaluation(screen: Screen, ev: Evaluation, plain: Evaluation | None = None,
                    switched: tuple[Evaluation, str] | None = None) -> None:
    """Precision, recall, auto share, macro-F1, the officers' load (conflict precision, persons
    reported twice), beside the same pairs' with the couple rules switched (`switched`: its figures
    and label) and the plain baseline's; then the confusion."""
    t = screen.t

    def figures(e: Evaluation) -> list[tuple[str, str]]:
        marriages = t("eval_marriages")
        return [
            (f"{e.precision:.4%}", f"{e.auto_links_correct:,} / {e.auto_links:,}"),
            (f"{e.recall:.4%}", f"{e.true_links_found:,} / {e.true_links:,}"),
            (f"{e.auto_share:.2%}", f"{e.auto_resolvable_auto:,} / {e.auto_resolvable:,}"),
            (f"{e.macro_f1:.4f}", f"{e.marriages:,} {marriages}"),
            (f"{e.conflict_precision:.4f}", f"{e.conflicts_needed:,} / {e.conflicts:,}"),
            (f"{e.extra_person_share:.3%}", f"{e.extra_person_rows:,} / {e.records:,}"),
            (f"{e.namesake_couples_auto:,}", marriages),
        ]

    measures = [t(f"eval_{m}") for m in ("precision", "recall", "auto_share", "macro_f1", "conflict_precision",
                                         "twice", "namesake_auto")]
    count = t("eval_count")
    columns = [t("eval_measure"), "reconcile", count]
    rows = [(m, *f) for m, f in zip(measures, figures(ev))]
    others = [(t(switched[1]), switched[0])] if switched else []
    for label, other in (*others, (t("eval_plain"), plain)):
        if other is not None:
            columns += [label, count + " " * (len(columns) // 2)]
            rows = [(*r, *f) for r, f in zip(rows, figures(other))]
    screen.table(t("eval_title"), columns, rows)
    conf = ev.confusion
    screen.table(t("eval_confusion"), conf.columns, conf.rows())


def show_run(screen: Screen, summary: RunSummary) -> None:
    """The run's buckets, where its communes stand now, and what changed since their previous run."""
    t = screen.t
    total = sum(summary.buckets.values())
    rows = [(b, summary.buckets.get(b, 0)) for b in ("auto_resolve", "conflict", "missing")]
    screen.table(t("run_title", run=summary.run_id, communes=len(summary.communes)), [t("bucket"), t("records")], rows,
                 footer=(t("total"), f"{total:,}"))
    st = summary.standing
    screen.info(t("run_standing", done=f"{st['auto_resolved'] + st['decided']:,}", scope=f"{st['in_scope']:,}",
                  auto=f"{st['auto_resolved']:,}", decided=f"{st['decided']:,}", conflicts=f"{st['conflicts']:,}",
                  missing=f"{st['missing']:,}", recheck=f"{st['recheck']:,}"))
    changes = summary.changes
    if not changes.compared_communes:
        return
    if not changes.moves:
        screen.info(t("run_unchanged", records=f"{changes.unchanged:,}"))
        return
    screen.table(t("changes_title"), [t("col_before"), t("col_now"), t("records")],
                 list(changes.moves), footer=(t("unchanged"), "", f"{changes.unchanged:,}"))
    screen.info(t("resolved_by_correction", records=f"{changes.resolved_by_correction:,}"))


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


def show_conflict_export(screen: Screen, commune: str | None, done: ConflictExport) -> None:
    """Each list written, with its rows; open conflicts that no list could hold."""
    t = screen.t
    if not done.files:
        screen.info(t("no_open_conflicts_in", commune=commune.strip()) if commune else t("no_open_conflicts"))
    for path, rows in done.files:
        screen.success(t("conflicts_written", rows=f"{rows:,}", path=path))
    if len(done.files) > 1 or done.communes > 1:
        screen.info(t("conflicts_summary", rows=f"{done.rows:,}", communes=f"{done.communes:,}",
                      files=f"{len(done.files):,}", format=done.file_format))
    if done.without_commune:
        screen.info(t("conflicts_without_commune", rows=f"{done.without_commune:,}"))


def show_answers_import(screen: Screen, done: AnswersImport) -> None:
    """The wrong rows (then nothing was applied), or the decisions stored per answer."""
    t = screen.t
    if done.sheets_ignored:
        screen.info(t("sheets_ignored", sheets=", ".join(done.sheets_ignored)))
    if done.problems:
        screen.table(t("answers_wrong", file=done.path.name),
                     [t("col_sheet"), t("col_row"), t("col_column"), t("col_problem")],
                     [(p.sheet or "—", "—" if p.row is None else str(p.row), p.column or "—", p.message)
                      for p in done.problems])
        return
    screen.table(t("answers_stored_title", file=done.path.name), [t("col_answer"), t("records")],
                 sorted(done.by_answer.items()), footer=(t("total"), f"{len(done.decided):,}"))
    communes = sorted({d.commune for d in done.decided})
    screen.success(t("answers_stored", decisions=f"{len(done.decided):,}", communes=", ".join(communes)))
