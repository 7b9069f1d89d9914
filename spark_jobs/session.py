"""The one Spark/Delta session factory.

* With ``ANTT_SPARK_REMOTE`` set (the default of infra/env.sh) jobs attach to the long-lived
  Spark application over Spark Connect: that application is also the Thrift server dbt,
  Superset and analysts use, so every client sees one catalog and no job pays a JVM start.
* Without it (unit tests, a laptop without the stack) a classic local session is built with
  the same Delta settings and the jars fetched by ``make setup``.
"""
from __future__ import annotations

import os

from pyspark.sql import SparkSession

from spark_jobs.config import LOCAL_TZ, Settings, settings

DELTA_CONF = {
    "spark.sql.extensions": "io.delta.sql.DeltaSparkSessionExtension",
    "spark.sql.catalog.spark_catalog": "org.apache.spark.sql.delta.catalog.DeltaCatalog",
    "spark.sql.session.timeZone": LOCAL_TZ,
    # see infra/spark/spark-defaults.conf: MIN/MAX from Delta statistics breaks on dates
    "spark.databricks.delta.optimizeMetadataQuery.enabled": "false",
}


def local_jars(cfg: Settings) -> str:
    jars = sorted(str(p) for p in cfg.jars_dir.glob("*.jar"))
    if not jars:
        raise RuntimeError(
            f"No Delta jars in {cfg.jars_dir}: run `make setup` (it fetches them with Maven)."
        )
    return ",".join(jars)


def get_spark(app_name: str = "antt", *, remote: str | None = None, local: bool = False,
              extra_conf: dict[str, str] | None = None) -> SparkSession:
    """Return a Spark session with Delta enabled.

    ``local=True`` forces a classic in-process session (tests); otherwise ``remote`` or
    ``ANTT_SPARK_REMOTE`` selects Spark Connect.
    """
    cfg = settings()
    url = None if local else (remote or cfg.spark_remote)
    if url:
        return SparkSession.builder.remote(url).appName(app_name).getOrCreate()
    # A Spark Connect session made earlier in this process marks the process as
    # "connect mode"; a classic session must clear that mark.
    os.environ.pop("SPARK_CONNECT_MODE_ENABLED", None)
    os.environ.pop("SPARK_REMOTE", None)
    builder = (
        SparkSession.builder.appName(app_name)
        .master(cfg.spark_master)
        .config("spark.jars", local_jars(cfg))
        .config("spark.sql.warehouse.dir", str(cfg.warehouse_dir))
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        # as on the Thrift server (infra/spark/spark-defaults.conf): Delta's default of 50
        # state-reconstruction tasks costs more than the work on a local warehouse
        .config("spark.databricks.delta.snapshotPartitions", "4")
    )
    for key, value in {**DELTA_CONF, **(extra_conf or {})}.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()
