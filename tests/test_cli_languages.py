"""Every command speaks Vietnamese by default and English on request, from one catalogue
(texts/cli.toml): each command's output is walked in both languages; no catalogue key shows
through untranslated, and the two languages differ."""

from __future__ import annotations

import re
import shutil
import tomllib
from pathlib import Path

import polars as pl
import pytest

from conftest import DAY_ONE, SAMPLE, Cli

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = tomllib.loads((ROOT / "texts" / "cli.toml").read_text(encoding="utf-8"))
# Keys that are one plain word ("total", "couple") are also English words; compound keys never are.
KEYS = re.compile(r"\b(" + "|".join(sorted((k for k in CATALOGUE if "_" in k), key=len, reverse=True)) + r")\b")


def test_the_catalogue_has_both_languages_and_the_same_fields_in_each() -> None:
    for key, entry in CATALOGUE.items():
        assert set(entry) == {"vi", "en"} and entry["vi"] and entry["en"], key
        fields = {lang: set(re.findall(r"{(\w+)}", entry[lang])) for lang in ("vi", "en")}
        assert fields["vi"] == fields["en"], key


@pytest.fixture(scope="module")
def worked(sample_campaign: Path, tmp_path_factory: pytest.TempPathFactory, cli: Cli) -> dict[str, object]:
    """A copy of the sample campaign and what the commands need: a commune with open records, a
    conflict with both spouses linked."""
    folder = tmp_path_factory.mktemp("languages") / "campaign"
    shutil.copytree(sample_campaign, folder)
    out = folder.parent / "results.csv"
    cli("export", "results", "--out", out, "--campaign", folder)
    results = pl.read_csv(out, infer_schema=False)
    conflicts = results.filter((pl.col("bucket") == "conflict") & pl.col("husband_person_id").is_not_null())
    return {"campaign": folder, "commune": conflicts["commune"].mode().sort()[0],
            "record": conflicts.row(0, named=True)}


def _commands(w: dict[str, object], tmp: Path, lang: str) -> dict[str, list[str]]:
    camp = ["--campaign", str(w["campaign"])]
    record = w["record"]
    return {
        "init": ["init", str(tmp / f"new-{lang}"), "--start", DAY_ONE],
        "ingest": ["ingest", "--registry", str(SAMPLE / "registry.csv"), "--population", str(SAMPLE / "population.csv"),
                   "--campaign", str(tmp / f"new-{lang}")],
        "run": ["run", "--commune", str(w["commune"]), *camp],
        "status": ["status", *camp],
        "review": ["review", "--commune", str(w["commune"]), *camp],
        "explain": ["explain", record["record_id"], *camp],
        "decide": ["decide", record["record_id"], "--defer", "--note", "hỏi công an", "--by", "Hoa", *camp],
        "log": ["log", *camp],
        "export results": ["export", "results", "--out", str(tmp / f"r-{lang}.csv"), *camp],
        "export conflicts": ["export", "conflicts", "--out", str(tmp / f"ds-{lang}.csv"), "--all", *camp],
        "report": ["report", "--out", str(tmp / f"report-{lang}.html"), *camp],
        "fixtures generate": ["fixtures", "generate", str(tmp / f"gen-{lang}"), "--persons", "300"],
        "evaluate": ["evaluate", "--truth", str(SAMPLE / "truth.csv"), "--no-baseline", *camp],
        "a user error": ["review", "--commune", str(w["commune"]), "--page", "999", *camp],
    }


def test_every_command_speaks_vietnamese_by_default_and_english_on_request(
        cli: Cli, worked: dict[str, object], tmp_path: Path) -> None:
    said: dict[str, dict[str, str]] = {}
    for lang, env in (("vi", {"RECONCILE_LANG": ""}), ("en", {"RECONCILE_LANG": "en"})):
        for name, args in _commands(worked, tmp_path, lang).items():
            code = 1 if name == "a user error" else 0
            said.setdefault(name, {})[lang] = cli(*args, env={**env, "RECONCILE_TODAY": DAY_ONE}, code=code).output
    for name, texts in said.items():
        for lang, text in texts.items():
            assert not KEYS.search(text), f"{name} ({lang}) shows a catalogue key: {KEYS.search(text).group(0)}"
        assert texts["vi"] != texts["en"], f"{name} says the same in both languages"
    assert said["status"]["vi"].count("xã/phường")
    assert said["a user error"]["vi"].startswith("lỗi: --page 999 vượt quá trang cuối")
    assert said["a user error"]["en"].startswith("error: --page 999 is past the last page")
    # --lang before the command is the same as RECONCILE_LANG.
    status = cli("--lang", "vi", "status", "--campaign", str(worked["campaign"]), env={"RECONCILE_TODAY": DAY_ONE})
    assert status.output == said["status"]["vi"]
