"""Every `reconcile` command line the README shows runs as shown (Typer's habit: the docs' examples
are executed). The walkthrough's first lines (init, cd, ingest) run in order in a fresh folder; each
later line runs alone on its own copy of the committed sample's campaign, trained and run. The
README's record and person IDs, file names and page are the example's; `SAMPLE_VALUES` says what of
the sample stands for each."""

from __future__ import annotations

import csv
import re
import shlex
import shutil
from pathlib import Path

import polars as pl
import pytest
from conftest import ROOT, SAMPLE, Cli
from openpyxl import Workbook
from spreadsheet import fill_answers

from reconcile.store import Store
from reconcile.store.campaign import DATABASE_FILE

README = ROOT / "README.md"
DAY = "2025-06-02"  # the README's conflict list is named for this day


def readme_commands() -> list[list[str]]:
    """The `reconcile` lines of the README's sh blocks, as arguments (comments, pipes and
    redirections left out)."""
    blocks = re.findall(r"```sh\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    commands = []
    for line in (line.strip() for block in blocks for line in block.splitlines()):
        if not line.startswith(("reconcile ", "cd ")):
            continue
        words = shlex.split(line, comments=True)
        cut = next((i for i, w in enumerate(words) if w in ("|", ">")), len(words))
        commands.append(words[:cut])
    return commands


COMMANDS = readme_commands()


def _sample_values(campaign: Path) -> dict[str, str]:
    """The README's example values, and what of the sample campaign stands for each."""
    with Store(campaign / DATABASE_FILE, read_only=True) as store:
        results = store.results.current()
    conflicts = results.filter((pl.col("bucket") == "conflict") & (pl.col("record_type") == "marriage")
                               & pl.col("husband_person_id").is_not_null()).sort("record_id")
    first, second = conflicts.row(0, named=True), conflicts.row(1, named=True)
    return {"46-2003-Q02-0157": first["record_id"], "046185334562": first["husband_person_id"],
            "46-2003-Q02-0158": second["record_id"], "19753": first["commune"], "--page 2": "--page 1"}


def _as_sample(words: list[str], values: dict[str, str]) -> list[str]:
    text = shlex.join(words)
    for example, sample in values.items():
        text = text.replace(example, sample)
    return shlex.split(text)[1:]  # without "reconcile"


def test_the_readme_shows_the_commands_of_every_task() -> None:
    shown = {words[1] for words in COMMANDS if words[0] == "reconcile"}
    assert {"init", "ingest", "train", "run", "status", "explain", "review", "decide", "export", "log", "report",
            "import-answers"} <= shown


@pytest.mark.slow
def test_the_walkthrough_s_first_lines_make_a_campaign(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    first = COMMANDS[:COMMANDS.index(next(w for w in COMMANDS if w[:2] == ["reconcile", "ingest"])) + 1]
    assert [w[:2] for w in first] == [["reconcile", "init"], ["cd", "hue-2025"], ["reconcile", "ingest"]]
    _registry_as_xlsx(tmp_path / "hue-2025" / "ket_hon.xlsx")
    for words in first:
        if words[0] == "cd":
            monkeypatch.chdir(words[1])
        else:
            cli(*words[1:])
        if words[1] == "init":
            shutil.copy(SAMPLE / "population.csv", tmp_path / "hue-2025" / "dan_cu.csv")
    with Store(tmp_path / "hue-2025" / DATABASE_FILE, read_only=True) as store:
        assert store.table("marriages").height > 300 and store.table("persons").height > 1000


LATER = [w for w in COMMANDS if w[0] == "reconcile" and w[1] not in ("init", "ingest")]


@pytest.mark.slow
@pytest.mark.parametrize("words", LATER, ids=[" ".join(w[1:3]) for w in LATER])
def test_each_later_line_runs_as_shown(words: list[str], cli: Cli, sample_campaign: Path, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    campaign = tmp_path / "hue-2025"
    shutil.copytree(sample_campaign, campaign)
    monkeypatch.chdir(campaign)
    values = _sample_values(campaign)
    args = _as_sample(words, values)
    if args[0] == "import-answers":  # the list the README's export wrote, with an answer chosen
        cli("export", "conflicts", "--out", "danh_sach.xlsx", "--commune", values["19753"], "--lang", "vi",
            env={"RECONCILE_TODAY": DAY})
        listed = campaign / f"danh_sach_{values['19753']}_{DAY}.xlsx"
        fill_answers(listed, listed, {values["46-2003-Q02-0157"]: (1, "")})
    out = cli(*args, env={"RECONCILE_TODAY": DAY}).output
    assert "error" not in out.lower()


def _registry_as_xlsx(path: Path) -> None:
    """The sample registry as the workbook the README ingests."""
    path.parent.mkdir(parents=True, exist_ok=True)
    book = Workbook()
    sheet = book.active
    with (SAMPLE / "registry.csv").open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.reader(handle):
            sheet.append(row)
    book.save(path)
