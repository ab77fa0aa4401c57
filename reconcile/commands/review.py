"""`reconcile review` and `reconcile decide`: a commune's records waiting for an officer, a page at
a time, and an officer's decision on one of them."""

from __future__ import annotations

import math
from dataclasses import dataclass

import polars as pl

from reconcile.clock import today
from reconcile.errors import UserError
from reconcile.ruleset import Reason, load_rules
from reconcile.store import RESULT_EXPORT_COLUMNS, Campaign, DecidedRecord, Store, writing


@dataclass(frozen=True)
class ReviewPage:
    """One page of a commune's records waiting for an officer."""

    commune: str
    reason: str | None
    records: pl.DataFrame
    total: int
    page: int
    pages: int
    reasons: dict[str, Reason]  # the catalogue entries of the codes on this page


def _open_records(campaign: Campaign, commune: str, reason: str | None) -> tuple[pl.DataFrame, dict[str, Reason]]:
    """A commune's records waiting for an officer (only those with `reason`, if given), and the
    reasons catalogue."""
    catalogue = load_rules(campaign.rules_dir).reasons
    if reason is not None and reason not in catalogue:
        raise UserError.said("err_reason", reason=reason, known=", ".join(sorted(catalogue)))
    with Store(campaign.database, read_only=True) as store:
        records = store.results.open_records(commune)
    if reason is not None:
        records = records.filter(pl.col("reasons").str.split(";").list.contains(reason))
    return records, catalogue


def review(campaign: Campaign, commune: str, reason: str | None, page: int, page_size: int) -> ReviewPage:
    """The open conflicts, missing records and decisions to recheck of one commune, a page at a time."""
    if page < 1 or page_size < 1:
        raise UserError.said("err_page_size", page=page, page_size=page_size)
    records, catalogue = _open_records(campaign, commune, reason)
    pages = max(1, math.ceil(records.height / page_size))
    if page > pages:
        raise UserError.said("err_page_past", page=page, pages=pages, records=f"{records.height:,}")
    shown = records.slice((page - 1) * page_size, page_size)
    codes = {c for r in shown["reasons"].drop_nulls().to_list() for c in r.split(";") if c}
    return ReviewPage(commune, reason, shown, records.height, page, pages,
                      {c: catalogue[c] for c in sorted(codes) if c in catalogue})


def review_records(campaign: Campaign, commune: str, reason: str | None) -> pl.DataFrame:
    """Every record of one commune waiting for an officer (no paging), with the columns and values
    of `reconcile export results`."""
    return _open_records(campaign, commune, reason)[0].select(RESULT_EXPORT_COLUMNS)


def record_decision(campaign: Campaign, record_id: str, verdict: str, person_ids: list[str], note: str,
                    who: str) -> DecidedRecord:
    """Store an officer's decision on a record: accept (with the population person or persons
    it concerns), reject or defer, with a note saying why."""
    if not note.strip():
        raise UserError.said("err_note")
    if not who.strip():
        raise UserError.said("err_by")
    if (verdict == "accept") != bool(person_ids):
        raise UserError.said("err_accept_person")
    with writing(campaign.folder, f"decide {record_id}", who):
        with Store(campaign.database) as store:
            return store.decisions.save(record_id, verdict, person_ids, note.strip(), who.strip(), today())
