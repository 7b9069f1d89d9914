"""Look at the quarantine and replay it after a fix.

Every rejected line or record is kept in a ``quarantine.*`` Delta table with its landing
day, source file, line (or record) number, reason code, detail and raw payload.

    python -m spark_jobs.quarantine list   [--source camera_events] [--from D] [--to D] [--reason R]
    python -m spark_jobs.quarantine show   --source camera_events --reason UNKNOWN_CAMERA [--limit 20]
    python -m spark_jobs.quarantine replay --source camera_events [--from D] [--to D] [--reason R]

``list`` counts rows per source and reason (with the landing days and one example);
``show`` prints rows with file, line, detail and payload. ``replay`` re-runs the silver job
of every landing day that holds quarantined rows (of that reason): after a fix — the
camera registry now has the camera, a reference table was corrected, the job's rule was
changed — the rows that pass now go to silver and leave the quarantine (its MERGE removes
them), the others stay; the job prints its reconciliation for each day, and ``replay``
prints what moved. Replaying when nothing was fixed changes nothing.

A file bronze could not read (EMPTY_FILE, CORRUPT_FILE, TRUNCATED_FILE) is fixed at the
source: ask for it again and land it under a new name; replaying does not re-read files.
"""
from __future__ import annotations

import argparse
import datetime as dt
from dataclasses import dataclass
from typing import Callable

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from spark_jobs import config
from spark_jobs.common import fmt, log


@dataclass(frozen=True)
class Source:
    table: str
    line_col: str
    replay: Callable[[SparkSession, list[dt.date]], object]
    where: str | None = None          # rows of this source in a shared table


def _camera(spark: SparkSession, days: list[dt.date]) -> None:
    from spark_jobs.camera import silver
    for day in days:
        silver.run(spark, day)


def _cases(spark: SparkSession, days: list[dt.date]) -> None:
    from spark_jobs.cases import silver
    silver.run(spark, days)


def _registry(spark: SparkSession, days: list[dt.date]) -> None:
    from spark_jobs.registry import jobs
    jobs.load_silver(spark, days)


SOURCES = {
    "camera_events": Source(config.QUARANTINE_CAMERA_EVENTS, "line_no", _camera),
    "case_records": Source(config.QUARANTINE_CASE_RECORDS, "record_no", _cases),
    "registry": Source(config.QUARANTINE_REGISTRY, "record_no", _registry),
}


def rows(spark: SparkSession, source: str, first: dt.date | None = None, last: dt.date | None = None,
         reason: str | None = None) -> DataFrame | None:
    """The quarantined rows of a source (filtered), or None if it has no quarantine yet."""
    src = SOURCES[source]
    if not spark.catalog.tableExists(src.table):
        return None
    df = spark.table(src.table)
    if first:
        df = df.where(F.col("landing_date") >= F.lit(first))
    if last:
        df = df.where(F.col("landing_date") <= F.lit(last))
    if reason:
        df = df.where(F.col("reason_code") == reason)
    return df


def summary(spark: SparkSession, sources: list[str], first=None, last=None, reason=None) -> list[dict]:
    """One dict per (source, reason): rows, landing days, first/last day, one example."""
    out = []
    for name in sources:
        df = rows(spark, name, first, last, reason)
        if df is None:
            continue
        line = SOURCES[name].line_col
        example = F.min_by(F.concat_ws(" ", F.concat_ws(":", "source_file", F.col(line).cast("string")),
                                       F.concat(F.lit("— "), F.coalesce("reason_detail", F.lit("")))),
                           F.struct("landing_date", "source_file", line))
        for r in (df.groupBy("reason_code")
                  .agg(F.count("*").alias("rows"), F.countDistinct("landing_date").alias("days"),
                       F.min("landing_date").alias("first"), F.max("landing_date").alias("last"),
                       example.alias("example"))
                  .orderBy(F.desc("rows"), "reason_code").collect()):
            out.append({"source": name, "reason": r["reason_code"], "rows": r["rows"], "days": r["days"],
                        "first": r["first"], "last": r["last"], "example": r["example"]})
    return out


def print_summary(items: list[dict]) -> None:
    if not items:
        print("quarantine is empty for this selection")
        return
    print(f"{'source':<14} {'reason':<20} {'rows':>9} {'days':>5}  {'landing days':<23}  example")
    for i in items:
        print(f"{i['source']:<14} {i['reason']:<20} {fmt(i['rows']):>9} {i['days']:>5}  "
              f"{i['first']} .. {i['last']}  {(i['example'] or '')[:120]}")
    print(f"{'total':<14} {'':<20} {fmt(sum(i['rows'] for i in items)):>9}")


def show(spark: SparkSession, source: str, first=None, last=None, reason=None, limit: int = 20) -> None:
    df = rows(spark, source, first, last, reason)
    if df is None:
        print(f"{SOURCES[source].table} does not exist yet")
        return
    line = SOURCES[source].line_col
    for r in df.orderBy("landing_date", "source_file", line).limit(limit).collect():
        print(f"{r['landing_date']} {r['source_file']}:{r[line]} {r['reason_code']}: {r['reason_detail']}")
        print(f"    raw: {(r['raw'] or '<none>')[:300]}")


def replay(spark: SparkSession, source: str, first=None, last=None, reason=None) -> dict[str, int]:
    """Re-run silver for the landing days holding quarantined rows; return before/after."""
    df = rows(spark, source, first, last, reason)
    if df is None:
        log(f"replay {source}: no quarantine table yet, nothing to replay")
        return {"days": 0, "before": 0, "after": 0, "released": 0}
    days = sorted(r["landing_date"] for r in df.select("landing_date").distinct().collect())
    before = df.count()
    if not days:
        log(f"replay {source}: no quarantined rows for this selection")
        return {"days": 0, "before": 0, "after": 0, "released": 0}
    log(f"replay {source}: {fmt(before)} quarantined rows{f' ({reason})' if reason else ''} "
        f"on {len(days)} landing day(s) {days[0]} .. {days[-1]}: re-running silver")
    SOURCES[source].replay(spark, days)
    after = rows(spark, source, first, last, reason).count()
    log(f"replay {source}: {fmt(before - after)} rows left the quarantine (now in silver or counted as "
        f"duplicates), {fmt(after)} still quarantined")
    return {"days": len(days), "before": before, "after": after, "released": before - after}


def main(argv: list[str] | None = None) -> None:
    from spark_jobs.session import get_spark

    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("command", choices=("list", "show", "replay"))
    p.add_argument("--source", choices=sorted(SOURCES), help="default for list: all sources")
    p.add_argument("--from", dest="first", type=dt.date.fromisoformat, help="first landing day")
    p.add_argument("--to", dest="last", type=dt.date.fromisoformat, help="last landing day")
    p.add_argument("--reason", help="reason code, e.g. UNKNOWN_CAMERA")
    p.add_argument("--limit", type=int, default=20, help="rows for show")
    a = p.parse_args(argv)
    if a.command != "list" and not a.source:
        p.error(f"{a.command} needs --source")
    spark = get_spark("quarantine")
    if a.command == "list":
        print_summary(summary(spark, [a.source] if a.source else sorted(SOURCES), a.first, a.last, a.reason))
    elif a.command == "show":
        show(spark, a.source, a.first, a.last, a.reason, a.limit)
    else:
        replay(spark, a.source, a.first, a.last, a.reason)


if __name__ == "__main__":
    main()
