"""Helpers for whole-job tests on the shared local Spark session."""
from __future__ import annotations


def drop_tables(spark, *tables: str) -> None:
    """Start a whole-job test from empty tables: the local session is shared by the unit
    tests, and a job test must not see what an earlier one left behind."""
    for t in tables:
        spark.sql(f"DROP TABLE IF EXISTS {t}")
