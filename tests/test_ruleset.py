"""Rules load from TOML and a bad value is named by file and key."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from reconcile.errors import RulesError
from reconcile.ruleset import BUCKETS, default_rules_dir, load_rules


@pytest.fixture()
def rules_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), folder)
    return folder


def test_default_rules_load() -> None:
    rules = load_rules()
    assert [c.name for c in rules.matching.comparisons] == [
        "id", "name", "birth_date", "residence", "sex", "commune", "spouse_id", "spouse_name"]
    assert rules.buckets.auto_min_probability > rules.buckets.candidate_min_probability
    assert {r.bucket for r in rules.reasons.values()} == set(BUCKETS)
    assert all(r.en and r.vi for r in rules.reasons.values())


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_probability_out_of_range_names_file_and_key(rules_copy: Path) -> None:
    _edit(rules_copy / "buckets.toml", "auto_min_probability = 0.9\n", "auto_min_probability = 9.9\n")
    with pytest.raises(RulesError, match=r"buckets.toml: \[link.auto_min_probability\] must be between 0 and 1"):
        load_rules(rules_copy)


def test_unknown_level_in_sufficient_evidence(rules_copy: Path) -> None:
    _edit(rules_copy / "buckets.toml", '"full_date_exact", "placeholder_date_exact"]',
          '"full_date_exact", "placeholder_date_exakt"]')
    with pytest.raises(RulesError, match=r"\[link.sufficient_evidence\[1\].birth_date\] unknown level"):
        load_rules(rules_copy)


def test_unknown_level_or_comparison_in_namesakes(rules_copy: Path) -> None:
    _edit(rules_copy / "buckets.toml", 'rival = { name = ["tone_exact"', 'rival = { name = ["tone_exakt"')
    with pytest.raises(RulesError, match=r"\[link.namesakes.rival.name\] unknown level\(s\) \['tone_exakt'\]"):
        load_rules(rules_copy)
    _edit(rules_copy / "buckets.toml", 'rival = { name = ["tone_exakt"', 'rival = { nam = ["tone_exact"')
    with pytest.raises(RulesError, match=r"\[link.namesakes.rival.nam\] no comparison named 'nam'"):
        load_rules(rules_copy)


def test_namesake_rule_yields_to_the_couples_it_names(rules_copy: Path) -> None:
    rules = load_rules(rules_copy).buckets.namesakes
    assert rules is not None and rules.unless_recorded_couple == ("id", "both_ways", "address")
    assert rules.rival_min_probability == 0.0
    # `true`, as rules written before the list say it, is the ID alone.
    _edit(rules_copy / "buckets.toml", 'unless_recorded_couple = ["id", "both_ways", "address"]',
          "unless_recorded_couple = true")
    assert load_rules(rules_copy).buckets.namesakes.unless_recorded_couple == ("id",)
    _edit(rules_copy / "buckets.toml", "unless_recorded_couple = true", 'unless_recorded_couple = ["id", "house"]')
    with pytest.raises(RulesError, match=r"\[link.namesakes.unless_recorded_couple\].*house"):
        load_rules(rules_copy)


def test_unknown_id_level_for_other_province(rules_copy: Path) -> None:
    _edit(rules_copy / "buckets.toml", '"personal_id_one_digit"]', '"personal_id_one_digitt"]')
    with pytest.raises(RulesError, match=r"\[link.other_province_id_levels\] unknown level"):
        load_rules(rules_copy)


def test_reason_with_unknown_bucket(rules_copy: Path) -> None:
    _edit(rules_copy / "reasons.toml", 'bucket = "rejected"', 'bucket = "bin"')
    with pytest.raises(RulesError, match=r"reasons.toml: \[DUPLICATE_KEY.bucket\] must be one of"):
        load_rules(rules_copy)


def test_invalid_toml_and_missing_file(rules_copy: Path) -> None:
    (rules_copy / "matching.toml").write_text("[training\n", encoding="utf-8")
    with pytest.raises(RulesError, match="matching.toml.*not valid TOML"):
        load_rules(rules_copy)
    (rules_copy / "matching.toml").unlink()
    with pytest.raises(RulesError, match="matching.toml.*file is missing"):
        load_rules(rules_copy)


def test_comparison_must_end_with_else(rules_copy: Path) -> None:
    text = (rules_copy / "matching.toml").read_text(encoding="utf-8")
    last_else = text.rindex('label = "else"\nsql = "ELSE"')
    (rules_copy / "matching.toml").write_text(text[:last_else] + 'label = "other"\nsql = "1=1"\n', encoding="utf-8")
    with pytest.raises(RulesError, match=r"\[comparisons\[7\]\] the last level must be the ELSE level"):
        load_rules(rules_copy)


def test_rules_copied_before_a_rule_existed_still_load(rules_copy: Path) -> None:
    # A campaign keeps the rules it copied at init: a rule added later is off for it, and a
    # reason code added later keeps the shipped wording.
    text = (rules_copy / "buckets.toml").read_text(encoding="utf-8")
    start = text.index("other_province_id_levels")
    (rules_copy / "buckets.toml").write_text(text[:start] + text[text.index("\n", start) + 1:], encoding="utf-8")
    reasons = (rules_copy / "reasons.toml").read_text(encoding="utf-8")
    start = reasons.index("[RESIDENCE_OTHER_PROVINCE]")
    end = reasons.index("\n[", start + 1)
    (rules_copy / "reasons.toml").write_text(reasons[:start] + reasons[end + 1:], encoding="utf-8")
    text = (rules_copy / "buckets.toml").read_text(encoding="utf-8")
    start = text.index("[link.namesakes]")
    (rules_copy / "buckets.toml").write_text(text[:start] + text[text.index("\n\n", start) + 2:], encoding="utf-8")
    rules = load_rules(rules_copy)
    assert rules.buckets.other_province_id_levels is None
    assert rules.buckets.namesakes is None
    assert rules.reasons["RESIDENCE_OTHER_PROVINCE"].bucket == "conflict"
