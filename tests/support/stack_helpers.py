"""Shortcuts for stack tests that need a camera day in silver without a scheduler round."""
from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path

from antt.generator.camera import generate
from spark_jobs.camera import bronze, registry, silver

DBT_DIR = Path(__file__).resolve().parents[2] / "dbt"


def load_camera_day(spark, landing_dir, day: dt.date, *, seed: int, run_id: str,
                    scale: float = 0.3, n_cameras: int = 20) -> None:
    """Generate one landing day and run the camera jobs (registry, bronze, silver) on it."""
    generate(landing_dir, day, 1, seed=seed, scale=scale, n_cameras=n_cameras)
    registry.run(spark, day)
    bronze.run(spark, day, run_id)
    silver.run(spark, day)


def dbt_build(*select: str, full_refresh: bool = False, command: str = "build") -> str:
    """`dbt build --select ...` on the Thrift server; returns stdout, fails with its tail.
    ``command="run"`` builds the models without their tests."""
    dbt = Path(os.environ["PIPELINE_VENV"]) / "bin" / "dbt"
    cmd = [str(dbt), command, "--select", *select] + (["--full-refresh"] if full_refresh else [])
    proc = subprocess.run(cmd, cwd=DBT_DIR, capture_output=True, text=True, timeout=1800)
    assert proc.returncode == 0 and "Completed successfully" in proc.stdout, \
        proc.stdout[-4000:] + proc.stderr[-2000:]
    return proc.stdout
