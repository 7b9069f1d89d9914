"""Helpers shared by the jobs: table DDL, Delta MERGE, reconciliation output."""
from __future__ import annotations

import contextlib
import datetime as dt
import os
import sys
import time
import uuid

from pyspark.sql import Column, DataFrame, SparkSession, Window
from pyspark.sql import functions as F


def log(msg: str) -> None:
    """Progress line: on stderr from the command line; on stdout inside an Airflow task,
    whose log files stderr lines at level "error"."""
    stream = sys.stdout if os.environ.get("AIRFLOW_CTX_DAG_ID") else sys.stderr
    print(f"[{dt.datetime.now():%H:%M:%S}] {msg}", file=stream, flush=True)


class Laps:
    """Seconds per step of a job, for its progress lines: ``laps.lap()`` is the time since
    the previous lap (or since the start)."""

    def __init__(self) -> None:
        self._last = time.monotonic()

    def lap(self) -> str:
        now = time.monotonic()
        spent, self._last = now - self._last, now
        return f"{spent:.1f} s"


# Session settings of the camera day's big writes (bronze and silver), measured on a 1.5 M-read
# day (local[2]): Delta's optimized write bins a table partition into 512 MiB before
# writing, and a MERGE repartitions its output by the partition column, so a day's 121 MB
# of bronze (86 MB of silver) went to ONE file, written by one task on one core, and the
# next step read it back as one task too — appending bronze took 12.6 s with the binning,
# 8.6 s without (15 files); and Spark packed the landing day's 7,245 small gzip files into
# 227 read tasks, costing each file 4 MiB (openCostInBytes) where opening one costs far
# less here — 256 KiB: 15 tasks, reading + splitting 12.9 s -> 6.1 s.
BULK_WRITE_CONF = {
    "spark.databricks.delta.optimizeWrite.enabled": "false",
    "spark.databricks.delta.merge.repartitionBeforeWrite.enabled": "false",
    "spark.sql.files.openCostInBytes": str(256 * 1024),
}


@contextlib.contextmanager
def session_conf(spark: SparkSession, conf: dict[str, str]):
    """Set SQL settings of this session for the block, then put back what was there (the
    application's defaults for every other job and client)."""
    before = {k: spark.conf.get(k, None) for k in conf}
    for k, v in conf.items():
        spark.conf.set(k, v)
    try:
        yield
    finally:
        for k, v in before.items():
            if v is None:
                spark.conf.unset(k)
            else:
                spark.conf.set(k, v)


def ensure_schema(spark: SparkSession, *schemas: str) -> None:
    for name in schemas:
        spark.sql(f"CREATE SCHEMA IF NOT EXISTS {name}")


def add_missing_columns(spark: SparkSession, table: str, columns: dict[str, str]) -> None:
    """Give a table made by an older version the columns added since (older rows hold NULL)."""
    have = set(spark.table(table).columns)
    for name, sql_type in columns.items():
        if name not in have:
            spark.sql(f"ALTER TABLE {table} ADD COLUMNS ({name} {sql_type})")


def merge_insert_new(spark: SparkSession, source: DataFrame, target: str, keys: list[str],
                     prune: str | None = None, delete_stale: bool = False,
                     replace_when: str | None = None) -> int:
    """Insert the rows of ``source`` whose ``keys`` are not yet in ``target``; return how many.

    An insert-only MERGE: re-running with the same source adds nothing, and two writers of
    the same rows conflict in Delta's log instead of both appending. ``prune`` is an extra
    literal predicate on the target (its partition column) so only touched partitions are
    read. ``delete_stale`` (needs ``prune``) also deletes the target rows inside ``prune``
    that the source no longer has — for a quarantine, whose rows leave once a replay after
    a fix lets them through. ``replace_when`` (a condition on ``t`` and ``s``) replaces a
    matched target row by the source row, e.g. when the source copy landed earlier.
    """
    if delete_stale and not prune:
        raise ValueError("delete_stale needs a prune predicate: it would empty the whole table")
    view = f"_src_{uuid.uuid4().hex[:12]}"
    source.createOrReplaceTempView(view)
    cond = " AND ".join(f"t.{k} <=> s.{k}" for k in keys)
    if prune:
        cond = f"({prune}) AND {cond}"
    stale = f" WHEN NOT MATCHED BY SOURCE AND ({prune}) THEN DELETE" if delete_stale else ""
    replace = f"WHEN MATCHED AND ({replace_when}) THEN UPDATE SET * " if replace_when else ""
    try:
        metrics = spark.sql(
            f"MERGE INTO {target} t USING {view} s ON {cond} {replace}WHEN NOT MATCHED THEN INSERT *{stale}"
        ).collect()
    finally:
        spark.catalog.dropTempView(view)
    if metrics and delete_stale and int(metrics[0]["num_deleted_rows"]):
        log(f"{target}: {fmt(int(metrics[0]['num_deleted_rows']))} rows no longer rejected, removed")
    if metrics and replace_when and int(metrics[0]["num_updated_rows"]):
        log(f"{target}: {fmt(int(metrics[0]['num_updated_rows']))} rows replaced by an earlier-landed copy")
    return int(metrics[0]["num_inserted_rows"]) if metrics else 0


def landed_before(a: str, b: str, row_key: list[str]) -> str:
    """SQL condition: row ``a`` landed before row ``b`` (``row_key`` compared in order, e.g.
    landing date, then file, then line)."""
    head, *rest = row_key
    if not rest:
        return f"{a}.{head} < {b}.{head}"
    return f"({a}.{head} < {b}.{head} OR ({a}.{head} = {b}.{head} AND {landed_before(a, b, rest)}))"


def merge_newer(spark: SparkSession, source: DataFrame, target: str, key: str,
                version: str = "record_version", row_key: list[str] | None = None) -> dict[str, int]:
    """Upsert the rows of ``source`` (one per ``key``) whose ``version`` is higher than the
    target's: a CDC row arriving late or twice never rolls a record back. With ``row_key``,
    a copy of the SAME version that landed earlier also replaces the target's (earliest
    landing wins, whatever the load order)."""
    newer = f"s.{version} > t.{version}"
    if row_key:
        newer = f"({newer} OR (s.{version} = t.{version} AND {landed_before('s', 't', row_key)}))"
    return merge_upsert(spark, source, target, [key], newer)


def merge_upsert(spark: SparkSession, source: DataFrame, target: str, keys: list[str],
                 update_when: str) -> dict[str, int]:
    """MERGE: insert the source rows whose ``keys`` the target lacks, replace the matched
    rows where ``update_when`` (a condition on ``t`` and ``s``) holds; counts of both."""
    view = f"_src_{uuid.uuid4().hex[:12]}"
    source.createOrReplaceTempView(view)
    on = " AND ".join(f"t.{k} = s.{k}" for k in keys)
    try:
        m = spark.sql(
            f"MERGE INTO {target} t USING {view} s ON {on} "
            f"WHEN MATCHED AND ({update_when}) THEN UPDATE SET * "
            "WHEN NOT MATCHED THEN INSERT *").collect()
    finally:
        spark.catalog.dropTempView(view)
    row = m[0] if m else None
    return {"inserted": int(row["num_inserted_rows"]) if row else 0,
            "updated": int(row["num_updated_rows"]) if row else 0}


def loaded_files(spark: SparkSession, table: str, landing_date: dt.date | list[dt.date]) -> set[str]:
    """The ``source_file`` values a bronze table already holds for one or more landing dates
    (one query, whatever the number of dates)."""
    from pyspark.sql import functions as F

    if not spark.catalog.tableExists(table):
        return set()
    dates = landing_date if isinstance(landing_date, list) else [landing_date]
    rows = (
        spark.table(table).where(F.col("landing_date").isin(dates))
        .select("source_file").distinct().collect()
    )
    return {r["source_file"] for r in rows}


def sql_date_list(dates) -> str:
    """Render validated dates as a SQL IN-list (only ``date`` objects, never raw strings)."""
    items = []
    for d in dates:
        if not isinstance(d, dt.date):
            raise TypeError(f"expected a date, got {d!r}")
        items.append(f"DATE'{d.isoformat()}'")
    return ", ".join(items) or "NULL"


def date_range(first: dt.date, last: dt.date | None = None) -> list[dt.date]:
    """Every date from ``first`` to ``last`` inclusive (just ``first`` without ``last``)."""
    last = last or first
    if last < first:
        raise ValueError(f"date range ends before it starts: {first} .. {last}")
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


def fmt(n: int) -> str:
    return f"{n:,}"


# Result keys of the silver jobs that count rows a run added or changed (a dotted prefix,
# e.g. ``residence.new``, names the feed).
CHANGE_KEYS = frozenset({"new", "updated", "new_versions", "versions_replaced", "records_new",
                         "records_updated", "history_new", "history_changed", "quarantine_new"})


def silver_changed(result: dict) -> bool:
    """Did a silver run write anything? (A re-run of loaded days, or a day without files,
    did not: downstream gates and gold need not run again.)"""
    return any(v for k, v in result.items() if k.rsplit(".", 1)[-1] in CHANGE_KEYS and isinstance(v, int))


def content_hash(columns) -> Column:
    """One 64-bit value per distinct content of ``columns`` (a later copy of a record with
    the same value is a resend, with another a conflict). xxhash64 over the typed values,
    which costs a fraction of SHA-256 over a JSON rendering; the leading bit mask of NULL
    columns tells apart contents that differ only in which column is NULL (xxhash64 skips
    NULLs). Two different contents of ONE key share a value with odds of about 2^-64."""
    cols = [F.col(c) for c in columns]
    nulls = sum((F.when(c.isNull(), F.lit(1 << i)).otherwise(F.lit(0)) for i, c in enumerate(cols)),
                F.lit(0))
    return F.xxhash64(nulls, *cols)


def rank_copies(df: DataFrame, keys: list[str], row_key: list[str], content: Column) -> DataFrame:
    """Number the copies of each ``keys`` value in landing order (``row_key``) and say whether
    each has the first copy's content: ``_n`` = 1 is kept, a later copy with the same
    ``_content`` is a duplicate, one with other content a conflict (``_first_at`` names the
    first copy as ``source_file:line``)."""
    w = Window.partitionBy(*keys).orderBy(*row_key)
    at = F.concat_ws(":", "source_file", F.col(row_key[-1]).cast("string"))
    return (df.withColumn("_content", content)
            .withColumn("_n", F.row_number().over(w))
            .withColumn("_first_content", F.first("_content").over(w))
            .withColumn("_first_at", F.first(at).over(w)))


def conflict_rows(copies: DataFrame, bronze: DataFrame, row_key: list[str], detail: Column,
                  extra: tuple[str, ...] = (), broadcast: bool = False) -> DataFrame:
    """Quarantine rows (reason DUPLICATE_CONFLICT) for conflicting copies, with the raw
    payload from bronze; ``extra`` columns of the copies are carried along.

    ``broadcast``: the copies are few (conflicts are rare) and bronze is the whole landing
    day with its raw lines — broadcast the copies so bronze is scanned, not shuffled."""
    wanted = copies.select(*row_key, *extra, detail.alias("reason_detail"))
    return (F.broadcast(wanted) if broadcast else wanted).join(
        bronze.select(*row_key, "raw", "ingested_at"), row_key,
    ).select(*row_key, *extra, F.lit("DUPLICATE_CONFLICT").alias("reason_code"), "reason_detail",
             "raw", "ingested_at", F.current_timestamp().alias("quarantined_at"))


def resolve_copies(batch: DataFrame, held: DataFrame, keys: list[str], row_key: list[str]) -> DataFrame:
    """Earliest landing wins, in whatever order days are loaded.

    ``batch``: the valid copies a run loads, with ``_content`` (a hash of what they say);
    ``held``: the rows the target already holds for the same ``keys`` (``keys``, ``row_key``,
    ``_content``). Returns the batch's copies and the held rows that are not in the batch
    (``_from_target``), numbered per key in landing order (``row_key``): ``_n`` = 1 is the
    winner, whose ``_win_content``, ``_win_at`` (``source_file:line``), ``_win_landing`` and
    ``_win_from_target`` every copy carries. A held row that is not the winner was loaded
    before an earlier-landed copy arrived (a backfill out of order): it is replaced."""
    held_only = (held.join(batch.select(*row_key), row_key, "left_anti")
                 .withColumn("_from_target", F.lit(True)))
    every = batch.withColumn("_from_target", F.lit(False)).unionByName(held_only, allowMissingColumns=True)
    w = Window.partitionBy(*keys).orderBy(*row_key)
    at = F.concat_ws(":", "source_file", F.col(row_key[-1]).cast("string"))
    return (every.withColumn("_n", F.row_number().over(w))
            .withColumn("_win_content", F.first("_content").over(w))
            .withColumn("_win_at", F.first(at).over(w))
            .withColumn("_win_landing", F.first(row_key[0]).over(w))
            .withColumn("_win_from_target", F.first("_from_target").over(w)))
