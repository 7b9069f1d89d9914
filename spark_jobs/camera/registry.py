"""Camera registry snapshot (landing CSV, one per day) → ``silver.cameras`` (upsert).

The platform exports its full registry daily to ``camera/registry/dt=D/cameras.csv``.
The newest snapshot on or before the run date wins; cameras never disappear from silver
(a camera missing from a later export keeps its last known row).
"""
from __future__ import annotations

import argparse
import datetime as dt
import uuid
from pathlib import Path

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from spark_jobs import config
from spark_jobs.common import ensure_schema, fmt, log
from spark_jobs.session import get_spark

REGISTRY_SCHEMA = T.StructType([
    T.StructField("camera_id", T.StringType()),
    T.StructField("commune_code", T.StringType()),
    T.StructField("commune_name", T.StringType()),
    T.StructField("lat", T.DoubleType()),
    T.StructField("lon", T.DoubleType()),
    T.StructField("road_name", T.StringType()),
    T.StructField("speed_limit_kmh", T.IntegerType()),
    T.StructField("vendor", T.StringType()),
    T.StructField("installed_date", T.DateType()),
])

CAMERAS_DDL = f"""
CREATE TABLE IF NOT EXISTS {config.SILVER_CAMERAS} (
  camera_id STRING, commune_code STRING, commune_name STRING, lat DOUBLE, lon DOUBLE,
  road_name STRING, speed_limit_kmh INT, vendor STRING, installed_date DATE,
  snapshot_date DATE COMMENT 'registry export the row was last seen in'
) USING DELTA
COMMENT 'Camera registry: one row per camera, newest export wins'
"""


def latest_snapshot(root: Path, on_or_before: dt.date) -> tuple[dt.date, Path] | None:
    found = []
    for d in root.glob("dt=*/cameras.csv"):
        try:
            day = dt.date.fromisoformat(d.parent.name.removeprefix("dt="))
        except ValueError:
            continue
        if day <= on_or_before:
            found.append((day, d))
    return max(found) if found else None


def read_snapshot(spark: SparkSession, path: Path, day: dt.date) -> DataFrame:
    return (
        spark.read.option("header", "true").option("mode", "FAILFAST").option("encoding", "UTF-8")
        .schema(REGISTRY_SCHEMA).csv(str(path))
        .withColumn("snapshot_date", F.lit(day))
        .dropDuplicates(["camera_id"])
    )


def run(spark: SparkSession, run_date: dt.date) -> int:
    cfg = config.settings()
    snap = latest_snapshot(cfg.camera_registry_landing, run_date)
    if snap is None:
        raise FileNotFoundError(
            f"no camera registry export on or before {run_date} under {cfg.camera_registry_landing}"
        )
    day, path = snap
    ensure_schema(spark, "silver")
    spark.sql(CAMERAS_DDL)
    view = f"_reg_{uuid.uuid4().hex[:8]}"
    read_snapshot(spark, path, day).createOrReplaceTempView(view)
    spark.sql(
        f"MERGE INTO {config.SILVER_CAMERAS} t USING {view} s ON t.camera_id = s.camera_id "
        "WHEN MATCHED AND s.snapshot_date >= t.snapshot_date THEN UPDATE SET * "
        "WHEN NOT MATCHED THEN INSERT *"
    )
    spark.catalog.dropTempView(view)
    n = spark.table(config.SILVER_CAMERAS).count()
    log(f"camera registry: snapshot {day} ({path.name}) merged; silver.cameras holds {fmt(n)} cameras")
    return n


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--date", required=True, type=dt.date.fromisoformat)
    args = p.parse_args(argv)
    run(get_spark("camera_registry"), args.date)


if __name__ == "__main__":
    main()
