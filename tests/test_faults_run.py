"""Faults of real processes: a run killed with SIGKILL at any point leaves the campaign exactly
as it was and the next run completes; two commands at once wait for each other a bounded time,
or stop with a message naming the holder, and the database stays whole."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import polars as pl
import pytest

from conftest import Cli

DAY_TWO = {"RECONCILE_TODAY": "2025-06-01"}
SHORT_WAIT = {"RECONCILE_LOCK_TIMEOUT": "0.5"}


def _spawn(campaign: Path, *args: str, pause_at: str = "", marker: Path | None = None) -> subprocess.Popen[str]:
    """`python -m reconcile ARGS` in its own process, pausing at the named stages."""
    env = {**os.environ, **DAY_TWO, "RECONCILE_PAUSE_AT": pause_at, "RECONCILE_PAUSE_FILE": str(marker or "")}
    return subprocess.Popen([sys.executable, "-m", "reconcile", *args, "--campaign", str(campaign)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for(marker: Path, stage: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 120
    while not (marker.exists() and stage in marker.read_text()):
        if process.poll() is not None:
            pytest.fail(f"the command ended (exit {process.returncode}) before {stage}: {process.stderr.read()}")
        assert time.monotonic() < deadline, f"{stage} not reached"
        time.sleep(0.05)


def _state(campaign: Path) -> dict[str, pl.DataFrame]:
    """Every table of the campaign database, rows in a fixed order."""
    with duckdb.connect(str(campaign / "campaign.duckdb"), read_only=True) as con:
        tables = [r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()]
        return {t: pl.from_arrow(con.sql(f'SELECT * FROM "{t}" ORDER BY ALL').to_arrow_table()) for t in tables}


def _assert_same(before: dict[str, pl.DataFrame], after: dict[str, pl.DataFrame]) -> None:
    assert sorted(after) == sorted(before)
    for name, frame in before.items():
        assert after[name].equals(frame), f"table {name} changed"


@pytest.mark.slow
@pytest.mark.parametrize("stage", ["run:scored", "run:writing", "run:committing"])
def test_a_run_killed_at_any_point_leaves_the_campaign_as_it_was(cli: Cli, campaign_copy: Path, tmp_path: Path,
                                                                 stage: str) -> None:
    before = _state(campaign_copy)
    marker = tmp_path / "paused"
    run = _spawn(campaign_copy, "run", "--all", "--fresh", "--by", "Lan", pause_at=stage, marker=marker)
    _wait_for(marker, stage, run)
    os.kill(run.pid, signal.SIGKILL)
    assert run.wait(timeout=30) == -signal.SIGKILL
    _assert_same(before, _state(campaign_copy))
    # The next run completes, as run 2: the killed one left no trace, not even its id.
    out = cli("run", "--all", "--campaign", campaign_copy, env=DAY_TWO).output
    assert "Run 2:" in out and "No record changed bucket since the previous run" in out
    assert "run 2: all" in cli("log", "--campaign", campaign_copy).output


@pytest.mark.slow
def test_two_commands_at_once_wait_or_stop_clearly_and_the_database_stays_whole(cli: Cli, campaign_copy: Path,
                                                                                tmp_path: Path) -> None:
    before = _state(campaign_copy)
    conflict = before["results"].filter(pl.col("bucket") == "conflict")["record_id"][0]
    marker = tmp_path / "paused"
    run = _spawn(campaign_copy, "run", "--all", "--fresh", "--by", "Lan", pause_at="run:scored,run:writing",
                 marker=marker)
    holder = f"`reconcile run --all` by Lan (pid {run.pid}"

    _wait_for(marker, "run:scored", run)  # the run holds the campaign; the database is closed while it scores
    assert "auto_resolve" in cli("status", "--campaign", campaign_copy, env=SHORT_WAIT).output  # reading shares
    out = cli("decide", conflict, "--reject", "--note", "n", "--by", "Hoa", "--campaign", campaign_copy,
              env=SHORT_WAIT, code=1).output
    assert f"the campaign is busy: {holder}" in out and "is writing to it; waited 0.5 s" in out

    marker.unlink()
    _wait_for(marker, "run:writing", run)  # now it writes: even reading waits, then stops clearly
    out = cli("status", "--campaign", campaign_copy, env=SHORT_WAIT, code=1).output
    assert f"the campaign is busy: {holder}" in out and "is using it" in out and "Traceback" not in out

    marker.unlink()
    assert run.wait(timeout=60) == 0, run.stderr.read()
    after = _state(campaign_copy)
    assert after["runs"]["run_id"].to_list() == [1, 2]
    assert after["results"].filter(pl.col("run_id") == 2).height == before["results"].height
    assert after["decisions"].is_empty()  # the refused decision left nothing behind
    cli("decide", conflict, "--reject", "--note", "n", "--by", "Hoa", "--campaign", campaign_copy)

    # Two runs started together: the second waits for the first, both complete.
    runs = [_spawn(campaign_copy, "run", "--all", "--by", who) for who in ("Lan", "Minh")]
    assert [r.wait(timeout=120) for r in runs] == [0, 0], [r.stderr.read() for r in runs]
    final = _state(campaign_copy)
    assert final["runs"]["run_id"].to_list() == [1, 2, 3, 4]
    assert final["results"].group_by("run_id").len().sort("run_id")["len"].to_list() == [before["results"].height] * 4
    assert sorted(final["audit"].filter(pl.col("action") == "run")["who"].to_list()[-2:]) == ["Lan", "Minh"]
