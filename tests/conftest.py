"""Shared fixtures. Unit tests use an in-process Spark; `stack` tests use the running services."""
from __future__ import annotations

import pytest

from tests.support.tables import SMALL_TABLES


@pytest.fixture(scope="session")
def spark_local(tmp_path_factory):
    """A classic local Spark session with Delta (no services needed)."""
    from spark_jobs.session import get_spark

    wh = tmp_path_factory.mktemp("warehouse")
    spark = get_spark("antt-tests", local=True, extra_conf={
        "spark.sql.warehouse.dir": str(wh), **SMALL_TABLES})
    yield spark
    spark.stop()
