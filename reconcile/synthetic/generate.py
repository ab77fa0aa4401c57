"""Generate a synthetic province: registry marriages, population persons and the truth file.

Deterministic for a seed; vectorised throughout (1.5 million persons take seconds). The
scenario rates are in `scenarios.py`, the noise rates in `noise.py`; fixtures/README.md
lists them all.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from reconcile.errors import UserError
from reconcile.synthetic.headers import HEADER_STYLES, POPULATION_VIETNAMESE, REGISTRY_VIETNAMESE, with_headers
from reconcile.synthetic.marriages import (
    REGISTRY_END, choose_couples, legal_dates, registration_dates, settle_couples,
)
from reconcile.synthetic.noise import NoiseRates
from reconcile.synthetic.people import make_residents
from reconcile.synthetic.places import load_wards
from reconcile.synthetic.population import build_population
from reconcile.synthetic.population_state import (
    deaths, initial_state, married_without_registration, plant_homonyms, plant_namesake_couples,
    record_couples, record_each_other,
)
from reconcile.synthetic.registry import build_registry
from reconcile.synthetic.scenarios import (
    add_remarriages, add_second_marriages, assign_scenarios, replace_partners, through_partner,
)
from reconcile.synthetic.truth import TRUTH_COLUMNS, marriage_truth, person_truth
from reconcile.synthetic.writers import FILE_FORMATS, write_table


@dataclass(frozen=True)
class GeneratedFiles:
    """Where the generated files are, and how many rows each holds."""

    registry: Path
    population: Path
    truth: Path
    registry_rows: int
    population_rows: int
    truth_rows: int


def generate(
    out_dir: Path, persons: int, seed: int, province: str = "46", file_format: str = "csv",
    headers: str = "vietnamese", marriages: int | None = None,
) -> GeneratedFiles:
    """Write registry, population and truth files for `persons` residents of `province`.

    `marriages` sets about how many registry marriages there are (second marriages add about
    0.5 %); by default MARRIED_SHARE of the adults are married, about 19 marriages per 100
    persons, which makes a province's registry larger than one campaign's scope."""
    if file_format not in FILE_FORMATS:
        raise UserError.said("err_fixtures_format", value=file_format, formats=", ".join(FILE_FORMATS))
    if headers not in HEADER_STYLES:
        raise UserError.said("err_fixtures_headers", value=headers, styles=", ".join(HEADER_STYLES))
    rng = np.random.default_rng(seed)
    rates = NoiseRates()
    wards = load_wards(province)

    people = make_residents(rng, wards, persons, province)
    female = people["female"].to_numpy()
    birth = people["birth_date"].to_numpy().astype("datetime64[D]")
    legal = legal_dates(birth, female)
    husbands, wives = choose_couples(rng, female, birth, marriages)
    people = settle_couples(rng, people, husbands, wives)
    registered = registration_dates(rng, legal[husbands], birth[wives], legal[wives])
    couples = assign_scenarios(rng, husbands, wives, registered)
    people, couples = replace_partners(rng, people, couples, wards, province)

    adult = legal <= REGISTRY_END
    single = np.concatenate([adult, np.zeros(len(people) - persons, dtype=bool)])  # residents only
    single[np.concatenate([husbands, wives])] = False
    couples, partners = add_second_marriages(rng, people, couples, single)
    single[partners] = False
    couples, partners = add_remarriages(rng, people, couples, single)
    single[partners] = False
    couples = couples[rng.permutation(len(couples))]

    state = initial_state(rng, people)
    single[record_couples(rng, state, couples, people, np.flatnonzero(single))] = False
    unregistered = married_without_registration(rng, state, people, np.flatnonzero(single), int(adult.sum()))
    single[unregistered] = False
    forces = through_partner(rng, people, couples)
    found = forces["husband"]["through_partner"].to_numpy() | forces["wife"]["through_partner"].to_numpy()
    record_each_other(state, couples["husband"].to_numpy()[found], couples["wife"].to_numpy()[found])
    eligible = ((couples["scenario"] == "clean") & (couples["status"] == "valid") & ~couples["second"]).to_numpy()
    in_pop = people["in_population"].to_numpy()
    eligible &= ~found & in_pop[couples["husband"].to_numpy()] & in_pop[couples["wife"].to_numpy()]
    people, namesake, namesakes = plant_namesake_couples(rng, state, people, couples, eligible, np.flatnonzero(single))
    single[namesakes] = False
    people, planted_h, planted_w, homonyms = plant_homonyms(rng, people, couples, np.flatnonzero(single))
    single[homonyms] = False
    deaths(rng, state, people, np.flatnonzero(single))
    for role, planted in (("husband", planted_h), ("wife", planted_w)):
        forces[role] = forces[role].with_columns(
            missing_id=forces[role]["missing_id"] | pl.Series(planted | namesake),
            year_only=pl.Series(namesake), namesake=pl.Series(namesake),
        )

    population, facts = build_population(rng, people, state, wards, rates)
    registry = build_registry(rng, people, couples, wards, forces, facts, rates)
    truth = pl.concat([
        marriage_truth(people, couples, registry, state, facts),
        person_truth(people, state, np.concatenate([unregistered, namesakes])),
    ]).select(TRUTH_COLUMNS)

    out_dir.mkdir(parents=True, exist_ok=True)
    return GeneratedFiles(
        registry=write_table(with_headers(registry.rows, REGISTRY_VIETNAMESE, headers), out_dir / "registry", file_format),
        population=write_table(with_headers(population, POPULATION_VIETNAMESE, headers), out_dir / "population", file_format),
        truth=write_table(truth, out_dir / "truth", "csv"),
        registry_rows=len(registry.rows),
        population_rows=len(population),
        truth_rows=len(truth),
    )
