"""Camera events: landing → bronze → silver (Spark) → gold (dbt)."""
from __future__ import annotations

import os

from airflow.sdk import Asset, Param, dag, task
from cosmos import DbtTaskGroup, ExecutionConfig, ProfileConfig, ProjectConfig, RenderConfig
from cosmos.constants import LoadMode, TestBehavior, TestIndirectSelection

from antt.airflow_support import DEFAULT_ARGS, START_DATE, dbt_paths, landing_date

SILVER_EVENTS = Asset("delta://silver/camera_events")
GOLD_VIOLATIONS = Asset("delta://gold/mart_violations_commune_daily")
DBT = dbt_paths()

DOC = """
### Camera events (camera_events)
Loads one **landing day** of camera plate reads (gzip JSON lines per camera and hour,
`camera/events/dt=YYYY-MM-DD/hh=HH/<camera>.jsonl.gz`) through the medallion layers:

1. `load_registry` — newest camera registry export → `silver.cameras`
2. `landing_to_bronze` — every line, raw, with file and line number → `bronze.camera_events`
   (files already loaded are skipped; insert-only MERGE, so re-runs add nothing)
3. `bronze_to_silver` — typed, validated, deduplicated on `event_id` → `silver.camera_events`;
   rejects → `quarantine.camera_events` with a reason code. The task log prints the
   reconciliation `bronze = silver + duplicates removed + quarantined`.
4. `dbt` — staging views and the gold marts (`fct_camera_violations`,
   `mart_violations_commune_daily`), each model built with its tests (Cosmos, `dbt build`).

**Which day:** trigger with conf `{"landing_date": "2026-11-03"}` to (re)load that day;
a scheduled run (00:00 Asia/Ho_Chi_Minh) loads the day that just ended. Re-running a day is safe.
"""


@dag(
    dag_id="camera_events",
    schedule="@daily",
    start_date=START_DATE,
    catchup=False,
    # Several days may load at once (backfills); tasks writing shared tables run one at a
    # time across runs (max_active_tis_per_dag=1), bronze loads are partition-disjoint.
    max_active_runs=4,
    default_args=DEFAULT_ARGS,
    params={"landing_date": Param(None, type=["null", "string"], format="date",
                                  description="landing day to load (YYYY-MM-DD); empty = yesterday")},
    tags=["camera", "bronze", "silver", "gold"],
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

    @task(outlets=[SILVER_EVENTS], max_active_tis_per_dag=1)
    def bronze_to_silver(day: str) -> dict:
        import datetime as dt

        from spark_jobs.camera import silver
        from spark_jobs.session import get_spark

        return silver.run(get_spark("camera_silver"), dt.date.fromisoformat(day))

    dbt = DbtTaskGroup(
        group_id="dbt",
        project_config=ProjectConfig(
            dbt_project_path=DBT["project"],
            manifest_path=DBT["manifest"] if DBT["manifest"].exists() else None,
            install_dbt_deps=False,
        ),
        profile_config=ProfileConfig(
            profile_name="antt",
            target_name=os.environ.get("ANTT_TARGET", "local"),
            profiles_yml_filepath=DBT["profiles"],
        ),
        # "buildable": a test over several models runs with the last of them to be built
        execution_config=ExecutionConfig(dbt_executable_path=DBT["dbt"],
                                         test_indirect_selection=TestIndirectSelection.BUILDABLE),
        render_config=RenderConfig(
            load_method=LoadMode.DBT_MANIFEST if DBT["manifest"].exists() else LoadMode.DBT_LS,
            select=["+mart_violations_commune_daily"],
            test_behavior=TestBehavior.BUILD,
        ),
        operator_args={"install_deps": False},
        default_args={"retries": 1, "max_active_tis_per_dag": 1},
    )

    day = load_registry()
    landing_to_bronze(day) >> bronze_to_silver(day) >> dbt


camera_events()
