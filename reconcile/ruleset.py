"""Load and validate the rules folder (matching.toml, buckets.toml, reasons.toml).

Rules are data an officer may tune; every value is checked when loaded and a bad one
raises `RulesError` naming the file and the key. Column maps are loaded by `ingest`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from reconcile.errors import RulesError
from reconcile.paths import data_dir, read_toml

BUCKETS = ("auto_resolve", "conflict", "missing", "rejected")
# A record takes the most serious bucket among its reasons.
BUCKET_SEVERITY = {"auto_resolve": 0, "missing": 1, "conflict": 2, "rejected": 3}


@dataclass(frozen=True)
class ComparisonLevel:
    label: str
    sql: str
    null: bool = False
    tf_column: str | None = None
    # Fixed by domain knowledge where training cannot see the level often enough to estimate it.
    m_probability: float | None = None
    u_probability: float | None = None


@dataclass(frozen=True)
class Comparison:
    name: str
    description: str
    levels: tuple[ComparisonLevel, ...]


@dataclass(frozen=True)
class MatchingRules:
    prior_rules: tuple[str, ...]
    prior_recall: float
    u_max_pairs: int
    u_seed: int
    em_blocking_rules: tuple[str, ...]
    blocking_rules: tuple[str, ...]
    keep_min_probability: float
    comparisons: tuple[Comparison, ...]
    # EM trains on about this many pairs of each rule, sampled (None: every blocked pair).
    em_max_pairs: int | None = None

    def fingerprint(self) -> str:
        """A short digest of these rules: pairs scored under other rules are not reused."""
        return hashlib.sha256(repr(self).encode()).hexdigest()[:16]


# One alternative of sufficient evidence: comparison name -> acceptable level labels.
EvidenceSet = tuple[tuple[str, tuple[str, ...]], ...]


@dataclass(frozen=True)
class NamesakeRule:
    """[link.namesakes] of buckets.toml: each part a set of comparison levels (see EvidenceSet)."""

    when_best: EvidenceSet
    unless_best: EvidenceSet
    rival: EvidenceSet
    # With the couple rules: no doubt when the couple chosen is recorded as each other's spouse in
    # one of these ways (`id`, `both_ways`, `name`, `address`) and leads every other couple; a namesake then belongs
    # to another couple.
    unless_recorded_couple: tuple[str, ...] = ()
    # Rivals counted from this match probability (None: the candidate minimum): a namesake whose
    # population record keeps the birth year only scores low, and is still a namesake.
    rival_min_probability: float | None = None


@dataclass(frozen=True)
class CoupleEvidence:
    """One alternative of [[couples.sufficient_evidence]]: how the two persons must be recorded as
    each other's spouse (any of `recorded`: `id`, `both_ways`, `name`; none listed: not at all), and
    what each link must hold: `both`
    spouses, or `one` of them and the `other`. A part is "link" (the link is enough alone: one of
    [[link.sufficient_evidence]] and auto_min_probability), a set of levels, or None (anything)."""

    recorded: tuple[str, ...]
    both: EvidenceSet | str | None = None
    one: EvidenceSet | str | None = None
    other: EvidenceSet | str | None = None


@dataclass(frozen=True)
class CoupleRules:
    """[couples] of buckets.toml: how candidate couples are made, weighed and judged."""

    # False: each spouse is judged alone (the rules are kept, to be switched on).
    enabled: bool
    candidates_per_spouse: int
    recorded_weight: float
    same_address_weight: float
    # Comparisons whose weight counts in a couple's lead up to a cap: (comparison, cap).
    lead_caps: tuple[tuple[str, float], ...]
    # The lead needed over a runner-up couple of two other persons (over one sharing a person:
    # min_weight_lead).
    other_couple_lead: float
    sufficient_evidence: tuple[CoupleEvidence, ...]
    # The lead needed over a runner-up couple that shares a person with the best, where the best is
    # recorded by personal ID and the runner-up is not recorded at all (None: min_weight_lead).
    recorded_id_lead: float | None = None
    # Added to a couple's weight where its two persons are both married with nobody recorded and
    # share an address without a house number (a hamlet, a residential group): perhaps the
    # registered couple whose spouse fields were never filled (0: not counted).
    unrecorded_same_place_weight: float = 0.0
    # Added to a couple's weight, to rank the couples only (never to its lead), for each person
    # living at the house (residence_house_weight) or the hamlet or residential group
    # (residence_place_weight) that its registry copy gives as residence.
    residence_house_weight: float = 0.0
    residence_place_weight: float = 0.0
    # The same, for the two persons sharing an address that names no house (a hamlet, a group).
    same_place_weight: float = 0.0
    # A spouse with no candidate whose copy holds these levels with exactly one person living at the
    # home the copy gives as residence: that person is shown (never acted on). Empty: off.
    home_candidate: EvidenceSet = ()
    # The registered house (residence_house_weight per person living there) counts in the lead over
    # a runner-up couple that shares a person with the best (never over two other persons).
    house_tells_namesakes: bool = False


# The [couples] weights that rank couples only (optional: 0 when absent, as in older campaigns).
RANK_WEIGHTS = ("residence_house_weight", "residence_place_weight", "same_place_weight")


# How two persons may be recorded as each other's spouse: one record gives the other's personal ID;
# each record gives the other's ID or name; one record gives the other's ID or name; or, short of
# that, they live at the same address.
RECORDED = ("id", "both_ways", "name", "address")


@dataclass(frozen=True)
class BucketRules:
    candidate_min_probability: float
    auto_min_probability: float
    min_weight_lead: float
    sufficient_evidence: tuple[EvidenceSet, ...]
    # None: the rule is off (a campaign whose rules were copied before it existed).
    other_province_id_levels: tuple[str, ...] | None
    # None: off, as above. Otherwise when the best candidate holds its `when_best` levels and
    # not its `unless_best` ones, another candidate holding `rival` makes the spouse NAMESAKE_SAME_YEAR.
    namesakes: NamesakeRule | None
    husband_min_age: int
    wife_min_age: int
    # None (campaigns made before couples) or not `enabled`: each spouse is judged alone.
    couples: CoupleRules | None
    fix_marital_status: bool
    fix_spouse_id_when_empty: bool
    fix_spouse_name_when_empty: bool


@dataclass(frozen=True)
class Reason:
    code: str
    bucket: str
    en: str
    vi: str

    def text(self, lang: str) -> str:
        return self.vi if lang == "vi" else self.en


@dataclass(frozen=True)
class RuleSet:
    folder: Path
    matching: MatchingRules
    buckets: BucketRules
    reasons: Mapping[str, Reason]


class _Reader:
    """Typed access to one TOML file's values, raising RulesError on a bad key."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.data = read_toml(path)

    def get(self, table: Mapping[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
        if key not in table:
            raise RulesError.said("err_rules_missing", str(self.path), f"{where}.{key}".lstrip("."))
        value = table[key]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            names = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
            raise RulesError.said("err_rules_type", str(self.path), f"{where}.{key}".lstrip("."), kind=names,
                                  value=repr(value))
        return value

    def strings(self, table: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
        value = self.get(table, key, list, where)
        if not all(isinstance(v, str) and v.strip() for v in value):
            raise RulesError.said("err_rules_strings", str(self.path), f"{where}.{key}")
        return tuple(value)

    def probability(self, table: Mapping[str, Any], key: str, where: str) -> float:
        value = self.get(table, key, float, where)
        if not 0.0 <= value <= 1.0:
            raise RulesError.said("err_rules_probability", str(self.path), f"{where}.{key}", value=value)
        return value


def _recorded_ways(r: _Reader, rule: Mapping[str, Any], path: str) -> tuple[str, ...]:
    """[link.namesakes] unless_recorded_couple: a list of ways the chosen couple may be recorded
    (`id`, `both_ways`, `name`, or `address`: the two live at one house); `true` is `["id"]` (rules
    written before the list), `false` none."""
    where = "link.namesakes"
    if "unless_recorded_couple" not in rule:
        return ()
    if isinstance(rule["unless_recorded_couple"], bool):
        return ("id",) if rule["unless_recorded_couple"] else ()
    ways = r.strings(rule, "unless_recorded_couple", where)
    wrong = [w for w in ways if w not in RECORDED]
    if wrong:
        raise RulesError.said("err_rules_recorded", path, f"{where}.unless_recorded_couple", unknown=wrong,
                              known=list(RECORDED))
    return ways


def _load_matching(path: Path) -> MatchingRules:
    r = _Reader(path)
    training = r.get(r.data, "training", dict, "")
    prediction = r.get(r.data, "prediction", dict, "")
    comparisons: list[Comparison] = []
    for i, comp in enumerate(r.get(r.data, "comparisons", list, "")):
        where = f"comparisons[{i}]"
        levels = []
        for j, level in enumerate(r.get(comp, "levels", list, where)):
            lw = f"{where}.levels[{j}]"
            levels.append(ComparisonLevel(
                label=r.get(level, "label", str, lw),
                sql=r.get(level, "sql", str, lw),
                null=bool(level.get("null", False)),
                tf_column=level.get("tf_column"),
                m_probability=r.probability(level, "m_probability", lw) if "m_probability" in level else None,
                u_probability=r.probability(level, "u_probability", lw) if "u_probability" in level else None,
            ))
        labels = [lv.label for lv in levels]
        if len(set(labels)) != len(labels):
            raise RulesError.said("err_rules_level_labels", str(path), where, labels=labels)
        if not levels or levels[-1].sql.strip().upper() != "ELSE":
            raise RulesError.said("err_rules_else_last", str(path), where)
        comparisons.append(Comparison(r.get(comp, "name", str, where), str(comp.get("description", "")), tuple(levels)))
    if not comparisons:
        raise RulesError.said("err_rules_no_comparison", str(path), "comparisons")
    return MatchingRules(
        prior_rules=r.strings(training, "prior_rules", "training"),
        prior_recall=r.probability(training, "prior_recall", "training"),
        u_max_pairs=int(r.get(training, "u_max_pairs", (int, float), "training")),
        u_seed=r.get(training, "u_seed", int, "training"),
        em_blocking_rules=r.strings(training, "em_blocking_rules", "training"),
        blocking_rules=r.strings(prediction, "blocking_rules", "prediction"),
        keep_min_probability=r.probability(prediction, "keep_min_probability", "prediction"),
        comparisons=tuple(comparisons),
        em_max_pairs=int(r.get(training, "em_max_pairs", (int, float), "training")) if "em_max_pairs" in training else None,
    )


def _load_buckets(path: Path, matching: MatchingRules) -> BucketRules:
    r = _Reader(path)
    link = r.get(r.data, "link", dict, "")
    levels = {c.name: {lv.label for lv in c.levels} for c in matching.comparisons}

    def level_set(table: dict[str, Any], where: str) -> EvidenceSet:
        items = []
        for comp, labels in table.items():
            if comp not in levels:
                raise RulesError.said("err_rules_unknown_comparison", str(path), f"{where}.{comp}", name=comp)
            if not isinstance(labels, list) or not all(isinstance(lb, str) for lb in labels):
                raise RulesError.said("err_rules_level_list", str(path), f"{where}.{comp}")
            unknown = [lb for lb in labels if lb not in levels[comp]]
            if unknown:
                raise RulesError.said("err_rules_unknown_levels", str(path), f"{where}.{comp}", unknown=unknown,
                                      known=sorted(levels[comp]))
            items.append((comp, tuple(labels)))
        return tuple(items)

    evidence = [level_set(alternative, f"link.sufficient_evidence[{i}]")
                for i, alternative in enumerate(r.get(link, "sufficient_evidence", list, "link"))]
    namesakes = None
    if "namesakes" in link:
        rule = r.get(link, "namesakes", dict, "link")
        namesakes = NamesakeRule(
            when_best=level_set(r.get(rule, "when_best", dict, "link.namesakes"), "link.namesakes.when_best"),
            unless_best=level_set(r.get(rule, "unless_best", dict, "link.namesakes") if "unless_best" in rule else {},
                                  "link.namesakes.unless_best"),
            rival=level_set(r.get(rule, "rival", dict, "link.namesakes"), "link.namesakes.rival"),
            unless_recorded_couple=_recorded_ways(r, rule, str(path)),
            rival_min_probability=(r.probability(rule, "rival_min_probability", "link.namesakes")
                                   if "rival_min_probability" in rule else None),
        )
    other_province = r.strings(link, "other_province_id_levels", "link") if "other_province_id_levels" in link else None
    unknown_id = [lb for lb in other_province or () if lb not in levels.get("id", set())]
    if unknown_id:
        raise RulesError.said("err_rules_unknown_id_levels", str(path), "link.other_province_id_levels",
                              unknown=unknown_id, known=sorted(levels.get("id", set())))
    couples = _couple_rules(r, level_set, set(levels)) if "couples" in r.data else None
    plaus = r.get(r.data, "plausibility", dict, "")
    fix = r.get(r.data, "auto_fix", dict, "")
    return BucketRules(
        candidate_min_probability=r.probability(link, "candidate_min_probability", "link"),
        auto_min_probability=r.probability(link, "auto_min_probability", "link"),
        min_weight_lead=r.get(link, "min_weight_lead", float, "link"),
        sufficient_evidence=tuple(evidence),
        other_province_id_levels=other_province,
        namesakes=namesakes,
        husband_min_age=r.get(plaus, "husband_min_age", int, "plausibility"),
        wife_min_age=r.get(plaus, "wife_min_age", int, "plausibility"),
        couples=couples,
        fix_marital_status=r.get(fix, "marital_status", bool, "auto_fix"),
        fix_spouse_id_when_empty=r.get(fix, "spouse_id_when_empty", bool, "auto_fix"),
        fix_spouse_name_when_empty=r.get(fix, "spouse_name_when_empty", bool, "auto_fix"),
    )


def _couple_rules(r: _Reader, level_set: Any, comparisons: set[str]) -> CoupleRules:
    table = r.get(r.data, "couples", dict, "")
    alternatives = []
    for i, alt in enumerate(r.get(table, "sufficient_evidence", list, "couples")):
        where = f"couples.sufficient_evidence[{i}]"
        if not isinstance(alt, dict):
            raise RulesError.said("err_rules_table", str(r.path), where)
        unknown = sorted(set(alt) - {"recorded", "both", "one", "other"})
        if unknown:
            raise RulesError.said("err_rules_evidence_key", str(r.path), f"{where}.{unknown[0]}")
        recorded = r.strings(alt, "recorded", where) if "recorded" in alt else ()
        wrong = [w for w in recorded if w not in RECORDED]
        if wrong:
            raise RulesError.said("err_rules_recorded", str(r.path), f"{where}.recorded", unknown=wrong, known=list(RECORDED))
        if ("one" in alt) != ("other" in alt):
            raise RulesError.said("err_rules_one_and_other", str(r.path), where)

        def part(key: str) -> EvidenceSet | str | None:
            if key not in alt:
                return None
            value = alt[key]
            if value == "link":
                return "link"
            if not isinstance(value, dict):
                raise RulesError.said("err_rules_link_or_levels", str(r.path), f"{where}.{key}", value=repr(value))
            return level_set(value, f"{where}.{key}")  # type: ignore[no-any-return]

        alternatives.append(CoupleEvidence(recorded, part("both"), part("one"), part("other")))
    caps_table = r.get(table, "lead_caps", dict, "couples") if "lead_caps" in table else {}
    caps = []
    for name in caps_table:
        if name not in comparisons:
            raise RulesError.said("err_rules_unknown_comparison", str(r.path), f"couples.lead_caps.{name}", name=name)
        caps.append((name, r.get(caps_table, name, float, "couples.lead_caps")))
    count = r.get(table, "candidates_per_spouse", int, "couples")
    if count < 1:
        raise RulesError.said("err_rules_at_least_one", str(r.path), "couples.candidates_per_spouse", value=count)
    return CoupleRules(
        enabled=r.get(table, "enabled", bool, "couples") if "enabled" in table else True,
        candidates_per_spouse=count,
        recorded_weight=r.get(table, "recorded_weight", float, "couples"),
        same_address_weight=r.get(table, "same_address_weight", float, "couples"),
        lead_caps=tuple(caps),
        other_couple_lead=r.get(table, "other_couple_lead", float, "couples"),
        sufficient_evidence=tuple(alternatives),
        recorded_id_lead=r.get(table, "recorded_id_lead", float, "couples") if "recorded_id_lead" in table else None,
        unrecorded_same_place_weight=(r.get(table, "unrecorded_same_place_weight", float, "couples")
                                      if "unrecorded_same_place_weight" in table else 0.0),
        **{key: r.get(table, key, float, "couples") for key in RANK_WEIGHTS if key in table},
        house_tells_namesakes=(r.get(table, "house_tells_namesakes", bool, "couples")
                               if "house_tells_namesakes" in table else False),
        home_candidate=level_set(r.get(table, "home_candidate", dict, "couples"), "couples.home_candidate")
        if "home_candidate" in table else (),
    )


def _load_reasons(path: Path) -> Mapping[str, Reason]:
    r = _Reader(path)
    reasons = {}
    for code, entry in r.data.items():
        if not isinstance(entry, dict):
            raise RulesError.said("err_rules_reason", str(path), code)
        bucket = r.get(entry, "bucket", str, code)
        if bucket not in BUCKETS:
            raise RulesError.said("err_rules_one_of", str(path), f"{code}.bucket", choices=list(BUCKETS), value=bucket)
        reasons[code] = Reason(code, bucket, r.get(entry, "en", str, code), r.get(entry, "vi", str, code))
    return MappingProxyType(reasons)


def default_rules_dir() -> Path:
    """The rules folder shipped with the package."""
    return data_dir("rules")


def load_rules(folder: Path | None = None) -> RuleSet:
    """Load and validate every rule file of `folder` (default: the shipped rules)."""
    folder = folder or default_rules_dir()
    matching = _load_matching(folder / "matching.toml")
    return RuleSet(
        folder=folder,
        matching=matching,
        buckets=_load_buckets(folder / "buckets.toml", matching),
        # Reason codes added to the product after a campaign copied its rules keep the
        # shipped wording; the campaign's own entries win.
        reasons={**_load_reasons(default_rules_dir() / "reasons.toml"), **_load_reasons(folder / "reasons.toml")},
    )
