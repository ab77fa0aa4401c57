"""The conflict list's layout: safe cells, the answer catalogue and how a typed answer is read."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from reconcile.errors import RulesError
from reconcile.police.sheet import cell_text, find_answer, load_answers, safe_text
from reconcile.ruleset import default_rules_dir


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x","y")', "+84 1", "-1+2", "@SUM(A1)", "\t=1", "\r=1",
                                  "＝1+1"])
def test_a_value_a_spreadsheet_would_run_becomes_text(text: str) -> None:
    assert safe_text(text) == "'" + text


def test_ordinary_values_stay_as_they_are() -> None:
    assert safe_text("Nguyễn Văn A-B") == "Nguyễn Văn A-B" and safe_text("046185334562") == "046185334562"
    assert safe_text("a\x00b") == "a\ufffdb"  # a workbook cannot hold it; the reader sees something was there


def test_cells_read_the_same_from_xlsx_and_csv() -> None:
    assert cell_text(0.99987, "probability") == cell_text("0,9999", "probability") == "0.9999"
    assert cell_text(None, "text") == "" and cell_text(46185334562, "id") == "46185334562"


def test_answers_are_read_in_either_language_as_typed() -> None:
    answers = load_answers(default_rules_dir())
    assert [a.code for a in answers] == ["population_corrected", "registry_wrong", "not_same_person",
                                         "person_not_found"]
    assert [a.verdict for a in answers] == ["defer", "accept", "reject", "reject"]
    same = find_answer("  KHÔNG phải cùng   một người ", answers)
    assert same is not None and same.code == "not_same_person"
    assert find_answer("Not the same person", answers) == same
    assert find_answer("khong phai cung mot nguoi", answers) is None  # tones are part of the text


def test_a_bad_answer_catalogue_names_file_and_key(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), rules)
    path = rules / "answers.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('verdict = "reject"', 'verdict = "close"', 1), encoding="utf-8")
    with pytest.raises(RulesError, match=r"answers.toml: \[not_same_person.verdict\] must be one of"):
        load_answers(rules)
    path.write_text(text.replace('en = "Not the same person"', 'en = "Person not found in the population database"'),
                    encoding="utf-8")
    with pytest.raises(RulesError, match=r"\[person_not_found.en\] must be unique"):
        load_answers(rules)
    path.unlink()  # a campaign made before the catalogue existed reads the default one
    assert load_answers(rules) == load_answers(default_rules_dir())
