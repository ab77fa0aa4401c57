"""Why a record landed in its bucket: its reasons, and for each spouse the top population
candidates with the match weight every comparison contributed (read from the store)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

import polars as pl

from reconcile.ruleset import Reason


@dataclass(frozen=True)
class Step:
    comparison: str
    level: str
    weight: float


@dataclass(frozen=True)
class Candidate:
    rank: int
    person_id: str
    name: str
    birth: str
    commune: str
    probability: float
    weight: float
    prior: float  # the model's starting weight: total minus every comparison's contribution
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class SpouseEvidence:
    role: str
    name: str
    birth: str
    id_number: str
    linked_person: str  # the best candidate stored for the run, empty if none
    link_reasons: tuple[str, ...]
    candidates: tuple[Candidate, ...]


@dataclass(frozen=True)
class Explanation:
    record_type: str
    record_id: str
    commune: str
    bucket: str
    action: str
    reasons: tuple[tuple[str, str], ...]  # (code, text)
    changes: tuple[dict[str, object], ...]
    spouses: tuple[SpouseEvidence, ...]
    decision: str = ""  # the officers' latest decision on the record, if any


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _candidates(uid: str, candidates: pl.DataFrame, persons: pl.DataFrame) -> tuple[Candidate, ...]:
    people = {r["unique_id"]: r for r in persons.iter_rows(named=True)}
    out = []
    for (rank, person_uid), group in candidates.filter(pl.col("unique_id") == uid).group_by(
            "rank", "person_uid", maintain_order=True):
        steps = tuple(Step(r["comparison"], r["level"], r["weight"]) for r in group.iter_rows(named=True))
        first = group.row(0, named=True)
        person = people.get(person_uid, {})
        out.append(Candidate(
            rank=int(rank), person_id=_text(person.get("person_id", person_uid)), name=_text(person.get("full_name")),
            birth=_text(person.get("birth_date_raw")), commune=_text(person.get("commune")),
            probability=first["match_probability"], weight=first["match_weight"],
            prior=first["match_weight"] - sum(s.weight for s in steps), steps=steps,
        ))
    return tuple(out)


def build_explanation(frames: Mapping[str, pl.DataFrame], reasons: Mapping[str, Reason], lang: str) -> Explanation:
    """Assemble the explanation of one record from `Store.explain_frames`."""
    result = frames["result"].row(0, named=True)
    codes = [c for c in _text(result["reasons"]).split(";") if c]
    spouses = []
    if "spouses" in frames:
        links = {r["unique_id"]: r for r in frames["links"].iter_rows(named=True)}
        for row in frames["spouses"].sort("unique_id").iter_rows(named=True):  # "…|H" before "…|W"
            link = links.get(row["unique_id"], {})
            spouses.append(SpouseEvidence(
                role=row["role"], name=_text(row["full_name"] or row["full_name_raw"]), birth=_text(row["birth_date_raw"]),
                id_number=_text(row["id_raw"]),
                linked_person=_text(link.get("person_uid")),
                link_reasons=tuple(c for c in _text(link.get("link_reasons")).split(";") if c),
                candidates=_candidates(row["unique_id"], frames["candidates"], frames["persons"]),
            ))
    return Explanation(
        record_type=result["record_type"], record_id=result["record_id"], commune=_text(result["commune"]),
        bucket=result["bucket"], action=_text(result["action"]),
        reasons=tuple((c, reasons[c].text(lang) if c in reasons else c) for c in codes),
        changes=tuple(json.loads(result["proposed_changes"])) if result["proposed_changes"] else (),
        spouses=tuple(spouses),
        decision=_decision(result),
    )


def _decision(result: Mapping[str, object]) -> str:
    """The latest decision in one line: what, on whom, by whom, when, why, and whether to recheck it."""
    if not result.get("decision"):
        return ""
    persons = f" {_text(result['decision_person_ids']).replace(';', ', ')}" if result["decision_person_ids"] else ""
    when = result["decided_at"].strftime("%Y-%m-%d %H:%M") if result["decided_at"] else "?"
    recheck = " — needs recheck: a later run found other evidence" if result["decision_status"] == "needs_recheck" else ""
    return f"{result['decision']}{persons} by {result['decided_by']} on {when}: {result['decision_note']}{recheck}"
