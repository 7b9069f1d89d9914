"""Landing → bronze: every line of every landing file, raw, with where it came from.

Bronze is append-only and idempotent per file line: a file already loaded is skipped,
and the load is an insert-only MERGE on (landing_date, source_file, line_no), so loading
the same files twice — or two overlapping runs — adds nothing.

A file Spark cannot read whole is not lost and does not stop the load: it is read again
here in Python, its complete lines land as usual and one marker row says what was wrong
(``read_error``): ``EMPTY_FILE`` (zero bytes, or no line), ``CORRUPT_FILE`` (not a gzip
stream, or corrupt inside it — lines before the damage are kept) or ``TRUNCATED_FILE``
(the stream ends early; the last, partial line is the marker's ``raw``). Silver sends the
marker rows to quarantine with that reason.
"""
from __future__ import annotations

import argparse
import datetime as dt
import zlib
from pathlib import Path

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

from spark_jobs import config
from spark_jobs.common import (BULK_WRITE_CONF, add_missing_columns, ensure_schema, fmt, loaded_files, log,
                               merge_insert_new, session_conf)
from spark_jobs.session import get_spark

BRONZE_DDL = f"""
CREATE TABLE IF NOT EXISTS {config.BRONZE_CAMERA_EVENTS} (
  landing_date DATE    COMMENT 'dt= partition of the landing file',
  source_file  STRING  COMMENT 'path relative to the landing root',
  line_no      INT     COMMENT '1-based line number in the decompressed file',
  raw          STRING  COMMENT 'the line exactly as the camera platform wrote it',
  ingested_at  TIMESTAMP,
  ingest_run   STRING  COMMENT 'Airflow run id (or manual-...) that loaded the line',
  read_error   STRING  COMMENT 'NULL, or why the file could not be read whole (EMPTY_FILE, CORRUPT_FILE, TRUNCATED_FILE: detail)',
  landed_by    TIMESTAMP COMMENT 'end of the landing hour of the file (its hh= directory): the latest moment the line can have arrived'
) USING DELTA
PARTITIONED BY (landing_date)
COMMENT 'Camera plate reads as landed: one row per line of each gzip JSON-lines file'
"""


# --- extract -------------------------------------------------------------------------

def landing_files(landing_root: Path, landing_date: dt.date) -> list[Path]:
    """All event files the platform wrote for one landing date, in a stable order."""
    day_dir = landing_root / f"dt={landing_date.isoformat()}"
    return sorted(day_dir.glob("hh=*/*.jsonl.gz"))


def read_files(spark: SparkSession, landing_root: Path, landing_date: dt.date) -> DataFrame:
    """One row per readable event file of the landing day: (file_path URI, whole decompressed
    text).

    The day's directory is read as one path, recursively, keeping ``*.jsonl.gz`` (what
    :func:`landing_files` lists), not as a list of file paths: Spark lists N explicit paths
    (or the N matches of a glob) with a job of N tasks — 25 s of a 35 s bronze load of 6,815
    files — and one directory tree on the driver.
    A file Spark cannot decompress (corrupt or truncated gzip) is skipped here rather than
    failing the load; :func:`salvage` reads it afterwards.
    """
    return (
        spark.read.option("ignoreCorruptFiles", "true")
        .option("recursiveFileLookup", "true").option("pathGlobFilter", "*.jsonl.gz")
        .text(str(landing_root / f"dt={landing_date.isoformat()}"), wholetext=True)
        .select(F.col("_metadata.file_path").alias("file_path"), F.col("value").alias("text"))
    )


# --- transform -----------------------------------------------------------------------

# The file's path below the landing root, whatever the scheme (file:, s3a:) in front.
SOURCE_FILE_RE = r"(camera/events/dt=[^/]+/hh=[^/]+/[^/]+)$"
READ_ERRORS = ("EMPTY_FILE", "CORRUPT_FILE", "TRUNCATED_FILE")
BRONZE_COLUMNS = "landing_date date, source_file string, line_no int, raw string, " \
                 "ingested_at timestamp, ingest_run string, read_error string"


def landed_by(source_file: Column, landing_date: Column) -> Column:
    """The end of the landing hour of a file (``.../dt=D/hh=HH/...``): D + HH + 1 hours, the
    latest moment its lines can have arrived (timeliness is event → landing). NULL for a
    path without an hour. Worked out once per file here and stored: read back from the path
    of every read, in dbt, it cost ~17 s of a 47 s build of int_camera__commune_day_reads
    over 39 M reads (string functions on each row's path; measured on the bench day)."""
    hour = F.regexp_extract(source_file, r"/hh=([0-9]{2})/", 1)
    return F.when(hour != "", landing_date.cast("timestamp") + F.make_dt_interval(hours=hour.cast("int") + 1))


def split_lines(files: DataFrame, landing_date: dt.date, run_id: str) -> DataFrame:
    """Explode each file's text into numbered lines (LF or CRLF ends); blank lines drop but
    keep their number, so ``line_no`` is the line of the file an editor shows."""
    # file-level columns before the explode: evaluated once per file, not once per line
    files = files.select(F.regexp_extract("file_path", SOURCE_FILE_RE, 1).alias("source_file"), "text") \
        .withColumn("landed_by", landed_by(F.col("source_file"), F.lit(landing_date)))
    lines = files.select(
        "source_file", "landed_by",
        F.posexplode(F.split(F.col("text"), "\r?\n")).alias("pos", "raw"),
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
            F.lit(None).cast("string").alias("read_error"),
            "landed_by",
        )
    )


def salvage(path: Path, chunk: int = 1 << 16) -> list[tuple[int, str | None, str | None]]:
    """(line_no, raw, read_error) for a file Spark could not read: every complete line as
    usual, plus one marker row saying what was wrong (see the module doc)."""
    data = path.read_bytes()
    size = len(data)
    if not data:
        return [(0, None, "EMPTY_FILE: zero-byte file")]
    out, error = bytearray(), None
    d = zlib.decompressobj(zlib.MAX_WBITS | 16)
    pos = 0
    try:
        while pos < len(data):
            out += d.decompress(data[pos:pos + chunk])
            pos += chunk
            if d.eof and d.unused_data:            # a further gzip member follows
                rest, d = d.unused_data, zlib.decompressobj(zlib.MAX_WBITS | 16)
                data, pos = rest, 0
        if not d.eof:
            error = (f"TRUNCATED_FILE: gzip stream ends early ({size:,} bytes "
                     f"read, {len(out):,} bytes decompressed)")
    except zlib.error as exc:
        kind = "CORRUPT_FILE: not a gzip stream" if not out else "CORRUPT_FILE: damaged gzip data"
        error = f"{kind} ({exc}; {len(out):,} bytes decompressed before it)"
    parts = bytes(out).split(b"\n")
    tail = parts.pop() if error else None          # the bytes after the last newline
    rows: list[tuple[int, str | None, str | None]] = []
    for i, line in enumerate(parts, start=1):
        text = line.rstrip(b"\r").decode("utf-8", "replace")
        if text.strip():
            rows.append((i, text, None))
    if error:
        at = len(parts) + 1 if out else 0          # line 0: the file as a whole
        rows.append((at, (tail or b"").decode("utf-8", "replace") or None, error))
    elif not rows:
        rows.append((0, None, "EMPTY_FILE: no line in the file"))
    return rows


def salvaged_rows(spark: SparkSession, paths: list[Path], landing_root: Path,
                  landing_date: dt.date, run_id: str) -> DataFrame:
    now = dt.datetime.now()
    rows = [(landing_date, p.relative_to(landing_root).as_posix(), n, raw, now, run_id, err)
            for p in paths for n, raw, err in salvage(p)]
    return spark.createDataFrame(rows, BRONZE_COLUMNS) \
        .withColumn("landed_by", landed_by(F.col("source_file"), F.col("landing_date")))


def ensure_table(spark: SparkSession) -> None:
    spark.sql(BRONZE_DDL)
    # tables made before read_error / landed_by existed (their older rows hold NULL there)
    add_missing_columns(spark, config.BRONZE_CAMERA_EVENTS,
                        {"read_error": "STRING", "landed_by": "TIMESTAMP"})


# --- load ----------------------------------------------------------------------------

def run(spark: SparkSession, landing_date: dt.date, run_id: str) -> dict[str, int]:
    cfg = config.settings()
    ensure_schema(spark, "bronze")
    ensure_table(spark)
    root = cfg.camera_events_landing
    files = landing_files(root, landing_date)
    done = loaded_files(spark, config.BRONZE_CAMERA_EVENTS, landing_date)
    todo = [p for p in files if p.relative_to(cfg.landing_dir).as_posix() not in done]
    log(f"bronze camera_events {landing_date}: {fmt(len(files))} landing files, "
        f"{fmt(len(files) - len(todo))} already loaded, {fmt(len(todo))} to load")
    if not todo:
        return {"files": 0, "inserted": 0, "unreadable_files": 0}
    keys = ["landing_date", "source_file", "line_no"]
    prune = f"t.landing_date = DATE'{landing_date.isoformat()}'"
    # the day's directory is read whole: keep its hh=*/ event files (a file elsewhere in it
    # has no source_file), and only those not in bronze yet — an IN list of thousands of
    # files costs seconds of planning in the MERGE, so only when some are
    batch = split_lines(read_files(spark, root, landing_date), landing_date, run_id) \
        .where(F.col("source_file") != "")
    if len(todo) < len(files):
        batch = batch.where(F.col("source_file").isin([p.relative_to(cfg.landing_dir).as_posix() for p in todo]))
    with session_conf(spark, BULK_WRITE_CONF):   # files read by fewer tasks, lines written by all
        inserted = merge_insert_new(spark, batch, config.BRONZE_CAMERA_EVENTS, keys, prune=prune)
    # Files that gave no line: empty, corrupt or truncated. Read them again, keep what is whole.
    now_loaded = loaded_files(spark, config.BRONZE_CAMERA_EVENTS, landing_date)
    unreadable = [p for p in todo if p.relative_to(cfg.landing_dir).as_posix() not in now_loaded]
    if unreadable:
        rows = salvaged_rows(spark, unreadable, cfg.landing_dir, landing_date, run_id)
        inserted += merge_insert_new(spark, rows, config.BRONZE_CAMERA_EVENTS, keys, prune=prune)
        for r in rows.where(F.col("read_error").isNotNull()).collect():
            log(f"bronze camera_events {landing_date}: {r['source_file']} line {r['line_no']}: "
                f"{r['read_error']}")
    log(f"bronze camera_events {landing_date}: {fmt(inserted)} lines inserted "
        f"from {fmt(len(todo))} files ({fmt(len(unreadable))} not readable whole)")
    return {"files": len(todo), "inserted": inserted, "unreadable_files": len(unreadable)}


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--date", required=True, type=dt.date.fromisoformat, help="landing date")
    p.add_argument("--run-id", default=f"manual-{dt.datetime.now():%Y%m%dT%H%M%S}")
    args = p.parse_args(argv)
    run(get_spark("camera_bronze"), args.date, args.run_id)


if __name__ == "__main__":
    main()
