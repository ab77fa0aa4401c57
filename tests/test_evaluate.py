"""Evaluation against a truth file: precision, recall, auto share and macro-F1 by hand count."""

from __future__ import annotations

import polars as pl
import pytest

from reconcile.commands.accuracy import evaluate


def test_figures_match_a_hand_count() -> None:
    truth = pl.DataFrame({
        "record_type": ["marriage"] * 4 + ["person"],
        "record_id": ["M1", "M2", "M3", "M4", "P1"],
        "husband_person_id": ["H1", "H2", "H3", None, None],
        "wife_person_id": ["W1", "W2", "W3", "W4", None],
        "expected_bucket": ["auto_resolve", "auto_resolve", "conflict", "missing", "missing"],
    })
    results = pl.DataFrame({
        "record_type": ["marriage"] * 4,
        "record_id": ["M1", "M2", "M3", "M4"],
        "bucket": ["auto_resolve", "auto_resolve", "auto_resolve", "missing"],
        "husband_person_id": ["H1", "H2", "H3", None],
        "wife_person_id": ["W1", "WX", "W3", None],
    })
    ev = evaluate(results, truth)
    assert (ev.auto_links_correct, ev.auto_links) == (5, 6)
    assert ev.precision == pytest.approx(5 / 6)
    assert (ev.true_links_found, ev.true_links) == (5, 7)
    assert (ev.auto_resolvable_auto, ev.auto_resolvable) == (2, 2)
    # F1: auto 2·2/(2+3)=0.8; conflict 0; missing 2·1/(2+1)=0.667 (P1 has no result)
    assert ev.macro_f1 == pytest.approx((0.8 + 0.0 + 2 / 3) / 3)


def test_a_result_the_truth_does_not_list_counts_against_its_bucket() -> None:
    truth = pl.DataFrame({
        "record_type": ["marriage", "person"], "record_id": ["M1", "P1"],
        "husband_person_id": ["H1", "P1"], "wife_person_id": ["W1", None],
        "expected_bucket": ["auto_resolve", "missing"],
    })
    results = pl.DataFrame({
        "record_type": ["marriage", "person", "person"], "record_id": ["M1", "P1", "P2"],
        "bucket": ["auto_resolve", "missing", "missing"],
        "husband_person_id": ["H1", "P1", "P2"], "wife_person_id": ["W1", None, None],
    })
    ev = evaluate(results, truth)
    # missing: 1 hit, 1 expected, 2 found (P2 is a false 'missing') → F1 2·1/(1+2)
    assert ev.macro_f1 == pytest.approx((1.0 + 2 / 3) / 2)
    assert ev.confusion.filter(pl.col("expected_bucket") == "(not in truth)")["missing"].item() == 1


def test_the_officers_load_by_hand_count() -> None:
    # M1 and M2 are in conflict: only M2 truly needs a person. W1 is M1's wife, yet also reported
    # as married without registration (a second task for one marriage); P9 is truly unregistered.
    # M3 is a namesake couple the run auto-resolved.
    truth = pl.DataFrame({
        "record_type": ["marriage"] * 3 + ["person"],
        "record_id": ["M1", "M2", "M3", "P9"],
        "husband_person_id": ["H1", "H2", "H3", "P9"],
        "wife_person_id": ["W1", "W2", "W3", None],
        "expected_bucket": ["auto_resolve", "conflict", "conflict", "missing"],
        "noise": ["", "", "husband:namesake_couple;wife:namesake_couple;undeterminable", ""],
    })
    results = pl.DataFrame({
        "record_type": ["marriage"] * 3 + ["person"] * 2,
        "record_id": ["M1", "M2", "M3", "W1", "P9"],
        "bucket": ["conflict", "conflict", "auto_resolve", "missing", "missing"],
        "husband_person_id": ["H1", "H2", "H3", None, "P9"],
        "wife_person_id": ["W1", "W2", "W3", "W1", None],
    })
    ev = evaluate(results, truth)
    assert (ev.conflicts_needed, ev.conflicts) == (1, 2)
    assert ev.conflict_precision == pytest.approx(0.5)
    assert (ev.extra_person_rows, ev.records) == (1, 5)
    assert ev.extra_person_share == pytest.approx(0.2)
    assert ev.namesake_couples_auto == 1
