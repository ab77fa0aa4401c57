"""The golden table of bucket decisions (tests/golden/bucket_decisions.tsv): a line's edits, applied
to the couple of tests/test_decide.py (husband H1 and wife W1, recorded as each other's spouse,
both linked with strong evidence), as frames of the contract (reconcile/frames.py).

An edit is `target.column=value` (an empty value is none), `target=none` (the record is not there:
a person takes its pairs with it), or `nobody_recorded` (neither person records a spouse). Targets:
marriage, husband, wife (the registry's copies), husband_person, wife_person (the population's
records), husband_pair, wife_pair (their scored pairs)."""

from __future__ import annotations

from datetime import date

import polars as pl
from test_decide import PAIRS, UNRECORDED, couple

from reconcile.frames import DECIDING

_TARGETS = {"marriage": ("marriages", 0), "husband": ("spouses", 0), "wife": ("spouses", 1),
            "husband_person": ("persons", 0), "wife_person": ("persons", 1),
            "husband_pair": ("pairs", 0), "wife_pair": ("pairs", 1)}


def _value(table: str, column: str, text: str) -> object:
    dtype = (PAIRS if table == "pairs" else DECIDING[table]).schema[column]
    if text == "":
        return None
    if dtype == pl.Date:
        return date.fromisoformat(text)
    if dtype == pl.Boolean:
        return {"true": True, "false": False}[text]
    if dtype.is_integer():
        return int(text)
    return float(text) if dtype.is_float() else text


def edited_couple(edits: str) -> tuple[list, list, list, list]:
    """The marriages, spouses, persons and pairs of the couple with `edits` applied."""
    m, s, p, pr = couple()
    frames = {"marriages": m, "spouses": s, "persons": p, "pairs": pr}
    rows = {target: frames[table][i] for target, (table, i) in _TARGETS.items()}
    gone: list[str] = []
    for edit in (e.strip() for e in edits.split(";")):
        if not edit:
            continue
        if edit == "nobody_recorded":
            rows["husband_person"].update(UNRECORDED)
            rows["wife_person"].update(UNRECORDED)
            continue
        where, _, text = edit.partition("=")
        target, _, column = where.partition(".")
        if target not in _TARGETS or (not column and text != "none"):
            raise ValueError(f"edit {edit!r}: a target is one of {', '.join(_TARGETS)}; `target=none` removes it")
        if not column:
            gone.append(target)
            continue
        table = _TARGETS[target][0]
        rows[target][column] = _value(table, column, text)
    removed = {id(rows[t]) for t in gone}
    removed_persons = {rows[t]["unique_id"] for t in gone if t.endswith("_person")}
    p[:] = [x for x in p if id(x) not in removed]
    pr[:] = [x for x in pr if id(x) not in removed and x["person_uid"] not in removed_persons]
    return m, s, p, pr
