"""Fixtures for tests against the running local stack (`make up`; `make test` starts it)."""
from __future__ import annotations

import os
import socket

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
