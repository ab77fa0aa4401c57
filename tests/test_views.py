"""What status, review and log show, rendered from literal data to a fixed-width in-memory console."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from io import StringIO

import polars as pl
from rich.console import Console

from conftest import table_row
from reconcile.cli import records_views, views
from reconcile.commands.review import ReviewPage
from reconcile.commands.status import StatusReport
from reconcile.cli.console import Screen
from reconcile.report import bucket_table, campaign_progress
from reconcile.ruleset import Reason


def _screen(width: int = 160) -> tuple[Screen, StringIO]:
    buffer = StringIO()
    return Screen(Console(file=buffer, width=width, color_system=None, force_terminal=False), lang="en"), buffer


def _snapshots() -> pl.DataFrame:
    rows = [(date(2025, 6, 1), "19753", 10, 4, 0, 4, 2, 0), (date(2025, 6, 3), "19753", 10, 4, 3, 1, 1, 1),
            (date(2025, 6, 1), "19774", 4, 4, 0, 0, 0, 0)]
    return pl.DataFrame(rows, orient="row", schema=["day", "commune", "in_scope", "auto_resolved", "decided",
                                                    "conflicts", "missing", "recheck"])


def test_status_shows_buckets_day_n_the_line_and_the_projection() -> None:
    results = pl.DataFrame({"commune": ["19753", "19753", "19774", None], "bucket": ["conflict", "auto_resolve",
                                                                                      "auto_resolve", "rejected"]})
    progress = campaign_progress(_snapshots(), date(2025, 6, 1), 90, date(2025, 6, 4))
    screen, buffer = _screen()
    records_views.show_status(screen, "Campaign hue: province 46", StatusReport(bucket_table(results), progress))
    text = buffer.getvalue()
    assert "Campaign hue: province 46" in text and "(commune unknown)" in text
    assert "Day 4 of 90 (2025-06-01 → 2025-08-29)" in text and "stands at 4.4% today" in text
    # 19753: 7 of 10 done; its first run (1 June) resolved 4, 3 more since in 3 days: 3 left take 3 days.
    assert "Phường Phú Xuân" in text  # the bucket table names the communes
    assert table_row(text, "19753") == ["19753", "10", "4", "3", "1", "1", "1", "70.0%", "+65.6", "1.0", "2025-06-07"]
    assert table_row(text, "19774")[-1] == "done"
    # The province: 11 of 14 done, 8 of them by the first runs, 3 since in 3 days: 3 left take 3 days.
    assert table_row(text, "province") == ["province", "14", "8", "3", "1", "1", "1", "78.6%", "+74.1", "1.0",
                                        "2025-06-07"]


def test_status_before_any_run_and_a_late_finish() -> None:
    empty = campaign_progress(_snapshots().clear(), date(2025, 6, 1), 90, date(2025, 5, 30))
    screen, buffer = _screen()
    records_views.show_status(screen, "Campaign hue", StatusReport(bucket_table(pl.DataFrame(
        {"commune": [], "bucket": []}, schema={"commune": pl.String, "bucket": pl.String})), empty))
    text = buffer.getvalue()
    assert "no results on the current data yet" in text and "starts on 2025-06-01 (in 2 day(s))" in text
    assert "No progress recorded yet" in text

    late = campaign_progress(_snapshots(), date(2025, 6, 1), 3, date(2025, 6, 3))
    screen, buffer = _screen()
    records_views.show_progress(screen, late)
    assert table_row(buffer.getvalue(), "19753")[-1] == "2025-06-05 (late)"


def test_review_lists_a_page_with_decisions_and_reason_texts() -> None:
    records = pl.DataFrame({
        "record_id": ["46-2003-Q01-0007", "046198836296"], "record_type": ["marriage", "person"],
        "bucket": ["conflict", "missing"], "reasons": ["WEAK_EVIDENCE;SPOUSE_DIFFERS", "MARRIED_WITHOUT_REGISTRATION"],
        "husband_person_id": ["046080157487", None], "wife_person_id": ["046176307045", "046198836296"],
        "husband_match_probability": [0.99997, None], "wife_match_probability": [0.9998, None],
        "decision": ["accept", "defer"], "decision_person_ids": ["046080157487", None],
        "decision_status": ["needs_recheck", "deferred"], "decided_by": ["Hoa", "Lan"],
        "decision_note": ["checked", "asked the police"]})
    reasons = {"SPOUSE_DIFFERS": Reason("SPOUSE_DIFFERS", "conflict", "A different spouse", "Người khác")}
    screen, buffer = _screen(200)
    records_views.show_review(screen, ReviewPage("19753", None, records, 27, 1, 2, reasons), "en")
    text = buffer.getvalue()
    assert "Waiting for an officer in commune 19753: page 1 of 2 (27 records)" in text
    assert "recheck: was accept 046080157487 by Hoa" in text and "deferred by Lan: asked the police" in text
    assert "0.9998" in text and "SPOUSE_DIFFERS: A different spouse" in text and "Next page: --page 2" in text
    screen, buffer = _screen()
    records_views.show_review(screen, ReviewPage("19753", "DEAD_BEFORE_MARRIAGE", records.clear(), 0, 1, 1, {}), "vi")
    assert "No records wait for an officer in commune 19753, reason DEAD_BEFORE_MARRIAGE." in buffer.getvalue()


def test_log_shows_who_when_what_counts_and_hashes() -> None:
    entries = pl.DataFrame({
        "entry_id": [2, 1], "logged_at": ["2025-06-02 09:15:00", "2025-06-01 08:00:00"],
        "day": [date(2025, 6, 2), date(2025, 6, 1)], "who": ["Lê Thị Hoa", "lan"], "action": ["decide", "ingest"],
        "subject": ["46-2003-Q01-0007: reject", "registry + population"],
        "counts": ["{}", json.dumps({"registry rows": 1377, "registry rejected": 2})],
        "files": ["{}", json.dumps({"/data/ket_hon.csv": "ab" * 32})], "note": ["not the same man", ""]})
    screen, buffer = _screen(240)
    records_views.show_log(screen, entries, date(2025, 5, 31))
    text = buffer.getvalue()
    assert text.index("Lê Thị Hoa") < text.index("lan")  # newest first
    assert "day 3" in text and "day 2" in text  # the campaign day, not the date
    assert '46-2003-Q01-0007: reject — "not the same man"' in text
    assert "registry rows 1,377, registry rejected 2" in text and f"ket_hon.csv {'ab' * 8}…" in text
    screen, buffer = _screen()
    records_views.show_log(screen, entries.clear(), date(2025, 5, 31))
    assert "The audit log is empty" in buffer.getvalue()


def _spouse(role: str, name: str, linked: str, recorded_name: str, recorded_id: str):
    from reconcile.report.explain import SpouseEvidence

    return SpouseEvidence(role=role, name=name, birth="01/02/1980", id_number="", linked_person=linked,
                          link_reasons=(), candidates=(), recorded_spouse_name=recorded_name,
                          recorded_spouse_id=recorded_id)


def test_explain_shows_the_recorded_spouses_and_the_couple_with_its_runner_up() -> None:
    from reconcile.report.explain import CoupleEvidence, Explanation, Person

    couple = CoupleEvidence(weight=72.3214, recorded="id", lead=3.456, runner_up=(
        ("husband", Person("030087201069", "Đào Công Hải", "25/04/1987"), True),
        ("wife", Person("046186037571", "Phan Kim Diễm", "30/03/1986"), False)))
    ex = Explanation("marriage", "46-2010-Q01-0008", "19753", "conflict", "review",
                     (("AMBIGUOUS_COUPLES", "Two couples fit"),), (),
                     (_spouse("husband", "Đào Công Hải", "030087201069", "Phan Kim Diễm", "046186776730"),
                      _spouse("wife", "Phan Kim Diễm", "046186776730", "", "")), couple=couple)
    screen, buffer = _screen(200)
    views.show_explanation(screen, ex)
    text = buffer.getvalue()
    assert "030087201069 records as spouse: Phan Kim Diễm, ID 046186776730" in text
    assert "046186776730 records as spouse: —, ID —" in text
    assert "couple: weight 72.32; recorded as each other's spouse: by ID" in text
    assert "lead over the runner-up couple: 3.46" in text
    assert "runner-up husband: 030087201069 Đào Công Hải, born 25/04/1987 (the linked person)" in text
    assert "runner-up wife: 046186037571 Phan Kim Diễm, born 30/03/1986\n" in text
    assert text.index("wife: Phan") < text.index("couple:")


def test_explain_without_a_runner_up_or_without_couple_evidence() -> None:
    from reconcile.report.explain import CoupleEvidence, Explanation

    spouses = (_spouse("husband", "Võ Minh", "046051523231", "Nguyễn Tường Loan", ""),)
    alone = Explanation("marriage", "46-1983-Q01-0002", "19858", "auto_resolve", "confirm", (), (), spouses,
                        couple=CoupleEvidence(weight=30.5, recorded="both_ways", lead=None, runner_up=()))
    screen, buffer = _screen(200)
    views.show_explanation(screen, alone)
    text = buffer.getvalue()
    assert "recorded as each other's spouse: both ways" in text and "no runner-up couple" in text
    screen, buffer = _screen(200)
    views.show_explanation(screen, Explanation("marriage", "46-1983-Q01-0002", "19858", "conflict", "review", (), (),
                                               spouses))
    text = buffer.getvalue()
    assert "046051523231 records as spouse: Nguyễn Tường Loan, ID —" in text and "couple" not in text


def test_explain_names_whoever_else_records_the_linked_person_by_id() -> None:
    from reconcile.report.explain import Explanation, _claimed_by

    claims = pl.DataFrame({"person_id": ["046083085515", "046050000001", "046050000002"],
                           "spouse_id": ["079183566070"] * 3, "marital_status": ["married", "married", "divorced"],
                           "death_date": [None, date(2001, 5, 1), None], "death_year": [None, 2001, None]})
    # A dead husband's or a divorced one's record is the past: only the living married one counts.
    assert _claimed_by("079183566070", claims) == ("046083085515",)
    assert _claimed_by("046183602400", claims) == ()
    wife = replace(_spouse("wife", "Nguyễn Thị Phương", "079183566070", "Nguyễn Văn Hoà", ""),
                   claimed_by=("046083085515",))
    ex = Explanation("marriage", "79-2008-Q01-0001", "26848", "conflict", "review", (), (),
                     (_spouse("husband", "Nguyễn Văn Hoà", "046085701719", "Nguyễn Thị Phương", ""), wife))
    screen, buffer = _screen(240)
    views.show_explanation(screen, ex)
    text = buffer.getvalue()
    assert ("079183566070 is given as spouse, by personal ID, in the record of 046083085515 (living, married)"
            in text)
    assert text.count("is given as spouse") == 1


def test_explain_says_which_candidate_lives_at_the_registered_home() -> None:
    from reconcile.report.explain import Explanation, _candidates

    # The husband's copy gives "Thôn 5, Xã Phú Mỹ, Huyện Phú Vang" (before the merger); of his two
    # namesakes one lives in Thôn 5 of the commune it became.
    people = {"P1": {"person_id": "046056334666", "full_name": "Nguyễn Văn Bảo", "birth_date_raw": "22/03/1956",
                     "address": "Thôn 8, Xã Phú Vinh, Thành phố Huế"},
              "P2": {"person_id": "046056407716", "full_name": "Nguyễn Văn Bảo", "birth_date_raw": "14/05/1956",
                     "address": "Thôn 5, Phường Mỹ Thượng, Thành phố Huế"}}
    rows = pl.DataFrame({"unique_id": ["M|H"] * 2, "person_uid": ["P1", "P2"], "rank": [1, 2],
                         "match_probability": [0.04, 0.04], "match_weight": [-4.7, -4.7], "step": [0, 0],
                         "comparison": ["name"] * 2, "level": ["tone_exact"] * 2, "weight": [10.0, 10.0]})
    found = _candidates("M|H", rows, people, "Thôn 5, Xã Phú Mỹ, Huyện Phú Vang, Tỉnh Thừa Thiên Huế")
    assert [c.registered_home for c in found] == ["", "Thôn 5"]
    husband = replace(_spouse("husband", "Nguyễn Văn Bảo", "", "", ""), candidates=found)
    screen, buffer = _screen(200)
    views.show_explanation(screen, Explanation("marriage", "34-1979-Q01-0004", "19930", "missing", "find", (), (),
                                               (husband,)))
    text = buffer.getvalue()
    assert "046056407716 lives at Thôn 5, the residence the registration gives for this spouse" in text
    assert text.count("lives at") == 1
