"""The canonical columns of the two inputs, their key and their required names (data contract)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TableSpec:
    """One input of the data contract: its columns in contract order, its key and its name columns."""

    kind: str
    record_type: str
    key: str
    names: tuple[str, ...]
    columns: tuple[str, ...]


REGISTRY = TableSpec(
    kind="registry",
    record_type="marriage",
    key="registration_id",
    names=("husband_full_name", "wife_full_name"),
    columns=(
        "registration_id",
        "registration_date",
        "registration_ward_code",
        "registration_place",
        "husband_full_name",
        "wife_full_name",
        "husband_birth_date",
        "wife_birth_date",
        "husband_id_number",
        "wife_id_number",
        "husband_ethnicity",
        "wife_ethnicity",
        "husband_nationality",
        "wife_nationality",
        "husband_residence",
        "wife_residence",
        "status",
        "status_date",
    ),
)

POPULATION = TableSpec(
    kind="population",
    record_type="person",
    key="person_id",
    names=("full_name",),
    columns=(
        "person_id",
        "full_name",
        "birth_date",
        "sex",
        "ethnicity",
        "nationality",
        "ward_code",
        "address",
        "marital_status",
        "spouse_id",
        "spouse_name",
        "death_date",
        "legacy_id",
    ),
)

SPECS = {spec.kind: spec for spec in (REGISTRY, POPULATION)}

# Added by the readers to every row: the file as given and the row number a user sees.
SOURCE_COLUMNS = ("source_file", "source_row")
