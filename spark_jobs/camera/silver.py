"""Bronze → silver: typed, validated, deduplicated camera events, conformed to communes.

Each bronze line ends in exactly one place:
  * ``silver.camera_events`` — the first valid copy of each ``event_id``;
  * counted as a duplicate — a later identical copy (vendor resend) of an event already kept;
  * ``quarantine.camera_events`` — with ONE reason code, checked in this order:
    EMPTY_FILE, CORRUPT_FILE, TRUNCATED_FILE (marker rows of files bronze could not read
    whole), BAD_ENCODING, MALFORMED_JSON, MISSING_FIELD, BAD_TIMESTAMP, FUTURE_TIMESTAMP,
    UNKNOWN_CAMERA, UNREADABLE_PLATE, OUT_OF_RANGE, BAD_VIOLATION_CODE, and for a valid line
    whose ``event_id`` was already kept with other content, DUPLICATE_CONFLICT (the first
    landed copy stays in silver; the conflicting one waits here for a person to decide).
Normalised on the way, not rejected: a UTF-8 byte-order mark, CRLF line ends, plates in
lower case or with spaces, numbers sent as JSON strings ("42.5").
Every run prints the reconciliation ``bronze = new + already in silver + duplicates +
quarantined``. Silver is an insert-only MERGE; the quarantine MERGE also removes the rows
of the landing date that pass now, so replaying a day after a fix (``python -m
spark_jobs.quarantine replay``) moves them to silver. A re-run changes nothing.
"""
from __future__ import annotations

import argparse
import datetime as dt
import functools

from pyspark import StorageLevel
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from spark_jobs import common, config
from spark_jobs.camera.bronze import landed_by as bronze_landed_by
from spark_jobs.common import (BULK_WRITE_CONF, Laps, add_missing_columns, ensure_schema, fmt, log, merge_insert_new,
                               session_conf, sql_date_list)
from spark_jobs.session import get_spark

VIOLATION_CODES = ("RED_LIGHT", "SPEEDING", "WRONG_LANE", "WRONG_WAY", "NO_HELMET",
                   "ILLEGAL_PARKING")
FILE_REASONS = ("EMPTY_FILE", "CORRUPT_FILE", "TRUNCATED_FILE")
REASONS = (*FILE_REASONS, "BAD_ENCODING", "MALFORMED_JSON", "MISSING_FIELD", "BAD_TIMESTAMP",
           "FUTURE_TIMESTAMP", "UNKNOWN_CAMERA", "UNREADABLE_PLATE", "OUT_OF_RANGE",
           "BAD_VIOLATION_CODE", "DUPLICATE_CONFLICT")
# An event may be stamped at most this long after the end of the day it landed under
# (camera clocks drift; a file of day D holds reads of day D and earlier).
FUTURE_TOLERANCE = "INTERVAL 1 HOUR"
# What makes two copies of an event_id the same event (resend) or a conflict.
CONTENT_COLUMNS = ("camera_id", "event_time", "plate", "vehicle_type", "lane", "speed_kmh",
                   "confidence", "violation_code")
# Vietnamese plates: 30A-123.45, 29B1-234.56, 30A-1234 (older 4-digit series).
PLATE_RE = r"^[0-9]{2}[A-Z]{1,2}[0-9]?-([0-9]{3}\.[0-9]{2}|[0-9]{4})$"
# ISO 8601 with a zone: the platform must say which clock it used.
ZONED_TS_RE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?(Z|[+-][0-9]{2}:[0-9]{2})$"

# Every field read as text first, so a wrong type is caught by our rules, not lost.
RAW_SCHEMA = T.StructType([
    T.StructField("event_id", T.StringType()),
    T.StructField("camera_id", T.StringType()),
    T.StructField("event_time", T.StringType()),
    T.StructField("plate", T.StringType()),
    T.StructField("vehicle_type", T.StringType()),
    T.StructField("lane", T.StringType()),
    T.StructField("speed_kmh", T.StringType()),
    T.StructField("confidence", T.StringType()),
    T.StructField("violation", T.StringType()),
    T.StructField("_corrupt", T.StringType()),
])

SILVER_DDL = f"""
CREATE TABLE IF NOT EXISTS {config.SILVER_CAMERA_EVENTS} (
  event_id      STRING    COMMENT 'platform event id; unique',
  camera_id     STRING,
  commune_code  STRING    COMMENT 'current (post-2025) commune/ward code of the camera',
  event_time    TIMESTAMP COMMENT 'instant of the plate read',
  event_date    DATE      COMMENT 'local (Asia/Ho_Chi_Minh) date of event_time',
  event_hour    INT       COMMENT 'local hour 0-23',
  plate         STRING    COMMENT 'normalised plate, e.g. 30A-123.45',
  vehicle_type  STRING,
  lane          INT,
  speed_kmh     DOUBLE,
  confidence    DOUBLE    COMMENT 'OCR confidence 0..1',
  violation_code STRING   COMMENT 'NULL when the read is not a violation',
  landing_date  DATE,
  source_file   STRING,
  line_no       INT,
  ingested_at   TIMESTAMP,
  processed_at  TIMESTAMP,
  landed_by     TIMESTAMP COMMENT 'end of the landing hour of the file: the latest moment the read can have arrived'
) USING DELTA
PARTITIONED BY (event_date)
COMMENT 'Camera plate reads: typed, validated, one row per event_id'
"""

QUARANTINE_DDL = f"""
CREATE TABLE IF NOT EXISTS {config.QUARANTINE_CAMERA_EVENTS} (
  landing_date  DATE,
  source_file   STRING,
  line_no       INT,
  reason_code   STRING,
  reason_detail STRING,
  raw           STRING,
  ingested_at   TIMESTAMP,
  quarantined_at TIMESTAMP
) USING DELTA
PARTITIONED BY (landing_date)
COMMENT 'Camera lines rejected by silver validation, with the reason; nothing is dropped'
"""


# --- transform (pure) ----------------------------------------------------------------

def _blank(c: Column) -> Column:
    return c.isNull() | (F.trim(c) == "")


def parse(bronze: DataFrame) -> DataFrame:
    """Parse each raw line; add typed columns (NULL where the text does not convert)."""
    if "read_error" not in bronze.columns:      # bronze rows made before read_error existed
        bronze = bronze.withColumn("read_error", F.lit(None).cast("string"))
    # bronze rows made before landed_by existed: from their path (once per line, only for them)
    old_landed_by = bronze_landed_by(F.col("source_file"), F.col("landing_date"))
    bronze = bronze.withColumn("landed_by", F.coalesce("landed_by", old_landed_by)
                               if "landed_by" in bronze.columns else old_landed_by)
    # a UTF-8 byte-order mark is not content; a prefix test, not a regex over every line
    # (regexp_replace cost about a fifth of from_json's time on the bench day)
    text = F.when(F.col("raw").startswith("\uFEFF"), F.expr("substr(raw, 2)")).otherwise(F.col("raw"))
    j = F.from_json(text, RAW_SCHEMA,
                    {"mode": "PERMISSIVE", "columnNameOfCorruptRecord": "_corrupt"})
    p = bronze.withColumn("j", j).withColumn("_text", text)
    return p.select(
        *bronze.columns,
        F.col("_text"),
        F.col("j").alias("j"),
        F.trim("j.event_id").alias("event_id"),
        F.trim("j.camera_id").alias("camera_id"),
        F.expr("try_cast(j.event_time AS TIMESTAMP)").alias("event_time"),
        F.upper(F.regexp_replace("j.plate", r"\s+", "")).alias("plate"),
        F.lower(F.trim("j.vehicle_type")).alias("vehicle_type"),
        F.expr("try_cast(j.lane AS INT)").alias("lane"),
        F.expr("try_cast(j.speed_kmh AS DOUBLE)").alias("speed_kmh"),
        F.expr("try_cast(j.confidence AS DOUBLE)").alias("confidence"),
        F.upper(F.trim("j.violation")).alias("violation_code"),
    )


def classify(parsed: DataFrame, cameras: DataFrame) -> DataFrame:
    """Join the camera registry and set ``reason_code`` (NULL = valid) and its detail."""
    cams = cameras.select(F.col("camera_id").alias("_cam_id"), "commune_code")
    df = parsed.join(cams, parsed["camera_id"] == cams["_cam_id"], "left")
    j = F.col("j")
    read_error = F.split(F.col("read_error"), ":")[0]
    rules: list[tuple[str, Column, Column]] = [
        *[(code, read_error == code, F.col("read_error")) for code in FILE_REASONS],
        ("BAD_ENCODING", F.col("raw").contains("\ufffd"),
         F.lit("line is not valid UTF-8 (undecodable bytes shown as U+FFFD)")),
        ("MALFORMED_JSON", j.isNull() | j["_corrupt"].isNotNull() | ~F.trim("_text").startswith("{"),
         F.lit("line is not a JSON object")),
        ("MISSING_FIELD", _blank(j["event_id"]) | _blank(j["camera_id"]) | _blank(j["event_time"]),
         F.concat_ws(", ", F.when(_blank(j["event_id"]), F.lit("event_id")),
                     F.when(_blank(j["camera_id"]), F.lit("camera_id")),
                     F.when(_blank(j["event_time"]), F.lit("event_time")))),
        ("BAD_TIMESTAMP", F.col("event_time").isNull() | ~F.trim(j["event_time"]).rlike(ZONED_TS_RE),
         F.concat(F.lit("event_time not ISO 8601 with a zone: "), j["event_time"])),
        ("FUTURE_TIMESTAMP",
         F.col("event_time") > F.date_add("landing_date", 1).cast("timestamp") + F.expr(FUTURE_TOLERANCE),
         F.concat(F.lit("event_time "), j["event_time"], F.lit(" is after the end of landing day "),
                  F.col("landing_date").cast("string"))),
        ("UNKNOWN_CAMERA", F.col("_cam_id").isNull(),
         F.concat(F.lit("camera not in registry: "), F.col("camera_id"))),
        ("UNREADABLE_PLATE", F.col("plate").isNull() | ~F.col("plate").rlike(PLATE_RE),
         F.concat(F.lit("plate: "), F.coalesce(j["plate"], F.lit("<null>")))),
        ("OUT_OF_RANGE",
         F.col("confidence").isNull() | (F.col("confidence") < 0) | (F.col("confidence") > 1)
         | F.col("speed_kmh").isNull() | (F.col("speed_kmh") < 0)
         | (j["lane"].isNotNull() & (F.col("lane").isNull() | (F.col("lane") < 1))),
         F.concat(F.lit("confidence="), F.coalesce(j["confidence"], F.lit("<null>")),
                  F.lit(" speed_kmh="), F.coalesce(j["speed_kmh"], F.lit("<null>")),
                  F.lit(" lane="), F.coalesce(j["lane"], F.lit("<null>")))),
        ("BAD_VIOLATION_CODE",
         F.col("violation_code").isNotNull() & ~F.col("violation_code").isin(*VIOLATION_CODES),
         F.concat(F.lit("violation: "), j["violation"])),
    ]
    reason = F.lit(None).cast("string")
    for code, cond, _ in reversed(rules):  # first matching rule wins
        reason = F.when(cond, F.lit(code)).otherwise(reason)
    # the detail of the rule that won: each rule's condition (JSON fields, regexes) is
    # evaluated once per line, in the reason above, not a second time here
    detail = F.lit(None).cast("string")
    for code, _, text in rules:
        detail = F.when(F.col("reason_code") == F.lit(code), text).otherwise(detail)
    return df.withColumn("reason_code", reason).withColumn("reason_detail", detail).drop("_cam_id")


def staged_rows(classified: DataFrame) -> DataFrame:
    """What the load needs of each classified line: the typed fields, the reason, and the
    raw text only of a rejected line (the valid lines' raw text stays in bronze)."""
    return classified.select(
        "landing_date", "source_file", "line_no", "ingested_at", "landed_by", "event_id", "camera_id",
        "commune_code", "event_time", "plate", "vehicle_type", "lane", "speed_kmh", "confidence",
        "violation_code", "reason_code", "reason_detail",
        F.when(F.col("reason_code").isNotNull(), F.col("raw")).alias("raw"))


def content_hash() -> Column:
    """One value per distinct event content (see CONTENT_COLUMNS and
    :func:`spark_jobs.common.content_hash`)."""
    return common.content_hash(CONTENT_COLUMNS)


def valid_events(classified: DataFrame) -> DataFrame:
    """Valid rows in the silver shape (still with in-batch duplicates)."""
    return classified.where(F.col("reason_code").isNull()).select(
        "event_id", "camera_id", "commune_code", "event_time",
        F.to_date("event_time").alias("event_date"),
        F.hour("event_time").alias("event_hour"),
        "plate", "vehicle_type", "lane", "speed_kmh", "confidence", "violation_code",
        "landing_date", "source_file", "line_no", "ingested_at",
        F.current_timestamp().alias("processed_at"), "landed_by",
    )


ROW_KEY = ["landing_date", "source_file", "line_no"]
# Conflicting copies up to this many are broadcast into the lookup of their raw lines in
# bronze (the day is scanned, not shuffled with its raw text: see common.conflict_rows); a
# resend that conflicts wholesale (a vendor bug) is joined the ordinary way instead.
BROADCAST_MAX_ROWS = 1_000_000


def few(n: int) -> bool:
    return n <= BROADCAST_MAX_ROWS


def rank_copies(valid: DataFrame) -> DataFrame:
    """The copies of each event_id in landing order (file, then line): see
    :func:`spark_jobs.common.rank_copies`."""
    return common.rank_copies(valid, ["event_id"], ROW_KEY, content_hash())


def _against_held(ranked: DataFrame, held: DataFrame) -> DataFrame:
    """Each ranked copy with the silver row of its (event_date, event_id) — ``_held*``, NULL
    when silver holds none. Matched with event_id as the join's only key and the date as a
    further condition: a shuffle join then reuses the ranking's partitioning by event_id."""
    return (ranked.join(held, (ranked.event_id == held._held_id)
                        & (F.datediff(ranked.event_date, held._held_date) == 0), "left")
            .drop("_held_id", "_held_date")
            .withColumn("_held_at", F.when(F.col("_held_file").isNotNull(),
                                           F.concat_ws(":", "_held_file", F.col("_held_line").cast("string")))))


def check_copies(valid: DataFrame, held: DataFrame, n_held: int) -> tuple[DataFrame, int]:
    """Every valid copy, ranked in landing order (:func:`rank_copies`) and checked against
    ``held`` (:func:`held_rows`, ``n_held`` rows, checkpointed): the result and how many
    event_ids the batch has more than one copy of (ids by hash, below).

    Only the copies whose event_id is repeated in the batch or held by silver are ranked,
    joined and checkpointed (a few percent of a day); every other copy is its id's only
    one, held nowhere (``_n`` 1, its own content and place), and is read from ``valid`` as
    it is — so the day is neither sorted whole nor written to a second checkpoint. When
    those ids are too many to broadcast (a day resent or re-run wholesale), every copy is
    ranked and checked the plain way."""
    # ids by a 64-bit hash: the shuffle that finds the repeated ones moves 8 bytes a copy,
    # not the id's 36 characters; a hash two ids share (odds ~1e-5 in a 20 M day) only sends
    # their copies the thorough way
    key = F.xxhash64("event_id")
    repeated = valid.groupBy(key.alias("_key")).count().where("count > 1").select("_key").localCheckpoint()
    n_repeated = repeated.count()
    if not few(n_repeated + n_held):
        return _against_held(rank_copies(valid), F.broadcast(held) if few(n_held) else held).localCheckpoint(), \
            n_repeated
    involved = F.broadcast(repeated.unionByName(held.select(F.xxhash64("_held_id").alias("_key"))))
    ranked = _against_held(rank_copies(valid.join(involved, key == involved._key, "left_semi")),
                           F.broadcast(held)).localCheckpoint()
    single = (valid.join(involved, key == involved._key, "left_anti")
              .withColumn("_content", content_hash())
              .withColumn("_n", F.lit(1))
              .withColumn("_first_content", F.col("_content"))
              .withColumn("_first_at", F.concat_ws(":", "source_file", F.col("line_no").cast("string"))))
    return single.unionByName(ranked, allowMissingColumns=True), n_repeated


def first_copy(valid: DataFrame) -> DataFrame:
    """Keep the first landed copy of each event_id (file order, then line order)."""
    return rank_copies(valid).where("_n = 1").drop("_n", "_content", "_first_content", "_first_at")


def held_rows(spark: SparkSession, copies: DataFrame, copies_by_date: dict[dt.date, int]) -> DataFrame:
    """Silver's rows that share (event_date, event_id) with a valid copy of this batch —
    what the copies are checked against. A day the batch has few copies of (the late reads
    of the day before, a handful of stragglers) is looked up with those copies' ids
    broadcast, so the 20 M rows silver holds of that day are scanned, not shuffled; a day of
    many copies (the landing day itself) is taken whole (nothing yet, on a first run)."""
    silver_now = spark.table(config.SILVER_CAMERA_EVENTS)
    sparse: list[dt.date] = []
    looked_up = 0
    for d, n in sorted(copies_by_date.items(), key=lambda kv: kv[1]):   # fewest first, all within one broadcast
        if not few(looked_up + n):
            break
        sparse.append(d)
        looked_up += n
    dense = sorted(d for d in copies_by_date if d not in sparse)
    parts = []
    if sparse:
        ids = (copies.where(F.col("event_date").isin(sparse))
               .select(F.col("event_date").alias("_d"), F.col("event_id").alias("_id")))
        parts.append(silver_now.where(F.col("event_date").isin(sparse)).join(
            F.broadcast(ids), (F.col("event_id") == F.col("_id")) & (F.col("event_date") == F.col("_d")),
            "left_semi"))
    if dense:
        parts.append(silver_now.where(F.col("event_date").isin(dense)))
    if not parts:
        return silver_now.where(F.lit(False))
    return functools.reduce(DataFrame.unionByName, parts)


def quarantined(classified: DataFrame) -> DataFrame:
    return classified.where(F.col("reason_code").isNotNull()).select(
        "landing_date", "source_file", "line_no", "reason_code", "reason_detail", "raw",
        "ingested_at", F.current_timestamp().alias("quarantined_at"),
    )


# --- load ----------------------------------------------------------------------------

def retarget_conflicts(spark: SparkSession, winners: DataFrame, landing_date: dt.date) -> None:
    """Conflicts of later landing days named the copy that was in silver when they were
    loaded; once an earlier-landed copy has replaced it, name that one (as a load in
    landing order would have)."""
    view = f"_winners_{landing_date:%Y%m%d}"
    winners.createOrReplaceTempView(view)
    try:
        spark.sql(f"""
            MERGE INTO {config.QUARANTINE_CAMERA_EVENTS} t USING {view} s
            ON t.landing_date > DATE'{landing_date.isoformat()}'
               AND t.reason_code = 'DUPLICATE_CONFLICT'
               AND startswith(t.reason_detail, concat('event_id ', s.event_id, ' already in silver from '))
            WHEN MATCHED THEN UPDATE SET
                reason_detail = concat('event_id ', s.event_id, ' already in silver from ', s.at,
                                       ' with other content')""").collect()
    finally:
        spark.catalog.dropTempView(view)


def run(spark: SparkSession, landing_date: dt.date) -> dict[str, int]:
    ensure_schema(spark, "silver", "quarantine")
    spark.sql(SILVER_DDL)
    add_missing_columns(spark, config.SILVER_CAMERA_EVENTS, {"landed_by": "TIMESTAMP"})   # older tables
    spark.sql(QUARANTINE_DDL)
    if not spark.catalog.tableExists(config.BRONZE_CAMERA_EVENTS):
        raise RuntimeError(f"{config.BRONZE_CAMERA_EVENTS} does not exist: run the bronze load first")
    if not spark.catalog.tableExists(config.SILVER_CAMERAS):
        raise RuntimeError(f"{config.SILVER_CAMERAS} does not exist: load the camera registry first")
    laps = Laps()
    step = f"silver camera_events {landing_date}:"
    bronze = spark.table(config.BRONZE_CAMERA_EVENTS).where(F.col("landing_date") == F.lit(landing_date))
    # Parse and classify each line once: the counts, the ranking and the MERGEs below all
    # read this checkpoint (they used to parse the day's JSON again, once each). Kept on
    # local disk, serialized: held as objects in the 4 GiB heap a 20 M-line day spilled and
    # collected garbage (149.5 s against 114.4 s on disk for the checkpoint, and 25.2 s
    # against 14.4 s for the pass over it that finds repeated ids; measured on the bench day).
    staged = staged_rows(classify(parse(bronze), spark.table(config.SILVER_CAMERAS))) \
        .localCheckpoint(storageLevel=StorageLevel.DISK_ONLY)
    # one pass over the checkpoint: lines per reason, and the event dates of the valid ones
    by_reason_date = staged.groupBy(
        "reason_code", F.when(F.col("reason_code").isNull(), F.to_date("event_time")).alias("event_date")
    ).agg(F.count("*").alias("n")).collect()
    counts: dict[str | None, int] = {}
    for r in by_reason_date:
        counts[r["reason_code"]] = counts.get(r["reason_code"], 0) + r["n"]
    copies_by_date = {r["event_date"]: r["n"] for r in by_reason_date if r["reason_code"] is None}
    dates = sorted(copies_by_date)
    total = sum(counts.values())
    valid = counts.get(None, 0)
    if total == 0:
        log(f"{step} no bronze rows for this landing date")
        return {"bronze": 0}
    log(f"{step} {fmt(total)} bronze lines parsed and classified, {fmt(valid)} valid ({laps.lap()})")
    valid_copies = valid_events(staged)
    # A first copy whose event_id silver already holds. The copy that LANDED FIRST wins, in
    # whatever order the days are loaded: held from an earlier (or this) landing day with
    # other content -> this copy is a conflict; held from a LATER landing day (a backfill out
    # of order) -> this copy replaces it, and the held copy, if its content differs, becomes
    # the conflict of its own landing day — as if the days had been loaded in order.
    # Silver's rows are read once, before this run writes to it (checkpointed).
    held = held_rows(spark, valid_copies, copies_by_date).select(
        F.col("event_date").alias("_held_date"), F.col("event_id").alias("_held_id"),
        content_hash().alias("_held"),
        F.col("landing_date").alias("_held_landing"), F.col("source_file").alias("_held_file"),
        F.col("line_no").alias("_held_line")).localCheckpoint()
    n_held = held.count()
    checked_all, n_repeated = check_copies(valid_copies, held, n_held)
    cols = [c for c in valid_copies.columns if not c.startswith("_")]
    log(f"{step} copies ranked by landing order ({fmt(n_repeated)} event_ids with more than one) and "
        f"checked against the {fmt(n_held)} rows silver holds of their ids on {len(dates)} event days "
        f"({laps.lap()})")
    # what each copy is (conditions on checked_all's columns)
    first = F.col("_n") == 1                  # the first copy of its event_id in this batch
    in_batch = (F.col("_n") > 1) & (F.col("_content") != F.col("_first_content"))
    later = F.col("_held_landing") > F.lit(landing_date)
    differs = F.col("_held").isNotNull() & (F.col("_held") != F.col("_content"))
    kept = F.col("_held").isNull() | (F.col("_held") == F.col("_content")) | later
    prior = differs & ~later                  # silver holds an earlier-landed copy with other content
    displaces = differs & later               # ... a later-landed one with other content: it moves
    checked = checked_all.where(first)
    in_batch_conflict = checked_all.where(in_batch)
    prior_conflict = checked.where(prior)
    displaced = checked.where(displaces)
    keep = checked.where(kept)
    # counted in ONE pass over the checked copies (five jobs before, 49 s at 20 M reads): the
    # conflicts in the batch and with silver, the copies to keep and those replacing a
    # later-landed copy, and the landing days of the held copies they displace
    tally = checked_all.agg(
        F.count(F.when(in_batch, 1)).alias("in_batch"),
        F.count(F.when(first & prior, 1)).alias("prior"),
        F.count(F.when(first & later, 1)).alias("replaced"),
        F.count(F.when(first & kept, 1)).alias("keep"),
        # kept, and silver holds the same content from an EARLIER landing day: it stays there
        F.count(F.when(first & kept & (F.col("_held_landing") < F.lit(landing_date)), 1))
        .alias("held_earlier"),
        F.count(F.when(first & displaces, 1)).alias("displaced"),
        F.collect_set(F.when(first & displaces, F.col("_held_landing"))).alias("held_landings"),
    ).first()
    n_conflicts = tally["in_batch"] + tally["prior"]
    # the raw lines of conflicting copies come from bronze (read only when there are any)
    conflict_rows = common.conflict_rows(
        in_batch_conflict, bronze, ROW_KEY,
        F.concat(F.lit("event_id "), F.col("event_id"), F.lit(" first landed at "), F.col("_first_at"),
                 F.lit(" with other content")), broadcast=few(n_conflicts)).unionByName(common.conflict_rows(
        prior_conflict, bronze, ROW_KEY,
        F.concat(F.lit("event_id "), F.col("event_id"), F.lit(" already in silver from "), F.col("_held_at"),
                 F.lit(" with other content")), broadcast=few(n_conflicts))) if n_conflicts else None
    displaced_rows = common.conflict_rows(
        displaced.select(F.col("_held_landing").alias("landing_date"), F.col("_held_file").alias("source_file"),
                         F.col("_held_line").alias("line_no"),
                         F.concat(F.lit("event_id "), F.col("event_id"), F.lit(" already in silver from "),
                                  F.concat_ws(":", "source_file", F.col("line_no").cast("string")),
                                  F.lit(" with other content")).alias("_detail")),
        spark.table(config.BRONZE_CAMERA_EVENTS), ROW_KEY, F.col("_detail"), broadcast=few(tally["displaced"]))
    held_landings = sorted(tally["held_landings"])
    replacing = checked.where(later)   # first copies whose held copy landed later: they replace it
    winners = replacing.select(
        "event_id", F.concat_ws(":", "source_file", F.col("line_no").cast("string")).alias("at"))
    # (displaced and winners come from the checkpoint taken before any write: the MERGEs
    # below cannot change them)
    replaced = tally["replaced"]
    if n_conflicts:
        counts["DUPLICATE_CONFLICT"] = n_conflicts
    distinct = tally["keep"]
    log(f"{step} {fmt(distinct)} events to keep, {fmt(n_conflicts)} conflicts, {fmt(replaced)} "
        f"replacing later-landed copies ({laps.lap()})")
    # Two MERGEs: the copies silver did not hold when checked (nearly all) by an insert-only
    # MERGE, which Delta runs as an anti-join (no rewrite of matched files: 10.5 s against
    # 13.4 s for 1.47 M rows with the replace clause, measured); the few whose held copy
    # landed later (or that silver already holds) by the MERGE that may replace a row.
    # The insert-only MERGE matches only silver's rows of THIS landing day (a re-run's): the
    # copies it inserts were in no landing day's row when checked, and a writer adding to
    # these event days since makes Delta fail this commit (it read those partitions). Silver's
    # files of other landing days are then skipped on their landing_date statistics instead
    # of joined — the day before's 20 M rows, for its late reads.
    prune = f"t.event_date IN ({sql_date_list(dates)})"
    this_landing = f"{prune} AND t.landing_date = DATE'{landing_date.isoformat()}'"
    with session_conf(spark, BULK_WRITE_CONF):   # written by every task (not binned into one file)
        inserted = merge_insert_new(spark, keep.where(F.col("_held").isNull()).select(*cols),
                                    config.SILVER_CAMERA_EVENTS, ["event_date", "event_id"], prune=this_landing)
    if replaced:
        inserted += merge_insert_new(spark, replacing.select(*cols), config.SILVER_CAMERA_EVENTS,
                                     ["event_date", "event_id"], prune=prune,
                                     replace_when="t.landing_date > s.landing_date")
    log(f"{step} MERGE into silver: {fmt(inserted)} new ({laps.lap()})")
    if held_landings:   # copies of later landing days that this day's copies displaced
        moved = merge_insert_new(spark, displaced_rows, config.QUARANTINE_CAMERA_EVENTS, ROW_KEY,
                                 prune=f"t.landing_date IN ({sql_date_list(held_landings)})")
        log(f"{step} {fmt(moved)} copies of later landing days "
            f"({', '.join(map(str, held_landings))}) displaced by earlier-landed copies with other content "
            f"-> quarantine DUPLICATE_CONFLICT of their own landing day ({laps.lap()})")
    if replaced:
        retarget_conflicts(spark, winners, landing_date)
    rejected = quarantined(staged)
    q_new = merge_insert_new(
        spark, rejected.unionByName(conflict_rows) if conflict_rows is not None else rejected,
        config.QUARANTINE_CAMERA_EVENTS,
        ["landing_date", "source_file", "line_no"],
        prune=f"t.landing_date = DATE'{landing_date.isoformat()}'", delete_stale=True,
    )
    log(f"{step} MERGE into quarantine: {fmt(q_new)} new ({laps.lap()})")
    # Check against what the tables now hold, not against our own arithmetic: the events
    # kept are silver's rows of this landing day (inserted or replacing now, or by an earlier
    # run of this day) plus those silver held from an earlier landing day with the same
    # content (found in silver when checked; this job only adds and replaces). Counted by a
    # pruned scan of two columns — the semi-join of the kept ids against silver's days it
    # replaced cost 52 s at 20 M reads.
    in_silver = (
        spark.table(config.SILVER_CAMERA_EVENTS)
        .where(F.col("event_date").isin(dates) & (F.col("landing_date") == F.lit(landing_date)))
        .count()
    ) + tally["held_earlier"]
    in_quarantine = (
        spark.table(config.QUARANTINE_CAMERA_EVENTS)
        .where(F.col("landing_date") == F.lit(landing_date)).count()
    )
    log(f"{step} tables counted for the reconciliation ({laps.lap()})")
    dups = valid - distinct - n_conflicts
    result = {
        "bronze": total, "valid": valid, "new": inserted, "already": distinct - inserted - replaced,
        "updated": replaced,
        "duplicates": dups, "quarantined": in_quarantine, "quarantine_new": q_new,
        **{f"reason.{k}": v for k, v in counts.items() if k},
    }
    ok = total == in_silver + dups + in_quarantine
    reasons = ", ".join(f"{k} {fmt(v)}" for k, v in sorted(counts.items(), key=lambda kv: str(kv[0])) if k)
    log(f"reconcile camera_events {landing_date}: bronze {fmt(total)} = silver {fmt(in_silver)}"
        f" (new {fmt(inserted)}, already there {fmt(distinct - inserted - replaced)}"
        + (f", replacing copies of later landing days {fmt(replaced)}" if replaced else "") + ")"
        f" + duplicates removed {fmt(dups)} + quarantined {fmt(in_quarantine)}"
        f" [{reasons or 'none'}] -> {'OK' if ok else 'MISMATCH'}")
    if not ok:
        raise RuntimeError(f"reconciliation failed for {landing_date}: {result}")
    return result


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--date", required=True, type=dt.date.fromisoformat, help="landing date")
    args = p.parse_args(argv)
    run(get_spark("camera_silver"), args.date)


if __name__ == "__main__":
    main()
