"""Lakehouse maintenance: compaction (OPTIMIZE, Z-ordered on the columns dashboards and
analysts filter on) and VACUUM with a safe retention.

Small files pile up: every daily load and every incremental dbt build adds a few files per
touched partition. ``OPTIMIZE`` rewrites them into large ones (a new table version; the old
files stay for time travel), ``ZORDER BY`` clusters rows by the filter columns so Delta's
file statistics skip more files. ``VACUUM`` deletes files no version inside the retention
still needs; versions younger than the retention stay readable (time travel, a reader that
started before the compaction). Retention below 168 hours (Delta's own safety default) is
refused: a running query or a slow writer may still read those files.

    python -m spark_jobs.maintenance [--schema silver] [--table silver.camera_events]
                                     [--retain-hours 168] [--no-vacuum]
"""
from __future__ import annotations

import argparse
import os
import time

from pyspark.sql import SparkSession

from spark_jobs.common import fmt, log

SCHEMAS = ("bronze", "silver", "quarantine", "gold", "restricted")
MIN_RETAIN_HOURS = 168
# Filter columns, in order of preference; a table is Z-ordered on those it has that are not
# partition columns (Delta does not Z-order on a partition column).
ZORDER_CANDIDATES = ("commune_code", "camera_id", "plate")
ZORDER_MAX = 2


def retain_hours_default() -> int:
    return int(os.environ.get("ANTT_VACUUM_RETAIN_HOURS", MIN_RETAIN_HOURS))


def delta_tables(spark: SparkSession, schemas=SCHEMAS) -> list[str]:
    """Every Delta table (not views) in the given schemas."""
    out = []
    for schema in schemas:
        if not spark.catalog.databaseExists(schema):
            continue
        for t in spark.catalog.listTables(schema):
            if t.tableType == "VIEW" or t.isTemporary:
                continue
            name = f"{schema}.{t.name}"
            if detail(spark, name).get("format") == "delta":
                out.append(name)
    return sorted(out)


def detail(spark: SparkSession, table: str) -> dict:
    try:
        row = spark.sql(f"DESCRIBE DETAIL {table}").collect()[0]
    except Exception:  # noqa: BLE001 - not a Delta table
        return {}
    return row.asDict()


def zorder_columns(spark: SparkSession, table: str) -> list[str]:
    d = detail(spark, table)
    parts = set(d.get("partitionColumns") or [])
    cols = set(spark.table(table).columns)
    if table.startswith(("bronze.", "quarantine.")):
        return []          # read by landing day (the partition) only
    return [c for c in ZORDER_CANDIDATES if c in cols and c not in parts][:ZORDER_MAX]


def optimize(spark: SparkSession, table: str) -> dict:
    before = detail(spark, table).get("numFiles", 0)
    cols = zorder_columns(spark, table)
    t0 = time.monotonic()
    spark.sql(f"OPTIMIZE {table}" + (f" ZORDER BY ({', '.join(cols)})" if cols else ""))
    after = detail(spark, table).get("numFiles", 0)
    log(f"optimize {table}: {fmt(before)} → {fmt(after)} files"
        f"{' (Z-order ' + ', '.join(cols) + ')' if cols else ''} in {time.monotonic() - t0:.1f} s")
    return {"table": table, "files_before": before, "files_after": after, "zorder": cols}


def vacuum(spark: SparkSession, table: str, retain_hours: int) -> None:
    if retain_hours < MIN_RETAIN_HOURS:
        raise ValueError(f"VACUUM {table}: retention {retain_hours} h is below the safe minimum of "
                         f"{MIN_RETAIN_HOURS} h (readers and time travel may still need those files)")
    spark.sql(f"VACUUM {table} RETAIN {retain_hours} HOURS")
    log(f"vacuum {table}: files unused for more than {retain_hours} h deleted")


def run(spark: SparkSession, schemas=SCHEMAS, tables: list[str] | None = None,
        retain_hours: int | None = None, do_vacuum: bool = True) -> list[dict]:
    retain = retain_hours_default() if retain_hours is None else retain_hours
    if do_vacuum and retain < MIN_RETAIN_HOURS:    # refuse before touching anything
        raise ValueError(f"retention {retain} h is below the safe minimum of {MIN_RETAIN_HOURS} h")
    todo = tables or delta_tables(spark, schemas)
    log(f"maintenance: {len(todo)} Delta tables, vacuum {'retain ' + str(retain) + ' h' if do_vacuum else 'off'}")
    out = []
    for i, table in enumerate(todo, 1):
        log(f"maintenance [{i}/{len(todo)}] {table}")
        res = optimize(spark, table)
        if do_vacuum:
            vacuum(spark, table, retain)
        out.append(res)
    return out


def main(argv: list[str] | None = None) -> None:
    from spark_jobs.session import get_spark

    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--schema", action="append", choices=SCHEMAS, help="default: all")
    p.add_argument("--table", action="append", help="schema.table (repeatable)")
    p.add_argument("--retain-hours", type=int, default=None,
                   help=f"VACUUM retention (default ANTT_VACUUM_RETAIN_HOURS or {MIN_RETAIN_HOURS})")
    p.add_argument("--no-vacuum", action="store_true")
    a = p.parse_args(argv)
    run(get_spark("maintenance"), tuple(a.schema or SCHEMAS), a.table, a.retain_hours, not a.no_vacuum)


if __name__ == "__main__":
    main()
