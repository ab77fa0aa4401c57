"""The campaign database (DuckDB): the only writer of campaign state.

Every write of an ingest, a training, a run or a decision happens in one transaction together
with its audit-log entry and progress snapshot, so a failed, interrupted or killed command
leaves the campaign exactly as it was. Opening applies schema migrations; a database that is
foreign, damaged or too new is refused with its file named.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import duckdb
import polars as pl

from reconcile.clock import now
from reconcile.errors import CampaignDatabaseError, CampaignError, as_resource_error
from reconcile.store import bulk
from reconcile.store.audit import AuditLog
from reconcile.store.connect import connect, first_line
from reconcile.store.current import REASON_SNAPSHOT, SNAPSHOT
from reconcile.store.decisions import Decisions
from reconcile.store.ingests import Ingests
from reconcile.store.listed import listed
from reconcile.store.models import Models
from reconcile.store.results import Results
from reconcile.store.runs import Runs
from reconcile.store.schema import SCHEMA_VERSION, migrate, schema_version


class Store:
    """An open campaign database, its work in one component per concern (as Splink's `Linker` has
    `linker.training`, `linker.inference`): `ingests`, `models`, `runs`, `results`, `decisions`
    and `audit`. The connection stays inside `reconcile/store/`."""

    def __init__(self, path: Path, read_only: bool = False, compact: bool = False) -> None:
        """`compact`: let DuckDB compact the tables' row groups when this connection checkpoints
        (as it does on closing after a write): for the commands that write the province (ingest,
        train, run --all). After repeated province runs, compacting the last one's row groups took
        about a second on the 1.5 M province, which a commune run or an officer's decision just
        after it paid when DuckDB was left to choose. Small writes leave it to the next large one."""
        if read_only and not path.exists():
            raise CampaignError.said("err_no_database", path=path)
        self.path = path
        self.con = connect(path, read_only)
        try:
            if not read_only and not compact:
                self.con.execute("SET max_vacuum_tasks = 0")
            if read_only and schema_version(self.con, path) < SCHEMA_VERSION:
                self.con.close()  # an older layout: migrate it once, then read
                writer = connect(path, read_only=False)
                try:
                    migrate(writer, path)
                finally:
                    writer.close()
                self.con = connect(path, read_only=True)
            elif not read_only:
                migrate(self.con, path)
        except duckdb.Error as exc:
            self.con.close()
            raise CampaignDatabaseError.said("err_database_damaged", str(path), why=first_line(exc)) from None
        except BaseException:
            self.con.close()
            raise
        # Query results handed over as Arrow string views, which Polars takes as they are, with the
        # scans on every core (faster than one thread, and the commands' peaks did not rise:
        # docs/performance.md). DuckDB makes string views only from Arrow format 1.4 on: without it
        # text came as plain Arrow strings that Polars copied, and the copies' freed memory stayed
        # with the process (the 1.5 M province's deciding columns: 1.74 -> 1.33 GiB).
        self.con.execute("SET produce_arrow_string_view = true")
        self.con.execute("SET arrow_output_version = '1.4'")
        self.ingests = Ingests(self)
        self.models = Models(self)
        self.runs = Runs(self)
        self.results = Results(self)
        self.decisions = Decisions(self)
        self.audit = AuditLog(self)

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: object) -> None:
        self.close()
        short = as_resource_error(exc) if exc is not None else None
        if short is not None:  # a full disk (the transaction was rolled back), or out of memory
            raise short from None
        # A read that fails on the file itself (a truncated or overwritten block) is damage, not a bug.
        if isinstance(exc, (duckdb.IOException, duckdb.SerializationException)) or (
                isinstance(exc, duckdb.Error) and "corrupt" in str(exc).lower()):
            raise CampaignDatabaseError.said("err_database_damaged_or_disk", str(self.path),
                                             why=first_line(exc)) from None

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        self.con.begin()
        try:
            yield self.con
        except BaseException:
            self.con.rollback()
            raise
        self.con.commit()

    def has_table(self, name: str) -> bool:
        return bool(self.con.execute(
            "SELECT 1 FROM information_schema.tables WHERE table_name = ?", [name]).fetchall())

    def frame(self, sql: str, params: list[object] | None = None) -> pl.DataFrame:
        # Text comes as Arrow string views (see __init__), Polars' own layout: no conversion.
        return pl.from_arrow(self.con.sql(sql, params=params).to_arrow_table())

    def rows(self, name: str) -> int:
        """The number of rows of a table."""
        if not self.has_table(name):
            raise CampaignError.said("err_no_table", name=name)
        found = self.con.execute(f'SELECT count(*) FROM "{name}"').fetchone()
        assert found is not None  # a count always has a row
        return int(found[0])

    def table(self, name: str, columns: Iterable[str] | None = None) -> pl.DataFrame:
        """The whole table, or only the given columns (those the table has, in its own order)."""
        if not self.has_table(name):
            raise CampaignError.said("err_no_table", name=name)
        if columns is None:
            return self.frame(f'SELECT * FROM "{name}"')
        wanted = set(columns)
        present = [r[0] for r in self.con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
            [name]).fetchall()]
        chosen = ", ".join(f'"{c}"' for c in present if c in wanted)
        if not chosen:
            raise CampaignError.said("err_table_columns", name=name, columns=sorted(wanted))
        return self.frame(f'SELECT {chosen} FROM "{name}"')

    # --- for the components: writes inside their transaction --------------------------

    def _insert(self, table: str, frame: pl.DataFrame) -> None:
        """Append a frame's columns to the same-named columns of a table."""
        bulk.insert(self.con, table, frame)

    def _replace_table(self, name: str, frame: pl.DataFrame) -> None:
        """Make the table `name` hold exactly `frame` (its columns and types)."""
        bulk.replace_table(self.con, name, frame)

    def _next_id(self, table: str, column: str) -> int:
        return int(self.con.execute(f"SELECT coalesce(max({column}), 0) + 1 FROM {table}").fetchall()[0][0])

    def _snapshot(self, day: date, communes: list[str]) -> None:
        """File today's counts per state, and of open records per reason, for these communes (replacing
        today's earlier ones)."""
        with listed(self.con, "_communes", communes):
            self.con.execute("DELETE FROM snapshots WHERE day = ? AND commune IN (SELECT value FROM _communes)", [day])
            self.con.execute(SNAPSHOT, [day, now()])
            self.con.execute("DELETE FROM snapshot_reasons WHERE day = ? AND commune IN (SELECT value FROM _communes)",
                             [day])
            self.con.execute(REASON_SNAPSHOT, [day])
