"""A scripted five-day campaign on the sample province: run, review, decide, a corrected population
export, re-runs. Every decision survives, a decision whose evidence changed is flagged to recheck,
and `reconcile status` shows the progress counted here by hand, day by day."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest

from conftest import DAY_ONE, SAMPLE, Cli, table_row

DAY = [date.fromisoformat(DAY_ONE) + timedelta(days=n) for n in range(5)]  # day 1 … day 5
ID, STATUS, SPOUSE_ID, SPOUSE_NAME, NAME = (
    "Số định danh cá nhân", "Tình trạng hôn nhân", "Số định danh vợ/chồng", "Họ tên vợ/chồng", "Họ và tên")


def _on(day: int) -> dict[str, str]:
    return {"RECONCILE_TODAY": DAY[day - 1].isoformat()}


def _corrected_population(conflicts: pl.DataFrame, out: Path) -> Path:
    """The population export after the police recorded these marriages: both spouses married, to each other."""
    population = pl.read_csv(SAMPLE / "population.csv", infer_schema=False)
    spouse = {}
    for husband, wife in conflicts.select("husband_person_id", "wife_person_id").iter_rows():
        spouse |= {husband: wife, wife: husband}
    names = dict(population.select(ID, NAME).iter_rows())
    fixed = pl.col(ID).is_in(list(spouse))
    population.with_columns(
        pl.when(fixed).then(pl.lit("đã kết hôn")).otherwise(pl.col(STATUS)).alias(STATUS),
        pl.when(fixed).then(pl.col(ID).replace_strict(spouse, default=None)).otherwise(pl.col(SPOUSE_ID)).alias(SPOUSE_ID),
        pl.when(fixed).then(pl.col(ID).replace_strict({k: names[v] for k, v in spouse.items()}, default=None))
        .otherwise(pl.col(SPOUSE_NAME)).alias(SPOUSE_NAME),
    ).write_csv(out)
    return out


def _status_row(cli: Cli, campaign: Path, day: int, commune: str = "province") -> list[str]:
    return table_row(cli("status", "--campaign", campaign, env=_on(day)).output, commune)[1:8]


def _expect(scope: int, auto: int, decided: int, conflicts: int, missing: int, recheck: int) -> list[str]:
    assert scope == auto + decided + conflicts + missing + recheck
    return [f"{n:,}" for n in (scope, auto, decided, conflicts, missing, recheck)] + [f"{(auto + decided) / scope:.1%}"]


@pytest.mark.slow
def test_five_days_of_a_campaign(cli: Cli, campaign_copy: Path, tmp_path: Path) -> None:
    camp = ("--campaign", campaign_copy)
    # Day 1 (the sample campaign): ingested, trained, run for every commune.
    cli("export", "results", "--out", tmp_path / "day1.csv", *camp, env=_on(1))
    day1 = pl.read_csv(tmp_path / "day1.csv", infer_schema=False).filter(pl.col("bucket") != "rejected")
    n = {b: day1.filter(pl.col("bucket") == b).height for b in ("auto_resolve", "conflict", "missing")}
    scope = day1.height
    assert _status_row(cli, campaign_copy, 1) == _expect(scope, n["auto_resolve"], 0, n["conflict"], n["missing"], 0)

    # The records of this script: conflicts the police will correct (D), two other conflicts, a missing record.
    linked = pl.col("husband_person_id").is_not_null() & pl.col("wife_person_id").is_not_null()
    corrected = day1.filter((pl.col("reasons") == "DIVORCE_NOT_IN_REGISTRY") & linked)
    assert corrected.height >= 2
    touched = set(corrected["husband_person_id"]) | set(corrected["wife_person_id"])
    others = day1.filter((pl.col("bucket") == "conflict") & linked & ~pl.col("record_id").is_in(corrected["record_id"].implode())
                         & ~pl.col("husband_person_id").is_in(list(touched))
                         & ~pl.col("wife_person_id").is_in(list(touched))
                         & ~pl.col("reasons").str.contains("TWO_LIVE_MARRIAGES"))
    r1, r2 = others.row(0, named=True), others.row(1, named=True)
    d1 = corrected.row(0, named=True)
    r3 = day1.filter(pl.col("bucket") == "missing").row(0, named=True)

    # Day 2: an officer reviews a commune and decides; one record is put off.
    review = cli("review", "--commune", r1["commune"], "--page-size", "500", *camp, env=_on(2)).output
    assert r1["record_id"] in review
    for record, verdict in ((r1, ["--accept", r1["husband_person_id"], "--accept", r1["wife_person_id"]]),
                            (r2, ["--reject"]),
                            (d1, ["--accept", d1["husband_person_id"], "--accept", d1["wife_person_id"]]),
                            (r3, ["--defer"])):
        cli("decide", record["record_id"], *verdict, "--note", "day 2", "--by", "Lê Thị Hoa", *camp, env=_on(2))

    # Day 3: the police corrected the population database; the new export is ingested and run.
    fixed = _corrected_population(corrected, tmp_path / "dan_cu_corrected.csv")
    cli("ingest", "--population", fixed, "--by", "Minh", *camp, env=_on(3))
    out = cli("run", "--all", *camp, env=_on(3)).output
    assert f"Resolved by correction (conflict or missing → auto_resolve): {corrected.height}" in out
    assert table_row(out, "conflict")[1:] == ["auto_resolve", str(corrected.height)]
    out = cli("review", "--commune", d1["commune"], "--page-size", "500", *camp, env=_on(3)).output
    assert d1["record_id"] in out and "recheck: was accept" in out  # new evidence: flagged, not overwritten
    cli("export", "results", "--out", tmp_path / "day3.csv", *camp, env=_on(3))
    flagged = pl.read_csv(tmp_path / "day3.csv", infer_schema=False).filter(pl.col("record_id") == d1["record_id"])
    assert flagged.select("bucket", "decision", "decision_status").row(0) == ("auto_resolve", "accept", "needs_recheck")
    assert "needs recheck: a later run found other evidence" in cli("explain", d1["record_id"], *camp).output

    # Day 4: the officer decides the flagged record again, and the record put off.
    cli("decide", d1["record_id"], "--accept", d1["husband_person_id"], "--note", "day 4", "--by", "Hoa", *camp,
        env=_on(4))
    cli("decide", r3["record_id"], "--reject", "--note", "day 4", "--by", "Hoa", *camp, env=_on(4))

    # Day 5: the commune is run again; nothing changed, every decision is intact.
    out = cli("run", "--commune", r1["commune"], *camp, env=_on(5)).output
    assert "No record changed bucket since the previous run" in out
    cli("export", "results", "--out", tmp_path / "day5.csv", *camp, env=_on(5))
    day5 = pl.read_csv(tmp_path / "day5.csv", infer_schema=False)
    decisions = {r["record_id"]: (r["decision"], r["decision_status"], r["decision_note"])
                 for r in day5.filter(pl.col("decision").is_not_null()).iter_rows(named=True)}
    assert decisions == {r1["record_id"]: ("accept", "decided", "day 2"), r2["record_id"]: ("reject", "decided", "day 2"),
                         d1["record_id"]: ("accept", "decided", "day 4"), r3["record_id"]: ("reject", "decided", "day 4")}

    # The progress, by hand, as `status` shows it on each day.
    auto, conflicts, missing, d = n["auto_resolve"], n["conflict"], n["missing"], corrected.height
    assert _status_row(cli, campaign_copy, 2) == _expect(scope, auto, 3, conflicts - 3, missing, 0)
    assert _status_row(cli, campaign_copy, 3) == _expect(scope, auto + d - 1, 2, conflicts - 2 - d, missing, 1)
    assert _status_row(cli, campaign_copy, 4) == _expect(scope, auto + d - 1, 4, conflicts - 2 - d, missing - 1, 0)
    status = cli("status", *camp, env=_on(5)).output
    assert "Day 5 of 90 (2025-05-31 → 2025-08-28)" in status and "stands at 5.6% today" in status
    done = auto + d + 3
    # Pace: what was done since the first run (day 1, which auto-resolved `auto`) over the 4 days
    # since; the rest at that pace, rounded up.
    gained = done - auto
    finish = DAY[4] + timedelta(days=-(-(scope - done) * 4 // gained))
    assert table_row(status, "province")[1:] == _expect(scope, auto + d - 1, 4, conflicts - 2 - d, missing - 1, 0) + [
        f"{(done / scope - 5 / 90) * 100:+.1f}", f"{gained / 4:,.1f}", finish.isoformat()]
    # One commune by hand: r1's, where r1 and r2 are decided.
    k = r1["commune"]
    in_k = day1.filter(pl.col("commune") == k)
    mine = {r["record_id"]: r["commune"] for r in (r1, r2, d1, r3)}
    ours = sum(c == k for c in mine.values())
    d_k = corrected.filter(pl.col("commune") == k).height
    auto_k = in_k.filter(pl.col("bucket") == "auto_resolve").height + d_k - (mine[d1["record_id"]] == k)
    conflicts_k = (in_k.filter(pl.col("bucket") == "conflict").height - (mine[r1["record_id"]] == k)
                   - (mine[r2["record_id"]] == k) - d_k + (mine[d1["record_id"]] == k))
    missing_k = in_k.filter(pl.col("bucket") == "missing").height - (mine[r3["record_id"]] == k)
    assert table_row(status, k)[1:8] == _expect(in_k.height, auto_k, ours, conflicts_k, missing_k, 0)

    # The log: every ingest, run, decision and export, by whom, with the corrected file's SHA-256.
    log = cli("log", "--limit", "100", *camp, env={"COLUMNS": "300"}).output
    digest = hashlib.sha256(fixed.read_bytes()).hexdigest()
    assert f"dan_cu_corrected.csv {digest[:16]}…" in log and "│ Minh " in log
    entries = [[cell.strip() for cell in line.split("│")[1:-1]] for line in log.splitlines() if line.startswith("│")]
    # (Other tests export the shared sample campaign on their real day; this script's days are its own.)
    actions = [cells[4] for cells in entries if cells[0].isdigit() and cells[2] in {f"day {n}" for n in range(1, 6)}]
    assert sorted(actions) == sorted(["ingest", "train", "run"] + ["decide"] * 4 + ["ingest", "run"] + ["decide"] * 2
                                     + ["export", "run", "export", "export"])
