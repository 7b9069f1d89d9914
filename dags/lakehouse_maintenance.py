"""Lakehouse maintenance: compaction (OPTIMIZE + Z-order) and VACUUM, nightly after gold."""
from __future__ import annotations

from airflow.sdk import dag, task

from antt.airflow_support import DEFAULT_ARGS, daily_at

DOC = """
### Lakehouse maintenance (lakehouse_maintenance)
Nightly at 04:00 (Asia/Ho_Chi_Minh), after the 02:00 gold build. One task per schema
(bronze, silver, quarantine, gold), one after the other:

* `OPTIMIZE` every Delta table: small files (each load and incremental build adds some)
  are rewritten into large ones; silver and gold tables are Z-ordered on `commune_code`
  (and `camera_id` / `plate` where present) — the columns dashboards and analysts filter on.
* `VACUUM ... RETAIN 168 HOURS` (`ANTT_VACUUM_RETAIN_HOURS`; lower values are refused):
  files no table version of the last 7 days needs are deleted; older versions stay
  readable for 7 days (time travel, long-running readers).

Module: `spark_jobs/maintenance.py` (also `python -m spark_jobs.maintenance`).
"""


@dag(
    dag_id="lakehouse_maintenance",
    schedule=daily_at(4),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["maintenance", "delta"],
    doc_md=DOC,
)
def lakehouse_maintenance():
    def _make(schema: str):
        @task(task_id=f"maintain_{schema}", max_active_tis_per_dag=1)
        def maintain() -> list[dict]:
            from spark_jobs import maintenance
            from spark_jobs.session import get_spark

            return maintenance.run(get_spark(f"maintenance_{schema}"), schemas=(schema,))

        return maintain()

    tasks = [_make(s) for s in ("bronze", "silver", "quarantine", "gold")]
    for upstream, downstream in zip(tasks, tasks[1:]):
        upstream >> downstream


lakehouse_maintenance()
