"""dbt build on the Thrift server over one small generated day, checked against the landing files."""
from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path

import pytest
from pyspark.sql import functions as F

from antt.generator.camera import generate
from spark_jobs.camera import bronze, registry, silver
from tests.support.landing_oracle import expected_camera_counts

pytestmark = pytest.mark.stack
DAY = dt.date(2024, 3, 4)          # a day no other test or the demo uses
DBT_DIR = Path(__file__).resolve().parents[2] / "dbt"


def test_dbt_build_small_day(spark, landing_dir):
    generate(landing_dir, DAY, 1, seed=7, scale=0.3, n_cameras=20)
    expected = expected_camera_counts(landing_dir, [DAY])

    registry.run(spark, DAY)
    bronze.run(spark, DAY, "test-dbt")
    silver.run(spark, DAY)

    dbt = Path(os.environ["PIPELINE_VENV"]) / "bin" / "dbt"
    proc = subprocess.run([str(dbt), "build", "--select", "+mart_violations_commune_daily"],
                          cwd=DBT_DIR, capture_output=True, text=True, timeout=1200)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert "Completed successfully" in proc.stdout

    mart = spark.table("gold.mart_violations_commune_daily").where(F.col("event_date") == F.lit(DAY))
    got = mart.agg(F.sum("violations")).first()[0]
    assert got == expected["valid_distinct_violations_by_date"][DAY.isoformat()]
    # every violation of the day sits under a real commune of the camera registry
    assert mart.where(F.col("commune_code").isNull() | F.col("commune_name").isNull()).count() == 0
