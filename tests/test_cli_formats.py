"""`--format csv|json` of review, log and status: read back by a CSV reader and by json.loads, as a
spreadsheet or a script would, and compared with `reconcile export results`."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import duckdb
import polars as pl

from conftest import DAY_ONE, Cli

OPEN = ("conflict", "missing")


def _export(cli: Cli, campaign: Path, tmp_path: Path) -> list[dict[str, str]]:
    out = tmp_path / "results.csv"
    cli("export", "results", "--out", out, "--campaign", campaign)
    with out.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _busiest(rows: list[dict[str, str]]) -> str:
    communes = [r["commune"] for r in rows if r["bucket"] in OPEN and r["commune"]]
    return max(sorted(set(communes)), key=communes.count)


def test_review_as_csv_lists_every_open_record_as_the_results_export_does(cli: Cli, sample_campaign: Path,
                                                                          tmp_path: Path) -> None:
    exported = _export(cli, sample_campaign, tmp_path)
    commune = _busiest(exported)
    expected = [r for r in exported if r["commune"] == commune and r["bucket"] in OPEN]
    # One page of 2 in the table; csv lists them all.
    text = cli("review", "--commune", commune, "--format", "csv", "--page-size", "2", "--campaign", sample_campaign).output
    assert text.startswith("\ufeff")  # a spreadsheet opens it as UTF-8, Vietnamese intact
    listed = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert len(listed) == len(expected) > 2
    key = lambda r: (r["record_type"], r["record_id"])  # noqa: E731
    assert sorted(listed, key=key) == sorted(expected, key=key)
    assert list(listed[0]) == list(exported[0])  # one header row, the export's columns


def test_review_as_json_for_a_script(cli: Cli, sample_campaign: Path, tmp_path: Path) -> None:
    exported = _export(cli, sample_campaign, tmp_path)
    commune = _busiest(exported)
    records = json.loads(cli("review", "--commune", commune, "--format", "json", "--campaign", sample_campaign).output)
    expected = {r["record_id"] for r in exported if r["commune"] == commune and r["bucket"] in OPEN}
    assert {r["record_id"] for r in records} == expected
    reason = records[0]["reasons"].split(";")[0]
    only = json.loads(cli("review", "--commune", commune, "--reason", reason, "--format", "json",
                          "--campaign", sample_campaign).output)
    assert only and all(reason in r["reasons"].split(";") for r in only)


def test_log_as_json_and_csv_gives_day_n_and_every_entry(cli: Cli, sample_campaign: Path) -> None:
    entries = json.loads(cli("log", "--format", "json", "--campaign", sample_campaign).output)
    assert {"ingest", "train", "run"} <= {e["action"] for e in entries}
    assert [e["entry_id"] for e in entries] == sorted((e["entry_id"] for e in entries), reverse=True)  # newest first
    assert all(e["campaign_day"] == 1 and e["day"] == DAY_ONE for e in entries if e["action"] in ("ingest", "run"))
    ingest = next(e for e in entries if e["action"] == "ingest")
    assert isinstance(ingest["counts"], dict) and all(len(sha) == 64 for sha in ingest["files"].values())
    text = cli("log", "--format", "csv", "--campaign", sample_campaign).output
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert [r["entry_id"] for r in rows] == [str(e["entry_id"]) for e in entries]
    assert json.loads(next(r for r in rows if r["action"] == "ingest")["files"]) == ingest["files"]


def test_status_as_csv_and_json(cli: Cli, sample_campaign: Path, tmp_path: Path) -> None:
    on_day_one = {"RECONCILE_TODAY": DAY_ONE}
    text = cli("status", "--format", "csv", "--campaign", sample_campaign, env=on_day_one).output
    table = pl.read_csv(io.BytesIO(text.removeprefix("\ufeff").encode()), infer_schema=False)
    assert table["commune"][-1] == "province" and set(table["day"].to_list()) == {"1"}
    exported = _export(cli, sample_campaign, tmp_path)
    auto = sum(r["bucket"] == "auto_resolve" for r in exported)
    assert int(table["auto_resolved"][-1]) == auto
    status = json.loads(cli("status", "--format", "json", "--campaign", sample_campaign, env=on_day_one).output)
    assert status["day"] == 1 and status["province"]["auto_resolved"] == auto and status["province"]["finish"] is None
    assert {c["commune"] for c in status["communes"]} == set(table["commune"].to_list()[:-1])


def test_an_unknown_format_is_refused(cli: Cli, sample_campaign: Path) -> None:
    out = cli("log", "--format", "xml", "--campaign", sample_campaign, code=1).output
    assert "--format must be one of table, csv, json" in out


def test_explain_as_json_and_csv(cli: Cli, sample_campaign: Path, tmp_path: Path) -> None:
    exported = _export(cli, sample_campaign, tmp_path)
    record = next(r for r in exported if r["bucket"] == "conflict" and r["record_type"] == "marriage"
                  and r["husband_person_id"])
    ex = json.loads(cli("explain", record["record_id"], "--format", "json", "--campaign", sample_campaign).output)
    assert (ex["record_id"], ex["bucket"]) == (record["record_id"], "conflict")
    assert [code for code, _ in ex["reasons"]] == record["reasons"].split(";")
    husband = next(s for s in ex["spouses"] if s["role"] == "husband")
    assert husband["linked_person"] == record["husband_person_id"] and husband["candidates"][0]["steps"]
    text = cli("explain", record["record_id"], "--format", "csv", "--campaign", sample_campaign).output
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    steps = sum(len(c["steps"]) for s in ex["spouses"] for c in s["candidates"])
    assert len(rows) == steps and {r["record_id"] for r in rows} == {record["record_id"]}
    first = next(r for r in rows if r["role"] == "husband" and r["rank"] == "1")
    assert first["person_id"] == husband["candidates"][0]["person_id"]


def _steps(cli: Cli, campaign: Path, record: str) -> list[tuple[str, str, float]]:
    ex = json.loads(cli("explain", record, "--format", "json", "--campaign", campaign).output)
    return [(st["comparison"], st["level"], st["weight"])
            for s in ex["spouses"] for c in s["candidates"] for st in c["steps"]]


def test_a_model_with_other_comparisons_explains_its_runs_with_its_own(cli: Cli, campaign_copy: Path,
                                                                      tmp_path: Path) -> None:
    record = next(r for r in _export(cli, campaign_copy, tmp_path)
                  if r["record_type"] == "marriage" and r["husband_person_id"])
    before = _steps(cli, campaign_copy, record["record_id"])
    assert "commune" in {name for name, _, _ in before}
    # The commune comparison renamed: the next model has a comparison the stored rows lack, and
    # lacks one they have.
    rules = campaign_copy / "rules" / "matching.toml"
    text = rules.read_text(encoding="utf-8")
    rules.write_text(text.replace('name = "commune"\n', 'name = "registered_commune"\n', 1), encoding="utf-8")
    cli("train", "--campaign", campaign_copy)
    cli("run", "--commune", record["commune"], "--campaign", campaign_copy)
    after = _steps(cli, campaign_copy, record["record_id"])
    renamed = [("registered_commune" if name == "commune" else name, level, weight) for name, level, weight in before]
    assert [(name, level) for name, level, _ in after] == [(name, level) for name, level, _ in renamed]
    assert len(after) == len(before)
    # The earlier runs' rows keep their own comparison; the new column is empty for them.
    with duckdb.connect(str(campaign_copy / "campaign.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(level_commune), count(level_registered_commune) FROM candidates "
                           "WHERE run_id = 1").fetchone() == (con.execute(
                               "SELECT count(*) FROM candidates WHERE run_id = 1").fetchone()[0], 0)


def test_review_at_80_columns_shows_every_record_id_of_the_page_whole(cli: Cli, sample_campaign: Path,
                                                                       tmp_path: Path) -> None:
    exported = _export(cli, sample_campaign, tmp_path)
    commune = _busiest(exported)
    records = json.loads(cli("review", "--commune", commune, "--format", "json", "--campaign", sample_campaign).output)
    text = cli("review", "--commune", commune, "--page-size", "10", "--campaign", sample_campaign,
               env={"COLUMNS": "80"}).output
    assert all(len(line) <= 80 for line in text.splitlines())
    for record in records[:10]:
        assert record["record_id"] in text  # `grep RECORD_ID` finds it
        assert all(code in text for code in record["reasons"].split(";"))
