"""Landing → bronze: every CSV record of the case system's daily CDC extracts, as landed.

One bronze row per CSV record (a record may span several lines: addresses and summaries
hold quoted newlines). ``raw`` is the record as a JSON object ``{header: text}`` — every
column of the file's own header, so a new column the source adds is kept — or, for a
record whose field count does not match the header, the record's text as read.
Idempotent like the camera bronze: loaded files are skipped and the write is an
insert-only MERGE on (landing_date, source_file, record_no).
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
from pathlib import Path

from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql import types as T

from spark_jobs import config
from spark_jobs.common import date_range, ensure_schema, fmt, loaded_files, log, merge_insert_new, sql_date_list
CORRUPT = "_corrupt_record"

BRONZE_DDL = f"""
CREATE TABLE IF NOT EXISTS {config.BRONZE_CASE_RECORDS} (
  landing_date DATE    COMMENT 'dt= partition of the extract',
  source_file  STRING  COMMENT 'path relative to the landing root',
  record_no    INT     COMMENT '1-based CSV record number in the file (header excluded)',
  raw          STRING  COMMENT 'JSON object of the fields of the record by header name, or the malformed record text',
  malformed    BOOLEAN COMMENT 'field count did not match the header',
  ingested_at  TIMESTAMP,
  ingest_run   STRING
) USING DELTA
PARTITIONED BY (landing_date)
COMMENT 'Case management CDC extracts as landed: one row per CSV record'
"""


def landing_files(landing_root: Path, landing_date: dt.date) -> list[Path]:
    return sorted((landing_root / f"dt={landing_date.isoformat()}").glob("*.csv"))


def header_of(path: Path) -> list[str]:
    """The file's header row (a UTF-8 byte-order mark is tolerated)."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        row = next(csv.reader(fh), None)
    if not row:
        raise ValueError(f"{path}: empty extract (no header row)")
    cols = [c.strip() for c in row]
    dup = {c for c in cols if cols.count(c) > 1}
    if dup or any(not c for c in cols):
        raise ValueError(f"{path}: header has empty or repeated column names {sorted(dup)}")
    return cols


def read_extracts(spark: SparkSession, paths: list[Path], columns: list[str]) -> DataFrame:
    """Extracts sharing one header, read with that header as an all-text schema."""
    schema = T.StructType([T.StructField(c, T.StringType()) for c in columns]
                          + [T.StructField(CORRUPT, T.StringType())])
    return (
        spark.read.schema(schema)
        .option("header", True).option("multiLine", True).option("encoding", "UTF-8")
        .option("mode", "PERMISSIVE").option("columnNameOfCorruptRecord", CORRUPT)
        .csv([str(p) for p in paths])
        .withColumn("_file", F.col("_metadata.file_path"))
    )


# The file's path below the landing root, whatever the scheme (file:, s3a:) in front.
SOURCE_FILE_RE = r"(cases/records/dt=[^/]+/[^/]+)$"


def to_bronze(df: DataFrame, columns: list[str], run_id: str) -> DataFrame:
    """Number the records in file order and keep each as raw JSON (or its malformed text)."""
    # A multiLine CSV file is never split: its records are read in order by one task, so
    # the id increases in file order within each file.
    numbered = df.withColumn("_id", F.monotonically_increasing_id())
    w = Window.partitionBy("_file").orderBy("_id")
    payload = F.to_json(F.struct(*[F.col(f"`{c}`") for c in columns]))
    source_file = F.regexp_extract("_file", SOURCE_FILE_RE, 1)
    return numbered.select(
        F.to_date(F.regexp_extract(source_file, r"dt=([0-9-]{10})/", 1)).alias("landing_date"),
        source_file.alias("source_file"),
        F.row_number().over(w).cast("int").alias("record_no"),
        F.when(F.col(CORRUPT).isNotNull(), F.col(CORRUPT)).otherwise(payload).alias("raw"),
        F.col(CORRUPT).isNotNull().alias("malformed"),
        F.current_timestamp().alias("ingested_at"),
        F.lit(run_id).alias("ingest_run"),
    )


def run(spark: SparkSession, landing_dates: dt.date | list[dt.date], run_id: str) -> dict[str, int]:
    """Load the extracts of one landing date or of several (a backfill) in one MERGE."""
    dates = sorted(landing_dates) if isinstance(landing_dates, list) else [landing_dates]
    cfg = config.settings()
    ensure_schema(spark, "bronze")
    spark.sql(BRONZE_DDL)
    label = dates[0].isoformat() if len(dates) == 1 else f"{dates[0]}..{dates[-1]} ({len(dates)} days)"
    files = [p for day in dates for p in landing_files(cfg.case_records_landing, day)]
    done = loaded_files(spark, config.BRONZE_CASE_RECORDS, dates) if files else set()
    todo = [p for p in files if p.relative_to(cfg.landing_dir).as_posix() not in done]
    log(f"bronze case_records {label}: {fmt(len(files))} extract(s), "
        f"{fmt(len(files) - len(todo))} already loaded, {fmt(len(todo))} to load")
    by_header: dict[tuple[str, ...], list[Path]] = {}
    for path in todo:
        if path.stat().st_size == 0:
            raise ValueError(f"{path.relative_to(cfg.landing_dir)}: zero-byte extract; "
                             "the case system must resend it")
        by_header.setdefault(tuple(header_of(path)), []).append(path)
    inserted = 0
    for columns, paths in by_header.items():
        batch = to_bronze(read_extracts(spark, paths, list(columns)), list(columns), run_id)
        n = merge_insert_new(
            spark, batch, config.BRONZE_CASE_RECORDS, ["landing_date", "source_file", "record_no"],
            prune=f"t.landing_date IN ({sql_date_list(dates)})",
        )
        inserted += n
        log(f"bronze case_records {label}: {fmt(n)} records inserted from {fmt(len(paths))} "
            f"extract(s) with {len(columns)} columns")
    return {"files": len(todo), "inserted": inserted}


def main(argv: list[str] | None = None) -> None:
    from spark_jobs.session import get_spark

    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--date", required=True, type=dt.date.fromisoformat, help="(first) landing date")
    p.add_argument("--to", type=dt.date.fromisoformat, help="last landing date of a range (inclusive)")
    p.add_argument("--run-id", default=f"manual-{dt.datetime.now():%Y%m%dT%H%M%S}")
    a = p.parse_args(argv)
    run(get_spark("cases_bronze"), date_range(a.date, a.to), a.run_id)


if __name__ == "__main__":
    main()
