"""A wheel install works on its own: the rules, report templates and the command line's texts ship
inside the package."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_wheel_carries_rules_and_reports_and_runs_from_them(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "-w", str(tmp_path / "dist"), str(ROOT)], check=True)
    wheel = next((tmp_path / "dist").glob("reconcile-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for rule in ("matching.toml", "buckets.toml", "reasons.toml", "columns.toml"):
        assert f"reconcile/_data/rules/{rule}" in names
    assert "reconcile/_data/reports/README.md" in names
    assert "reconcile/_data/texts/cli.toml" in names  # what the command line says, in vi and en

    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(site), str(wheel)],
                   check=True)
    probe = (
        "import reconcile, datetime, pathlib\n"
        "from reconcile.ruleset import load_rules\n"
        "from reconcile.store import create_campaign\n"
        "print(reconcile.__file__)\n"
        "print(len(load_rules().reasons))\n"
        "c = create_campaign(pathlib.Path(r'%s'), '46', datetime.date(2025, 5, 31), 90)\n"
        "print((c.rules_dir / 'columns.toml').is_file())\n"
        "from reconcile.cli.console import Screen\n"
        "print(Screen(lang='vi').t('col_commune'))\n" % (tmp_path / "campaign")
    )
    env = {**os.environ, "PYTHONPATH": str(site)}
    out = subprocess.run([sys.executable, "-c", probe], env=env, cwd=tmp_path, check=True,
                         capture_output=True, text=True).stdout.split()
    assert out[0].startswith(str(site)), "the installed wheel, not the source tree, must be imported"
    assert int(out[1]) > 10 and out[2] == "True" and out[3] == "xã/phường"
