"""Faults, with real processes: a load killed with SIGKILL in the middle of its write leaves
nothing visible and its retry ends with exact counts; two overlapping loads of the same day
do not duplicate (one may lose Delta's optimistic-concurrency check; its retry adds nothing).

Each load is a separate process (tests/support/bronze_process.py: the camera bronze job
with its own local Spark, as an Airflow task would be), on a warehouse in a temporary
directory.
"""
from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pyspark.sql import functions as F

from antt.generator.camera import generate
from tests.support.landing_oracle import expected_camera_counts

DAY = dt.date(2024, 6, 5)
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def landing(tmp_path_factory):
    land = tmp_path_factory.mktemp("fault_landing")
    generate(land, DAY, 1, seed=5, scale=0.5, n_cameras=60)
    return land


def _env(landing: Path, warehouse: Path) -> dict:
    env = dict(os.environ)
    env.pop("ANTT_SPARK_REMOTE", None)
    env.update({"ANTT_LANDING_DIR": str(landing), "ANTT_WAREHOUSE_DIR": str(warehouse),
                "SPARK_MASTER": "local[2]"})
    return env


def _load(landing: Path, warehouse: Path, run_id: str, day: dt.date = DAY) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.support.bronze_process", day.isoformat(), run_id],
        cwd=ROOT, env=_env(landing, warehouse), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        start_new_session=True)   # its own process group: the JVM dies with it


def _load_with_retries(landing: Path, warehouse: Path, run_id: str, attempts: int = 3) -> None:
    for i in range(attempts):
        p = _load(landing, warehouse, f"{run_id}-try{i + 1}")
        out = p.communicate(timeout=600)[0].decode()
        if p.returncode == 0:
            return
    raise AssertionError(f"load failed {attempts} times; last log:\n{out[-3000:]}")


def _bronze(spark, warehouse: Path):
    return spark.read.format("delta").load(str(warehouse / "bronze.db" / "camera_events"))


def test_sigkill_mid_write_leaves_nothing_visible_and_retry_is_exact(spark_local, landing, tmp_path):
    wh = tmp_path / "warehouse"
    table_dir = wh / "bronze.db" / "camera_events"
    p = _load(landing, wh, "killed")
    killed = False
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline and p.poll() is None:
        # data files of the MERGE appear before its commit: kill the job right then
        if table_dir.exists() and any(table_dir.rglob("part-*.parquet")):
            os.killpg(p.pid, signal.SIGKILL)
            killed = True
            break
        time.sleep(0.02)
    p.wait(timeout=60)
    assert killed, f"the load finished before it could be killed:\n{p.stdout.read().decode()[-2000:]}"
    assert p.returncode == -signal.SIGKILL
    written = list(table_dir.rglob("part-*.parquet"))
    assert written, "no data file was written before the kill"
    # files were written, but no committed version references them
    visible = _bronze(spark_local, wh).count() if (table_dir / "_delta_log").exists() and \
        any((table_dir / "_delta_log").glob("*.json")) else 0
    assert visible == 0

    _load_with_retries(landing, wh, "retry")
    expected = expected_camera_counts(landing, [DAY])["total_lines"]
    df = _bronze(spark_local, wh)
    assert df.count() == expected
    assert df.select("source_file", "line_no").distinct().count() == expected
    assert df.where(F.col("ingest_run") == "killed").count() == 0


def test_overlapping_loads_do_not_duplicate(spark_local, landing, tmp_path):
    wh = tmp_path / "warehouse"
    # the table exists already (a day without files creates it and loads nothing)
    assert _load(landing, wh, "create", DAY + dt.timedelta(days=1)).wait(timeout=600) == 0
    procs = [_load(landing, wh, f"overlap-{i}") for i in (1, 2)]
    codes = [p.wait(timeout=600) for p in procs]
    logs = [p.stdout.read().decode() for p in procs]
    for code, log in zip(codes, logs):
        if code != 0:   # the loser of the commit race fails loudly, naming Delta's conflict ...
            assert "concurrent" in log.lower(), log[-3000:]
    # ... and its retry (Airflow retries the task) adds nothing
    _load_with_retries(landing, wh, "after")
    expected = expected_camera_counts(landing, [DAY])["total_lines"]
    df = _bronze(spark_local, wh)
    assert df.count() == expected
    assert df.select("source_file", "line_no").distinct().count() == expected
