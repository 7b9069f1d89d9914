"""Helpers for whole-job tests on the shared local Spark session."""
from __future__ import annotations

import contextlib
import hashlib
import json
from typing import Iterator

# columns that say when a row was written, not what it holds
LOAD_TIME = frozenset({"ingested_at", "processed_at", "quarantined_at", "ingest_run"})


def drop_tables(spark, *tables: str) -> None:
    """Start a whole-job test from empty tables: the local session is shared by the unit
    tests, and a job test must not see what an earlier one left behind."""
    for t in tables:
        spark.sql(f"DROP TABLE IF EXISTS {t}")


@contextlib.contextmanager
def small_tables(spark) -> Iterator[None]:
    """Settings for tables of a few rows — Delta's 50 state-reconstruction tasks and 200
    shuffle partitions would dominate — restored afterwards."""
    conf = {"spark.databricks.delta.snapshotPartitions": "2", "spark.sql.shuffle.partitions": "4"}
    old = {k: spark.conf.get(k, None) for k in conf}
    for k, v in conf.items():
        spark.conf.set(k, v)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                spark.conf.unset(k)
            else:
                spark.conf.set(k, v)


def content(spark, tables) -> dict[str, list[tuple]]:
    """Every row of every table, without load timestamps, sorted."""
    out = {}
    for t in tables:
        df = spark.table(t)
        cols = sorted(c for c in df.columns if c not in LOAD_TIME)
        out[t] = sorted(tuple(str(v) for v in r) for r in df.select(*cols).collect())
    return out


def checksum(tables: dict[str, list[tuple]]) -> str:
    return hashlib.sha256(json.dumps(tables, sort_keys=True).encode()).hexdigest()
