"""The stack tier's shared scenario, and shortcuts for tests that need a camera day in silver
without a scheduler round.

Every stack module reads the same warehouse, loaded once per session (tests/stack/conftest.py
``lakehouse``): the case and registry extracts through their DAGs, two camera days straight
through the jobs, and last the end-to-end camera day through the scheduler, whose silver
Asset update triggers the session's one gold build. A gold build (one ``dbt build`` of the
whole project, then the gold gate) is the stack tier's dearest step: one per module made the
tier alone longer than the time CI has.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
from pathlib import Path

from antt.generator.camera import generate
from spark_jobs.camera import bronze, registry, silver

DBT_DIR = Path(__file__).resolve().parents[2] / "dbt"

# case-system extracts across the 1 July 2025 merger (the demo uses the same seed: no clash)
CASE_START, CASE_END, CASE_SEED = dt.date(2024, 6, 1), dt.date(2025, 7, 31), 42
# four months of registry extracts (with the start snapshot) across the merger
REGISTRY_START, REGISTRY_DAYS, REGISTRY_SEED = dt.date(2025, 5, 1), 120, 42
# camera reads of the trace test (same seed as the cases: the stolen plates come from its pools)
TRACE_DAY, TRACE_SEED = dt.date(2025, 7, 30), 42
# the dbt module's day: with this seed CAM-00012 is stuck, CAM-00013 silent 02:00–16:00
CAMERA_DAY, CAMERA_SEED = dt.date(2024, 3, 4), 7
# the end-to-end day, loaded through the scheduler last
E2E_DAY, E2E_SEED = dt.date(2024, 6, 10), 11


def load_camera_day(spark, landing_dir, day: dt.date, *, seed: int, run_id: str,
                    scale: float = 0.3, n_cameras: int = 20) -> None:
    """Generate one landing day and run the camera jobs (registry, bronze, silver) on it."""
    generate(landing_dir, day, 1, seed=seed, scale=scale, n_cameras=n_cameras)
    registry.run(spark, day)
    bronze.run(spark, day, run_id)
    silver.run(spark, day)


def dbt(command: str, *select: str, full_refresh: bool = False,
        dbt_vars: dict | None = None) -> subprocess.CompletedProcess:
    """`dbt <command> --select ...` on the Thrift server, whatever its outcome."""
    exe = Path(os.environ["PIPELINE_VENV"]) / "bin" / "dbt"
    cmd = [str(exe), command, "--select", *select] + (["--full-refresh"] if full_refresh else [])
    if dbt_vars:
        cmd += ["--vars", json.dumps(dbt_vars)]
    return subprocess.run(cmd, cwd=DBT_DIR, capture_output=True, text=True, timeout=1800)


def dbt_build(*select: str, full_refresh: bool = False, command: str = "build",
              dbt_vars: dict | None = None) -> str:
    """`dbt build --select ...` on the Thrift server; returns stdout, fails with its tail.
    ``command="run"`` builds the models without their tests; ``dbt_vars`` overrides vars."""
    proc = dbt(command, *select, full_refresh=full_refresh, dbt_vars=dbt_vars)
    assert proc.returncode == 0 and "Completed successfully" in proc.stdout, \
        proc.stdout[-4000:] + proc.stderr[-2000:]
    return proc.stdout
