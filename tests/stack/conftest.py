"""Fixtures for tests against the running local stack (`make up`; `make test` starts it)."""
from __future__ import annotations

import datetime as dt
import os
import socket
import time
from dataclasses import dataclass

import pytest


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture(scope="session")
def stack():
    ports = {"spark thrift": int(os.environ.get("SPARK_THRIFT_PORT", 10000)),
             "spark connect": int(os.environ.get("SPARK_CONNECT_PORT", 15002)),
             "airflow": int(os.environ.get("AIRFLOW_PORT", 8080)),
             "superset": int(os.environ.get("SUPERSET_PORT", 8088))}
    down = [name for name, port in ports.items() if not _port_open(port)]
    if down:
        pytest.fail(f"services not running: {', '.join(down)} — start them with `make up`")
    return ports


@pytest.fixture(scope="session")
def spark(stack):
    from spark_jobs.session import get_spark

    return get_spark("antt-stack-tests")


@pytest.fixture(scope="session")
def landing_dir():
    from spark_jobs.config import settings

    return settings().landing_dir


@dataclass(frozen=True)
class Lakehouse:
    case_run: str        # the case_records run of CASE_START..CASE_END
    registry_run: str    # the resident_registry run of the registry range
    e2e_run: str         # the camera_events run of E2E_DAY, whose Asset update built gold
    gold_runs: list[str]
    # False on a warehouse that held every day already (a second `make test` on the same
    # stack): nothing was new, no Asset update, so gold was built by a triggered run
    asset_triggered: bool


@pytest.fixture(scope="session")
def lakehouse(stack, spark, landing_dir) -> Lakehouse:
    """The stack tier's warehouse, loaded once (see tests/support/stack_helpers.py):

    1. gold_marts paused, so no source's Asset update builds gold half-loaded;
    2. the case and registry ranges through their DAGs, and meanwhile the dbt module's and
       the trace test's camera days straight through the jobs (in this order: the newer
       camera registry is the current one, as every test expects);
    3. gold_marts unpaused, the end-to-end camera day through the scheduler: its silver
       Asset update triggers the one gold build every module checks.
    """
    from antt.airflow_api import Airflow
    from antt.generator import cases, residents
    from antt.generator.camera import generate
    from tests.support import stack_helpers as s

    af = Airflow()
    for dag_id in ("case_records", "resident_registry", "camera_events", "gold_marts"):
        af.wait_for_dag(dag_id)
    af.pause("gold_marts")
    for dag_id in ("case_records", "resident_registry", "camera_events"):
        af.unpause(dag_id)
    t0 = time.monotonic()
    cases.generate(landing_dir, s.CASE_START, (s.CASE_END - s.CASE_START).days + 1, seed=s.CASE_SEED)
    residents.generate(landing_dir, s.REGISTRY_START, s.REGISTRY_DAYS, seed=s.REGISTRY_SEED)
    registry_end = s.REGISTRY_START + dt.timedelta(days=s.REGISTRY_DAYS - 1)
    case_run = af.trigger("case_records", {"landing_date": s.CASE_START.isoformat(),
                                           "landing_date_to": s.CASE_END.isoformat()})
    registry_run = af.trigger("resident_registry", {"landing_date": s.REGISTRY_START.isoformat(),
                                                    "landing_date_to": registry_end.isoformat()})
    s.load_camera_day(spark, landing_dir, s.TRACE_DAY, seed=s.TRACE_SEED, run_id="test-trace")
    s.load_camera_day(spark, landing_dir, s.CAMERA_DAY, seed=s.CAMERA_SEED, run_id="test-dbt")
    af.wait("case_records", [case_run], timeout=2400)
    af.wait("resident_registry", [registry_run], timeout=2400)
    print(f"\nlakehouse: sources loaded in {time.monotonic() - t0:.0f} s", flush=True)

    generate(landing_dir, s.E2E_DAY, 1, seed=s.E2E_SEED, scale=0.3, n_cameras=20)
    af.unpause("gold_marts")
    e2e_run = af.trigger("camera_events", {"landing_date": s.E2E_DAY.isoformat()})
    af.wait("camera_events", [e2e_run], timeout=1800)
    asset_triggered = af.emitted_asset_event("camera_events", e2e_run)
    if asset_triggered:
        gold = af.wait_for_consumers("gold_marts", "camera_events", [e2e_run], timeout=2400)
    else:
        gold = [af.trigger("gold_marts")]
        af.wait("gold_marts", gold, timeout=2400)
    print(f"lakehouse: gold built by {gold}; {time.monotonic() - t0:.0f} s in all", flush=True)
    return Lakehouse(case_run, registry_run, e2e_run, gold, asset_triggered)


SUPERSET_URL = f"http://127.0.0.1:{os.environ.get('SUPERSET_PORT', '8088')}"


@pytest.fixture(scope="session")
def demo_users(lakehouse) -> dict[str, dict]:
    """Superset's roles, RLS rules and demo users, made by the command the README gives
    (`python -m antt.superset_access demo-users`) after gold is built; {username: entry}
    from the ignored users file (passwords, roles, commune code)."""
    import json
    import subprocess
    import sys

    from antt.superset_access import users_file

    done = subprocess.run([sys.executable, "-m", "antt.superset_access", "demo-users"],
                          capture_output=True, text=True, timeout=600)
    print(done.stdout, done.stderr, flush=True)
    assert done.returncode == 0, f"superset_access demo-users failed:\n{done.stdout}\n{done.stderr}"
    path = users_file()
    assert oct(path.stat().st_mode & 0o777) == "0o600", f"{path} must be private (mode 600)"
    return {u["username"]: u for u in json.loads(path.read_text(encoding="utf-8"))}


@pytest.fixture(scope="session")
def commune_users(demo_users) -> list[dict]:
    users = [u for u in demo_users.values() if u["commune_code"]]
    assert len(users) == 2 and users[0]["commune_code"] != users[1]["commune_code"]
    return users


def superset_as(user: dict):
    from antt import superset_api

    return superset_api.login(SUPERSET_URL, user["username"], user["password"])


@pytest.fixture(scope="session")
def chromium():
    """Debian's headless Chromium under Playwright (tests/support/browser.py)."""
    from playwright.sync_api import sync_playwright

    from tests.support import browser

    with sync_playwright() as p:
        chromium = browser.launch(p)
        yield chromium
        chromium.close()
