"""Comparisons each prediction blocking rule makes on a campaign's ingested records (Splink's
exact blocking analysis), for our rules and for the plain pipeline's naive ones. One JSON line.

    python bench/blocking.py CAMPAIGN_FOLDER
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path


from reconcile.commands.train import matching_sides
from reconcile.link.baseline import NAIVE_BLOCKING
from reconcile.link.blocking import comparisons_per_rule
from reconcile.link.model import LINK_COLUMNS
from reconcile.ruleset import load_rules


def main(campaign: Path) -> None:
    spouses, persons = matching_sides(campaign / "campaign.duckdb")
    rules = load_rules(campaign / "rules").matching
    print(json.dumps({
        "spouses": spouses.height, "persons": persons.height,
        "reconcile": [asdict(c) for c in comparisons_per_rule(spouses, persons, rules.blocking_rules, LINK_COLUMNS)],
        "plain": [asdict(c) for c in comparisons_per_rule(spouses, persons, NAIVE_BLOCKING, LINK_COLUMNS)],
    }))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
