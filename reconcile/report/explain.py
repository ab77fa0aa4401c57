"""Why a record landed in its bucket: its reasons, for each spouse the top population
candidates with the match weight every comparison contributed, and for a marriage the couple
evidence: how the linked persons record their spouses, the couple's weight and its lead over the
runner-up couple (read from the store)."""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass

import polars as pl

from reconcile.decide.couples import claims_a_spouse
from reconcile.normalize.homes import home_key
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
    # The house or hamlet the person lives at, where it is the one the registry copy gives as the
    # spouse's residence (normalize.homes); "" otherwise.
    registered_home: str = ""


@dataclass(frozen=True)
class Person:
    """A population person as explain names one."""

    person_id: str
    name: str
    birth: str


@dataclass(frozen=True)
class SpouseEvidence:
    role: str
    name: str
    birth: str
    id_number: str
    linked_person: str  # the best candidate stored for the run, empty if none
    link_reasons: tuple[str, ...]
    candidates: tuple[Candidate, ...]
    # The linked person's spouse as the population records it (empty if none recorded).
    recorded_spouse_name: str = ""
    recorded_spouse_id: str = ""
    # Living married persons other than the partner's linked person whose record gives the linked
    # person's ID as spouse: a typed name recording the couple is then no evidence to act on.
    claimed_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class CoupleEvidence:
    """The marriage's best candidate couple, as the run judged it (reconcile.decide.couples)."""

    weight: float
    recorded: str             # how the two record each other as spouse: id, both_ways, name; "" not at all
    lead: float | None        # over the runner-up couple; None when there was none
    runner_up: tuple[tuple[str, Person, bool], ...]  # (role, person, the same as the linked one)


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
    couple: CoupleEvidence | None = None  # None: no candidate couple (or a run stored before couples)


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _person(person: Mapping[str, object], uid: str) -> Person:
    return Person(_text(person.get("person_id", uid)), _text(person.get("full_name") or person.get("full_name_raw")),
                  _text(person.get("birth_date_raw")))


def _couple(spouses: list[SpouseEvidence], links: list[Mapping[str, object]],
            people: Mapping[str, Mapping[str, object]]) -> CoupleEvidence | None:
    """The couple evidence the run stored with the marriage's links (the same on both)."""
    first = next((link for link in links if link.get("couple_weight") is not None), None)
    if first is None:
        return None
    runner_up = tuple(
        (sp.role, _person(people.get(link["runner_up_uid"], {}), link["runner_up_uid"]),
         link["runner_up_uid"] == link.get("person_uid"))
        for sp, link in zip(spouses, links) if link.get("runner_up_uid"))
    return CoupleEvidence(first["couple_weight"], _text(first.get("couple_recorded")), first.get("couple_lead"),
                          runner_up)


def _home(address: object) -> str:
    """The home part of an address (normalize.homes.home_key), or ""."""
    if not address:
        return ""
    return _text(pl.select(home_key(pl.lit(str(address), pl.String))).item())


def _candidates(uid: str, candidates: pl.DataFrame, people: Mapping[str, Mapping[str, object]],
                residence: object = None) -> tuple[Candidate, ...]:
    registered = _home(residence)
    out = []
    for (rank, person_uid), group in candidates.filter(pl.col("unique_id") == uid).group_by(
            "rank", "person_uid", maintain_order=True):
        steps = tuple(Step(r["comparison"], r["level"], r["weight"]) for r in group.iter_rows(named=True))
        first = group.row(0, named=True)
        person = people.get(person_uid, {})
        brief = _person(person, person_uid)
        out.append(Candidate(
            rank=int(rank), person_id=brief.person_id, name=brief.name, birth=brief.birth,
            commune=_text(person.get("commune")),
            probability=first["match_probability"], weight=first["match_weight"],
            prior=first["match_weight"] - sum(s.weight for s in steps), steps=steps,
            registered_home=_text(person.get("address")).split(",")[0].strip()
            if registered and _home(person.get("address")) == registered else "",
        ))
    return tuple(out)


def build_explanation(frames: Mapping[str, pl.DataFrame], reasons: Mapping[str, Reason], lang: str) -> Explanation:
    """Assemble the explanation of one record from `Store.explain_frames`."""
    result = frames["result"].row(0, named=True)
    codes = [c for c in _text(result["reasons"]).split(";") if c]
    spouses, couple = [], None
    if "spouses" in frames:
        links = {r["unique_id"]: r for r in frames["links"].iter_rows(named=True)}
        people = {r["unique_id"]: r for r in frames["persons"].iter_rows(named=True)}
        rows = frames["spouses"].sort("unique_id").to_dicts()  # "…|H" before "…|W"
        # The couple's own linked persons record each other, as spouses do: not counted as claims.
        couple_ids = {people.get(links.get(row["unique_id"], {}).get("person_uid"), {}).get("person_id") for row in rows}
        for row in rows:
            link = links.get(row["unique_id"], {})
            linked = people.get(link.get("person_uid"), {})
            spouses.append(SpouseEvidence(
                role=row["role"], name=_text(row["full_name"] or row["full_name_raw"]), birth=_text(row["birth_date_raw"]),
                id_number=_text(row["id_raw"]),
                linked_person=_text(link.get("person_uid")),
                link_reasons=tuple(c for c in _text(link.get("link_reasons")).split(";") if c),
                candidates=_candidates(row["unique_id"], frames["candidates"], people, row.get("residence")),
                recorded_spouse_name=_text(linked.get("spouse_name") or linked.get("spouse_name_raw")),
                recorded_spouse_id=_text(linked.get("spouse_id")),
                claimed_by=_claimed_by(linked.get("person_id"), frames.get("claims"), couple_ids),
            ))
        couple = _couple(spouses, [links.get(row["unique_id"], {}) for row in rows], people)
    return Explanation(
        record_type=result["record_type"], record_id=result["record_id"], commune=_text(result["commune"]),
        bucket=result["bucket"], action=_text(result["action"]),
        reasons=tuple((c, reasons[c].text(lang) if c in reasons else c) for c in codes),
        changes=tuple(json.loads(result["proposed_changes"])) if result["proposed_changes"] else (),
        spouses=tuple(spouses),
        decision=_decision(result),
        couple=couple,
    )


def _claimed_by(person_id: object, claims: pl.DataFrame | None, couple_ids: Collection[object] = ()) -> tuple[str, ...]:
    """The living married persons, other than the couple's own, whose record gives `person_id` as
    spouse (decide.couples.claims_a_spouse)."""
    if not person_id or claims is None or claims.is_empty():
        return ()
    claiming = claims.filter(claims_a_spouse(claims.columns) & (pl.col("spouse_id") == person_id)
                             & ~pl.col("person_id").is_in([c for c in couple_ids if c is not None]))
    return tuple(claiming["person_id"].to_list())


def _decision(result: Mapping[str, object]) -> str:
    """The latest decision in one line: what, on whom, by whom, when, why, and whether to recheck it."""
    if not result.get("decision"):
        return ""
    persons = f" {_text(result['decision_person_ids']).replace(';', ', ')}" if result["decision_person_ids"] else ""
    when = result["decided_at"].strftime("%Y-%m-%d %H:%M") if result["decided_at"] else "?"
    recheck = " — needs recheck: a later run found other evidence" if result["decision_status"] == "needs_recheck" else ""
    return f"{result['decision']}{persons} by {result['decided_by']} on {when}: {result['decision_note']}{recheck}"
