"""Bronze → silver for the case system: typed CDC versions, current state, status history.

Each bronze record (one CDC row) ends in exactly one place:
  * ``silver.case_record_versions`` — the earliest-landed copy of each (record_id,
    record_version), typed and conformed to the current communes;
  * counted as a duplicate — another copy of a version with the same content (the source
    resends rows);
  * ``quarantine.case_records`` — with ONE reason code, checked in this order:
    MALFORMED_ROW, MISSING_FIELD, BAD_TIMESTAMP, BAD_VALUE, UNKNOWN_ARTICLE,
    UNKNOWN_COMMUNE, UNKNOWN_UNIT; and DUPLICATE_CONFLICT for a valid copy of a version
    whose earliest-landed copy has other content.
**Earliest landing wins in any load order**: when a backfill loads an earlier landing day
after a later one, the earlier copy of a version replaces the one silver held, the replaced
copy (if its content differs) becomes a conflict of its own landing day, and conflicts of
later days name the new winner — the tables end as a load in landing order leaves them.
Free text (address, summary) is normalised to Unicode NFC: the same Vietnamese word typed
with combining marks (NFD) and precomposed (NFC) is one string in silver.
From the versions, ``silver.case_records`` holds the newest version of each record and
``silver.case_status_history`` one row per status a record went through, both recomputed
for the records a run touched from all their versions in silver (so versions arriving out
of order never roll a record back nor leave a wrong history). All writes are MERGEs: a
re-run changes nothing.

**Admin units across the 2025 merger.** ``location_commune_code`` of a record received before
1 July 2025 is a legacy (526-unit) code, later a current (126-unit) one — the two lists share
codes, so the receipt date decides. Legacy codes are conformed with the crosswalk
(``silver.ref_commune_crosswalk``): a legacy unit merged whole goes to its one current
commune; a split one to the candidate nearest the record's coordinates, else to the
reference's default ward (the rule of :func:`antt.reference.admin_units.current_commune_for`).
"""
from __future__ import annotations

import argparse
import datetime as dt
import uuid

from pyspark.sql import Column, DataFrame, SparkSession, Window
from pyspark.sql import functions as F

from antt.reference.admin_units import MERGER_DATE
from antt.reference.seeds import penal_code_articles
from spark_jobs import common, config
from spark_jobs.conform import ROW_KEY, ZONED_TS_RE, conform  # noqa: F401 (conform: public here too)
from spark_jobs.common import (date_range, ensure_schema, fmt, log, merge_insert_new, merge_upsert,
                               sql_date_list)

KINDS = ("TO_GIAC", "TIN_BAO", "KIEN_NGHI_KHOI_TO")
STATUSES = ("RECEIVED", "VERIFYING", "PROSECUTED", "NOT_PROSECUTED", "CLEARED", "SUSPENDED")
REASONS = ("MALFORMED_ROW", "MISSING_FIELD", "BAD_TIMESTAMP", "BAD_VALUE", "UNKNOWN_ARTICLE",
           "UNKNOWN_COMMUNE", "UNKNOWN_UNIT", "DUPLICATE_CONFLICT")
FREE_TEXT = ("address", "summary")
REQUIRED = ("record_id", "record_version", "changed_at", "record_kind", "article",
            "received_at", "receiving_unit_code", "location_commune_code", "status", "status_at")
TIMESTAMPS = ("changed_at", "received_at", "incident_at", "status_at", "prosecuted_at",
              "cleared_at", "suspended_at")
TEXT = ("op", "record_id", "record_version", "record_kind", "article", "receiving_unit_code",
        "location_commune_code", "address", "lat", "lon", "summary", "status", "is_complex",
        "deadline_extended", "case_no", "vehicle_plate")
PLATE_RE = r"^[0-9]{2}[A-Z]{1,2}[0-9]?-([0-9]{3}\.[0-9]{2}|[0-9]{4})$"
HANOI_BBOX = (20.3, 21.5, 105.2, 106.1)  # lat_min, lat_max, lon_min, lon_max (generous)

VERSION_COLS = (
    "record_id", "record_version", "op", "changed_at", "record_kind", "article",
    "received_at", "received_date", "incident_at", "receiving_unit_code",
    "location_code", "location_code_scheme", "commune_code", "lat", "lon", "address",
    "summary", "status", "status_at", "is_complex", "deadline_extended", "case_no",
    "prosecuted_at", "cleared_at", "suspended_at", "vehicle_plate",
    "landing_date", "source_file", "record_no", "ingested_at", "processed_at",
)

_COLS_DDL = """
  record_id        STRING    COMMENT 'case system record id (tin báo / vụ án); unique per record',
  record_version   INT       COMMENT 'CDC version of the record, 1 = first',
  op               STRING    COMMENT 'CDC operation: I (insert) or U (update)',
  changed_at       TIMESTAMP COMMENT 'when the source changed the record',
  record_kind      STRING    COMMENT 'TO_GIAC (tố giác) | TIN_BAO (tin báo) | KIEN_NGHI_KHOI_TO',
  article          INT       COMMENT 'Penal Code 2015 article',
  received_at      TIMESTAMP COMMENT 'receipt of the report',
  received_date    DATE      COMMENT 'local date of received_at',
  incident_at      TIMESTAMP,
  receiving_unit_code STRING COMMENT 'police unit that received it (CAX-/CAH- + admin code)',
  location_code    STRING    COMMENT 'admin unit code as the source sent it',
  location_code_scheme STRING COMMENT 'LEGACY (526 units, before 1 July 2025) or CURRENT (126)',
  commune_code     STRING    COMMENT 'current commune (post-merger) the record reports under',
  lat              DOUBLE,
  lon              DOUBLE,
  address          STRING,
  summary          STRING,
  status           STRING    COMMENT 'RECEIVED | VERIFYING | PROSECUTED | NOT_PROSECUTED | CLEARED | SUSPENDED',
  status_at        TIMESTAMP,
  is_complex       BOOLEAN   COMMENT 'complex report: settlement limit extended (BLTTHS Art. 147(2))',
  deadline_extended BOOLEAN  COMMENT 'the procuracy extended the limit once (Art. 147(2))',
  case_no          STRING    COMMENT 'vụ án number once prosecution opened',
  prosecuted_at    TIMESTAMP,
  cleared_at       TIMESTAMP,
  suspended_at     TIMESTAMP,
  vehicle_plate    STRING    COMMENT 'stolen vehicle plate (vehicle theft), normalised',
  landing_date     DATE,
  source_file      STRING,
  record_no        INT,
  ingested_at      TIMESTAMP,
  processed_at     TIMESTAMP
"""

DDL = {
    config.SILVER_CASE_RECORD_VERSIONS: f"""
CREATE TABLE IF NOT EXISTS {config.SILVER_CASE_RECORD_VERSIONS} ({_COLS_DDL}) USING DELTA
COMMENT 'Every CDC version of every case record, typed; one row per (record_id, record_version)'""",
    config.SILVER_CASE_RECORDS: f"""
CREATE TABLE IF NOT EXISTS {config.SILVER_CASE_RECORDS} ({_COLS_DDL}) USING DELTA
COMMENT 'Current state of each case record (its highest version); one row per record_id'""",
    config.SILVER_CASE_STATUS_HISTORY: f"""
CREATE TABLE IF NOT EXISTS {config.SILVER_CASE_STATUS_HISTORY} (
  record_id      STRING,
  status         STRING,
  status_at      TIMESTAMP COMMENT 'when the record entered this status',
  record_version INT       COMMENT 'first version seen carrying this status',
  commune_code   STRING,
  article        INT,
  processed_at   TIMESTAMP
) USING DELTA
COMMENT 'Status transitions of case records; one row per (record_id, status, status_at)'""",
    config.QUARANTINE_CASE_RECORDS: f"""
CREATE TABLE IF NOT EXISTS {config.QUARANTINE_CASE_RECORDS} (
  landing_date   DATE,
  source_file    STRING,
  record_no      INT,
  record_id      STRING,
  reason_code    STRING,
  reason_detail  STRING,
  raw            STRING,
  ingested_at    TIMESTAMP,
  quarantined_at TIMESTAMP
) USING DELTA
PARTITIONED BY (landing_date)
COMMENT 'Case CDC rows rejected by silver validation, with the reason; nothing is dropped'""",
}


# --- transform (pure) ----------------------------------------------------------------

def _blank(c: Column) -> Column:
    return c.isNull() | (F.trim(c) == "")


def nfc(c: Column) -> Column:
    """Unicode NFC, in the JVM (ICU4J ships with Spark: ``Normalizer.compose(s, false)``)."""
    return F.when(c.isNotNull(), F.call_function("reflect", F.lit("com.ibm.icu.text.Normalizer"),
                                                 F.lit("compose"), c, F.lit(False)))


def parse(bronze: DataFrame) -> DataFrame:
    """Raw JSON → text fields ``t_<name>`` (NULL when absent) and typed columns."""
    fields = set(TEXT) | set(TIMESTAMPS)
    js = F.when(~F.col("malformed"), F.from_json("raw", "map<string,string>"))
    p = bronze.withColumn("_m", js)
    text = [F.nullif(F.trim(nfc(F.col("_m")[f]) if f in FREE_TEXT else F.col("_m")[f]), F.lit("")).alias(f"t_{f}")
            for f in sorted(fields)]
    p = p.select(*bronze.columns, "_m", *text)
    typed = [
        F.expr("try_cast(t_record_version AS INT)").alias("record_version"),
        F.expr("try_cast(t_article AS INT)").alias("article"),
        F.expr("try_cast(t_lat AS DOUBLE)").alias("lat"),
        F.expr("try_cast(t_lon AS DOUBLE)").alias("lon"),
        *[F.expr(f"try_cast(t_{c} AS TIMESTAMP)").alias(c) for c in TIMESTAMPS],
        F.upper(F.regexp_replace("t_vehicle_plate", r"\s+", "")).alias("vehicle_plate"),
    ]
    return p.select("*", *typed)


def classify(parsed: DataFrame, legacy_codes: DataFrame, current_codes: DataFrame,
             units: DataFrame, articles: frozenset[int], merger: dt.date) -> DataFrame:
    """Set ``reason_code``/``reason_detail`` (NULL = valid) and the code scheme."""
    received_date = F.to_date("received_at")
    scheme = F.when(received_date < F.lit(merger), F.lit("LEGACY")).otherwise(F.lit("CURRENT"))
    df = parsed.withColumn("received_date", received_date).withColumn("location_code_scheme", scheme)
    known = (
        legacy_codes.select(F.col("legacy_code").alias("_code"), F.lit("LEGACY").alias("_scheme"))
        .unionByName(current_codes.select(F.col("commune_code").alias("_code"),
                                          F.lit("CURRENT").alias("_scheme")))
        .withColumn("_known_commune", F.lit(True))
    )
    df = df.join(known, (df["t_location_commune_code"] == known["_code"])
                 & (df["location_code_scheme"] == known["_scheme"]), "left").drop("_code", "_scheme")
    u = units.select(F.col("unit_code").alias("_unit"), F.col("valid_from").alias("_uf"),
                     F.col("valid_to").alias("_ut"))
    df = df.join(u, (df["t_receiving_unit_code"] == u["_unit"])
                 & (u["_uf"].isNull() | (df["received_date"] >= u["_uf"]))
                 & (u["_ut"].isNull() | (df["received_date"] <= u["_ut"])), "left")
    df = df.withColumn("_known_unit", F.col("_unit").isNotNull()).drop("_unit", "_uf", "_ut")

    missing = [F.when(_blank(F.col(f"t_{f}")), F.lit(f)) for f in REQUIRED]
    bad_ts = [F.when(F.col(f"t_{c}").isNotNull()
                     & (F.col(c).isNull() | ~F.col(f"t_{c}").rlike(ZONED_TS_RE)),
                     F.concat(F.lit(f"{c}="), F.col(f"t_{c}"))) for c in TIMESTAMPS]
    lat_min, lat_max, lon_min, lon_max = HANOI_BBOX
    bad_val = [
        F.when(F.col("record_version").isNull() | (F.col("record_version") < 1),
               F.concat(F.lit("record_version="), F.col("t_record_version"))),
        F.when(~F.col("t_status").isin(*STATUSES), F.concat(F.lit("status="), F.col("t_status"))),
        F.when(~F.col("t_record_kind").isin(*KINDS), F.concat(F.lit("record_kind="), F.col("t_record_kind"))),
        F.when(F.col("article").isNull(), F.concat(F.lit("article="), F.col("t_article"))),
        F.when(F.coalesce(F.col("t_op"), F.lit("?")).isin("I", "U") == F.lit(False),
               F.concat(F.lit("op="), F.coalesce(F.col("t_op"), F.lit("<empty>")))),
        F.when(F.col("t_lat").isNotNull() != F.col("t_lon").isNotNull(), F.lit("lat/lon: only one given")),
        F.when(F.col("t_lat").isNotNull() & (F.col("lat").isNull() | ~F.col("lat").between(lat_min, lat_max)
                                             | F.col("lon").isNull() | ~F.col("lon").between(lon_min, lon_max)),
               F.concat(F.lit("lat/lon outside Hà Nội: "), F.col("t_lat"), F.lit(","), F.col("t_lon"))),
        F.when(F.coalesce(F.col("t_is_complex"), F.lit("0")).isin("0", "1") == F.lit(False),
               F.concat(F.lit("is_complex="), F.col("t_is_complex"))),
        F.when(F.coalesce(F.col("t_deadline_extended"), F.lit("0")).isin("0", "1") == F.lit(False),
               F.concat(F.lit("deadline_extended="), F.col("t_deadline_extended"))),
        F.when(F.col("vehicle_plate").isNotNull() & ~F.col("vehicle_plate").rlike(PLATE_RE),
               F.concat(F.lit("vehicle_plate="), F.col("t_vehicle_plate"))),
    ]
    rules: list[tuple[str, Column, Column]] = [
        ("MALFORMED_ROW", F.col("malformed") | F.col("_m").isNull(),
         F.lit("CSV record does not have the header's number of fields")),
        ("MISSING_FIELD", F.concat_ws(", ", *missing) != "",
         F.concat(F.lit("empty: "), F.concat_ws(", ", *missing))),
        ("BAD_TIMESTAMP", F.concat_ws(", ", *bad_ts) != "",
         F.concat(F.lit("not ISO 8601 with a zone: "), F.concat_ws(", ", *bad_ts))),
        ("BAD_VALUE", F.concat_ws("; ", *bad_val) != "", F.concat_ws("; ", *bad_val)),
        ("UNKNOWN_ARTICLE", ~F.col("article").isin(*sorted(articles)),
         F.concat(F.lit("Penal Code article not in reference: "), F.col("t_article"))),
        ("UNKNOWN_COMMUNE", F.col("_known_commune").isNull(),
         F.concat(F.lit("commune code "), F.col("t_location_commune_code"), F.lit(" is not a "),
                  F.lower("location_code_scheme"), F.lit(" Hanoi unit for a record received "),
                  F.col("received_date").cast("string"))),
        ("UNKNOWN_UNIT", ~F.col("_known_unit"),
         F.concat(F.lit("police unit "), F.col("t_receiving_unit_code"),
                  F.lit(" did not exist on "), F.col("received_date").cast("string"))),
    ]
    reason = F.lit(None).cast("string")
    detail = F.lit(None).cast("string")
    for code, cond, text in reversed(rules):  # first matching rule wins
        reason = F.when(cond, F.lit(code)).otherwise(reason)
        detail = F.when(cond, text).otherwise(detail)
    return df.withColumn("reason_code", reason).withColumn("reason_detail", detail).drop("_known_commune")


def shape(conformed: DataFrame) -> DataFrame:
    """Valid, conformed rows in the silver shape (every copy)."""
    return conformed.select(
        F.col("t_record_id").alias("record_id"), "record_version", F.col("t_op").alias("op"),
        "changed_at", F.col("t_record_kind").alias("record_kind"), "article", "received_at",
        "received_date", "incident_at", F.col("t_receiving_unit_code").alias("receiving_unit_code"),
        F.col("t_location_commune_code").alias("location_code"), "location_code_scheme",
        "commune_code", "lat", "lon", F.col("t_address").alias("address"),
        F.col("t_summary").alias("summary"), F.col("t_status").alias("status"), "status_at",
        (F.coalesce(F.col("t_is_complex"), F.lit("0")) == "1").alias("is_complex"),
        (F.coalesce(F.col("t_deadline_extended"), F.lit("0")) == "1").alias("deadline_extended"),
        F.col("t_case_no").alias("case_no"), "prosecuted_at", "cleared_at", "suspended_at",
        "vehicle_plate", "landing_date", "source_file", "record_no", "ingested_at",
        F.current_timestamp().alias("processed_at"),
    )


# what makes two copies of a (record_id, record_version) the same row or a conflict
CONTENT_EXCLUDED = ("landing_date", "source_file", "record_no", "ingested_at", "processed_at")


def content_hash() -> Column:
    return common.content_hash([c for c in VERSION_COLS if c not in CONTENT_EXCLUDED])


def latest(vers: DataFrame) -> DataFrame:
    """The highest version of each record in a set of versions."""
    w = Window.partitionBy("record_id").orderBy(F.col("record_version").desc())
    return vers.withColumn("_n", F.row_number().over(w)).where("_n = 1").drop("_n")


def status_history(vers: DataFrame) -> DataFrame:
    w = Window.partitionBy("record_id", "status", "status_at").orderBy("record_version")
    return (vers.withColumn("_n", F.row_number().over(w)).where("_n = 1")
            .select("record_id", "status", "status_at", "record_version", "commune_code", "article",
                    "processed_at"))


def quarantined(classified: DataFrame) -> DataFrame:
    return classified.where(F.col("reason_code").isNotNull()).select(
        *ROW_KEY, F.col("t_record_id").alias("record_id"), "reason_code", "reason_detail", "raw",
        "ingested_at", F.current_timestamp().alias("quarantined_at"))


KEYS = ["record_id", "record_version"]


def resolve(spark: SparkSession, shaped: DataFrame) -> DataFrame:
    """The batch's valid copies and the versions silver already holds for the same keys,
    ranked so the earliest-landed copy of each version wins (see
    :func:`spark_jobs.common.resolve_copies`)."""
    held_table = spark.table(config.SILVER_CASE_RECORD_VERSIONS)
    held = (held_table.join(shaped.select(*KEYS).distinct(), KEYS, "left_semi")
            .select(*KEYS, *ROW_KEY, content_hash().alias("_content")))
    return common.resolve_copies(shaped.withColumn("_content", content_hash()), held, KEYS, ROW_KEY)


def _version_label() -> Column:
    return F.concat(F.col("record_id"), F.lit(" v"), F.col("record_version").cast("string"))


def conflict_detail(landing: Column) -> Column:
    """A copy that lost to one of the same landing day "first landed at" it; to one of an
    earlier day, it found that one "already in silver" — as a load in landing order says."""
    how = F.when(F.col("_win_landing") == landing, F.lit(" first landed at ")).otherwise(F.lit(" already in silver from "))
    return F.concat(_version_label(), how, F.col("_win_at"), F.lit(" with other content"))


def retarget_conflicts(spark: SparkSession, winners: DataFrame) -> None:
    """Conflicts of other landing days named the copy silver held when they were loaded;
    once an earlier-landed copy replaced it, they name that one."""
    view = f"_winners_{uuid.uuid4().hex[:8]}"
    winners.select(*KEYS, "landing_date", F.col("_win_at").alias("at")).createOrReplaceTempView(view)
    try:
        spark.sql(f"""
            MERGE INTO {config.QUARANTINE_CASE_RECORDS} t USING {view} s
            ON t.landing_date > s.landing_date AND t.record_id = s.record_id
               AND t.reason_code = 'DUPLICATE_CONFLICT'
               AND startswith(t.reason_detail, concat(s.record_id, ' v', s.record_version, ' already in silver from '))
            WHEN MATCHED AND NOT startswith(t.reason_detail, concat(s.record_id, ' v', s.record_version,
                                            ' already in silver from ', s.at, ' ')) THEN UPDATE SET
                reason_detail = concat(s.record_id, ' v', s.record_version, ' already in silver from ', s.at,
                                       ' with other content')""").collect()
    finally:
        spark.catalog.dropTempView(view)


def merge_history(spark: SparkSession, vers: DataFrame, touched: DataFrame) -> dict[str, int]:
    """Make the status history of the ``touched`` records what ``vers`` (all their versions
    in silver) says — so versions arriving in any order, or a version replaced by an
    earlier-landed copy, give the history a load in order gives: insert, correct, and
    delete what no version says any more."""
    key = ["record_id", "status", "status_at"]
    want = status_history(vers)
    stale = (spark.table(config.SILVER_CASE_STATUS_HISTORY).join(touched, "record_id", "left_semi")
             .join(want.select(*key), key, "left_anti").select(*key))
    src = want.withColumn("_delete", F.lit(False)).unionByName(stale.withColumn("_delete", F.lit(True)),
                                                                allowMissingColumns=True)
    view = f"_hist_{uuid.uuid4().hex[:8]}"
    src.createOrReplaceTempView(view)
    cols = ["record_id", "status", "status_at", "record_version", "commune_code", "article", "processed_at"]
    same = " AND ".join(f"t.{c} <=> s.{c}" for c in ("record_version", "commune_code", "article"))
    try:
        m = spark.sql(f"""
            MERGE INTO {config.SILVER_CASE_STATUS_HISTORY} t USING {view} s
            ON {" AND ".join(f"t.{k} = s.{k}" for k in key)}
            WHEN MATCHED AND s._delete THEN DELETE
            WHEN MATCHED AND NOT s._delete AND NOT ({same}) THEN UPDATE SET
                {", ".join(f"{c} = s.{c}" for c in cols[3:])}
            WHEN NOT MATCHED AND NOT s._delete THEN INSERT ({", ".join(cols)})
                VALUES ({", ".join(f"s.{c}" for c in cols)})""").collect()
    finally:
        spark.catalog.dropTempView(view)
    row = m[0] if m else None
    return {k: int(row[f"num_{k}_rows"]) if row else 0 for k in ("inserted", "updated", "deleted")}


# --- load ----------------------------------------------------------------------------

def run(spark: SparkSession, landing_dates: dt.date | list[dt.date]) -> dict[str, int]:
    """Process the bronze rows of one landing date, or of several at once (a backfill)."""
    dates = sorted(landing_dates) if isinstance(landing_dates, list) else [landing_dates]
    label = dates[0].isoformat() if len(dates) == 1 else f"{dates[0]}..{dates[-1]} ({len(dates)} days)"
    in_dates = F.col("landing_date").isin(dates)
    ensure_schema(spark, "silver", "quarantine")
    for ddl in DDL.values():
        spark.sql(ddl)
    for needed, hint in ((config.BRONZE_CASE_RECORDS, "run the case bronze load first"),
                         (config.SILVER_REF_COMMUNE_CROSSWALK, "load the reference data first")):
        if not spark.catalog.tableExists(needed):
            raise RuntimeError(f"{needed} does not exist: {hint}")
    bronze = spark.table(config.BRONZE_CASE_RECORDS).where(in_dates)
    classified = classify(
        parse(bronze), spark.table(config.SILVER_REF_LEGACY_COMMUNES),
        spark.table(config.SILVER_REF_COMMUNES), spark.table(config.SILVER_REF_POLICE_UNITS),
        penal_code_articles(), dt.date.fromisoformat(MERGER_DATE),
    ).cache()
    try:
        counts = {r["reason_code"]: r["n"] for r in
                  classified.groupBy("reason_code").agg(F.count("*").alias("n")).collect()}
        total = sum(counts.values())
        if total == 0:
            log(f"silver case_records {label}: no bronze rows for this landing date")
            return {"bronze": 0}
        valid = counts.get(None, 0)
        shaped = shape(conform(classified.where(F.col("reason_code").isNull()),
                               spark.table(config.SILVER_REF_COMMUNE_CROSSWALK)))
        # read silver's copies once, before this run writes: the ranking decides everything
        ranked = resolve(spark, shaped).localCheckpoint()
        batch = ranked.where(~F.col("_from_target"))
        lost_to_winner = (F.col("_n") > 1) & (F.col("_content") != F.col("_win_content"))
        winners = batch.where(F.col("_n") == 1)
        distinct = winners.count()
        conflicts = batch.where(lost_to_winner)
        n_conflicts = conflicts.count()
        if n_conflicts:
            counts["DUPLICATE_CONFLICT"] = n_conflicts
        conflict_q = common.conflict_rows(conflicts, bronze, ROW_KEY, conflict_detail(F.col("landing_date")),
                                          extra=("record_id",))
        # versions silver held from LATER landing days than a copy of this batch: replaced,
        # and where their content differs they become conflicts of their own landing day
        replaced = ranked.where(F.col("_from_target") & (F.col("_n") > 1))
        n_replaced = replaced.count()
        displaced = replaced.where(lost_to_winner)
        held_landings = sorted(r[0] for r in displaced.select("landing_date").distinct().collect())
        new_versions = merge_upsert(spark, winners.select(*VERSION_COLS), config.SILVER_CASE_RECORD_VERSIONS,
                                    KEYS, common.landed_before("s", "t", ROW_KEY))["inserted"]
        if held_landings:
            moved = merge_insert_new(
                spark, common.conflict_rows(
                    displaced, spark.table(config.BRONZE_CASE_RECORDS).where(F.col("landing_date").isin(held_landings)),
                    ROW_KEY, conflict_detail(F.col("landing_date")), extra=("record_id",)),
                config.QUARANTINE_CASE_RECORDS, ROW_KEY,
                prune=f"t.landing_date IN ({sql_date_list(held_landings)})")
            log(f"silver case_records {label}: {fmt(moved)} versions of later landing days "
                f"({', '.join(map(str, held_landings))}) displaced by earlier-landed copies with other "
                "content -> quarantine DUPLICATE_CONFLICT of their own landing day")
        if n_replaced:
            retarget_conflicts(spark, winners.join(replaced.select(*KEYS).distinct(), KEYS, "left_semi"))
        # current state and status history follow from ALL versions of the records touched
        touched = winners.select("record_id").distinct()
        all_versions = spark.table(config.SILVER_CASE_RECORD_VERSIONS).join(touched, "record_id", "left_semi")
        same_row = " AND ".join(f"t.{c} <=> s.{c}" for c in ("record_version", *ROW_KEY))
        rec = merge_upsert(spark, latest(all_versions), config.SILVER_CASE_RECORDS, ["record_id"],
                           f"NOT ({same_row})")
        hist = merge_history(spark, all_versions, touched)
        q_new = merge_insert_new(spark, quarantined(classified).unionByName(conflict_q),
                                 config.QUARANTINE_CASE_RECORDS, ROW_KEY,
                                 prune=f"t.landing_date IN ({sql_date_list(dates)})", delete_stale=True)
        # check against what the tables now hold
        in_silver = spark.table(config.SILVER_CASE_RECORD_VERSIONS).where(in_dates).count()
        in_quarantine = (spark.table(config.QUARANTINE_CASE_RECORDS)
                         .where(in_dates).count())
        lost = touched.join(spark.table(config.SILVER_CASE_RECORDS), "record_id", "left_anti").count()
    finally:
        classified.unpersist()
    dups = valid - distinct - n_conflicts
    ok = total == in_silver + dups + in_quarantine and lost == 0
    reasons = ", ".join(f"{k} {fmt(v)}" for k, v in sorted((k, v) for k, v in counts.items() if k))
    already = distinct - new_versions - n_replaced
    log(f"reconcile case_records {label}: bronze {fmt(total)} = versions {fmt(in_silver)}"
        f" (new {fmt(new_versions)}, already there {fmt(already)}"
        + (f", replacing copies of later landing days {fmt(n_replaced)}" if n_replaced else "") + ")"
        f" + duplicates removed {fmt(dups)} + quarantined {fmt(in_quarantine)}"
        f" [{reasons or 'none'}] -> {'OK' if ok else 'MISMATCH'}; records: {fmt(rec['inserted'])} new,"
        f" {fmt(rec['updated'])} updated; status history: {fmt(hist['inserted'])} added,"
        f" {fmt(hist['updated'] + hist['deleted'])} corrected")
    result = {"bronze": total, "valid": valid, "versions": in_silver, "new_versions": new_versions,
              "versions_replaced": n_replaced, "duplicates": dups, "quarantined": in_quarantine,
              "quarantine_new": q_new, "records_new": rec["inserted"], "records_updated": rec["updated"],
              "history_new": hist["inserted"], "history_changed": hist["updated"] + hist["deleted"],
              **{f"reason.{k}": v for k, v in counts.items() if k}}
    if not ok:
        raise RuntimeError(f"reconciliation failed for case_records {label}: {result}, "
                           f"records missing from {config.SILVER_CASE_RECORDS}: {lost}")
    return result


def main(argv: list[str] | None = None) -> None:
    from spark_jobs.session import get_spark

    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--date", required=True, type=dt.date.fromisoformat, help="(first) landing date")
    p.add_argument("--to", type=dt.date.fromisoformat, help="last landing date of a range (inclusive)")
    a = p.parse_args(argv)
    run(get_spark("cases_silver"), date_range(a.date, a.to))


if __name__ == "__main__":
    main()
