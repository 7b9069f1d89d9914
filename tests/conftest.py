"""Shared fixtures. Unit tests use an in-process Spark; `stack` tests use the running services."""
from __future__ import annotations

import pytest

# The unit tier's tables hold a few rows. Delta reconstructs a table's state in 50 tasks and
# whole-stage code generation compiles every plan: on these tables both cost far more than
# the work (the bad-input corpus module: 160 s for its first two tests with the defaults,
# 76 s with 2 state partitions; the whole module 139 s → 119 s without whole-stage codegen).
# Settings of speed only: the jobs' results do not depend on them.
SMALL_TABLES = {
    "spark.default.parallelism": "2",
    "spark.sql.shuffle.partitions": "4",
    "spark.databricks.delta.snapshotPartitions": "2",
    "spark.sql.codegen.wholeStage": "false",
}


@pytest.fixture(scope="session")
def spark_local(tmp_path_factory):
    """A classic local Spark session with Delta (no services needed)."""
    from spark_jobs.session import get_spark

    wh = tmp_path_factory.mktemp("warehouse")
    spark = get_spark("antt-tests", local=True, extra_conf={
        "spark.sql.warehouse.dir": str(wh), **SMALL_TABLES})
    yield spark
    spark.stop()
