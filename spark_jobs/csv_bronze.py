"""Landing → bronze for CSV extracts, whatever the source (case system, residence registry).

One bronze row per CSV record (a record may span several lines: quoted newlines). ``raw``
is the record as a JSON object ``{header: text}`` with every column of the file's own
header — so a new column the source adds is kept — or, for a record whose field count
does not match the header, the record's text as read (``malformed``). A UTF-8 byte-order
mark is tolerated. Idempotent: files already loaded are skipped and the write is an
insert-only MERGE on (landing_date, source_file, record_no); extracts of many days are
loaded in one MERGE per distinct header (backfills).
"""
from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql import types as T

from spark_jobs import config
from spark_jobs.common import ensure_schema, fmt, loaded_files, log, merge_insert_new, sql_date_list

CORRUPT = "_corrupt_record"


@dataclass(frozen=True)
class Feed:
    name: str        # for messages, e.g. "case_records"
    subdir: str      # below the landing root, e.g. "cases/records"
    table: str       # bronze table
    pattern: str = "*.csv"
    comment: str = ""

    def ddl(self) -> str:
        return f"""
CREATE TABLE IF NOT EXISTS {self.table} (
  landing_date DATE    COMMENT 'dt= partition of the extract',
  source_file  STRING  COMMENT 'path relative to the landing root',
  record_no    INT     COMMENT '1-based CSV record number in the file (header excluded)',
  raw          STRING  COMMENT 'JSON object of the fields of the record by header name, or the malformed record text',
  malformed    BOOLEAN COMMENT 'field count did not match the header',
  ingested_at  TIMESTAMP,
  ingest_run   STRING
) USING DELTA
PARTITIONED BY (landing_date)
COMMENT '{self.comment or self.name + " extracts as landed: one row per CSV record"}'
"""


def landing_files(landing_root: Path, feed: Feed, landing_date: dt.date) -> list[Path]:
    return sorted((landing_root / feed.subdir / f"dt={landing_date.isoformat()}").glob(feed.pattern))


def header_of(path: Path) -> list[str]:
    """The file's header row; an empty file or a bad header is an error naming the file."""
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


def to_bronze(df: DataFrame, columns: list[str], feed: Feed, run_id: str) -> DataFrame:
    """Number the records in file order and keep each as raw JSON (or its malformed text)."""
    # A multiLine CSV file is never split: one task reads its records in order, so the id
    # increases in file order within each file.
    numbered = df.withColumn("_id", F.monotonically_increasing_id())
    w = Window.partitionBy("_file").orderBy("_id")
    payload = F.to_json(F.struct(*[F.col(f"`{c}`") for c in columns]))
    source_file = F.regexp_extract("_file", f"({feed.subdir}/dt=[^/]+/[^/]+)$", 1)
    return numbered.select(
        F.to_date(F.regexp_extract(source_file, r"dt=([0-9-]{10})/", 1)).alias("landing_date"),
        source_file.alias("source_file"),
        F.row_number().over(w).cast("int").alias("record_no"),
        F.when(F.col(CORRUPT).isNotNull(), F.col(CORRUPT)).otherwise(payload).alias("raw"),
        F.col(CORRUPT).isNotNull().alias("malformed"),
        F.current_timestamp().alias("ingested_at"),
        F.lit(run_id).alias("ingest_run"),
    )


def run(spark: SparkSession, feed: Feed, landing_dates: dt.date | list[dt.date], run_id: str) -> dict[str, int]:
    """Load the feed's extracts of one landing date or of several (a backfill)."""
    dates = sorted(landing_dates) if isinstance(landing_dates, list) else [landing_dates]
    cfg = config.settings()
    ensure_schema(spark, feed.table.split(".")[0])
    spark.sql(feed.ddl())
    label = dates[0].isoformat() if len(dates) == 1 else f"{dates[0]}..{dates[-1]} ({len(dates)} days)"
    files = [p for day in dates for p in landing_files(cfg.landing_dir, feed, day)]
    done = loaded_files(spark, feed.table, dates) if files else set()
    todo = [p for p in files if p.relative_to(cfg.landing_dir).as_posix() not in done]
    log(f"bronze {feed.name} {label}: {fmt(len(files))} extract(s), "
        f"{fmt(len(files) - len(todo))} already loaded, {fmt(len(todo))} to load")
    by_header: dict[tuple[str, ...], list[Path]] = {}
    for path in todo:
        if path.stat().st_size == 0:
            raise ValueError(f"{path.relative_to(cfg.landing_dir)}: zero-byte extract; "
                             "the source system must resend it")
        by_header.setdefault(tuple(header_of(path)), []).append(path)
    inserted = 0
    for columns, paths in by_header.items():
        batch = to_bronze(read_extracts(spark, paths, list(columns)), list(columns), feed, run_id)
        n = merge_insert_new(
            spark, batch, feed.table, ["landing_date", "source_file", "record_no"],
            prune=f"t.landing_date IN ({sql_date_list(dates)})",
        )
        inserted += n
        log(f"bronze {feed.name} {label}: {fmt(n)} records inserted from {fmt(len(paths))} "
            f"extract(s) with {len(columns)} columns")
    return {"files": len(todo), "inserted": inserted}
