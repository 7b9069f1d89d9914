"""Case records (crime reports and cases): landing → bronze → silver (Spark)."""
from __future__ import annotations

from airflow.sdk import Param, dag, task

from antt.airflow_support import DEFAULT_ARGS, SILVER_CASE_RECORDS, daily_at, landing_dates

DOC = """
### Case records (case_records)
Loads the case management system's daily CDC extracts
(`cases/records/dt=YYYY-MM-DD/case_records_YYYYMMDD.csv`: crime reports — tin báo, tố giác,
kiến nghị khởi tố — and the cases opened from them) through the medallion layers:

1. `load_reference` — admin units from the PyPI reference packages: current 126 communes,
   legacy 526 with their 30 districts, the legacy → current crosswalk, police units
   → `silver.ref_*` (rewritten only when the content changed)
2. `landing_to_bronze` — every CSV record, raw, with file and record number
   → `bronze.case_records` (files already loaded are skipped; insert-only MERGE)
3. `bronze_to_silver` — typed and validated; legacy unit codes (records received before
   1 July 2025) conformed to the current communes; every version kept in
   `silver.case_record_versions`, the newest per record MERGEd into `silver.case_records`
   (an older version arriving late never rolls a record back), status transitions in
   `silver.case_status_history`; rejects → `quarantine.case_records` with a reason code.
   The log prints `bronze = versions + duplicates removed + quarantined`.

Updates the `silver.case_records` Asset, which triggers **gold_marts**.

**Which days:** conf `{"landing_date": "2025-07-01"}` loads one day;
`{"landing_date": "2024-10-01", "landing_date_to": "2025-11-30"}` loads a range in one run
(backfill). A scheduled run (00:00 Asia/Ho_Chi_Minh) loads the day that just ended.
Re-running is safe.
"""


@dag(
    dag_id="case_records",
    schedule=daily_at(0),   # 00:00 local: load the day that just ended
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    params={
        "landing_date": Param(None, type=["null", "string"], format="date",
                              description="landing day to load (YYYY-MM-DD); empty = yesterday"),
        "landing_date_to": Param(None, type=["null", "string"], format="date",
                                 description="last landing day of a range (inclusive); empty = one day"),
    },
    tags=["cases", "bronze", "silver"],
    doc_md=DOC,
)
def case_records():
    @task(max_active_tis_per_dag=1)
    def load_reference(params=None, logical_date=None) -> list[str]:
        from spark_jobs.reference import admin_units
        from spark_jobs.session import get_spark

        days = landing_dates(params, logical_date)
        admin_units.run(get_spark("reference_admin_units"))
        return [d.isoformat() for d in days]

    @task(max_active_tis_per_dag=1)
    def landing_to_bronze(days: list[str], run_id=None) -> dict:
        import datetime as dt

        from spark_jobs.cases import bronze
        from spark_jobs.session import get_spark

        return bronze.run(get_spark("cases_bronze"), [dt.date.fromisoformat(d) for d in days], run_id)

    @task(max_active_tis_per_dag=1, outlets=[SILVER_CASE_RECORDS])
    def bronze_to_silver(days: list[str]) -> dict:
        import datetime as dt

        from spark_jobs.cases import silver
        from spark_jobs.session import get_spark

        return silver.run(get_spark("cases_silver"), [dt.date.fromisoformat(d) for d in days])

    days = load_reference()
    landing_to_bronze(days) >> bronze_to_silver(days)


case_records()
