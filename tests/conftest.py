"""Shared fixtures: the committed sample province and a campaign built from it once per session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reconcile.cli import app

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "fixtures" / "sample"
# The sample campaign is made on its first day: its progress snapshot is filed under this day.
DAY_ONE = "2025-05-31"


class Cli:
    """Runs `reconcile` commands in-process through Typer's runner, as a user would type them."""

    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(self, *args: str | Path, code: int = 0, env: dict[str, str] | None = None):
        # English unless a test asks otherwise: most tests read the English texts.
        result = self.runner.invoke(app, [str(a) for a in args],
                                    env={"COLUMNS": "200", "RECONCILE_LANG": "en", **(env or {})})
        assert result.exit_code == code, f"exit {result.exit_code} != {code}\n{result.output}\n{result.exception!r}"
        return result


def table_row(text: str, first: str) -> list[str]:
    """The cells of the last row of a rendered table whose first cell is `first`."""
    rows = [[cell.strip() for cell in line.strip("│").split("│")] for line in text.splitlines() if line.startswith("│")]
    return [cells for cells in rows if cells[0] == first][-1]


@pytest.fixture(scope="session")
def cli() -> Cli:
    return Cli()


@pytest.fixture(scope="session")
def sample_campaign(tmp_path_factory: pytest.TempPathFactory, cli: Cli) -> Path:
    """A campaign over the committed sample, ingested, trained and run for every commune."""
    folder = tmp_path_factory.mktemp("sample") / "campaign"
    day_one = {"RECONCILE_TODAY": DAY_ONE}
    cli("init", folder, "--province", "46", "--start", DAY_ONE)
    cli("ingest", "--registry", SAMPLE / "registry.csv", "--population", SAMPLE / "population.csv", "--campaign", folder,
        env=day_one)
    cli("train", "--campaign", folder, env=day_one)
    cli("run", "--all", "--campaign", folder, env=day_one)
    return folder


@pytest.fixture()
def campaign_copy(sample_campaign: Path, tmp_path: Path) -> Path:
    """A private copy of the sample campaign, for tests that change it."""
    target = tmp_path / "campaign"
    shutil.copytree(sample_campaign, target)
    return target
