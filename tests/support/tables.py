"""Helpers for whole-job tests on the shared local Spark session."""
from __future__ import annotations

import hashlib
import json

# columns that say when a row was written, not what it holds
LOAD_TIME = frozenset({"ingested_at", "processed_at", "quarantined_at", "ingest_run"})

# The unit tier's tables hold a few rows. Delta reconstructs a table's state in 50 tasks and
# whole-stage code generation compiles every plan: on these tables both cost far more than
# the work (the bad-input corpus module: 160 s for its first two tests with the defaults,
# 76 s with 2 state partitions; the whole module 139 s → 119 s without whole-stage codegen).
# Settings of speed only: the jobs' results do not depend on them. (The local session
# factory already uses 4 shuffle and 4 state partitions; these narrow it further.)
SMALL_TABLES = {
    "spark.default.parallelism": "2",
    "spark.databricks.delta.snapshotPartitions": "2",
    "spark.sql.codegen.wholeStage": "false",
}


def drop_tables(spark, *tables: str) -> None:
    """Start a whole-job test from empty tables: the local session is shared by the unit
    tests, and a job test must not see what an earlier one left behind."""
    for t in tables:
        spark.sql(f"DROP TABLE IF EXISTS {t}")


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
