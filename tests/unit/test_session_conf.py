"""The camera jobs change a few SQL settings for their big writes only: the session (on the
stack, the one long-lived Spark application's) keeps its own settings before and after."""
from __future__ import annotations

import pytest

from spark_jobs import common

OPTIMIZE_WRITE = "spark.databricks.delta.optimizeWrite.enabled"
OPEN_COST = "spark.sql.files.openCostInBytes"


def test_settings_hold_inside_the_block_and_are_put_back(spark_local):
    spark_local.conf.set(OPTIMIZE_WRITE, "true")         # as in infra/spark/spark-defaults.conf
    spark_local.conf.unset(OPEN_COST)
    default_cost = spark_local.conf.get(OPEN_COST)
    with common.session_conf(spark_local, common.BULK_WRITE_CONF):
        assert spark_local.conf.get(OPTIMIZE_WRITE) == "false"
        assert spark_local.conf.get(OPEN_COST) == str(256 * 1024)
    assert spark_local.conf.get(OPTIMIZE_WRITE) == "true"
    assert spark_local.conf.get(OPEN_COST) == default_cost
    assert default_cost != str(256 * 1024)


def test_settings_are_put_back_when_the_block_fails(spark_local):
    spark_local.conf.set(OPTIMIZE_WRITE, "true")
    with pytest.raises(RuntimeError, match="write failed"):
        with common.session_conf(spark_local, {OPTIMIZE_WRITE: "false"}):
            raise RuntimeError("write failed")
    assert spark_local.conf.get(OPTIMIZE_WRITE) == "true"
