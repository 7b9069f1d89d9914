"""Access control in the running Superset, through its REST API (the browser tests open the
same dashboards as the same users).

The roles and row-level security rules are the ones `python -m antt.superset_access`
generated from gold.dim_commune (fixture `demo_users`). Expected figures come from the gold
tables through Spark, never from Superset.
"""
from __future__ import annotations

import json
import os

import pytest
from pyspark.sql import functions as F

from antt import superset_access as access
from antt.superset_api import SupersetError, login
from tests.stack.conftest import SUPERSET_URL, superset_as

pytestmark = pytest.mark.stack

MART = "gold.mart_violations_commune_daily"
BY_COMMUNE_CHART = "3f760c5e-81b1-49fc-b25a-bb67d9066f33"  # "Vi phạm theo xã/phường (top 20)"


def admin():
    return login(SUPERSET_URL, "admin", os.environ["SUPERSET_ADMIN_PASSWORD"])


def mart_total(spark, commune: str | None = None) -> int:
    df = spark.table(MART)
    if commune:
        df = df.where(F.col("commune_code") == commune)
    return int(df.agg(F.coalesce(F.sum("violations"), F.lit(0))).first()[0])


def gold_database_id(client) -> int:
    dbs = client.get_json("/api/v1/database/")["result"]
    return next(d["id"] for d in dbs if d["database_name"] == "ANTT gold (Spark)")


def sql_lab(client, sql: str) -> dict:
    client.csrf()
    return client.post_json("/api/v1/sqllab/execute/", {
        "database_id": gold_database_id(client), "sql": sql, "schema": "gold", "runAsync": False,
    }, expected=(200, 202))


def grouped_rows(client, dataset_id: int, extra_filters=()) -> list[dict]:
    """SUM(violations) per commune_code on a dataset, as the chart-data API returns it."""
    body = client.chart_data({
        "datasource": {"id": dataset_id, "type": "table"}, "force": True,
        "queries": [{"columns": ["commune_code"],
                     "metrics": [{"expressionType": "SQL", "sqlExpression": "SUM(violations)",
                                  "label": "n"}],
                     "filters": list(extra_filters), "row_limit": 1000}],
        "result_format": "json", "result_type": "full",
    })
    return body["result"][0]["data"]


def dataset_id(client, table: str) -> int:
    rows = access.list_all(client, "/api/v1/dataset/")
    return next(d["id"] for d in rows if d["table_name"] == table and not d.get("sql"))


def test_leadership_sees_the_whole_city(demo_users, spark):
    client = superset_as(demo_users["lanhdao"])
    assert client.big_number_total() == mart_total(spark) > 0


def test_commune_police_see_only_their_commune(commune_users, spark):
    for user in commune_users:
        code = user["commune_code"]
        client = superset_as(user)
        assert client.big_number_total() == mart_total(spark, code)
        rows = grouped_rows(client, dataset_id(client, "mart_violations_commune_daily"))
        assert {r["commune_code"] for r in rows} <= {code}
        # asking for the other commune explicitly returns nothing
        other = next(u["commune_code"] for u in commune_users if u is not user)
        assert grouped_rows(client, dataset_id(client, "mart_violations_commune_daily"),
                            [{"col": "commune_code", "op": "IN", "val": [other]}]) == []
        # the saved "by commune" chart, through its saved query context
        context = client.saved_query_context(BY_COMMUNE_CHART)
        context["force"] = True
        data = client.chart_data(context)["result"][0]["data"]
        names = {r.get("commune_name") for r in data}
        own = spark.table("gold.dim_commune").where(F.col("commune_code") == code).first()["commune_name"]
        assert names <= {own}


def test_commune_police_have_no_sql_lab(commune_users):
    client = superset_as(commune_users[0])
    with pytest.raises(SupersetError) as refused:
        sql_lab(client, "SELECT 1 AS one")
    assert refused.value.status in (401, 403)


def test_analyst_reads_gold_in_sql_lab(demo_users, spark):
    client = superset_as(demo_users["phantich"])
    body = sql_lab(client, f"SELECT SUM(violations) AS n FROM {MART}")
    assert body["data"][0]["n"] == mart_total(spark)


@pytest.mark.parametrize("sql, reason", [
    ("SELECT COUNT(*) AS n FROM bronze.camera_events", "TABLE_SECURITY_ACCESS_ERROR"),
    ("SELECT COUNT(*) AS n FROM silver.camera_events", "TABLE_SECURITY_ACCESS_ERROR"),
    ("SELECT COUNT(*) AS n FROM quarantine.camera_events", "TABLE_SECURITY_ACCESS_ERROR"),
    ("WITH x AS (SELECT * FROM spark_catalog.bronze.camera_events) SELECT COUNT(*) FROM x",
     "TABLE_SECURITY_ACCESS_ERROR"),
    ("SELECT m.violations FROM gold.mart_violations_commune_daily m "
     "JOIN bronze.camera_events b ON b.line_no = 1", "TABLE_SECURITY_ACCESS_ERROR"),
    # the session hole: Superset qualified camera_events with gold; Spark read bronze
    ("USE bronze;\nSELECT COUNT(*) AS n FROM camera_events", "USE bị từ chối"),
    ("SET spark.sql.ansi.enabled = false", "SET bị từ chối"),
    ("EXPLAIN SELECT * FROM bronze.camera_events", "EXPLAIN bị từ chối"),
    ("DROP TABLE gold.dim_commune", "DML_NOT_ALLOWED_ERROR"),
    ("INSERT INTO gold.dim_commune SELECT * FROM gold.dim_commune", "DML_NOT_ALLOWED_ERROR"),
])
def test_analyst_cannot_reach_raw_data_or_write(demo_users, sql, reason):
    client = superset_as(demo_users["phantich"])
    with pytest.raises(SupersetError, match=reason):
        sql_lab(client, sql)


def test_nobody_writes_through_superset_not_even_admin():
    with pytest.raises(SupersetError, match="DML_NOT_ALLOWED_ERROR"):
        sql_lab(admin(), "DELETE FROM gold.dim_commune WHERE 1 = 1")


def save_chart(client, dataset: int, name: str) -> int:
    """A table chart of SUM(violations) per commune on a dataset, saved with its query
    context (what Explore's Save does), so GET /api/v1/chart/<id>/data/ replays it."""
    query = {"columns": ["commune_code"],
             "metrics": [{"expressionType": "SQL", "sqlExpression": "SUM(violations)", "label": "n"}],
             "filters": [], "row_limit": 1000}
    form_data = {"datasource": f"{dataset}__table", "viz_type": "table", "groupby": ["commune_code"],
                 "metrics": query["metrics"], "row_limit": 1000}
    context = {"datasource": {"id": dataset, "type": "table"}, "force": True, "queries": [query],
               "form_data": form_data, "result_format": "json", "result_type": "full"}
    client.csrf()
    created = client.post_json("/api/v1/chart/", {
        "slice_name": name, "viz_type": "table", "datasource_id": dataset, "datasource_type": "table",
        "params": json.dumps(form_data), "query_context": json.dumps(context)}, expected=(201,))
    return int(created["id"])


def saved_chart_rows(client, chart: int) -> list[dict]:
    return client.get_json(f"/api/v1/chart/{chart}/data/?force=true")["result"][0]["data"]


def test_a_chart_saved_from_a_sql_lab_query_keeps_row_level_security(demo_users, commune_users, spark):
    """The analyst's path: a query in SQL Lab, "Save dataset", a chart on it; shared with a
    commune role, the commune still sees only its own rows (Superset applies the physical
    table's RLS inside the virtual dataset's SQL)."""
    analyst = superset_as(demo_users["phantich"])
    sql = f"SELECT commune_code, violations FROM {MART}"
    assert sql_lab(analyst, sql)["data"], "the analyst's query returns rows"
    analyst.csrf()
    created = analyst.post_json("/api/v1/dataset/", {
        "database": gold_database_id(analyst), "schema": "gold",
        "table_name": "sqllab_vi_pham_tu_truy_van", "sql": sql}, expected=(201,))
    vid = int(created["id"])
    boss = admin()
    chart = None
    try:
        chart = save_chart(analyst, vid, "Vi phạm theo xã (từ SQL Lab)")
        whole = saved_chart_rows(analyst, chart)
        assert sum(r["n"] for r in whole) == mart_total(spark) > 0
        assert len({r["commune_code"] for r in whole}) > 1

        # an admin shares the analyst's dataset with one commune's role
        user = commune_users[0]
        code = user["commune_code"]
        boss.csrf()
        sync = access.AccessSync(boss)
        perms = sync.permission_views()
        key = sync.dataset_perm(boss.get_json(f"/api/v1/dataset/{vid}")["result"])
        role_id = sync.roles()[access.commune_role(code)]
        current = [p["id"] for p in boss.get_json(f"/api/v1/security/roles/{role_id}/permissions/")["result"]]
        boss.post_json(f"/api/v1/security/roles/{role_id}/permissions",
                       {"permission_view_menu_ids": current + [perms[key]]})
        commune = superset_as(user)
        rows = saved_chart_rows(commune, chart)
        assert rows, "the commune role should reach the shared chart"
        assert {r["commune_code"] for r in rows} == {code}
        assert sum(r["n"] for r in rows) == mart_total(spark, code)
        # the same dataset through the chart-data API, asking for the other commune: nothing
        other = commune_users[1]["commune_code"]
        assert grouped_rows(commune, vid, [{"col": "commune_code", "op": "IN", "val": [other]}]) == []
    finally:
        if chart is not None:
            boss.request("DELETE", f"/api/v1/chart/{chart}")
        boss.request("DELETE", f"/api/v1/dataset/{vid}")
        access.sync()   # the role's permissions back to exactly the plan


def test_the_analyst_cannot_save_a_dataset_over_raw_data_or_change_ours(demo_users):
    analyst = superset_as(demo_users["phantich"])
    analyst.csrf()
    with pytest.raises(SupersetError, match="bronze.camera_events") as refused:
        analyst.post_json("/api/v1/dataset/", {
            "database": gold_database_id(analyst), "schema": "gold",
            "table_name": "sqllab_tho", "sql": "SELECT commune_code FROM bronze.camera_events"},
            expected=(201,))
    assert refused.value.status == 422
    # the dashboards' datasets belong to admin: the analyst may not rewrite their SQL
    mart = dataset_id(analyst, "mart_violations_commune_daily")
    with pytest.raises(SupersetError) as refused:
        analyst.request("PUT", f"/api/v1/dataset/{mart}",
                        json={"sql": "SELECT * FROM bronze.camera_events"})
    assert refused.value.status == 403


def test_access_follows_the_unit_dimension(commune_users):
    """A commune that leaves the dimension loses its role and rule; it comes back with it.
    A second run with nothing changed changes nothing."""
    communes = access.read_communes()
    keep = {u["commune_code"] for u in commune_users}
    gone = next(c for c in sorted(communes) if c not in keep)
    specs = access.load_dataset_specs()
    sync = access.AccessSync(admin())
    try:
        report = sync.apply(access.plan_access({c: n for c, n in communes.items() if c != gone}, specs))
        assert set(report.deleted) == {f"rls {access.rls_name(gone)}", f"role {access.commune_role(gone)}"}
        assert access.commune_role(gone) not in sync.roles()
    finally:
        report = sync.apply(access.plan_access(communes, specs))
    assert set(report.created) == {f"rls {access.rls_name(gone)}", f"role {access.commune_role(gone)}"}
    again = sync.apply(access.plan_access(communes, specs))
    assert (again.created, again.updated, again.deleted) == ([], [], [])


def test_pages_load_from_this_server_only(stack):
    """The content policy every page is served with names no other host: no telemetry
    pixel, map tiles or fonts from outside (the browser test checks what really loads)."""
    import urllib.request

    with urllib.request.urlopen(f"{SUPERSET_URL}/login/", timeout=30) as r:
        policy = r.headers["Content-Security-Policy"]
    assert policy, "Superset served no Content-Security-Policy"
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
    local = {"'self'", "'none'", "'unsafe-inline'", "'strict-dynamic'", "blob:", "data:"}
    outside = {name: [s for s in sources.split() if s not in local and not s.startswith("'nonce-")]
               for name, sources in directives.items()}
    assert {k: v for k, v in outside.items() if v} == {}, policy
    assert {"default-src", "img-src", "connect-src", "script-src"} <= set(directives)
