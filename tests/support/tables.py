"""Helpers for whole-job tests on the shared local Spark session."""
from __future__ import annotations

import hashlib
import json

# columns that say when a row was written, not what it holds
LOAD_TIME = frozenset({"ingested_at", "processed_at", "quarantined_at", "ingest_run"})


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
