"""The content hash that tells a resend (same content) from a conflict (other content)."""
from __future__ import annotations

from pyspark.sql import functions as F

from spark_jobs import common
from spark_jobs.camera import silver as camera_silver


def _hashes(spark, rows, schema, column):
    df = spark.createDataFrame(rows, schema)
    return [r[0] for r in df.select(column).collect()]


def test_same_content_same_value_other_content_other_value(spark_local):
    a, b, c = _hashes(spark_local, [("x", 1, 2.5), ("x", 1, 2.5), ("x", 2, 2.5)],
                      "a string, b int, c double", common.content_hash(["a", "b", "c"]))
    assert a == b
    assert a != c


def test_null_in_different_columns_gives_different_values(spark_local):
    rows = [(None, "x"), ("x", None), (None, None), ("x", "x")]
    schema = "a string, b string"
    # xxhash64 alone skips NULLs: the first two rows would be the same content
    plain = _hashes(spark_local, rows, schema, F.xxhash64("a", "b"))
    assert plain[0] == plain[1]
    masked = _hashes(spark_local, rows, schema, common.content_hash(["a", "b"]))
    assert len(set(masked)) == 4, masked


def test_camera_hash_ignores_where_the_copy_landed(spark_local):
    # columns: where the copy landed, then camera_silver.CONTENT_COLUMNS in their order
    schema = ("source_file string, line_no long, camera_id string, event_time string, plate string, "
              "vehicle_type string, lane int, speed_kmh double, confidence double, violation_code string")
    assert schema.split(", ")[2:] == [f"{c} {t}" for c, t in zip(
        camera_silver.CONTENT_COLUMNS, ["string"] * 4 + ["int", "double", "double", "string"])]
    content = ("CAM-1", "2025-11-03 08:00:00", "30A-123.45", "car", 1, 52.0, 0.93, None)
    changed = ("CAM-1", "2025-11-03 08:00:00", "30A-123.46", "car", 1, 52.0, 0.93, None)
    rows = [("f1.jsonl.gz", 1, *content), ("f2.jsonl.gz", 7, *content), ("f2.jsonl.gz", 8, *changed)]
    first, resend, other = _hashes(spark_local, rows, schema, camera_silver.content_hash())
    assert first == resend
    assert first != other
