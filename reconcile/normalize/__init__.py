"""normalize: pure functions from ingested rows to the frames the linker and the rules read.

Names (legacy fonts repaired, one spelling for the keys), dates (partial, swapped and
impossible ones flagged), IDs (cleaned, zeros restored, structure checked) and ward
codes (read across the 2025 commune merger). Polars frames in, Polars frames out.
"""

from reconcile.normalize.communes import MERGER_DATE, commune_table, current_communes
from reconcile.normalize.dates import DATE_FIELDS, UNREADABLE_DATE, date_columns, parse_dates
from reconcile.normalize.ids import ID_FIELDS, classify_ids, id_structure_ok
from reconcile.normalize.legacy import decode_tcvn3, decode_vni, repair_legacy
from reconcile.normalize.names import NAME_COLUMNS, NameParts, name_columns, name_table, normalize_name
from reconcile.normalize.quality import DataQuality, data_quality
from reconcile.normalize.records import (
    NormalizedPopulation,
    NormalizedRegistry,
    normalize_population,
    normalize_registry,
    with_matching_columns,
)
from reconcile.normalize.syllables import fold_ascii, key_syllable
from reconcile.normalize.values import is_foreign, marital_status_code, marriage_status_code, sex_code
from reconcile.normalize.wards import clean_ward_code, commune_columns, rejected_communes

__all__ = [
    "DATE_FIELDS",
    "ID_FIELDS",
    "MERGER_DATE",
    "NAME_COLUMNS",
    "UNREADABLE_DATE",
    "NameParts",
    "NormalizedPopulation",
    "NormalizedRegistry",
    "classify_ids",
    "clean_ward_code",
    "DataQuality",
    "commune_columns",
    "data_quality",
    "rejected_communes",
    "commune_table",
    "current_communes",
    "date_columns",
    "decode_tcvn3",
    "decode_vni",
    "fold_ascii",
    "id_structure_ok",
    "is_foreign",
    "key_syllable",
    "marital_status_code",
    "marriage_status_code",
    "name_columns",
    "name_table",
    "normalize_name",
    "normalize_population",
    "with_matching_columns",
    "normalize_registry",
    "parse_dates",
    "repair_legacy",
    "sex_code",
]
