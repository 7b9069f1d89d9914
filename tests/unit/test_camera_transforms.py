"""Pure transforms of the camera jobs, on tiny inline DataFrames."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from pyspark.sql import functions as F
from pyspark.testing import assertDataFrameEqual

from spark_jobs.camera import bronze, silver
from tests.support.tables import drop_tables

D = dt.date(2024, 6, 3)
TS = dt.datetime(2024, 6, 3, 8, 0, 0)


def ev(eid="e1", cam="CAM-00001", t="2024-06-03T07:01:00.000+07:00", plate="30A-123.45",
       v=None, conf=0.9, speed=42.0, **extra):
    d = {"event_id": eid, "camera_id": cam, "event_time": t, "plate": plate, "vehicle_type": "car",
         "lane": 1, "speed_kmh": speed, "confidence": conf, "violation": v}
    d.update(extra)
    return json.dumps(d, ensure_ascii=False)


def bronze_df(spark, lines, source="camera/events/dt=2024-06-03/hh=07/CAM-00001.jsonl.gz"):
    rows = [(D, source, i + 1, raw, TS, "test") for i, raw in enumerate(lines)]
    return spark.createDataFrame(
        rows, "landing_date date, source_file string, line_no int, raw string, ingested_at timestamp, ingest_run string")


def cameras_df(spark):
    return spark.createDataFrame([("CAM-00001", "00004"), ("CAM-00002", "00008")],
                                 "camera_id string, commune_code string")


def test_classify_gives_one_reason_per_bad_line(spark_local):
    lines = [
        ev("ok"),                                             # 1 valid
        '{"event_id": "e3", "cam',                            # 2 truncated JSON
        "[1, 2, 3]",                                          # 3 not an object
        ev("", cam="CAM-00001"),                              # 4 empty event_id
        ev("e5", t="2024-06-03T07:01:00"),                    # 5 timestamp without a zone
        ev("e6", cam="CAM-X9001"),                            # 6 unknown camera
        ev("e7", plate="30A-1?3.45"),                         # 7 unreadable plate
        ev("e8", plate=" 30a-123.45 "),                       # 8 lower case + spaces: normalised, valid
        ev("e9", conf=1.5),                                   # 9 confidence out of range
        ev("e10", conf="high"),                               # 10 confidence not a number
        ev("e11", v="FLYING"),                                # 11 unknown violation code
        ev("e12", plate=None),                                # 12 no plate
        ev("e13", speed=-3),                                  # 13 negative speed
    ]
    out = silver.classify(silver.parse(bronze_df(spark_local, lines)), cameras_df(spark_local))
    got = out.select("line_no", "reason_code")
    expected = spark_local.createDataFrame([
        (1, None), (2, "MALFORMED_JSON"), (3, "MALFORMED_JSON"), (4, "MISSING_FIELD"),
        (5, "BAD_TIMESTAMP"), (6, "UNKNOWN_CAMERA"), (7, "UNREADABLE_PLATE"), (8, None),
        (9, "OUT_OF_RANGE"), (10, "OUT_OF_RANGE"), (11, "BAD_VIOLATION_CODE"),
        (12, "UNREADABLE_PLATE"), (13, "OUT_OF_RANGE"),
    ], "line_no int, reason_code string")
    assertDataFrameEqual(got, expected)
    details = {r.line_no: r.reason_detail for r in out.collect()}
    assert "event_id" in details[4]
    assert "CAM-X9001" in details[6]


def test_valid_events_are_typed_and_local_dated(spark_local):
    lines = [
        ev("a", t="2024-06-03T23:30:00.000+07:00", plate=" 30a-123.45 ", v="red_light"),
        ev("b", t="2024-06-03T17:30:00Z", cam="CAM-00002"),   # 00:30 on 4 June in Hà Nội
    ]
    out = silver.valid_events(silver.classify(silver.parse(bronze_df(spark_local, lines)), cameras_df(spark_local)))
    got = out.select("event_id", "commune_code", "event_date", "event_hour", "plate", "violation_code", "speed_kmh")
    expected = spark_local.createDataFrame([
        ("a", "00004", dt.date(2024, 6, 3), 23, "30A-123.45", "RED_LIGHT", 42.0),
        ("b", "00008", dt.date(2024, 6, 4), 0, "30A-123.45", None, 42.0),
    ], "event_id string, commune_code string, event_date date, event_hour int, plate string, "
       "violation_code string, speed_kmh double")
    assertDataFrameEqual(got, expected)


def test_first_copy_keeps_the_earliest_landed_copy(spark_local):
    early = bronze_df(spark_local, [ev("dup", v="SPEEDING"), ev("solo")],
                      "camera/events/dt=2024-06-03/hh=07/CAM-00001.jsonl.gz")
    late = bronze_df(spark_local, [ev("x"), ev("dup", v="SPEEDING")],
                     "camera/events/dt=2024-06-03/hh=09/CAM-00001.jsonl.gz")
    valid = silver.valid_events(silver.classify(silver.parse(early.unionByName(late)), cameras_df(spark_local)))
    kept = silver.first_copy(valid).select("event_id", "source_file", "line_no")
    expected = spark_local.createDataFrame([
        ("dup", "camera/events/dt=2024-06-03/hh=07/CAM-00001.jsonl.gz", 1),
        ("solo", "camera/events/dt=2024-06-03/hh=07/CAM-00001.jsonl.gz", 2),
        ("x", "camera/events/dt=2024-06-03/hh=09/CAM-00001.jsonl.gz", 1),
    ], "event_id string, source_file string, line_no int")
    assertDataFrameEqual(kept, expected)


@pytest.mark.parametrize("broadcast_max", [1_000_000, 0], ids=["few-repeated-or-held", "wholesale-resend"])
def test_check_copies_ranks_and_checks_as_the_window_over_every_row(spark_local, monkeypatch, broadcast_max):
    """The run's check (only the copies of repeated or held ids ranked and joined; past the
    broadcast limit, every copy) gives each copy the same number, first content and place
    and the same held row as ranking and joining every copy."""
    monkeypatch.setattr(silver, "BROADCAST_MAX_ROWS", broadcast_max)
    h7 = bronze_df(spark_local, [ev("dup"), ev("solo"), ev("conflict", speed=50.0), ev("three"), ev("held")],
                   "camera/events/dt=2024-06-03/hh=07/CAM-00001.jsonl.gz")
    h9 = bronze_df(spark_local, [ev("three"), ev("dup"), ev("conflict", speed=51.0), ev("x"), ev("three", v="RED_LIGHT")],
                   "camera/events/dt=2024-06-03/hh=09/CAM-00001.jsonl.gz")
    valid = silver.valid_events(silver.classify(silver.parse(h7.unionByName(h9)), cameras_df(spark_local)))
    # silver holds "held" (same date, other content) and "x" on another day (no match)
    held = spark_local.createDataFrame([
        (dt.date(2024, 6, 3), "held", 7, dt.date(2024, 6, 2), "camera/events/dt=2024-06-02/hh=23/C.jsonl.gz", 3),
        (dt.date(2024, 6, 1), "x", 8, dt.date(2024, 6, 1), "camera/events/dt=2024-06-01/hh=10/C.jsonl.gz", 1),
    ], "_held_date date, _held_id string, _held long, _held_landing date, _held_file string, _held_line int")
    cols = ["event_id", "source_file", "line_no", "_n", "_content", "_first_content", "_first_at",
            "_held", "_held_landing", "_held_at"]
    got, repeated = silver.check_copies(valid, held, held.count())
    got = got.select(*cols)
    assertDataFrameEqual(got, silver._against_held(silver.rank_copies(valid), held).select(*cols))
    # and the numbers are what landing order says (not only the same as the plain way's)
    assert repeated == 3
    firsts = {r["event_id"]: r for r in got.where("_n = 1").collect()}
    assert firsts["three"]["_first_at"].endswith("hh=07/CAM-00001.jsonl.gz:4")
    assert firsts["x"]["_first_at"].endswith("hh=09/CAM-00001.jsonl.gz:4") and firsts["x"]["_held"] is None
    assert firsts["held"]["_held_at"] == "camera/events/dt=2024-06-02/hh=23/C.jsonl.gz:3"
    assert sorted(r["_n"] for r in got.where("event_id = 'three'").collect()) == [1, 2, 3]


def test_split_lines_numbers_lines_and_drops_blanks(spark_local):
    files = spark_local.createDataFrame([
        ("file:/data/landing/camera/events/dt=2024-06-03/hh=07/CAM-00001.jsonl.gz", "a\nb\n\nc\n"),
        ("s3a://lake/landing/camera/events/dt=2024-06-03/hh=08/CAM-00002.jsonl.gz", "z"),
    ], "file_path string, text string")
    # landed_by as the session (Hà Nội) clock shows it, whatever the test process's zone
    got = bronze.split_lines(files, D, "run-1").select("landing_date", "source_file", "line_no", "raw", "ingest_run",
                                                       F.date_format("landed_by", "yyyy-MM-dd HH:mm").alias("by"))
    f1 = "camera/events/dt=2024-06-03/hh=07/CAM-00001.jsonl.gz"
    f2 = "camera/events/dt=2024-06-03/hh=08/CAM-00002.jsonl.gz"
    by7, by8 = "2024-06-03 08:00", "2024-06-03 09:00"   # the ends of the landing hours
    expected = spark_local.createDataFrame([
        (D, f1, 1, "a", "run-1", by7), (D, f1, 2, "b", "run-1", by7), (D, f1, 4, "c", "run-1", by7),
        (D, f2, 1, "z", "run-1", by8),
    ], "landing_date date, source_file string, line_no int, raw string, ingest_run string, by string")
    assertDataFrameEqual(got, expected)


def test_silver_keeps_bronze_landed_by_and_derives_it_for_older_bronze_rows(spark_local):
    """Bronze works out landed_by once per file; bronze rows made before that column existed
    get it from their path in silver (hh=23: the next midnight)."""
    cams = cameras_df(spark_local)
    old = bronze_df(spark_local, [ev("a")], "camera/events/dt=2024-06-03/hh=23/CAM-00001.jsonl.gz")
    by = F.date_format("landed_by", "yyyy-MM-dd HH:mm").alias("by")   # on the session's clock
    out = silver.valid_events(silver.classify(silver.parse(old), cams)).select("event_id", by)
    assert [tuple(r) for r in out.collect()] == [("a", "2024-06-04 00:00")]
    # what bronze stored wins over the path
    new = old.withColumn("landed_by", F.expr("TIMESTAMP'2024-06-03 05:30:00'")).unionByName(
        bronze_df(spark_local, [ev("b")], "camera/events/dt=2024-06-03/hh=07/CAM-00001.jsonl.gz")
        .withColumn("line_no", F.lit(2)).withColumn("landed_by", F.lit(None).cast("timestamp")))
    out = silver.valid_events(silver.classify(silver.parse(new), cams)).select("event_id", by)
    assert sorted(tuple(r) for r in out.collect()) == [("a", "2024-06-03 05:30"), ("b", "2024-06-03 08:00")]


def test_bronze_table_made_before_read_error_and_landed_by_gets_them(spark_local):
    """A bronze table from an older version is given the newer columns; its rows keep their
    values and hold NULL in the new columns; a second call changes nothing."""
    from spark_jobs import config

    from spark_jobs.common import ensure_schema

    spark = spark_local
    ensure_schema(spark, "bronze")
    drop_tables(spark, config.BRONZE_CAMERA_EVENTS)
    spark.sql(f"""CREATE TABLE {config.BRONZE_CAMERA_EVENTS} (landing_date DATE, source_file STRING,
                  line_no INT, raw STRING, ingested_at TIMESTAMP, ingest_run STRING)
                  USING DELTA PARTITIONED BY (landing_date)""")
    spark.sql(f"INSERT INTO {config.BRONZE_CAMERA_EVENTS} VALUES "
              f"(DATE'2024-06-03', 'camera/events/dt=2024-06-03/hh=07/a.jsonl.gz', 1, 'x', NULL, 'old')")
    bronze.ensure_table(spark)
    bronze.ensure_table(spark)
    table = spark.table(config.BRONZE_CAMERA_EVENTS)
    assert table.columns[-2:] == ["read_error", "landed_by"]
    assert [tuple(r) for r in table.select("raw", "ingest_run", "read_error", "landed_by").collect()] == \
        [("x", "old", None, None)]
    drop_tables(spark, config.BRONZE_CAMERA_EVENTS)


def test_bronze_and_silver_loads_are_idempotent(spark_local, tmp_path, monkeypatch):
    """Whole jobs on a local Delta warehouse: loading twice adds nothing; counts reconcile."""
    import gzip

    from spark_jobs import config
    from spark_jobs.camera import registry

    land = tmp_path / "landing"
    monkeypatch.setenv("ANTT_LANDING_DIR", str(land))
    reg = land / "camera/registry/dt=2024-06-03"
    reg.mkdir(parents=True)
    (reg / "cameras.csv").write_text(
        "camera_id,commune_code,commune_name,lat,lon,road_name,speed_limit_kmh,vendor,installed_date\n"
        "CAM-00001,00004,Phường Ba Đình,21.03,105.83,Đường Láng,50,Hikvision,2023-01-01\n", encoding="utf-8")
    for hh, lines in {"07": [ev("a"), ev("b", v="RED_LIGHT"), "{broken"],
                      "08": [ev("b", v="RED_LIGHT"), ev("c", cam="CAM-X9001")]}.items():
        f = land / f"camera/events/dt=2024-06-03/hh={hh}/CAM-00001.jsonl.gz"
        f.parent.mkdir(parents=True)
        f.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))

    spark = spark_local
    drop_tables(spark, config.BRONZE_CAMERA_EVENTS, config.SILVER_CAMERA_EVENTS,
                config.QUARANTINE_CAMERA_EVENTS, config.SILVER_CAMERAS)
    registry.run(spark, D)
    first = bronze.run(spark, D, "r1")
    again = bronze.run(spark, D, "r2")
    assert (first["inserted"], again["inserted"]) == (5, 0)
    s1 = silver.run(spark, D)
    s2 = silver.run(spark, D)
    assert (s1["bronze"], s1["new"], s1["duplicates"], s1["quarantined"]) == (5, 2, 1, 2)
    assert (s2["new"], s2["already"], s2["quarantined"]) == (0, 2, 2)
    assert spark.table(config.SILVER_CAMERA_EVENTS).count() == 2
    assert spark.table(config.QUARANTINE_CAMERA_EVENTS).groupBy("reason_code").count().orderBy("reason_code") \
        .collect() == [("MALFORMED_JSON", 1), ("UNKNOWN_CAMERA", 1)]
    assert spark.table(config.BRONZE_CAMERA_EVENTS).where(F.col("ingest_run") == "r2").count() == 0
