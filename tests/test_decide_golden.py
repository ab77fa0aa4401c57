"""Bucket decisions as a golden table (tests/golden/bucket_decisions.tsv): each line's edits to the
couple of test_decide.py give exactly its bucket, action and reasons."""

from __future__ import annotations

import pytest
from decide_cases import edited_couple
from golden_tables import read_table
from test_decide import row, run

from reconcile.ruleset import load_rules

HEADER, CASES = read_table("bucket_decisions")


@pytest.mark.parametrize("case", CASES, ids=[c[4] or c[3] or c[1] for c in CASES])
def test_a_couple_edited_as_the_line_says_gets_its_bucket_action_and_reasons(case: list[str]) -> None:
    edits, bucket, action, reasons, _why = case
    r = row(run(*edited_couple(edits)))
    assert (r["bucket"], r["action"], r["reasons"] or "") == (bucket, action, reasons)


def test_the_table_covers_every_bucket_and_the_reasons_officers_meet_most() -> None:
    seen = {code for c in CASES for code in c[3].split(";") if code}
    assert {c[1] for c in CASES} == {"auto_resolve", "conflict", "missing"}
    assert {"CONFIRMED", "SET_SPOUSE", "WEAK_EVIDENCE", "LOW_CONFIDENCE_LINK", "SPOUSE_DIFFERS",
            "DEAD_BEFORE_MARRIAGE", "HUSBAND_NOT_FOUND", "WIFE_NOT_FOUND", "FOREIGN_SPOUSE"} <= seen
    assert seen <= set(load_rules().reasons)


def test_an_edit_that_names_no_target_is_refused_not_ignored() -> None:
    with pytest.raises(ValueError, match="a target is one of"):
        edited_couple("husbnd.sex=F")
