"""The campaign's today: set by RECONCILE_TODAY for scripted campaigns, refused when malformed."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from conftest import Cli
from reconcile.clock import TODAY_VAR, today


def test_today_is_the_machine_date_unless_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(TODAY_VAR, raising=False)
    assert today() == date.today()
    monkeypatch.setenv(TODAY_VAR, "2025-06-03")
    assert today() == date(2025, 6, 3)


def test_a_malformed_today_is_a_one_line_user_error(cli: Cli, sample_campaign: Path) -> None:
    out = cli("status", "--campaign", sample_campaign, env={TODAY_VAR: "03/06/2025"}, code=1).output
    assert "RECONCILE_TODAY must be a date YYYY-MM-DD, got '03/06/2025'" in out and "Traceback" not in out
    assert "Day 4 of 90" in cli("status", "--campaign", sample_campaign, env={TODAY_VAR: "2025-06-03"}).output
