"""Campaign progress from literal daily snapshots: day N, the straight line, the pace of the last
7 days and the projected finish, counted by hand."""

from __future__ import annotations

from datetime import date

import polars as pl

from reconcile.report.progress import PROVINCE, campaign_progress

START, DAYS = date(2025, 6, 1), 10


def _snapshots() -> pl.DataFrame:
    rows = [
        # day, commune, in_scope, auto_resolved, decided, conflicts, missing, recheck
        (date(2025, 6, 1), "19753", 10, 4, 0, 4, 2, 0),
        (date(2025, 6, 3), "19753", 10, 4, 2, 2, 2, 0),
        (date(2025, 6, 9), "19753", 10, 5, 3, 1, 0, 1),
        (date(2025, 6, 2), "19774", 5, 5, 0, 0, 0, 0),
    ]
    return pl.DataFrame(rows, schema=["day", "commune", "in_scope", "auto_resolved", "decided", "conflicts", "missing",
                                      "recheck"], orient="row")


def test_last_day_pace_over_the_last_seven_days() -> None:
    progress = campaign_progress(_snapshots(), START, DAYS, date(2025, 6, 10))
    assert progress.day == 10 and progress.share_target == 1.0 and progress.end == date(2025, 6, 10)
    a, b = progress.communes
    assert (a.commune, a.in_scope, a.done, a.recheck, a.remaining) == ("19753", 10, 8, 1, 2)
    # The window starts on 3 June (done 6); 2 more done in 7 days: 2 left take 7 days.
    assert (a.done_before, a.pace_days) == (6, 7) and abs(a.pace - 2 / 7) < 1e-12
    assert a.finish == date(2025, 6, 17)
    assert (b.done, b.remaining, b.finish, b.share_done) == (5, 0, None, 1.0)
    province = progress.province
    assert (province.commune, province.in_scope, province.done, province.done_before) == (PROVINCE, 15, 13, 11)
    assert province.finish == date(2025, 6, 17) and abs(province.share_done - 13 / 15) < 1e-12


def test_the_first_runs_auto_resolved_records_are_not_pace() -> None:
    # On 2 June: 19753 ran on 1 June (4 auto-resolved at once) and did nothing since; 19774
    # ran today. Records a first run resolves at once say nothing of the officers' pace.
    progress = campaign_progress(_snapshots(), START, DAYS, date(2025, 6, 2))
    assert progress.day == 2 and progress.share_target == 0.2
    a, b = progress.communes
    assert (a.done, a.done_before, a.pace_days, a.pace, a.finish) == (4, 4, 1, 0.0, None)
    assert (b.done, b.pace_days, b.pace, b.finish) == (5, 0, None, None)
    assert (progress.province.done, progress.province.pace, progress.province.finish) == (9, 0.0, None)
    # On 3 June: 19753 decided 2 in the 2 days since its first run: 4 left take 4 days.
    progress = campaign_progress(_snapshots(), START, DAYS, date(2025, 6, 3))
    a, _ = progress.communes
    assert (a.done, a.done_before, a.pace_days, a.pace, a.finish) == (6, 4, 2, 1.0, date(2025, 6, 7))
    assert (progress.province.done, progress.province.done_before, progress.province.finish) == (
        11, 9, date(2025, 6, 7))


def test_no_recent_progress_projects_no_finish_and_the_line_stops_at_100() -> None:
    progress = campaign_progress(_snapshots(), START, DAYS, date(2025, 6, 20))
    assert progress.day == 20 and progress.share_target == 1.0
    assert progress.province.pace == 0 and progress.province.finish is None and progress.province.remaining == 2


def test_before_the_start_there_is_nothing_and_no_pace() -> None:
    progress = campaign_progress(_snapshots(), START, DAYS, date(2025, 5, 31))
    assert progress.day == 0 and progress.share_target == 0.0
    assert progress.communes == () and progress.province.in_scope == 0 and progress.province.pace is None


def test_one_day_of_work_projects_no_finish_two_days_do() -> None:
    rows = [(date(2025, 6, 1), "19753", 10, 4, 0, 6, 0, 0), (date(2025, 6, 2), "19753", 10, 4, 2, 4, 0, 0),
            (date(2025, 6, 3), "19753", 10, 4, 4, 2, 0, 0)]
    snapshots = pl.DataFrame(rows, schema=["day", "commune", "in_scope", "auto_resolved", "decided", "conflicts",
                                           "missing", "recheck"], orient="row")
    # Day 2: 2 decided in the one day since the first run: a pace, but too short to plan on.
    day2 = campaign_progress(snapshots, START, DAYS, date(2025, 6, 2)).province
    assert (day2.pace_days, day2.pace, day2.finish) == (1, 2.0, None)
    # Day 3: 4 decided in 2 days, 2 left: done on day 4.
    day3 = campaign_progress(snapshots, START, DAYS, date(2025, 6, 3)).province
    assert (day3.pace_days, day3.pace, day3.finish) == (2, 2.0, date(2025, 6, 4))
