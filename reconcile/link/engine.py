"""Where Splink runs: DuckDB in this process (the default), or Spark for a national job.

`Engine` is what the CLI's `--engine`, `--memory-limit` and `--threads` options say; `backend`
opens the matching Splink database API and hands back the SQL dialect the rules must be
written in for it. Spark is optional (`pip install 'reconcile[spark]'`): every missing piece
(pyspark, Java, Splink's UDF jar) is a one-line UserError.
"""

from __future__ import annotations

import atexit
import ctypes
import functools
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from reconcile.errors import UserError

ENGINES = ("duckdb", "spark")
_MEMORY = re.compile(r"^\s*\d+(\.\d+)?\s*(KB|MB|GB|TB|KIB|MIB|GIB|TIB)\s*$", re.IGNORECASE)
# Set it to a folder every Spark executor can reach (hdfs://…, dbfs:/…) on a cluster.
CHECKPOINT_ENV = "RECONCILE_SPARK_CHECKPOINT_DIR"


@dataclass(frozen=True)
class Engine:
    """Which backend scores the pairs, and how much of the machine it may take."""

    name: str = "duckdb"
    memory_limit: str | None = None  # e.g. "2GB": DuckDB spills to disk past it; Spark's driver memory
    threads: int | None = None       # DuckDB's threads; Spark's local[N] (ignored on a cluster)

    def __post_init__(self) -> None:
        if self.name not in ENGINES:
            raise UserError.said("err_engine", engines=", ".join(ENGINES), value=self.name)
        if self.memory_limit is not None and not _MEMORY.match(self.memory_limit):
            raise UserError.said("err_memory_limit", value=self.memory_limit)
        if self.threads is not None and self.threads < 1:
            raise UserError.said("err_threads", value=self.threads)


DEFAULT_ENGINE = Engine()


@contextmanager
def backend(engine: Engine) -> Iterator[tuple[Any, str]]:
    """A fresh Splink database API for `engine` and its SQL dialect ("duckdb" or "spark")."""
    if engine.name == "spark":
        api = _spark_api(engine)
        before = _temp_views(api.spark)
        try:
            yield api, "spark"
        finally:  # the session outlives this job: drop the views it made, so the next can reuse the names
            for name in _temp_views(api.spark) - before:
                api.spark.catalog.dropTempView(name)
        return
    spill = tempfile.mkdtemp(prefix="reconcile-duckdb-")
    # Results handed over as Arrow string views, Polars' own layout (as the Store's, see there).
    config: dict[str, Any] = {"temp_directory": spill, "produce_arrow_string_view": True,
                              "arrow_output_version": "1.4"}
    if engine.memory_limit:
        config["memory_limit"] = engine.memory_limit.replace(" ", "")
    if engine.threads:
        config["threads"] = engine.threads
    from splink import DuckDBAPI  # here, not at the top: commands that do not link never load Splink

    con = duckdb.connect(config=config)
    try:
        yield DuckDBAPI(connection=con), "duckdb"
    finally:
        con.close()
        shutil.rmtree(spill, ignore_errors=True)


def give_back_freed_memory() -> None:
    """Have DuckDB's allocator hand the memory it keeps after a statement back to the system now.

    DuckDB's Linux builds allocate with their own jemalloc, which keeps freed pages for a while
    (to reuse them) unless the connection closes. At the end of the 1.5 M province's scoring it
    kept 1.4 GB beside the 0.5 GB of predictions it still held: the predictions handed over then
    were the peak of a province run. Nothing happens where DuckDB has no such allocator."""
    purge = _jemalloc_control()
    if purge is not None:
        purge(b"arena.4096.purge", None, None, None, ctypes.c_size_t(0))  # 4096: every arena


@functools.cache
def _jemalloc_control() -> Any:
    """jemalloc's `mallctl` in DuckDB's library, where it has one (its symbols are prefixed)."""
    try:
        import _duckdb

        return ctypes.CDLL(_duckdb.__file__).duckdb_je_mallctl
    except (ImportError, OSError, AttributeError):
        return None


def _spark_api(engine: Engine) -> Any:
    try:
        from splink.backends.spark import SparkAPI
    except ImportError:
        raise UserError.said("err_spark_pyspark") from None
    return SparkAPI(spark_session=spark_session(engine), num_partitions_on_repartition=_partitions(engine))


def _temp_views(spark: Any) -> set[str]:
    return {t.name for t in spark.catalog.listTables() if t.isTemporary}


def _partitions(engine: Engine) -> int:
    return 2 * (engine.threads or os.cpu_count() or 2)


_SESSION: dict[str, Any] = {}


def spark_session(engine: Engine) -> Any:
    """The Spark session to run on: the active one (Databricks, a notebook), else one made once
    per process: under spark-submit with the submit's settings, else on this machine (local[N]).
    Splink's similarity UDF jar is put on it and a checkpoint folder is set."""
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        return _prepared(active)
    if "session" in _SESSION:
        return _SESSION["session"]
    jar = _udf_jar()
    if "PYSPARK_GATEWAY_PORT" not in os.environ and not _java_found():
        raise UserError.said("err_spark_java")
    builder = SparkSession.builder.appName("reconcile").config("spark.jars", jar)
    if "PYSPARK_GATEWAY_PORT" not in os.environ:  # not started by spark-submit: run on this machine
        builder = builder.master(f"local[{engine.threads or '*'}]") \
            .config("spark.sql.shuffle.partitions", str(_partitions(engine))) \
            .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
        if engine.memory_limit:
            builder = builder.config("spark.driver.memory", f"{_megabytes(engine.memory_limit)}m")
    try:
        session = builder.getOrCreate()
    except Exception as exc:  # noqa: BLE001 - the JVM did not start: say why in one line
        raise UserError.said("err_spark_start", why=str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from None
    session.sparkContext.setLogLevel("ERROR")
    _SESSION["session"] = _prepared(session)
    atexit.register(session.stop)
    return session


def _prepared(session: Any) -> Any:
    if not session.sparkContext.getCheckpointDir():
        folder = os.environ.get(CHECKPOINT_ENV) or tempfile.mkdtemp(prefix="reconcile-spark-")
        session.sparkContext.setCheckpointDir(folder)
        if not os.environ.get(CHECKPOINT_ENV):
            atexit.register(shutil.rmtree, folder, True)
    return session


def _udf_jar() -> str:
    """Splink's jar of similarity functions (Jaro-Winkler, Damerau-Levenshtein) for this Spark."""
    from splink.backends.spark import similarity_jar_location

    jar = similarity_jar_location()
    if not Path(jar).is_file():
        raise UserError.said("err_spark_jar", jar=jar)
    return jar


def _megabytes(size: str) -> int:
    """'2GB' -> 2048: the JVM takes whole units only."""
    match = _MEMORY.match(size)
    assert match is not None  # checked by Engine
    power = "KMGT".index(match.group(2)[0].upper()) - 1
    return max(1, int(float(size[: match.start(2)]) * 1024 ** power))


def _java_found() -> bool:
    home = os.environ.get("JAVA_HOME")
    return bool(home and (Path(home) / "bin" / "java").exists()) or shutil.which("java") is not None
