"""One camera bronze load in its own process with its own local Spark (tests/unit/test_faults.py).

    python -m tests.support.bronze_process <landing date> <run id>

The stack's Spark keeps one shared metastore; a local session here has its own in-memory
catalog, so the table's location is registered first (as the shared metastore would
already have it) before the job's own ``CREATE TABLE IF NOT EXISTS`` runs.
"""
from __future__ import annotations

import datetime as dt
import sys

from spark_jobs import config
from spark_jobs.camera import bronze
from spark_jobs.session import get_spark
from tests.support.tables import SMALL_TABLES


def main() -> None:
    day, run_id = dt.date.fromisoformat(sys.argv[1]), sys.argv[2]
    spark = get_spark("fault-test", local=True, extra_conf=SMALL_TABLES)
    location = f"{config.settings().warehouse_dir.rstrip('/')}/bronze.db/camera_events"
    spark.sql("CREATE SCHEMA IF NOT EXISTS bronze")
    ddl = bronze.BRONZE_DDL.replace("PARTITIONED BY (landing_date)",
                                    f"PARTITIONED BY (landing_date) LOCATION '{location}'")
    spark.sql(ddl)
    bronze.run(spark, day, run_id)


if __name__ == "__main__":
    main()
