"""Resident registry (cư trú): landing → bronze → silver.

Bronze (spark_jobs.csv_bronze) keeps the extracts as landed — the only layer with names and
national IDs. Silver, per feed, with ONE reason code per rejected row in
``quarantine.registry`` (MALFORMED_ROW, MISSING_FIELD, BAD_TIMESTAMP, BAD_DATE, BAD_VALUE,
UNKNOWN_COMMUNE):

* ``silver.residents`` — newest version of each person (MERGE upsert on ``person_key``; of
  two copies of the same version the earlier-landed one, in whatever order days load).
  **PII:** ``person_key`` = HMAC-SHA256 of the national ID with the key from the environment
  (spark_jobs.pii); the name never leaves bronze; the birth date is reduced to the birth year.
* ``silver.residence_events`` — every registration / de-registration (one row per
  ``event_id``: its earliest-landed copy, in whatever order days load), unit codes conformed to the current communes (legacy codes before 1 July
  2025, by ``effective_date``; split legacy units by the dwelling's coordinates, else the
  default ward). Home address and coordinates stay in bronze.
* ``silver.residence_history`` — SCD2: one row per registration with ``valid_from`` /
  ``valid_to`` (inclusive; the day before the matching de-registration, or ``expires_on``
  for temporary and short-stay registrations, NULL while open) and ``end_reason``. Rebuilt
  for the persons a batch touched from all their events, so events arriving out of order
  still give the right periods. A de-registration closes the registration of the same
  person, type and household in force on its effective date.
* ``silver.dossiers`` — newest version of each public-service dossier, with the processing
  time (MERGE upsert on ``dossier_id``).

The start snapshot (registry/snapshot) lands in the same bronze tables as the daily files;
rows repeated between them are the same person versions / event ids and count as duplicates.
"""
from __future__ import annotations

import argparse
import datetime as dt
import uuid

from pyspark.sql import Column, DataFrame, SparkSession, Window
from pyspark.sql import functions as F

from antt.reference.admin_units import MERGER_DATE
from spark_jobs import config, csv_bronze, pii
from spark_jobs.conform import ROW_KEY, ZONED_TS_RE, conform
from spark_jobs.common import (date_range, ensure_schema, fmt, landed_before, log, merge_insert_new, merge_newer,
                               merge_upsert, sql_date_list)

MERGER = dt.date.fromisoformat(MERGER_DATE)

FEEDS = {
    "residents": [csv_bronze.Feed("registry_residents", "registry/residents", config.BRONZE_REGISTRY_RESIDENTS),
                  csv_bronze.Feed("registry_residents_snapshot", "registry/snapshot",
                                  config.BRONZE_REGISTRY_RESIDENTS, pattern="residents_snapshot.csv")],
    "residence": [csv_bronze.Feed("registry_residence", "registry/residence", config.BRONZE_REGISTRY_RESIDENCE),
                  csv_bronze.Feed("registry_residence_snapshot", "registry/snapshot",
                                  config.BRONZE_REGISTRY_RESIDENCE, pattern="residence_snapshot.csv")],
    "dossiers": [csv_bronze.Feed("registry_dossiers", "registry/dossiers", config.BRONZE_REGISTRY_DOSSIERS)],
}

RESIDENCE_TYPES = ("THUONG_TRU", "TAM_TRU", "LUU_TRU")
SERVICES = ("DK_THUONG_TRU", "DK_TAM_TRU", "KHAI_BAO_LUU_TRU", "XOA_DK_THUONG_TRU", "XOA_DK_TAM_TRU",
            "XAC_NHAN_CU_TRU")
DOSSIER_STATUSES = ("SUBMITTED", "PROCESSING", "COMPLETED", "REJECTED")

# field → kind; kinds: text, int, ts (ISO 8601 with zone), date, id12, enum tuple
SPECS: dict[str, dict[str, object]] = {
    "residents": {"op": ("I", "U"), "national_id": "id12", "full_name": "text", "birth_date": "date",
                  "sex": ("NAM", "NU"), "household_id": "text", "changed_at": "ts", "record_version": "int"},
    "residence": {"event_id": "text", "national_id": "id12", "household_id": "text",
                  "residence_type": RESIDENCE_TYPES, "action": ("REGISTER", "DEREGISTER"),
                  "commune_code": "text", "address": "text", "lat": "double", "lon": "double",
                  "effective_date": "date", "expires_on": "date", "registered_at": "ts"},
    "dossiers": {"dossier_id": "text", "record_version": "int", "service_code": SERVICES,
                 "channel": ("ONLINE", "OFFLINE"), "commune_code": "text", "national_id": "id12",
                 "status": DOSSIER_STATUSES, "submitted_at": "ts", "completed_at": "ts", "changed_at": "ts"},
}
OPTIONAL = {"residents": {"full_name"}, "residence": {"address", "lat", "lon", "expires_on"},
            "dossiers": {"completed_at"}}
# the date that decides whether commune_code is a legacy or a current code
ERA_DATE = {"residence": "effective_date", "dossiers": "submitted_at"}

DDL = {
    config.SILVER_RESIDENTS: f"""
CREATE TABLE IF NOT EXISTS {config.SILVER_RESIDENTS} (
  person_key     STRING    COMMENT 'HMAC-SHA256 of the national ID (pseudonym); unique',
  record_version INT,
  birth_year     INT       COMMENT 'year of birth (the full date stays in bronze)',
  sex            STRING    COMMENT 'NAM | NU',
  household_id   STRING,
  changed_at     TIMESTAMP,
  landing_date   DATE, source_file STRING, record_no INT, processed_at TIMESTAMP
) USING DELTA COMMENT 'Residents, newest version per person; no name, no national ID'""",
    config.SILVER_RESIDENCE_EVENTS: f"""
CREATE TABLE IF NOT EXISTS {config.SILVER_RESIDENCE_EVENTS} (
  event_id       STRING,
  person_key     STRING,
  household_id   STRING,
  residence_type STRING    COMMENT 'THUONG_TRU | TAM_TRU | LUU_TRU',
  action         STRING    COMMENT 'REGISTER | DEREGISTER',
  location_code  STRING    COMMENT 'unit code as sent (legacy before 1 July 2025)',
  location_code_scheme STRING,
  commune_code   STRING    COMMENT 'current commune',
  effective_date DATE,
  expires_on     DATE,
  registered_at  TIMESTAMP,
  landing_date   DATE, source_file STRING, record_no INT, processed_at TIMESTAMP
) USING DELTA COMMENT 'Residence registrations and de-registrations; one row per event_id'""",
    config.SILVER_RESIDENCE_HISTORY: f"""
CREATE TABLE IF NOT EXISTS {config.SILVER_RESIDENCE_HISTORY} (
  registration_id STRING   COMMENT 'event_id of the REGISTER; unique',
  person_key     STRING,
  household_id   STRING,
  residence_type STRING,
  commune_code   STRING,
  valid_from     DATE      COMMENT 'first day in force',
  valid_to       DATE      COMMENT 'last day in force (inclusive); NULL = open',
  end_reason     STRING    COMMENT 'DEREGISTERED | EXPIRES | NULL (open)',
  deregistration_id STRING,
  registered_at  TIMESTAMP,
  processed_at   TIMESTAMP
) USING DELTA COMMENT 'Residence history (SCD2): one row per registration with its validity'""",
    config.SILVER_DOSSIERS: f"""
CREATE TABLE IF NOT EXISTS {config.SILVER_DOSSIERS} (
  dossier_id     STRING,
  record_version INT,
  service_code   STRING,
  channel        STRING    COMMENT 'ONLINE | OFFLINE',
  location_code  STRING,
  location_code_scheme STRING,
  commune_code   STRING,
  person_key     STRING    COMMENT 'applicant (pseudonym)',
  status         STRING,
  submitted_at   TIMESTAMP,
  completed_at   TIMESTAMP,
  processing_hours DOUBLE  COMMENT 'completed_at - submitted_at in hours; NULL while open',
  changed_at     TIMESTAMP,
  landing_date   DATE, source_file STRING, record_no INT, processed_at TIMESTAMP
) USING DELTA COMMENT 'Public-service dossiers (dịch vụ công), newest version each'""",
    config.QUARANTINE_REGISTRY: f"""
CREATE TABLE IF NOT EXISTS {config.QUARANTINE_REGISTRY} (
  feed STRING, landing_date DATE, source_file STRING, record_no INT,
  reason_code STRING, reason_detail STRING, raw STRING,
  ingested_at TIMESTAMP, quarantined_at TIMESTAMP
) USING DELTA PARTITIONED BY (landing_date)
COMMENT 'Registry rows rejected by silver validation, with the reason; nothing is dropped'""",
}
BRONZE = {"residents": config.BRONZE_REGISTRY_RESIDENTS, "residence": config.BRONZE_REGISTRY_RESIDENCE,
          "dossiers": config.BRONZE_REGISTRY_DOSSIERS}


# --- transform (pure) ----------------------------------------------------------------

def parse(bronze: DataFrame, feed: str) -> DataFrame:
    """Text fields ``t_<name>`` and typed columns ``<name>`` (NULL when not convertible)."""
    spec = SPECS[feed]
    p = bronze.withColumn("_m", F.when(~F.col("malformed"), F.from_json("raw", "map<string,string>")))
    text = [F.nullif(F.trim(F.col("_m")[f]), F.lit("")).alias(f"t_{f}") for f in spec]
    p = p.select(*bronze.columns, "_m", *text)
    typed = []
    for f, kind in spec.items():
        t = f"t_{f}"
        if kind == "int":
            typed.append(F.expr(f"try_cast({t} AS INT)").alias(f))
        elif kind == "double":
            typed.append(F.expr(f"try_cast({t} AS DOUBLE)").alias(f))
        elif kind == "ts":
            typed.append(F.expr(f"try_cast({t} AS TIMESTAMP)").alias(f))
        elif kind == "date":
            typed.append(F.expr(f"try_cast({t} AS DATE)").alias(f))
        else:
            typed.append(F.col(t).alias(f))
    return p.select("*", *typed)


def classify(parsed: DataFrame, feed: str, legacy_codes: DataFrame, current_codes: DataFrame) -> DataFrame:
    spec, optional = SPECS[feed], OPTIONAL[feed]
    df = parsed
    if feed in ERA_DATE:
        era = F.to_date(ERA_DATE[feed])
        df = df.withColumn("location_code_scheme",
                           F.when(era < F.lit(MERGER), F.lit("LEGACY")).otherwise(F.lit("CURRENT")))
        known = (legacy_codes.select(F.col("legacy_code").alias("_code"), F.lit("LEGACY").alias("_scheme"))
                 .unionByName(current_codes.select(F.col("commune_code").alias("_code"),
                                                   F.lit("CURRENT").alias("_scheme")))
                 .withColumn("_known", F.lit(True)))
        df = df.join(known, (df["t_commune_code"] == known["_code"])
                     & (df["location_code_scheme"] == known["_scheme"]), "left").drop("_code", "_scheme")
    missing = [F.when(F.col(f"t_{f}").isNull(), F.lit(f)) for f in spec if f not in optional]
    bad_ts = [F.when(F.col(f"t_{f}").isNotNull() & (F.col(f).isNull() | ~F.col(f"t_{f}").rlike(ZONED_TS_RE)),
                     F.concat(F.lit(f"{f}="), F.col(f"t_{f}"))) for f, k in spec.items() if k == "ts"]
    bad_date = [F.when(F.col(f"t_{f}").isNotNull() & (F.col(f).isNull() | ~F.col(f"t_{f}").rlike(r"^\d{4}-\d{2}-\d{2}$")),
                       F.concat(F.lit(f"{f}="), F.col(f"t_{f}"))) for f, k in spec.items() if k == "date"]
    bad_val = []
    for f, kind in spec.items():
        t = F.col(f"t_{f}")
        if kind == "id12":
            bad_val.append(F.when(~t.rlike(r"^[0-9]{12}$"), F.concat(F.lit(f"{f} is not 12 digits: length "),
                                                                     F.length(t).cast("string"))))
        elif kind in ("int", "double"):
            bad_val.append(F.when(t.isNotNull() & F.col(f).isNull(), F.concat(F.lit(f"{f}="), t)))
        elif isinstance(kind, tuple):
            bad_val.append(F.when(~t.isin(*kind), F.concat(F.lit(f"{f}="), t)))
    rules: list[tuple[str, Column, Column]] = [
        ("MALFORMED_ROW", F.col("malformed") | F.col("_m").isNull(),
         F.lit("CSV record does not have the header's number of fields")),
        ("MISSING_FIELD", F.concat_ws(", ", *missing) != "", F.concat(F.lit("empty: "), F.concat_ws(", ", *missing))),
        ("BAD_TIMESTAMP", F.concat_ws(", ", *bad_ts) != "",
         F.concat(F.lit("not ISO 8601 with a zone: "), F.concat_ws(", ", *bad_ts))),
        ("BAD_DATE", F.concat_ws(", ", *bad_date) != "", F.concat(F.lit("not YYYY-MM-DD: "), F.concat_ws(", ", *bad_date))),
        ("BAD_VALUE", F.concat_ws("; ", *bad_val) != "", F.concat_ws("; ", *bad_val)),
    ]
    if feed in ERA_DATE:
        rules.append(("UNKNOWN_COMMUNE", F.col("_known").isNull(),
                      F.concat(F.lit("commune code "), F.col("t_commune_code"), F.lit(" is not a "),
                               F.lower("location_code_scheme"), F.lit(" Hanoi unit on "),
                               F.to_date(ERA_DATE[feed]).cast("string"))))
    reason, detail = F.lit(None).cast("string"), F.lit(None).cast("string")
    for code, cond, text in reversed(rules):
        reason = F.when(cond, F.lit(code)).otherwise(reason)
        detail = F.when(cond, text).otherwise(detail)
    out = df.withColumn("reason_code", reason).withColumn("reason_detail", detail)
    return out.drop("_known") if feed in ERA_DATE else out


def _first_copy(df: DataFrame, keys: list[str]) -> DataFrame:
    w = Window.partitionBy(*keys).orderBy(*ROW_KEY)
    return df.withColumn("_n", F.row_number().over(w)).where("_n = 1").drop("_n")


def _newest(df: DataFrame, key: str) -> DataFrame:
    w = Window.partitionBy(key).orderBy(F.col("record_version").desc(), *ROW_KEY)
    return df.withColumn("_n", F.row_number().over(w)).where("_n = 1").drop("_n")


def residents(valid: DataFrame, key: bytes) -> DataFrame:
    """Pseudonymised person versions (first copy of each person_key + version)."""
    shaped = valid.select(
        pii.hmac_hex(F.col("national_id"), key).alias("person_key"), "record_version",
        F.year("birth_date").alias("birth_year"), "sex", "household_id", "changed_at",
        *ROW_KEY, F.current_timestamp().alias("processed_at"))
    return _first_copy(shaped, ["person_key", "record_version"])


def residence_events(conformed: DataFrame, key: bytes) -> DataFrame:
    shaped = conformed.select(
        "event_id", pii.hmac_hex(F.col("national_id"), key).alias("person_key"), "household_id",
        "residence_type", "action", F.col("t_commune_code").alias("location_code"),
        "location_code_scheme", "commune_code", "effective_date", "expires_on", "registered_at",
        *ROW_KEY, F.current_timestamp().alias("processed_at"))
    return _first_copy(shaped, ["event_id"])


def dossiers(conformed: DataFrame, key: bytes) -> DataFrame:
    shaped = conformed.select(
        "dossier_id", "record_version", "service_code", "channel",
        F.col("t_commune_code").alias("location_code"), "location_code_scheme", "commune_code",
        pii.hmac_hex(F.col("national_id"), key).alias("person_key"), "status", "submitted_at",
        "completed_at",
        F.round((F.unix_timestamp("completed_at") - F.unix_timestamp("submitted_at")) / 3600.0, 3)
        .alias("processing_hours"),
        "changed_at", *ROW_KEY, F.current_timestamp().alias("processed_at"))
    return _first_copy(shaped, ["dossier_id", "record_version"])


def history(events: DataFrame) -> DataFrame:
    """SCD2 periods from a person's complete set of residence events."""
    regs = events.where(F.col("action") == "REGISTER").alias("r")
    ders = events.where(F.col("action") == "DEREGISTER").alias("d")
    cand = regs.join(
        ders,
        (F.col("r.person_key") == F.col("d.person_key")) & (F.col("r.residence_type") == F.col("d.residence_type"))
        & (F.col("r.household_id") == F.col("d.household_id"))
        & (F.col("r.effective_date") <= F.col("d.effective_date"))
        & (F.col("r.expires_on").isNull() | (F.col("r.expires_on") >= F.col("d.effective_date"))),
        "inner",
    ).select(F.col("r.event_id").alias("reg_id"), F.col("d.event_id").alias("dereg_id"),
             F.col("r.effective_date").alias("reg_from"), F.col("d.effective_date").alias("dereg_date"))
    # each de-registration closes the registration in force (the latest one started)
    w1 = Window.partitionBy("dereg_id").orderBy(F.col("reg_from").desc(), F.col("reg_id").desc())
    per_dereg = cand.withColumn("_n", F.row_number().over(w1)).where("_n = 1")
    # a registration is closed by its earliest matching de-registration
    w2 = Window.partitionBy("reg_id").orderBy("dereg_date", "dereg_id")
    closing = per_dereg.withColumn("_n", F.row_number().over(w2)).where("_n = 1").select("reg_id", "dereg_id", "dereg_date")
    r = events.where(F.col("action") == "REGISTER")
    j = r.join(closing, r["event_id"] == closing["reg_id"], "left")
    closed_to = F.date_sub("dereg_date", 1)
    valid_to = F.when(F.col("dereg_id").isNotNull() & F.col("expires_on").isNotNull(),
                      F.least(closed_to, F.col("expires_on"))) \
        .when(F.col("dereg_id").isNotNull(), closed_to).otherwise(F.col("expires_on"))
    end_reason = F.when(F.col("dereg_id").isNotNull() & (F.col("expires_on").isNull() | (closed_to < F.col("expires_on"))),
                        F.lit("DEREGISTERED")).when(F.col("expires_on").isNotNull(), F.lit("EXPIRES"))
    return j.select(
        F.col("event_id").alias("registration_id"), "person_key", "household_id", "residence_type",
        "commune_code", F.col("effective_date").alias("valid_from"), valid_to.alias("valid_to"),
        end_reason.alias("end_reason"), F.col("dereg_id").alias("deregistration_id"), "registered_at",
        F.current_timestamp().alias("processed_at"))


# --- load ----------------------------------------------------------------------------

def load_bronze(spark: SparkSession, dates: list[dt.date], run_id: str) -> dict[str, int]:
    out = {}
    for feeds in FEEDS.values():
        for feed in feeds:
            out[feed.name] = csv_bronze.run(spark, feed, dates, run_id)["inserted"]
    return out


def _merge_history(spark: SparkSession, periods: DataFrame) -> int:
    """Upsert the periods; a period changes when any of its columns but processed_at does
    (its end, or — after an earlier-landed copy replaced its registration — its person)."""
    same = " AND ".join(f"t.{c} <=> s.{c}" for c in periods.columns
                        if c not in ("registration_id", "processed_at"))
    view = f"_src_{uuid.uuid4().hex[:12]}"
    periods.createOrReplaceTempView(view)
    try:
        m = spark.sql(
            f"MERGE INTO {config.SILVER_RESIDENCE_HISTORY} t USING {view} s "
            "ON t.registration_id = s.registration_id "
            f"WHEN MATCHED AND NOT ({same}) THEN UPDATE SET * "
            "WHEN NOT MATCHED THEN INSERT *").collect()
    finally:
        spark.catalog.dropTempView(view)
    return int(m[0]["num_affected_rows"]) if m else 0


def load_silver(spark: SparkSession, landing_dates: dt.date | list[dt.date]) -> dict[str, int]:
    dates = sorted(landing_dates) if isinstance(landing_dates, list) else [landing_dates]
    label = dates[0].isoformat() if len(dates) == 1 else f"{dates[0]}..{dates[-1]} ({len(dates)} days)"
    ensure_schema(spark, "silver", "quarantine")
    for ddl in DDL.values():
        spark.sql(ddl)
    key = pii.key_from_env()
    legacy, current = spark.table(config.SILVER_REF_LEGACY_COMMUNES), spark.table(config.SILVER_REF_COMMUNES)
    crosswalk = spark.table(config.SILVER_REF_COMMUNE_CROSSWALK)
    in_dates = F.col("landing_date").isin(dates)
    result: dict[str, int] = {}
    touched = None
    for feed, bronze_table in BRONZE.items():
        if not spark.catalog.tableExists(bronze_table):
            raise RuntimeError(f"{bronze_table} does not exist: run the registry bronze load first")
        classified = classify(parse(spark.table(bronze_table).where(in_dates), feed), feed, legacy, current).cache()
        counts = {r["reason_code"]: r["n"] for r in classified.groupBy("reason_code").agg(F.count("*").alias("n")).collect()}
        total, valid_n = sum(counts.values()), counts.get(None, 0)
        valid = classified.where(F.col("reason_code").isNull())
        if feed == "residents":
            rows, keys = residents(valid, key).cache(), ["person_key", "record_version"]
            merged = merge_newer(spark, _newest(rows, "person_key"), config.SILVER_RESIDENTS, "person_key",
                                 row_key=ROW_KEY)
            target = config.SILVER_RESIDENTS
            kept = rows.count()
            # a version is "kept" when silver holds it or a newer one
            in_silver = rows.alias("s").join(spark.table(target).alias("t"), "person_key") \
                .where(F.col("t.record_version") >= F.col("s.record_version")).count()
        elif feed == "residence":
            conformed = conform(valid.withColumn("t_location_commune_code", F.col("t_commune_code")), crosswalk)
            rows, keys = residence_events(conformed, key).cache(), ["event_id"]
            target = config.SILVER_RESIDENCE_EVENTS
            # the persons whose periods change: this batch's, and those of events an
            # earlier-landed copy is about to replace (read before the MERGE)
            touched = (rows.select("person_key")
                       .unionByName(spark.table(target).join(rows.select(*keys), keys, "left_semi").select("person_key"))
                       .distinct().localCheckpoint())
            # earliest landing wins: a copy that landed before the one silver holds replaces it
            merged = merge_upsert(spark, rows, target, keys, landed_before("s", "t", ROW_KEY))
            kept = rows.count()
            in_silver = spark.table(target).join(rows.select(*keys), keys, "left_semi").count()
        else:
            conformed = conform(valid.withColumn("t_location_commune_code", F.col("t_commune_code"))
                                .withColumn("lat", F.lit(None).cast("double")).withColumn("lon", F.lit(None).cast("double")),
                                crosswalk)
            rows, keys = dossiers(conformed, key).cache(), ["dossier_id", "record_version"]
            merged = merge_newer(spark, _newest(rows, "dossier_id"), config.SILVER_DOSSIERS, "dossier_id",
                                 row_key=ROW_KEY)
            target = config.SILVER_DOSSIERS
            kept = rows.count()
            in_silver = rows.alias("s").join(spark.table(target).alias("t"), "dossier_id") \
                .where(F.col("t.record_version") >= F.col("s.record_version")).count()
        q = classified.where(F.col("reason_code").isNotNull()).select(
            F.lit(feed).alias("feed"), *ROW_KEY, "reason_code", "reason_detail", "raw", "ingested_at",
            F.current_timestamp().alias("quarantined_at"))
        q_new = merge_insert_new(spark, q, config.QUARANTINE_REGISTRY, ["feed", *ROW_KEY],
                         prune=f"t.feed = '{feed}' AND t.landing_date IN ({sql_date_list(dates)})",
                         delete_stale=True)
        in_q = spark.table(config.QUARANTINE_REGISTRY).where(in_dates & (F.col("feed") == feed)).count()
        dups = valid_n - kept
        ok = total == in_silver + dups + in_q
        reasons = ", ".join(f"{k} {fmt(v)}" for k, v in sorted((k, v) for k, v in counts.items() if k))
        log(f"reconcile registry {feed} {label}: bronze {fmt(total)} = kept {fmt(in_silver)}"
            f" + duplicates removed {fmt(dups)} + quarantined {fmt(in_q)} [{reasons or 'none'}]"
            f" -> {'OK' if ok else 'MISMATCH'}; {target}: {fmt(merged['inserted'])} new, {fmt(merged['updated'])} updated")
        classified.unpersist()
        rows.unpersist()
        result.update({f"{feed}.bronze": total, f"{feed}.kept": in_silver, f"{feed}.duplicates": dups,
                       f"{feed}.quarantined": in_q, f"{feed}.new": merged["inserted"],
                       f"{feed}.updated": merged["updated"], f"{feed}.quarantine_new": q_new,
                       **{f"{feed}.reason.{k}": v for k, v in counts.items() if k}})
        if not ok:
            raise RuntimeError(f"reconciliation failed for registry {feed} {label}: {result}")
    # SCD2: rebuild the periods of every person this batch touched, from all their events
    if touched is not None:
        events = spark.table(config.SILVER_RESIDENCE_EVENTS).join(touched, "person_key", "left_semi")
        changed = _merge_history(spark, history(events))
        log(f"registry residence_history {label}: {fmt(changed)} periods inserted or changed")
        result["history_changed"] = changed
    return result


def main(argv: list[str] | None = None) -> None:
    from spark_jobs.session import get_spark

    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("step", choices=("bronze", "silver"))
    p.add_argument("--date", required=True, type=dt.date.fromisoformat, help="(first) landing date")
    p.add_argument("--to", type=dt.date.fromisoformat, help="last landing date of a range (inclusive)")
    p.add_argument("--run-id", default=f"manual-{dt.datetime.now():%Y%m%dT%H%M%S}")
    a = p.parse_args(argv)
    spark = get_spark(f"registry_{a.step}")
    dates = date_range(a.date, a.to)
    if a.step == "bronze":
        load_bronze(spark, dates, a.run_id)
    else:
        load_silver(spark, dates)


if __name__ == "__main__":
    main()
