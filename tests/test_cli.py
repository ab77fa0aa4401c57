"""Every command through Typer's runner: what the officer sees, and the exit codes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import polars as pl
import pytest

from conftest import DAY_ONE, SAMPLE, Cli
from reconcile.cli import main
from reconcile.commands.accuracy import evaluate, read_truth


def _results(cli: Cli, campaign: Path, out: Path) -> pl.DataFrame:
    cli("export", "results", "--out", out, "--campaign", campaign)
    return pl.read_csv(out, infer_schema=False) if out.suffix == ".csv" else pl.read_parquet(out)


def test_every_command_has_help_with_an_example(cli: Cli) -> None:
    commands = [["init"], ["ingest"], ["train"], ["run"], ["status"], ["review"], ["decide"], ["log"], ["explain"],
                ["evaluate"], ["demo"], ["export", "results"], ["fixtures", "generate"]]
    for command in commands:
        out = cli(*command, "--help").output
        assert "Example: reconcile" in out, command


def test_init_reports_the_campaign(cli: Cli, tmp_path: Path) -> None:
    out = cli("init", tmp_path / "c", "--province", "46", "--start", "2025-05-31", "--days", "90").output
    assert "campaign created" in out and "2025-08-28" in out
    assert (tmp_path / "c" / "rules" / "columns.toml").is_file() and (tmp_path / "c" / "campaign.duckdb").is_file()
    err = cli("init", tmp_path / "c", code=1).output
    assert "already holds a campaign" in err and "Traceback" not in err
    assert "--start must be a date" in cli("init", tmp_path / "d", "--start", "31/05/2025", code=1).output


def test_ingest_counts_and_records_in_equal_records_out(cli: Cli, sample_campaign: Path, tmp_path: Path) -> None:
    registry_rows = pl.read_csv(SAMPLE / "registry.csv", infer_schema=False).height
    results = _results(cli, sample_campaign, tmp_path / "results.csv")
    marriages = results.filter(pl.col("record_type") == "marriage")
    assert marriages.height == registry_rows
    assert marriages["record_id"].n_unique() == marriages.height
    persons = results.filter(pl.col("record_type") == "person")
    assert persons["record_id"].n_unique() == persons.height
    assert set(results["bucket"]) <= {"auto_resolve", "conflict", "missing", "rejected"}
    contract = ["record_type", "record_id", "commune", "bucket", "action", "reasons", "husband_person_id",
                "wife_person_id", "husband_match_probability", "wife_match_probability"]
    assert results.columns[: len(contract)] == contract
    # IDs keep their leading zeros.
    assert marriages["husband_person_id"].drop_nulls().str.len_chars().eq(12).all()


def test_results_as_parquet(cli: Cli, sample_campaign: Path, tmp_path: Path) -> None:
    results = _results(cli, sample_campaign, tmp_path / "results.parquet")
    assert results.schema["record_id"] == pl.String and results.height > 300


def test_status_shows_buckets_per_commune(cli: Cli, sample_campaign: Path) -> None:
    out = cli("status", "--campaign", sample_campaign).output
    for word in ("auto_resolve", "conflict", "missing", "rejected", "total", "Phường"):
        assert word in out


def test_status_on_the_first_day_projects_no_finish_yet(cli: Cli, sample_campaign: Path) -> None:
    out = cli("status", "--campaign", sample_campaign, env={"RECONCILE_TODAY": DAY_ONE}).output
    assert "Day 1 of" in out and "after 2 days of work" in out and "nothing done lately" not in out


def test_commune_run_gives_the_full_run_rows(cli: Cli, campaign_copy: Path, tmp_path: Path) -> None:
    full = _results(cli, campaign_copy, tmp_path / "full.csv")
    commune = full.filter(pl.col("record_type") == "marriage")["commune"].drop_nulls().mode()[0]
    out = cli("run", "--commune", commune, "--campaign", campaign_copy).output
    assert "Run 2: 1 commune(s)" in out
    again = _results(cli, campaign_copy, tmp_path / "again.csv")
    # The same rows; the commune's now come from run 2, the others still from run 1.
    assert again.drop("run_id").sort("record_type", "record_id").equals(
        full.drop("run_id").sort("record_type", "record_id"))
    worked = again.filter(pl.col("bucket") != "rejected")
    assert set(worked.filter(pl.col("commune") == commune)["run_id"]) == {"2"}
    assert set(worked.filter(pl.col("commune") != commune)["run_id"]) == {"1"}


def _pair_sets(campaign: Path) -> list[tuple[int, bool]]:
    """The models of the kept scored pairs, and whether they were made on the latest ingest."""
    with duckdb.connect(str(campaign / "campaign.duckdb"), read_only=True) as con:
        return con.execute("SELECT model_id, ingest_id = (SELECT max(ingest_id) FROM ingests) FROM pair_sets").fetchall()


def test_run_all_again_on_the_same_model_data_rules_and_code_takes_the_last_runs_rows(
        cli: Cli, campaign_copy: Path, tmp_path: Path) -> None:
    # A supervisor runs the province again after officers recorded decisions: nothing deciding
    # reads has changed, so the rows of the last run --all are taken, not decided again.
    full = _results(cli, campaign_copy, tmp_path / "full.csv")
    out = cli("run", "--all", "--campaign", campaign_copy).output
    assert "province's rows of the latest run decided with the same model" in out
    assert "scoring the whole province" not in out and "province's scored pairs" not in out
    again = _results(cli, campaign_copy, tmp_path / "again.csv")
    key = ["record_type", "record_id"]
    assert again.drop("run_id").sort(key).equals(full.drop("run_id").sort(key))
    with duckdb.connect(str(campaign_copy / "campaign.duckdb"), read_only=True) as con:
        assert con.execute("SELECT run_id, scope, candidates_of FROM runs ORDER BY run_id").fetchall() == [
            (1, "all", None), (2, "all", 1)]
        assert con.execute("SELECT count(*) FROM candidates WHERE run_id = 2").fetchall() == [(0,)]
        links = [con.execute(f"SELECT * EXCLUDE (run_id) FROM links WHERE run_id = {r} ORDER BY unique_id").pl()
                 for r in (1, 2)]
    assert links[0].equals(links[1])
    # --fresh decides the province again, from the kept pairs, to the same rows.
    out = cli("run", "--all", "--fresh", "--campaign", campaign_copy).output
    assert "province's scored pairs" in out and "latest run decided" not in out
    fresh = _results(cli, campaign_copy, tmp_path / "fresh.csv")
    assert fresh.drop("run_id").sort(key).equals(full.drop("run_id").sort(key))


def test_a_commune_run_reuses_the_full_runs_pairs_and_scores_again_after_training(
        cli: Cli, campaign_copy: Path, tmp_path: Path) -> None:
    full = _results(cli, campaign_copy, tmp_path / "full.csv")
    commune = full.filter(pl.col("record_type") == "marriage")["commune"].drop_nulls().mode()[0]
    assert _pair_sets(campaign_copy) == [(1, True)]      # run --all kept the province's pairs
    # run --all decided the commune with this model, data, rules and code: its rows are taken.
    out = cli("run", "--commune", commune, "--campaign", campaign_copy).output
    assert "latest run decided with the same model" in out and "province's scored pairs" not in out
    reused = _results(cli, campaign_copy, tmp_path / "reused.csv")
    # It shares the candidate rows of the run it took its rows from: explain shows them the same.
    record = reused.filter((pl.col("commune") == commune) & (pl.col("record_type") == "marriage")
                           & pl.col("husband_person_id").is_not_null())["record_id"][0]
    shown = cli("explain", record, "--lang", "en", "--campaign", campaign_copy).output
    assert "#1" in shown and "match weight" in shown
    with duckdb.connect(str(campaign_copy / "campaign.duckdb"), read_only=True) as con:
        assert con.execute("SELECT candidates_of FROM runs ORDER BY run_id DESC LIMIT 1").fetchall() == [(1,)]
        assert con.execute("SELECT count(*) FROM candidates WHERE run_id = 2").fetchall() == [(0,)]
    # --fresh decides again, from the kept pairs (reading the commune's scope), to the same rows.
    out = cli("run", "--commune", commune, "--fresh", "--campaign", campaign_copy).output
    assert "province's scored pairs" in out and "scoring the whole province" not in out
    again = _results(cli, campaign_copy, tmp_path / "again.csv")
    key = ["record_type", "record_id"]
    assert reused.filter(pl.col("commune") == commune).drop("run_id").sort(key).equals(
        again.filter(pl.col("commune") == commune).drop("run_id").sort(key))
    assert reused.filter(pl.col("commune") == commune).drop("run_id").sort(key).equals(
        full.filter(pl.col("commune") == commune).drop("run_id").sort(key))
    # Edited bucket rules decide otherwise: nothing is taken from a run decided under the old ones.
    buckets = campaign_copy / "rules" / "buckets.toml"
    original = buckets.read_text(encoding="utf-8")
    buckets.write_text(original.replace("min_weight_lead = 8.0", "min_weight_lead = 9.0"), encoding="utf-8")
    assert "province's scored pairs" in cli("run", "--commune", commune, "--campaign", campaign_copy).output
    buckets.write_text(original, encoding="utf-8")
    # A new model makes the kept pairs stale: the next commune run scores the province again,
    # keeps those pairs, and still gives the full run's rows.
    cli("train", "--campaign", campaign_copy)
    out = cli("run", "--commune", commune, "--campaign", campaign_copy).output
    assert "scoring the whole province" in out
    assert _pair_sets(campaign_copy) == [(2, True)]
    by_commune = _results(cli, campaign_copy, tmp_path / "commune.csv")
    # run --all decides from those pairs too, and agrees with the commune run.
    assert "province's scored pairs" in cli("run", "--all", "--campaign", campaign_copy).output
    by_all = _results(cli, campaign_copy, tmp_path / "all.csv")
    assert by_commune.filter(pl.col("commune") == commune).drop("run_id").sort("record_type", "record_id").equals(
        by_all.filter(pl.col("commune") == commune).drop("run_id").sort("record_type", "record_id"))
    out = cli("run", "--commune", commune, "--campaign", campaign_copy).output
    assert "latest run decided with the same model" in out and "No record changed bucket" in out
    # Other matching rules make other pairs: edited rules are not served stale pairs.
    matching = campaign_copy / "rules" / "matching.toml"
    matching.write_text(matching.read_text(encoding="utf-8").replace(
        "keep_min_probability = 0.001", "keep_min_probability = 0.002"), encoding="utf-8")
    assert "scoring the whole province" in cli("run", "--commune", commune, "--campaign", campaign_copy).output
    # That run decided one commune: another commune is decided, not taken from it.
    other = next(c for c in full["commune"].drop_nulls().unique().sort() if c not in (commune, ""))
    assert "province's scored pairs" in cli("run", "--commune", other, "--campaign", campaign_copy).output
    assert "latest run decided" in cli("run", "--commune", commune, "--campaign", campaign_copy).output


def test_run_errors_are_one_line(cli: Cli, campaign_copy: Path, tmp_path: Path) -> None:
    assert "either --commune CODE or --all" in cli("run", "--campaign", campaign_copy, code=1).output
    out = cli("run", "--commune", "99999", "--campaign", campaign_copy, code=1).output
    assert "commune 99999 has no records" in out and "Traceback" not in out
    fresh = tmp_path / "fresh"
    cli("init", fresh)
    assert "run `reconcile ingest` first" in cli("train", "--campaign", fresh, code=1).output
    cli("ingest", "--registry", SAMPLE / "registry.csv", "--population", SAMPLE / "population.csv", "--campaign", fresh)
    assert "run `reconcile train` first" in cli("run", "--all", "--campaign", fresh, code=1).output


def test_ingest_errors_name_the_file(cli: Cli, campaign_copy: Path, tmp_path: Path) -> None:
    out = cli("ingest", "--registry", tmp_path / "nope.csv", "--campaign", campaign_copy, code=1).output
    assert "nope.csv" in out and "Traceback" not in out
    bad = tmp_path / "bad.csv"
    bad.write_text("Số đăng ký,Họ và tên chồng\nA1,Nguyễn Văn An\n", encoding="utf-8")
    out = cli("ingest", "--registry", bad, "--campaign", campaign_copy, code=1).output
    assert "bad.csv" in out and "wife_full_name" in out
    assert "give --registry FILE" in cli("ingest", "--campaign", campaign_copy, code=1).output


def test_no_campaign_is_a_user_error(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("RECONCILE_CAMPAIGN", raising=False)
    out = cli("status", code=1).output
    assert "no campaign here" in out


def test_campaign_found_through_environment(cli: Cli, sample_campaign: Path, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert "auto_resolve" in cli("status", env={"RECONCILE_CAMPAIGN": str(sample_campaign)}).output


def test_evaluate_on_the_sample(cli: Cli, sample_campaign: Path) -> None:
    out = cli("evaluate", "--truth", SAMPLE / "truth.csv", "--campaign", sample_campaign).output
    assert "precision in auto_resolve" in out and "recall" in out and "expected" in out
    assert "plain Splink" in out and "macro-F1" in out
    out = cli("evaluate", "--truth", SAMPLE / "truth.csv", "--no-baseline", "--campaign", sample_campaign).output
    assert "plain Splink" not in out and "precision in auto_resolve" in out
    out = cli("evaluate", "--truth", SAMPLE / "registry.csv", "--campaign", sample_campaign, code=1).output
    assert "not a truth file" in out


def test_fixtures_generate(cli: Cli, tmp_path: Path) -> None:
    out = cli("fixtures", "generate", tmp_path / "gen", "--persons", "500", "--seed", "3").output
    assert "registry" in out and (tmp_path / "gen" / "truth.csv").is_file()
    assert "--persons must be at least 10" in cli("fixtures", "generate", tmp_path / "x", "--persons", "1", code=1).output
    out = cli("fixtures", "generate", tmp_path / "few", "--persons", "2000", "--marriages", "100").output
    assert "registry" in out and "(10" in out and "marriages)" in out and "2,000 persons" in out
    err = cli("fixtures", "generate", tmp_path / "y", "--persons", "100", "--marriages", "80", code=1).output
    assert "--marriages must be between 1 and half of --persons (50), got 80" in err


def test_usage_errors_exit_1_and_internal_errors_exit_2(capsys: pytest.CaptureFixture[str],
                                                       monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert main(["run", "--bogus"]) == 1
    assert "No such option" in capsys.readouterr().err

    import reconcile.commands.train

    def broken(*_args: object, **_kw: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(reconcile.commands.train, "train", broken)
    monkeypatch.chdir(tmp_path)
    main(["init", "c"])
    assert main(["train", "--campaign", "c"]) == 2
    err = capsys.readouterr().err
    assert "internal error: RuntimeError: boom" in err and "Traceback" not in err


@pytest.mark.slow
def test_demo_end_to_end_meets_the_accuracy_targets(cli: Cli, tmp_path: Path) -> None:
    """The demo's 20,000-person province: every output exists, and the links are as good as promised."""
    out = cli("demo", "--out", tmp_path / "demo").output
    for word in ("auto_resolve", "conflict", "missing", "precision in auto_resolve", "results.csv", "campaign"):
        assert word in out
    data = tmp_path / "demo" / "data"
    results = pl.read_csv(tmp_path / "demo" / "results.csv", infer_schema=False)
    registry = pl.read_csv(data / "registry.csv", infer_schema=False)
    assert registry.height > 3000
    assert results.filter(pl.col("record_type") == "marriage").height == registry.height
    ev = evaluate(results, read_truth(data / "truth.csv"))
    # The demo's 20,000-person province with the realistic era mix (fixtures/README.md), judged as
    # couples (measured: 100 %, 99.6 %, 97.5 %, 0.948, 0.858; each spouse judged alone, about half
    # of the safe marriages went to officers).
    assert ev.precision == 1.0, ev
    assert ev.recall >= 0.99, ev
    assert ev.auto_share >= 0.95, ev
    assert ev.macro_f1 >= 0.93, ev
    assert ev.conflict_precision >= 0.8, ev


def test_reingest_makes_old_results_stale_and_is_all_or_nothing(cli: Cli, campaign_copy: Path, tmp_path: Path) -> None:
    before = _results(cli, campaign_copy, tmp_path / "before.csv")
    # A population file without a required column: nothing of this ingest is kept, not even the registry.
    bad = tmp_path / "population.csv"
    bad.write_text("Số định danh cá nhân,Họ và tên\n046090012345,Nguyễn Văn An\n", encoding="utf-8")
    out = cli("ingest", "--registry", SAMPLE / "registry.csv", "--population", bad, "--campaign", campaign_copy,
              code=1).output
    assert "population.csv" in out and "birth_date" in out
    assert _results(cli, campaign_copy, tmp_path / "same.csv").equals(before)

    cli("ingest", "--registry", SAMPLE / "registry.csv", "--campaign", campaign_copy)
    stale = _results(cli, campaign_copy, tmp_path / "stale.csv")
    assert set(stale["bucket"]) <= {"rejected"}, "results of runs before the latest ingest are not current"
    assert "no results on the current data yet" in cli("status", "--campaign", campaign_copy).output
    assert "model was trained before the latest ingest" in cli("run", "--all", "--campaign", campaign_copy).output
    assert _results(cli, campaign_copy, tmp_path / "after.csv").height == before.height


def test_train_on_nothing_is_a_user_error(cli: Cli, tmp_path: Path) -> None:
    registry = tmp_path / "registry.csv"
    registry.write_text("Số đăng ký,Họ và tên chồng,Họ và tên vợ\nA1,,\n", encoding="utf-8")
    cli("init", tmp_path / "c")
    cli("ingest", "--registry", registry, "--population", SAMPLE / "population.csv", "--campaign", tmp_path / "c")
    out = cli("train", "--campaign", tmp_path / "c", code=1).output
    assert "nothing to train on: 0 registry marriages" in out
    assert "--persons must be at least 1,000" in cli("demo", "--persons", "5", code=1).output


def test_explain_shows_reasons_changes_and_each_field_weight(cli: Cli, sample_campaign: Path, tmp_path: Path) -> None:
    results = _results(cli, sample_campaign, tmp_path / "r.csv")
    update = results.filter(pl.col("action") == "update").row(0, named=True)
    out = cli("explain", update["record_id"], "--lang", "en", "--campaign", sample_campaign).output
    assert f"marriage {update['record_id']}" in out and "auto_resolve (update)" in out
    assert "change: person" in out and "from the registry" in out
    assert out.index("husband:") < out.index("wife:")
    for word in ("prior", "id", "name", "birth_date", "sex", "commune", "match weight", "probability"):
        assert word in out
    # The waterfall follows the model's comparison order.
    husband = out[out.index("husband:"):out.index("wife:")]
    assert husband.index("prior") < husband.index("\nid ") < husband.index("\nname ") < husband.index("\nbirth_date ") \
        < husband.index("\ncommune ") < husband.index("match weight")
    assert update["husband_person_id"] in out and update["wife_person_id"] in out

    conflict = results.filter(pl.col("bucket") == "conflict").row(0, named=True)
    out = cli("explain", conflict["record_id"], "--campaign", sample_campaign).output  # Vietnamese by default
    code = conflict["reasons"].split(";")[0]
    assert code in out and "conflict (review)" in out

    person = results.filter(pl.col("record_type") == "person").row(0, named=True)
    assert "MARRIED_WITHOUT_REGISTRATION" in cli("explain", person["record_id"], "--campaign", sample_campaign).output
    assert "no current result for 'nope'" in cli("explain", "nope", "--campaign", sample_campaign, code=1).output
    assert "--lang must be vi or en" in cli("explain", "x", "--lang", "fr", "--campaign", sample_campaign, code=1).output


def test_explain_shows_the_couple_evidence_of_a_marriage(cli: Cli, sample_campaign: Path) -> None:
    with duckdb.connect(str(sample_campaign / "campaign.duckdb"), read_only=True) as con:
        [(record, runners, linked)] = con.execute("""
            SELECT s.registration_id, list(k.runner_up_uid ORDER BY s.role), list(k.person_uid ORDER BY s.role)
            FROM links k JOIN spouses s USING (unique_id)
            WHERE k.run_id = (SELECT max(run_id) FROM runs) AND k.couple_lead IS NOT NULL
            GROUP BY ALL ORDER BY 1 LIMIT 1""").fetchall()
        recorded = dict(con.execute("SELECT unique_id, spouse_id FROM persons WHERE unique_id IN (SELECT unnest(?))",
                                    [linked]).fetchall())
    out = cli("explain", record, "--lang", "en", "--campaign", sample_campaign, env={"COLUMNS": "300"}).output
    for uid in linked:
        assert f"{uid} records as spouse: " in out and f"ID {recorded[uid] or '—'}" in out
    assert "couple: weight " in out and "recorded as each other's spouse: by ID" in out
    assert "lead over the runner-up couple: " in out
    for role, uid in zip(("husband", "wife"), runners):
        assert f"runner-up {role}: {uid} " in out


def test_the_command_exits_with_its_code_after_its_output_and_exit_handlers(sample_campaign: Path, tmp_path: Path) -> None:
    # `entry` leaves the process without tearing the interpreter down: the output piped to a file
    # is whole, the exit code is the command's, and handlers registered while it ran (Spark's
    # stop, temporary folders) still run.
    hook = "import atexit; atexit.register(lambda: print('exit handler ran', flush=True)); "
    out = tmp_path / "results.csv"
    done = subprocess.run(
        [sys.executable, "-c", hook + "from reconcile.cli import entry; entry()",
         "export", "results", "--campaign", str(sample_campaign), "--out", str(out)],
        capture_output=True, text=True, env={**os.environ, "COLUMNS": "200"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.rstrip().endswith("exit handler ran") and str(out) in done.stdout
    assert out.read_text(encoding="utf-8").count("\n") > 100
    failed = subprocess.run([sys.executable, "-m", "reconcile", "status", "--campaign", str(tmp_path / "none")],
                            capture_output=True, text=True)
    assert failed.returncode == 1 and failed.stderr.startswith("lỗi: ")  # Vietnamese by default
