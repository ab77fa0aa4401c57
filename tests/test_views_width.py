"""The officer's terminal at 80 and 120 columns: `review`, `log`, `status` and `explain` rendered
from literal data to fixed-width in-memory consoles (Rich's practice) and compared, whole, with the
texts in tests/snapshots/. At 80 columns every record ID and reason code of the page is whole.

A deliberate change of a layout: `UPDATE_SNAPSHOTS=1 make test`, then read the new texts."""

from __future__ import annotations

import os
import re
from datetime import date
from io import StringIO
from pathlib import Path

import polars as pl
import pytest
from rich.console import Console

from reconcile.cli import records_views, views
from reconcile.commands.review import ReviewPage
from reconcile.commands.status import StatusReport
from reconcile.cli.console import Screen
from reconcile.report import bucket_table, campaign_progress
from reconcile.report.explain import Candidate, CoupleEvidence, Explanation, Person, SpouseEvidence, Step
from reconcile.ruleset import Reason

SNAPSHOTS = Path(__file__).parent / "snapshots"
WIDTHS = (80, 120)
RECORD_IDS = ("46-2003-Q01-0007", "46-1998-Q04-0152", "046198836296")
CODES = ("AMBIGUOUS_CANDIDATES", "LOW_CONFIDENCE_LINK", "WEAK_EVIDENCE", "SPOUSE_DIFFERS", "RESIDENCE_OTHER_PROVINCE",
         "MARRIED_WITHOUT_REGISTRATION")


def _render(width: int, show, lang: str = "en") -> str:
    buffer = StringIO()
    show(Screen(Console(file=buffer, width=width, color_system=None, force_terminal=False), lang=lang))
    return buffer.getvalue()


def _review(screen: Screen) -> None:
    records = pl.DataFrame({
        "record_id": list(RECORD_IDS), "record_type": ["marriage", "marriage", "person"],
        "bucket": ["conflict", "conflict", "missing"],
        "reasons": ["AMBIGUOUS_CANDIDATES;LOW_CONFIDENCE_LINK;WEAK_EVIDENCE", "SPOUSE_DIFFERS;RESIDENCE_OTHER_PROVINCE",
                    "MARRIED_WITHOUT_REGISTRATION"],
        "husband_person_id": ["046080157487", "046072004511", None], "wife_person_id": ["046176307045", None, "046198836296"],
        "husband_match_probability": [0.41, 0.99997, None], "wife_match_probability": [0.9998, None, None],
        "decision": [None, "accept", None], "decision_person_ids": [None, "046072004511", None],
        "decision_status": [None, "needs_recheck", None], "decided_by": [None, "Hoa", None], "decision_note": [None, "ok", None]})
    reasons = {c: Reason(c, "conflict", f"{c.lower().replace('_', ' ')} (meaning)", "nghĩa") for c in CODES}
    records_views.show_review(screen, ReviewPage("19753", None, records, 3, 1, 1, reasons), "en")


def _log(screen: Screen) -> None:
    entries = pl.DataFrame({
        "entry_id": [3, 2, 1], "logged_at": ["2025-06-02 09:15:00", "2025-06-01 08:05:00", "2025-06-01 08:00:00"],
        "day": [date(2025, 6, 2), date(2025, 6, 1), date(2025, 6, 1)], "who": ["Lê Thị Hoa", "lan", "lan"],
        "action": ["decide", "run", "ingest"],
        "subject": ["46-1998-Q04-0152: accept 046072004511", "run 1: all", "registry + population"],
        "counts": ["{}", '{"auto_resolve": 320, "conflict": 41, "missing": 36}', '{"registry rows": 377}'],
        "files": ["{}", "{}", '{"/data/ket_hon_2025.csv": "' + "ab" * 32 + '"}'],
        "note": ["checked the book", "", ""]})
    records_views.show_log(screen, entries, date(2025, 6, 1))


def _status(screen: Screen) -> None:
    rows = [(date(2025, 6, 1), "19753", 10, 4, 0, 4, 2, 0), (date(2025, 6, 3), "19753", 10, 4, 3, 1, 1, 1),
            (date(2025, 6, 1), "19774", 4, 4, 0, 0, 0, 0)]
    snapshots = pl.DataFrame(rows, orient="row", schema=["day", "commune", "in_scope", "auto_resolved", "decided",
                                                         "conflicts", "missing", "recheck"])
    results = pl.DataFrame({"commune": ["19753", "19753", "19774", None],
                            "bucket": ["conflict", "auto_resolve", "auto_resolve", "rejected"]})
    progress = campaign_progress(snapshots, date(2025, 6, 1), 90, date(2025, 6, 4))
    records_views.show_status(screen, "Campaign hue: province 46", StatusReport(bucket_table(results), progress))


def _explain(screen: Screen) -> None:
    steps = (Step("id", "null", 0.0), Step("name", "tone_exact", 9.49), Step("birth_date", "month_exact", 7.91),
             Step("commune", "else", -0.92))
    husband = SpouseEvidence("husband", "Nguyễn Văn Hiếu", "12/1954", "", "046054074674",
                             ("AMBIGUOUS_CANDIDATES", "LOW_CONFIDENCE_LINK"),
                             (Candidate(1, "046054074674", "Nguyễn Văn Hiếu", "12/12/1954", "19873", 0.164, -2.35, -19.82,
                                        steps),), recorded_spouse_name="", recorded_spouse_id="")
    wife = SpouseEvidence("wife", "Bùi Thị Oanh", "05/04/1954", "", "046154759010", (), (),
                          recorded_spouse_name="Nguyễn Văn Hiếu", recorded_spouse_id="")
    couple = CoupleEvidence(weight=29.88, recorded="name", lead=3.9, runner_up=(
        ("husband", Person("046054779636", "Nguyễn Văn Hiếu", "22/08/1954"), False),))
    views.show_explanation(screen, Explanation(
        "marriage", "46-1975-Q01-0116", "19789", "conflict", "review",
        (("AMBIGUOUS_CANDIDATES", "Two or more population persons match almost equally well"),
         ("LOW_CONFIDENCE_LINK", "The best population candidate is not certain enough to act on")),
        (), (husband, wife), couple=couple))


VIEWS = {"review": _review, "log": _log, "status": _status, "explain": _explain}


@pytest.mark.parametrize("lang", ("en", "vi"))
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", sorted(VIEWS))
def test_the_view_at_this_width_is_the_snapshot(name: str, width: int, lang: str) -> None:
    text = _render(width, VIEWS[name], lang)
    assert all(len(line) <= width for line in text.splitlines()), "a line is wider than the window"
    path = SNAPSHOTS / (f"{name}_{width}.txt" if lang == "en" else f"{name}_{width}_{lang}.txt")
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no snapshot {path.name}: run with UPDATE_SNAPSHOTS=1 and read it"
    assert text == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("lang", ("en", "vi"))
@pytest.mark.parametrize("width", WIDTHS)
def test_every_record_id_and_reason_code_of_a_review_page_is_whole(width: int, lang: str) -> None:
    text = _render(width, _review, lang)
    table = text.split("\n(")[0]
    words = set(re.findall(r"[\w-]+", table))
    assert set(RECORD_IDS) <= words and {"AMBIGUOUS_CANDIDATES", "LOW_CONFIDENCE_LINK", "WEAK_EVIDENCE",
                                         "SPOUSE_DIFFERS", "RESIDENCE_OTHER_PROVINCE",
                                         "MARRIED_WITHOUT_REGISTRATION"} <= words
    for cut in ("…", "1…", "m…", "c…"):
        assert cut not in table


def test_the_log_keeps_a_decisions_record_id_whole_and_shows_day_n_at_80_columns() -> None:
    text = _render(80, _log)
    assert "46-1998-Q04-0152:" in text and "day 2" in text and "day 1" in text
    assert "ngày 2" in _render(80, _log, "vi")
