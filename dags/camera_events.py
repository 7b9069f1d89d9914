"""Camera events: landing → bronze → silver (Spark). Gold follows in gold_marts."""
from __future__ import annotations

from airflow.sdk import Param, dag, task

from antt.airflow_support import DEFAULT_ARGS, SILVER_CAMERA_EVENTS, daily_at, landing_date

DOC = """
### Camera events (camera_events)
Loads one **landing day** of camera plate reads (gzip JSON lines per camera and hour,
`camera/events/dt=YYYY-MM-DD/hh=HH/<camera>.jsonl.gz`) through the medallion layers:

1. `load_registry` — newest camera registry export → `silver.cameras`
2. `landing_to_bronze` — every line, raw, with file and line number → `bronze.camera_events`
   (files already loaded are skipped; insert-only MERGE, so re-runs add nothing)
2b. `bronze_gate` — Great Expectations on the day's bronze rows: every landing file is in
   bronze, (file, line) unique, nothing null; a failure stops silver and gold
3. `bronze_to_silver` — typed, validated, deduplicated on `event_id` → `silver.camera_events`;
   rejects → `quarantine.camera_events` with a reason code. The task log prints the
   reconciliation `bronze = silver + duplicates removed + quarantined`.
4. `quality_gate` — Great Expectations suites (`expectations/`) on the day's silver rows,
   quarantine and the camera registry; a check above its fail threshold fails the task (the log names the check,
   table, observed value and example rows) and gold is not triggered.
   Data Docs: `python -m expectations.docs`.

A run that wrote nothing new (a re-run, a day without files) skips the gate and does not
update the Asset. A passed gate updates the `silver.camera_events` Asset, which triggers the **gold_marts** DAG (dbt);
while a gold run is busy, further silver updates are gathered into its next run, so a
14-day backfill builds the marts a few times, not 14.

**Which day:** trigger with conf `{"landing_date": "2026-11-03"}` to (re)load that day;
a scheduled run (00:00 Asia/Ho_Chi_Minh) loads the day that just ended. Re-running a day is safe.
"""


@dag(
    dag_id="camera_events",
    schedule=daily_at(0),   # 00:00 local: load the day that just ended
    catchup=False,
    # Several days may load at once (backfills); tasks writing shared tables run one at a
    # time across runs (max_active_tis_per_dag=1), bronze loads are partition-disjoint.
    max_active_runs=2,
    default_args=DEFAULT_ARGS,
    params={"landing_date": Param(None, type=["null", "string"], format="date",
                                  description="landing day to load (YYYY-MM-DD); empty = yesterday")},
    tags=["camera", "bronze", "silver"],
    doc_md=DOC,
)
def camera_events():
    @task(max_active_tis_per_dag=1)
    def load_registry(params=None, logical_date=None) -> str:
        from spark_jobs.camera import registry
        from spark_jobs.session import get_spark

        day = landing_date(params, logical_date)
        registry.run(get_spark("camera_registry"), day)
        return day.isoformat()

    @task
    def landing_to_bronze(day: str, run_id=None) -> dict:
        import datetime as dt

        from spark_jobs.camera import bronze
        from spark_jobs.session import get_spark

        return bronze.run(get_spark("camera_bronze"), dt.date.fromisoformat(day), run_id)

    @task
    def bronze_gate(day: str) -> dict:
        """Great Expectations on the day's bronze rows: every landing file is in bronze,
        (file, line) unique, nothing null. A failure stops silver and gold."""
        import datetime as dt

        from expectations.gate import run_gates
        from spark_jobs.session import get_spark

        return run_gates(get_spark("camera_bronze_gate"), ["bronze.camera_events"], [dt.date.fromisoformat(day)])

    @task(max_active_tis_per_dag=1)
    def bronze_to_silver(day: str) -> dict:
        import datetime as dt

        from spark_jobs.camera import silver
        from spark_jobs.session import get_spark

        return silver.run(get_spark("camera_silver"), dt.date.fromisoformat(day))

    @task(outlets=[SILVER_CAMERA_EVENTS])
    def quality_gate(day: str, silver_result: dict) -> dict:
        """Great Expectations on the day's silver rows and quarantine; fails above thresholds
        (expectations/thresholds.yml), so gold is not rebuilt from bad data. Skipped when
        the silver run wrote nothing new."""
        import datetime as dt

        from antt.airflow_support import skip_unless_changed
        from expectations.gate import run_gates
        from spark_jobs.session import get_spark

        skip_unless_changed(silver_result)
        return run_gates(get_spark("camera_quality_gate"),
                         ["silver.camera_events", "quarantine.camera_events", "silver.cameras"],
                         [dt.date.fromisoformat(day)])

    day = load_registry()
    silver_result = bronze_to_silver(day)
    landing_to_bronze(day) >> bronze_gate(day) >> silver_result
    quality_gate(day, silver_result)


camera_events()
