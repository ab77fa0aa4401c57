"""Review, decide, export and log through the CLI: what an officer sees and what is kept."""

from __future__ import annotations

import hashlib
from pathlib import Path

import polars as pl

from conftest import Cli

CONTRACT = ["record_type", "record_id", "commune", "bucket", "action", "reasons", "husband_person_id",
            "wife_person_id", "husband_match_probability", "wife_match_probability"]


def _results(cli: Cli, campaign: Path, out: Path) -> pl.DataFrame:
    cli("export", "results", "--out", out, "--campaign", campaign)
    return pl.read_csv(out, infer_schema=False)


def _busiest_commune(results: pl.DataFrame) -> tuple[str, pl.DataFrame]:
    """The commune with the most open records, and those records."""
    open_ = results.filter(pl.col("bucket").is_in(["conflict", "missing"]))
    commune = open_["commune"].mode().sort()[0]
    return commune, open_.filter(pl.col("commune") == commune).sort("record_type", "record_id")


def test_review_pages_and_filters_a_communes_open_records(cli: Cli, sample_campaign: Path, tmp_path: Path) -> None:
    commune, open_ = _busiest_commune(_results(cli, sample_campaign, tmp_path / "r.csv"))
    out = cli("review", "--commune", commune, "--page-size", "2", "--lang", "en", "--campaign", sample_campaign).output
    pages = -(-open_.height // 2)
    assert f"Waiting for an officer in commune {commune}: page 1 of {pages} ({open_.height} records)" in out
    assert open_["record_id"][0] in out and open_["record_id"][1] in out and open_["record_id"][2] not in out
    assert "Next page: --page 2" in out
    last = cli("review", "--commune", commune, "--page-size", "2", "--page", str(pages), "--campaign",
               sample_campaign).output
    assert open_["record_id"][-1] in last and "Next page" not in last
    reason = open_["reasons"][0].split(";")[0]
    with_reason = open_.filter(pl.col("reasons").str.split(";").list.contains(reason))
    out = cli("review", "--commune", commune, "--reason", reason, "--lang", "en", "--campaign", sample_campaign).output
    assert f"reason {reason}: page 1 of 1 ({with_reason.height} records)" in out
    assert f"{reason}: " in out  # the reason's text, in English
    errors = [
        (["--reason", "NOPE"], "unknown reason code 'NOPE'"),
        (["--page", "99"], "past the last page"),
        (["--page-size", "0"], "--page and --page-size must be at least 1"),
    ]
    for args, says in errors:
        assert says in cli("review", "--commune", commune, *args, "--campaign", sample_campaign, code=1).output
    assert "No records wait for an officer in commune 99999" in cli(
        "review", "--commune", "99999", "--campaign", sample_campaign).output


def test_decisions_are_kept_shown_and_exported(cli: Cli, campaign_copy: Path, tmp_path: Path) -> None:
    results = _results(cli, campaign_copy, tmp_path / "before.csv")
    commune, open_ = _busiest_commune(results)
    marriages = open_.filter((pl.col("record_type") == "marriage") & pl.col("husband_person_id").is_not_null()
                             & pl.col("wife_person_id").is_not_null())
    accepted, rejected = marriages.row(0, named=True), marriages.row(1, named=True)
    deferred = open_.filter(~pl.col("record_id").is_in([accepted["record_id"], rejected["record_id"]])).row(0, named=True)
    out = cli("decide", accepted["record_id"], "--accept", accepted["husband_person_id"], "--accept",
              accepted["wife_person_id"], "--note", "checked the book", "--by", "Lê Thị Hoa",
              "--campaign", campaign_copy).output
    assert f"accept marriage {accepted['record_id']}" in out and "by Lê Thị Hoa" in out
    cli("decide", rejected["record_id"], "--reject", "--note", "not the same man", "--by", "Hoa", "--campaign",
        campaign_copy)
    cli("decide", deferred["record_id"], "--defer", "--note", "asked the police", "--by", "Minh", "--campaign",
        campaign_copy)

    # A later run of the commune keeps every decision; review lists only the deferred one of the three.
    cli("run", "--commune", commune, "--campaign", campaign_copy)
    review = cli("review", "--commune", commune, "--page-size", "500", "--campaign", campaign_copy).output
    assert accepted["record_id"] not in review and rejected["record_id"] not in review
    assert deferred["record_id"] in review and "deferred by Minh: asked the police" in review

    after = _results(cli, campaign_copy, tmp_path / "after.csv")
    assert after.columns[: len(CONTRACT)] == CONTRACT
    assert after.drop("run_id", *(c for c in after.columns if c.startswith("decision") or c.startswith("decided")))\
        .sort("record_type", "record_id").equals(results.drop("run_id", *(
            c for c in results.columns if c.startswith("decision") or c.startswith("decided"))).sort(
            "record_type", "record_id")), "decisions never change the machine's buckets"
    decided = {r["record_id"]: r for r in after.filter(pl.col("decision").is_not_null()).iter_rows(named=True)}
    assert set(decided) == {accepted["record_id"], rejected["record_id"], deferred["record_id"]}
    first = decided[accepted["record_id"]]
    assert (first["decision"], first["decision_status"], first["decided_by"], first["decision_note"]) == \
        ("accept", "decided", "Lê Thị Hoa", "checked the book")
    assert first["decision_person_ids"] == f"{accepted['husband_person_id']};{accepted['wife_person_id']}"
    assert first["decided_at"] and decided[rejected["record_id"]]["decision_status"] == "decided"
    assert decided[deferred["record_id"]]["decision_status"] == "deferred"

    explained = cli("explain", accepted["record_id"], "--campaign", campaign_copy).output
    line = next(line for line in explained.splitlines() if "decision:" in line)
    assert f"decision: accept {accepted['husband_person_id']}, {accepted['wife_person_id']} by Lê Thị Hoa on " in line
    assert line.endswith(": checked the book")

    # The log has every decision and every export, with the file's SHA-256.
    log = cli("log", "--limit", "50", "--campaign", campaign_copy, env={"COLUMNS": "300"}).output
    assert f"{accepted['record_id']}: accept" in log and '"not the same man"' in log
    digest = hashlib.sha256((tmp_path / "after.csv").read_bytes()).hexdigest()
    assert f"after.csv {digest[:16]}…" in log


def test_decide_refuses_what_it_cannot_record(cli: Cli, sample_campaign: Path, tmp_path: Path) -> None:
    results = _results(cli, sample_campaign, tmp_path / "r.csv")
    record = results.filter(pl.col("bucket") == "conflict")["record_id"][0]
    cases = [
        (["--reject", "--defer"], "give exactly one of --accept PERSON_ID, --reject or --defer"),
        ([], "give exactly one of --accept PERSON_ID, --reject or --defer"),
        (["--accept", "046000000000"], "no population person with ID *********000"),  # never a whole ID
    ]
    for args, says in cases:
        out = cli("decide", record, *args, "--note", "n", "--by", "Hoa", "--campaign", sample_campaign, code=1).output
        assert says in out and "Traceback" not in out
    assert "--note must say why" in cli("decide", record, "--reject", "--note", " ", "--by", "Hoa", "--campaign",
                                        sample_campaign, code=1).output
    assert "no current result for 'nope'" in cli("decide", "nope", "--reject", "--note", "n", "--by", "Hoa",
                                                 "--campaign", sample_campaign, code=1).output
    assert "Missing option '--by'" in cli("decide", record, "--reject", "--note", "n", "--campaign", sample_campaign,
                                          code=2).output
