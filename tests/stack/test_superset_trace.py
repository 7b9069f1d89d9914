"""Vehicle tracing is purpose-bound and audited (antt/trace_audit.py, the dashboard
"Truy vết phương tiện", the audit dashboard "Nhật ký truy vết").

Expected rows come from restricted.mart_vehicle_watchlist_trace through Spark; audit rows
are read straight from PostgreSQL with the read-only role.
"""
from __future__ import annotations

import copy
import os
import uuid

import psycopg2
import pytest

from antt.superset_api import SupersetError
from tests.stack.conftest import SUPERSET_URL, superset_as
from tests.support import browser as b

pytestmark = pytest.mark.stack

TRACE_CHART = "96550b26-9f2a-4319-be3b-e9404ebf7357"
AUDIT_CHART = "e410678b-93f9-4a54-8be0-a496a833668e"


@pytest.fixture(scope="module")
def watched(spark) -> dict:
    """One plate of an open theft report with its sightings, and that report's id."""
    rows = spark.table("restricted.mart_vehicle_watchlist_trace").orderBy("record_id", "sighting_seq").collect()
    assert rows, "the stack's warehouse has no trace rows (tests/stack/test_case_records.py loads them)"
    first = rows[0]
    same = [r for r in rows if r["vehicle_plate"] == first["vehicle_plate"] and r["record_id"] == first["record_id"]]
    return {"plate": first["vehicle_plate"], "record_id": first["record_id"],
            "event_ids": sorted(r["event_id"] for r in same)}


def audit_rows(reason: str) -> list[tuple]:
    with psycopg2.connect(os.environ["ANTT_AUDIT_READER_DSN"]) as conn, conn.cursor() as cur:
        cur.execute("SELECT username, vehicle_plate, reason, case_reference FROM audit.trace_lookups "
                    "WHERE reason = %s ORDER BY lookup_id", (reason,))
        return cur.fetchall()


def trace_query(client, params: dict) -> dict:
    context = copy.deepcopy(client.saved_query_context(TRACE_CHART))
    context["force"] = True
    context["form_data"]["url_params"] = params
    for query in context["queries"]:
        query["url_params"] = params
    return context


def unique_reason(label: str) -> str:
    return f"Kiểm thử {label} {uuid.uuid4().hex[:8]}"


def test_a_trace_needs_a_reason_and_a_case_and_is_audited(chromium, demo_users, watched):
    user = demo_users["truyvet"]
    page = b.log_in(chromium, SUPERSET_URL, user["username"], user["password"])
    try:
        # no purpose: the table says what is missing, nothing is read, nothing is audited
        view = b.open_dashboard(page, SUPERSET_URL, "truy-vet-phuong-tien", "truyvet-truy-vet-khong-ly-do")
        (chart,) = view.charts
        assert chart.error and "thiếu biển số (bien_so), lý do (ly_do)" in chart.error
        assert not view.rows

        reason = unique_reason("trình duyệt")
        params = {"bien_so": watched["plate"].lower().replace("-", " "),   # typed loosely
                  "ly_do": reason, "so_ho_so": watched["record_id"]}
        view = b.open_dashboard(page, SUPERSET_URL, "truy-vet-phuong-tien", "truyvet-truy-vet-phuong-tien",
                                params=params)
        (chart,) = view.charts
        assert chart.error is None and chart.drawn
        assert sorted(r["sighting_seq"] for r in view.rows) == list(range(1, len(watched["event_ids"]) + 1))
        assert {r["record_id"] for r in view.rows} == {watched["record_id"]}
        assert audit_rows(reason) == [("truyvet", watched["plate"], reason, watched["record_id"])]
    finally:
        page.context.close()


@pytest.mark.parametrize("params, says", [
    ({"bien_so": "30A-123.45", "ly_do": "ngắn", "so_ho_so": "TB-20250131-0042"}, "Lý do tra cứu phải dài"),
    ({"bien_so": "30A-123.45", "ly_do": "Xác minh theo yêu cầu", "so_ho_so": "bất kỳ"}, "không hợp lệ"),
    ({"bien_so": "'; DROP TABLE x; --", "ly_do": "Xác minh theo yêu cầu", "so_ho_so": "TB-20250131-0042"},
     "Biển số"),
])
def test_a_lookup_without_a_valid_purpose_is_refused_through_the_api(demo_users, params, says):
    client = superset_as(demo_users["truyvet"])
    with pytest.raises(SupersetError) as refused:
        client.chart_data(trace_query(client, params))
    assert refused.value.status in (400, 422, 500)
    assert audit_rows(params["ly_do"]) == []


def test_the_chart_data_api_is_audited_and_bound_to_the_case(demo_users, watched):
    client = superset_as(demo_users["truyvet"])
    reason = unique_reason("API")
    rows = client.chart_data(trace_query(client, {"bien_so": watched["plate"], "ly_do": reason,
                                                  "so_ho_so": watched["record_id"]}))["result"][0]["data"]
    assert len(rows) == len(watched["event_ids"])
    # the same plate under a report that is not its own: audited, and nothing comes back
    other = unique_reason("hồ sơ khác")
    rows = client.chart_data(trace_query(client, {"bien_so": watched["plate"], "ly_do": other,
                                                  "so_ho_so": "TB-19990101-0001"}))["result"][0]["data"]
    assert rows == []
    assert audit_rows(reason) == [("truyvet", watched["plate"], reason, watched["record_id"])]
    assert audit_rows(other) == [("truyvet", watched["plate"], other, "TB-19990101-0001")]


@pytest.mark.parametrize("username", ["lanhdao", "phantich", "commune"])
def test_only_the_tracing_role_opens_the_trace(demo_users, commune_users, username):
    user = commune_users[0] if username == "commune" else demo_users[username]
    client = superset_as(user)
    with pytest.raises(SupersetError) as refused:
        client.chart(TRACE_CHART)
    assert refused.value.status in (403, 404)
    with pytest.raises(SupersetError) as refused:
        client.dashboard("truy-vet-phuong-tien")
    assert refused.value.status in (403, 404)


def test_the_analyst_cannot_read_the_restricted_schema(demo_users):
    from tests.stack.test_superset_access import sql_lab

    with pytest.raises(SupersetError, match="TABLE_SECURITY_ACCESS_ERROR"):
        sql_lab(superset_as(demo_users["phantich"]),
                "SELECT * FROM restricted.mart_vehicle_watchlist_trace LIMIT 1")


@pytest.mark.parametrize("username", ["truyvet", "phantich", "commune"])
def test_only_city_leadership_reads_the_audit(demo_users, commune_users, username):
    user = commune_users[0] if username == "commune" else demo_users[username]
    with pytest.raises(SupersetError) as refused:
        superset_as(user).chart(AUDIT_CHART)
    assert refused.value.status in (403, 404)


def test_leadership_reviews_every_lookup_in_the_browser(chromium, demo_users, watched):
    client = superset_as(demo_users["truyvet"])
    reason = unique_reason("nhật ký")
    client.chart_data(trace_query(client, {"bien_so": watched["plate"], "ly_do": reason,
                                           "so_ho_so": watched["record_id"]}))
    user = demo_users["lanhdao"]
    page = b.log_in(chromium, SUPERSET_URL, user["username"], user["password"])
    try:
        view = b.open_dashboard(page, SUPERSET_URL, "nhat-ky-truy-vet", "lanhdao-nhat-ky-truy-vet")
        (chart,) = view.charts
        assert chart.error is None and chart.drawn
        mine = [r for r in view.rows if r.get("reason") == reason]
        assert [(r["username"], r["vehicle_plate"], r["case_reference"]) for r in mine] == \
            [("truyvet", watched["plate"], watched["record_id"])]
    finally:
        page.context.close()


def test_the_audit_is_append_only():
    """The writer (Superset's macro) may not change or remove a row; the reader may not add."""
    with psycopg2.connect(os.environ["ANTT_AUDIT_WRITER_DSN"]) as conn, conn.cursor() as cur:
        for sql in ("UPDATE audit.trace_lookups SET reason = 'x'", "DELETE FROM audit.trace_lookups",
                    "TRUNCATE audit.trace_lookups"):
            with pytest.raises(psycopg2.errors.InsufficientPrivilege):
                cur.execute(sql)
            conn.rollback()
    with psycopg2.connect(os.environ["ANTT_AUDIT_READER_DSN"]) as conn, conn.cursor() as cur:
        with pytest.raises(psycopg2.errors.InsufficientPrivilege):
            cur.execute("INSERT INTO audit.trace_lookups (username, vehicle_plate, reason, case_reference, "
                        "source) VALUES ('x', 'x', 'x', 'x', 'x')")


def test_the_audit_survives_a_restart_of_superset_and_postgresql(demo_users, watched):
    """Last in the module: restarts PostgreSQL and Superset (the services Airflow keeps using
    reconnect), then leadership still reads the lookup made before, in PostgreSQL and on
    the audit dashboard's chart."""
    import subprocess
    from pathlib import Path

    from antt.superset_api import wait_healthy

    root = os.environ.get("ANTT_ROOT") or Path(__file__).resolve().parents[2]

    client = superset_as(demo_users["truyvet"])
    reason = unique_reason("khởi động lại")
    client.chart_data(trace_query(client, {"bien_so": watched["plate"], "ly_do": reason,
                                           "so_ho_so": watched["record_id"]}))
    before = audit_rows(reason)
    assert before == [("truyvet", watched["plate"], reason, watched["record_id"])]

    done = subprocess.run(["bash", "infra/services.sh", "restart", "postgres", "superset"], cwd=root,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"restart failed:\n{done.stdout}\n{done.stderr}"
    assert "postgres  stopped" in done.stdout and "superset  stopped" in done.stdout
    wait_healthy(SUPERSET_URL)

    assert audit_rows(reason) == before
    leadership = superset_as(demo_users["lanhdao"])
    context = leadership.saved_query_context(AUDIT_CHART)
    context["force"] = True
    rows = leadership.chart_data(context)["result"][0]["data"]
    assert [(r["username"], r["vehicle_plate"], r["case_reference"]) for r in rows
            if r.get("reason") == reason] == [("truyvet", watched["plate"], watched["record_id"])]
