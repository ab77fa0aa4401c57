"""Faults of the store and of a run, and what the campaign lets out (issue 8): an encrypted
campaign opens only with its key, and its files hold no personal data in the clear; the campaign
and its exports are readable by their owner only; a commune's list holds only that commune's
records; logs, error messages and the supervisor report never show a whole ID; a run under a
tight memory cap, or on a full disk, stops in one line and leaves the campaign as it was.
"""

from __future__ import annotations

import csv
import hashlib
import os
import re
import shutil
import stat
import subprocess
from collections.abc import Callable
from pathlib import Path

import duckdb
import polars as pl
import pytest

from conftest import DAY_ONE, SAMPLE, Cli
from reconcile.commands import exports
from reconcile.errors import as_resource_error
from reconcile.store import Store, find_campaign
from reconcile.store.campaign import DATABASE_FILE, SETTINGS_FILE
from test_faults_run import DAY_TWO, _assert_same, _spawn, _state, _wait_for

KEY = "a key of 32 characters, not 16!!"
ON_DAY_ONE = {"RECONCILE_TODAY": DAY_ONE}
# The ID numbers of the sample's people: 12-digit personal IDs and 9-digit old ID card numbers.
SAMPLE_TEXT = "\n".join((SAMPLE / f).read_text(encoding="utf-8-sig") for f in ("population.csv", "registry.csv"))
SAMPLE_IDS = set(re.findall(r"(?<!\d)(?:\d{12}|\d{9})(?!\d)", SAMPLE_TEXT))
NAMES = [row["Họ và tên"] for row in csv.DictReader(
    (SAMPLE / "population.csv").read_text(encoding="utf-8-sig").splitlines())][:200]


def _ids_in(text: str) -> set[str]:
    """The sample's ID numbers that appear whole in `text`."""
    return {run for run in re.findall(r"\d{9,}", text) if run in SAMPLE_IDS}


def _error_lines(out: str) -> list[str]:
    """The error lines: "error:" in English (the in-process runner's default), "lỗi:" in Vietnamese
    (a command run as a user would, without RECONCILE_LANG)."""
    return [line for line in out.splitlines() if line.startswith(("error:", "lỗi:"))]


# --- encryption at rest ----------------------------------------------------------------


@pytest.fixture(scope="module")
def key_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("key") / "hue.key"
    path.write_text(KEY + "\n", encoding="utf-8")
    path.chmod(0o600)
    return path


@pytest.fixture(scope="module")
def encrypted_campaign(tmp_path_factory: pytest.TempPathFactory, cli: Cli, key_file: Path) -> Path:
    """The sample, ingested, trained and run in a campaign made with `init --encrypt`."""
    folder = tmp_path_factory.mktemp("encrypted") / "campaign"
    env = {"RECONCILE_KEY_FILE": str(key_file), **ON_DAY_ONE}
    cli("init", folder, "--start", DAY_ONE, "--encrypt", env=env)
    cli("ingest", "--registry", SAMPLE / "registry.csv", "--population", SAMPLE / "population.csv",
        "--campaign", folder, env=env)
    cli("train", "--campaign", folder, env=env)
    cli("run", "--all", "--campaign", folder, env=env)
    return folder


def _clear_text_found(folder: Path) -> tuple[set[str], set[str]]:
    """The sample's IDs and names found as plain bytes in the campaign's own files (not its rules)."""
    data = b"".join(p.read_bytes() for p in folder.rglob("*") if p.is_file() and "rules" not in p.parts)
    return ({i for i in SAMPLE_IDS if i.encode() in data}, {n for n in NAMES if n.encode("utf-8") in data})


@pytest.mark.slow
def test_an_encrypted_campaign_works_with_its_key_and_its_files_hold_no_personal_data(
        cli: Cli, encrypted_campaign: Path, sample_campaign: Path, key_file: Path, tmp_path: Path) -> None:
    folder = encrypted_campaign
    assert "encrypted = true" in (folder / SETTINGS_FILE).read_text(encoding="utf-8")
    # Every command opens the database through the key: one that opened it otherwise would fail here.
    for how in ({"RECONCILE_KEY_FILE": str(key_file)}, {"RECONCILE_KEY": KEY}):
        env = {**how, **ON_DAY_ONE}
        status = cli("status", "--campaign", folder, env=env).output
        assert "auto_resolve" in status
    env = {"RECONCILE_KEY_FILE": str(key_file), **ON_DAY_ONE}
    results = tmp_path / "results.csv"
    cli("export", "results", "--out", results, "--campaign", folder, env=env)
    frame = pl.read_csv(results, infer_schema=False)
    conflict = frame.filter(pl.col("bucket") == "conflict").row(0, named=True)
    commune = conflict["commune"]
    cli("run", "--commune", commune, "--campaign", folder, env=env)
    cli("review", "--commune", commune, "--campaign", folder, env=env)
    cli("explain", conflict["record_id"], "--campaign", folder, env=env)
    cli("export", "conflicts", "--out", tmp_path / "lists" / "ds.csv", "--all", "--campaign", folder, env=env)
    cli("decide", conflict["record_id"], "--reject", "--note", "not him", "--by", "Hoa", "--campaign", folder, env=env)
    cli("report", "--out", tmp_path / "report.html", "--campaign", folder, env=env)
    cli("evaluate", "--truth", SAMPLE / "truth.csv", "--no-baseline", "--campaign", folder, env=env)
    log = cli("log", "--limit", "50", "--campaign", folder, env=env).output
    assert f"{conflict['record_id']}: reject" in log

    # The database is not readable without the key, and no ID or name is in it in the clear;
    # the same check finds them in the plain sample campaign.
    ids, names = _clear_text_found(folder)
    assert not ids and not names
    plain_ids, plain_names = _clear_text_found(sample_campaign)
    assert len(plain_ids) > 100 and len(plain_names) > 50
    with pytest.raises(duckdb.Error, match="without a key"):
        duckdb.connect(str(folder / DATABASE_FILE), read_only=True)


@pytest.mark.parametrize("env,says", [
    pytest.param({}, "this campaign's database is encrypted: give its key in RECONCILE_KEY, or the path of a file "
                     "holding it in RECONCILE_KEY_FILE", id="no-key"),
    pytest.param({"RECONCILE_KEY": "another key of 32 characters!!!!"},
                 "the key does not open this campaign; check RECONCILE_KEY or RECONCILE_KEY_FILE", id="wrong-key"),
    pytest.param({"RECONCILE_KEY": "short"}, "the campaign key must be at least 16 characters long", id="short-key"),
    pytest.param({"RECONCILE_KEY": KEY, "RECONCILE_KEY_FILE": "x"},
                 "set only one of RECONCILE_KEY and RECONCILE_KEY_FILE", id="key-and-key-file"),
    pytest.param({"RECONCILE_KEY_FILE": "/nonexistent/hue.key"},
                 "RECONCILE_KEY_FILE: cannot read the key file /nonexistent/hue.key", id="key-file-missing"),
    pytest.param({"RECONCILE_KEY_FILE": "<shared>"},
                 "can be read by other users; make it readable by you only (chmod 600", id="key-file-readable-by-all"),
])
def test_a_missing_or_wrong_key_is_refused_in_one_line_and_changes_nothing(
        cli: Cli, encrypted_campaign: Path, tmp_path: Path, env: dict[str, str], says: str) -> None:
    if env.get("RECONCILE_KEY_FILE") == "<shared>":
        shared = tmp_path / "shared.key"
        shared.write_text(KEY, encoding="utf-8")
        shared.chmod(0o644)
        env = {"RECONCILE_KEY_FILE": str(shared)}
    database = encrypted_campaign / DATABASE_FILE
    before = hashlib.sha256(database.read_bytes()).hexdigest()
    env = {"RECONCILE_KEY": "", "RECONCILE_KEY_FILE": "", **env}
    for command in (["status"], ["run", "--all"], ["ingest", "--population", SAMPLE / "population.csv"]):
        out = cli(*command, "--campaign", encrypted_campaign, env=env, code=1).output
        assert len(_error_lines(out)) == 1 and says in _error_lines(out)[0] and "Traceback" not in out
        assert KEY not in out and "another key" not in out  # no key is ever shown
    assert hashlib.sha256(database.read_bytes()).hexdigest() == before


def test_init_encrypt_without_a_key_makes_nothing(cli: Cli, tmp_path: Path) -> None:
    out = cli("init", tmp_path / "c", "--encrypt", env={"RECONCILE_KEY": "", "RECONCILE_KEY_FILE": ""}, code=1).output
    assert "give its key in RECONCILE_KEY" in out and not (tmp_path / "c").exists()


def test_a_database_that_does_not_match_its_settings_is_refused(cli: Cli, encrypted_campaign: Path,
                                                                campaign_copy: Path, tmp_path: Path) -> None:
    # The settings lost `encrypted = true`: the database is still refused, and says what is missing.
    lost = tmp_path / "lost"
    shutil.copytree(encrypted_campaign, lost)
    settings = lost / SETTINGS_FILE
    settings.write_text(settings.read_text(encoding="utf-8").replace("encrypted = true", ""), encoding="utf-8")
    out = cli("status", "--campaign", lost, env={"RECONCILE_KEY": KEY}, code=1).output
    assert "the database is encrypted, but campaign.toml beside it does not say `encrypted = true`" in out
    # An unencrypted database put in an encrypted campaign's place is not used (nor written to).
    settings = campaign_copy / SETTINGS_FILE
    settings.write_text(settings.read_text(encoding="utf-8") + "encrypted = true\n", encoding="utf-8")
    before = _state(campaign_copy)
    for command in (["status"], ["run", "--all"]):
        out = cli(*command, "--campaign", campaign_copy, env={"RECONCILE_KEY": KEY}, code=1).output
        assert "campaign.toml says this campaign is encrypted, but its database is not" in out
    _assert_same(before, _state(campaign_copy))


# --- files readable by their owner only -------------------------------------------------


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_campaign_and_its_exports_are_readable_by_the_owner_only(cli: Cli, campaign_copy: Path,
                                                                     tmp_path: Path) -> None:
    caller = os.umask(0o022)  # a usual umask: what is private below is reconcile's own doing
    try:
        fresh = tmp_path / "new" / "campaign"
        cli("init", fresh, "--start", DAY_ONE)
        cli("ingest", "--population", SAMPLE / "population.csv", "--campaign", fresh)
        assert _mode(fresh) == 0o700
        for name in (DATABASE_FILE, "campaign.lock", SETTINGS_FILE):
            assert _mode(fresh / name) == 0o600, name

        out = tmp_path / "out"
        out.mkdir()
        earlier = out / "results.csv"  # an earlier export, readable by all, is overwritten
        earlier.write_text("old", encoding="utf-8")
        earlier.chmod(0o644)
        cli("export", "results", "--out", earlier, "--campaign", campaign_copy)
        cli("export", "conflicts", "--out", out / "ds.csv", "--all", "--campaign", campaign_copy, env=ON_DAY_ONE)
        cli("export", "conflicts", "--out", out / "ds.xlsx", "--all", "--campaign", campaign_copy, env=ON_DAY_ONE)
        cli("report", "--out", out / "report.html", "--campaign", campaign_copy)
        written = sorted(out.iterdir())
        assert len(written) > 4 and {p.suffix for p in written} == {".csv", ".xlsx", ".html"}
        assert {p.name: _mode(p) for p in written} == {p.name: 0o600 for p in written}
        assert _mode(campaign_copy / DATABASE_FILE) == 0o600

        # Called from Python, without the command line's umask, an export is made private all the same.
        exports.export_results(find_campaign(campaign_copy), tmp_path / "from-python.parquet", None, "test")
        assert _mode(tmp_path / "from-python.parquet") == 0o600
    finally:
        assert os.umask(caller) == 0o022  # and each command gave the caller's umask back


# --- one commune's list holds that commune only -------------------------------------------


def test_a_communes_conflict_list_holds_only_that_communes_records(cli: Cli, campaign_copy: Path,
                                                                   tmp_path: Path) -> None:
    with Store(campaign_copy / DATABASE_FILE, read_only=True) as store:
        results = store.results.current()
    conflicts = results.filter(pl.col("bucket") == "conflict")
    communes = sorted(set(conflicts["commune"].to_list()) - {""})
    assert len(communes) > 5
    for commune in communes:
        cli("export", "conflicts", "--out", tmp_path / commune / "ds.csv", "--commune", commune,
            "--campaign", campaign_copy, env=ON_DAY_ONE)
        [path] = (tmp_path / commune).iterdir()
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))[1:]
        assert {row[1] for row in rows} == {commune}, path  # the commune column of every row
        mine = set(conflicts.filter(pl.col("commune") == commune)["record_id"].to_list())
        assert {row[0] for row in rows} == mine  # exactly the commune's conflicts, none of another
        others = set(results.filter((pl.col("commune") != commune) & (pl.col("record_type") == "marriage"))
                     ["record_id"].to_list())
        assert not others & set(path.read_text(encoding="utf-8-sig").replace(",", "\n").split())


# --- no whole ID in logs, messages or the report -------------------------------------------


def test_logs_messages_and_the_report_never_show_a_whole_id(cli: Cli, campaign_copy: Path, tmp_path: Path) -> None:
    def run(*args: str | Path, code: int = 0) -> str:
        return cli(*args, "--campaign", campaign_copy, env=DAY_TWO, code=code).output

    # A population export with one person twice: the duplicate is rejected, and said so, masked.
    rows = (SAMPLE / "population.csv").read_text(encoding="utf-8-sig").splitlines()
    twice = tmp_path / "population.csv"
    twice.write_text("\n".join([*rows, rows[1]]) + "\n", encoding="utf-8")
    person = rows[1].split(",")[0]
    shown = {"ingest": run("ingest", "--population", twice),
             "run": run("run", "--all"),
             "status": run("status")}
    with Store(campaign_copy / DATABASE_FILE, read_only=True) as store:
        results = store.results.current()
        rejected = store.table("rejected").filter(pl.col("reason") == "DUPLICATE_KEY")
    assert person in rejected["values"].to_list()[0] and person not in rejected["message"].to_list()[0]
    linked = results.filter((pl.col("bucket") == "conflict") & pl.col("husband_person_id").is_not_null())
    busiest = linked["commune"].mode().sort()[0]  # its other records stay open for `review`
    conflict = linked.filter(pl.col("commune") == busiest).row(0, named=True)
    shown["decide"] = run("decide", conflict["record_id"], "--accept", conflict["husband_person_id"], "--note",
                          f"the book says {conflict['husband_person_id']}", "--by", "Hoa")
    shown["log"] = cli("log", "--limit", "50", "--campaign", campaign_copy, env={"COLUMNS": "400"}).output
    assert f"{conflict['record_id']}: accept *********{conflict['husband_person_id'][-3:]}" in shown["log"]
    # Messages about an ID, typed where another value belongs or not found.
    stranger = next(r.split(",")[0] for r in rows[2:] if r.split(",")[0] not in results["record_id"].to_list())
    shown["explain?"] = run("explain", stranger, code=1)
    shown["run?"] = run("run", "--commune", person, code=1)
    shown["decide?"] = run("decide", conflict["record_id"], "--accept", "046000000000", "--note", "n", "--by", "Hoa",
                           code=1)
    shown["review?"] = run("review", "--commune", conflict["commune"], "--reason", person, code=1)
    assert all(_error_lines(shown[k]) for k in shown if k.endswith("?"))
    assert "046000000000" not in shown["decide?"]
    run("report", "--out", tmp_path / "report.html")
    shown["report"] = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert {k: _ids_in(v) for k, v in shown.items()} == {k: set() for k in shown}

    # An officer's own work shows the IDs it is about, and no other: a commune's open records ...
    review = run("review", "--commune", conflict["commune"], "--page-size", "500")
    with Store(campaign_copy / DATABASE_FILE, read_only=True) as store:
        open_records = store.results.open_records(conflict["commune"])
        frames = store.results.explain_frames(conflict["record_id"])
    listed = {str(v) for col in ("record_id", "husband_person_id", "wife_person_id") for v in open_records[col]}
    assert _ids_in(review) and _ids_in(review) <= listed
    # ... and one record's explanation: its spouses' candidates.
    explained = run("explain", conflict["record_id"])
    about = {str(v) for f in frames.values() for col in f.columns for v in f[col].to_list()}
    assert _ids_in(explained) and _ids_in(explained) <= about


# --- load and disk faults ------------------------------------------------------------------


@pytest.mark.slow
def test_a_run_under_a_tight_memory_cap_finishes_or_stops_in_one_line(cli: Cli, campaign_copy: Path) -> None:
    # A new model: the pairs the first run kept are stale, so every run below scores the province.
    cli("train", "--campaign", campaign_copy, env=DAY_TWO)
    before = _state(campaign_copy)
    for command in (["run", "--all"], ["run", "--commune", before["results"]["commune"][0]], ["train"]):
        out = cli(*command, "--memory-limit", "4MB", "--campaign", campaign_copy, env=DAY_TWO, code=1).output
        [error] = _error_lines(out)
        assert error.startswith("error: out of memory (Out of Memory Error: ") and "Traceback" not in out
        assert "nothing was written to the campaign. Give the command more memory (--memory-limit" in error
    _assert_same(before, _state(campaign_copy))
    # A cap the run fits in (DuckDB spills past it) gives the uncapped run's buckets.
    out = cli("run", "--all", "--memory-limit", "200MB", "--threads", "1", "--campaign", campaign_copy,
              env=DAY_TWO).output
    assert "Run 2:" in out and "No record changed bucket since the previous run" in out


def _raised(make: Callable[[], None]) -> BaseException:
    try:
        make()
    except Exception as exc:  # noqa: BLE001 - the error itself is what is looked at
        return exc
    raise AssertionError("nothing raised")


def _wrapped_by_splink() -> None:
    try:
        raise duckdb.OutOfMemoryException("Out of Memory Error: failed to pin block of size 256.0 KiB (3.6 MiB used)")
    except duckdb.Error as exc:
        raise RuntimeError(f"Error executing the following sql for table `x`:\nSELECT 1\n\nError was: {exc}") from exc


def _write_to_a_full_device() -> None:
    fd = os.open("/dev/full", os.O_WRONLY)
    try:
        os.write(fd, b"x")
    finally:
        os.close(fd)


def test_running_short_is_told_from_the_root_cause_and_other_errors_are_not() -> None:
    said = {
        "wrapped": _raised(_wrapped_by_splink),
        "text only": RuntimeError("SELECT …\n\nError was: Out of Memory Error: failed to allocate 2.0 MiB"),
        "disk": _raised(_write_to_a_full_device),
        "wal": RuntimeError('TransactionContext Error: Failed to commit: Could not write file "c.wal": No space '
                            'left on device'),
    }
    found = {k: str(as_resource_error(v)) for k, v in said.items()}
    assert found["wrapped"].startswith("out of memory (Out of Memory Error: failed to pin block of size 256.0 KiB")
    assert found["text only"].startswith("out of memory (Out of Memory Error: failed to allocate 2.0 MiB); nothing ")
    assert found["disk"].startswith("the disk is full ([Errno 28] No space left on device); nothing was written")
    assert found["wal"].startswith('the disk is full (TransactionContext Error: Failed to commit: Could not write')
    assert as_resource_error(ValueError("a bug")) is None
    assert as_resource_error(_raised(lambda: open("/nonexistent/x", encoding="utf-8"))) is None


@pytest.fixture()
def small_disk(tmp_path: Path):
    """A 40 MB file system of its own (tmpfs), to fill up; needs root, as CI runs."""
    disk = tmp_path / "disk"
    disk.mkdir()
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    subprocess.run([*sudo, "mount", "-t", "tmpfs", "-o", "size=40m", "tmpfs", str(disk)], check=True)
    try:
        yield disk
    finally:
        subprocess.run([*sudo, "umount", "--lazy", str(disk)], check=True)


def _fill(disk: Path) -> Path:
    """Fill the file system to the last byte; the filler file is returned, to free the space again."""
    filler = disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for size in (1 << 20, 4096, 1):
            try:
                while os.write(fd, b"\0" * size):
                    pass
            except OSError:
                pass
    finally:
        os.close(fd)
    return filler


@pytest.mark.slow
def test_a_full_disk_during_a_run_leaves_the_campaign_as_it_was_and_the_next_run_succeeds(
        cli: Cli, sample_campaign: Path, small_disk: Path, tmp_path: Path) -> None:
    campaign = small_disk / "campaign"
    shutil.copytree(sample_campaign, campaign)
    before = _state(campaign)
    marker = tmp_path / "paused"
    run = _spawn(campaign, "run", "--all", "--fresh", "--by", "Lan", pause_at="run:scored", marker=marker)
    try:
        _wait_for(marker, "run:scored", run)  # scored, about to write
        filler = _fill(small_disk)
        marker.unlink()
        assert run.wait(timeout=120) == 1
    finally:
        run.kill()
    _, err = run.communicate()
    assert "Traceback" not in err and len(_error_lines(err)) == 1, err
    assert _error_lines(err)[0].startswith("lỗi: ổ đĩa đã đầy (") and "No space left on device" in err
    assert "chưa ghi gì vào chiến dịch. Hãy giải phóng bớt dung lượng rồi chạy lại lệnh" in err
    filler.unlink()
    _assert_same(before, _state(campaign))
    out = cli("run", "--all", "--campaign", campaign, env=DAY_TWO).output
    assert "Run 2:" in out and "No record changed bucket since the previous run" in out
