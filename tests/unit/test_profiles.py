"""infra/env.sh: ANTT_PROFILE switches the stack between one machine and the cluster by
settings alone (what the services, jobs and dbt then read)."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from spark_jobs import config

ROOT = Path(__file__).resolve().parents[2]
NAMES = ("ANTT_VAR_DIR", "ANTT_WAREHOUSE_DIR", "ANTT_LANDING_DIR", "SPARK_MASTER", "ANTT_S3_ENDPOINT",
         "SPARK_WORKERS", "PGDATA", "AIRFLOW_HOME", "ANTT_SECRETS_FILE")


def env_of(**given: str) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    script = "source infra/env.sh && " + " && ".join(f'echo "{n}=${{{n}:-}}"' for n in NAMES)
    done = subprocess.run(["bash", "-c", script], cwd=ROOT, env={**clean, **given},
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    return dict(line.split("=", 1) for line in done.stdout.splitlines())


def test_local_profile_is_one_machine():
    env = env_of()
    assert env["SPARK_MASTER"] == "local[2]"
    assert env["ANTT_VAR_DIR"] == str(ROOT / "var")
    assert env["ANTT_WAREHOUSE_DIR"] == str(ROOT / "var" / "lakehouse" / "warehouse")
    assert env["ANTT_S3_ENDPOINT"] == "" and env["SPARK_WORKERS"] == ""


def test_cluster_profile_is_a_standalone_master_and_object_storage_with_its_own_state():
    env = env_of(ANTT_PROFILE="cluster")
    assert env["SPARK_MASTER"] == "spark://127.0.0.1:17077"
    assert env["SPARK_WORKERS"] == "2"
    assert env["ANTT_WAREHOUSE_DIR"] == "s3a://antt-lakehouse/warehouse"
    assert env["ANTT_S3_ENDPOINT"] == "http://127.0.0.1:18333"
    state = ROOT / "var" / "cluster"
    for name in ("ANTT_VAR_DIR", "ANTT_LANDING_DIR", "PGDATA", "AIRFLOW_HOME", "ANTT_SECRETS_FILE"):
        assert env[name].startswith(str(state)), (name, env[name])


def test_a_script_sourcing_env_again_keeps_the_cluster_settings():
    first = env_of(ANTT_PROFILE="cluster")
    again = env_of(**{k: v for k, v in first.items() if v}, ANTT_PROFILE="cluster")
    assert again == first


def test_an_unknown_profile_is_refused_by_name():
    done = subprocess.run(["bash", "-c", "source infra/env.sh"], cwd=ROOT,
                          env={"PATH": os.environ["PATH"], "ANTT_PROFILE": "clustr"},
                          capture_output=True, text=True, timeout=30)
    assert done.returncode != 0
    assert "ANTT_PROFILE must be 'local' or 'cluster', got 'clustr'" in done.stderr


@pytest.mark.parametrize("uri", ["s3a://antt-lakehouse/warehouse", "/data/warehouse"])
def test_the_jobs_take_the_warehouse_as_given(monkeypatch, uri):
    monkeypatch.setenv("ANTT_WAREHOUSE_DIR", uri)
    assert config.settings().warehouse_dir == uri


def test_the_cross_profile_comparison_allows_only_the_order_of_a_floating_sum():
    """`make test-cluster` compares the profiles' sums: a sum of doubles may differ in its last
    digits with the partitioning; a count, an exact sum or a real difference may not."""
    from decimal import Decimal

    from tests.cluster.test_cross_profile import same

    local = {"rows": 225972, "records": 291993, "amount": Decimal("12.50"), "delay_p95_hours": 766779229.990603}
    assert same(local, {**local, "delay_p95_hours": 766779229.990598})
    assert not same(local, {**local, "delay_p95_hours": 766779230.990603})   # one row an hour off
    assert not same(local, {**local, "rows": 225971})
    assert not same(local, {**local, "amount": Decimal("12.51")})
    assert not same(local, {**local, "delay_p95_hours": None})
    assert not same(local, {k: v for k, v in local.items() if k != "records"})
