"""End to end through the real services.

Generate a small day → trigger the DAG through Airflow's REST API → wait for the
scheduler and the gold_marts run its silver Asset update triggers (the session's
``lakehouse`` does this last, so that run is the one gold build of the tier) → the number
Superset's chart-data API returns for the dashboard's
"Tổng số vi phạm" chart equals the valid distinct violations counted independently
from the landing files. Then run the same day again: nothing changes.
"""
from __future__ import annotations

import datetime as dt
import os

import pytest
from pyspark.sql import functions as F

from antt import superset_api
from antt.airflow_api import Airflow
from spark_jobs import config
from spark_jobs.counts import layer_counts
from tests.support.landing_oracle import expected_camera_counts
from tests.support.stack_helpers import E2E_DAY as DAY

pytestmark = pytest.mark.stack
DAG_ID = "camera_events"
GOLD_DAG_ID = "gold_marts"


def run_day(af: Airflow, day: dt.date) -> str:
    """Load the day through the scheduler, then wait for the gold run its Asset update triggered."""
    rid = af.trigger(DAG_ID, {"landing_date": day.isoformat()})
    af.wait(DAG_ID, [rid], timeout=1800)
    af.wait_for_consumers(GOLD_DAG_ID, DAG_ID, [rid], timeout=1800)
    return rid


def chart_total(day: dt.date) -> int:
    base = f"http://127.0.0.1:{os.environ.get('SUPERSET_PORT', '8088')}"
    client = superset_api.login(base, "admin", os.environ["SUPERSET_ADMIN_PASSWORD"])
    nxt = day + dt.timedelta(days=1)
    return client.big_number_total(superset_api.TOTAL_VIOLATIONS_CHART_UUID,
                                   time_range=f"{day.isoformat()} : {nxt.isoformat()}")


def quarantine_by_reason(spark, day):
    rows = (spark.table(config.QUARANTINE_CAMERA_EVENTS).where(F.col("landing_date") == F.lit(day))
            .groupBy("reason_code").count().collect())
    return {r["reason_code"]: r["count"] for r in rows}


def test_landing_to_dashboard(lakehouse, spark, landing_dir):
    expected = expected_camera_counts(landing_dir, [DAY])
    assert expected["valid_distinct_violations_by_date"].get(DAY.isoformat(), 0) > 0
    af = Airflow()
    # the day's run succeeded and its Asset update triggered the gold run(s) that built gold
    # (on a warehouse that had the day already nothing was new: gold was triggered by hand)
    assert af.run_state(DAG_ID, lakehouse.e2e_run) == "success"
    if lakehouse.asset_triggered:
        assert lakehouse.gold_runs and all(af.run_state(GOLD_DAG_ID, r) == "success" for r in lakehouse.gold_runs)
        assert any(r.startswith("asset_triggered__") for r in lakehouse.gold_runs), lakehouse.gold_runs
    else:
        print("the day was loaded before: no Asset update to check, gold triggered by hand")

    counts = layer_counts(spark, [DAY])
    assert counts["landing_lines"] == expected["total_lines"] == counts["bronze"]
    assert counts["silver"] == expected["valid_distinct_events"]
    assert counts["duplicates_removed"] == expected["duplicates"]
    assert quarantine_by_reason(spark, DAY) == {k: v for k, v in expected["invalid_by_reason"].items() if v}
    assert counts["bronze"] == counts["silver"] + counts["quarantined"] + counts["duplicates_removed"]

    total = chart_total(DAY)
    assert total == expected["valid_distinct_violations_by_date"][DAY.isoformat()]

    # the same day again, through the scheduler: no table changes, no duplicates, and as
    # nothing is new the gate is skipped and gold is not rebuilt
    again = run_day(af, DAY)
    assert af.task_states(DAG_ID, again)["quality_gate"] == "skipped"
    assert not af.emitted_asset_event(DAG_ID, again)
    assert layer_counts(spark, [DAY]) == counts
    assert chart_total(DAY) == total
    assert spark.table(config.SILVER_CAMERA_EVENTS).groupBy("event_id").count().where("count > 1").count() == 0


def test_a_day_without_files_is_a_clean_no_op(lakehouse):
    """A scheduled run for a day the platform sent nothing: succeeds, skips the gate, no gold."""
    af = Airflow()
    rid = af.trigger(DAG_ID, {"landing_date": "2024-06-21"})
    af.wait(DAG_ID, [rid], timeout=900)
    states = af.task_states(DAG_ID, rid)
    assert states["landing_to_bronze"] == states["bronze_to_silver"] == "success"
    assert states["quality_gate"] == "skipped"
    assert not af.emitted_asset_event(DAG_ID, rid)
