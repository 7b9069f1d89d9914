"""The Thrift server's write guard (infra/spark/guard/ThriftWriteGuard.java): the user the
dashboards' connection names, and analysts' `make sql` user, read but cannot change
anything, whatever Superset's own settings say; dbt (SPARK_THRIFT_WRITERS) still writes.

Every statement is harmless if the guard let it through (no row matches, nothing added),
and the test then fails on the missing refusal.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from sqlalchemy.engine.url import make_url

pytestmark = pytest.mark.stack

ROOT = Path(__file__).resolve().parents[2]
DASHBOARD_DB = ROOT / "dashboards" / "assets" / "databases" / "antt_gold.yaml"


def cursor(user: str):
    from pyhive import hive

    return hive.connect(host=os.environ.get("SPARK_THRIFT_HOST", "127.0.0.1"),
                        port=int(os.environ.get("SPARK_THRIFT_PORT", "10000")),
                        username=user, database="gold").cursor()


def dashboard_user() -> str:
    user = make_url(yaml.safe_load(DASHBOARD_DB.read_text(encoding="utf-8"))["sqlalchemy_uri"]).username
    assert user, f"{DASHBOARD_DB}: the dashboards' connection must name its Thrift user"
    return user


WRITES = [
    "INSERT INTO gold.dim_commune SELECT * FROM gold.dim_commune WHERE 1 = 0",
    "DELETE FROM gold.dim_commune WHERE 1 = 0",
    "UPDATE gold.dim_commune SET commune_name = commune_name WHERE 1 = 0",
    "MERGE INTO gold.dim_commune t USING (SELECT * FROM gold.dim_commune WHERE 1 = 0) s "
    "ON t.commune_code = s.commune_code WHEN MATCHED THEN UPDATE SET *",
    "CREATE TABLE gold.zz_guard_probe USING delta AS SELECT 1 AS a",
    "DROP TABLE IF EXISTS gold.zz_guard_probe",
    "ALTER TABLE gold.dim_commune SET TBLPROPERTIES ('antt.guard_probe' = '1')",
    "OPTIMIZE gold.dim_commune",
    "VACUUM gold.dim_commune RETAIN 720 HOURS",
    "CREATE OR REPLACE TEMPORARY VIEW zz_probe AS SELECT 1 AS a",
]


@pytest.mark.parametrize("user", ["dashboards", "analyst"])
@pytest.mark.parametrize("sql", WRITES, ids=lambda s: s.split(" gold.")[0].split(" (")[0][:40])
def test_readers_cannot_write_through_the_thrift_server(stack, user, sql):
    user = dashboard_user() if user == "dashboards" else "analyst"
    with pytest.raises(Exception, match=f"ANTT: Thrift user '{user}' reads only"):
        cursor(user).execute(sql)


def test_readers_still_read_and_browse(stack):
    cur = cursor(dashboard_user())
    cur.execute("SELECT COUNT(*) FROM gold.dim_commune")
    assert cur.fetchall()[0][0] > 0
    cur.execute("SHOW TABLES IN gold")
    assert any(row[1] == "dim_commune" for row in cur.fetchall())
    cur.execute("DESCRIBE gold.dim_commune")
    assert "commune_code" in {row[0] for row in cur.fetchall()}


def test_the_writer_writes(stack):
    writer = os.environ.get("SPARK_THRIFT_WRITERS", "dbt").split(",")[0]
    cur = cursor(writer)
    cur.execute("CREATE OR REPLACE TEMPORARY VIEW zz_probe AS SELECT 1 AS a")
    cur.execute("SELECT a FROM zz_probe")
    assert cur.fetchall() == [(1,)]
