"""Compaction and VACUUM on a local Delta table: small files become few, Z-order on the
filter columns, older versions stay readable within the retention, unsafe retention refused."""
from __future__ import annotations

import pytest

from spark_jobs import maintenance

TABLE = "silver.maintenance_probe"


@pytest.fixture()
def small_files_table(spark_local):
    spark = spark_local
    spark.sql("CREATE SCHEMA IF NOT EXISTS silver")
    spark.sql(f"DROP TABLE IF EXISTS {TABLE}")
    spark.sql(f"CREATE TABLE {TABLE} (event_date DATE, commune_code STRING, camera_id STRING, n INT) "
              "USING DELTA PARTITIONED BY (event_date)")
    for i in range(6):   # six loads, each adding small files to the same partition
        spark.sql(f"INSERT INTO {TABLE} SELECT DATE'2024-06-03', lpad(CAST(id % 7 AS STRING), 5, '0'), "
                  f"concat('CAM-', id % 11), {i} FROM range(50)")
    yield spark
    spark.sql(f"DROP TABLE IF EXISTS {TABLE}")


def test_optimize_compacts_and_keeps_old_versions_readable(small_files_table):
    spark = small_files_table
    rows_v3 = spark.read.option("versionAsOf", 3).table(TABLE).count()
    out = maintenance.run(spark, tables=[TABLE], retain_hours=168)
    assert out[0]["zorder"] == ["commune_code", "camera_id"]
    assert out[0]["files_before"] >= 6
    assert out[0]["files_after"] == 1          # one partition → one file
    assert spark.table(TABLE).count() == 300
    # the compaction is a new version; version 3 (before it) is still readable after VACUUM
    assert spark.read.option("versionAsOf", 3).table(TABLE).count() == rows_v3 == 150
    ops = [r["operation"] for r in spark.sql(f"DESCRIBE HISTORY {TABLE}").collect()]
    assert "OPTIMIZE" in ops and "VACUUM END" in ops


def test_unsafe_retention_is_refused(small_files_table):
    with pytest.raises(ValueError, match="below the safe minimum"):
        maintenance.run(small_files_table, tables=[TABLE], retain_hours=1)
    # nothing was touched
    ops = [r["operation"] for r in small_files_table.sql(f"DESCRIBE HISTORY {TABLE}").collect()]
    assert "OPTIMIZE" not in ops


def test_discovers_delta_tables_and_skips_zorder_for_raw_layers(small_files_table):
    spark = small_files_table
    assert TABLE in maintenance.delta_tables(spark, ("silver",))
    spark.sql("CREATE SCHEMA IF NOT EXISTS bronze")
    spark.sql("CREATE TABLE IF NOT EXISTS bronze.maintenance_probe (landing_date DATE, commune_code STRING) USING DELTA")
    try:
        assert maintenance.zorder_columns(spark, "bronze.maintenance_probe") == []
    finally:
        spark.sql("DROP TABLE IF EXISTS bronze.maintenance_probe")
