"""Bronze → silver for the case system: typed CDC versions, current state, status history.

Each bronze record (one CDC row) ends in exactly one place:
  * ``silver.case_record_versions`` — the first landed copy of each (record_id, record_version),
    typed and conformed to the current communes;
  * counted as a duplicate — a later identical copy of a version already kept (the source
    resends rows);
  * ``quarantine.case_records`` — with ONE reason code, checked in this order:
    MALFORMED_ROW, MISSING_FIELD, BAD_TIMESTAMP, BAD_VALUE, UNKNOWN_ARTICLE,
    UNKNOWN_COMMUNE, UNKNOWN_UNIT; and DUPLICATE_CONFLICT for a valid copy of a
    (record_id, record_version) already kept with other content (the first stays).
Free text (address, summary) is normalised to Unicode NFC: the same Vietnamese word typed
with combining marks (NFD) and precomposed (NFC) is one string in silver.
From the versions, ``silver.case_records`` holds the newest version of each record (MERGE
upsert: a version replaces the row only when its number is higher, so rows arriving out of
order never roll a record back) and ``silver.case_status_history`` one row per status a
record went through. All writes are MERGEs: a re-run changes nothing.

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

from pyspark.sql import Column, DataFrame, SparkSession, Window
from pyspark.sql import functions as F

from antt.reference.admin_units import MERGER_DATE
from antt.reference.seeds import penal_code_articles
from spark_jobs import common, config
from spark_jobs.conform import ROW_KEY, ZONED_TS_RE, conform  # noqa: F401 (conform: public here too)
from spark_jobs.common import date_range, ensure_schema, fmt, log, merge_insert_new, merge_newer, sql_date_list

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


def versions(conformed: DataFrame) -> DataFrame:
    """Silver shape; the first landed copy of each (record_id, record_version)."""
    return rank_copies(shape(conformed)).where("_n = 1").select(*VERSION_COLS)


# what makes two copies of a (record_id, record_version) the same row or a conflict
CONTENT_EXCLUDED = ("landing_date", "source_file", "record_no", "ingested_at", "processed_at")


def content_hash(df: DataFrame) -> Column:
    return F.sha2(F.to_json(F.struct(*[F.col(c) for c in VERSION_COLS if c not in CONTENT_EXCLUDED])), 256)


def rank_copies(shaped: DataFrame) -> DataFrame:
    """Copies of each (record_id, record_version) in landing order: see
    :func:`spark_jobs.common.rank_copies`."""
    return common.rank_copies(shaped, ["record_id", "record_version"], ROW_KEY, content_hash(shaped))


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


def split_copies(spark: SparkSession, ranked: DataFrame, bronze: DataFrame) -> tuple[DataFrame, DataFrame]:
    """(versions to keep, conflict quarantine rows): in-batch conflicts, and first copies
    whose (record_id, record_version) silver already holds with other content."""
    held_table = spark.table(config.SILVER_CASE_RECORD_VERSIONS)
    held = held_table.select("record_id", "record_version", content_hash(held_table).alias("_held"),
                             F.concat_ws(":", "source_file", F.col("record_no").cast("string")).alias("_held_at"))
    checked = ranked.where("_n = 1").join(held, ["record_id", "record_version"], "left")
    keep = checked.where("_held IS NULL OR _held = _content").select(*VERSION_COLS)
    version = F.concat(F.col("record_id"), F.lit(" v"), F.col("record_version").cast("string"))
    rows = common.conflict_rows(
        ranked.where("_n > 1 AND _content <> _first_content"), bronze, ROW_KEY,
        F.concat(version, F.lit(" first landed at "), F.col("_first_at"), F.lit(" with other content")),
        extra=("record_id",)).unionByName(common.conflict_rows(
        checked.where("_held IS NOT NULL AND _held <> _content"), bronze, ROW_KEY,
        F.concat(version, F.lit(" already in silver from "), F.col("_held_at"), F.lit(" with other content")),
        extra=("record_id",)))
    return keep, rows


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
        ranked = rank_copies(shape(conform(classified.where(F.col("reason_code").isNull()),
                                           spark.table(config.SILVER_REF_COMMUNE_CROSSWALK))))
        vers, conflict_rows = split_copies(spark, ranked, bronze)
        vers = vers.cache()
        conflict_rows = conflict_rows.cache()
        n_conflicts = conflict_rows.count()
        if n_conflicts:
            counts["DUPLICATE_CONFLICT"] = n_conflicts
        distinct = vers.count()
        new_versions = merge_insert_new(spark, vers, config.SILVER_CASE_RECORD_VERSIONS,
                                        ["record_id", "record_version"])
        rec = merge_newer(spark, latest(vers), config.SILVER_CASE_RECORDS, "record_id")
        hist = merge_insert_new(spark, status_history(vers), config.SILVER_CASE_STATUS_HISTORY,
                                ["record_id", "status", "status_at"])
        q_new = merge_insert_new(spark, quarantined(classified).unionByName(conflict_rows),
                                 config.QUARANTINE_CASE_RECORDS, ROW_KEY,
                                 prune=f"t.landing_date IN ({sql_date_list(dates)})", delete_stale=True)
        # check against what the tables now hold
        in_silver = (spark.table(config.SILVER_CASE_RECORD_VERSIONS)
                     .join(vers.select("record_id", "record_version"), ["record_id", "record_version"],
                           "left_semi").count())
        in_quarantine = (spark.table(config.QUARANTINE_CASE_RECORDS)
                         .where(in_dates).count())
        lost = vers.select("record_id").distinct().join(
            spark.table(config.SILVER_CASE_RECORDS), "record_id", "left_anti").count()
    finally:
        classified.unpersist()
    dups = valid - distinct - n_conflicts
    ok = total == in_silver + dups + in_quarantine and lost == 0
    reasons = ", ".join(f"{k} {fmt(v)}" for k, v in sorted((k, v) for k, v in counts.items() if k))
    log(f"reconcile case_records {label}: bronze {fmt(total)} = versions {fmt(in_silver)}"
        f" (new {fmt(new_versions)}, already there {fmt(distinct - new_versions)})"
        f" + duplicates removed {fmt(dups)} + quarantined {fmt(in_quarantine)}"
        f" [{reasons or 'none'}] -> {'OK' if ok else 'MISMATCH'}; records: {fmt(rec['inserted'])} new,"
        f" {fmt(rec['updated'])} updated; {fmt(hist)} status transitions added")
    result = {"bronze": total, "valid": valid, "versions": in_silver, "new_versions": new_versions,
              "duplicates": dups, "quarantined": in_quarantine, "quarantine_new": q_new,
              "records_new": rec["inserted"], "records_updated": rec["updated"], "history_new": hist,
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
