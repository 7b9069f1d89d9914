"""The dashboards in a real headless Chromium, logged in as each role (the demo users).

Every chart of every dashboard a role may open must draw without an error; the Big Number
shows the mart's figure for the user's scope (from Spark, not Superset); a commune user's
page shows no other commune. Screenshots: test-artifacts/screenshots/<user>-<slug>.png.
"""
from __future__ import annotations

import pytest
from pyspark.sql import functions as F

from antt.superset_access import load_dashboard_specs
from tests.stack.conftest import SUPERSET_URL
from tests.support import browser as b

pytestmark = pytest.mark.stack

MART = "gold.mart_violations_commune_daily"


def dashboards() -> list[dict]:
    """The gold dashboards (every chart on a gold dataset): leadership, analysts and commune
    police open them all. The trace and its audit are tested in test_superset_trace.py."""
    out = [{"slug": d.slug, "title": d.title, "charts": d.charts}
           for d in load_dashboard_specs() if d.schemas == {"gold"}]
    assert len(out) >= 5, f"gold dashboards in dashboards/assets: {out}"
    return out


def total(spark, commune=None) -> int:
    df = spark.table(MART)
    if commune:
        df = df.where(F.col("commune_code") == commune)
    return int(df.agg(F.coalesce(F.sum("violations"), F.lit(0))).first()[0])


@pytest.mark.parametrize("username", ["lanhdao", "phantich", "commune-0", "commune-1"])
def test_every_dashboard_draws_for_each_role(chromium, demo_users, commune_users, spark, username):
    user = (commune_users[int(username[-1])] if username.startswith("commune")
            else demo_users[username])
    page = b.log_in(chromium, SUPERSET_URL, user["username"], user["password"])
    try:
        for dash in dashboards():
            view = b.open_dashboard(page, SUPERSET_URL, dash["slug"], f"{user['username']}-{dash['slug']}")
            charts = view.charts
            assert len(charts) == dash["charts"], f"{dash['slug']}: {charts}"
            errors = [(c.title, c.error[:300]) for c in charts if c.error]
            assert not errors, f"{user['username']} on {dash['slug']}: {errors}"
            assert all(c.drawn for c in charts), [c.title for c in charts if not c.drawn]
            assert page.locator("[data-test='editable-title-input']").first.input_value() == dash["title"]

            if dash["slug"] == "vi-pham-giao-thong":
                big = next(c for c in charts if c.title == "Tổng số vi phạm")
                assert b.vietnamese_int(big.text) == total(spark, user.get("commune_code"))
            if user.get("commune_code"):
                # what the page received for its charts and filters: only the own commune
                code = user["commune_code"]
                names = {r["commune_code"]: r["commune_name"] for r in
                         spark.table("gold.dim_commune").select("commune_code", "commune_name").collect()}
                seen_codes = {r["commune_code"] for r in view.rows if r.get("commune_code")}
                seen_names = {r["commune_name"] for r in view.rows if r.get("commune_name")}
                assert seen_codes <= {code} and seen_names <= {names[code]}, \
                    f"{user['username']} on {dash['slug']} received {seen_codes | seen_names}"
                if dash["slug"] == "vi-pham-giao-thong" and total(spark, code):
                    assert names[code] in seen_names
            elif dash["slug"] == "vi-pham-giao-thong":
                assert len({r["commune_name"] for r in view.rows if r.get("commune_name")}) > 1
    finally:
        page.context.close()


def test_a_wrong_password_stays_on_the_login_page(chromium, demo_users):
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    with pytest.raises(PlaywrightTimeout):
        b.log_in(chromium, SUPERSET_URL, "lanhdao", demo_users["lanhdao"]["password"] + "x", timeout_ms=10_000)
