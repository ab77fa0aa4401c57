"""What a run changed against the previous run of the same communes, on literal results."""

from __future__ import annotations

import polars as pl

from reconcile.report.changes import compare_runs


def _results(rows: list[tuple[str, str, str]]) -> pl.DataFrame:
    return pl.DataFrame([("marriage", *r) for r in rows], orient="row",
                        schema={c: pl.String for c in ("record_type", "record_id", "commune", "bucket")})


def test_moves_corrections_new_and_gone_records() -> None:
    previous = _results([("A1", "19753", "conflict"), ("A2", "19753", "missing"), ("A3", "19753", "auto_resolve"),
                         ("A4", "19753", "conflict"), ("A5", "19753", "auto_resolve")])
    current = _results([("A1", "19753", "auto_resolve"), ("A2", "19753", "auto_resolve"),
                        ("A3", "19753", "conflict"), ("A4", "19753", "conflict"), ("A6", "19753", "missing"),
                        ("B1", "19774", "conflict")])  # 19774 had no previous run: not compared
    changes = compare_runs(previous, current)
    assert changes.compared_communes == 1 and changes.unchanged == 1
    assert changes.moves == (("auto_resolve", "conflict", 1), ("auto_resolve", "gone", 1),
                             ("conflict", "auto_resolve", 1), ("missing", "auto_resolve", 1), ("new", "missing", 1))
    assert (changes.resolved_by_correction, changes.bucket_changed, changes.new_records, changes.gone_records) == \
        (2, 3, 1, 1)
    assert changes.counts() == {"bucket changed": 3, "resolved by correction": 2, "new records": 1, "records gone": 1}


def test_a_first_run_compares_nothing() -> None:
    changes = compare_runs(_results([]), _results([("A1", "19753", "conflict")]))
    assert changes.compared_communes == 0 and changes.moves == () and changes.unchanged == 0
