"""The dashboards in a real headless Chromium, logged in as each role (the demo users).

Every chart of every dashboard a role may open must draw without an error; the Big Number
shows the mart's figure for the user's scope (from Spark, not Superset); a commune user's
page shows no other commune. Screenshots: test-artifacts/screenshots/<user>-<slug>.png.
"""
from __future__ import annotations

import pytest

from antt.superset_access import load_dashboard_specs
from tests.stack.conftest import SUPERSET_URL
from tests.stack.test_superset_access import mart_total
from tests.support import browser as b

pytestmark = pytest.mark.stack

MART = "gold.mart_violations_commune_daily"

# The headline figures of each gold dashboard and the mart query they must equal (before any
# filter; a commune user's figure is the same query on their commune).
HEADLINES = {
    "tong-quan-antt": {
        "Tin báo tiếp nhận": "SELECT SUM(reports_received) FROM gold.mart_commune_daily_scorecard",
        "Vụ án khởi tố": "SELECT SUM(cases_prosecuted) FROM gold.mart_commune_daily_scorecard",
        "Vi phạm giao thông (camera)": "SELECT SUM(camera_violations) FROM gold.mart_commune_daily_scorecard",
        "Đăng ký cư trú mới": "SELECT SUM(registrations) FROM gold.mart_commune_daily_scorecard",
    },
    "vi-pham-giao-thong": {
        "Tổng số vi phạm": f"SELECT SUM(violations) FROM {MART}",
    },
    "tin-bao-vu-an": {
        "Tin báo đang giải quyết": "SELECT SUM(open_reports) FROM gold.mart_crime_report_deadlines",
        "Tin báo quá hạn (Điều 147 BLTTHS)": "SELECT SUM(overdue_reports) FROM gold.mart_crime_report_deadlines",
    },
    "cu-tru": {
        "Người tạm trú (ngày gần nhất)":
            "SELECT SUM(active_temporary) FROM gold.mart_residence_commune_daily "
            "WHERE day = (SELECT MAX(day) FROM gold.mart_residence_commune_daily)",
        "Dân số đăng ký (ngày gần nhất)":
            "SELECT SUM(population) FROM gold.mart_residence_commune_daily "
            "WHERE day = (SELECT MAX(day) FROM gold.mart_residence_commune_daily)",
    },
    "suc-khoe-camera": {
        "Camera không có dữ liệu (ngày gần nhất)":
            "SELECT COUNT(*) FROM gold.mart_camera_health_daily WHERE health_status = 'NO_DATA' "
            "AND day = (SELECT MAX(day) FROM gold.mart_camera_health_daily)",
    },
}


def expected_headline(spark, sql: str, commune: str | None) -> int:
    if commune:
        sql += (" AND " if " WHERE " in sql else " WHERE ") + f"commune_code = '{commune}'"
    return int(spark.sql(sql).first()[0] or 0)


def dashboards() -> list[dict]:
    """The gold dashboards (every chart on a gold dataset): leadership, analysts and commune
    police open them all. The trace and its audit are tested in test_superset_trace.py."""
    out = [{"slug": d.slug, "title": d.title, "charts": d.charts}
           for d in load_dashboard_specs() if d.schemas == {"gold"}]
    assert len(out) >= 5, f"gold dashboards in dashboards/assets: {out}"
    return out


@pytest.mark.parametrize("username", ["lanhdao", "phantich", "commune-0", "commune-1"])
def test_every_dashboard_draws_for_each_role(chromium, demo_users, commune_users, spark, username):
    user = (commune_users[int(username[-1])] if username.startswith("commune")
            else demo_users[username])
    page = b.log_in(chromium, SUPERSET_URL, user["username"], user["password"])
    try:
        # dashboard readers land on the Vietnamese overview, analysts on Superset's page
        landing = "/superset/welcome/" if username == "phantich" else "/superset/dashboard/tong-quan-antt/"
        assert page.url.endswith(landing), page.url
        assert set(HEADLINES) == {d["slug"] for d in dashboards()}
        for dash in dashboards():
            view = b.open_dashboard(page, SUPERSET_URL, dash["slug"], f"{user['username']}-{dash['slug']}")
            charts = view.charts
            assert len(charts) == dash["charts"], f"{dash['slug']}: {charts}"
            errors = [(c.title, c.error[:300]) for c in charts if c.error]
            assert not errors, f"{user['username']} on {dash['slug']}: {errors}"
            assert all(c.drawn for c in charts), [c.title for c in charts if not c.drawn]
            assert page.locator("[data-test='editable-title-input']").first.input_value() == dash["title"]

            shown = {c.title: c.text for c in charts}
            for title, sql in HEADLINES[dash["slug"]].items():
                # a Big Number over no rows says "No data": that is a 0 for these sums
                figure = b.vietnamese_int(shown[title], default=0)
                assert figure == expected_headline(spark, sql, user.get("commune_code")), \
                    f"{user['username']} on {dash['slug']}: {title} shows {shown[title]!r}"
            if user.get("commune_code"):
                # what the page received for its charts and filters: only the own commune
                code = user["commune_code"]
                names = {r["commune_code"]: r["commune_name"] for r in
                         spark.table("gold.dim_commune").select("commune_code", "commune_name").collect()}
                seen_codes = {r["commune_code"] for r in view.rows if r.get("commune_code")}
                seen_names = {r["commune_name"] for r in view.rows if r.get("commune_name")}
                assert seen_codes <= {code} and seen_names <= {names[code]}, \
                    f"{user['username']} on {dash['slug']} received {seen_codes | seen_names}"
                if dash["slug"] == "vi-pham-giao-thong" and mart_total(spark, code):
                    assert names[code] in seen_names
            elif dash["slug"] == "vi-pham-giao-thong":
                assert len({r["commune_name"] for r in view.rows if r.get("commune_name")}) > 1
        # nothing the pages loaded went to another host (Superset's telemetry pixel did)
        assert page.outside_requests == [], page.outside_requests
    finally:
        page.context.close()


def test_a_wrong_password_stays_on_the_login_page(chromium, demo_users):
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    with pytest.raises(PlaywrightTimeout):
        b.log_in(chromium, SUPERSET_URL, "lanhdao", demo_users["lanhdao"]["password"] + "x", timeout_ms=10_000)
