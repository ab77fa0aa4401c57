"""The campaign folder and database: created, found, refused when foreign or too new."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from reconcile.errors import CampaignError
from reconcile.store import Store, create_campaign, find_campaign
from reconcile.store.schema import SCHEMA_VERSION


def test_create_copies_rules_and_is_found_from_a_subfolder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    camp = create_campaign(tmp_path / "c", "46", date(2025, 5, 31), 90)
    assert (camp.rules_dir / "matching.toml").is_file() and (camp.rules_dir / "reasons.toml").is_file()
    assert camp.end == date(2025, 8, 28)
    (camp.folder / "sub").mkdir()
    monkeypatch.chdir(camp.folder / "sub")
    monkeypatch.delenv("RECONCILE_CAMPAIGN", raising=False)
    assert find_campaign().folder == camp.folder
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RECONCILE_CAMPAIGN", str(camp.folder))
    assert find_campaign().province == "46"


def test_refuses_second_campaign_and_bad_province(tmp_path: Path) -> None:
    create_campaign(tmp_path, "46", date(2025, 5, 31), 90)
    with pytest.raises(CampaignError, match="already holds a campaign"):
        create_campaign(tmp_path, "46", date(2025, 5, 31), 90)
    with pytest.raises(CampaignError, match="2-digit current province code"):
        create_campaign(tmp_path / "x", "Hue", date(2025, 5, 31), 90)


def test_no_campaign_says_how_to_make_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("RECONCILE_CAMPAIGN", raising=False)
    with pytest.raises(CampaignError, match="run `reconcile init`"):
        find_campaign()


def test_foreign_and_newer_databases_are_refused(tmp_path: Path) -> None:
    junk = tmp_path / "junk.duckdb"
    junk.write_bytes(b"this is not a database" * 100)
    with pytest.raises(CampaignError, match="junk.duckdb"):
        Store(junk)
    newer = tmp_path / "newer.duckdb"
    with Store(newer) as store:
        store.con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(SCHEMA_VERSION + 1)])
    with pytest.raises(CampaignError, match="newer reconcile"):
        Store(newer)
    other = tmp_path / "other.duckdb"
    duckdb.connect(str(other)).execute("CREATE TABLE t (x INT)").close()
    with pytest.raises(CampaignError, match="not a reconcile campaign database"):
        Store(other, read_only=True)


def test_only_the_province_writers_compact_the_tables_when_they_close(tmp_path: Path) -> None:
    # DuckDB compacts row groups when a writer checkpoints (on closing): after a province run that
    # is about a second of rewriting, which a commune run or an officer's decision must not pay.
    camp = create_campaign(tmp_path / "c", "46", date(2025, 5, 31), 90)

    def vacuum_tasks(store: Store) -> int:
        return int(store.con.execute("SELECT current_setting('max_vacuum_tasks')").fetchall()[0][0])

    with Store(camp.database) as store:
        assert vacuum_tasks(store) == 0
    with Store(camp.database, compact=True) as store:
        assert vacuum_tasks(store) > 0
