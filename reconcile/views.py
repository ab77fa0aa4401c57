"""What the CLI shows for a command's outcome: tables and waterfalls composed on the console.

Kept apart from `cli.py`, which only parses options and calls jobs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reconcile.console import Screen
    from reconcile.evaluate import Evaluation
    from reconcile.jobs import IngestSummary
    from reconcile.report import Explanation


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
    """The record's bucket, reasons and proposed changes, then each spouse's candidates."""
    screen.info(f"[bold]{ex.record_type} {ex.record_id}[/bold]  commune {ex.commune or '?'}  →  "
                f"[bold]{ex.bucket}[/bold]" + (f" ({ex.action})" if ex.action else ""))
    for code, text in ex.reasons:
        screen.info(f"  {code}: {text}")
    for change in ex.changes:
        screen.info(f"  change: person {change['person_id']} {change['field']}: "
                    f"{change['old'] or '∅'} → {change['new'] or '∅'}")
    for sp in ex.spouses:
        screen.info(f"\n[bold]{sp.role}[/bold]: {sp.name}, born {sp.birth or '?'}, ID {sp.id_number or '—'}"
                    + (f"  [{', '.join(sp.link_reasons)}]" if sp.link_reasons else ""))
        if not sp.candidates:
            screen.info(f"  linked to {sp.linked_person}; no candidate evidence stored for this run"
                        if sp.linked_person else "  no population candidate")
        for c in sp.candidates:
            screen.waterfall(
                f"  #{c.rank} {c.person_id} {c.name}, born {c.birth}, commune {c.commune}: "
                f"probability {c.probability:.6f}",
                ("prior", c.prior), [(s.comparison, s.level, s.weight) for s in c.steps], ("match weight", c.weight))


def show_evaluation(screen: Screen, ev: Evaluation, plain: Evaluation | None = None) -> None:
    """Precision, recall, auto share and macro-F1 (beside the plain baseline's), then the confusion."""
    def figures(e: Evaluation) -> list[tuple[str, str]]:
        return [
            (f"{e.precision:.4%}", f"{e.auto_links_correct:,} / {e.auto_links:,}"),
            (f"{e.recall:.4%}", f"{e.true_links_found:,} / {e.true_links:,}"),
            (f"{e.auto_share:.2%}", f"{e.auto_resolvable_auto:,} / {e.auto_resolvable:,}"),
            (f"{e.macro_f1:.4f}", f"{e.marriages:,} marriages"),
        ]

    measures = ["precision in auto_resolve", "recall (any bucket)", "auto-resolvable auto-resolved", "bucket macro-F1"]
    columns = ["measure", "reconcile", "count"]
    rows = [(m, *f) for m, f in zip(measures, figures(ev))]
    if plain is not None:
        columns += ["plain Splink", "count "]
        rows = [(*r, *f) for r, f in zip(rows, figures(plain))]
    screen.table("Spouse links", columns, rows)
    conf = ev.confusion
    screen.table("Buckets: expected (rows) × found (columns)", conf.columns, conf.rows())
