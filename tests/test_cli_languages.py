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


def test_user_errors_are_said_in_vietnamese_by_default_and_in_english_on_request(cli: Cli, tmp_path: Path) -> None:
    """A sample of the errors a user meets (input files, rules, the key, an answers file, an
    option): each in one line, in the chosen language, still naming its file, key and column."""
    plain, ruled, locked = tmp_path / "plain", tmp_path / "ruled", tmp_path / "locked"
    cli("init", plain, "--start", DAY_ONE)
    cli("init", ruled, "--start", DAY_ONE)
    with (ruled / "rules" / "columns.toml").open("a", encoding="utf-8") as rules:
        rules.write('\n[registry.nonsense]\nrequired = false\naliases = ["x"]\n')
    cli("init", locked, "--start", DAY_ONE, "--encrypt", env={"RECONCILE_KEY": "the campaign's key, 32 characters"})
    no_column = tmp_path / "ket_hon.csv"
    no_column.write_text("Ngày đăng ký,Họ và tên chồng\n01/02/2003,Lê Văn An\n", encoding="utf-8")
    (tmp_path / "tra_loi.txt").write_text("not a list\n", encoding="utf-8")
    cases = {  # the command, then what it says in Vietnamese and in English
        "missing file": (["ingest", "--registry", tmp_path / "none.csv", "--campaign", plain],
                         "none.csv: không tìm thấy tệp", "none.csv: file not found"),
        "missing column": (["ingest", "--registry", no_column, "--campaign", plain],
                           "ket_hon.csv: thiếu cột bắt buộc 'registration_id' (các cột có trong tệp: Ngày đăng ký, "
                           "Họ và tên chồng",
                           "ket_hon.csv: required column 'registration_id' is missing (columns found: Ngày đăng ký, "
                           "Họ và tên chồng"),
        "bad rules": (["ingest", "--registry", SAMPLE / "registry.csv", "--campaign", ruled],
                      "columns.toml: [registry.nonsense] cột không có; các cột của registry là: registration_id",
                      "columns.toml: [registry.nonsense] unknown column; the registry columns are: registration_id"),
        "wrong key": (["status", "--campaign", locked],
                      f"khoá không mở được chiến dịch này; hãy kiểm tra RECONCILE_KEY hoặc RECONCILE_KEY_FILE ({locked}",
                      f"the key does not open this campaign; check RECONCILE_KEY or RECONCILE_KEY_FILE ({locked}"),
        "answers file": (["import-answers", tmp_path / "tra_loi.txt", "--campaign", plain],
                         "tra_loi.txt: không phải danh sách mâu thuẫn: hãy đưa tệp .xlsx hoặc .csv đã được xuất ra",
                         "tra_loi.txt: is not a conflict list: give the .xlsx or .csv file that was exported"),
        "an option": (["train", "--engine", "postgres", "--campaign", plain],
                      "--engine phải là một trong duckdb, spark, nhận được 'postgres'",
                      "--engine must be one of duckdb, spark, got 'postgres'"),
    }
    wrong_key = {"RECONCILE_KEY": "not the campaign's key, 32 chars", "RECONCILE_KEY_FILE": ""}
    for name, (args, vi, en) in cases.items():
        for lang, env, expected in (("vi", {"RECONCILE_LANG": ""}, vi), ("en", {}, en)):
            out = cli(*args, env={**env, **wrong_key}, code=1).output  # perhaps after a progress line
            errors = [line for line in out.splitlines() if line.startswith(("lỗi: ", "error: "))]
            assert len(errors) == 1 and errors[0].startswith({"vi": "lỗi: ", "en": "error: "}[lang]), (name, lang, out)
            assert expected in errors[0] and "Traceback" not in out and not KEYS.search(out), (name, lang, out)


def _help(cli: Cli, *args: str, env: dict[str, str] | None = None) -> str:
    return cli(*args, "--help", env=env).output


def test_help_is_vietnamese_by_default_and_english_on_request(cli: Cli) -> None:
    vi = {"RECONCILE_LANG": ""}
    assert "Đối chiếu sổ đăng ký kết hôn (hộ tịch) với cơ sở dữ liệu dân cư" in _help(cli, env=vi)
    assert "Hiện hướng dẫn này rồi thoát." in _help(cli, env=vi)
    assert "Reconcile the civil-status marriage registry with the population database" in _help(cli)
    review = _help(cli, "review", env=vi)
    assert "Ví dụ: reconcile review --commune 19753" in review and "Mã xã/phường hiện hành 5 chữ số." in review
    assert "Example: reconcile review --commune 19753" in _help(cli, "review")
    assert "Current 5-digit commune code." in _help(cli, "review")
    # --lang before --help is the same as RECONCILE_LANG.
    assert _help(cli, "--lang", "en", env=vi) == _help(cli)
    assert _help(cli, "--lang", "en", "review", env=vi) == _help(cli, "review")
    assert _help(cli, "--lang", "vi", "review") == review


def test_no_help_shows_a_catalogue_key(cli: Cli) -> None:
    commands = [[], ["init"], ["ingest"], ["train"], ["run"], ["status"], ["review"], ["decide"], ["log"], ["explain"],
                ["export"], ["export", "results"], ["export", "conflicts"], ["import-answers"], ["report"],
                ["fixtures"], ["fixtures", "generate"], ["evaluate"], ["demo"]]
    for command in commands:
        texts = {lang: _help(cli, *command, env={"RECONCILE_LANG": lang}) for lang in ("", "en")}
        for text in texts.values():
            assert not KEYS.search(text), (command, KEYS.search(text).group(0))
        assert texts[""] != texts["en"], command
