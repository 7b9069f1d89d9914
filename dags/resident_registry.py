"""Resident registry (cư trú): landing → bronze → silver (Spark), PII pseudonymised."""
from __future__ import annotations

from airflow.sdk import Param, dag, task

from antt.airflow_support import DEFAULT_ARGS, SILVER_RESIDENT_REGISTRY, daily_at, landing_dates

DOC = """
### Resident registry (resident_registry)
Loads the national residence database's nightly extracts
(`registry/residents`, `registry/residence`, `registry/dossiers`, each `dt=YYYY-MM-DD/*.csv`,
plus the one-off start snapshot `registry/snapshot/dt=…/`):

1. `load_reference` — admin units and crosswalk (as in case_records; unchanged = no write)
2. `landing_to_bronze` — every CSV record as landed → `bronze.registry_*` (the only layer
   holding names and national IDs)
3. `bronze_to_silver` — validated; **PII pseudonymised**: `person_key` = HMAC-SHA256 of the
   national ID with `ANTT_PII_HMAC_KEY`, names dropped, birth date → birth year;
   `silver.residents` (newest version per person), `silver.residence_events`,
   `silver.residence_history` (SCD2 periods, rebuilt for the persons a batch touched),
   `silver.dossiers` (newest version per dossier, processing hours); legacy unit codes
   (before 1 July 2025) conformed to current communes; rejects → `quarantine.registry`.
   One reconciliation line per feed.

Updates the `silver.resident_registry` Asset, which triggers **gold_marts**.

**Which days:** conf `{"landing_date": "2025-07-01"}` or a range with `landing_date_to`.
A scheduled run (00:00 Asia/Ho_Chi_Minh) loads the day that just ended. Re-running is safe.
"""


@dag(
    dag_id="resident_registry",
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
    tags=["registry", "bronze", "silver", "pii"],
    doc_md=DOC,
)
def resident_registry():
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

        from spark_jobs.registry import jobs
        from spark_jobs.session import get_spark

        return jobs.load_bronze(get_spark("registry_bronze"), [dt.date.fromisoformat(d) for d in days], run_id)

    @task(max_active_tis_per_dag=1, outlets=[SILVER_RESIDENT_REGISTRY])
    def bronze_to_silver(days: list[str]) -> dict:
        import datetime as dt

        from spark_jobs.registry import jobs
        from spark_jobs.session import get_spark

        return jobs.load_silver(get_spark("registry_silver"), [dt.date.fromisoformat(d) for d in days])

    days = load_reference()
    landing_to_bronze(days) >> bronze_to_silver(days)


resident_registry()
