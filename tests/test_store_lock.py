"""The campaign lock: a second writer waits a bounded time, then is told who holds the campaign."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reconcile.errors import CampaignBusyError, UserError
from reconcile.store import writing
from reconcile.store.lock import HOLDER_FILE, TIMEOUT_VAR, current_holder, lock_timeout


def test_a_second_writer_waits_then_learns_who_holds_the_campaign(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TIMEOUT_VAR, "0.4")
    with writing(tmp_path, "run --all", "Lan"):
        holder = current_holder(tmp_path)
        assert holder is not None and (holder.command, holder.who) == ("run --all", "Lan")
        started = time.monotonic()
        with pytest.raises(CampaignBusyError, match=r"busy: `reconcile run --all` by Lan \(pid \d+, since .*waited 0.4 s"):
            with writing(tmp_path, "decide 46-1", "Hoa"):
                pass
        assert time.monotonic() - started >= 0.4
    assert not (tmp_path / HOLDER_FILE).exists()
    with writing(tmp_path, "decide 46-1", "Hoa"):  # free again
        assert current_holder(tmp_path).who == "Hoa"


def test_a_dead_holder_is_not_named_and_does_not_block(tmp_path: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    (tmp_path / HOLDER_FILE).write_text(json.dumps(
        {"command": "run --all", "who": "Lan", "pid": int(dead.stdout), "since": "2025-06-01 08:00:00"}))
    assert current_holder(tmp_path) is None
    with writing(tmp_path, "ingest", "Hoa"):
        assert current_holder(tmp_path).command == "ingest"


def test_the_wait_is_configurable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(TIMEOUT_VAR, raising=False)
    assert lock_timeout() == 30.0
    monkeypatch.setenv(TIMEOUT_VAR, "2.5")
    assert lock_timeout() == 2.5
    monkeypatch.setenv(TIMEOUT_VAR, "soon")
    with pytest.raises(UserError, match="RECONCILE_LOCK_TIMEOUT must be a number of seconds"):
        lock_timeout()
