"""Landing → bronze: every line of every landing file, raw, with where it came from.

Bronze is append-only and idempotent per file line: a file already loaded is skipped,
and the load is an insert-only MERGE on (landing_date, source_file, line_no), so loading
the same files twice — or two overlapping runs — adds nothing.
"""
from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from spark_jobs import config
from spark_jobs.common import ensure_schema, fmt, loaded_files, log, merge_insert_new
from spark_jobs.session import get_spark

BRONZE_DDL = f"""
CREATE TABLE IF NOT EXISTS {config.BRONZE_CAMERA_EVENTS} (
  landing_date DATE    COMMENT 'dt= partition of the landing file',
  source_file  STRING  COMMENT 'path relative to the landing root',
  line_no      INT     COMMENT '1-based line number in the decompressed file',
  raw          STRING  COMMENT 'the line exactly as the camera platform wrote it',
  ingested_at  TIMESTAMP,
  ingest_run   STRING  COMMENT 'Airflow run id (or manual-...) that loaded the line'
) USING DELTA
PARTITIONED BY (landing_date)
COMMENT 'Camera plate reads as landed: one row per line of each gzip JSON-lines file'
"""


# --- extract -------------------------------------------------------------------------

def landing_files(landing_root: Path, landing_date: dt.date) -> list[Path]:
    """All event files the platform wrote for one landing date, in a stable order."""
    day_dir = landing_root / f"dt={landing_date.isoformat()}"
    return sorted(day_dir.glob("hh=*/*.jsonl.gz"))


def read_files(spark: SparkSession, paths: list[Path]) -> DataFrame:
    """One row per file: (file_path URI, whole decompressed text)."""
    return (
        spark.read.option("wholetext", "true")
        .text([str(p) for p in paths])
        .select(F.col("_metadata.file_path").alias("file_path"), F.col("value").alias("text"))
    )


# --- transform -----------------------------------------------------------------------

# The file's path below the landing root, whatever the scheme (file:, s3a:) in front.
SOURCE_FILE_RE = r"(camera/events/dt=[^/]+/hh=[^/]+/[^/]+)$"


def split_lines(files: DataFrame, landing_date: dt.date, run_id: str) -> DataFrame:
    """Explode each file's text into numbered lines; blank lines (the final newline) drop."""
    lines = files.select(
        F.regexp_extract("file_path", SOURCE_FILE_RE, 1).alias("source_file"),
        F.posexplode(F.split(F.col("text"), "\n")).alias("pos", "raw"),
    )
    return (
        lines.where(F.trim(F.col("raw")) != "")
        .select(
            F.lit(landing_date).alias("landing_date"),
            "source_file",
            (F.col("pos") + 1).cast("int").alias("line_no"),
            "raw",
            F.current_timestamp().alias("ingested_at"),
            F.lit(run_id).alias("ingest_run"),
        )
    )


# --- load ----------------------------------------------------------------------------

def run(spark: SparkSession, landing_date: dt.date, run_id: str) -> dict[str, int]:
    cfg = config.settings()
    ensure_schema(spark, "bronze")
    spark.sql(BRONZE_DDL)
    root = cfg.camera_events_landing
    files = landing_files(root, landing_date)
    done = loaded_files(spark, config.BRONZE_CAMERA_EVENTS, landing_date)
    todo = [p for p in files if p.relative_to(cfg.landing_dir).as_posix() not in done]
    log(f"bronze camera_events {landing_date}: {fmt(len(files))} landing files, "
        f"{fmt(len(files) - len(todo))} already loaded, {fmt(len(todo))} to load")
    if not todo:
        return {"files": 0, "lines": 0, "inserted": 0}
    batch = split_lines(read_files(spark, todo), landing_date, run_id)
    inserted = merge_insert_new(
        spark, batch, config.BRONZE_CAMERA_EVENTS, ["landing_date", "source_file", "line_no"],
        prune=f"t.landing_date = DATE'{landing_date.isoformat()}'",
    )
    log(f"bronze camera_events {landing_date}: {fmt(inserted)} lines inserted "
        f"from {fmt(len(todo))} files")
    return {"files": len(todo), "inserted": inserted}


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--date", required=True, type=dt.date.fromisoformat, help="landing date")
    p.add_argument("--run-id", default=f"manual-{dt.datetime.now():%Y%m%dT%H%M%S}")
    args = p.parse_args(argv)
    run(get_spark("camera_bronze"), args.date, args.run_id)


if __name__ == "__main__":
    main()
