"""Make every table dbt reads exist before a gold build: the reference data (loaded from
the PyPI reference packages, rewritten only when changed) and the silver tables of every
source (created empty if that source has not loaded yet). So the gold build never fails
because one source has not delivered yet: its marts are simply empty.

    python -m spark_jobs.prepare
"""
from __future__ import annotations

from pyspark.sql import SparkSession

from spark_jobs.common import ensure_schema, log


def run(spark: SparkSession) -> list[str]:
    from spark_jobs.camera import registry as camera_registry
    from spark_jobs.camera import silver as camera_silver
    from spark_jobs.cases import silver as cases_silver
    from spark_jobs.reference import admin_units
    from spark_jobs.registry import jobs as registry_jobs

    ensure_schema(spark, "bronze", "silver", "quarantine")
    admin_units.run(spark)
    ddls = [camera_registry.CAMERAS_DDL, camera_silver.SILVER_DDL, camera_silver.QUARANTINE_DDL,
            *cases_silver.DDL.values(), *registry_jobs.DDL.values()]
    for ddl in ddls:
        spark.sql(ddl)
    tables = [t.split("EXISTS", 1)[1].split("(", 1)[0].strip() for t in ddls]
    log(f"prepare: reference data current; tables present: {', '.join(tables)}")
    return tables


def main() -> None:
    from spark_jobs.session import get_spark

    run(get_spark("prepare_sources"))


if __name__ == "__main__":
    main()
